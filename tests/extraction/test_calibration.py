"""Confidence as a measured probability: evidence, the fitted table, and calibrate()."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from bench.reliability import developed_family
from extraction import calibration, validation
from extraction.calibration import FieldEvidence, Table, calibrate, fit
from extraction.schema import DocumentType, ExtractionResult, FieldSource, InvoiceFields

TODAY = dt.date(2026, 6, 1)
USCC = "91110000600037341L"


def vat_result(**changes: object) -> ExtractionResult:
    fields = InvoiceFields(
        invoice_code="1100094140",
        invoice_number="87654321",
        issue_date=dt.date(2026, 3, 5),
        seller_name="北京某某科技有限公司",
        seller_tax_id=USCC,
        amount_excluding_tax=Decimal("100.00"),
        tax_amount=Decimal("13.00"),
        total_amount=Decimal("113.00"),
        total_in_words="壹佰壹拾叁圆整",
        currency="CNY",
    )
    for name, value in changes.items():
        setattr(fields, name, value)
    present = fields.present()
    return ExtractionResult(
        DocumentType.VAT_SPECIAL,
        fields,
        dict.fromkeys(present, 0.95),
        engine="ocr",
        sources=dict.fromkeys(present, FieldSource.OCR),
    )


def rows(evidence: FieldEvidence, right: int, wrong: int, group: str = "g") -> list:
    return [(evidence, True, group)] * right + [(evidence, False, group)] * wrong


NAME = FieldEvidence("seller_name", raw=0.99)
TOTAL = FieldEvidence("total_amount", raw=0.99, checks=("arithmetic", "words"))


# --- evidence recorded by validation ------------------------------------------------------


def test_validation_records_which_checks_each_value_passed() -> None:
    # Given an invoice whose tax ID, 大写 and arithmetic all check out
    validated = validation.validate(vat_result(), today=TODAY)
    # Then each field's evidence names the checks it passed, and the name has none
    evidence = validated.evidence
    assert evidence["total_amount"].checks == ("arithmetic", "words")
    assert evidence["seller_tax_id"].checks == ("checksum",)
    assert evidence["seller_name"].checks == ()
    assert evidence["seller_name"].raw == 0.95
    assert evidence["total_amount"].kind == "vat"
    assert set(evidence) == set(validated.fields.present())


def test_validation_records_failed_repaired_and_computed_values() -> None:
    # Given a total that disagrees with its 大写 and the arithmetic, a tax ID with a
    # look-alike misread, and no 税额 (computed from the other two)
    wrong_total = vat_result(total_amount=Decimal("118.00"), seller_tax_id="9111O000600037341L")
    no_tax = vat_result(tax_amount=None)
    # When validated
    first = validation.validate(wrong_total, today=TODAY).evidence
    second = validation.validate(no_tax, today=TODAY).evidence
    # Then the evidence says so
    assert first["total_amount"].repaired  # set to the 大写 value that the arithmetic confirms
    assert first["seller_tax_id"].repaired
    assert second["tax_amount"].computed


def test_a_failed_check_is_recorded_against_the_value() -> None:
    result = vat_result(total_amount=Decimal("118.00"), total_in_words=None)
    evidence = validation.validate(result, today=TODAY).evidence
    assert evidence["total_amount"].failed == 1
    assert calibration.tier(evidence["total_amount"]) == "failed"


# --- the table ---------------------------------------------------------------------------


def test_a_class_reports_the_share_of_its_values_found_right() -> None:
    # Given 900 of 1000 unchecked names right and 999 of 1000 doubly checked totals
    table = fit(rows(NAME, 900, 100) + rows(TOTAL, 999, 1))
    # Then each class's probability is its measured share
    assert abs(table.probability(NAME) - 0.9) < 0.01
    assert table.probability(TOTAL) > 0.99


def test_a_rare_class_borrows_from_its_parent_instead_of_claiming_certainty() -> None:
    # Given three lucky readings of a rare kind, in a field group that is often wrong
    rare = FieldEvidence("seller_name", raw=0.5, kind="ticket")
    table = fit(rows(NAME, 60, 40) + rows(rare, 3, 0))
    # Then it is not reported certain: it stays near what its field group measured
    assert table.probability(rare) < 0.8


def test_the_worst_developed_group_caps_a_class() -> None:
    # Given names right 99% of the time in one family and 80% in another
    table = fit(rows(NAME, 990, 10, "family:a") + rows(NAME, 80, 20, "family:b"))
    # Then a name is not reported surer than the worst family found it
    assert table.probability(NAME) < 0.85


def test_a_surer_reading_is_never_reported_less_likely_right() -> None:
    # Given names read at OCR >= 0.97 right 95 times in 100, and three lucky ones at 0.93
    sure = FieldEvidence("seller_name", raw=0.99, kind="receipt")
    doubtful = FieldEvidence("seller_name", raw=0.93, kind="receipt")
    table = fit(rows(sure, 95, 5) + rows(doubtful, 3, 0) + rows(NAME, 995, 5))
    # Then the doubtful reading is not reported surer than the sure one
    assert table.probability(doubtful) <= table.probability(sure)


def test_a_doubtful_glyph_lowers_a_value_read_with_a_high_line_score() -> None:
    # Given receipt names read at line score >= 0.97: right 100 of 100 when every letter
    # was sure, 5 of 10 when one letter was doubtful
    sure = FieldEvidence("seller_name", raw=0.98, kind="receipt", glyph=0.99)
    doubtful = FieldEvidence("seller_name", raw=0.98, kind="receipt", glyph=0.45)
    table = fit(rows(sure, 100, 0) + rows(doubtful, 5, 5))
    # Then the doubtful letter is reported as the risk it measured to be
    assert table.probability(doubtful) < 0.8 < table.probability(sure)


def test_a_value_without_a_glyph_is_judged_by_every_reading_of_its_class() -> None:
    # Given receipt names right 100 of 100 with sure letters and 5 of 10 with a doubtful one
    sure = FieldEvidence("seller_name", raw=0.98, kind="receipt", glyph=0.99)
    doubtful = FieldEvidence("seller_name", raw=0.98, kind="receipt", glyph=0.45)
    table = fit(rows(sure, 100, 0) + rows(doubtful, 5, 5))
    # When a reader that gives no character probabilities (a model) reads a name
    unknown = FieldEvidence("seller_name", raw=0.98, kind="receipt")
    # Then it is reported at what all such names measured, between the two
    assert abs(table.probability(unknown) - 105 / 110) < 0.02
    assert table.probability(doubtful) < table.probability(unknown) < table.probability(sure)


def test_a_value_without_a_glyph_is_never_surer_than_one_read_with_sure_letters() -> None:
    # Given receipt names right 95 of 100 with sure letters, and names from a reader
    # without character probabilities right 1000 of 1000
    sure = FieldEvidence("seller_name", raw=0.98, kind="receipt", glyph=0.99)
    unknown = FieldEvidence("seller_name", raw=0.98, kind="receipt")
    table = fit(rows(sure, 95, 5) + rows(unknown, 1000, 0))
    # Then a name without a glyph is not reported surer than the sure reading
    assert table.probability(unknown) <= table.probability(sure)


def test_a_doubtful_glyph_is_never_reported_surer_than_a_sure_one() -> None:
    # Given three lucky values with a doubtful letter and sure ones right 95 in 100
    sure = FieldEvidence("seller_name", raw=0.98, kind="receipt", glyph=0.99)
    doubtful = FieldEvidence("seller_name", raw=0.98, kind="receipt", glyph=0.7)
    table = fit(rows(sure, 95, 5) + rows(doubtful, 3, 0) + rows(NAME, 995, 5))
    # Then the doubtful one is not reported surer
    assert table.probability(doubtful) <= table.probability(sure)


def test_machine_readable_values_are_certain_and_unknown_classes_are_not() -> None:
    table = fit(rows(NAME, 90, 10))
    assert table.probability(FieldEvidence("issue_date", origin="machine")) == 1.0
    assert table.probability(FieldEvidence("check_code", raw=0.7)) < 0.95


def test_a_table_survives_its_json_form() -> None:
    table = fit(rows(NAME, 90, 10, "family:a") + rows(TOTAL, 50, 0), fitted_on=["synthetic"])
    again = Table.from_json(table.to_json())
    assert again.probability(NAME) == table.probability(NAME)
    assert again.probability(TOTAL) == table.probability(TOTAL)
    assert again.fitted_on == ["synthetic"]


# --- calibrate -----------------------------------------------------------------------------


def test_calibrate_reports_the_tables_probability_with_the_final_sources() -> None:
    # Given a validated reading whose date a second engine read alike and whose number
    # came from the QR code
    table = fit(
        rows(FieldEvidence("issue_date", raw=0.95), 80, 20)
        + rows(FieldEvidence("issue_date", raw=0.95, agreeing=True), 200, 0)
    )
    validated = validation.validate(vat_result(), today=TODAY)
    validated = validated.replace(
        agreeing={"issue_date": [FieldSource.VLM]},
        sources=validated.sources | {"invoice_number": FieldSource.QR},
    )
    # When calibrated
    result = calibrate(validated, table)
    # Then the agreement and the machine source are evidence too
    assert result.evidence["issue_date"].agreeing
    assert result.confidence["issue_date"] > 0.95
    assert result.confidence["invoice_number"] == 1.0
    # and the same date read once is reported at what such dates measured
    alone = calibrate(validated.replace(agreeing={}), table)
    assert abs(alone.confidence["issue_date"] - 0.8) < 0.05
    # and calibrating twice changes nothing
    assert calibrate(result, table).confidence == result.confidence


def test_a_text_layer_value_is_its_own_class() -> None:
    validated = validation.validate(vat_result(), today=TODAY)
    text = validated.replace(sources=dict.fromkeys(validated.sources, FieldSource.PDF_TEXT))
    assert calibrate(text, fit(rows(NAME, 9, 1))).evidence["seller_name"].origin == "text"


def test_calibrate_takes_the_weakest_glyph_of_values_read_from_pixels_only() -> None:
    # Given a reading whose seller name had a doubtful letter, and the same from a text layer
    validated = validation.validate(vat_result(), today=TODAY).replace(glyphs={"seller_name": 0.41})
    text = validated.replace(sources=dict.fromkeys(validated.sources, FieldSource.PDF_TEXT))
    table = fit(rows(NAME, 9, 1))
    # When calibrated
    # Then the OCR reading carries its weakest glyph, the text layer none
    assert calibrate(validated, table).evidence["seller_name"].glyph == 0.41
    assert calibrate(text, table).evidence["seller_name"].glyph is None


def test_without_a_table_the_scores_stay_as_validation_left_them() -> None:
    validated = validation.validate(vat_result(), today=TODAY)
    assert calibrate(validated, Table()).confidence == validated.confidence


def test_an_old_date_is_implausible_not_a_failed_check() -> None:
    # Given a date read right but more than five years old (date_too_old)
    result = vat_result(issue_date=dt.date(2018, 3, 5))
    validated = validation.validate(result, today=TODAY)
    # Then the warning stands, but the date's evidence has no failed check
    assert validation.DATE_TOO_OLD in {w.code for w in validated.warnings}
    assert validated.evidence["issue_date"].failed == 0


def test_a_wrong_length_is_a_weak_format_failure_not_a_failed_cross_check() -> None:
    # Given an invoice number one digit short (a format check fails)
    validated = validation.validate(vat_result(invoice_number="8765432"), today=TODAY)
    evidence = validated.evidence["invoice_number"]
    # Then it is told apart from a failed checksum or 大写
    assert (evidence.failed, evidence.format_failed) == (0, 1)
    assert calibration.tier(evidence) == "format_failed"


def test_the_shipped_table_was_fitted_on_developed_documents_only() -> None:
    table = calibration.default_table()
    assert table.counts, "extraction/calibration_table.json is missing: run bench/calibrate.py"
    fitted = {name.split(":", 1)[0] for name in table.fitted_on}
    assert fitted <= {"synthetic", "einvoice_pdf", "family", "sroie"}
    # of the real sets only the SROIE tune half, never its report half or the cn set
    assert [name for name in table.fitted_on if name.startswith(("sroie", "cn"))] in (
        [],
        ["sroie:tune"],
    )
    families = {n.split(":", 1)[1] for n in table.fitted_on if n.startswith("family:")}
    assert families and all(developed_family(name) for name in families)


def test_the_shipped_table_tells_checked_values_from_failed_ones() -> None:
    table = calibration.default_table()
    checked = FieldEvidence("total_amount", raw=0.98, checks=("arithmetic", "words"))
    failed = FieldEvidence("seller_tax_id", raw=0.99, failed=1)
    assert table.probability(checked) >= 0.99
    assert table.probability(failed) < 0.9


def test_receipt_families_are_split_by_the_receipt_rules_own_list() -> None:
    # Given a receipt family the rules were developed on and one held out
    # Then the reliability table files each by the receipt list, not the tickets'
    assert developed_family("receipt/german")
    assert not developed_family("receipt/us_tenders")
