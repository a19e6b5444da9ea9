"""Value shapes and the small repairs of OCR damage that the parser makes."""

from __future__ import annotations

import pytest

from extraction.parsing.tickets import fare_value
from extraction.parsing.values import money_only, repair_name, tax_id_in, upper_words


@pytest.mark.parametrize(
    ("read", "repaired"),
    [
        ("嘉禾科技(厦门股份有限公司", "嘉禾科技(厦门)股份有限公司"),  # dropped bracket
        ("长沙市明珠建筑工程投份有限公司", "长沙市明珠建筑工程股份有限公司"),  # 股 misread
        ("上海星河贸易有限公可", "上海星河贸易有限公司"),
        ("川味便利店 (大学城店)", "川味便利店(大学城店)"),  # OCR space
        ("深圳电力有限公司", "深圳电力有限公司"),  # untouched
        ("个人", "个人"),
    ],
)
def test_company_name_repairs(read: str, repaired: str) -> None:
    assert repair_name(read) == repaired


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("⊗贰佰玖拾柒圆整", "贰佰玖拾柒圆整"),
        ("⑧壹仟零陆拾圆整", "壹仟零陆拾圆整"),
        ("参拾玖圆玖角整", "叁拾玖圆玖角整"),  # 叁 misread as 参
        ("仟壹倡伍拍贰元贰角集分", None),  # misread numerals: no partial amount
        ("价税合计(大写)", None),
    ],
)
def test_upper_case_amount_words(text: str, words: str | None) -> None:
    assert upper_words(text) == words


def test_tax_ids_are_found_but_check_codes_are_not() -> None:
    assert tax_id_in("纳税人识别号:91310114MA7B9J2J9N") == "91310114MA7B9J2J9N"
    assert tax_id_in("410305012345678") == "410305012345678"
    assert tax_id_in("47683049620080421726") is None  # 20 digits: a check code


def test_money_only_accepts_an_amount_box_and_nothing_else() -> None:
    assert str(money_only("(小写)¥1060.00")) == "1060.00"
    assert str(money_only("¥1,130.00")) == "1130.00"
    assert money_only("12345678") is None  # a number, not money


@pytest.mark.parametrize(
    ("text", "fare"),
    [
        ("¥59.5元", "59.50"),
        ("CNY 1310.00", "1310.00"),
        ("57.0元0X02G", "57.00"),  # seal text glued after the 元
        ("/48.0元", "48.00"),  # a seal stroke read as a slash before the value
        ("|36", "36.00"),
        ("7号车厢", None),
    ],
)
def test_fares_as_tickets_print_them(text: str, fare: str | None) -> None:
    value = fare_value(text)
    assert (str(value) if value is not None else None) == fare
