"""Tickets and 定额发票 from hand-placed OCR boxes (no OCR run)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from extraction import calibration
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


def paper_train_ticket(*, serial: bool) -> list[OcrLine]:
    """A paper train ticket (its fare uncaptioned, marked ¥ and 元), with or without its
    red serial top left and the serial line at the bottom."""
    lines = [
        box(100, 150, "北京南站", h=56),
        box(560, 140, "G123", h=50),
        box(900, 150, "上海虹桥站", h=56),
        box(80, 300, "2025年03月09日08:00开", h=36),
        box(80, 370, "¥553.0元", h=40),
        box(900, 370, "二等座", h=36),
    ]
    if serial:
        lines = [
            box(60, 40, "E012345", h=40),
            *lines,
            box(80, 700, "10010300380709E012345 北京南售", h=28),
        ]
    return lines


def test_train_ticket_serial_is_the_invoice_number() -> None:
    # given a paper train ticket with its red serial top left
    lines = paper_train_ticket(serial=True)
    # when parsed
    parsed = parse_lines(lines)
    fields = parsed.fields
    # then serial, travel date and fare are found
    assert parsed.document_type == DocumentType.TRAIN_TICKET
    assert fields.invoice_number == "E012345"
    assert fields.issue_date == dt.date(2025, 3, 9)
    assert fields.total_amount == Decimal("553.00")


def test_an_uncaptioned_fare_is_read_from_its_own_line() -> None:
    # given a paper train ticket whose fare has no caption, only its ¥ and 元 marks
    lines = paper_train_ticket(serial=False)
    # when parsed
    parsed = parse_lines(lines)
    # then the fare's region is its own line, where its characters can be judged
    assert parsed.fields.total_amount == Decimal("553.00")
    assert parsed.boxes["total_amount"] == (4,)


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


# --- layouts of other issuers and printers (synth.ticket_families) -------------------


def taxi(rows: list[tuple[str, str]], *, head: list[OcrLine] | None = None) -> list[OcrLine]:
    """A taxi receipt: title, code and number, then one caption/value row per entry."""
    lines = [box(150, 50, "杭州市出租汽车专用发票", h=38), *(head or [])]
    lines += [box(60, 200, "发票代码"), box(230, 200, "133012410001")]
    lines += [box(60, 245, "发票号码"), box(230, 245, "00123456")]
    for i, (caption, value) in enumerate(rows):
        if caption:
            lines.append(box(60, 310 + 64 * i, caption))
        lines.append(box(260, 310 + 64 * i, value))
    return lines


def test_a_letter_spaced_date_caption_misread_still_labels_the_date() -> None:
    # given a taxi receipt whose spaced 日　期 OCR read as 日其 and 期, below the day of
    # boarding (an overnight ride)
    lines = taxi([("上车", "26-04-15"), ("日其", "26-04-16"), ("金额", "37.00元")])
    lines.append(box(96, 310 + 64, "期"))
    # when parsed
    fields = parse_lines(lines).fields
    # then the date is the one the misread caption labels
    assert fields.issue_date == dt.date(2026, 4, 16)


def test_an_unlabelled_meter_date_is_read_year_first() -> None:
    # given a taxi receipt whose date caption was not read at all
    lines = taxi([("车号", "沪D2713"), ("", "26-04-16"), ("金额", "37.00元")])
    # when parsed / then the meter's yy-mm-dd date is 2026-04-16, not 2016-04-26
    assert parse_lines(lines).fields.issue_date == dt.date(2026, 4, 16)


def test_a_taxi_fare_is_never_the_mileage_under_a_bracketed_caption() -> None:
    # given a taxi receipt with captions 单价(元/公里), 里程(公里) and the fare under 实收金额
    lines = taxi(
        [
            ("乘车日期", "2026.10.30"),
            ("单价(元/公里)", "2.70"),
            ("里程(公里)", "36.5"),
            ("候时", "00:01:05"),
            ("实收金额", "103.00"),
        ]
    )
    # when parsed
    fields = parse_lines(lines).fields
    # then the fare is the 实收金额, not the 36.5 km read as a "(小写)" amount
    assert fields.total_amount == Decimal("103.00")


def test_a_taxi_company_printed_under_the_title_is_the_seller() -> None:
    # given a taxi receipt printing its company's line under the title
    lines = taxi(
        [("日期", "2026-10-30"), ("金额", "56.00元")],
        head=[box(176, 146, "杭州市首汽出租汽车有限公司", h=30)],
    )
    # when parsed / then the company line is the seller
    assert parse_lines(lines).fields.seller_name == "杭州市首汽出租汽车有限公司"


def test_a_bus_ticket_carrier_caption_full_fare_and_a_misread_decimal_point() -> None:
    # given a coach ticket: 承运单位：company, 全价 caption, 码 of 发票号码 split into the value
    lines = [
        box(366, 28, "公路旅客运输客票", h=34),
        box(300, 79, "承运单位:嘉兴汽车运输集团有限公司"),
        box(57, 133, "发票代码132002569950"),
        box(558, 134, "发票号码"),
        box(655, 136, "马81115851"),
        box(81, 296, "日期"),
        box(128, 297, "2025-04-25"),
        box(77, 356, "车次2682"),
        box(559, 357, "座号47"),
        box(79, 419, "全价163:0元"),
    ]
    # when parsed
    parsed = parse_lines(lines)
    fields = parsed.fields
    # then the carrier without its caption, the fare and the number are read
    assert parsed.document_type == DocumentType.BUS_TICKET
    assert fields.seller_name == "嘉兴汽车运输集团有限公司"
    assert fields.total_amount == Decimal("163.00")
    assert fields.invoice_number == "81115851"
    assert fields.invoice_code == "132002569950"


def railway_e_ticket(party: list[OcrLine]) -> list[OcrLine]:
    """电子发票(铁路电子客票): number and 开票日期 top right, the trip, 票价, the buyer block."""
    return [
        box(1000, 33, "发票号码:26122717965761433935"),
        box(429, 47, "电子发票(铁路电子客票)", h=44),
        box(998, 71, "开票日期:2026年04月11日"),
        box(149, 175, "南京南站", h=50),
        box(702, 169, "C829", h=42),
        box(1164, 175, "杭州东站", h=50),
        box(121, 305, "2026年04月05日06:00开", h=31),
        box(756, 299, "12车17C号", h=31),
        box(120, 369, "票价:¥1722.00", h=31),
        box(116, 430, "4201061980****6119 袁欣", h=31),
        box(761, 437, "电子客票号:2648184165550672376", h=27),
        *party,
        box(599, 847, "买票请到12306发货请到95306"),
    ]


def test_railway_e_ticket_is_an_invoice_with_a_buyer() -> None:
    # given a 数电 railway e-ticket naming its buyer (购买方名称, 统一社会信用代码 below)
    lines = railway_e_ticket(
        [
            box(117, 645, "购买方名称:天津市泰和医药有限公司天津分公司", h=31),
            box(120, 697, "统一社会信用代码:91120116MA2YKJ9X8R", h=27),
        ]
    )
    # when parsed
    parsed = parse_lines(lines)
    fields = parsed.fields
    # then its number, 开票日期 (not the travel date), fare and buyer are read, no seller
    assert parsed.document_type == DocumentType.TRAIN_TICKET
    assert fields.invoice_number == "26122717965761433935"
    assert fields.issue_date == dt.date(2026, 4, 11)
    assert fields.total_amount == Decimal("1722.00")
    assert fields.buyer_name == "天津市泰和医药有限公司天津分公司"
    assert fields.buyer_tax_id == "91120116MA2YKJ9X8R"
    assert (fields.seller_name, fields.seller_tax_id) == (None, None)


def test_railway_e_tickets_only_party_block_is_the_buyer() -> None:
    # given a railway e-ticket whose party block has no side word (名称：, 统一社会信用代码/…)
    lines = railway_e_ticket(
        [
            box(118, 645, "名称:天津市泰和医药有限公司天津分公司", h=31),
            box(120, 697, "统一社会信用代码/纳税人识别号:91120116MA2YKJ9X8R", h=27),
        ]
    )
    # when parsed
    fields = parse_lines(lines).fields
    # then the block is the buyer's: the railway selling the ticket is not printed
    assert fields.buyer_name == "天津市泰和医药有限公司天津分公司"
    assert fields.buyer_tax_id == "91120116MA2YKJ9X8R"
    assert fields.seller_name is None and fields.seller_tax_id is None


def test_itinerary_total_is_the_amount_that_sums_the_others() -> None:
    # given an itinerary printing its money block on two rows, each caption beside its
    # value, with the 合计 caption misread (so 票价 is the first caption found)
    lines = [
        box(600, 40, "航空运输电子客票行程单", h=44),
        box(1240, 160, "印刷序号:"),
        box(1380, 160, "1234567890"),
        box(80, 470, "票价FARE", h=20),
        box(200, 470, "CNY 2850.00", h=26),
        box(640, 470, "燃油附加费FUELSURCHARGE", h=20),
        box(920, 470, "YQ 10.00", h=26),
        box(1200, 470, "民航发展基金", h=20),
        box(1340, 470, "CN 50.00", h=26),
        box(80, 515, "其他税费OTHERTAXES", h=20),
        box(300, 515, "XT 20.00", h=26),
        box(640, 515, "合什TOTAL", h=20),
        box(780, 515, "CNY 2930.00", h=26),
        box(1260, 765, "2026-07-17"),
    ]
    # when parsed
    fields = parse_lines(lines).fields
    # then the total is the amount equal to the sum of the others, not the fare's row max
    assert fields.total_amount == Decimal("2930.00")


def money_block(fare: str, fuel: str, fund: str, other: str, total: str) -> list[OcrLine]:
    """An itinerary printing its money block on two rows, each caption beside its value,
    the issue date last."""
    return [
        box(600, 40, "航空运输电子客票行程单", h=44),
        box(1240, 160, "印刷序号:"),
        box(1380, 160, "1234567890"),
        box(80, 470, "票价FARE", h=20),
        box(200, 470, fare, h=26),
        box(640, 470, "燃油附加费FUELSURCHARGE", h=20),
        box(920, 470, fuel, h=26),
        box(1200, 470, "民航发展基金", h=20),
        box(1340, 470, fund, h=26),
        box(80, 515, "其他税费OTHERTAXES", h=20),
        box(300, 515, other, h=26),
        box(640, 515, "合计TOTAL", h=20),
        box(780, 515, total, h=26),
        box(1260, 765, "2026-07-17"),
    ]


def test_an_itinerary_total_summing_its_charges_is_verified_by_the_arithmetic() -> None:
    # given an itinerary whose 合计 2930.00 is 票价 2850.00 + 燃油 10.00 + 基金 50.00 + 其他 20.00
    lines = money_block("CNY 2850.00", "YQ 10.00", "CN 50.00", "XT 20.00", "CNY 2930.00")
    # when parsed
    parsed = parse_lines(lines)
    # then the total carries the arithmetic check, and its region is the 合计's own box
    assert parsed.fields.total_amount == Decimal("2930.00")
    assert parsed.checks["total_amount"] == {calibration.ARITHMETIC}
    assert parsed.boxes["total_amount"] == (len(lines) - 2,)


def test_an_itinerary_total_repeating_the_fare_beside_zero_charges_is_not_verified() -> None:
    # given an itinerary whose charges are all 0.00: its 合计 only repeats the 票价
    lines = money_block("CNY 1200.00", "YQ 0.00", "CN 0.00", "XT 0.00", "CNY 1200.00")
    # when parsed
    parsed = parse_lines(lines)
    # then the total is taken, but nothing was added up to verify it
    assert parsed.fields.total_amount == Decimal("1200.00")
    assert "total_amount" not in parsed.checks


def sealed_total_row(*total: str) -> list[OcrLine]:
    """An itinerary whose 合计 caption is lost under a seal: the captions of 票价 and the
    charges over one row of amounts, then ``total`` (if any) at the row's end."""
    return [
        box(600, 40, "航空运输电子客票行程单", h=44),
        box(1240, 160, "印刷序号:"),
        box(1380, 160, "1234567890"),
        box(76, 470, "票价FARE", h=20),
        box(358, 472, "民航发展基金CAACDEVELOPMENTFUND", h=20),
        box(797, 472, "燃油附加费FUELSURCHARGE", h=20),
        box(1176, 472, "其他税费OTHERTAXES", h=20),
        box(77, 515, "CNY 3910.00", h=26),
        box(355, 514, "CN 50.00", h=26),
        box(795, 511, "YQ 0.00", h=26),
        box(1174, 514, "XT 36.00", h=26),
        *(box(1445, 510, text, h=26) for text in total),
        box(1253, 747, "2025-01-15"),
    ]


