"""The straight-through rule: who goes to a reviewer and who does not."""

from __future__ import annotations

from typing import Any

from extraction import calibration, validation
from extraction.engines.base import EngineContext
from extraction.engines.ocr import OcrEngine
from extraction.machine.merge import PRINTED_DIFFERS_FROM_QR
from extraction.parsing.document import parse_lines
from extraction.review import DEFAULT_MIN_CONFIDENCE, review_reasons
from tests.extraction.parsing.test_receipt_layout import till_receipt

SURE = {"issue_date": 0.99, "seller_name": 0.95, "seller_tax_id": 0.97, "total_amount": 0.97}
READ = dict.fromkeys(SURE, "ocr")
# Date and seller read alike by a second engine; tax ID and total passed the document's checks.
AGREED = {"issue_date": ["vlm"], "seller_name": ["vlm"]}
CHECKED = {
    "seller_tax_id": {"checks": ["checksum"], "failed": 0, "repaired": False},
    "total_amount": {"checks": ["arithmetic", "words"], "failed": 0, "repaired": False},
}
# A value read once by OCR that passed no check (its evidence as validation stores it).
READ_ONCE = {"origin": "read", "checks": [], "failed": 0, "repaired": False}
TEXT_ONCE = {"origin": "text", "checks": [], "failed": 0, "repaired": False}
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


def test_a_confident_single_reading_without_evidence_goes_to_review() -> None:
    # Given date and seller read once at 0.999, but no evidence stored for them (a row
    # from before calibration: the score is the old heuristic, not a measured probability)
    found = reasons(agreeing={}, confidence=dict.fromkeys(SURE, 0.999))
    # Then a person checks them
    assert found == ["unverified:issue_date", "unverified:seller_name"]


def test_a_single_reading_calibrated_at_the_threshold_is_settled_below_it_is_not() -> None:
    # Given date and seller read once, with evidence, calibrated at 0.995 and 0.97
    evidence = CHECKED | {"issue_date": READ_ONCE, "seller_name": READ_ONCE}
    confidence = SURE | {"issue_date": 0.995, "seller_name": 0.97}
    found = reasons(agreeing={}, evidence=evidence, confidence=confidence)
    # Then the date (>= DEFAULT_MIN_CONFIDENCE) goes through and the seller is looked at
    assert DEFAULT_MIN_CONFIDENCE <= 0.995
    assert found == ["unverified:seller_name"]
    # and the threshold is the caller's setting when given
    assert reasons(agreeing={}, evidence=evidence, confidence=confidence, min_confidence=0.95) == []
    assert reasons(agreeing={}, evidence=evidence, confidence=confidence, min_confidence=1.0) == [
        "unverified:issue_date",
        "unverified:seller_name",
    ]


def test_the_sellers_name_from_the_issuers_text_layer_is_verified_by_its_blocks_tax_id() -> None:
    # Given an e-invoice PDF: seller name and tax ID from the text layer, the tax ID passing
    # its checksum, the name with no check of its own and a middling calibrated confidence
    sources = READ | {"seller_name": "pdf_text", "seller_tax_id": "pdf_text"}
    evidence = CHECKED | {"seller_name": TEXT_ONCE}
    confidence = SURE | {"seller_name": 0.9}
    found = reasons(sources=sources, evidence=evidence, confidence=confidence, agreeing={})
    # Then only the date (read once, no evidence) is left to look at
    assert found == ["unverified:issue_date"]


