"""Parsing realistic model answers (GLM-4.6V and friends) into invoice fields."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from extraction.parsing.model_answer import clean_answer_text, parse_answer, render_answer
from extraction.prompts import KEYS_OF
from extraction.schema import DocumentType, InvoiceFields, LineItem

CLEAN = (
    '{"document_type": "vat_special", "invoice_code": "1100153130", "invoice_number": '
    '"01234567", "issue_date": "2024-01-02", "seller_name": "北京示例科技有限公司", '
    '"seller_tax_id": "91110000600037341L", "buyer_name": null, "buyer_tax_id": null, '
    '"amount_excluding_tax": "1000.00", "tax_amount": "130.00", "total_amount": "1130.00", '
    '"total_in_words": "壹仟壹佰叁拾元整", "check_code": null, "currency": "CNY", '
    '"line_items": [{"name": "*信息技术服务*软件开发", "quantity": "1", "unit_price": "1000", '
    '"amount": "1000.00", "tax_rate": "13%", "tax_amount": "130.00"}]}'
)


def test_clean_json_parses_completely() -> None:
    fields, document_type, problems = parse_answer(CLEAN)
    assert problems == []
    assert document_type is DocumentType.VAT_SPECIAL
    assert fields.invoice_code == "1100153130"
    assert fields.issue_date == dt.date(2024, 1, 2)
    assert fields.total_amount == Decimal("1130.00")
    assert fields.seller_tax_id == "91110000600037341L"
    assert fields.line_items == [
        LineItem(
            name="*信息技术服务*软件开发",
            quantity=Decimal("1"),
            unit_price=Decimal("1000"),
            amount=Decimal("1000.00"),
            tax_rate="13%",
            tax_amount=Decimal("130.00"),
        )
    ]


def test_glm_thinking_and_answer_box_are_stripped() -> None:
    # given GLM's default output shape: reasoning, then the answer in a box
    text = (
        "<think>The header says 增值税专用发票, code top left.</think>"
        f"<|begin_of_box|>{CLEAN}<|end_of_box|>"
    )
    fields, document_type, problems = parse_answer(text)
    assert fields.total_amount == Decimal("1130.00")
    assert document_type is DocumentType.VAT_SPECIAL
    assert "answer_stripped_think" in problems and "answer_in_box" in problems


def test_only_a_closing_think_tag_when_the_template_opened_it() -> None:
    fields, _, _ = parse_answer(f"I read the invoice carefully.</think>\n{CLEAN}")
    assert fields.invoice_number == "01234567"


def test_answer_cut_off_while_thinking_has_no_fields() -> None:
    fields, _, problems = parse_answer('<think>First {"total": maybe 1130')
    assert fields.present() == []
    assert "answer_truncated_in_think" in problems
    assert "answer_no_json" in problems


def test_fenced_json_with_prose_around_it() -> None:
    text = f"Here are the extracted fields:\n```json\n{CLEAN}\n```\nLet me know if you need more."
    fields, _, problems = parse_answer(text)
    assert fields.seller_name == "北京示例科技有限公司"
    assert "answer_fenced" in problems


def test_prose_around_unfenced_json() -> None:
    text = 'Sure. {"total_amount": "88.00", "currency": "CNY"} These are the values.'
    fields, _, problems = parse_answer(text)
    assert fields.total_amount == Decimal("88.00")
    assert "answer_prose_around_json" in problems


def test_json_cut_off_inside_line_items_keeps_complete_members() -> None:
    # given an answer that hit the token limit in the middle of the second line item
    text = (
        '{"invoice_number": "01234567", "total_amount": "1130.00", "line_items": '
        '[{"name": "办公用品", "amount": "500.00"}, {"name": "打印'
    )
    fields, _, problems = parse_answer(text)
    # then everything complete before the cut is kept, the broken item is not invented
    assert fields.invoice_number == "01234567"
    assert fields.total_amount == Decimal("1130.00")
    assert [item.name for item in fields.line_items] == ["办公用品"]
    assert "answer_truncated" in problems


def test_json_cut_off_in_a_top_level_value() -> None:
    fields, _, problems = parse_answer('{"invoice_code": "1100153130", "seller_name": "北京示')
    assert fields.invoice_code == "1100153130"
    assert fields.seller_name is None
    assert "answer_truncated" in problems


def test_python_style_dict_with_single_quotes_and_trailing_commas() -> None:
    text = (
        "{'seller_name': \"McDonald's Sdn Bhd\", 'total_amount': 12.5, "
        "'currency': 'RM', 'buyer_name': None, 'line_items': [],}"
    )
    fields, _, problems = parse_answer(text)
    assert fields.seller_name == "McDonald's Sdn Bhd"
    assert fields.total_amount == Decimal("12.50")
    assert fields.currency == "MYR"
    assert "answer_json_repaired" in problems


def test_comments_and_curly_quotes_are_tolerated() -> None:
    text = '{\n  “invoice_number”: “12345678”, // 发票号码\n  "tax_amount": "6.00"\n}'
    fields, _, _ = parse_answer(text)
    assert fields.invoice_number == "12345678"
    assert fields.tax_amount == Decimal("6.00")


def test_chinese_keys_and_full_width_punctuation() -> None:
    # given an answer keyed by the printed labels, with full-width colons and commas
    text = (
        '{"发票代码"："011002100111"，"开票日期"："2023年07月15日"，"价税合计(小写)"："￥1,130.00"，'
        '"价税合计(大写)"："壹仟壹佰叁拾元整"，"发票类型"："增值税电子普通发票"}'
    )
    fields, document_type, _ = parse_answer(text)
    assert fields.invoice_code == "011002100111"
    assert fields.issue_date == dt.date(2023, 7, 15)
    assert fields.total_amount == Decimal("1130.00")
    assert fields.total_in_words == "壹仟壹佰叁拾元整"
    assert document_type is DocumentType.VAT_ELECTRONIC


def test_nested_seller_and_buyer_objects_are_flattened() -> None:
    text = (
        '{"seller": {"name": "A公司", "tax_id": "91440300 MA5EJRPEXF"}, '
        '"buyer": {"名称": "B公司", "纳税人识别号": "91110000600037341L"}}'
    )
    fields, _, problems = parse_answer(text)
    assert fields.seller_name == "A公司"
    assert fields.seller_tax_id == "91440300MA5EJRPEXF"
    assert fields.buyer_name == "B公司"
    assert fields.buyer_tax_id == "91110000600037341L"
    assert problems == []


def test_json_numbers_are_exact_decimals() -> None:
    fields, _, _ = parse_answer('{"amount_excluding_tax": 1000.10, "tax_amount": 130.01}')
    assert fields.amount_excluding_tax == Decimal("1000.10")
    assert fields.tax_amount == Decimal("130.01")


def test_unreadable_values_become_none_with_a_problem() -> None:
    fields, _, problems = parse_answer(
        '{"issue_date": "yesterday", "total_amount": "about a hundred", "currency": "??"}'
    )
    assert fields.issue_date is None and fields.total_amount is None and fields.currency is None
    assert {"bad_value:issue_date", "bad_value:total_amount", "bad_value:currency"} <= set(problems)


def test_placeholders_mean_missing_without_a_problem() -> None:
    fields, _, problems = parse_answer(
        '{"check_code": "", "buyer_name": "N/A", "invoice_code": "无"}'
    )
    assert fields.present() == []
    assert problems == []


def test_unknown_keys_are_reported_not_guessed() -> None:
    _, _, problems = parse_answer('{"total_amount": "1.00", "vibe": "good"}')
    assert problems == ["unknown_key:vibe"]


def test_an_answer_without_json() -> None:
    fields, document_type, problems = parse_answer("I cannot read this image, it is too blurry.")
    assert fields == InvoiceFields()
    assert document_type is None
    assert problems == ["answer_no_json"]


def test_a_json_array_is_not_an_answer() -> None:
    _, _, problems = parse_answer('["1130.00"]')
    assert "answer_no_json" in problems


def test_tax_rates_are_written_as_printed_percentages() -> None:
    text = (
        '{"line_items": [{"name": "a", "tax_rate": 0.13}, {"name": "b", "tax_rate": "6"}, '
        '{"name": "c", "tax_rate": "免税"}, {"name": "d", "tax_rate": "***"}]}'
    )
    fields, _, _ = parse_answer(text)
    assert [item.tax_rate for item in fields.line_items] == ["13%", "6%", "免税", None]


def test_render_answer_round_trips_through_the_parser() -> None:
    # given fields as a reviewer corrected them
    fields, document_type, _ = parse_answer(CLEAN)
    # when rendered as a training target and parsed back
    rendered = render_answer(fields, document_type, KEYS_OF["invoice"])
    again, again_type, problems = parse_answer(rendered)
    # then nothing is lost or changed
    assert again == fields
    assert again_type is document_type
    assert problems == []


def test_clean_answer_text_for_free_form_answers() -> None:
    text = "<think>hmm</think><|begin_of_box|>A taxi receipt from Shenzhen.<|end_of_box|>"
    assert clean_answer_text(text) == "A taxi receipt from Shenzhen."