def test_an_itinerary_total_with_its_point_read_as_a_comma_is_the_sum_of_the_row() -> None:
    # given an itinerary whose 合计 caption is under a seal and whose 合计 reads 3996,00
    lines = sealed_total_row("CNY 3996,00")
    # when parsed
    parsed = parse_lines(lines)
    # then the 合计 is the row's sum, verified by it -- not the 票价
    assert parsed.fields.total_amount == Decimal("3996.00")
    assert parsed.checks["total_amount"] == {calibration.ARITHMETIC}


def test_an_itinerary_whose_total_is_unread_computes_it_from_fare_and_charges() -> None:
    # given an itinerary whose 合计 is not read at all, its charges beside the 票价 are
    lines = sealed_total_row()
    # when parsed
    parsed = parse_lines(lines)
    # then the total is 票价 + charges, marked as computed (not the fare, not verified)
    assert parsed.fields.total_amount == Decimal("3996.00")
    assert parsed.evidence()["total_amount"].computed
    assert "total_amount" not in parsed.checks


def test_itinerary_without_an_amount_summing_the_others_keeps_its_total_caption() -> None:
    # given an itinerary whose fuel surcharge was not read: no amount sums the others
    lines = itinerary(
        [(80, "CNY 1200.00"), (360, "CN 50.00"), (1450, "CNY 1310.00")],
        [(1260, 765, "2025-06-02")],
    )
    # when parsed / then the value under 合计 is the total
    assert parse_lines(lines).fields.total_amount == Decimal("1310.00")


