"""A print that differs from its own QR code always goes to a reviewer, both values shown."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from extraction import validation
from extraction.machine import merge, qr
from extraction.schema import DocumentType, ExtractionResult, InvoiceFields
from reimbursements.pipeline import extraction_columns, review_needed

E_INVOICE = "01,10,012001800311,33207675,46.62,20190508,76939056883466677916,E1BD,"


def test_printed_differs_from_qr_forces_review_even_when_every_field_is_sure() -> None:
    # Given an engine that read every field confidently, the amount 100 yuan higher than
    # the invoice's own QR code says (and the total changed to match)
    fields = InvoiceFields(
        invoice_code="012001800311",
        invoice_number="33207675",
        issue_date=dt.date(2019, 5, 8),
        seller_name="天津某某有限公司",
        amount_excluding_tax=Decimal("146.62"),
        tax_amount=Decimal("1.40"),
        total_amount=Decimal("148.02"),
        check_code="76939056883466677916",
    )
    raw = ExtractionResult(
        DocumentType.VAT_ELECTRONIC, fields, dict.fromkeys(fields.present(), 0.99), engine="ocr"
    )
    reading = qr.parse_payload(E_INVOICE)
    assert reading is not None
    overlaid = merge.overlay(raw, [reading])
    result = merge.attribute(
        validation.validate(overlaid, today=dt.date(2019, 6, 1), ocr_confidence=overlaid.confidence)
    )
    # When stored
    columns = extraction_columns(result)
    # Then the document needs review, and the stored warning shows both amounts
    assert review_needed(
        warnings=columns["warnings"], confidence=columns["confidence"], duplicate=False
    )
    [stored] = [w for w in columns["warnings"] if w["code"] == merge.PRINTED_DIFFERS_FROM_QR]
    assert stored["field"] == "amount_excluding_tax"
    assert "'146.62'" in stored["message"] and "'46.62'" in stored["message"]
    assert columns["amount_excluding_tax"] == Decimal("46.62")
