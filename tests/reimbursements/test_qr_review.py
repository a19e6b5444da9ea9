"""A print that differs from its own QR code always goes to a reviewer, both values shown."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from extraction import validation
from extraction.machine import merge, qr
from extraction.schema import DocumentType, ExtractionResult, FieldSource, InvoiceFields
from reimbursements.documents import lifecycle
from reimbursements.documents.results import extraction_columns, review_needed, store_extraction
from reimbursements.models import Document, Extraction
from tests.reimbursements.factories import UserFactory
from tests.reimbursements.workflow_helpers import make_document

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
    assert review_needed(columns, duplicate=False)
    [stored] = [w for w in columns["warnings"] if w["code"] == merge.PRINTED_DIFFERS_FROM_QR]
    assert stored["field"] == "amount_excluding_tax"
    assert "'146.62'" in stored["message"] and "'46.62'" in stored["message"]
    assert columns["amount_excluding_tax"] == Decimal("46.62")


@pytest.mark.django_db
def test_an_old_e_invoice_whose_date_its_qr_code_gives_goes_straight_through() -> None:
    # Given a confident OCR reading of a 2019 e-invoice (its seller name read alike by a
    # second engine), merged with its own QR code and validated years later
    # (date_too_old: the tax office no longer answers for it)
    fields = InvoiceFields(
        invoice_code="012001800311",
        invoice_number="33207675",
        issue_date=dt.date(2019, 5, 8),
        seller_name="天津某某有限公司",
        seller_tax_id="91110000600037341L",
        amount_excluding_tax=Decimal("46.62"),
        tax_amount=Decimal("1.40"),
        total_amount=Decimal("48.02"),
        check_code="76939056883466677916",
    )
    raw = ExtractionResult(
        DocumentType.VAT_ELECTRONIC,
        fields,
        dict.fromkeys(fields.present(), 0.99),
        engine="ocr",
        agreeing={"seller_name": [FieldSource.VLM]},
    )
    reading = qr.parse_payload(E_INVOICE)
    assert reading is not None
    overlaid = merge.overlay(raw, [reading])
    result = merge.attribute(
        validation.validate(overlaid, today=dt.date(2026, 6, 1), ocr_confidence=overlaid.confidence)
    )
    assert [w.code for w in result.warnings] == [validation.DATE_TOO_OLD]
    owner = UserFactory()
    document = make_document(owner, status=Document.Status.PROCESSING, extracted=False)
    store_extraction(document_id=document.pk, result=result, from_cache=False)
    # When the worker decides
    status = lifecycle.document_finish(document_id=document.pk)
    # Then nobody is asked to look (the claim policy judges the invoice's age), and the
    # warning is still there for anyone who opens it
    assert status == Document.Status.EXTRACTED
    stored = Extraction.objects.get(document=document)
    assert [w["code"] for w in stored.warnings] == [validation.DATE_TOO_OLD]


@pytest.mark.django_db
def test_an_old_date_only_ocr_read_still_goes_to_review() -> None:
    # Given the same old date on a receipt-like reading with no QR code behind it
    fields = InvoiceFields(
        issue_date=dt.date(2019, 5, 8),
        seller_name="天津某某有限公司",
        total_amount=Decimal("48.02"),
        currency="CNY",
    )
    raw = ExtractionResult(
        DocumentType.RECEIPT, fields, dict.fromkeys(fields.present(), 0.99), engine="ocr"
    )
    result = merge.attribute(validation.validate(raw, today=dt.date(2026, 6, 1)))
    document = make_document(UserFactory(), status=Document.Status.PROCESSING, extracted=False)
    store_extraction(document_id=document.pk, result=result, from_cache=False)
    # When the worker decides, then a person looks
    assert lifecycle.document_finish(document_id=document.pk) == Document.Status.NEEDS_REVIEW
