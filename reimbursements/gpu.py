"""GPU workers: batches of documents on the VLM, a timeout watchdog, and routing guards.

A GPU worker runs one process per GPU (``--pool solo`` or prefork with concurrency 1;
CUDA is not fork-safe, so the model is loaded in the process that uses it, after the
fork). Each ``process_document_gpu`` task claims up to ``VLM_BATCH_SIZE`` waiting
documents with ``SKIP LOCKED`` and runs them as one left-padded batch; the other
documents' own messages then find them claimed and return at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from extraction.engines.base import EngineUnavailable, PreparedDocument, TransientEngineError
from extraction.schema import ExtractionResult
from extraction.watchdog import InferenceTimeout, TimeoutWatchdog
from reimbursements import pipeline
from reimbursements.models import Document, Extraction
from reimbursements.services import _set_status

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Claimed:
    document_id: int
    file_name: str
    sha256: str


def claim_batch(*, first_id: int, claimer: str, size: int) -> list[Claimed]:
    """Claim ``first_id`` (if still waiting) plus up to ``size - 1`` other waiting documents."""
    now = timezone.now()
    lease = now + dt.timedelta(seconds=settings.TASK_HARD_TIME_LIMIT_S + 30)
    claimed: list[Claimed] = []
    with transaction.atomic():
        first = Document.objects.select_for_update(skip_locked=True).filter(pk=first_id).first()
        candidates = [first] if first is not None else []
        others = (
            Document.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status__in=[Document.Status.CLEAN, Document.Status.PROCESSING])
            .exclude(pk=first_id)
            .exclude(claimed_until__gt=now)
            .exclude(pk__in=Extraction.objects.values("document_id"))
            .order_by("pk")[: max(0, size - 1)]
        )
        candidates.extend(others)
        for document in candidates:
            if document.status not in {Document.Status.CLEAN, Document.Status.PROCESSING}:
                continue
            held = document.claimed_until is not None and document.claimed_until > now
            if held and document.claimed_by != claimer:
                continue  # another live batch holds it
            if document.unfinished_attempts >= settings.MAX_UNFINISHED_ATTEMPTS:
                pipeline.document_fail(
                    document_id=document.pk,
                    reason=pipeline.too_many_attempts(document.unfinished_attempts),
                )
                continue
            fields = _set_status(document, Document.Status.PROCESSING)
            document.processing_started_at = now
            document.process_attempts += 1
            document.unfinished_attempts += 1
            document.claimed_by = claimer
            document.claimed_until = lease
            document.save(
                update_fields=[
                    *fields,
                    "processing_started_at",
                    "process_attempts",
                    "unfinished_attempts",
                    "claimed_by",
                    "claimed_until",
                ]
            )
            claimed.append(Claimed(document.pk, document.file.name, document.sha256))
    return claimed


def release(document_ids: list[int], *, claimer: str) -> None:
    """Give claimed documents back to the queue (timeouts, shutdown)."""
    with transaction.atomic():
        for document in Document.objects.select_for_update().filter(
            pk__in=document_ids, claimed_by=claimer, status=Document.Status.PROCESSING
        ):
            fields = _set_status(document, Document.Status.CLEAN)
            document.claimed_by = ""
            document.claimed_until = None
            document.save(update_fields=[*fields, "claimed_by", "claimed_until"])
    for document_id in document_ids:
        pipeline.enqueue_processing(document_id)


def process_batch(*, first_id: int, claimer: str) -> dict[int, str]:
    """Run one GPU batch; returns the final status of every document it finished."""
    batch = claim_batch(first_id=first_id, claimer=claimer, size=settings.VLM_BATCH_SIZE)
    if not batch:
        return {}
    choice = pipeline.choose_engine()
    engine: Any = pipeline.engine_instance(choice)
    prepared: list[PreparedDocument] = []
    runnable: list[Claimed] = []
    finished: dict[int, str] = {}
    for item in batch:
        try:
            data, loaded = pipeline.load(item.file_name)
            split = pipeline.split_into_parts(
                document_id=item.document_id, data=data, loaded=loaded
            )
            if split is not None:
                finished[item.document_id] = split
                continue
            document = pipeline.mask_personal_data(loaded)
            pipeline.store_masked_copy(document_id=item.document_id, prepared=document)
            prepared.append(document)
            runnable.append(item)
        except pipeline.PermanentProcessingError as exc:
            finished[item.document_id] = pipeline.document_fail(
                document_id=item.document_id, reason=str(exc)
            )
    if not runnable:
        return finished
    try:
        outcomes = engine.extract_many(prepared)
    except InferenceTimeout:
        WATCHDOG.record_timeout()
        release([item.document_id for item in runnable], claimer=claimer)
        raise
    retry: list[int] = []
    timed_out = False
    for item, outcome in zip(runnable, outcomes, strict=True):
        if isinstance(outcome, ExtractionResult):
            columns = pipeline.store_extraction(
                document_id=item.document_id, result=outcome, from_cache=False
            )
            if columns is not None:
                pipeline.cache_result(item.sha256, choice, outcome, columns=columns)
            finished[item.document_id] = pipeline.finish(item.document_id)
        else:
            timed_out |= isinstance(outcome, InferenceTimeout)
            retry.append(item.document_id)
    if timed_out:
        WATCHDOG.record_timeout()
    elif len(retry) < len(runnable):
        WATCHDOG.record_success()
    if retry:
        release(retry, claimer=claimer)
    return finished


# --- watchdog -----------------------------------------------------------------------------


def _trip(count: int) -> None:
    """Stop consuming and exit so the supervisor restarts a fresh process.

    SIGTERM asks Celery for a warm shutdown: it stops taking messages and hands back
    the ones it prefetched; the documents of the timed-out batch were released above.
    """
    log.error("GPU worker unhealthy after %d consecutive inference timeouts; shutting down", count)
    marker = settings.VAR_DIR / f"worker-unhealthy-{os.getpid()}"
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(f"{count} consecutive timeouts at {timezone.now().isoformat()}\n")
    os.kill(_worker_main_pid(), signal.SIGTERM)


def _worker_main_pid() -> int:
    # In a prefork pool the child's parent is the worker's main process.
    return os.getppid() if os.environ.get("IA_WORKER_POOL", "solo") == "prefork" else os.getpid()


WATCHDOG = TimeoutWatchdog(threshold=settings.VLM_TIMEOUT_THRESHOLD, on_trip=_trip)


def worker_may_consume_gpu() -> tuple[bool, str]:
    """A worker without a usable GPU must never take ``gpu`` tasks."""
    try:
        import torch
    except ImportError:
        return False, "torch is not installed"
    if settings.VLM_DEVICE.startswith("cpu") and settings.VLM_ALLOW_CPU_GPU_QUEUE:
        return True, "CPU explicitly allowed (VLM_ALLOW_CPU_GPU_QUEUE)"
    if not torch.cuda.is_available():
        return False, "no CUDA device"
    try:
        pipeline.engine_instance(pipeline.EngineChoice("vlm", "gpu", ""))
    except EngineUnavailable as exc:
        return False, f"VLM not configured: {exc}"
    return True, torch.cuda.get_device_name(0)


def is_transient(exc: BaseException) -> bool:
    return isinstance(exc, TransientEngineError)