def test_a_taxi_fare_lost_under_the_seal_is_not_replaced_by_the_unit_price() -> None:
    # given a taxi receipt whose 金额 row was not read at all; the unit price is in 元
    lines = taxi([("日期", "2025-01-05"), ("单价", "2.30元"), ("里程", "12.3km")])
    # when parsed / then no fare is reported rather than the unit price
    assert parse_lines(lines).fields.total_amount is None


def coach_ticket(fare_caption: list[OcrLine], fare: str) -> list[OcrLine]:
    return [
        box(100, 30, "临安公路客运有限公司客运专用发票", h=34),
        box(220, 70, "发票联"),
        box(260, 110, "发票代码150421710208"),
        box(270, 150, "发票号码"),
        box(380, 150, "01304019"),
        box(270, 215, "到达站"),
        *fare_caption,
        box(340, 245, "昌化"),
        box(490, 245, fare),
        box(76, 280, "乘车日期"),
        box(216, 283, "开车时间"),
        box(99, 305, "2024-04-05"),
        box(259, 308, "12:15"),
        box(380, 308, "2076"),
        box(400, 350, "9"),
    ]


def test_a_bare_fare_under_a_caption_broken_apart_is_the_total() -> None:
    # given a coach ticket whose 票 of 票价 OCR read as two stacked boxes (西 over 示),
    # and the fare printed bare, without ¥ or 元
    caption = [box(440, 212, "西", h=18), box(440, 228, "示", h=12), box(490, 214, "价")]
    # when parsed
    fields = parse_lines(coach_ticket(caption, "36.0")).fields
    # then the decimal amount under what is left of the price caption is the fare
    assert fields.total_amount == Decimal("36.00")


