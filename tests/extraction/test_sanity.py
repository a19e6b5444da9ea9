"""Sanity checks: values of the right shape that cannot be right (extraction.sanity and
the warnings validation raises from it)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from extraction.sanity import not_a_party, same_party, strip_captions
from extraction.schema import DocumentType, ExtractionResult, FieldSource, LineItem
from extraction.validation import validate
from tests.extraction.test_validation import BUYER, SELLER, TODAY, codes, invoice, warning_for


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("上海星河贸易有限公司发票专用章", "a seal caption"),
        ("财务专用章", "a seal caption"),
        ("全国统一发票监制章", "a seal caption"),
        ("北京印钞有限公司印制", "a printing house's imprint"),
        ("上海华联印刷厂", "a printing house's imprint"),
        ("国家税务总局上海市税务局监制", "a printing house's imprint"),
        ("上海增值税专用发票", "a document title"),
        ("电子发票（普通发票）", "a document title"),
        ("航空运输电子客票行程单", "a document title"),
        ("名　　称", "a field label"),
        ("纳 税 人 识 别 号", "a field label"),
        ("销售方：（章）", "a field label"),
        ("(章):", "a field label"),
    ],
)
def test_not_a_party_names_the_kind_of_text(text: str, reason: str) -> None:
    # Given text printed near the party fields that is no name / Then the reason is given
    assert not_a_party(text) == reason


@pytest.mark.parametrize(
    "name",
    [
        "上海星河贸易有限公司",
        "个人",
        "ABC TRADING SDN BHD",
        "北京发票服务中心有限公司",
        "天元印务有限公司",
        "华彩印刷有限公司",
    ],
)
def test_real_names_pass(name: str) -> None:
    # Given real party names / Then none is rejected
    assert not_a_party(name) is None


@pytest.mark.parametrize(
    "glued",
    [
        "上海星河贸易有限公司(章):",
        "上海星河贸易有限公司（章）",
        "名称：上海星河贸易有限公司",
        "销售方(章):上海星河贸易有限公司",
    ],
)
def test_strip_captions_keeps_the_name(glued: str) -> None:
    # Given a name with a caption glued to it / Then only the name remains
    assert strip_captions(glued) == "上海星河贸易有限公司"


def test_strip_captions_leaves_a_bare_caption_alone() -> None:
    # Given a caption with no name in it / Then it is returned as is (nothing to keep)
    assert strip_captions("销售方：（章）") == "销售方：（章）"


def test_same_party_ignores_spacing_width_and_case() -> None:
    assert same_party("上海星河贸易有限公司", "上海星河贸易 有限公司")
    assert same_party("91440300ma5ejrpexf", "91440300MA5EJRPEXF")
    assert not same_party("上海星河贸易有限公司", "上海星河商贸有限公司")
    assert not same_party(None, "x")


# --- seller is not the buyer ---------------------------------------------------------------


def test_seller_name_equal_to_buyer_name_is_flagged_and_both_lose_confidence() -> None:
    # Given the buyer's name read into the seller's field too
    result = invoice(seller_name="深圳某某有限公司")
    clean = validate(invoice(), today=TODAY)
    # When validated
    validated = validate(result, today=TODAY)
    # Then a seller_is_buyer warning names the value, and both names are doubted
    assert "'深圳某某有限公司'" in warning_for(validated, "seller_is_buyer").message
    for name in ("seller_name", "buyer_name"):
        assert validated.confidence[name] < clean.confidence[name]
    assert validated.confidence["seller_tax_id"] == clean.confidence["seller_tax_id"]


def test_seller_tax_id_equal_to_buyer_tax_id_is_flagged() -> None:
    # Given one tax ID in both fields
    validated = validate(invoice(seller_tax_id=BUYER), today=TODAY)
    # Then the warning is on the tax IDs and both lose confidence
    warning = warning_for(validated, "seller_is_buyer")
    assert warning.field == "seller_tax_id"
    clean = validate(invoice(), today=TODAY)
    assert validated.confidence["buyer_tax_id"] < clean.confidence["buyer_tax_id"]
    assert validated.confidence["seller_tax_id"] < clean.confidence["seller_tax_id"]


def test_distinct_parties_raise_nothing() -> None:
    assert "seller_is_buyer" not in codes(validate(invoice(), today=TODAY))
    assert SELLER != BUYER


# --- a name is never a seal caption, imprint, title or label --------------------------------


@pytest.mark.parametrize(
    "name", ["发票专用章", "北京印钞有限公司印制", "上海增值税专用发票", "纳税人识别号"]
)
def test_seller_name_that_is_no_name_is_flagged(name: str) -> None:
    # Given a seller name that is seal, imprint, title or label text
    validated = validate(invoice(seller_name=name), today=TODAY)
    # Then name_not_a_party says what it is, and the name is doubted
    warning = warning_for(validated, "name_not_a_party")
    assert warning.field == "seller_name"
    assert (
        validated.confidence["seller_name"]
        < validate(invoice(), today=TODAY).confidence["seller_name"]
    )


def test_caption_glued_to_a_name_is_removed_without_a_warning() -> None:
    # Given a buyer name with the (章): caption glued on
    validated = validate(invoice(buyer_name="深圳某某有限公司(章):"), today=TODAY)
    # Then the caption is gone and nothing is flagged
    assert validated.fields.buyer_name == "深圳某某有限公司"
    assert validated.warnings == []


def test_exact_name_is_never_rewritten() -> None:
    # Given a name from the issuer's XML that ends in a caption-like text
    result = invoice(seller_name="北京某某科技有限公司(章)")
    result.sources["seller_name"] = FieldSource.XML
    # Then it is kept as the issuer wrote it
    assert validate(result, today=TODAY).fields.seller_name == "北京某某科技有限公司(章)"


# --- dates not before the document type existed --------------------------------------------


def _digital(day: dt.date) -> ExtractionResult:
    return invoice(
        DocumentType.DIGITAL_INVOICE,
        invoice_code=None,
        invoice_number="21440000000012345678",
        check_code=None,
        issue_date=day,
    )


def test_digital_invoice_before_december_2021_is_flagged() -> None:
    validated = validate(_digital(dt.date(2021, 11, 30)), today=TODAY)
    assert "2021-12-01" in warning_for(validated, "date_before_document_type").message


def test_digital_invoice_from_december_2021_passes() -> None:
    validated = validate(_digital(dt.date(2021, 12, 1)), today=TODAY)
    assert "date_before_document_type" not in codes(validated)


def test_electronic_invoice_before_2015_is_flagged() -> None:
    # Given an 增值税电子普通发票 dated 2014 (checked against a "today" that keeps it in the
    # verifiable window)
    result = invoice(
        DocumentType.VAT_ELECTRONIC, invoice_code="011001400111", issue_date=dt.date(2014, 7, 1)
    )
    validated = validate(result, today=dt.date(2015, 6, 1))
    assert codes(validated) == ["date_before_document_type"]


# --- line items against the total when 合计金额 is missing ------------------------------------


def test_line_items_against_total_without_amount_excluding_tax() -> None:
    # Given a VAT invoice with neither 合计金额 nor 合计税额, whose lines add up to less
    result = invoice(
        amount_excluding_tax=None,
        tax_amount=None,
        total_in_words=None,
        line_items=[
            LineItem(amount=Decimal("500.00"), tax_rate="13%", tax_amount=Decimal("65.00"))
        ],
    )
    # Then line_items_mismatch is raised on the total
    warning = warning_for(validate(result, today=TODAY), "line_items_mismatch")
    assert warning.field == "total_amount"
    assert "565.00" in warning.message


def test_line_items_that_sum_to_the_total_support_it() -> None:
    result = invoice(amount_excluding_tax=None, tax_amount=None, total_in_words=None)
    validated = validate(result, today=TODAY)
    assert validated.warnings == []
    alone = validate(
        invoice(amount_excluding_tax=None, tax_amount=None, total_in_words=None, line_items=[]),
        today=TODAY,
    )
    assert validated.confidence["total_amount"] > alone.confidence["total_amount"]


def test_strip_captions_keeps_the_spaces_inside_a_name() -> None:
    # given an English name with a colon OCR glued to its end / then only the colon goes
    assert strip_captions("GOLDEN SPOON SDN. BHD.:") == "GOLDEN SPOON SDN. BHD."
