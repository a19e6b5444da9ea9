"""The straight-through rule: who goes to a reviewer and who does not."""

from __future__ import annotations

from typing import Any

from extraction import validation
from extraction.machine.merge import PRINTED_DIFFERS_FROM_QR
from extraction.review import review_reasons

SURE = {"issue_date": 0.99, "seller_name": 0.95, "seller_tax_id": 0.97, "total_amount": 0.98}
READ = dict.fromkeys(SURE, "ocr")
TOO_OLD = {"code": validation.DATE_TOO_OLD, "field": "issue_date", "message": "…"}


def reasons(**overrides: Any) -> list[str]:
    stored: dict[str, Any] = {
        "document_type": "vat_electronic",
        "warnings": [],
        "confidence": dict(SURE),
        "sources": dict(READ),
        "agreeing": {},
        "duplicate": False,
    }
    stored.update(overrides)
    return review_reasons(**stored)


def test_a_sure_reading_without_warnings_goes_straight_through() -> None:
    assert reasons() == []


def test_an_old_date_from_the_qr_code_does_not_hold_the_document_back() -> None:
    # Given an e-invoice photo dated over five years ago, its date from its own QR code
    sources = READ | {"issue_date": "qr"}
    # When the rule is applied
    found = reasons(warnings=[TOO_OLD], sources=sources)
    # Then nothing holds it back: the date is the issuer's
    assert found == []


def test_an_old_date_two_readings_agree_on_does_not_hold_the_document_back() -> None:
    assert reasons(warnings=[TOO_OLD], agreeing={"issue_date": ["pdf_text"]}) == []


def test_an_old_date_one_engine_read_goes_to_review() -> None:
    # Given the same warning on a date only OCR read (a misread year looks like this)
    # Then a person looks
    assert reasons(warnings=[TOO_OLD]) == ["warning:date_too_old"]


def test_a_print_that_differs_from_its_qr_code_goes_to_review_though_the_field_is_verified() -> (
    None
):
    # Given an amount from the QR code that the print contradicts
    differs = {"code": PRINTED_DIFFERS_FROM_QR, "field": "issue_date", "message": "…"}
    # Then the disagreement holds the document back
    found = reasons(warnings=[differs], sources=READ | {"issue_date": "qr"})
    assert found == [f"warning:{PRINTED_DIFFERS_FROM_QR}"]


def test_a_vat_invoice_without_the_sellers_tax_id_goes_to_review() -> None:
    confidence = {k: v for k, v in SURE.items() if k != "seller_tax_id"}
    assert reasons(confidence=confidence) == ["missing:seller_tax_id"]
    # while a receipt, which prints none, goes straight through
    assert reasons(document_type="receipt", confidence=confidence) == []


def test_an_unsure_sellers_tax_id_goes_to_review_unless_a_second_reading_agrees() -> None:
    confidence = SURE | {"seller_tax_id": 0.6}
    assert reasons(confidence=confidence) == ["unsure:seller_tax_id"]
    assert reasons(confidence=confidence, agreeing={"seller_tax_id": ["vlm"]}) == []


def test_a_missing_date_or_a_duplicate_goes_to_review() -> None:
    confidence = {k: v for k, v in SURE.items() if k != "issue_date"}
    assert reasons(confidence=confidence) == ["missing:issue_date"]
    assert reasons(duplicate=True) == ["duplicate"]
