"""Document-type classification from titles, keywords and code shapes."""

from __future__ import annotations

import pytest

from extraction.classify import classify_lines, classify_text
from extraction.engines.base import OcrLine
from extraction.schema import DocumentType


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("浙江增值税电子普通发票\n发票代码：033002000711", DocumentType.VAT_ELECTRONIC),
        ("增值税专用发票\n发票代码：1100094140", DocumentType.VAT_SPECIAL),
        ("增值税支用发票", DocumentType.VAT_SPECIAL),  # 专 misread as 支
        ("增值税普通发票\n发票代码：3200191130", DocumentType.VAT_GENERAL),
        ("电子发票(普通发票)\n发票号码：25117000000123456789", DocumentType.DIGITAL_INVOICE),
        ("湖南省通用定额发票\n发票代码143001635517", DocumentType.QUOTA_INVOICE),
        ("重庆市酉阳汽车运输公司客运专用发票", DocumentType.BUS_TICKET),
        ("杭州市出租汽车专用发票", DocumentType.TAXI_RECEIPT),
        ("浙江省高速公路\n车辆通行费专用发票", DocumentType.TOLL_RECEIPT),
        ("航空运输电子客票行程单", DocumentType.AIR_ITINERARY),
        ("E012345\n北京南站 G123 上海虹桥站\n二等座", DocumentType.TRAIN_TICKET),
        ("SUBTOTAL 10.00\nTOTAL 10.60\nCASH 20.00", DocumentType.RECEIPT),
        ("hello world", DocumentType.OTHER),
    ],
)
def test_titles_and_keywords_decide_the_type(text: str, expected: DocumentType) -> None:
    # given a document's text / when classified / then the type matches its title
    assert classify_text(text) == expected


def test_code_shape_decides_when_the_title_is_unreadable() -> None:
    # given an unreadable title and a 10-digit code whose 8th digit is 1 (专票)
    text = "发票\n发票代码：4400191160\n发票号码：12345678"
    # when classified / then it is a 专票
    assert classify_text(text) == DocumentType.VAT_SPECIAL


def test_latin_script_receipt_with_tax_invoice_words_is_a_receipt() -> None:
    # given an English receipt whose spaces OCR dropped ("TAXINVOICE" contains "TAXI")
    lines = [
        OcrLine(((0, 10 * i), (200, 10 * i), (200, 10 * i + 8), (0, 10 * i + 8)), text, 0.9)
        for i, text in enumerate(["KEDAI MAJU SDN BHD", "TAXINVOICE", "TOTAL 12.00", "CASH 20.00"])
    ]
    # when classified / then it is a receipt, not a taxi receipt
    assert classify_lines(lines) == DocumentType.RECEIPT


def test_ticket_words_win_over_a_bare_special_invoice_title() -> None:
    # given a toll receipt whose title lost 通 (车辆行费专用发票) and a toll body
    text = "\n".join(
        ["江苏高速公路", "车辆行费专用发票", "发票代码:132002531715", "出口:佛山", "金额:¥154.00元"]
    )
    # when classified
    kind = classify_text(text, title="车辆行费专用发票")
    # then the body's toll words decide, not the 专用发票 in the title
    assert kind == DocumentType.TOLL_RECEIPT
