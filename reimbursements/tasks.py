"""Celery tasks: thin. They take ids, call a service, and decide only about retrying.

Transient failures are retried by Celery itself (``autoretry_for`` with exponential
backoff and full jitter, from :class:`RetriedTask`); a task body only decides what a
last failed attempt means for its document.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError

from extraction.engines.base import TransientEngineError
from invoice_assistant.logging import document_id_var
from reimbursements import gpu, pipeline, sweeper
from reimbursements.documents import lifecycle
from reimbursements.documents.engines import EngineChoice
from reimbursements.documents.scan import document_scan
from reimbursements.scanning import ScannerUnavailable

# An engine or the database went away mid-run, or the run hit its soft time limit.
TRANSIENT_PROCESSING_ERRORS = (
    TransientEngineError,
    OperationalError,
    InterfaceError,
    SoftTimeLimitExceeded,
)


class RetriedTask(Task):
    """Idempotent work on ids, acknowledged after it ran (a lost worker's message is
    delivered again); errors listed in a task's ``autoretry_for`` are retried with
    exponential backoff (2 s, 4 s, ... capped) and full jitter, spreading retries after
    an outage."""

    acks_late = True
    reject_on_worker_lost = True
    retry_backoff = 2
    retry_backoff_max = 300
    retry_jitter = True
    max_retries = 5


@contextlib.contextmanager
def _logging_document(document_id: int) -> Iterator[None]:
    token = document_id_var.set(document_id)
    try:
        yield
    finally:
        document_id_var.reset(token)


@shared_task(
    base=RetriedTask,
    autoretry_for=(ScannerUnavailable,),
    # Fail closed: keep retrying (forever, capped delay); the document stays held.
    max_retries=None,
    retry_backoff_max=settings.SCAN_RETRY_MAX_DELAY_S,
)
def scan_document(document_id: int) -> str:
    with _logging_document(document_id):
        return document_scan(document_id=document_id)


@shared_task(base=RetriedTask, bind=True, autoretry_for=TRANSIENT_PROCESSING_ERRORS)
def process_document(self: Task, document_id: int, engine: dict[str, Any] | None = None) -> str:
    """Read one document with ``engine``, the choice made when it was queued."""
    choice = EngineChoice.from_message(engine) if engine else None
    with _logging_document(document_id):
        try:
            return pipeline.document_process(document_id=document_id, choice=choice)
        except pipeline.PermanentProcessingError as exc:
            return lifecycle.document_fail(document_id=document_id, reason=str(exc))
        except TRANSIENT_PROCESSING_ERRORS as exc:
            if not isinstance(exc, SoftTimeLimitExceeded):
                # An outage ends the run without a result; a timeout counts as unfinished.
                with contextlib.suppress(OperationalError, InterfaceError):
                    pipeline.attempt_ended_without_result(document_id=document_id)
            if self.request.retries >= (self.max_retries or 0):
                return lifecycle.document_fail(
                    document_id=document_id, reason=_kept_failing(self, exc)
                )
            raise


@shared_task(base=RetriedTask, bind=True, autoretry_for=TRANSIENT_PROCESSING_ERRORS)
def process_document_gpu(self: Task, document_id: int) -> dict[int, str]:
    """A GPU batch led by this document (see reimbursements.gpu)."""
    claimer = self.request.id or f"gpu-{document_id}"
    with _logging_document(document_id):
        try:
            return gpu.process_batch(first_id=document_id, claimer=claimer)
        except TRANSIENT_PROCESSING_ERRORS as exc:
            if self.request.retries >= (self.max_retries or 0):
                status = lifecycle.document_fail(
                    document_id=document_id, reason=_kept_failing(self, exc)
                )
                return {document_id: status}
            raise


@shared_task(acks_late=True)
def sweep_stuck_documents() -> dict[str, int]:
    """Periodic (Celery beat): re-enqueue documents stuck in a non-terminal state."""
    return sweeper.sweep()


def _kept_failing(task: Task, exc: BaseException) -> str:
    return f"Extraction kept failing after {task.request.retries + 1} attempts: {exc}"
