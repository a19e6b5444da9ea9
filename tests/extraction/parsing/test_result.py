"""What a parser hands on: a check it made stays with the value it checked."""

from __future__ import annotations

from decimal import Decimal

from extraction import calibration
from extraction.parsing.result import Parsed
from extraction.schema import DocumentType


def test_a_passed_check_becomes_the_fields_evidence() -> None:
    # given a total the parser verified by the receipt's cash and change
    parsed = Parsed(DocumentType.RECEIPT)
    parsed.put("total_amount", Decimal("46.60"), 0.98)
    parsed.passed("total_amount", calibration.TENDER)
    # when its evidence is taken / then it names the check for that field only
    evidence = parsed.evidence()
    assert list(evidence) == ["total_amount"]
    assert evidence["total_amount"].checks == (calibration.TENDER,)


def test_a_check_is_dropped_when_its_value_is_replaced() -> None:
    # given a verified total, then overwritten by another reading
    parsed = Parsed(DocumentType.RECEIPT)
    parsed.put("total_amount", Decimal("46.60"), 0.98)
    parsed.passed("total_amount", calibration.TENDER)
    parsed.put("total_amount", Decimal("46.00"), 0.9, overwrite=True)
    # when its evidence is taken / then the new value carries no check
    assert parsed.evidence() == {}


def test_a_check_of_an_absent_field_is_not_kept() -> None:
    # given a check passed for a field that holds no value
    parsed = Parsed(DocumentType.RECEIPT)
    parsed.passed("total_amount", calibration.TENDER)
    # when its evidence is taken / then there is none
    assert parsed.evidence() == {}


def test_a_contested_value_carries_its_candidate_count_as_evidence() -> None:
    # given a seller name the parser chose among two plausible lines
    parsed = Parsed(DocumentType.RECEIPT)
    parsed.put("seller_name", "JTJ FOODS SDN BHD", 0.98)
    parsed.contested("seller_name", 2)
    # when its evidence is taken / then it says two candidates, and no checks
    evidence = parsed.evidence()
    assert evidence["seller_name"].candidates == 2
    assert evidence["seller_name"].checks == ()


def test_the_candidate_count_is_dropped_when_its_value_is_replaced() -> None:
    # given a contested name, then overwritten by another reading
    parsed = Parsed(DocumentType.RECEIPT)
    parsed.put("seller_name", "JTJ FOODS SDN BHD", 0.98)
    parsed.contested("seller_name", 2)
    parsed.put("seller_name", "LEMON TREE RESTAURANT", 0.9, overwrite=True)
    # when its evidence is taken / then the new value has no rivals on record
    assert parsed.evidence() == {}
