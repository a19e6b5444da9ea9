"""The worker's step: from a clean document to stored fields.

load -> split into parts? -> mask (PII seam) -> extract (engine chosen at enqueue) ->
store -> finish (``lifecycle.document_finish``: review rule and duplicates). Runs in a
Celery task that receives the document id and the engine choice. Idempotent: the
Extraction row is unique per document, and a document past ``processing`` is left alone.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import F
from django.db.models.functions import Greatest

from extraction import photo_split
from extraction import pipeline as extraction_pipeline
from extraction.engines.base import EngineUnavailable, PreparedDocument
from invoice_assistant import metrics
from reimbursements import heartbeat, parts, pii_masking
from reimbursements.documents import cache_hit, lifecycle
from reimbursements.documents.engines import EngineChoice, choice_for
from reimbursements.documents.results import store_extraction
from reimbursements.engine_context import build_engine_context
from reimbursements.models import Document

log = logging.getLogger(__name__)


class PermanentProcessingError(Exception):
    """Retrying cannot help (unreadable file, no engine): the document ends in 'failed'."""


def document_process(*, document_id: int, choice: EngineChoice | None = None) -> str:
    """Extract fields for one document with the engine chosen when it was queued (chosen
    now for a message that carries none); returns its final status."""
    run = lifecycle.document_process_start(document_id=document_id)
    if isinstance(run, str):
        return run
    with heartbeat.beating(document_id):
        return _extract(run, choice)


def _extract(run: lifecycle.Run, choice: EngineChoice | None) -> str:
    if choice is None:
        try:
            choice = choice_for(run.mime_type)
        except EngineUnavailable as exc:
            raise PermanentProcessingError(f"No extraction engine can run here: {exc}") from exc
    started = time.perf_counter()
    try:
        data, loaded = load(run.file_name)
        split = split_into_parts(document_id=run.document_id, data=data, loaded=loaded)
        if split is not None:
            return split
        prepared = pii_masking.mask_prepared_document(loaded)
        pii_masking.store_masked_copy(document_id=run.document_id, prepared=prepared)
        result = extraction_pipeline.extract(
            prepared, ctx=build_engine_context(), engine=choice.name
        )
    except Exception as exc:
        metrics.ENGINE_ERRORS.labels(engine=choice.name, kind=type(exc).__name__).inc()
        raise
    result.timings.setdefault("total", (time.perf_counter() - started) * 1000)
    columns = store_extraction(document_id=run.document_id, result=result, from_cache=False)
    if columns is not None:
        cache_hit.cache_result(run.sha256, choice, result, columns=columns)
    # Logged in full on purpose: the PII filter on every handler masks what must not show.
    log.info(
        "document extracted",
        extra={"engine": choice.name, "fields": result.to_contract()["fields"]},
    )
    return lifecycle.document_finish(document_id=run.document_id)


def attempt_ended_without_result(*, document_id: int) -> None:
    """A run stopped by a transient error (engine or database unavailable) ended and is
    retried by its task: it does not count towards MAX_UNFINISHED_ATTEMPTS."""
    Document.objects.filter(pk=document_id, status=Document.Status.PROCESSING).update(
        unfinished_attempts=Greatest(F("unfinished_attempts") - 1, 0)
    )


def prepare(file_name: str) -> PreparedDocument:
    """Read a stored file into page images / text layer, then mask personal data."""
    return pii_masking.mask_prepared_document(load(file_name)[1])


def split_into_parts(*, document_id: int, data: bytes, loaded: PreparedDocument) -> str | None:
    """When the picture shows several documents side by side (and is no part itself),
    replace the document by its parts (``reimbursements.parts``) and return its status
    ('split'); ``None``: it is one document, read it."""
    if Document.objects.filter(pk=document_id, parent__isnull=False).exists():
        return None
    found = photo_split.document_parts(loaded, picture_size=photo_split.upright_size(data))
    if not found:
        return None
    return parts.document_split(document_id=document_id, parts=found)


def load(file_name: str) -> tuple[bytes, PreparedDocument]:
    """A stored file's bytes and its page images / text layer (nothing masked yet)."""
    try:
        with default_storage.open(file_name, "rb") as handle:
            data = handle.read()
    except FileNotFoundError as exc:
        raise PermanentProcessingError("The stored file is missing.") from exc
    try:
        prepared = extraction_pipeline.load_document(
            data,
            name=file_name,
            max_pdf_pages=settings.PDF_MAX_PAGES,
            max_image_pixels=max(settings.IMAGE_MAX_DECODE_PIXELS, settings.IMAGE_MAX_PIXELS),
            max_full_decode_pixels=settings.IMAGE_MAX_PIXELS,
        )
    except (ValueError, OSError) as exc:
        raise PermanentProcessingError(f"The document could not be read: {exc}") from exc
    return data, prepared
