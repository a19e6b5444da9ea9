"""An invoice's identity across uploads: the business key duplicate detection compares."""

from __future__ import annotations

from extraction.schema import ExtractionResult

# Business keys that name one invoice (code + number, a 数电票's 20 digits): another file
# carrying one is the same invoice. A receipt's key (seller, date, amount) is not an
# identity: two equal coffees stay a duplicate for finance to look at.
INVOICE_KEY_PREFIXES = ("einv:", "inv:", "num:")


def business_key(result: ExtractionResult) -> str:
    """The identity of an invoice across uploads (``""``: nothing identifies it)."""
    f = result.fields
    if f.invoice_number and len(f.invoice_number) == 20:
        return f"einv:{f.invoice_number}"
    if f.invoice_code and f.invoice_number:
        return f"inv:{f.invoice_code}:{f.invoice_number}"
    if f.invoice_number and result.document_type.value not in {"receipt", "other"}:
        return f"num:{result.document_type.value}:{f.invoice_number}"
    if f.seller_name and f.issue_date and f.total_amount is not None:
        seller = "".join(f.seller_name.split()).lower()
        return f"rcpt:{seller}:{f.issue_date.isoformat()}:{f.total_amount}"
    return ""


def names_one_invoice(key: str) -> bool:
    """Whether a business key identifies one invoice (not a receipt's look-alike key)."""
    return key.startswith(INVOICE_KEY_PREFIXES)
