"""GPU workers: batches of documents on the VLM, a timeout watchdog, and routing guards.

A GPU worker runs one process per GPU (``--pool solo`` or prefork with concurrency 1;
CUDA is not fork-safe, so the model is loaded in the process that uses it, after the
fork). Each ``process_document_gpu`` task claims up to ``VLM_BATCH_SIZE`` waiting
documents with ``SKIP LOCKED`` and runs them as one left-padded batch; the other
documents' own messages then find them claimed and return at once.
"""

from __future__ import annotations

import logging
import os
import signal
from typing import Any

from django.conf import settings
from django.utils import timezone

from extraction.engines.base import EngineUnavailable, PreparedDocument
from extraction.schema import ExtractionResult
from extraction.watchdog import InferenceTimeout, TimeoutWatchdog
from reimbursements import pii_masking, pipeline
from reimbursements.documents import cache_hit, lifecycle
from reimbursements.documents.engines import EngineChoice, choose_engine, engine_instance
from reimbursements.documents.results import store_extraction

log = logging.getLogger(__name__)


def process_batch(*, first_id: int, claimer: str) -> dict[int, str]:
    """Run one GPU batch; returns the final status of every document it finished."""
    batch = lifecycle.documents_claim_batch(
        first_id=first_id, claimer=claimer, size=settings.VLM_BATCH_SIZE
    )
    if not batch:
        return {}
    choice = choose_engine()
    engine: Any = engine_instance(choice)
    prepared: list[PreparedDocument] = []
    runnable: list[lifecycle.Run] = []
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
            document = pii_masking.mask_prepared_document(loaded)
            pii_masking.store_masked_copy(document_id=item.document_id, prepared=document)
            prepared.append(document)
            runnable.append(item)
        except pipeline.PermanentProcessingError as exc:
            finished[item.document_id] = lifecycle.document_fail(
                document_id=item.document_id, reason=str(exc)
            )
    if not runnable:
        return finished
    try:
        outcomes = engine.extract_many(prepared)
    except InferenceTimeout:
        WATCHDOG.record_timeout()
        lifecycle.documents_release(
            document_ids=[item.document_id for item in runnable], claimer=claimer
        )
        raise
    retry: list[int] = []
    timed_out = False
    for item, outcome in zip(runnable, outcomes, strict=True):
        if isinstance(outcome, ExtractionResult):
            columns = store_extraction(
                document_id=item.document_id, result=outcome, from_cache=False
            )
            if columns is not None:
                cache_hit.cache_result(item.sha256, choice, outcome, columns=columns)
            finished[item.document_id] = lifecycle.document_finish(document_id=item.document_id)
        else:
            timed_out |= isinstance(outcome, InferenceTimeout)
            retry.append(item.document_id)
    if timed_out:
        WATCHDOG.record_timeout()
    elif len(retry) < len(runnable):
        WATCHDOG.record_success()
    if retry:
        lifecycle.documents_release(document_ids=retry, claimer=claimer)
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
        engine_instance(EngineChoice("vlm", "gpu", ""))
    except EngineUnavailable as exc:
        return False, f"VLM not configured: {exc}"
    return True, torch.cuda.get_device_name(0)
