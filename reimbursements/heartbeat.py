"""A live scan or extraction keeps its document's ``heartbeat_at`` fresh.

A run sets ``heartbeat_at`` in the transaction that moves its document to
scanning/processing; while the run lasts, a daemon thread bumps it every
``RUN_HEARTBEAT_S``; when the run ends in any way its process survives (result, error,
outage, soft time limit), it is cleared. A document in flight whose heartbeat went stale
therefore lost its worker (killed, out of memory, hard time limit) and the sweeper can
re-queue it within seconds, while a slow run that is alive is never run twice. The
broker cannot always tell: the embedded one (kombu's filesystem transport) keeps a
message a worker has taken only in that worker's memory, and a hard time limit acks the
message of a run it killed.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from reimbursements.models import Document

log = logging.getLogger(__name__)


@contextlib.contextmanager
def beating(document_id: int, *, every_s: float | None = None) -> Iterator[None]:
    """Keep ``document_id``'s heartbeat fresh for the duration of the block."""
    stop = threading.Event()
    thread = threading.Thread(
        target=_beat,
        args=(document_id, stop, every_s or settings.RUN_HEARTBEAT_S),
        name=f"heartbeat-{document_id}",
        daemon=True,
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        # Joined before clearing, so a beat in flight cannot land after the clear.
        thread.join()
        try:
            Document.objects.filter(pk=document_id).update(heartbeat_at=None)
        except DatabaseError:
            # The database is what ended the run; the stale heartbeat lets the sweeper
            # pick the document up once it is back.
            log.warning("could not clear the heartbeat", extra={"document_id": document_id})


def _beat(document_id: int, stop: threading.Event, every_s: float) -> None:
    try:
        while not stop.wait(every_s):
            try:
                # One autocommitted UPDATE of one indexed row: on SQLite the write lock is
                # held for microseconds, so the run's own writes barely notice it.
                Document.objects.filter(pk=document_id, heartbeat_at__isnull=False).update(
                    heartbeat_at=timezone.now()
                )
            except DatabaseError:
                log.warning("heartbeat not recorded", extra={"document_id": document_id})
    finally:
        # Django connections are per thread: this one is the heartbeat's own.
        connection.close()
