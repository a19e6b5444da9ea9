"""Tickets and fixed-form receipts: train, taxi, quota, air itinerary, bus, toll.

Ground-truth conventions (also in bench/README.md):
- issue_date is the printed date: travel date on train/bus tickets, ride date on taxi
  receipts, 填开日期 on air itineraries; null where none is printed (quota invoices).
- seller_name is a printed company name; a name that appears only inside the red seal
  stays null (the seal is not a printed field).
- invoice_number on a train ticket is the red ticket serial (e.g. E012345); on an air
  itinerary the 印刷序号.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from . import ids, names
from .canvas import BLACK, RED, Sheet
from .common import Rendered, blank_truth, cn_date, phone, recent_date
from .money import cents, integer_words, money_str


def _company_seal(
    sheet: Sheet,
    center: tuple[float, float],
    name: str,
    tax_id: str,
    rng: random.Random,
    radii: tuple[int, int] = (125, 85),
) -> None:
    sheet.seal(center, radii, name, tax_id, "发票专用章", rng)


def _region(rng: random.Random) -> tuple[str, str, str, str]:
    return rng.choice(ids.REGIONS)


def render_train(rng: random.Random) -> Rendered:
    sheet = Sheet(1220, 780, paper=(214, 232, 244), form_color=(60, 90, 130))
    sheet.waves(rng, (196, 218, 236))
    (start, start_py), (end, end_py) = rng.sample(names.STATIONS, 2)
    day = recent_date(rng)
    train = rng.choice("GDGDCKZT") + str(rng.randint(1, 9999 if rng.random() < 0.5 else 999))
    serial = rng.choice("ABCDEFGHJKZ") + ids.digits(rng, 6)
    fare = Decimal(rng.randint(20, 1800)) + Decimal(rng.choice((0, 0, 5))) / 10
    seat_class = rng.choice(("二等座", "二等座", "一等座", "硬座", "硬卧", "商务座"))
    passenger = names.person_name(rng)
    birth = dt.date(rng.randint(1960, 2004), rng.randint(1, 12), rng.randint(1, 28))
    sheet.value((60, 60), serial, 40, fill=RED, kind="mono")
    sheet.value((860, 60), f"检票:{rng.choice('ABCD')}{rng.randint(1, 28)}", 30)
    sheet.value((100, 165), start, 56)
    sheet.value((100 + 56 * len(start) + 12, 172), "站", 36)
    sheet.value((610, 150), train, 50, anchor="mm")
    sheet.value((610, 200), "→", 44, anchor="mm")
    sheet.value((1140, 165), end, 56, anchor="rm")
    sheet.value((1140 + 12 + 36, 172), "站", 36, anchor="rm")
    sheet.value((110, 230), start_py, 28)
    sheet.value((1140, 230), end_py, 28, anchor="rm")
    depart = f"{rng.randint(6, 21):02d}:{rng.choice((0, 5, 12, 18, 25, 30, 42, 55)):02d}"
    sheet.value((80, 310), f"{cn_date(day)}{depart}开", 36)
    sheet.value(
        (1140, 310),
        f"{rng.randint(1, 16):02d}车{rng.randint(1, 20):02d}{rng.choice('ABCDF')}号",
        36,
        anchor="rm",
    )
    sheet.value((80, 380), f"¥{fare:.1f}元", 40)
    sheet.value((1140, 380), seat_class, 36, anchor="rm")
    sheet.value((80, 445), "限乘当日当次车", 30)
    sheet.value((80, 515), f"{ids.masked_id_card(rng, birth)}{passenger}", 34, kind="mono")
    sheet.rect((80, 570, 760, 650), width=2)
    sheet.value((420, 595), "买票请到12306 发货请到95306", 24, anchor="mm")
    sheet.value((420, 630), "中国铁路祝您旅途愉快", 24, anchor="mm")
    bottom_code = f"{ids.digits(rng, 14)}{serial}"
    sheet.value((80, 720), f"{bottom_code} {start}售", 28, kind="mono")
    sheet.fake_qr(960, 500, 200, rng)
    truth = blank_truth("train_ticket")
    truth["fields"].update(
        invoice_number=serial,
        issue_date=day.isoformat(),
        total_amount=money_str(fare),
    )
    return Rendered(sheet.compose(), truth, [], text_px=34)


def render_taxi(rng: random.Random) -> Rendered:
    division, region, _province, city = _region(rng)
    sheet = Sheet(720, 1280, paper=(250, 249, 244), form_color=(40, 60, 120))
    day = recent_date(rng)
    code = ids.ticket_code(rng, region, day.year)
    number = ids.invoice_number(rng)
    sheet.label((360, 70), f"{city}出租汽车专用发票", 38, anchor="mm", max_width=660)
    sheet.label((360, 125), "发 票 联", 28, anchor="mm")
    sheet.label((60, 190), "发票代码", 28)
    sheet.value((230, 190), code, 30, kind="mono")
    sheet.label((60, 240), "发票号码", 28)
    sheet.value((230, 240), number, 30, kind="mono")
    board = dt.time(rng.randint(6, 22), rng.randint(0, 59))
    minutes = rng.randint(6, 70)
    alight_dt = dt.datetime.combine(day, board) + dt.timedelta(minutes=minutes)
    alight = alight_dt.time()
    unit = Decimal(rng.choice(("2.30", "2.50", "2.70", "2.00", "3.00")))
    km = Decimal(rng.randint(20, 450)) / 10
    fare = cents(Decimal(13) + max(km - 3, Decimal(0)) * unit)
    fare = fare.quantize(Decimal("1"))  # meters round to whole yuan
    plate = f"{rng.choice(names.VEHICLE_PREFIXES)}{rng.choice('BDFHLT')}{ids.digits(rng, 4)}"
    date_text = rng.choice((day.isoformat(), day.strftime("%y-%m-%d"), day.strftime("%Y.%m.%d")))
    rows = (
        ("电话", phone(rng)),
        ("车号", plate),
        ("证号", ids.digits(rng, 6)),
        ("日期", date_text),
        ("上车", board.strftime("%H:%M")),
        ("下车", alight.strftime("%H:%M")),
        ("单价", f"{unit}元"),
        ("里程", f"{km}km"),
        ("等候", f"00:{rng.randint(0, 9):02d}:{rng.randint(0, 59):02d}"),
        ("金额", f"{fare:.2f}元"),
        ("卡号", ""),
    )
    offset = (rng.randint(-12, 12), rng.randint(-8, 8)) if rng.random() < 0.4 else (0, 0)
    for index, (caption, value) in enumerate(rows):
        y = 320 + index * 62
        sheet.label((80, y), caption, 30)
        if value:
            sheet.value((240, y), value, 34, kind="mono")
    company = (
        f"{city}{rng.choice(('银建', '首汽', '大众', '强生', '金建', '祥龙'))}出租汽车有限公司"
    )
    _company_seal(
        sheet,
        (rng.randint(380, 520), rng.randint(1000, 1120)),
        company,
        ids.random_uscc(rng, division),
        rng,
    )
    sheet.label((360, 1230), "手写无效", 24, anchor="mm")
    truth = blank_truth("taxi_receipt")
    truth["fields"].update(
        invoice_code=code,
        invoice_number=number,
        issue_date=day.isoformat(),
        total_amount=money_str(fare),
    )
    notes = ["seal"] + ([f"misaligned:{offset[0]},{offset[1]}"] if offset != (0, 0) else [])
    return Rendered(sheet.compose(ink_offset=offset), truth, notes, text_px=28)


def render_quota(rng: random.Random) -> Rendered:
    division, region, province, city = _region(rng)
    sheet = Sheet(1000, 680, paper=(250, 246, 240), form_color=(170, 40, 40))
    day = recent_date(rng)
    code = ids.ticket_code(rng, region, day.year)
    number = ids.invoice_number(rng)
    value = rng.choice((1, 2, 5, 10, 10, 20, 20, 50, 100))
    words = integer_words(value) + "元"
    kind_word = rng.choice(("通用定额发票", "餐饮业定额发票", "客运定额发票", "停车服务定额发票"))
    sheet.label((500, 70), f"{province}{kind_word}", 44, anchor="mm", letter_gap=2)
    sheet.seal(
        (500, 80),
        (110, 70),
        "全国统一发票监制章",
        "国家税务总局",
        f"{city}税务局",
        rng,
        strength=0.45,
    )
    printed_company = rng.random() < 0.5
    company = names.company_name(rng, city)
    y = 135
    if printed_company:
        sheet.label((500, y), company, 30, anchor="mm", max_width=900)
        y += 45
    sheet.label((500, y), "发 票 联", 26, anchor="mm")
    sheet.label((80, 250), "发票代码", 28)
    sheet.label((240, 250), code, 32, kind="mono", fill=BLACK)
    sheet.label((80, 305), "发票号码", 28)
    sheet.label((240, 305), number, 32, kind="mono", fill=(30, 30, 120))
    sheet.label((500, 420), words, 80, anchor="mm", letter_gap=12, kind="zen")
    if rng.random() < 0.5:
        sheet.label((880, 420), f"¥{value}.00", 30, anchor="rm")
    sheet.label((80, 560), "收款单位（盖章）：", 28)
    _company_seal(
        sheet,
        (rng.randint(450, 600), rng.randint(520, 580)),
        company,
        ids.random_uscc(rng, division),
        rng,
        radii=(120, 80),
    )
    truth = blank_truth("quota_invoice")
    truth["fields"].update(
        invoice_code=code,
        invoice_number=number,
        seller_name=company if printed_company else None,
        total_amount=money_str(Decimal(value)),
        total_in_words=words,
    )
    return Rendered(sheet.compose(), truth, ["seal"], text_px=28)


def render_air(rng: random.Random) -> Rendered:
    sheet = Sheet(1800, 900, paper=(246, 250, 246), form_color=(40, 110, 80))
    sheet.waves(rng, (232, 242, 234))
    (dep, dep_code), (arr, arr_code) = rng.sample(names.AIRPORTS, 2)
    carrier, _airline = rng.choice(names.AIRLINES)
    flight_day = recent_date(rng)
    issue_day = flight_day - dt.timedelta(days=rng.randint(0, 20))
    serial = ids.digits(rng, 10)
    fare = Decimal(rng.randint(30, 420) * 10)
    fund = Decimal(50)
    fuel = Decimal(rng.choice((0, 10, 20, 30, 40, 60, 80)))
    total = fare + fund + fuel
    city = _region(rng)[3]
    agency = f"{city}{rng.choice(('携程', '航旅', '凯撒', '国旅', '途牛', '中航'))}" + rng.choice(
        ("航空服务有限公司", "旅行社有限公司", "票务代理有限公司")
    )
    sheet.label((900, 60), "航空运输电子客票行程单", 44, anchor="mm", letter_gap=4)
    sheet.label((900, 110), "ITINERARY/RECEIPT OF E-TICKET FOR AIR TRANSPORTATION", 24, anchor="mm")
    sheet.label((1240, 160), "印刷序号：", 26)
    sheet.label((1380, 160), serial, 30, kind="mono", fill=(200, 30, 30))
    sheet.label((80, 160), "SERIAL NUMBER", 20)
    captions = (
        (80, "旅客姓名 NAME OF PASSENGER"),
        (520, "有效身份证件号码 ID.NO."),
        (1100, "签注 ENDORSEMENTS/RESTRICTIONS"),
    )
    for x, caption in captions:
        sheet.label((x, 215), caption, 20)
    birth = dt.date(rng.randint(1960, 2004), rng.randint(1, 12), rng.randint(1, 28))
    sheet.value((80, 255), names.person_name(rng), 30)
    sheet.value((520, 255), ids.masked_id_card(rng, birth), 28, kind="mono")
    sheet.value((1100, 255), rng.choice(("不得签转", "变更退票收费", "NON-END")), 26)
    sheet.hline(60, 1740, 290)
    header = (
        "",
        "承运人 CARRIER",
        "航班号 FLIGHT",
        "座位等级 CLASS",
        "日期 DATE",
        "时间 TIME",
        "客票级别 FARE BASIS",
        "免费行李 ALLOW",
    )
    xs = (80, 420, 640, 860, 1060, 1260, 1420, 1620)
    for x, caption in zip(xs, header, strict=True):
        sheet.label((x, 320), caption, 20)
    flight = f"{carrier}{rng.randint(1000, 9999)}"
    cls = rng.choice("YBMHKLQ")
    row1 = (
        f"自 FROM {dep} {dep_code}",
        carrier,
        flight,
        cls,
        flight_day.isoformat(),
        f"{rng.randint(6, 22):02d}:{rng.choice((0, 5, 10, 30, 45)):02d}",
        f"{cls}",
        "20K",
    )
    for x, value in zip(xs, row1, strict=True):
        sheet.value((x, 365), value, 26)
    sheet.value((80, 415), f"至 TO {arr} {arr_code}", 26)
    sheet.hline(60, 1740, 450)
    money_caps = (
        "票价 FARE",
        "民航发展基金 CAAC DEVELOPMENT FUND",
        "燃油附加费 FUEL SURCHARGE",
        "其他税费 OTHER TAXES",
        "合计 TOTAL",
    )
    money_vals = (f"CNY {fare:.2f}", f"CN {fund:.2f}", f"YQ {fuel:.2f}", "", f"CNY {total:.2f}")
    money_xs = (80, 360, 800, 1180, 1450)
    for x, caption, value in zip(money_xs, money_caps, money_vals, strict=True):
        sheet.label((x, 485), caption, 20)
        if value:
            sheet.value((x, 530), value, 28, kind="mono")
    sheet.hline(60, 1740, 570)
    sheet.label((80, 605), "电子客票号码 E-TICKET NO.", 20)
    sheet.value((80, 645), f"{rng.randint(700, 999)}{ids.digits(rng, 10)}", 28, kind="mono")
    sheet.label((520, 605), "验证码 CK.", 20)
    sheet.value((520, 645), ids.digits(rng, 4), 28, kind="mono")
    sheet.label((820, 605), "提示信息 INFORMATION", 20)
    sheet.value((820, 645), "请于航班起飞前45分钟停止办理登机手续", 22)
    sheet.label((1450, 605), "保险费 INSURANCE", 20)
    sheet.value((1450, 645), "XXX", 26)
    sheet.hline(60, 1740, 685)
    sheet.label((80, 720), "销售单位代号 AGENT CODE", 20)
    sheet.value((80, 765), f"{dep_code}{ids.digits(rng, 3)}", 26, kind="mono")
    sheet.label((460, 720), "填开单位 ISSUED BY", 20)
    sheet.value((460, 765), agency, 28, max_width=700)
    sheet.label((1260, 720), "填开日期 DATE OF ISSUE", 20)
    sheet.value((1260, 765), issue_day.isoformat(), 28, kind="mono")
    sheet.label((900, 850), "验真网址：www.travelsky.com  服务热线：400-815-8888", 20, anchor="mm")
    notes = []
    if rng.random() < 0.6:
        sheet.seal(
            (rng.randint(720, 900), rng.randint(780, 830)),
            (120, 80),
            agency,
            ids.random_uscc(rng),
            "业务专用章",
            rng,
        )
        notes.append("seal")
    truth = blank_truth("air_itinerary")
    truth["fields"].update(
        invoice_number=serial,
        issue_date=issue_day.isoformat(),
        seller_name=agency,
        total_amount=money_str(total),
    )
    return Rendered(sheet.compose(), truth, notes, text_px=20)


def render_bus(rng: random.Random) -> Rendered:
    division, region, _province, _city = _region(rng)
    sheet = Sheet(1000, 620, paper=(248, 244, 236), form_color=(40, 70, 140))
    day = recent_date(rng)
    town, dest = rng.sample(names.TOWNS, 2)
    company = f"{town}{rng.choice(('汽车运输', '公路客运', '交通运输'))}" + rng.choice(
        ("公司", "有限公司", "集团有限公司")
    )
    code = ids.ticket_code(rng, region, day.year)
    number = ids.invoice_number(rng)
    fare = Decimal(rng.randint(8, 260)) + Decimal(rng.choice((0, 0, 5))) / 10
    sheet.label((500, 55), f"{company}客运专用发票", 36, anchor="mm", max_width=920)
    sheet.label((500, 105), "发 票 联", 26, anchor="mm")
    sheet.label((60, 160), "发票代码", 26)
    sheet.label((190, 160), code, 28, kind="mono", fill=BLACK)
    sheet.label((560, 160), "发票号码", 26)
    sheet.label((690, 160), number, 28, kind="mono", fill=BLACK)
    sheet.hline(40, 960, 195)
    sheet.value((80, 250), f"{town}{rng.choice(names.BUS_STOPS)}", 34)
    sheet.value((520, 250), "→", 34, anchor="mm")
    sheet.value((600, 250), dest, 34)
    sheet.label((80, 320), "乘车日期", 24)
    date_text = rng.choice((day.isoformat(), cn_date(day)))
    sheet.value((200, 320), date_text, 30)
    sheet.label((560, 320), "发车时间", 24)
    sheet.value((680, 320), f"{rng.randint(6, 20):02d}:{rng.choice((0, 15, 30, 45)):02d}", 30)
    sheet.label((80, 385), "车次", 24)
    sheet.value((150, 385), str(rng.randint(1000, 9999)), 30)
    sheet.label((360, 385), "座号", 24)
    sheet.value((430, 385), str(rng.randint(1, 50)), 30)
    sheet.label((560, 385), "票价", 24)
    sheet.value((630, 385), f"{fare:.1f}元", 32)
    sheet.value((80, 450), rng.choice(("全票", "全票", "半票")), 28)
    sheet.label((80, 520), "条码号", 22)
    sheet.value((170, 520), ids.digits(rng, 6) + number, 24, kind="mono")
    sheet.barcode(520, 490, 400, 60, rng)
    _company_seal(
        sheet,
        (rng.randint(700, 860), rng.randint(380, 470)),
        company,
        ids.random_uscc(rng, division),
        rng,
        radii=(115, 78),
    )
    truth = blank_truth("bus_ticket")
    truth["fields"].update(
        invoice_code=code,
        invoice_number=number,
        issue_date=day.isoformat(),
        seller_name=company,
        total_amount=money_str(fare),
    )
    return Rendered(sheet.compose(), truth, ["seal"], text_px=24)


def render_toll(rng: random.Random) -> Rendered:
    division, region, province, _city = _region(rng)
    sheet = Sheet(720, 1060, paper=(252, 252, 250), form_color=(30, 30, 30))
    day = recent_date(rng)
    stamp = dt.datetime.combine(
        day, dt.time(rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))
    )
    code = ids.ticket_code(rng, region, day.year)
    number = ids.invoice_number(rng)
    entry, exit_ = rng.sample(names.TOLL_GATES, 2)
    amount = Decimal(rng.randint(5, 380)) + (Decimal(rng.choice((0, 0, 0, 5))) / 10)
    printed_company = rng.random() < 0.6
    company = f"{province}{rng.choice(('高速公路', '交通投资', '路桥'))}" + rng.choice(
        ("有限公司", "股份有限公司", "集团有限公司")
    )
    sheet.label((360, 60), f"{province}高速公路", 36, anchor="mm")
    sheet.label((360, 110), "车辆通行费专用发票", 36, anchor="mm")
    sheet.label((360, 155), "发 票 联", 24, anchor="mm")
    rows = [
        ("发票代码：", code),
        ("发票号码：", number),
        ("入口：", entry),
        ("出口：", exit_),
        ("车型：", rng.choice(("一型客车", "一型客车", "二型客车", "一型货车"))),
        ("车牌：", f"{rng.choice(names.VEHICLE_PREFIXES)}{ids.digits(rng, 5)}"),
        ("金额：", f"¥{amount:.2f}元"),
        ("时间：", stamp.strftime(rng.choice(("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M")))),
        ("收费员：", ids.digits(rng, 5)),
    ]
    if printed_company:
        rows.append(("收费单位：", company))
    for index, (caption, value) in enumerate(rows):
        y = 240 + index * 64
        sheet.label((60, y), caption, 28)
        sheet.value((230, y), value, 30, kind="mono" if index < 2 else "hei", max_width=450)
    sheet.label((360, 1000), "祝您一路平安", 26, anchor="mm")
    _company_seal(
        sheet,
        (rng.randint(420, 560), rng.randint(780, 900)),
        company,
        ids.random_uscc(rng, division),
        rng,
        radii=(120, 82),
    )
    truth = blank_truth("toll_receipt")
    truth["fields"].update(
        invoice_code=code,
        invoice_number=number,
        issue_date=day.isoformat(),
        seller_name=company if printed_company else None,
        total_amount=money_str(amount),
    )
    return Rendered(sheet.compose(), truth, ["seal"], text_px=28)
