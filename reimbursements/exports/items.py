"""Export items: one per document of a finance-approved claim, frozen at approval."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from extraction.provenance import field_statuses
from reimbursements.currency import document_conversion
from reimbursements.field_history import extraction_edits
from reimbursements.invoices import extraction_of, invoice_representatives
from reimbursements.models import Claim, Document, ExportItem, Extraction
from reimbursements.policy import effective_category

# Any constant shared by every process; only finance approval takes this lock.
_EXPORT_ORDER_LOCK = 0x1A_E0_70_01

# Exported fields whose provenance is exported too, as ``<field>_source`` (qr, ofd, ocr,
# employee, ...) and ``<field>_status`` (verified, read, edited) columns after the others,
# so the existing columns keep their places. Items frozen before these existed have null.
PROVENANCE_FIELDS: tuple[str, ...] = (
    "issue_date",
    "seller_name",
    "seller_tax_id",
    "invoice_code",
    "invoice_number",
    "amount_excluding_tax",
    "tax_amount",
    "total_amount",
)
PROVENANCE_COLUMNS: tuple[str, ...] = tuple(
    f"{name}_{kind}" for name in PROVENANCE_FIELDS for kind in ("source", "status")
)

# A document in another currency than its claim: the claim's currency, the rate used
# (one unit of ``currency`` in ``claim_currency``), the rate's date and source, and the
# amount in the claim's currency (rounded half up to cents). Same currency: rate empty,
# the amount itself. Items frozen before these existed have null.
CURRENCY_COLUMNS: tuple[str, ...] = (
    "claim_currency",
    "exchange_rate",
    "exchange_rate_date",
    "exchange_rate_source",
    "amount_in_claim_currency",
)

# Edits are evidence: for a field a person changed, ``<field>_original`` is what the
# document was read as (null: not edited; "" when the reading had no value), and who
# changed which fields last, when. After the provenance columns, for the same reason.
EDIT_COLUMNS: tuple[str, ...] = (
    *(f"{name}_original" for name in PROVENANCE_FIELDS),
    "edited_fields",
    "edited_by",
    "edited_at",
)

# Public columns of an item, in order (JSON keys, CSV and XLSX headers).
COLUMNS: tuple[str, ...] = (
    "id",
    "claim",
    "claim_title",
    "document",
    "employee",
    "employee_name",
    "category",
    "document_type",
    "issue_date",
    "seller_name",
    "seller_tax_id",
    "invoice_code",
    "invoice_number",
    "amount_excluding_tax",
    "tax_amount",
    "total_amount",
    "currency",
    "approved_at",
    "acknowledged_at",
    *PROVENANCE_COLUMNS,
    *CURRENCY_COLUMNS,
    *EDIT_COLUMNS,
)
MONEY_COLUMNS = frozenset(
    {"amount_excluding_tax", "tax_amount", "total_amount", "amount_in_claim_currency"}
)


def item_key(document_id: int) -> str:
    return f"doc-{document_id}"


def lock_export_order() -> None:
    """Serialise finance approvals until commit, so item ids grow in commit order.

    Without it, approval A could take id 10, approval B id 11 and commit first; a reader
    whose cursor passed 11 would never see 10. SQLite (dev) serialises writers anyway.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_EXPORT_ORDER_LOCK])


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(Decimal("0.01")))


def item_payload(*, document: Document, claim: Claim, approved_at: dt.datetime) -> dict[str, Any]:
    extraction = extraction_of(document)
    owner = claim.owner
    fields: dict[str, Any] = {
        "document_type": "",
        "issue_date": None,
        "seller_name": "",
        "seller_tax_id": "",
        "invoice_code": "",
        "invoice_number": "",
        "amount_excluding_tax": None,
        "tax_amount": None,
        "total_amount": None,
        "currency": claim.currency,
    }
    if extraction is not None:
        fields.update(
            document_type=extraction.document_type,
            issue_date=extraction.issue_date.isoformat() if extraction.issue_date else None,
            seller_name=extraction.seller_name,
            seller_tax_id=extraction.seller_tax_id,
            invoice_code=extraction.invoice_code,
            invoice_number=extraction.invoice_number,
            amount_excluding_tax=_money(extraction.amount_excluding_tax),
            tax_amount=_money(extraction.tax_amount),
            total_amount=_money(extraction.total_amount),
            currency=extraction.currency or claim.currency,
        )
    return {
        "id": item_key(document.pk),
        "claim": claim.pk,
        "claim_title": claim.title,
        "document": document.pk,
        "employee": owner.get_username(),
        "employee_name": owner.get_full_name() or owner.get_username(),
        "category": effective_category(document),
        **fields,
        "approved_at": approved_at.isoformat(),
        **_conversion(document, claim),
        **_provenance(
            extraction.sources if extraction is not None else {},
            extraction.agreeing if extraction is not None else {},
        ),
        **_edits(extraction),
    }


def _edits(extraction: Extraction | None) -> dict[str, Any]:
    edits = extraction_edits(extraction) if extraction is not None else {}
    out: dict[str, Any] = {}
    for name in PROVENANCE_FIELDS:
        edit = edits.get(name)
        out[f"{name}_original"] = (
            None if edit is None else ("" if edit.original is None else edit.original)
        )
    last = max(edits.values(), key=lambda e: e.edited_at, default=None)
    out["edited_fields"] = ",".join(sorted(edits)) or None
    out["edited_by"] = ", ".join(sorted({e.edited_by or "" for e in edits.values()})) or None
    out["edited_at"] = last.edited_at.isoformat() if last is not None else None
    return out


def _conversion(document: Document, claim: Claim) -> dict[str, Any]:
    conversion = document_conversion(document, claim_currency=claim.currency)
    out: dict[str, Any] = {"claim_currency": claim.currency}
    if conversion is None:
        return out
    shown = conversion.to_dict()
    out.update(
        exchange_rate=shown["rate"],
        exchange_rate_date=shown["rate_date"],
        exchange_rate_source=shown["rate_source"],
        amount_in_claim_currency=shown["converted_amount"],
    )
    return out


def _provenance(sources: dict[str, str], agreeing: dict[str, list[str]]) -> dict[str, str | None]:
    statuses = field_statuses(sources, agreeing=agreeing)
    out: dict[str, str | None] = {}
    for name in PROVENANCE_FIELDS:
        out[f"{name}_source"] = sources.get(name)
        out[f"{name}_status"] = statuses.get(name)
    return out


def export_items_create(*, claim: Claim) -> list[ExportItem]:
    """Called by the finance approval inside its transaction (claim row locked)."""
    lock_export_order()
    approved_at = timezone.now()
    if claim.finance_approved_at != approved_at:
        # Take the approval time under the lock: then time order equals id order.
        claim.finance_approved_at = approved_at
        claim.save(update_fields=["finance_approved_at"])
    # Several files of one invoice (photo, PDF, XML) are one item: the invoice is paid once.
    documents = invoice_representatives(claim.documents.select_related("extraction"))
    items = [
        ExportItem(
            key=item_key(document.pk),
            claim=claim,
            document=document,
            approved_at=approved_at,
            payload=item_payload(document=document, claim=claim, approved_at=approved_at),
        )
        for document in documents
    ]
    return ExportItem.objects.bulk_create(items)
