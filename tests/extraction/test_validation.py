"""Cross-checks, repairs and confidence of extraction.validation."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extraction import calibration
from extraction.calibration import FieldEvidence
from extraction.checksums import USCC_ALPHABET, uscc_check_char, uscc_is_valid
from extraction.schema import DocumentType, ExtractionResult, InvoiceFields, LineItem
from extraction.validation import (
    REPAIR_CAP,
    WARNING_CODES,
    expected_formats,
    normalize_tax_rate,
    tax_id_kind,
    uscc_repair,
    validate,
)

TODAY = dt.date(2024, 6, 1)
SELLER = "91110000600037341L"  # FACTS.md
BUYER = "91440300MA5EJRPEXF"  # FACTS.md
RESIDENT_ID = "11010519491231002X"  # FACTS.md
# 8th digit 3 = 普票 (FACTS.md)
GENERAL_CODE = "1100191320"


def invoice(
    document_type: DocumentType = DocumentType.VAT_GENERAL,
    confidence: dict[str, float] | None = None,
    evidence: dict[str, FieldEvidence] | None = None,
    **overrides: Any,
) -> ExtractionResult:
    """A consistent 普票: every cross-check passes unless a test breaks one."""
    values: dict[str, Any] = {
        "invoice_code": GENERAL_CODE,
        "invoice_number": "01234567",
        "issue_date": dt.date(2024, 5, 1),
        "seller_name": "北京某某科技有限公司",
        "seller_tax_id": SELLER,
        "buyer_name": "深圳某某有限公司",
        "buyer_tax_id": BUYER,
        "amount_excluding_tax": Decimal("1000.00"),
        "tax_amount": Decimal("130.00"),
        "total_amount": Decimal("1130.00"),
        "total_in_words": "⊗壹仟壹佰叁拾圆整",
        "check_code": "12345678901234567890",
        "currency": "CNY",
        "line_items": [
            LineItem(
                name="*信息技术服务*软件",
                amount=Decimal("1000.00"),
                tax_rate="13%",
                tax_amount=Decimal("130.00"),
            )
        ],
    }
    values.update(overrides)
    return ExtractionResult(
        document_type=document_type,
        fields=InvoiceFields(**values),
        confidence=confidence or {},
        engine="ocr",
        evidence=evidence or {},
    )


def codes(result: ExtractionResult) -> list[str]:
    return [warning.code for warning in result.warnings]


def warning_for(result: ExtractionResult, code: str) -> Any:
    matches = [warning for warning in result.warnings if warning.code == code]
    assert len(matches) == 1, result.warnings
    return matches[0]


def uscc_with_org_check(rng: random.Random) -> str:
    """A random valid USCC that also satisfies GB 11714 in positions 9-17, like real ones."""
    head = rng.choice("159") + rng.choice("123") + rng.choice(["11", "31", "44", "51"])
    head += "".join(rng.choice("0123456789") for _ in range(4))
    body = "".join(rng.choice("0123456789ABDGLQT") for _ in range(8))
    values = [int(c) if c.isdigit() else ord(c) - ord("A") + 10 for c in body]
    remainder = 11 - sum(v * w for v, w in zip(values, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    org_check = {10: "X", 11: "0"}.get(remainder, str(remainder))
    code = head + body + org_check
    return code + (uscc_check_char(code) or "")


# --- tax IDs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (SELLER, "uscc"),
        (BUYER, "uscc"),
        ("9144 0300 ma5e jrpe xf", "uscc"),  # spaces and lower case are normalised
        ("９１１１００００６０００３７３４１Ｌ", "uscc"),  # full-width
        (RESIDENT_ID, "personal_id"),
        ("410305012345678", "legacy"),
        ("41030519491231002X12", "legacy"),
        ("91110000600037341M", "invalid"),  # wrong check character
        ("9111000060003734", "invalid"),
        ("ABC", "invalid"),
    ],
)
def test_tax_id_kind_classifies_known_vectors(code: str, kind: str) -> None:
    # Given a tax ID / When classified / Then the kind matches the standard it follows
    assert tax_id_kind(code) == kind


uscc_bodies = st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17)


@settings(max_examples=150, deadline=None)
@given(uscc_bodies)
def test_generated_uscc_validates_and_every_single_substitution_fails(body: str) -> None:
    # Given any 17 characters with their computed check character
    code = body + (uscc_check_char(body) or "")
    # Then the code validates
    assert uscc_is_valid(code)
    # And replacing any one character by any other alphabet character breaks it: the
    # weights are powers of 3 mod 31, never 0 mod the prime 31, so every change shows.
    for index in range(18):
        for char in USCC_ALPHABET.replace(code[index], ""):
            assert not uscc_is_valid(code[:index] + char + code[index + 1 :])


@settings(max_examples=150, deadline=None)
@given(uscc_bodies)
def test_adjacent_transpositions_in_the_body_fail(body: str) -> None:
    # Given a valid code / When two different adjacent body characters are swapped
    code = body + (uscc_check_char(body) or "")
    for index in range(16):
        if code[index] == code[index + 1]:
            continue
        swapped = code[:index] + code[index + 1] + code[index] + code[index + 2 :]
        # Then the checksum catches it (weight ratio 3, so the difference is 2w(a-b) != 0)
        assert not uscc_is_valid(swapped)


def test_uscc_repair_returns_a_valid_code_normalised() -> None:
    # Given a valid code with spaces and lower case / When repaired / Then it is normalised
    assert uscc_repair("9144 0300 ma5ejrpexf") == BUYER


@pytest.mark.parametrize(
    ("misread", "meant"),
    [
        ("9111OOOO600037341L", SELLER),  # O->0 at four forced positions is too many
        ("9111O000600037341L", SELLER),  # O->0 in the area code
        ("91110000600O37341L", SELLER),  # O->0 in the organisation code
        ("9I110000600037341L", SELLER),  # I->1
        ("91110000608037341L", SELLER),  # dot-matrix 0 read as 8
        ("9144O3OOMA5EJRPEXF", BUYER),  # two O's
        ("9144030DMA5EJRPEXF", BUYER),  # D in the area code
    ],
)
def test_uscc_repair_fixes_look_alikes_when_the_checksum_proves_it(
    misread: str, meant: str
) -> None:
    # Given a code with look-alike misreads / When repaired
    repaired = uscc_repair(misread)
    # Then the original comes back, except with too many forced positions (> 3)
    assert repaired == (None if misread.count("O") > 3 else meant)


def test_uscc_repair_refuses_a_look_alike_that_does_not_make_the_checksum_valid() -> None:
    # Given a code whose 3 was misread as O: O->0/D/Q cannot make it valid
    misread = "911100006000O7341L"  # meant: 91110000600037341L
    # When repaired / Then nothing is invented
    assert uscc_repair(misread) is None


def test_uscc_repair_refuses_when_two_repairs_are_equally_valid() -> None:
    # Given a misread with two different single look-alike fixes that both validate
    misread = "91447329GD798DGG31"
    candidates = ("91447329GD79BDGG31", "91447329GD798D6G31")
    assert all(uscc_is_valid(candidate) for candidate in candidates)
    # When repaired / Then the ambiguity gives no answer
    assert uscc_repair(misread) is None


def test_uscc_repair_rejects_wrong_lengths_and_non_ascii() -> None:
    # Given codes that cannot be an 18-character USCC / When repaired / Then None
    assert uscc_repair("9111000060003734") is None
    assert uscc_repair("91110000六00037341L") is None


def test_uscc_repair_rates_on_random_codes() -> None:
    # Given random valid codes (seeded) that satisfy both checksums like real ones
    rng = random.Random(20240601)
    misread_of = {"0": "8DO", "8": "B", "1": "ILT", "6": "G", "5": "S", "2": "Z"}
    right = wrong_lookalike = wrong_arbitrary = trials = 0
    for _ in range(300):
        code = uscc_with_org_check(rng)
        positions = [i for i, c in enumerate(code) if c in misread_of]
        index = rng.choice(positions)
        lookalike = code[:index] + rng.choice(misread_of[code[index]]) + code[index + 1 :]
        # When one character is misread as a look-alike
        repaired = uscc_repair(lookalike)
        right += repaired == code
        wrong_lookalike += repaired not in (None, code)
        # And when one character is replaced by an arbitrary other character
        index = rng.randrange(18)
        other = rng.choice(USCC_ALPHABET.replace(code[index], ""))
        arbitrary = code[:index] + other + code[index + 1 :]
        wrong_arbitrary += uscc_repair(arbitrary) not in (None, code)
        trials += 1
    # Then look-alikes are nearly always repaired and wrong "repairs" stay rare
    assert right / trials >= 0.95
    assert wrong_lookalike == 0
    assert wrong_arbitrary / trials <= 0.02


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=USCC_ALPHABET + "IOSVZ", min_size=18, max_size=18))
def test_uscc_repair_only_returns_valid_codes(code: str) -> None:
    # Given any 18 characters / When repaired
    repaired = uscc_repair(code)
    # Then the answer is None or a valid code differing in at most four positions
    if repaired is not None:
        assert uscc_is_valid(repaired)
        assert sum(a != b for a, b in zip(code, repaired, strict=True)) <= 4


# --- validate: purity and confidence -------------------------------------------------------


def test_validate_does_not_mutate_its_input() -> None:
    # Given a result that validation repairs in several places
    original = invoice(
        seller_tax_id="9111O000600037341L",
        total_amount=Decimal("1730.00"),
        check_code="12345 67890 12345 67890",
        confidence={"total_amount": 0.8},
    )
    snapshot = copy.deepcopy(original)
    # When validated
    validated = validate(original, today=TODAY)
    # Then the input is unchanged and the output is a different object
    assert original == snapshot
    assert validated is not original
    assert validated.fields.line_items[0] is not original.fields.line_items[0]


def test_consistent_invoice_has_no_warnings_and_a_near_certain_total() -> None:
    # Given a consistent invoice whose engine was unsure of the total
    result = invoice(confidence={"total_amount": 0.4, "seller_tax_id": 0.6})
    # When validated
    validated = validate(result, today=TODAY)
    # Then nothing is flagged, the total (大写 + arithmetic agree) is >= 0.99
    assert validated.warnings == []
    assert validated.confidence["total_amount"] >= 0.99
    # And the checksum-valid tax ID is boosted above its raw score
    assert validated.confidence["seller_tax_id"] > 0.9


def test_absent_fields_get_no_confidence_and_all_scores_are_within_0_and_1() -> None:
    # Given an invoice without buyer fields and with out-of-range raw scores
    result = invoice(buyer_name=None, buyer_tax_id=None)
    # When validated with raw OCR scores
    validated = validate(
        result, today=TODAY, ocr_confidence={"seller_name": 1.7, "buyer_name": 0.9}
    )
    # Then absent fields have no entry and every score lies in [0, 1]
    assert "buyer_name" not in validated.confidence
    assert "buyer_tax_id" not in validated.confidence
    assert set(validated.confidence) == set(validated.fields.present())
    assert all(0.0 <= score <= 1.0 for score in validated.confidence.values())
    assert validated.confidence["seller_name"] == 1.0


def test_output_shares_no_mutable_state_with_the_input() -> None:
    # Given a result with timings / When validated and the output's timings changed
    result = invoice()
    result.timings["ocr"] = 10.0
    validated = validate(result, today=TODAY)
    validated.timings["validate"] = 1.0
    validated.fields.line_items.append(LineItem(name="x"))
    # Then the input is unaffected
    assert result.timings == {"ocr": 10.0}
    assert len(result.fields.line_items) == 1


def test_ocr_confidence_takes_precedence_over_result_confidence() -> None:
    # Given a raw score in both places
    result = invoice(confidence={"seller_name": 0.9})
    # When validated with ocr_confidence / Then that score is the one used
    validated = validate(result, today=TODAY, ocr_confidence={"seller_name": 0.2})
    assert validated.confidence["seller_name"] == pytest.approx(0.2)


def test_existing_warnings_are_kept_without_duplicates() -> None:
    # Given a result that was already validated once
    once = validate(invoice(seller_tax_id="91110000600037341M"), today=TODAY)
    # When validated again / Then the same warning is not added twice
    twice = validate(once, today=TODAY)
    assert codes(twice).count("uscc_checksum") == 1


# --- validate: tax IDs ---------------------------------------------------------------------


def test_uscc_repaired_warning_and_capped_confidence() -> None:
    # Given a seller tax ID with O for 0 and a confident engine
    result = invoice(seller_tax_id="9111O000600037341L", confidence={"seller_tax_id": 0.99})
    # When validated
    validated = validate(result, today=TODAY)
    # Then the code is repaired, the change is reported, and the confidence is capped
    assert validated.fields.seller_tax_id == SELLER
    warning = warning_for(validated, "uscc_repaired")
    assert warning.field == "seller_tax_id"
    assert "9111O000600037341L" in warning.message and "position 5 O->0" in warning.message
    assert validated.confidence["seller_tax_id"] <= REPAIR_CAP


def test_uscc_checksum_warning_lowers_confidence() -> None:
    # Given a buyer tax ID whose check character is wrong and cannot be repaired
    result = invoice(buyer_tax_id="91440300MA5EJRPEXA", confidence={"buyer_tax_id": 0.9})
    # When validated
    validated = validate(result, today=TODAY)
    # Then it is flagged with the expected check character and believed less
    warning = warning_for(validated, "uscc_checksum")
    assert warning.field == "buyer_tax_id"
    assert "expected 'F'" in warning.message
    assert validated.confidence["buyer_tax_id"] < 0.9
    assert validated.fields.buyer_tax_id == "91440300MA5EJRPEXA"


def test_legacy_and_personal_tax_ids_are_accepted() -> None:
    # Given an old 15-character 税号 and a 居民身份证号码 as tax IDs
    result = invoice(seller_tax_id="410305012345678", buyer_tax_id=RESIDENT_ID)
    # When validated / Then neither is flagged
    assert "uscc_checksum" not in codes(validate(result, today=TODAY))


def test_foreign_tax_numbers_are_not_checked_as_uscc() -> None:
    # Given a Malaysian receipt with a GST registration number
    result = invoice(
        DocumentType.RECEIPT,
        seller_tax_id="001234567890",
        currency="RM",
        invoice_code=None,
        check_code=None,
    )
    # When validated / Then no USCC warning, and RM becomes MYR
    validated = validate(result, today=TODAY)
    assert "uscc_checksum" not in codes(validated)
    assert validated.fields.currency == "MYR"


# --- validate: 大写, arithmetic, line items ------------------------------------------------


def test_total_is_taken_from_words_when_the_figure_is_missing() -> None:
    # Given an invoice where the 小写 total was not found
    result = invoice(total_amount=None, confidence={"total_in_words": 0.8})
    # When validated / Then the total comes from the 大写 and the arithmetic confirms it
    validated = validate(result, today=TODAY)
    assert validated.fields.total_amount == Decimal("1130.00")
    assert validated.warnings == []
    assert validated.confidence["total_amount"] >= 0.95


def test_total_repaired_when_words_and_arithmetic_outvote_the_figure() -> None:
    # Given a 小写 total misread (1130 -> 1730) while 大写 and 金额+税额 say 1130
    result = invoice(total_amount=Decimal("1730.00"), confidence={"total_amount": 0.95})
    # When validated
    validated = validate(result, today=TODAY)
    # Then the total is corrected, the reviewer is told why, and confidence is capped
    assert validated.fields.total_amount == Decimal("1130.00")
    warning = warning_for(validated, "total_repaired")
    assert "1730.00" in warning.message and "1130.00" in warning.message
    assert "arithmetic_mismatch" not in codes(validated)
    assert validated.confidence["total_amount"] <= REPAIR_CAP


def test_words_mismatch_blames_the_words_when_the_arithmetic_confirms_the_figure() -> None:
    # Given 大写 misread as 1230 while 小写 and 金额+税额 agree on 1130
    result = invoice(total_in_words="壹仟贰佰叁拾圆整", confidence={"total_amount": 0.8})
    # When validated
    validated = validate(result, today=TODAY)
    # Then only the words are flagged and the total keeps its value and support
    warning = warning_for(validated, "words_mismatch")
    assert warning.field == "total_in_words"
    assert "1230.00" in warning.message and "1130.00" in warning.message
    assert validated.fields.total_amount == Decimal("1130.00")
    assert validated.confidence["total_amount"] > 0.8


def test_words_mismatch_without_arithmetic_lowers_both() -> None:
    # Given a receipt-like 定额发票 with 大写 and 小写 only, disagreeing
    result = invoice(
        DocumentType.QUOTA_INVOICE,
        amount_excluding_tax=None,
        tax_amount=None,
        line_items=[],
        check_code=None,
        total_amount=Decimal("20.00"),
        total_in_words="拾元",
        confidence={"total_amount": 0.9, "total_in_words": 0.9},
    )
    # When validated
    validated = validate(result, today=TODAY)
    # Then the mismatch is reported on the total, both numbers named, both believed less
    warning = warning_for(validated, "words_mismatch")
    assert warning.field == "total_amount"
    assert "20.00" in warning.message and "10.00" in warning.message
    assert validated.confidence["total_amount"] < 0.9
    assert validated.confidence["total_in_words"] < 0.9


def test_words_unparseable() -> None:
    # Given 大写 that OCR turned into something that is not an amount
    result = invoice(total_in_words="壹仟壹佰叁拾圆整 盖章")
    # When validated / Then it is flagged, and the total is left alone
    validated = validate(result, today=TODAY)
    assert warning_for(validated, "words_unparseable").field == "total_in_words"
    assert validated.fields.total_amount == Decimal("1130.00")


def test_arithmetic_mismatch_beyond_one_cent() -> None:
    # Given 金额 1000.00 + 税额 130.00 but a total of 1130.02 (and no 大写 to decide)
    result = invoice(total_amount=Decimal("1130.02"), total_in_words=None)
    # When validated
    validated = validate(result, today=TODAY)
    # Then the mismatch is reported with the numbers
    warning = warning_for(validated, "arithmetic_mismatch")
    assert "1130.00" in warning.message and "1130.02" in warning.message


def test_arithmetic_within_one_cent_passes() -> None:
    # Given a total one cent off the sum / When validated / Then it is accepted
    result = invoice(total_amount=Decimal("1130.01"), total_in_words=None)
    assert "arithmetic_mismatch" not in codes(validate(result, today=TODAY))


def test_missing_tax_is_computed_on_vat_invoices() -> None:
    # Given a VAT invoice whose 税额 was not read
    result = invoice(tax_amount=None, confidence={"total_amount": 0.9, "amount_excluding_tax": 0.8})
    # When validated / Then 税额 = 价税合计 - 金额, believed less than its inputs
    validated = validate(result, today=TODAY)
    assert validated.fields.tax_amount == Decimal("130.00")
    assert "tax_amount" in validated.confidence


def test_missing_total_is_computed_from_amount_and_tax_on_vat_invoices() -> None:
    # Given a VAT invoice with neither 小写 nor 大写 total
    result = invoice(total_amount=None, total_in_words=None)
    # When validated / Then 价税合计 = 金额 + 税额
    assert validate(result, today=TODAY).fields.total_amount == Decimal("1130.00")


def test_amounts_are_not_computed_on_receipts() -> None:
    # Given a receipt (subtotal/total may include service charge and rounding)
    result = invoice(DocumentType.RECEIPT, tax_amount=None, invoice_code=None, check_code=None)
    # When validated / Then no tax is invented
    assert validate(result, today=TODAY).fields.tax_amount is None


def test_a_computed_value_with_the_wrong_sign_is_not_filled() -> None:
    # Given a total below the pre-tax amount (one of them misread) and no tax
    result = invoice(tax_amount=None, total_amount=Decimal("113.00"), total_in_words=None)
    # When validated / Then no negative tax is invented
    assert validate(result, today=TODAY).fields.tax_amount is None


def test_receipt_sums_that_do_not_add_up_are_not_flagged() -> None:
    # Given a Malaysian receipt: subtotal 10.00 + SST 0.60 but total 11.60 (service charge)
    result = invoice(
        DocumentType.RECEIPT,
        invoice_code=None,
        check_code=None,
        seller_tax_id=None,
        buyer_tax_id=None,
        currency="MYR",
        amount_excluding_tax=Decimal("10.00"),
        tax_amount=Decimal("0.60"),
        total_amount=Decimal("11.60"),
        total_in_words=None,
        line_items=[LineItem(name="NASI LEMAK", amount=Decimal("9.00"), tax_rate="6%")],
    )
    # When validated / Then neither the sum, the lines nor the foreign rate is flagged
    assert validate(result, today=TODAY).warnings == []


def test_line_amounts_that_do_not_sum_to_the_pre_tax_total() -> None:
    # Given line amounts 600 + 300 for a 合计金额 of 1000
    lines = [
        LineItem(name="a", amount=Decimal("600.00"), tax_rate="13%", tax_amount=Decimal("78.00")),
        LineItem(name="b", amount=Decimal("300.00"), tax_rate="13%", tax_amount=Decimal("39.00")),
    ]
    # When validated
    validated = validate(
        invoice(
            line_items=lines,
            tax_amount=Decimal("117.00"),
            total_amount=Decimal("1117.00"),
            total_in_words=None,
        ),
        today=TODAY,
    )
    # Then the mismatch names both sums
    warning = warning_for(validated, "line_items_mismatch")
    assert warning.field == "amount_excluding_tax"
    assert "900.00" in warning.message and "1000.00" in warning.message


def test_line_taxes_may_differ_by_one_cent_per_line() -> None:
    # Given three lines whose taxes sum to 0.02 below the 合计税额 (rounding per line)
    lines = [
        LineItem(name=str(i), amount=Decimal("333.33"), tax_rate="6%", tax_amount=Decimal("20.00"))
        for i in range(3)
    ]
    result = invoice(
        line_items=lines,
        amount_excluding_tax=Decimal("999.99"),
        tax_amount=Decimal("60.02"),
        total_amount=Decimal("1060.01"),
        total_in_words=None,
    )
    # When validated / Then no line-item warning
    assert "line_items_mismatch" not in codes(validate(result, today=TODAY))


def test_line_taxes_beyond_the_per_line_tolerance() -> None:
    # Given one line whose tax is 0.02 off the 合计税额 and whose own tax fits its rate
    lines = [
        LineItem(name="a", amount=Decimal("1000.00"), tax_rate="13%", tax_amount=Decimal("130.00"))
    ]
    result = invoice(
        line_items=lines,
        tax_amount=Decimal("130.02"),
        total_amount=Decimal("1130.02"),
        total_in_words=None,
    )
    # When validated / Then the tax sum is flagged
    warning = warning_for(validate(result, today=TODAY), "line_items_mismatch")
    assert warning.field == "tax_amount"


def test_line_tax_that_does_not_match_its_rate() -> None:
    # Given a line 1000.00 at 13% with a tax of 90.00 (a 9% rate misread as 13%?)
    lines = [
        LineItem(name="a", amount=Decimal("1000.00"), tax_rate="13%", tax_amount=Decimal("90.00"))
    ]
    result = invoice(
        line_items=lines,
        tax_amount=Decimal("90.00"),
        total_amount=Decimal("1090.00"),
        total_in_words=None,
    )
    # When validated / Then the line is flagged with the expected tax
    warning = warning_for(validate(result, today=TODAY), "line_items_mismatch")
    assert "line 1" in warning.message and "130.00" in warning.message


@pytest.mark.parametrize(
    ("printed", "canonical"),
    [
        ("13%", "13%"),
        ("0.13", "13%"),
        ("６％", "6%"),
        ("免税", "免税"),
        ("不征税", "不征税"),
        ("1.5%", "1.5%"),
        ("abc", None),
    ],
)
def test_normalize_tax_rate(printed: str, canonical: str | None) -> None:
    # Given a rate as printed / When normalised / Then the canonical form
    assert normalize_tax_rate(printed) == canonical


def test_tax_rate_unusual() -> None:
    # Given a line at the pre-2018 rate of 17%
    lines = [
        LineItem(name="a", amount=Decimal("1000.00"), tax_rate="17%", tax_amount=Decimal("170.00"))
    ]
    result = invoice(
        line_items=lines,
        tax_amount=Decimal("170.00"),
        total_amount=Decimal("1170.00"),
        total_in_words=None,
    )
    # When validated / Then the rate is flagged, naming it
    warning = warning_for(validate(result, today=TODAY), "tax_rate_unusual")
    assert "17%" in warning.message


def test_exempt_lines_are_usual_and_rates_are_written_canonically() -> None:
    # Given an exempt line and a line written as a fraction
    lines = [
        LineItem(name="a", amount=Decimal("500.00"), tax_rate="免税", tax_amount=Decimal("0")),
        LineItem(name="b", amount=Decimal("500.00"), tax_rate="0.13", tax_amount=Decimal("65.00")),
    ]
    result = invoice(
        line_items=lines,
        tax_amount=Decimal("65.00"),
        total_amount=Decimal("1065.00"),
        total_in_words=None,
    )
    # When validated / Then no warning and the fraction became 13%
    validated = validate(result, today=TODAY)
    assert validated.warnings == []
    assert [item.tax_rate for item in validated.fields.line_items] == ["免税", "13%"]


# --- validate: dates -------------------------------------------------------------------------


def test_date_future_beyond_one_day_of_slack() -> None:
    # Given an invoice dated two days after today
    result = invoice(issue_date=TODAY + dt.timedelta(days=2), confidence={"issue_date": 0.9})
    # When validated / Then it is flagged and believed less
    validated = validate(result, today=TODAY)
    assert "2024-06-03" in warning_for(validated, "date_future").message
    assert validated.confidence["issue_date"] < 0.9


def test_tomorrow_is_within_the_time_zone_slack() -> None:
    # Given an invoice dated tomorrow (issuer in UTC+8, server behind) / Then no warning
    result = invoice(issue_date=TODAY + dt.timedelta(days=1))
    assert "date_future" not in codes(validate(result, today=TODAY))


def test_date_too_old_after_five_years() -> None:
    # Given invoices dated exactly five years and five years plus a day before today
    at_limit = invoice(issue_date=dt.date(2019, 6, 1))
    beyond = invoice(issue_date=dt.date(2019, 5, 31))
    # When validated / Then only the older one is flagged
    assert "date_too_old" not in codes(validate(at_limit, today=TODAY))
    assert "2019-05-31" in warning_for(validate(beyond, today=TODAY), "date_too_old").message


def test_date_too_old_handles_leap_day_today() -> None:
    # Given today is 29 February / When the limit is computed / Then 28 Feb five years ago
    result = invoice(issue_date=dt.date(2019, 2, 28))
    assert "date_too_old" not in codes(validate(result, today=dt.date(2024, 2, 29)))


def foreign_receipt(**overrides: Any) -> ExtractionResult:
    """A Malaysian till receipt as the receipt parser reads it."""
    values: dict[str, Any] = {
        "invoice_code": None,
        "check_code": None,
        "seller_tax_id": None,
        "buyer_name": None,
        "buyer_tax_id": None,
        "amount_excluding_tax": None,
        "tax_amount": None,
        "total_in_words": None,
        "line_items": [],
        "seller_name": "KEDAI PAPAN YEW CHUAN",
        "currency": "MYR",
        "total_amount": Decimal("23.00"),
    }
    return invoice(DocumentType.RECEIPT, **(values | overrides))


def test_an_old_receipt_is_not_too_old_to_verify() -> None:
    # Given a till receipt six years old (no tax office verifies receipts at any age)
    result = foreign_receipt(issue_date=dt.date(2018, 3, 5), invoice_number=None)
    # When validated / Then no date_too_old: the claim policy judges a receipt's age
    assert "date_too_old" not in codes(validate(result, today=TODAY))


def test_an_old_invoice_of_a_type_verified_by_number_is_still_too_old() -> None:
    # Given a 出租车发票 (verified by code and number) six years old
    result = invoice(DocumentType.TAXI_RECEIPT, issue_date=dt.date(2018, 3, 5), check_code=None)
    # When validated / Then it is outside the verification window
    assert "date_too_old" in codes(validate(result, today=TODAY))


@pytest.mark.parametrize(
    ("document_type", "number"),
    [(DocumentType.RECEIPT, "CS00012345"), (DocumentType.TRAIN_TICKET, "E012345")],
)
def test_a_number_with_letters_fits_a_type_without_a_fixed_format(
    document_type: DocumentType, number: str
) -> None:
    # Given a shop's receipt number or a train ticket's red serial (letters and digits)
    result = foreign_receipt(issue_date=dt.date(2024, 5, 1), invoice_number=number)
    result = result.replace(document_type=document_type)
    # When validated / Then it is not a format failure: these types have no fixed format
    validated = validate(result, today=TODAY)
    assert "invoice_number_format" not in codes(validated)
    assert validated.evidence["invoice_number"].format_failed == 0


# --- validate: formats and required fields -------------------------------------------------


def test_invoice_code_format_wrong_length() -> None:
    # Given a 普票 with a 9-digit code / When validated / Then the length is flagged
    validated = validate(invoice(invoice_code="110019132"), today=TODAY)
    assert "9 digits" in warning_for(validated, "invoice_code_format").message


def test_invoice_code_format_eighth_digit_contradicts_type() -> None:
    # Given a 专票 whose 10-digit code says 普票 (8th digit 3)
    result = invoice(DocumentType.VAT_SPECIAL, invoice_code=GENERAL_CODE)
    # When validated / Then the contradiction is flagged
    warning = warning_for(validate(result, today=TODAY), "invoice_code_format")
    assert "8th digit 3" in warning.message


def test_invoice_code_format_on_a_digital_invoice_that_has_none() -> None:
    # Given a 数电票 with a code (it has none) and a 20-digit number
    result = invoice(
        DocumentType.DIGITAL_INVOICE, invoice_number="24312000000012345678", check_code=None
    )
    # When validated / Then the code is flagged and the number accepted
    validated = validate(result, today=TODAY)
    assert warning_for(validated, "invoice_code_format").field == "invoice_code"
    assert "invoice_number_format" not in codes(validated)


def test_invoice_number_format_twenty_digits_on_a_paper_invoice() -> None:
    # Given a 普票 carrying a 20-digit number / When validated
    result = invoice(invoice_number="24312000000012345678")
    warning = warning_for(validate(result, today=TODAY), "invoice_number_format")
    # Then the hint points at the 数电票 type
    assert "digital_invoice" in warning.message


def test_invoice_number_format_short_number_on_a_digital_invoice() -> None:
    # Given a 数电票 whose number has 8 digits / When validated / Then it is flagged
    result = invoice(DocumentType.DIGITAL_INVOICE, invoice_code=None, check_code=None)
    assert "20" in warning_for(validate(result, today=TODAY), "invoice_number_format").message


@pytest.mark.parametrize("check_code", ["1234567890123456789", "1234567890123456789A"])
def test_check_code_format(check_code: str) -> None:
    # Given a 普票 check code with 19 digits or a letter / When validated / Then flagged
    validated = validate(invoice(check_code=check_code), today=TODAY)
    assert warning_for(validated, "check_code_format").field == "check_code"


def test_check_code_spaces_are_removed() -> None:
    # Given a check code printed in groups / When validated / Then digits only remain
    validated = validate(invoice(check_code="12345 67890 12345 67890"), today=TODAY)
    assert validated.fields.check_code == "12345678901234567890"
    assert validated.warnings == []


def test_missing_required_for_verification_of_a_general_invoice() -> None:
    # Given a 普票 without a check code (needed for 发票查验) / When validated
    validated = validate(invoice(check_code=None), today=TODAY)
    # Then exactly that field is reported missing
    warning = warning_for(validated, "missing_required")
    assert warning.field == "check_code"


def test_electronic_invoice_needs_check_code_or_pre_tax_amount() -> None:
    # Given a 电子发票 with the pre-tax amount but no check code
    result = invoice(DocumentType.VAT_ELECTRONIC, invoice_code="044031900111", check_code=None)
    # When validated / Then nothing is missing
    assert "missing_required" not in codes(validate(result, today=TODAY))


def test_digital_invoice_does_not_require_a_code() -> None:
    # Given a complete 数电票 (no code, 20-digit number)
    result = invoice(
        DocumentType.DIGITAL_INVOICE,
        invoice_code=None,
        check_code=None,
        invoice_number="24312000000012345678",
    )
    # When validated / Then no warnings at all
    assert validate(result, today=TODAY).warnings == []


def test_expected_formats_for_digital_invoices() -> None:
    # Given the 数电票 rule / Then no code is allowed and numbers have 20 digits
    rule = expected_formats(DocumentType.DIGITAL_INVOICE)
    assert rule.invoice_code_lengths == frozenset()
    assert rule.invoice_number_lengths == frozenset({20})


def test_every_document_type_has_a_format_rule() -> None:
    # Given every document type / Then a rule exists that requires the total
    for document_type in DocumentType:
        assert ("total_amount",) in expected_formats(document_type).required


def test_currency_unknown() -> None:
    # Given a currency that is no ISO 4217 code / When validated / Then it is flagged
    validated = validate(invoice(currency="XYZ"), today=TODAY)
    assert "'XYZ'" in warning_for(validated, "currency_unknown").message


def test_currency_aliases_become_iso_codes() -> None:
    # Given 人民币 as currency / When validated / Then CNY, no warning
    validated = validate(invoice(currency="人民币"), today=TODAY)
    assert validated.fields.currency == "CNY"
    assert validated.warnings == []


# --- every warning code is exercised -------------------------------------------------------

SCENARIOS: dict[str, ExtractionResult] = {
    "uscc_checksum": invoice(seller_tax_id="91110000600037341M"),
    "uscc_repaired": invoice(seller_tax_id="9I110000600037341L"),
    "words_mismatch": invoice(total_in_words="壹仟贰佰叁拾圆整"),
    "words_unparseable": invoice(total_in_words="壹仟X"),
    "total_repaired": invoice(total_amount=Decimal("1730.00")),
    "arithmetic_mismatch": invoice(total_amount=Decimal("1200.00"), total_in_words=None),
    "line_items_mismatch": invoice(line_items=[LineItem(amount=Decimal("1.00"))]),
    "date_future": invoice(issue_date=dt.date(2025, 1, 1)),
    "date_too_old": invoice(issue_date=dt.date(2010, 1, 1)),
    "tax_rate_unusual": invoice(line_items=[LineItem(amount=Decimal("1000.00"), tax_rate="11%")]),
    "invoice_code_format": invoice(invoice_code="12AB"),
    "invoice_number_format": invoice(invoice_number="123"),
    "check_code_format": invoice(check_code="123"),
    "missing_required": invoice(invoice_number=None),
    "currency_unknown": invoice(currency="ZZZ"),
    "seller_is_buyer": invoice(buyer_name="北京某某科技有限公司", buyer_tax_id=SELLER),
    "name_not_a_party": invoice(seller_name="北京某某科技有限公司发票专用章"),
    "date_before_document_type": invoice(
        DocumentType.DIGITAL_INVOICE,
        invoice_code=None,
        invoice_number="21440000000012345678",
        check_code=None,
        issue_date=dt.date(2021, 6, 1),
    ),
}


def test_every_warning_code_has_a_scenario() -> None:
    # Given the documented warning codes / Then each has a scenario below
    assert set(SCENARIOS) == WARNING_CODES


@pytest.mark.parametrize("code", sorted(SCENARIOS))
def test_scenario_raises_its_warning_code_alone(code: str) -> None:
    # Given a consistent invoice broken in one way / When validated
    validated = validate(SCENARIOS[code], today=TODAY)
    # Then exactly that code is raised, with a message
    assert codes(validated) == [code]
    assert validated.warnings[0].message


# --- checks a parser made itself (a receipt's cash and change) ---------------------------


def till_receipt_result(**evidence_checks: tuple[str, ...]) -> ExtractionResult:
    """An OCR reading of a Malaysian receipt whose parser verified the named fields."""
    fields = InvoiceFields(
        issue_date=dt.date(2024, 5, 1),
        seller_name="KEDAI RUNCIT MAJU JAYA SDN BHD",
        total_amount=Decimal("46.60"),
        currency="MYR",
    )
    return ExtractionResult(
        document_type=DocumentType.RECEIPT,
        fields=fields,
        confidence={"total_amount": 0.9},
        engine="ocr",
        evidence={
            name: FieldEvidence(field=name, checks=checks)
            for name, checks in evidence_checks.items()
        },
    )


def test_a_parsers_cash_less_change_check_is_recorded_for_the_total() -> None:
    # Given a receipt whose parser found CASH - CHANGE equal to the total
    result = till_receipt_result(total_amount=(calibration.TENDER,))
    # When validated
    validated = validate(result, today=TODAY)
    # Then the total's evidence carries the check, and it counts in the confidence
    assert validated.evidence["total_amount"].checks == (calibration.TENDER,)
    unchecked = validate(till_receipt_result(), today=TODAY)
    assert validated.confidence["total_amount"] > unchecked.confidence["total_amount"]


def test_only_the_checks_a_parser_makes_are_taken_from_its_evidence() -> None:
    # Given incoming evidence that claims 大写 = 小写 and a checksum (validation's own checks)
    result = till_receipt_result(total_amount=(calibration.WORDS, calibration.CHECKSUM))
    # When validated / Then validation does not take its own checks on trust
    assert validate(result, today=TODAY).evidence["total_amount"].checks == ()


def test_a_parsers_check_does_not_follow_a_value_validation_repaired() -> None:
    # Given a 小写 total misread as 1180.00 that the 大写 and 金额 + 税额 repair to 1130.00,
    # with a (stale) parser check on the value as read
    result = invoice(
        total_amount=Decimal("1180.00"),
        evidence={"total_amount": FieldEvidence(field="total_amount", checks=("tender",))},
    )
    # When validated
    validated = validate(result, today=TODAY)
    # Then the repaired total has the document's own checks, not the parser's
    assert validated.fields.total_amount == Decimal("1130.00")
    assert calibration.TENDER not in validated.evidence["total_amount"].checks


def test_a_sum_validation_checks_itself_is_not_counted_twice() -> None:
    # Given a receipt whose subtotal + tax = total, which its parser verified as well
    sums = {"amount_excluding_tax": Decimal("43.96"), "tax_amount": Decimal("2.64")}
    result = till_receipt_result(total_amount=(calibration.ARITHMETIC,))
    result = result.replace(fields=dataclasses.replace(result.fields, **sums))
    # When validated
    validated = validate(result, today=TODAY)
    # Then the check is recorded once: the confidence is the same as without the parser's
    alone = validate(result.replace(evidence={}), today=TODAY)
    assert validated.evidence["total_amount"].checks == (calibration.ARITHMETIC,)
    assert validated.confidence["total_amount"] == alone.confidence["total_amount"]


def test_the_rivals_a_parser_chose_a_name_among_reach_its_evidence() -> None:
    # Given a receipt whose parser chose the seller's name among 2 plausible header lines
    result = till_receipt_result().replace(
        evidence={"seller_name": FieldEvidence(field="seller_name", candidates=2)}
    )
    # When validated
    validated = validate(result, today=TODAY)
    # Then the name's evidence says it was contested
    assert validated.evidence["seller_name"].candidates == 2


def test_a_name_without_rivals_stays_single() -> None:
    # Given a receipt whose parser handed no evidence for the seller's name
    # When validated / Then the name had one candidate
    assert validate(till_receipt_result(), today=TODAY).evidence["seller_name"].candidates == 1


def test_rivals_do_not_follow_a_name_validation_changed() -> None:
    # Given a contested seller name read with a seal caption glued to it
    result = invoice(
        seller_name="北京某某科技有限公司(章):",
        evidence={"seller_name": FieldEvidence(field="seller_name", candidates=3)},
    )
    # When validated (the caption is dropped: the value is no longer the one counted)
    validated = validate(result, today=TODAY)
    # Then the count is not carried over to the changed value
    assert validated.fields.seller_name == "北京某某科技有限公司"
    assert validated.evidence["seller_name"].candidates == 1


def test_a_receipt_subtotal_with_a_zero_tax_does_not_verify_its_total() -> None:
    # Given a receipt whose subtotal 46.60 + tax 0.00 = total 46.60
    sums = {"amount_excluding_tax": Decimal("46.60"), "tax_amount": Decimal("0.00")}
    result = till_receipt_result()
    result = result.replace(fields=dataclasses.replace(result.fields, **sums))
    # When validated / Then no sum check is recorded: the subtotal only repeats the total
    assert validate(result, today=TODAY).evidence["total_amount"].checks == ()


def test_a_total_the_parser_computed_from_others_reaches_its_evidence_as_computed() -> None:
    # Given a receipt whose parser computed its total from other amounts (none read it)
    result = till_receipt_result().replace(
        evidence={"total_amount": FieldEvidence(field="total_amount", computed=True)}
    )
    # When validated
    validated = validate(result, today=TODAY)
    # Then the total's evidence says it was computed, not read
    assert validated.evidence["total_amount"].computed
