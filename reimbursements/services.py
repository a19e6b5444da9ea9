"""Writes. Each state change is one atomic function: lock, check, save, audit, enqueue.

Tasks are enqueued with ``transaction.on_commit`` so a worker never sees a row that
is not committed yet, and a rolled-back upload never enqueues anything.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from extraction.pii import mask_text
from reimbursements import heartbeat, intake, scanning
from reimbursements.intake import AcceptedFile, AcceptedUpload, IntakeError
from reimbursements.models import (
    AuditEvent,
    Claim,
    Document,
    Extraction,
    ScanResult,
    UploadBatch,
)
from reimbursements.warning_messages import status_label

log = logging.getLogger(__name__)

EDITABLE_CLAIM_STATES = frozenset({Claim.Status.DRAFT, Claim.Status.RETURNED})


class ServiceError(Exception):
    """A request that is understood but not allowed now (maps to 400/409)."""

    status_code = 400

    def __init__(self, code: str, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        if status_code is not None:
            self.status_code = status_code


def audit(
    *,
    actor: User | None,
    action: str,
    obj: Document | Claim,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    comment: str = "",
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.model_name or obj.__class__.__name__.lower(),
        object_id=str(obj.pk),
        before=before,
        after=after,
        # Every comment (reviewers' reasons, timeline remarks) is stored here: one place
        # to keep personal numbers people type out of the timeline and exports.
        comment=mask_text(comment),
    )


def _set_status(document: Document, status: str, *, error: str = "") -> list[str]:
    document.status = status
    document.error = error
    document.status_changed_at = timezone.now()
    from reimbursements.notify.services import document_status_changed

    document_status_changed(document=document, status=status)
    return ["status", "error", "status_changed_at", "updated_at"]


# --- Documents --------------------------------------------------------------------------


def document_create(
    *, owner: User, accepted: AcceptedFile, claim_id: int | None = None
) -> Document:
    """Store an accepted upload and queue its virus scan. All or nothing."""
    upload = AcceptedUpload(
        files=(accepted,),
        kind=intake.SINGLE,
        original_name=accepted.original_name,
        sha256=accepted.sha256,
        size=len(accepted.content),
    )
    _batch, (document,) = documents_create(owner=owner, upload=upload, claim_id=claim_id)
    return document


def documents_create(
    *, owner: User, upload: AcceptedUpload, claim_id: int | None = None
) -> tuple[UploadBatch | None, list[Document]]:
    """Store every document of an accepted upload (one per file, archive member or
    invoice cut out of a PDF) and queue their virus scans: all of them or none, and no
    stored file outlives a rollback."""
    stored_names: list[str] = []
    try:
        with transaction.atomic():
            claim = None
            if claim_id is not None:
                claim = Claim.objects.select_for_update().filter(pk=claim_id, owner=owner).first()
                if claim is None:
                    raise IntakeError(
                        "claim_not_found", _("That claim does not exist."), status_code=404
                    )
                if claim.status not in EDITABLE_CLAIM_STATES:
                    raise IntakeError(
                        "claim_not_editable",
                        _("Documents cannot be added to a claim that is %(status)s.")
                        % {"status": status_label(claim.status)},
                        status_code=409,
                    )
            batch = None
            if upload.is_batch:
                batch = UploadBatch.objects.create(
                    owner=owner,
                    kind=upload.kind,
                    original_filename=upload.original_name,
                    sha256=upload.sha256,
                    size=upload.size,
                )
            documents: list[Document] = []
            for accepted in upload.files:
                document = Document(
                    owner=owner,
                    claim=claim,
                    batch=batch,
                    original_filename=accepted.original_name,
                    sha256=accepted.sha256,
                    size=len(accepted.content),
                    mime_type=accepted.mime_type,
                    page_count=accepted.page_count,
                    width=accepted.width,
                    height=accepted.height,
                    status=Document.Status.RECEIVED,
                    status_changed_at=timezone.now(),
                )
                document.file.save("upload", ContentFile(accepted.content), save=False)
                stored_names.append(document.file.name)
                document.save()
                after: dict[str, Any] = {
                    "sha256": document.sha256,
                    "size": document.size,
                    "mime": document.mime_type,
                }
                if batch is not None:
                    after["batch"] = batch.pk
                audit(actor=owner, action="document.uploaded", obj=document, after=after)
                documents.append(document)
            doc_ids = [document.pk for document in documents]
            transaction.on_commit(lambda: _enqueue_scans(doc_ids))
    except BaseException:
        # The rows rolled back; their files must not outlive them.
        for name in stored_names:
            default_storage.delete(name)
        raise
    return batch, documents


def _enqueue_scans(document_ids: list[int]) -> None:
    for document_id in document_ids:
        _enqueue_scan(document_id)


def prime_relations(
    document: Document, *, scans: list[ScanResult], extraction: Extraction | None
) -> Document:
    """Tell a document just written in this request what its relations hold, so that
    answering with it reads nothing back from the database."""
    document._prefetched_objects_cache = {"scans": scans}  # type: ignore[attr-defined]
    Extraction.document.field.remote_field.set_cached_value(document, extraction)
    return document


def _enqueue_scan(document_id: int) -> None:
    from reimbursements.tasks import scan_document

    try:
        scan_document.delay(document_id)
    except Exception:
        # Broker down: the document stays 'received' and the sweeper re-enqueues it.
        log.exception("could not enqueue scan", extra={"document_id": document_id})


def document_scan(*, document_id: int) -> str:
    """Scan one stored document with clamd; returns the resulting status.

    Idempotent: a document past scanning is left alone. Raises
    ``scanning.ScannerUnavailable`` (after recording it on the document) so the task
    retries; the document is never marked clean without a verdict.
    """
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document_id)
        if document.status not in {Document.Status.RECEIVED, Document.Status.SCANNING}:
            return document.status
        if document.unfinished_attempts >= settings.MAX_UNFINISHED_ATTEMPTS:
            from reimbursements.pipeline import document_fail

            return document_fail(
                document_id=document_id,
                reason=(
                    f"The virus scan started {document.unfinished_attempts} times and never "
                    "finished (it timed out or its worker stopped). Retry the document; if it "
                    "fails again, upload a smaller file."
                ),
            )
        fields = _set_status(document, Document.Status.SCANNING, error=document.error)
        document.scan_attempts += 1
        document.unfinished_attempts += 1
        document.heartbeat_at = timezone.now()
        document.save(
            update_fields=[*fields, "scan_attempts", "unfinished_attempts", "heartbeat_at"]
        )
        name = document.file.name
        attempts = document.scan_attempts

    with heartbeat.beating(document_id):
        return _scan(document_id=document_id, name=name, attempts=attempts)


def _scan(*, document_id: int, name: str, attempts: int) -> str:
    if not scanning.scanner_configured() and not settings.SCAN_REQUIRED:
        return _record_not_scanned(document_id)

    try:
        with default_storage.open(name, "rb") as handle:
            data = handle.read()
        outcome = scanning.scan_bytes(data)
    except scanning.TooLargeForScanner as exc:
        return _record_too_large(document_id, str(exc))
    except scanning.ScannerUnavailable as exc:
        # An outage is not the document's fault: this run ended, and does not count.
        Document.objects.filter(pk=document_id, status=Document.Status.SCANNING).update(
            unfinished_attempts=Greatest(F("unfinished_attempts") - 1, 0),
            error=(
                "The virus scanner is unavailable; the scan will be retried automatically "
                f"(attempt {attempts}). The document stays on hold until it is scanned."
            ),
            updated_at=timezone.now(),
        )
        log.warning("scanner unavailable: %s", exc, extra={"document_id": document_id})
        raise
    return _record_verdict(document_id, outcome)


def _record_verdict(document_id: int, outcome: scanning.ScanOutcome) -> str:
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document_id)
        if document.status != Document.Status.SCANNING:
            return document.status
        now = timezone.now()
        ScanResult.objects.create(
            document=document,
            scanner_version=outcome.scanner_version[:200],
            verdict=ScanResult.Verdict.INFECTED if outcome.infected else ScanResult.Verdict.CLEAN,
            signature=outcome.signature[:200],
            scanned_at=now,
        )
        document.scanned_at = now
        document.unfinished_attempts = 0
        if outcome.infected:
            fields = _set_status(
                document,
                Document.Status.INFECTED,
                error=(
                    f"A virus was found in this file ({outcome.signature}). It has been "
                    "removed and cannot be opened. Scan your device and upload a clean copy."
                ),
            )
            old_name = document.file.name
            _make_unreachable(old_name)
            document.file.name = ""
            document.save(update_fields=[*fields, "scanned_at", "file", "unfinished_attempts"])
            audit(
                actor=None,
                action="document.infected",
                obj=document,
                after={"signature": outcome.signature, "policy": settings.INFECTED_FILE_POLICY},
            )
            log.warning(
                "infected upload quarantined",
                extra={"document_id": document.pk, "signature": outcome.signature},
            )
            return document.status
        fields = _set_status(document, Document.Status.CLEAN)
        document.save(update_fields=[*fields, "scanned_at", "unfinished_attempts"])
        audit(actor=None, action="document.scanned_clean", obj=document)
        transaction.on_commit(lambda: _after_clean(document_id))
        return document.status


def _record_not_scanned(document_id: int) -> str:
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document_id)
        if document.status != Document.Status.SCANNING:
            return document.status
        now = timezone.now()
        ScanResult.objects.create(
            document=document,
            scanner_version="none",
            verdict=ScanResult.Verdict.NOT_SCANNED,
            scanned_at=now,
        )
        document.scanned_at = now
        document.unfinished_attempts = 0
        fields = _set_status(document, Document.Status.CLEAN)
        document.save(update_fields=[*fields, "scanned_at", "unfinished_attempts"])
        audit(actor=None, action="document.not_scanned", obj=document)
        log.warning(
            "VIRUS SCANNING UNAVAILABLE: document passed through unscanned (dev mode)",
            extra={"document_id": document_id},
        )
        transaction.on_commit(lambda: _after_clean(document_id))
        return document.status


def _record_too_large(document_id: int, detail: str) -> str:
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document_id)
        if document.status != Document.Status.SCANNING:
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
        fields = _set_status(
            document,
            Document.Status.REJECTED,
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


def _after_clean(document_id: int) -> None:
    """Hand a clean document to the extraction pipeline (see pipeline service)."""
    from reimbursements import pipeline

    pipeline.enqueue_processing(document_id)


def document_retry(*, actor: User, document_id: int) -> Document:
    """Send a failed document through extraction again (the API's retry action)."""
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document_id)
        if document.status != Document.Status.FAILED:
            raise ServiceError(
                "not_failed",
                _("Only failed documents can be retried; this one is %(status)s.")
                % {"status": status_label(document.status)},
                status_code=409,
            )
        if not document.file:
            raise ServiceError("file_unavailable", _("The file is no longer available."))
        # A document that failed before its scan finished is scanned again, never let
        # through as clean.
        scanned = document.scanned_at is not None
        fields = _set_status(
            document, Document.Status.CLEAN if scanned else Document.Status.RECEIVED
        )
        document.completed_at = None
        document.process_attempts = 0
        document.unfinished_attempts = 0
        document.save(
            update_fields=[*fields, "completed_at", "process_attempts", "unfinished_attempts"]
        )
        audit(actor=actor, action="document.retried", obj=document)
        transaction.on_commit(
            (lambda: _after_clean(document_id)) if scanned else (lambda: _enqueue_scan(document_id))
        )
    return document


