"""The tolerant label matcher: OCR drops, swaps and merges label characters."""

from __future__ import annotations

import pytest

from extraction.parsing import labels as L


@pytest.mark.parametrize(
    ("text", "label", "rest"),
    [
        ("发票代码：033002000711", L.INVOICE_CODE, "033002000711"),
        ("发票代码143001635517", L.INVOICE_CODE, "143001635517"),
        ("校验6码：47683049620080421726", L.CHECK_CODE, "47683049620080421726"),
        ("纳税人别号：913301833281882112", L.TAX_ID, "913301833281882112"),
        ("统一社会信用代码/纳税人识别号:91120222MA05JNEN5Q", L.TAX_ID, "91120222MA05JNEN5Q"),
        ("开票日期:", L.ISSUE_DATE, ""),
    ],
)
def test_label_is_found_and_its_value_split_off(text: str, label: L.Label, rest: str) -> None:
    # given a box starting with a (possibly misread) label / when split / then the value remains
    assert L.split_label(text, label) == rest


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("税额", L.TAX_ID),  # a two-character label must match whole
        ("913301833281882112", L.TAX_ID),
        ("合计", L.TOTAL_WITH_TAX),
        ("地址、电话：杭州市", L.INVOICE_CODE),
        ("里程(公里)36.5", L.LOWER_CASE),  # brackets alone do not make (小写)
    ],
)
def test_other_text_is_not_taken_for_the_label(text: str, label: L.Label) -> None:
    # given text that only shares characters with a label / when split / then no match
    assert L.split_label(text, label) is None


@pytest.mark.parametrize(
    ("text", "label", "rest"),
    [
        ("(小喝)¥3152.27", L.LOWER_CASE, "¥3152.27"),  # half of 小写 read: still the caption
        ("开票日其:2025年01月05日", L.ISSUE_DATE, "2025年01月05日"),  # 期 read as 其
        ("升户行及账号:工商银行", L.BANK, "工商银行"),  # 开 read as 升
    ],
)
def test_damaged_captions_are_still_captions(text: str, label: L.Label, rest: str) -> None:
    # given a caption OCR damaged / when split / then its value remains
    assert L.split_label(text, label) == rest
