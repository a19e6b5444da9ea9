"""Storing an accepted upload: one document per file, archive member or invoice cut out
of a PDF, each built by ``lifecycle.document_build`` and queued for its virus scan."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from reimbursements import intake
from reimbursements.documents import lifecycle
from reimbursements.intake import AcceptedFile, AcceptedUpload, IntakeError
from reimbursements.models import Claim, Document, Extraction, ScanResult, UploadBatch
from reimbursements.services import EDITABLE_CLAIM_STATES, audit
from reimbursements.warning_messages import status_label


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
    """Store every document of an accepted upload and queue their virus scans: all of
    them or none, and no stored file outlives a rollback."""
    stored_names: list[str] = []
    try:
        with transaction.atomic():
            claim = _editable_claim(owner=owner, claim_id=claim_id)
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
                document = lifecycle.document_build(
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
            for document in documents:
                lifecycle.enqueue_scan(document.pk)
    except BaseException:
        # The rows rolled back; their files must not outlive them.
        for name in stored_names:
            default_storage.delete(name)
        raise
    return batch, documents


def _editable_claim(*, owner: User, claim_id: int | None) -> Claim | None:
    if claim_id is None:
        return None
    claim = Claim.objects.select_for_update().filter(pk=claim_id, owner=owner).first()
    if claim is None:
        raise IntakeError("claim_not_found", _("That claim does not exist."), status_code=404)
    if claim.status not in EDITABLE_CLAIM_STATES:
        raise IntakeError(
            "claim_not_editable",
            _("Documents cannot be added to a claim that is %(status)s.")
            % {"status": status_label(claim.status)},
            status_code=409,
        )
    return claim


def prime_relations(
    document: Document, *, scans: list[ScanResult], extraction: Extraction | None
) -> Document:
    """Tell a document just written in this request what its relations hold, so that
    answering with it reads nothing back from the database."""
    document._prefetched_objects_cache = {"scans": scans}  # type: ignore[attr-defined]
    Extraction.document.field.remote_field.set_cached_value(document, extraction)
    return document
