"""Tickets and 定额发票 from hand-placed OCR boxes (no OCR run)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from extraction.engines.base import OcrLine
from extraction.parsing.document import parse_lines
from extraction.schema import DocumentType


def box(x: float, y: float, text: str, *, h: float = 24) -> OcrLine:
    width = sum(h if re.match(r"[\u2e80-\uffff]", c) else 0.55 * h for c in text)
    return OcrLine(
        box=((x, y), (x + width, y), (x + width, y + h), (x, y + h)), text=text, score=0.97
    )


def test_bus_ticket_fare_under_a_split_caption() -> None:
    # given a coach ticket whose 票价 caption OCR split into 票 and 价, fare below it
    lines = [
        box(100, 30, "临安公路客运有限公司客运专用发票", h=34),
        box(220, 70, "发票联"),
        box(260, 110, "发票代码150421710208"),
        box(270, 150, "发票号码"),
        box(380, 150, "01304019"),
        box(270, 215, "到达站"),
        box(440, 215, "票"),
        box(485, 215, "价"),
        box(340, 245, "昌化"),
        box(470, 245, "36.0"),
        box(76, 280, "乘车日期"),
        box(216, 283, "开车时间"),
        box(99, 305, "2024-04-05"),
        box(259, 308, "12:15"),
    ]
    # when parsed
    parsed = parse_lines(lines)
    fields = parsed.fields
    # then the fare, the date under its caption and the title's company are found
    assert parsed.document_type == DocumentType.BUS_TICKET
    assert fields.total_amount == Decimal("36.00")
    assert fields.issue_date == dt.date(2024, 4, 5)
    assert fields.seller_name == "临安公路客运有限公司"
    assert (fields.invoice_code, fields.invoice_number) == ("150421710208", "01304019")


def test_quota_invoice_amount_comes_from_the_denomination_words() -> None:
    # given a 定额发票 whose only amount is the large 大写 denomination
    lines = [
        box(130, 40, "浙江省通用定额发票", h=44),
        box(220, 100, "发票联"),
        box(300, 170, "贰拾元", h=80),
        box(80, 260, "发票代码"),
        box(240, 260, "133012412345"),
        box(80, 305, "发票号码"),
        box(240, 305, "20481234"),
        box(80, 560, "收款单位（盖章）："),
    ]
    # when parsed
    parsed = parse_lines(lines)
    # then the words are kept as printed and the amount derived from them
    assert parsed.document_type == DocumentType.QUOTA_INVOICE
    assert parsed.fields.total_in_words == "贰拾元"
    assert parsed.fields.total_amount == Decimal("20.00")
    assert parsed.fields.issue_date is None
    assert parsed.fields.seller_name is None


def test_taxi_receipt_reads_short_year_dates_and_the_amount() -> None:
    # given a taxi meter receipt printing the date as yy-mm-dd
    lines = [box(100, 40, "杭州市出租汽车专用发票", h=38)]
    rows = [
        ("发票代码", "133012410001"),
        ("发票号码", "00123456"),
        ("车号", "浙A·T1234"),
        ("日期", "25-01-05"),
        ("上车", "08:10"),
        ("下车", "08:35"),
        ("金额", "46.00元"),
    ]
    for i, (caption, value) in enumerate(rows):
        lines += [box(60, 200 + 60 * i, caption), box(230, 200 + 60 * i, value)]
    # when parsed
    fields = parse_lines(lines).fields
    # then the date is read year first and the fare from 金额
    assert fields.issue_date == dt.date(2025, 1, 5)
    assert fields.total_amount == Decimal("46.00")
    assert fields.seller_name is None


def test_air_itinerary_takes_the_total_and_the_issue_date_not_the_flight() -> None:
    # given an itinerary: fare and total side by side, flight date and issue date
    lines = [
        box(500, 40, "航空运输电子客票行程单", h=44),
        box(1240, 150, "印刷序号："),
        box(1380, 150, "4031234567"),
        box(1060, 320, "日期 DATE", h=18),
        box(1060, 360, "2025-06-18"),
        box(80, 485, "票价 FARE", h=18),
        box(360, 485, "民航发展基金", h=18),
        box(1450, 485, "合计 TOTAL", h=18),
        box(80, 530, "CNY 1200.00"),
        box(360, 530, "CN 50.00"),
        box(1450, 530, "CNY 1310.00"),
        box(460, 720, "填开单位 ISSUED BY", h=18),
        box(460, 765, "上海携程航空服务有限公司"),
        box(1260, 720, "填开日期 DATE OF ISSUE", h=18),
        box(1260, 765, "2025-06-02"),
    ]
    # when parsed
    parsed = parse_lines(lines)
    fields = parsed.fields
    # then the 合计, the 填开日期, the issuing agency and the 印刷序号 are taken
    assert parsed.document_type == DocumentType.AIR_ITINERARY
    assert fields.total_amount == Decimal("1310.00")
    assert fields.issue_date == dt.date(2025, 6, 2)
    assert fields.seller_name == "上海携程航空服务有限公司"
    assert fields.invoice_number == "4031234567"


def test_train_ticket_serial_is_the_invoice_number() -> None:
    # given a paper train ticket with its red serial top left
    lines = [
        box(60, 40, "E012345", h=40),
        box(100, 150, "北京南站", h=56),
        box(560, 140, "G123", h=50),
        box(900, 150, "上海虹桥站", h=56),
        box(80, 300, "2025年03月09日08:00开", h=36),
        box(80, 370, "¥553.0元", h=40),
        box(900, 370, "二等座", h=36),
        box(80, 700, "10010300380709E012345 北京南售", h=28),
    ]
    # when parsed
    parsed = parse_lines(lines)
    fields = parsed.fields
    # then serial, travel date and fare are found
    assert parsed.document_type == DocumentType.TRAIN_TICKET
    assert fields.invoice_number == "E012345"
    assert fields.issue_date == dt.date(2025, 3, 9)
    assert fields.total_amount == Decimal("553.00")


def itinerary(
    money_row: list[tuple[float, str]], bottom: list[tuple[float, float, str]]
) -> list[OcrLine]:
    """An air itinerary page: title, captions, the money row and the bottom fields."""
    lines = [
        box(600, 40, "航空运输电子客票行程单", h=44),
        box(1240, 160, "印刷序号:"),
        box(1380, 160, "1234567890"),
        box(80, 365, "自FROMCAN"),
        box(1060, 365, "2025-04-10"),
        box(80, 485, "票价FARE", h=20),
        box(360, 485, "民航发展基金CAACDEVELOPMENTFUND", h=20),
        box(800, 485, "燃油附加费FUELSURCHARGE", h=20),
        box(1450, 485, "合计TOTAL", h=20),
        box(80, 605, "电子客票号码E-TICKETNO.", h=20),
    ]
    lines += [box(x, 530, text, h=28) for x, text in money_row]
    lines += [box(x, y, text, h=28) for x, y, text in bottom]
    return lines


def test_itinerary_total_is_the_largest_amount_of_the_money_row() -> None:
    # given an itinerary whose 合计 caption OCR misread (计10TAL), so 票价 is found first
    lines = itinerary(
        [(80, "CNY 3390.00"), (360, "CN50.00"), (800, "YQ10.00"), (1450, "CNY 3450.00")],
        [(1260, 765, "2025-04-01")],
    )
    lines[8] = box(1450, 485, "计10TAL", h=20)
    # when parsed
    fields = parse_lines(lines).fields
    # then the total is the row's largest amount (fare + fund + fuel), not the fare
    assert fields.total_amount == Decimal("3450.00")


def test_itinerary_agency_is_the_bottom_company_when_its_caption_is_misread() -> None:
    # given an itinerary whose 填开单位 caption OCR misread (单SUD) above the agency
    lines = itinerary(
        [(80, "CNY 1700.00"), (1450, "CNY 1770.00")],
        [
            (80, 720, "销售单位代号AGENTCODE"),
            (460, 720, "单SUD"),
            (460, 765, "北京市凯撒票务代理有限公司"),
            (1260, 765, "2026-01-12"),
        ],
    )
    # when parsed
    fields = parse_lines(lines).fields
    # then the printed company at the bottom is the seller
    assert fields.seller_name == "北京市凯撒票务代理有限公司"


def test_toll_fare_with_a_misread_yuan_sign_before_it() -> None:
    # given a toll receipt whose ¥ was read as V in front of an amount closed by 元
    lines = [
        box(160, 60, "厦门高速公路", h=36),
        box(140, 110, "车辆通行费专用发票", h=36),
        box(60, 240, "发票代码:"),
        box(230, 240, "135022592547"),
        box(60, 304, "入口:"),
        box(230, 304, "廊坊"),
        box(60, 368, "金额:"),
        box(230, 368, "V101.00元"),
        box(60, 432, "时间:"),
        box(230, 432, "2025/07/01 15:11"),
    ]
    # when parsed
    fields = parse_lines(lines).fields
    # then the amount before 元 is the fare
    assert fields.total_amount == Decimal("101.00")


def test_a_branch_named_after_the_company_stays_part_of_the_issuer() -> None:
    # given a 定额发票 issued by a branch (…有限公司上海分公司) printed under the title
    lines = [
        box(130, 40, "上海市通用定额发票", h=44),
        box(120, 100, "上海市博远科技有限公司上海分公司"),
        box(300, 170, "贰拾元", h=80),
        box(80, 260, "发票代码"),
        box(240, 260, "131012412345"),
        box(80, 305, "发票号码"),
        box(240, 305, "20481234"),
    ]
    # when parsed / then the whole branch name is the seller
    assert parse_lines(lines).fields.seller_name == "上海市博远科技有限公司上海分公司"
