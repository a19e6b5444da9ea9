"""A document's life: the one module that changes ``Document.status``.

::

    received -> scanning -> clean -> processing -> extracted | needs_review
                        \\-> infected | rejected      \\-> split (its parts start clean)
    any non-terminal state -> failed -> received | clean (retry)

One function per transition, in the style of ``workflow.py``: lock the row
(``select_for_update``), check the current state, save with ``update_fields``, write an
audit row, and enqueue the next step after commit (``reimbursements.enqueue``). The
worker steps around them (``documents.scan``, ``pipeline``, ``gpu``, ``parts``) do the
slow work outside any lock and come back here to record its outcome. A new document is
built by :func:`document_build` alone, whether it comes from an upload, a part of a photo
or a cache hit.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from extraction.engines.base import EngineUnavailable
from invoice_assistant import metrics
from reimbursements import enqueue
from reimbursements.documents.duplicates import flag_duplicate
from reimbursements.documents.engines import choice_for
from reimbursements.documents.results import review_needed
from reimbursements.models import Claim, Document, Extraction, ScanResult
from reimbursements.notify.services import document_status_changed
from reimbursements.services import ServiceError, audit
from reimbursements.warning_messages import status_label
from reimbursements.workflow import claim_recompute_total

log = logging.getLogger(__name__)

Status = Document.Status

SCAN_TASK = "reimbursements.tasks.scan_document"
PROCESS_TASK = "reimbursements.tasks.process_document"
PROCESS_GPU_TASK = "reimbursements.tasks.process_document_gpu"


@dataclass(frozen=True)
class Run:
    """A scan or extraction run that has started: what the worker step needs."""

    document_id: int
    file_name: str
    sha256: str
    mime_type: str
    attempts: int


def _move(document: Document, status: str, *, error: str = "") -> list[str]:
    """Set the status (the only assignment of it) and tell the owner when it needs them;
    returns the fields to save."""
    document.status = status
    document.error = error
    document.status_changed_at = timezone.now()
    document_status_changed(document=document, status=status)
    return ["status", "error", "status_changed_at", "updated_at"]


def document_build(*, status: str = Status.RECEIVED, **fields: Any) -> Document:
    """A new, unsaved document in its first state: ``received`` for an upload, ``clean``
    for a part of a scanned photo, ``extracted``/``needs_review`` for a cache hit. The
    caller gives what belongs to it (owner, claim, file name, file, byte properties)."""
    now = fields.pop("status_changed_at", None) or timezone.now()
    return Document(status=status, status_changed_at=now, **fields)


# --- scanning ---------------------------------------------------------------------------


def enqueue_scan(document_id: int) -> None:
    """Queue the virus scan once the current transaction commits (at once outside one)."""
    # Broker down: the document stays 'received' and the sweeper re-enqueues it.
    enqueue.send_on_commit(SCAN_TASK, document_id)


def document_scan_start(*, document_id: int) -> Run | str:
    """received/scanning -> scanning; the document's status when it is not to be scanned
    (past scanning, or failed after too many unfinished attempts)."""
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document_id)
        if document.status not in {Status.RECEIVED, Status.SCANNING}:
            return document.status
        if document.unfinished_attempts >= settings.MAX_UNFINISHED_ATTEMPTS:
            return document_fail(
                document_id=document_id,
                reason=(
                    f"The virus scan started {document.unfinished_attempts} times and never "
                    "finished (it timed out or its worker stopped). Retry the document; if it "
                    "fails again, upload a smaller file."
                ),
            )
        fields = _move(document, Status.SCANNING, error=document.error)
        document.scan_attempts += 1
        document.unfinished_attempts += 1
        document.heartbeat_at = timezone.now()
        document.save(
            update_fields=[*fields, "scan_attempts", "unfinished_attempts", "heartbeat_at"]
        )
        return _run(document, attempts=document.scan_attempts)


def document_scanned_clean(*, document_id: int, scanner_version: str, scanned: bool) -> str:
    """scanning -> clean (``scanned=False``: no scanner in development, and said so)."""
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document_id)
        if document.status != Status.SCANNING:
            return document.status
        now = timezone.now()
        ScanResult.objects.create(
            document=document,
            scanner_version=scanner_version[:200],
            verdict=ScanResult.Verdict.CLEAN if scanned else ScanResult.Verdict.NOT_SCANNED,
            scanned_at=now,
        )
        document.scanned_at = now
        document.unfinished_attempts = 0
        fields = _move(document, Status.CLEAN)
        document.save(update_fields=[*fields, "scanned_at", "unfinished_attempts"])
        audit(
            actor=None,
            action="document.scanned_clean" if scanned else "document.not_scanned",
            obj=document,
        )
        _enqueue_processing_on_commit(document_id)
        return document.status


def document_scanned_infected(*, document_id: int, scanner_version: str, signature: str) -> str:
    """scanning -> infected: the file is made unreachable (quarantined or deleted)."""
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document_id)
        if document.status != Status.SCANNING:
            return document.status
        now = timezone.now()
        ScanResult.objects.create(
            document=document,
            scanner_version=scanner_version[:200],
            verdict=ScanResult.Verdict.INFECTED,
            signature=signature[:200],
            scanned_at=now,
        )
        document.scanned_at = now
        document.unfinished_attempts = 0
        fields = _move(
            document,
            Status.INFECTED,
            error=(
                f"A virus was found in this file ({signature}). It has been "
                "removed and cannot be opened. Scan your device and upload a clean copy."
            ),
        )
        _make_unreachable(document.file.name)
        document.file.name = ""
        document.save(update_fields=[*fields, "scanned_at", "file", "unfinished_attempts"])
        audit(
            actor=None,
            action="document.infected",
            obj=document,
            after={"signature": signature, "policy": settings.INFECTED_FILE_POLICY},
        )
        log.warning(
            "infected upload quarantined",
            extra={"document_id": document.pk, "signature": signature},
        )
        return document.status


def document_scan_refused_too_large(*, document_id: int, detail: str) -> str:
    """scanning -> rejected: too large for the scanner, so never let through unscanned."""
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document_id)
        if document.status != Status.SCANNING:
            return document.status
        now = timezone.now()
        ScanResult.objects.create(
            document=document,
            scanner_version="clamd",
            verdict=ScanResult.Verdict.TOO_LARGE,
            signature="",
            scanned_at=now,
        )
        document.scanned_at = now
        fields = _move(
            document,
            Status.REJECTED,
            error="The file is too large for the virus scanner, so it was rejected unscanned.",
        )
        _make_unreachable(document.file.name)
        document.file.name = ""
        document.save(update_fields=[*fields, "scanned_at", "file"])
        audit(actor=None, action="document.rejected_too_large", obj=document, comment=detail)
        return document.status


def _make_unreachable(name: str) -> None:
    if not name:
        return
    if settings.INFECTED_FILE_POLICY == "quarantine":
        target_dir = Path(settings.QUARANTINE_ROOT)
        target_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        source = Path(default_storage.path(name))
        if source.exists():
            shutil.move(str(source), str(target_dir / source.name))
    else:
        default_storage.delete(name)


# --- extraction -------------------------------------------------------------------------


def enqueue_processing(document_id: int) -> None:
    """Queue a clean document for the engine chosen for it (once: the choice travels
    with the task); a document no engine can read fails now."""
    mime_type = Document.objects.filter(pk=document_id).values_list("mime_type", flat=True).first()
    try:
        choice = choice_for(mime_type)
    except EngineUnavailable as exc:
        document_fail(document_id=document_id, reason=f"No extraction engine can run: {exc}")
        return
    # Broker down: the sweeper finds the document in 'clean' and re-enqueues it.
    if choice.queue == "gpu":
        enqueue.send(PROCESS_GPU_TASK, document_id, queue=choice.queue)
    else:
        enqueue.send(PROCESS_TASK, document_id, choice.to_message(), queue=choice.queue)


def _enqueue_processing_on_commit(document_id: int) -> None:
    transaction.on_commit(lambda: enqueue_processing(document_id))


def too_many_attempts(attempts: int) -> str:
    return (
        f"Reading this document started {attempts} times and never finished (it timed out "
        "or its worker stopped each time). Retry it; if it fails again, upload a smaller or "
        "clearer photo."
    )


def document_process_start(*, document_id: int) -> Run | str:
    """clean/processing -> processing; the document's status when it is not to be read
    now (past processing, held by a live GPU batch, already read, or failed after too
    many unfinished attempts)."""
    now = timezone.now()
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document_id)
        if document.status not in {Status.CLEAN, Status.PROCESSING}:
            return document.status
        if Extraction.objects.filter(document=document).exists():
            # A previous run stored the result but died before the status update.
            return document_finish(document_id=document_id)
        if document.claimed_until and document.claimed_until > now:
            return document.status  # a live GPU batch holds it
        if document.unfinished_attempts >= settings.MAX_UNFINISHED_ATTEMPTS:
            return document_fail(
                document_id=document_id, reason=too_many_attempts(document.unfinished_attempts)
            )
        fields = _move(document, Status.PROCESSING)
        document.processing_started_at = now
        document.process_attempts += 1
        document.unfinished_attempts += 1
        document.heartbeat_at = now
        document.save(
            update_fields=[
                *fields,
                "processing_started_at",
                "process_attempts",
                "unfinished_attempts",
                "heartbeat_at",
            ]
        )
        return _run(document, attempts=document.process_attempts)


def documents_claim_batch(*, first_id: int, claimer: str, size: int) -> list[Run]:
    """clean/processing -> processing for ``first_id`` (if still waiting) and up to
    ``size - 1`` other waiting documents, claimed for one GPU batch (``SKIP LOCKED``)."""
    now = timezone.now()
    lease = now + dt.timedelta(seconds=settings.TASK_HARD_TIME_LIMIT_S + 30)
    claimed: list[Run] = []
    with transaction.atomic():
        first = Document.objects.select_for_update(skip_locked=True).filter(pk=first_id).first()
        candidates = [first] if first is not None else []
        others = (
            Document.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status__in=[Status.CLEAN, Status.PROCESSING])
            .exclude(pk=first_id)
            .exclude(claimed_until__gt=now)
            .exclude(pk__in=Extraction.objects.values("document_id"))
            .order_by("pk")[: max(0, size - 1)]
        )
        candidates.extend(others)
        for document in candidates:
            if document.status not in {Status.CLEAN, Status.PROCESSING}:
                continue
            held = document.claimed_until is not None and document.claimed_until > now
            if held and document.claimed_by != claimer:
                continue  # another live batch holds it
            if document.unfinished_attempts >= settings.MAX_UNFINISHED_ATTEMPTS:
                document_fail(
                    document_id=document.pk,
                    reason=too_many_attempts(document.unfinished_attempts),
                )
                continue
            fields = _move(document, Status.PROCESSING)
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
            claimed.append(_run(document, attempts=document.process_attempts))
    return claimed


def documents_release(*, document_ids: list[int], claimer: str) -> None:
    """processing -> clean for claimed documents given back (timeouts, shutdown), queued
    again after commit."""
    with transaction.atomic():
        for document in Document.objects.select_for_update().filter(
            pk__in=document_ids, claimed_by=claimer, status=Status.PROCESSING
        ):
            fields = _move(document, Status.CLEAN)
            document.claimed_by = ""
            document.claimed_until = None
            document.save(update_fields=[*fields, "claimed_by", "claimed_until"])
        for document_id in document_ids:
            _enqueue_processing_on_commit(document_id)


def document_finish(*, document_id: int) -> str:
    """processing -> extracted | needs_review, by the stored extraction and the
    duplicate check: one transaction."""
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document_id)
        if document.status not in {Status.PROCESSING, Status.CLEAN}:
            return document.status
        extraction = Extraction.objects.get(document=document)
        flag_duplicate(document, extraction)
        needs_review = review_needed(
            {
                "document_type": extraction.document_type,
                "warnings": extraction.warnings,
                "confidence": extraction.confidence,
                "sources": extraction.sources,
                "agreeing": extraction.agreeing,
                "evidence": extraction.evidence,
            },
            duplicate=document.duplicate_of_id is not None,
        )
        status = Status.NEEDS_REVIEW if needs_review else Status.EXTRACTED
        metrics.DOCUMENTS_FINISHED.labels(status=status).inc()
        fields = _move(document, status)
        document.completed_at = timezone.now()
        document.unfinished_attempts = 0
        document.save(
            update_fields=[
                *fields,
                "completed_at",
                "unfinished_attempts",
                "duplicate_of",
                "duplicate_reason",
                "same_invoice_as",
            ]
        )
        audit(
            actor=None,
            action="document.extracted",
            obj=document,
            after={"status": status, "engine": extraction.engine, "cache": extraction.from_cache},
        )
        if document.claim_id is not None:
            claim_id = document.claim_id
            transaction.on_commit(lambda: _recompute_claim_total(claim_id))
        return status


def _recompute_claim_total(claim_id: int) -> None:
    # Its own transaction, locking only the claim: the workflow locks claim before
    # document, so taking them the other way round here could deadlock.
    with transaction.atomic():
        claim = Claim.objects.select_for_update().filter(pk=claim_id).first()
        if claim is not None:
            claim_recompute_total(claim=claim)


def document_fail(*, document_id: int, reason: str) -> str:
    """Any non-terminal state -> failed, with the reason its owner reads."""
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document_id)
        if document.is_terminal:
            return document.status
        fields = _move(document, Status.FAILED, error=reason)
        document.completed_at = timezone.now()
        document.save(update_fields=[*fields, "completed_at"])
        audit(actor=None, action="document.failed", obj=document, comment=reason)
        metrics.DOCUMENTS_FINISHED.labels(status="failed").inc()
        return document.status


def document_split(*, document_id: int, create_parts: Callable[[Document], list[int]]) -> str:
    """processing -> split: ``create_parts`` stores the parts (each built ``clean`` with
    :func:`document_build`) in this transaction and returns their ids; they are queued
    after commit. A part, or a document no longer being read, is left alone."""
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document_id)
        if document.status != Status.PROCESSING or document.parent_id is not None:
            return document.status
        part_ids = create_parts(document)
        fields = _move(document, Status.SPLIT)
        document.completed_at = timezone.now()
        document.unfinished_attempts = 0
        # The parts are what is claimed; the upload holds no amount of its own.
        document.claim = None
        document.save(update_fields=[*fields, "completed_at", "unfinished_attempts", "claim"])
        audit(actor=None, action="document.split", obj=document, after={"parts": part_ids})
        for part_id in part_ids:
            _enqueue_processing_on_commit(part_id)
        return document.status


def document_retry(*, actor: User, document_id: int) -> Document:
    """failed -> clean (scanned before) or received (scanned again, never let through as
    clean): the API's retry action."""
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document_id)
        if document.status != Status.FAILED:
            raise ServiceError(
                "not_failed",
                _("Only failed documents can be retried; this one is %(status)s.")
                % {"status": status_label(document.status)},
                status_code=409,
            )
        if not document.file:
            raise ServiceError("file_unavailable", _("The file is no longer available."))
        scanned = document.scanned_at is not None
        fields = _move(document, Status.CLEAN if scanned else Status.RECEIVED)
        document.completed_at = None
        document.process_attempts = 0
        document.unfinished_attempts = 0
        document.save(
            update_fields=[*fields, "completed_at", "process_attempts", "unfinished_attempts"]
        )
        audit(actor=actor, action="document.retried", obj=document)
        if scanned:
            _enqueue_processing_on_commit(document_id)
        else:
            enqueue_scan(document_id)
    return document


def _run(document: Document, *, attempts: int) -> Run:
    return Run(
        document_id=document.pk,
        file_name=document.file.name,
        sha256=document.sha256,
        mime_type=document.mime_type,
        attempts=attempts,
    )
