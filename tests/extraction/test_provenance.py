"""Provenance: a default source per field, and the status a reviewer sees."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extraction.provenance import (
    FieldStatus,
    agreeing_sources,
    field_status,
    field_statuses,
    same_value,
    with_default_sources,
)
from extraction.schema import DocumentType, ExtractionResult, FieldSource, InvoiceFields


def result(engine: str, sources: dict[str, FieldSource] | None = None) -> ExtractionResult:
    return ExtractionResult(
        document_type=DocumentType.VAT_GENERAL,
        fields=InvoiceFields(invoice_number="12345678", total_amount=Decimal("10.00")),
        engine=engine,
        sources=sources or {},
    )


@pytest.mark.parametrize(
    ("engine", "source"),
    [("ocr", FieldSource.OCR), ("vlm", FieldSource.VLM), ("remote", FieldSource.REMOTE)],
)
def test_fields_without_a_source_take_the_engines(engine, source):
    # Given an engine's answer that names no source
    answer = result(engine)
    # When defaults are filled in
    filled = with_default_sources(answer)
    # Then every present field has the engine's source, and absent ones none
    assert filled.sources == {"invoice_number": source, "total_amount": source}


def test_a_named_source_is_kept():
    # Given an OCR answer whose number came from the QR code
    answer = result("ocr", {"invoice_number": FieldSource.QR})
    # When defaults are filled in
    filled = with_default_sources(answer)
    # Then the QR source stays and only the other field takes the engine's
    assert filled.sources == {"invoice_number": FieldSource.QR, "total_amount": FieldSource.OCR}


def test_a_source_for_a_field_without_a_value_is_dropped():
    # Given a source named for a field that holds nothing
    answer = result("ocr", {"seller_name": FieldSource.OCR})
    # When defaults are filled in, then it is gone
    assert "seller_name" not in with_default_sources(answer).sources


def test_an_unknown_engine_gives_no_default():
    assert with_default_sources(result("mystery")).sources == {}


@pytest.mark.parametrize(
    ("source", "status"),
    [
        ("qr", FieldStatus.VERIFIED),
        ("ofd", FieldStatus.VERIFIED),
        ("xml", FieldStatus.VERIFIED),
        ("pdf_text", FieldStatus.READ),
        ("ocr", FieldStatus.READ),
        ("vlm", FieldStatus.READ),
        ("remote", FieldStatus.READ),
        ("employee", FieldStatus.EDITED),
        (None, None),
    ],
)
def test_each_source_has_its_status(source, status):
    assert field_status(source) == status


def test_two_independent_readings_that_agree_are_verified():
    # Given a value OCR read and the PDF text layer read the same
    # When its status is computed with that agreement, then it is verified
    assert field_status("ocr", agreeing=["pdf_text"]) is FieldStatus.VERIFIED


def test_the_same_source_twice_or_a_person_is_not_a_second_reading():
    assert field_status("ocr", agreeing=["ocr", "employee"]) is FieldStatus.READ


def test_a_person_s_value_stays_edited_whatever_agrees():
    assert field_status("employee", agreeing=["qr"]) is FieldStatus.EDITED


def test_statuses_are_listed_in_contract_order():
    statuses = field_statuses({"total_amount": "employee", "invoice_code": "qr"})
    assert list(statuses.items()) == [("invoice_code", "verified"), ("total_amount", "edited")]


def test_stored_agreement_leaves_out_the_fields_own_source_a_person_and_absent_fields():
    # Given agreements on a present field, on an absent one, and ones naming the field's
    # own source or a person
    answer = result("vlm", {"invoice_number": FieldSource.VLM}).replace(
        agreeing={
            "invoice_number": [FieldSource.PDF_TEXT, FieldSource.VLM, FieldSource.OCR],
            "total_amount": [FieldSource.EMPLOYEE],
            "seller_name": [FieldSource.OCR],
        }
    )
    # When they are written out for storage
    stored = agreeing_sources(answer)
    # Then only other engines' readings of present fields remain, sorted
    assert stored == {"invoice_number": ["ocr", "pdf_text"]}


@pytest.mark.parametrize(
    ("value", "other", "same"),
    [
        (Decimal("46.62"), "46.620", True),
        ("3320 7675", "33207675", True),
        ("３３２０７６７５", "33207675", True),
        (Decimal("46.62"), "46.63", False),
        ("33207675", None, False),
    ],
)
def test_two_readings_are_the_same_value_across_print_forms(value, other, same):
    assert same_value(value, other) is same
