"""The one place that hands work to Celery: tasks are sent by name, after commit.

By name, so no module imports the task modules (and through them the worker's whole
import graph) just to enqueue; after commit, so a worker never sees a row that is not
committed yet and a rolled-back transaction enqueues nothing. A broker that is down
loses nothing: every caller's rows stay in a state the periodic sweepers re-enqueue.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from celery import current_app
from django.db import transaction

log = logging.getLogger(__name__)


def send(name: str, *args: Any, queue: str | None = None) -> bool:
    """Send task ``name`` now; ``False`` (logged) when the broker refused it."""
    options: dict[str, Any] = {"queue": queue} if queue else {}
    try:
        task = current_app.tasks.get(name)
        if task is not None:
            # The registered task honours task_always_eager (development, tests).
            task.apply_async(args, **options)
        else:
            current_app.send_task(name, args=args, **options)
    except Exception:
        log.exception("could not enqueue %s", name, extra={"task_args": list(args)})
        return False
    return True


def send_on_commit(name: str, *args: Any, queue: str | None = None) -> None:
    """Send task ``name`` once the current transaction commits (at once outside one)."""
    # A partial, not a lambda: its repr names the task (what tests capturing the
    # transaction's callbacks look for).
    transaction.on_commit(functools.partial(send, name, *args, queue=queue))
