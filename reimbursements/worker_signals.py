"""What a Celery worker of this app does when it starts (connected in ``AppConfig.ready``:
Django is set up in every worker before these signals are sent)."""

from __future__ import annotations

import logging
import os
from typing import Any

from celery.signals import worker_process_init, worker_ready
from django.conf import settings

from reimbursements.documents.engines import EngineChoice, engine_instance
from reimbursements.gpu import worker_may_consume_gpu

log = logging.getLogger(__name__)


def connect() -> None:
    worker_ready.connect(guard_gpu_queue, dispatch_uid="ia-guard-gpu-queue", weak=False)
    worker_process_init.connect(lower_priority, dispatch_uid="ia-lower-priority", weak=False)
    worker_process_init.connect(preload_model, dispatch_uid="ia-preload-model", weak=False)


def guard_gpu_queue(sender: Any = None, **kwargs: Any) -> None:
    """A worker without a usable GPU never takes tasks from the ``gpu`` queue."""
    consumer: Any = getattr(sender, "consumer", None)
    queues = {q.name for q in getattr(getattr(consumer, "task_consumer", None), "queues", [])}
    if "gpu" not in queues:
        return
    ok, detail = worker_may_consume_gpu()
    if ok:
        log.info("GPU worker ready: %s", detail)
        return
    log.error("refusing the gpu queue on this worker: %s", detail)
    consumer.cancel_task_queue("gpu")


def lower_priority(**kwargs: Any) -> None:
    """Pool processes yield the CPU to the web server on a shared machine: an upload
    answered in 20 ms matters more than an OCR finishing 20 ms sooner (WORKER_NICE)."""
    if settings.WORKER_NICE > 0:
        os.nice(settings.WORKER_NICE)
        lower_session_priority(settings.WORKER_NICE)


def lower_session_priority(nice: int) -> None:
    """With autogrouping (Linux's default outside CPU cgroups), CPU time is shared fairly
    between *sessions* first, and a process's nice value only counts inside its own: a
    worker started in a session of its own (setsid, a supervisor) took half the CPU from
    the web server whatever its pool's nice value (measured: 291 ms upload p99 at 50
    clients). When the worker leads its session, that session holds only the worker, so
    its autogroup is made as nice as its pool. A worker sharing a session with the web
    server (``make run``) is left alone: there the pool's own nice value already works."""
    if os.getsid(0) != os.getppid():
        return
    try:
        with open("/proc/self/autogroup", "w") as handle:
            handle.write(str(nice))
    except OSError as exc:  # no autogroups, or not allowed: the pool's nice value stays
        log.info("could not lower the worker session's CPU priority: %s", exc)


def preload_model(**kwargs: Any) -> None:
    """Load the VLM in the pool process once, after the fork (CUDA is not fork-safe)."""
    if os.environ.get("IA_GPU_WORKER") != "1":
        return
    try:
        engine_instance(EngineChoice("vlm", "gpu", ""))
    except Exception:
        log.exception("could not preload the VLM; the first batch will try again")
