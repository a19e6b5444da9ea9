"""Duplicates: another employee's copy of an invoice (or the very same bytes again) is
flagged; the same employee's second file of one invoice is linked to the first."""

from __future__ import annotations

from extraction.identity import names_one_invoice
from reimbursements.models import Document, Extraction


def flag_duplicate(document: Document, extraction: Extraction) -> None:
    """Set ``document``'s duplicate / same-invoice links (unsaved) by its extraction."""
    document.same_invoice_as_id = None
    found = find_duplicate(
        business_key=extraction.business_key, sha256=document.sha256, before=document.pk
    )
    if found is None:
        return
    original_id, reason = found
    if reason == "business_key" and names_one_invoice(extraction.business_key):
        row = Document.objects.filter(pk=original_id).values_list("owner_id", "sha256").first()
        if row is not None:
            owner_id, original_sha256 = row
            if owner_id == document.owner_id and original_sha256 != document.sha256:
                document.same_invoice_as_id = original_id
                return
    document.duplicate_of_id, document.duplicate_reason = found


def find_duplicate(*, business_key: str, sha256: str, before: int | None) -> tuple[int, str] | None:
    """The earliest live document with the same business key, else the same bytes.

    ``before`` limits the search to documents created earlier (``None``: all of them).
    """
    earlier = Document.objects.exclude(
        status__in=[Document.Status.INFECTED, Document.Status.REJECTED]
    )
    if before is not None:
        earlier = earlier.filter(pk__lt=before)
    if business_key:
        original = (
            earlier.filter(extraction__business_key=business_key)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        if original is not None:
            return original, "business_key"
    original = earlier.filter(sha256=sha256).order_by("pk").values_list("pk", flat=True).first()
    if original is not None:
        return original, "image_hash"
    return None
