"""大写金额 writing and tolerant reading."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extraction.chinese_amount import amount_to_words, words_to_amount

YI_IN_CENTS = 10**10  # 1 亿 yuan

# Amounts below 1 亿 with two decimals, as integer cents.
below_one_yi = st.integers(min_value=0, max_value=YI_IN_CENTS - 1).map(
    lambda cents: Decimal(cents).scaleb(-2)
)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        # FACTS.md vectors
        ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
        ("325.04", "叁佰贰拾伍元零肆分"),
        ("100000.00", "壹拾万元整"),
        # the conventions chosen in the module docstring
        ("10.50", "壹拾元伍角整"),
        ("10.00", "壹拾元整"),
        ("0.50", "伍角整"),
        ("0.05", "伍分"),
        ("0.55", "伍角伍分"),
        ("0.00", "零元整"),
        ("1005.00", "壹仟零伍元整"),
        ("100500.00", "壹拾万零伍佰元整"),
        ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
        ("7018.83", "柒仟零壹拾捌元捌角叁分"),
        ("100000000.00", "壹亿元整"),
        ("105000000.00", "壹亿零伍佰万元整"),
        ("100010000.00", "壹亿零壹万元整"),
        ("99999999.99", "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ],
)
def test_amount_to_words_known_vectors(value: str, words: str) -> None:
    # Given a known amount / When written in 大写 / Then it matches the printed form
    assert amount_to_words(Decimal(value)) == words


def test_amount_to_words_prefixes_negative_amounts_with_fu() -> None:
    # Given a red-letter (negative) amount / When written / Then 负 precedes the words
    assert amount_to_words(Decimal("-325.04")) == "负叁佰贰拾伍元零肆分"


def test_amount_to_words_rounds_half_up_to_cents() -> None:
    # Given more than two decimals / When written / Then the amount is rounded half up
    assert amount_to_words(Decimal("0.125")) == "壹角叁分"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("壹万陆仟肆佰零玖元零贰分", "16409.02"),
        ("叁佰贰拾伍元零肆分", "325.04"),
        ("壹拾万元整", "100000.00"),
        ("肆拾玖圆陆角整", "49.60"),  # 圆 and 整 after 角, as printed
        ("壹仟壹佰叁拾圆正", "1130.00"),  # 正 for 整
        ("壹仟壹佰叁拾元", "1130.00"),  # 整 missing
        ("拾元", "10.00"),  # 定额发票: 拾 without 壹
        ("⊗壹仟壹佰叁拾圆整", "1130.00"),
        ("⑧壹仟壹佰叁拾圆整", "1130.00"),  # OCR's reading of ⊗
        ("ⓧ壹仟壹佰叁拾圆整", "1130.00"),
        ("壹 仟 壹 佰 叁 拾 圆 整", "1130.00"),
        ("⑧参佰贰拾伍国零肆分", "325.04"),  # 参->叁, 国->圆
        ("壹任元整", "1000.00"),  # 任->仟
        ("價稅合計(大写)⊗壹万元整(小写)¥10000.00", "10000.00"),
        ("伍角", "0.50"),
        ("壹仟陆佰捌拾元零叁角贰分", "1680.32"),  # 零 before 角 is also written
        ("负壹拾元整", "-10.00"),
        ("壹拾贰亿叁仟肆佰伍拾陆万柒仟捌佰玖拾元壹角贰分", "1234567890.12"),
    ],
)
def test_words_to_amount_reads_real_world_variants(text: str, value: str) -> None:
    # Given 大写 as printed or as OCR reads it / When parsed / Then the amount is exact
    assert words_to_amount(text) == Decimal(value)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "壹佰",  # no 元/角/分: more likely a truncated read than an amount
        "壹仟伍元整",  # 1500 or 1005? a 零 or a unit is missing
        "壹万伍元整",
        "伍佰伍佰元整",  # units must fall
        "壹贰元整",  # two digits without a unit
        "元整",
        "壹元贰元",
        "壹佰元伍分角",
        "伍零元整",
        "壹佰元负",
    ],
)
def test_words_to_amount_refuses_to_guess(text: str) -> None:
    # Given text that is not an unambiguous 大写 amount / When parsed / Then None
    assert words_to_amount(text) is None


@settings(max_examples=1000, deadline=None)
@given(below_one_yi)
def test_round_trip_for_every_amount_below_one_yi(value: Decimal) -> None:
    # Given any amount in [0, 1亿) with two decimals
    # When written in 大写 and read back / Then the same amount comes back
    assert words_to_amount(amount_to_words(value)) == value


@settings(max_examples=300, deadline=None)
@given(below_one_yi)
def test_round_trip_survives_printing_and_ocr_variants(value: Decimal) -> None:
    # Given the 大写 of an amount as the tax system prints it (圆) and as OCR garbles it
    words = amount_to_words(value)
    garbled = "⑧ " + words.replace("元", "国").replace("叁", "参").replace("整", "正")
    # When read / Then the amount is still exact
    assert words_to_amount(garbled) == value


def test_round_trip_for_every_zero_pattern() -> None:
    # Given every amount below 1亿 whose digits are 0 or 1 (all placements of 零), with
    # each kind of fraction / When written and read back / Then nothing is lost
    for digits in itertools.product("01", repeat=8):
        for fraction in ("00", "05", "50", "55"):
            value = Decimal(f"{''.join(digits)}.{fraction}")
            words = amount_to_words(value)
            assert words_to_amount(words) == value, words


@settings(max_examples=300, deadline=None)
@given(below_one_yi)
def test_written_form_follows_the_zero_rules(value: Decimal) -> None:
    # Given any amount / When written
    words = amount_to_words(value)
    # Then zeros are never doubled, never precede a 万/亿/元 unit, and 整 never follows 分
    assert "零零" not in words
    assert not any(f"零{unit}" in words for unit in "万亿拾佰仟")
    assert words == "零元整" or not words.startswith("零")
    assert not words.endswith("分整")


@settings(max_examples=200, deadline=None)
@given(below_one_yi.filter(lambda v: v > 0))
def test_negative_round_trip(value: Decimal) -> None:
    # Given a negative amount / When written and read back / Then the sign survives
    assert words_to_amount(amount_to_words(-value)) == -value