def test_a_text_layer_name_is_not_verified_by_a_tax_id_read_from_pixels_or_failing() -> None:
    evidence = CHECKED | {"seller_name": TEXT_ONCE}
    confidence = SURE | {"seller_name": 0.9}
    agreeing = {"issue_date": ["vlm"]}
    # Given the tax ID read by OCR (the name from the text layer)
    by_ocr = READ | {"seller_name": "pdf_text"}
    found = reasons(sources=by_ocr, evidence=evidence, confidence=confidence, agreeing=agreeing)
    assert found == ["unverified:seller_name"]
    # or from the text layer but failing its checksum
    both_text = READ | {"seller_name": "pdf_text", "seller_tax_id": "pdf_text"}
    failing = evidence | {"seller_tax_id": {"checks": [], "failed": 1, "repaired": False}}
    found = reasons(sources=both_text, evidence=failing, confidence=confidence, agreeing=agreeing)
    assert found == ["unverified:seller_name", "unverified:seller_tax_id"]
    # or on a receipt, where no party block says whose name it is
    found = reasons(
        document_type="receipt",
        sources=both_text,
        evidence=evidence,
        confidence=confidence,
        agreeing=agreeing,
    )
    assert found == ["unverified:seller_name"]


def test_an_old_date_read_once_is_held_back_whatever_its_confidence() -> None:
    # Given an old date read once whose evidence is calibrated at 0.995
    evidence = CHECKED | {"issue_date": READ_ONCE}
    confidence = SURE | {"issue_date": 0.995}
    agreeing = {"seller_name": ["vlm"]}
    found = reasons(warnings=[TOO_OLD], evidence=evidence, confidence=confidence, agreeing=agreeing)
    # Then the warning still holds it back (a misread year looks like this), though the
    # date itself counts as settled
    assert found == ["warning:date_too_old"]


def test_a_form_that_prints_no_date_or_no_seller_is_not_missing_them() -> None:
    no_date = {k: v for k, v in SURE.items() if k not in ("issue_date", "seller_tax_id")}
    sources = {k: v for k, v in READ.items() if k in no_date}
    # Given a 定额发票 (no date printed) and a train ticket (no seller printed)
    assert reasons(document_type="quota_invoice", confidence=no_date, sources=sources) == []
    no_seller = {k: v for k, v in SURE.items() if k not in ("seller_name", "seller_tax_id")}
    sources = {k: v for k, v in READ.items() if k in no_seller}
    assert reasons(document_type="train_ticket", confidence=no_seller, sources=sources) == []
    # while a receipt without a seller goes to review
    assert reasons(document_type="receipt", confidence=no_seller, sources=sources) == [
        "missing:seller_name"
    ]


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


def test_a_receipt_total_verified_by_cash_less_change_is_settled() -> None:
    # Given a till receipt: CASH 50.00, CHANGE 3.40, TOTAL 46.60, read once by OCR
    lines = till_receipt([("TOTAL", "46.60"), ("CASH", "50.00"), ("CHANGE", "3.40")])
    raw = OcrEngine(EngineContext(ocr_threads=1))._result(parse_lines(lines), {}, raw="")
    # When validated, and judged with a confidence too low to settle anything alone
    result = validation.validate(raw)
    evidence = {name: found.to_dict() for name, found in result.evidence.items()}
    found = reasons(
        document_type=result.document_type.value,
        sources={name: source.value for name, source in result.sources.items()},
        confidence=dict.fromkeys(result.confidence, 0.5),
        evidence=evidence,
        agreeing={},
    )
    # Then the total carries the tender check and is settled (date and seller are not)
    assert evidence["total_amount"]["checks"] == [calibration.TENDER]
    assert found == ["unverified:issue_date", "unverified:seller_name"]


def test_a_receipt_total_whose_cash_only_repeats_it_is_not_settled_by_it() -> None:
    # Given CASH equal to the TOTAL and CHANGE 0.00
    lines = till_receipt([("TOTAL", "46.60"), ("CASH", "46.60"), ("CHANGE", "0.00")])
    raw = OcrEngine(EngineContext(ocr_threads=1))._result(parse_lines(lines), {}, raw="")
    # When validated and judged as above
    result = validation.validate(raw)
    found = reasons(
        document_type=result.document_type.value,
        sources={name: source.value for name, source in result.sources.items()},
        confidence=dict.fromkeys(result.confidence, 0.5),
        evidence={name: found.to_dict() for name, found in result.evidence.items()},
        agreeing={},
    )
    # Then the total is left to a person like the date and the seller
    assert "unverified:total_amount" in found
