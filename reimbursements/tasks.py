"""Celery tasks: thin. They take ids, call a service, and decide only about retrying."""

from __future__ import annotations

import contextlib
import random

from celery import Task, shared_task
from django.conf import settings

from invoice_assistant.logging import document_id_var
from reimbursements import services
from reimbursements.scanning import ScannerUnavailable


def backoff_delay(retries: int, *, base: float = 2.0, cap: float = 300.0) -> float:
    """Exponential backoff with full jitter: spreads retries after an outage."""
    return random.uniform(0, min(cap, base * (2**retries)))


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def scan_document(self: Task, document_id: int) -> str:
    token = document_id_var.set(document_id)
    try:
        return services.document_scan(document_id=document_id)
    except ScannerUnavailable as exc:
        # Fail closed: keep retrying (forever, capped delay); the document stays held.
        raise self.retry(
            exc=exc,
            countdown=backoff_delay(self.request.retries, cap=settings.SCAN_RETRY_MAX_DELAY_S),
        ) from exc
    finally:
        document_id_var.reset(token)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=5)
def process_document(self: Task, document_id: int) -> str:
    from celery.exceptions import SoftTimeLimitExceeded
    from django.db import InterfaceError, OperationalError

    from extraction.engines.base import TransientEngineError
    from reimbursements import pipeline

    token = document_id_var.set(document_id)
    try:
        return pipeline.document_process(document_id=document_id)
    except pipeline.PermanentProcessingError as exc:
        return pipeline.document_fail(document_id=document_id, reason=str(exc))
    except (TransientEngineError, OperationalError, InterfaceError, SoftTimeLimitExceeded) as exc:
        if not isinstance(exc, SoftTimeLimitExceeded):
            # An outage ends the run without a result; a timeout counts as unfinished.
            with contextlib.suppress(OperationalError, InterfaceError):
                pipeline.attempt_ended_without_result(document_id=document_id)
        if self.request.retries >= (self.max_retries or 0):
            return pipeline.document_fail(
                document_id=document_id,
                reason=f"Extraction kept failing after {self.request.retries + 1} attempts: {exc}",
            )
        raise self.retry(exc=exc, countdown=backoff_delay(self.request.retries)) from exc
    finally:
        document_id_var.reset(token)


@shared_task(acks_late=True)
def sweep_stuck_documents() -> dict[str, int]:
    """Periodic (Celery beat): re-enqueue documents stuck in a non-terminal state."""
    from reimbursements import sweeper

    return sweeper.sweep()


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=5)
def process_document_gpu(self: Task, document_id: int) -> dict[int, str]:
    """A GPU batch led by this document (see reimbursements.gpu)."""
    from celery.exceptions import SoftTimeLimitExceeded
    from django.db import InterfaceError, OperationalError

    from extraction.engines.base import TransientEngineError
    from reimbursements import gpu, pipeline

    token = document_id_var.set(document_id)
    claimer = self.request.id or f"gpu-{document_id}"
    try:
        return gpu.process_batch(first_id=document_id, claimer=claimer)
    except (TransientEngineError, OperationalError, InterfaceError, SoftTimeLimitExceeded) as exc:
        if self.request.retries >= (self.max_retries or 0):
            status = pipeline.document_fail(
                document_id=document_id,
                reason=f"Extraction kept failing after {self.request.retries + 1} attempts: {exc}",
            )
            return {document_id: status}
        raise self.retry(exc=exc, countdown=backoff_delay(self.request.retries)) from exc
    finally:
        document_id_var.reset(token)
