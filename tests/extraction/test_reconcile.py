"""Reconciling model fields with OCR evidence when a cross-check fails."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from extraction import validation
from extraction.engines.answers import finish
from extraction.engines.base import PreparedDocument
from extraction.reconcile import (
    RECONCILED_FROM_OCR,
    VLM_OCR_DISAGREE,
    doubtful_fields,
    needs_ocr,
    reconcile,
)
from extraction.schema import DocumentType, ExtractionResult, FieldSource, InvoiceFields

TODAY = dt.date(2024, 6, 1)
GOOD_TAX_ID = "91110000600037341L"
SWAPPED_TAX_ID = "91110000600073341L"  # two digits swapped: fails the checksum, unrepairable
OTHER_BAD_TAX_ID = "91110000600037341K"


def _fields(**changes: object) -> InvoiceFields:
    values: dict[str, object] = {
        "invoice_code": "1100153130",
        "invoice_number": "01234567",
        "issue_date": dt.date(2024, 1, 2),
        "seller_name": "北京示例科技有限公司",
        "seller_tax_id": GOOD_TAX_ID,
        "amount_excluding_tax": Decimal("1000.00"),
        "tax_amount": Decimal("130.00"),
        "total_amount": Decimal("1130.00"),
        "check_code": None,
        "currency": "CNY",
    }
    values.update(changes)
    return InvoiceFields(**values)


def _result(engine: str, **changes: object) -> ExtractionResult:
    fields = _fields(**changes)
    return ExtractionResult(
        document_type=DocumentType.VAT_SPECIAL,
        fields=fields,
        confidence={name: 0.8 for name in fields.present()},
        engine=engine,
    )


def _codes(result: ExtractionResult) -> list[str]:
    return [w.code for w in result.warnings]


def test_a_result_that_passes_every_check_needs_no_ocr() -> None:
    # given a model result whose checks all pass
    raw = _result("vlm")
    checked = validation.validate(raw, today=TODAY)
    # then no field is in doubt and reconciliation changes nothing
    assert not needs_ocr(checked)
    assert reconcile(raw, checked, _result("ocr", total_amount=Decimal("9.00")), today=TODAY) is (
        checked
    )


def test_a_failed_checksum_is_repaired_from_ocr() -> None:
    # given the model misread the seller's tax ID and OCR read a valid one
    raw = _result("vlm", seller_tax_id=SWAPPED_TAX_ID)
    checked = validation.validate(raw, today=TODAY)
    assert doubtful_fields(checked) == {"seller_tax_id"}
    # when reconciled
    final = reconcile(raw, checked, _result("ocr"), today=TODAY)
    # then OCR's value is kept, the checksum failure is gone, and a reviewer is told
    assert final.fields.seller_tax_id == GOOD_TAX_ID
    assert validation.USCC_CHECKSUM not in _codes(final)
    [note] = [w for w in final.warnings if w.code == RECONCILED_FROM_OCR]
    assert note.field == "seller_tax_id"
    assert SWAPPED_TAX_ID in note.message and GOOD_TAX_ID in note.message
    assert final.confidence["seller_tax_id"] <= validation.REPAIR_CAP


def test_an_arithmetic_failure_is_repaired_by_the_ocr_total() -> None:
    # given 金额 + 税额 != 价税合计 in the model's reading, and OCR read a consistent total
    raw = _result("vlm", total_amount=Decimal("1180.00"))
    checked = validation.validate(raw, today=TODAY)
    assert validation.ARITHMETIC_MISMATCH in _codes(checked)
    # when reconciled
    final = reconcile(raw, checked, _result("ocr"), today=TODAY)
    # then only the total changed, and the arithmetic passes
    assert final.fields.total_amount == Decimal("1130.00")
    assert final.fields.amount_excluding_tax == Decimal("1000.00")
    assert validation.ARITHMETIC_MISMATCH not in _codes(final)
    assert [w.field for w in final.warnings if w.code == RECONCILED_FROM_OCR] == ["total_amount"]


def test_an_ocr_value_that_fails_the_same_check_is_not_used() -> None:
    # given both readings of the tax ID fail the checksum, differently
    raw = _result("vlm", seller_tax_id=SWAPPED_TAX_ID)
    checked = validation.validate(raw, today=TODAY)
    ocr = _result("ocr", seller_tax_id=OTHER_BAD_TAX_ID)
    # when reconciled
    final = reconcile(raw, checked, ocr, today=TODAY)
    # then the model's value stays, flagged as disputed with half its confidence
    assert final.fields.seller_tax_id == SWAPPED_TAX_ID
    [dispute] = [w for w in final.warnings if w.code == VLM_OCR_DISAGREE]
    assert dispute.field == "seller_tax_id"
    assert OTHER_BAD_TAX_ID in dispute.message
    assert final.confidence["seller_tax_id"] == checked.confidence["seller_tax_id"] / 2
    assert validation.USCC_CHECKSUM in _codes(final)


def test_ocr_that_agrees_adds_nothing() -> None:
    # given OCR made the same reading as the model
    raw = _result("vlm", seller_tax_id=SWAPPED_TAX_ID)
    checked = validation.validate(raw, today=TODAY)
    final = reconcile(raw, checked, _result("ocr", seller_tax_id=SWAPPED_TAX_ID), today=TODAY)
    # then the validation warning stands alone
    assert final.fields == checked.fields
    assert RECONCILED_FROM_OCR not in _codes(final)
    assert VLM_OCR_DISAGREE not in _codes(final)


def test_ocr_never_adds_a_field_the_model_did_not_read() -> None:
    raw = _result("vlm", seller_tax_id=SWAPPED_TAX_ID, buyer_name=None)
    checked = validation.validate(raw, today=TODAY)
    final = reconcile(raw, checked, _result("ocr", buyer_name="某某公司"), today=TODAY)
    assert final.fields.buyer_name is None


def test_finish_asks_for_ocr_only_when_a_check_failed() -> None:
    # given an OCR evidence source that records its calls
    calls: list[str] = []

    def evidence(document: PreparedDocument) -> ExtractionResult:
        calls.append(document.source)
        return _result("ocr")

    good = _result("vlm", issue_date=dt.date.today())
    bad = _result("vlm", issue_date=dt.date.today(), seller_tax_id=SWAPPED_TAX_ID)
    # when both are finished
    kept = finish(good, PreparedDocument(source="good"), ocr_evidence=evidence)
    fixed = finish(bad, PreparedDocument(source="bad"), ocr_evidence=evidence)
    # then OCR ran only for the doubtful one, and repaired it
    assert calls == ["bad"]
    assert kept.fields.seller_tax_id == GOOD_TAX_ID
    assert fixed.fields.seller_tax_id == GOOD_TAX_ID
    assert "reconcile" in fixed.timings and "reconcile" not in kept.timings


def test_fields_ocr_read_alike_are_recorded_as_agreeing_readings() -> None:
    # given a model that misread the tax ID, and OCR that read the total differently and
    # everything else as the model did
    raw = _result("vlm", seller_tax_id=SWAPPED_TAX_ID)
    checked = validation.validate(raw, today=TODAY)
    ocr = _result("ocr", total_amount=Decimal("1131.00"))
    # when reconciled (OCR's tax ID is kept)
    final = reconcile(raw, checked, ocr, today=TODAY)
    # then every field OCR read alike has OCR agreeing, the total and OCR's own tax ID not
    assert final.agreeing["seller_name"] == [FieldSource.OCR]
    assert final.agreeing["issue_date"] == [FieldSource.OCR]
    assert "total_amount" not in final.agreeing
    assert "seller_tax_id" not in final.agreeing
    assert final.sources["seller_tax_id"] is FieldSource.OCR
