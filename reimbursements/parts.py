"""A photo of several documents becomes one document per part (the write path).

People lay tickets or receipts side by side and take one photo. The worker finds the
sheets while it reads the upload (``extraction.photo_split``, called from
``reimbursements.pipeline`` before any engine runs) and hands them to
:func:`document_split`, which in one transaction:

- stores each part's picture (the sheet cut out, its perspective undone) as a document
  of its own: same owner and claim, linked to the upload by ``parent``, ``part_index``
  (reading order) and ``region`` (where it lies in the upload's upright picture);
- gives each part its parent's scan verdict (its pixels come from the scanned file);
- ends the upload in ``split``: it keeps the file as uploaded, has no fields of its own
  and leaves its claim to its parts;
- queues each part for extraction after commit: each is read, validated and checked for
  duplicates on its own, and can be edited and claimed on its own.

A part is never split again. Nothing is half-stored: a failure rolls back every row and
deletes the parts' files.
"""

from __future__ import annotations

import hashlib
import io
import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from extraction.photo_split import DocumentPart
from reimbursements.documents import lifecycle
from reimbursements.models import Document, ScanResult
from reimbursements.services import audit

log = logging.getLogger(__name__)

PART_JPEG_QUALITY = 92


def part_jpeg(part: DocumentPart) -> bytes:
    out = io.BytesIO()
    part.image.convert("RGB").save(out, format="JPEG", quality=PART_JPEG_QUALITY)
    return out.getvalue()


def part_name(original: str, index: int, count: int) -> str:
    """The part's display name: the upload's, with which part it is."""
    return f"{original or 'photo'} ({index}/{count})"[:255]


def document_split(*, document_id: int, parts: list[DocumentPart]) -> str:
    """Replace a document being read by its ``parts`` (two or more); returns its status.

    Idempotent: a document no longer in ``processing`` (or a part itself) is left alone.
    """
    if len(parts) < 2:
        raise ValueError("a split needs two or more parts")
    encoded = [(part, part_jpeg(part)) for part in parts]
    stored: list[str] = []

    def create_parts(document: Document) -> list[int]:
        verdict = document.scans.order_by("-scanned_at").first()
        now = timezone.now()
        part_ids: list[int] = []
        for part, content in encoded:
            child = lifecycle.document_build(
                status=Document.Status.CLEAN,
                owner_id=document.owner_id,
                claim_id=document.claim_id,
                parent=document,
                part_index=part.index,
                region=list(part.region),
                original_filename=part_name(document.original_filename, part.index, len(parts)),
                sha256=hashlib.sha256(content).hexdigest(),
                size=len(content),
                mime_type="image/jpeg",
                page_count=1,
                width=part.image.width,
                height=part.image.height,
                scanned_at=document.scanned_at or now,
            )
            child.file.save("part", ContentFile(content), save=False)
            stored.append(child.file.name)
            child.save()
            ScanResult.objects.create(
                document=child,
                scanner_version=(
                    f"part of document {document.pk}: "
                    f"{verdict.scanner_version if verdict else 'none'}"
                )[:200],
                verdict=verdict.verdict if verdict else ScanResult.Verdict.NOT_SCANNED,
                signature="",
                scanned_at=verdict.scanned_at if verdict else now,
            )
            audit(
                actor=None,
                action="document.part_created",
                obj=child,
                after={"parent": document.pk, "part": part.index, "region": child.region},
            )
            part_ids.append(child.pk)
        return part_ids

    try:
        status = lifecycle.document_split(document_id=document_id, create_parts=create_parts)
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    if status == Document.Status.SPLIT:
        log.info("photo split into parts", extra={"document_id": document_id, "parts": len(parts)})
    return status
