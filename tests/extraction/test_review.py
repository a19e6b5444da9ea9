"""The straight-through rule: who goes to a reviewer and who does not."""

from __future__ import annotations

from typing import Any

from extraction import validation
from extraction.machine.merge import PRINTED_DIFFERS_FROM_QR
from extraction.review import review_reasons

SURE = {"issue_date": 0.99, "seller_name": 0.95, "seller_tax_id": 0.97, "total_amount": 0.98}
READ = dict.fromkeys(SURE, "ocr")
# Date and seller read alike by a second engine; tax ID and total passed the document's checks.
AGREED = {"issue_date": ["vlm"], "seller_name": ["vlm"]}
CHECKED = {
    "seller_tax_id": {"checks": ["checksum"], "failed": 0, "repaired": False},
    "total_amount": {"checks": ["arithmetic", "words"], "failed": 0, "repaired": False},
}
TOO_OLD = {"code": validation.DATE_TOO_OLD, "field": "issue_date", "message": "…"}


def reasons(**overrides: Any) -> list[str]:
    stored: dict[str, Any] = {
        "document_type": "vat_electronic",
        "warnings": [],
        "confidence": dict(SURE),
        "sources": dict(READ),
        "agreeing": dict(AGREED),
        "evidence": dict(CHECKED),
        "duplicate": False,
    }
    stored.update(overrides)
    return review_reasons(**stored)


def test_a_reading_whose_key_fields_are_all_verified_goes_straight_through() -> None:
    assert reasons() == []


def test_a_confident_single_reading_of_the_date_and_seller_goes_to_review() -> None:
    # Given date and seller read once by OCR with high confidence, nothing confirming them
    found = reasons(agreeing={}, confidence=dict.fromkeys(SURE, 0.999))
    # Then a person checks them: a confidence is a probability, not a verification
    assert found == ["unverified:issue_date", "unverified:seller_name"]


def test_a_total_and_tax_id_are_verified_only_by_a_check_that_passed_with_none_failing() -> None:
    # Given a total whose arithmetic failed, and a tax ID repaired to pass its checksum
    evidence = {
        "total_amount": {"checks": ["words"], "failed": 1, "repaired": False},
        "seller_tax_id": {"checks": ["checksum"], "failed": 0, "repaired": True},
    }
    # Then neither counts as verified
    assert reasons(evidence=evidence) == ["unverified:seller_tax_id", "unverified:total_amount"]
    # and without any evidence (a row stored before evidence was kept) neither does
    assert reasons(evidence={}) == ["unverified:seller_tax_id", "unverified:total_amount"]


def test_a_checksum_valid_tax_id_does_not_verify_the_name() -> None:
    # Given a seller name read once next to a tax ID that passes its checksum
    found = reasons(agreeing={"issue_date": ["vlm"]})
    # Then the name is still looked at
    assert found == ["unverified:seller_name"]


def test_a_value_a_person_typed_is_settled() -> None:
    sources = READ | {"seller_name": "employee", "issue_date": "employee"}
    assert reasons(agreeing={}, sources=sources) == []


def test_an_old_date_from_the_qr_code_does_not_hold_the_document_back() -> None:
    # Given an e-invoice photo dated over five years ago, its date from its own QR code
    sources = READ | {"issue_date": "qr"}
    # When the rule is applied
    found = reasons(warnings=[TOO_OLD], sources=sources)
    # Then nothing holds it back: the date is the issuer's
    assert found == []


def test_an_old_date_two_readings_agree_on_does_not_hold_the_document_back() -> None:
    agreeing = AGREED | {"issue_date": ["pdf_text"]}
    assert reasons(warnings=[TOO_OLD], agreeing=agreeing) == []


def test_an_old_date_one_engine_read_goes_to_review() -> None:
    # Given the same warning on a date only OCR read (a misread year looks like this)
    # Then a person looks
    found = reasons(warnings=[TOO_OLD], agreeing={"seller_name": ["vlm"]})
    assert found == ["warning:date_too_old", "unverified:issue_date"]


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
    sources = {k: v for k, v in READ.items() if k != "seller_tax_id"}
    assert reasons(confidence=confidence, sources=sources) == ["missing:seller_tax_id"]
    # while a receipt, which prints none, goes straight through
    assert reasons(document_type="receipt", confidence=confidence, sources=sources) == []


def test_an_unchecked_sellers_tax_id_goes_to_review_unless_a_second_reading_agrees() -> None:
    evidence = {"total_amount": CHECKED["total_amount"]}
    assert reasons(evidence=evidence) == ["unverified:seller_tax_id"]
    assert reasons(evidence=evidence, agreeing=AGREED | {"seller_tax_id": ["vlm"]}) == []


def test_a_missing_date_or_a_duplicate_goes_to_review() -> None:
    confidence = {k: v for k, v in SURE.items() if k != "issue_date"}
    sources = {k: v for k, v in READ.items() if k != "issue_date"}
    assert reasons(confidence=confidence, sources=sources) == ["missing:issue_date"]
    assert reasons(duplicate=True) == ["duplicate"]