def test_a_bare_decimal_is_not_the_fare_when_another_decimal_competes() -> None:
    # given no price caption at all and two bare decimal amounts of different value
    lines = [*coach_ticket([], "36.0"), box(520, 350, "2.0")]
    # when parsed / then neither is guessed as the fare
    assert parse_lines(lines).fields.total_amount is None


def test_a_unit_read_before_the_denominations_numerals_is_dropped() -> None:
    # given a 定额发票 whose large denomination OCR read with a stray 元 in front
    lines = [
        box(130, 40, "上海通用定额发票", h=44),
        box(300, 170, "元壹元", h=80),
        box(80, 260, "发票代码"),
        box(240, 260, "131002564399"),
        box(80, 305, "发票号码"),
        box(240, 305, "06395629"),
    ]
    # when parsed
    fields = parse_lines(lines).fields
    # then the words start at the numeral and give the amount
    assert (fields.total_in_words, fields.total_amount) == ("壹元", Decimal("1.00"))


def test_a_misread_side_word_before_the_name_label_still_labels_the_buyer() -> None:
    # given a railway e-ticket whose 购买方名称 OCR read as 向实方名称
    lines = railway_e_ticket(
        [
            box(117, 645, "向实方名称:天津市泰和医药有限公司天津分公司", h=31),
            box(120, 697, "统一社会信用代码:91120116MA2YKJ9X8R", h=27),
        ]
    )
    # when parsed
    fields = parse_lines(lines).fields
    # then the name after the label is the buyer's
    assert fields.buyer_name == "天津市泰和医药有限公司天津分公司"
    assert fields.seller_name is None