# --- Claims -----------------------------------------------------------------------------


def claim_create(*, owner: User, title: str, currency: str = "CNY") -> Claim:
    title = mask_text(title)
    with transaction.atomic():
        claim = Claim.objects.create(owner=owner, title=title, currency=currency)
        audit(actor=owner, action="claim.created", obj=claim, after={"title": title})
    return claim


def claim_update(
    *, actor: User, claim_id: int, title: str | None = None, currency: str | None = None
) -> Claim:
    with transaction.atomic():
        claim = Claim.objects.select_for_update().get(pk=claim_id, owner=actor)
        if claim.status not in EDITABLE_CLAIM_STATES:
            raise ServiceError(
                "claim_not_editable",
                _("A claim that is %(status)s cannot be edited.")
                % {"status": status_label(claim.status)},
                status_code=409,
            )
        before = {"title": claim.title, "currency": claim.currency}
        changed: list[str] = []
        if title is not None:
            title = mask_text(title)
        if title is not None and title != claim.title:
            claim.title = title
            changed.append("title")
        if currency is not None and currency != claim.currency:
            claim.currency = currency
            changed.append("currency")
        if changed:
            claim.save(update_fields=[*changed, "updated_at"])
            audit(
                actor=actor,
                action="claim.updated",
                obj=claim,
                before=before,
                after={"title": claim.title, "currency": claim.currency},
            )
    return claim


def claim_delete(*, actor: User, claim_id: int) -> None:
    with transaction.atomic():
        claim = Claim.objects.select_for_update().get(pk=claim_id, owner=actor)
        if claim.status != Claim.Status.DRAFT:
            raise ServiceError(
                "claim_not_deletable", _("Only draft claims can be deleted."), status_code=409
            )
        audit(actor=actor, action="claim.deleted", obj=claim, before={"title": claim.title})
        claim.documents.update(claim=None)
        claim.delete()


def claim_add_document(*, actor: User, claim_id: int, document_id: int) -> Claim:
    with transaction.atomic():
        claim = Claim.objects.select_for_update().get(pk=claim_id, owner=actor)
        if claim.status not in EDITABLE_CLAIM_STATES:
            raise ServiceError(
                "claim_not_editable",
                _("A claim that is %(status)s cannot be changed.")
                % {"status": status_label(claim.status)},
                status_code=409,
            )
        document = Document.objects.select_for_update().get(pk=document_id, owner=actor)
        if document.status == Document.Status.SPLIT:
            raise ServiceError(
                "document_split",
                _(
                    "This photo shows several documents, each read on its own: "
                    "add those to the claim instead."
                ),
                status_code=409,
            )
        if document.claim_id not in (None, claim.pk):
            raise ServiceError(
                "document_in_other_claim",
                _("This document already belongs to another claim."),
                status_code=409,
            )
        document.claim = claim
        document.save(update_fields=["claim", "updated_at"])
        from reimbursements.workflow import claim_recompute_total

        claim_recompute_total(claim=claim)
        audit(
            actor=actor, action="claim.document_added", obj=claim, after={"document": document.pk}
        )
    return claim
