"""Layout families of tickets: the same kinds of content printed the ways other issuers,
printers and forms print them, so that the parser can be measured on layouts it was not
developed against (leave-one-family-out).

Seven ticket kinds (``TICKET_KINDS``: air itinerary, paper train ticket, 数电 train
ticket 电子发票(铁路电子客票), taxi, toll, bus, 定额发票), each in at least five families
(``TICKET_FAMILIES``). A family is a set of layout knobs every kind's renderer reads:
caption spacing and wording, fonts, column widths, block order, dot-matrix printing with
the values shifted against the pre-printed form, seals over the values, thermal print
(taxi, toll), vertical captions, and the classic page photographed with a phone
("photographed"). "classic" is the kind's default layout (for the kinds that had one
before, exactly the pixels of ``synth.tickets``).

Truth conventions are those of ``synth.tickets``; the 数电 train ticket's
issue_date is its 开票日期 (not the travel date) and its invoice_number the 20-digit
发票号码; it prints the buyer's name and tax ID and no seller.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from PIL import Image, ImageFilter

from . import ids, names, tickets
from .canvas import RED, Sheet
from .common import REFERENCE_DATE, Rendered, blank_truth, cn_date, phone, recent_date
from .money import cents, integer_words, money_str


@dataclass(frozen=True)
class TicketFamily:
    """Layout knobs; each kind's renderer applies those that exist on its form."""

    name: str
    caption_gap: int = 0  # extra pixels between the characters of a caption
    wording: int = 0  # 0: the usual captions; 1: the other wording issuers print
    value_font: str | None = None  # None: the kind's usual face
    caption_font: str = "hei"
    value_dx: int = 0  # wider caption column: values start further right
    offset: tuple[int, int] = (0, 0)  # largest shift of the printed values (x, y), px
    dot_matrix: bool = False
    seal_over: bool = False  # a stamp over the key values
    reordered: bool = False  # blocks in another order, values under their captions
    thermal: bool = False  # thermal roll: narrow, grey, one run per line
    vertical: bool = False  # captions printed one character under the other
    photo: bool = False  # the classic layout photographed with a phone (synth.photo)


TICKET_FAMILIES: dict[str, TicketFamily] = {
    family.name: family
    for family in (
        TicketFamily("classic"),
        TicketFamily("spaced_labels", caption_gap=12, value_dx=70),
        TicketFamily("alt_wording", wording=1, value_font="zen", caption_font="sharp"),
        TicketFamily("dot_matrix", offset=(24, 13), dot_matrix=True, value_font="mono"),
        TicketFamily("seal_over_text", seal_over=True),
        TicketFamily("reordered", reordered=True),
        TicketFamily("thermal", thermal=True, value_font="mono"),
        TicketFamily("vertical_captions", vertical=True),
        TicketFamily("photographed", photo=True),
    )
}
# The families the ticket rules were developed against; the rest are held out.
TICKET_DEVELOPED_ON: frozenset[str] = frozenset(
    {"classic", "spaced_labels", "alt_wording", "dot_matrix"}
)
_COMMON = (
    "classic",
    "spaced_labels",
    "alt_wording",
    "dot_matrix",
    "seal_over_text",
    "reordered",
    "photographed",
)
# kind -> (document type, families drawn for it)
TICKET_KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "air": ("air_itinerary", _COMMON),
    "train": ("train_ticket", _COMMON),
    "train_e": (
        "train_ticket",
        (
            "classic",
            "spaced_labels",
            "alt_wording",
            "seal_over_text",
            "reordered",
            "vertical_captions",
            "photographed",
        ),
    ),
    "taxi": ("taxi_receipt", (*_COMMON, "thermal")),
    "toll": ("toll_receipt", (*_COMMON, "thermal")),
    "bus": ("bus_ticket", (*_COMMON, "vertical_captions")),
    "quota": (
        "quota_invoice",
        (
            "classic",
            "spaced_labels",
            "alt_wording",
            "dot_matrix",
            "seal_over_text",
            "vertical_captions",
            "photographed",
        ),
    ),
}


class _Page:
    """A sheet drawn through a family's knobs."""

    def __init__(self, sheet: Sheet, family: TicketFamily, rng: random.Random) -> None:
        self.sheet, self.family, self.rng = sheet, family, rng
        self.notes: list[str] = [f"family:{family.name}"]

    def cap(self, xy: tuple[float, float], text: str, size: int, **kw: Any) -> int:
        fam = self.family
        if fam.vertical and len(text.strip(":： ")) >= 2 and kw.pop("stack", False):
            chars = [c for c in text if c not in " :：　"]
            x, y = xy
            small = int(size * 0.85)
            top = y - (len(chars) - 1) * small * 0.55
            for index, char in enumerate(chars):
                self.sheet.label(
                    (x + size / 2, top + index * small * 1.1), char, small, anchor="mm"
                )
            return size
        kw.pop("stack", None)
        return self.sheet.label(
            xy,
            text,
            size,
            letter_gap=fam.caption_gap,
            kind=fam.caption_font,
            **kw,
        )

    def val(
        self, xy: tuple[float, float], text: str, size: int, kind: str = "hei", **kw: Any
    ) -> int:
        fam = self.family
        x = xy[0] + (fam.value_dx if kw.pop("shift", True) else 0)
        return self.sheet.value(
            (x, xy[1]),
            text,
            size,
            kind=fam.value_font or kind,
            **kw,
        )

    def stamp(
        self, center: tuple[float, float], name: str, radii: tuple[int, int] = (120, 80)
    ) -> None:
        self.sheet.seal(center, radii, name, ids.random_uscc(self.rng), "发票专用章", self.rng)
        self.notes.append("seal")

    def over(self, center: tuple[float, float], name: str) -> None:
        """The family's stamp over a key value (seal_over_text only)."""
        if self.family.seal_over:
            jitter = (self.rng.randint(-30, 30), self.rng.randint(-12, 12))
            self.stamp((center[0] + jitter[0], center[1] + jitter[1]), name, (115, 78))
            self.notes.append("seal_over_text")

    def finish(self, truth: dict[str, object], text_px: int) -> Rendered:
        fam = self.family
        offset = (0, 0)
        if fam.offset != (0, 0):
            offset = (
                self.rng.choice((-1, 1)) * self.rng.randint(fam.offset[0] // 2, fam.offset[0]),
                self.rng.choice((-1, 1)) * self.rng.randint(fam.offset[1] // 2, fam.offset[1]),
            )
            self.notes.append(f"misaligned:{offset[0]},{offset[1]}")
        if fam.dot_matrix:
            self.notes.append("dot_matrix")
        image = self.sheet.compose(ink_offset=offset, dot_matrix=fam.dot_matrix)
        if fam.thermal:
            image = _thermal(image, self.rng)
            self.notes.append("thermal")
        return Rendered(image, truth, self.notes, text_px=text_px)


def _thermal(image: Image.Image, rng: random.Random) -> Image.Image:
    """Thermal print: grey, slightly soft, faded unevenly down the roll."""
    grey = np.asarray(image.convert("L"), dtype=np.float32)
    ink = 255.0 - grey
    fade = np.linspace(rng.uniform(0.7, 0.85), rng.uniform(0.5, 0.7), grey.shape[0])[:, None]
    out = 250.0 - ink * fade
    soft = Image.fromarray(np.clip(out, 0, 255).astype(np.uint8)).filter(
        ImageFilter.GaussianBlur(0.7)
    )
    return soft.convert("RGB")


def _seal_name(rng: random.Random) -> str:
    return f"{rng.choice(ids.REGIONS)[3]}{rng.choice(('远航', '嘉禾', '金桥'))}商贸有限公司"


# --- air itinerary ----------------------------------------------------------------------


def render_air(rng: random.Random, family: TicketFamily) -> Rendered:
    sheet = Sheet(1800, 900, paper=(246, 250, 246), form_color=(40, 110, 80))
    page = _Page(sheet, family, rng)
    (dep, dep_code), (arr, arr_code) = rng.sample(names.AIRPORTS, 2)
    carrier, _airline = rng.choice(names.AIRLINES)
    flight_day = recent_date(rng)
    issue_day = flight_day - dt.timedelta(days=rng.randint(0, 20))
    serial = ids.digits(rng, 10)
    fare = Decimal(rng.randint(30, 420) * 10)
    fund = Decimal(50)
    fuel = Decimal(rng.choice((0, 10, 20, 30, 40, 60, 80)))
    other = Decimal(rng.choice((0, 0, 0, 10, 20, 36)))
    total = fare + fund + fuel + other
    city = rng.choice(ids.REGIONS)[3]
    agency = f"{city}{rng.choice(('携程', '航旅', '凯撒', '国旅', '途牛', '中航'))}" + rng.choice(
        ("航空服务有限公司", "旅行社有限公司", "票务代理有限公司")
    )
    english = family.wording == 0

    def cap(xy: tuple[float, float], cn: str, en: str, size: int = 20) -> int:
        width = page.cap(xy, cn, size)
        if english and en:
            width += 8 + sheet.label((xy[0] + width + 8, xy[1]), en, size)
        return width

    sheet.label((900, 60), "航空运输电子客票行程单", 44, anchor="mm", letter_gap=4)
    if english:
        sheet.label(
            (900, 110), "ITINERARY/RECEIPT OF E-TICKET FOR AIR TRANSPORTATION", 24, anchor="mm"
        )
    page.cap((1240, 160), "印刷序号：", 26)
    sheet.value((1380 + family.caption_gap * 4, 160), serial, 30, kind="mono", fill=RED)
    birth = dt.date(rng.randint(1960, 2004), rng.randint(1, 12), rng.randint(1, 28))
    cap((80, 215), "旅客姓名", "NAME OF PASSENGER")
    page.val((80, 255), names.person_name(rng), 30, shift=False)
    cap((520, 215), "有效身份证件号码", "ID.NO.")
    page.val((520, 255), ids.masked_id_card(rng, birth), 28, kind="mono", shift=False)
    sheet.hline(60, 1740, 290)
    flight = f"{carrier}{rng.randint(1000, 9999)}"
    cls = rng.choice("YBMHKLQ")
    xs = (80, 420, 640, 860, 1060, 1260)
    heads = ("", "承运人", "航班号", "座位等级", "日期", "时间")
    row1 = (f"自 {dep} {dep_code}", carrier, flight, cls, flight_day.isoformat(), "08:30")
    for x, caption, value in zip(xs, heads, row1, strict=True):
        if caption:
            cap((x, 320), caption, "DATE" if caption == "日期" else "")
        page.val((x, 365), value, 26, shift=False)
    page.val((80, 415), f"至 {arr} {arr_code}", 26, shift=False)
    sheet.hline(60, 1740, 450)
    money = [
        ("票价", "FARE", fare, "CNY"),
        ("民航发展基金", "CAAC DEVELOPMENT FUND", fund, "CN"),
        ("燃油附加费", "FUEL SURCHARGE", fuel, "YQ"),
        ("其他税费", "OTHER TAXES", other, "XT"),
        ("合计", "TOTAL", total, "CNY"),
    ]
    if family.reordered:
        # 燃油附加费 before 民航发展基金, every caption with its value on its own row.
        money = [money[0], money[2], money[1], money[3], money[4]]
    total_at = (0.0, 0.0)
    for index, (cn, en, amount, code) in enumerate(money):
        if amount == 0 and cn == "其他税费":
            text = "EXEMPT" if english else ""
        elif english:
            text = f"{code} {amount:.2f}"
        else:
            text = f"¥{amount:.2f}"
        if family.reordered:
            x, y = (80 + (index % 3) * 560, 480 + (index // 3) * 45)
            width = cap((x, y), cn if english else cn + "：", en)
            at = (x + max(width, 120) + 20, y)
        else:
            x = (80, 360, 800, 1180, 1450)[index]
            cap((x, 485), cn, en if len(en) < 12 or not family.caption_gap else "")
            at = (x, 530)
        if text:
            page.val(at, text, 28, kind="mono", shift=not family.reordered)
        if cn == "合计":
            total_at = (at[0] + 80, at[1])
    sheet.hline(60, 1740, 570)
    cap((80, 605), "电子客票号码", "E-TICKET NO.")
    page.val(
        (80, 645), f"{rng.randint(700, 999)}{ids.digits(rng, 10)}", 28, kind="mono", shift=False
    )
    cap((820, 605), "保险费", "INSURANCE")
    page.val((820, 645), "XXX", 26, shift=False)
    sheet.hline(60, 1740, 685)
    cap((80, 720), "销售单位代号", "AGENT CODE" if not family.caption_gap else "")
    page.val((80, 765), f"{dep_code}{ids.digits(rng, 3)}", 26, kind="mono", shift=False)
    issued = cn_date(issue_day) if family.reordered else issue_day.isoformat()
    if english:
        cap((460, 720), "填开单位", "ISSUED BY")
        page.val((460, 765), agency, 28, max_width=700)
        cap((1260, 720), "填开日期", "DATE OF ISSUE")
        page.val((1260, 765), issued, 28, kind="mono")
        date_at = (1330, 765)
    else:
        # Caption and value on one row.
        page.cap((460, 740), "填开单位：", 22)
        page.val((580, 740), agency, 28, max_width=560)
        page.cap((1260, 740), "填开日期：", 22)
        page.val((1380, 740), issued, 28, kind="mono")
        date_at = (1440, 740)
    page.over(total_at, agency)
    page.over(date_at, agency)
    truth = blank_truth("air_itinerary")
    truth["fields"].update(
        invoice_number=serial,
        issue_date=issue_day.isoformat(),
        seller_name=agency,
        total_amount=money_str(total),
    )
    return page.finish(truth, text_px=20)


# --- paper train ticket -----------------------------------------------------------------


def render_train(rng: random.Random, family: TicketFamily) -> Rendered:
    red = family.wording == 1  # the older red soft-paper ticket
    paper = (244, 222, 222) if red else (214, 232, 244)
    sheet = Sheet(1220, 780, paper=paper, form_color=(140, 60, 60) if red else (60, 90, 130))
    sheet.waves(rng, (236, 208, 208) if red else (196, 218, 236))
    page = _Page(sheet, family, rng)
    (start, _), (end, _) = rng.sample(names.STATIONS, 2)
    day = recent_date(rng)
    train = rng.choice("GDGDCKZT") + str(rng.randint(1, 999))
    serial = rng.choice("ABCDEFGHJKZ") + ids.digits(rng, 6)
    fare = Decimal(rng.randint(20, 1800)) + Decimal(rng.choice((0, 0, 5))) / 10
    seat_class = rng.choice(("二等座", "一等座", "硬座", "硬卧", "商务座"))
    passenger = names.person_name(rng)
    birth = dt.date(rng.randint(1960, 2004), rng.randint(1, 12), rng.randint(1, 28))
    gap = family.caption_gap // 3
    sheet.value((60, 60), serial, 40, fill=RED, kind="mono")
    sheet.value((860, 60), f"检票:{rng.choice('ABCD')}{rng.randint(1, 28)}", 30)
    page.val((100, 165), f"{start}站", 56, letter_gap=gap, shift=False)
    page.val((610, 160), train, 50, anchor="mm", shift=False)
    page.val((1140, 165), f"{end}站", 56, anchor="rm", letter_gap=gap, shift=False)
    depart = f"{rng.randint(6, 21):02d}:{rng.choice((0, 5, 12, 30, 42)):02d}"
    date_text = f"{cn_date(day)} {depart}开" if red or gap else f"{cn_date(day)}{depart}开"
    fare_text = f"¥{fare:.1f}元" if not gap else f"¥ {fare:.1f} 元"
    seat = f"{rng.randint(1, 16):02d}车{rng.randint(1, 20):02d}{rng.choice('ABCDF')}号"
    rows = [(date_text, seat), (fare_text, seat_class)]
    if family.reordered:
        rows = [(seat, date_text), (seat_class, fare_text)]
    positions = {}
    for index, (left, right) in enumerate(rows):
        y = 310 + index * 70
        page.val((80, y), left, 38 if "¥" in left else 36, letter_gap=gap)
        page.val((1140, y), right, 38 if "¥" in right else 36, anchor="rm", letter_gap=gap)
        for text, x in ((left, 250), (right, 950)):
            positions[text] = (x, y)
    page.val((80, 445), "限乘当日当次车", 30, shift=False)
    if red:
        page.val((420, 445), "在3日内到有效", 30, shift=False)
    page.val((80, 515), f"{ids.masked_id_card(rng, birth)}{passenger}", 34, kind="mono")
    sheet.rect((80, 570, 760, 650), width=2)
    sheet.value((420, 595), "买票请到12306 发货请到95306", 24, anchor="mm")
    sheet.value((420, 630), "报销凭证 遗失不补" if red else "中国铁路祝您旅途愉快", 24, anchor="mm")
    sheet.value((80, 720), f"{ids.digits(rng, 14)}{serial} {start}售", 28, kind="mono")
    sheet.fake_qr(960, 500, 200, rng)
    page.over(positions[fare_text], _seal_name(rng))
    truth = blank_truth("train_ticket")
    truth["fields"].update(
        invoice_number=serial, issue_date=day.isoformat(), total_amount=money_str(fare)
    )
    return page.finish(truth, text_px=34)


# --- 数电 train ticket: 电子发票(铁路电子客票) ---------------------------------------------


def render_train_e(rng: random.Random, family: TicketFamily) -> Rendered:
    sheet = Sheet(1500, 900, paper=(255, 255, 255), form_color=(40, 80, 140))
    page = _Page(sheet, family, rng)
    (start, start_py), (end, end_py) = rng.sample(names.STATIONS, 2)
    division, region, _province, city = rng.choice(ids.REGIONS)
    travel = REFERENCE_DATE - dt.timedelta(days=rng.randrange(40, 600))
    issued = travel + dt.timedelta(days=rng.randint(0, 30))
    number = ids.digital_invoice_number(rng, issued.year, region)
    train = rng.choice("GDC") + str(rng.randint(1, 999))
    fare = Decimal(rng.randint(20, 1800)) + Decimal(rng.choice((0, 0, 5))) / 10
    buyer = names.company_name(rng, city)
    buyer_id = ids.random_uscc(rng, division)
    passenger = names.person_name(rng)
    birth = dt.date(rng.randint(1960, 2004), rng.randint(1, 12), rng.randint(1, 28))
    ticket_no = ids.digits(rng, 19)
    sheet.fake_qr(60, 30, 130, rng)
    sheet.label((680, 70), "电子发票（铁路电子客票）", 40, anchor="mm", letter_gap=2)
    sheet.hline(420, 940, 106, 2)
    header = [("发票号码：", number), ("开票日期：", cn_date(issued))]
    hx, hy = (1000, 45) if not family.reordered else (220, 135)
    for index, (caption, value) in enumerate(header):
        y = hy + index * 42
        width = page.cap((hx, y), caption, 24)
        page.val((hx + max(width, 118) + 8, y), value, 24, shift=False)
    body = 330 if family.reordered else 170
    buyer_top = 215 if family.reordered else 640
    page.val((150, body + 30), f"{start}站", 46, shift=False)
    page.val((750, body + 20), train, 40, anchor="mm", shift=False)
    page.val((1350, body + 30), f"{end}站", 46, anchor="rm", shift=False)
    page.val((160, body + 80), start_py, 24, shift=False)
    page.val((1340, body + 80), end_py, 24, anchor="rm", shift=False)
    depart = f"{rng.randint(6, 21):02d}:{rng.choice((0, 5, 12, 30, 42)):02d}"
    page.val((120, body + 150), f"{cn_date(travel)} {depart}开", 30, shift=False)
    seat = f"{rng.randint(1, 16):02d}车{rng.randint(1, 20):02d}{rng.choice('ABCDF')}号"
    page.val((760, body + 150), seat, 30, shift=False)
    page.val(
        (1350, body + 150), rng.choice(("二等座", "一等座", "商务座")), 30, anchor="rm", shift=False
    )
    fare_caption = "票价：" if family.wording == 0 else "票 价："
    width = page.cap((120, body + 215), fare_caption, 28)
    fare_at = (120 + max(width, 80) + 12, body + 215)
    page.val(fare_at, f"￥{fare:.2f}", 30)
    page.val(
        (120, body + 280),
        f"{ids.masked_id_card(rng, birth)} {passenger}",
        28,
        kind="mono",
        shift=False,
    )
    page.cap((760, body + 280), "电子客票号：", 24)
    page.val((900, body + 280), ticket_no, 24, kind="mono")
    name_cap, id_cap = ("购买方名称：", "统一社会信用代码：")
    if family.wording == 1 or family.vertical:
        name_cap, id_cap = ("名称：", "统一社会信用代码/纳税人识别号：")
    if family.vertical:
        for index, char in enumerate("购买方信息"):
            sheet.label((95, buyer_top + 5 + index * 24), char, 20, anchor="mm")
        sheet.rect((80, buyer_top - 10, 1420, buyer_top + 120), width=2)
        sheet.vline(112, buyer_top - 10, buyer_top + 120)
    for index, (caption, value, kind) in enumerate(
        ((name_cap, buyer, "hei"), (id_cap, buyer_id, "mono"))
    ):
        y = buyer_top + 20 + index * 50
        x = 130 if family.vertical else 120
        width = sheet.label((x, y), caption, 24, letter_gap=family.caption_gap if index == 0 else 0)
        page.val((x + width + 12, y), value, 26, kind=kind, shift=False)
    sheet.label((750, 860), "买票请到12306 发货请到95306", 22, anchor="mm")
    page.over((fare_at[0] + 60, fare_at[1]), buyer)
    page.over((hx + 200, hy + 42), buyer)
    truth = blank_truth("train_ticket")
    truth["fields"].update(
        invoice_number=number,
        issue_date=issued.isoformat(),
        total_amount=money_str(fare),
        buyer_name=buyer,
        buyer_tax_id=buyer_id,
    )
    return page.finish(truth, text_px=24)


# --- taxi ---------------------------------------------------------------------------------


def render_taxi(rng: random.Random, family: TicketFamily) -> Rendered:
    _division, region, _province, city = rng.choice(ids.REGIONS)
    width = 560 if family.thermal else 720
    sheet = Sheet(width, 1280, paper=(250, 249, 244), form_color=(40, 60, 120))
    page = _Page(sheet, family, rng)
    day = recent_date(rng)
    code = ids.ticket_code(rng, region, day.year)
    number = ids.invoice_number(rng)
    board = dt.time(rng.randint(6, 22), rng.randint(0, 59))
    alight = (dt.datetime.combine(day, board) + dt.timedelta(minutes=rng.randint(6, 70))).time()
    unit = Decimal(rng.choice(("2.30", "2.50", "2.70", "2.00", "3.00")))
    km = Decimal(rng.randint(20, 450)) / 10
    fare = cents(Decimal(13) + max(km - 3, Decimal(0)) * unit).quantize(Decimal("1"))
    plate = f"{rng.choice(names.VEHICLE_PREFIXES)}{rng.choice('BDFHLT')}{ids.digits(rng, 4)}"
    company = (
        f"{city}{rng.choice(('银建', '首汽', '大众', '强生', '金建', '祥龙'))}出租汽车有限公司"
    )
    date_text = rng.choice((day.isoformat(), day.strftime("%y-%m-%d"), day.strftime("%Y.%m.%d")))
    wait = f"00:{rng.randint(0, 9):02d}:{rng.randint(0, 59):02d}"
    alt = family.wording == 1
    rows = [
        ("电话", phone(rng)),
        ("车号", plate),
        ("证号", ids.digits(rng, 6)),
        ("乘车日期" if alt else "日期", date_text),
        ("上车时间" if alt else "上车", board.strftime("%H:%M")),
        ("下车时间" if alt else "下车", alight.strftime("%H:%M")),
        ("单价(元/公里)" if alt else "单价", f"{unit}" if alt else f"{unit}元"),
        ("里程(公里)" if alt else "里程", f"{km}" if alt else f"{km}km"),
        ("候时" if alt else "等候", wait),
        ("实收金额" if alt else "金额", f"{fare:.2f}" if alt else f"{fare:.2f}元"),
    ]
    printed_company = alt or family.thermal or family.reordered
    if family.reordered:
        # The fare right after the date, the meter's working after it.
        rows = [*rows[:4], rows[9], *rows[4:9]]
    fare_at = (0.0, 0.0)
    if family.thermal:
        page.val((280, 70), company, 30, anchor="mm", max_width=520, shift=False)
        page.val((280, 120), "出租汽车专用发票", 30, anchor="mm", shift=False)
        y0 = 190
        lines = [("发票代码", code), ("发票号码", number), *rows]
        for index, (caption, value) in enumerate(lines):
            y = y0 + index * 58
            page.val((50, y), f"{caption}:{value}", 30)
            if caption in ("金额", "实收金额"):
                fare_at = (250, y)
        page.val(
            (280, y0 + len(lines) * 58 + 30), "谢谢乘坐 欢迎再次乘坐", 26, anchor="mm", shift=False
        )
    else:
        sheet.label((360, 70), f"{city}出租汽车专用发票", 38, anchor="mm", max_width=660)
        sheet.label((360, 125), "发 票 联", 28, anchor="mm")
        if printed_company:
            page.val((360, 165), company, 28, anchor="mm", max_width=640, shift=False)
        page.cap((60, 215), "发票代码", 28)
        page.val((230, 215), code, 30, kind="mono")
        page.cap((60, 262), "发票号码", 28)
        page.val((230, 262), number, 30, kind="mono")
        for index, (caption, value) in enumerate(rows):
            if family.reordered:
                # Two columns, each caption above its value.
                x, y = (60, 380)[index % 2], 330 + (index // 2) * 110
                page.cap((x, y), caption, 28)
                page.val((x + 10, y + 46), value, 32, kind="mono")
                at = (x + 90, y + 46)
            else:
                y = 330 + index * 64
                x_val = 260 if alt else 230
                page.cap((60, y), caption, 28 if len(caption) <= 4 else 24)
                page.val((x_val, y), value, 34, kind="mono")
                at = (x_val + 80, y)
            if caption in ("金额", "实收金额"):
                fare_at = at
        page.stamp((rng.randint(380, 520), rng.randint(1040, 1140)), company)
        sheet.label((360, 1230), "手写无效", 24, anchor="mm")
    page.over(fare_at, company)
    truth = blank_truth("taxi_receipt")
    truth["fields"].update(
        invoice_code=code,
        invoice_number=number,
        issue_date=day.isoformat(),
        seller_name=company if printed_company else None,
        total_amount=money_str(fare),
    )
    return page.finish(truth, text_px=26)


# --- toll ---------------------------------------------------------------------------------


def render_toll(rng: random.Random, family: TicketFamily) -> Rendered:
    _division, region, province, _city = rng.choice(ids.REGIONS)
    width = 560 if family.thermal else 720
    sheet = Sheet(width, 1100, paper=(252, 252, 250), form_color=(30, 30, 30))
    page = _Page(sheet, family, rng)
    day = recent_date(rng)
    stamp = dt.datetime.combine(
        day, dt.time(rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))
    )
    code = ids.ticket_code(rng, region, day.year)
    number = ids.invoice_number(rng)
    entry, exit_ = rng.sample(names.TOLL_GATES, 2)
    amount = Decimal(rng.randint(5, 380)) + (Decimal(rng.choice((0, 0, 0, 5))) / 10)
    company = f"{province}{rng.choice(('高速公路', '交通投资', '路桥'))}" + rng.choice(
        ("有限公司", "股份有限公司", "集团有限公司")
    )
    alt = family.wording == 1
    printed_company = alt or family.thermal or rng.random() < 0.6
    rows = [
        ("发票代码：", code),
        ("发票号码：", number),
        ("入口站：" if alt else "入口：", entry),
        ("出口站：" if alt else "出口：", exit_),
        ("车型：", rng.choice(("一型客车", "二型客车", "一型货车"))),
        (
            "车牌号：" if alt else "车牌：",
            f"{rng.choice(names.VEHICLE_PREFIXES)}{ids.digits(rng, 5)}",
        ),
        ("实收金额：" if alt else "金额：", f"{amount:.2f}元" if alt else f"¥{amount:.2f}元"),
        (
            "出口时间：" if alt else "时间：",
            stamp.strftime("%Y/%m/%d %H:%M" if alt else "%Y-%m-%d %H:%M:%S"),
        ),
        ("收费员：", ids.digits(rng, 5)),
    ]
    if printed_company and not family.thermal:
        rows.append(("收费单位：", company))
    if family.reordered:
        rows = [rows[0], rows[1], rows[6], rows[7], *rows[2:6], *rows[8:]]
    value_at = (0.0, 0.0)
    if family.thermal:
        page.val((280, 60), company, 28, anchor="mm", max_width=520, shift=False)
        page.val((280, 110), "车辆通行费专用发票", 30, anchor="mm", shift=False)
        for index, (caption, value) in enumerate(rows):
            y = 190 + index * 58
            page.val((40, y), f"{caption}{value}", 28, max_width=480)
            if caption.startswith(("金额", "实收")):
                value_at = (250, y)
        page.val((280, 190 + len(rows) * 58 + 40), "祝您一路平安", 26, anchor="mm", shift=False)
    else:
        sheet.label((360, 60), f"{province}高速公路", 36, anchor="mm")
        sheet.label((360, 110), "车辆通行费专用发票", 36, anchor="mm")
        sheet.label((360, 155), "发 票 联", 24, anchor="mm")
        for index, (caption, value) in enumerate(rows):
            if family.reordered:
                y = 220 + index * 74
                page.cap((60, y), caption, 26)
                page.val(
                    (90, y + 36), value, 28, kind="mono" if index < 2 else "hei", max_width=560
                )
                at = (200, y + 36)
            else:
                y = 240 + index * 64
                page.cap((60, y), caption, 28)
                page.val((230, y), value, 30, kind="mono" if index < 2 else "hei", max_width=450)
                at = (330, y)
            if caption.startswith(("金额", "实收")):
                value_at = at
        sheet.label((360, 1050), "祝您一路平安", 26, anchor="mm")
        page.stamp((rng.randint(420, 560), rng.randint(800, 920)), company, (120, 82))
    page.over(value_at, company)
    truth = blank_truth("toll_receipt")
    truth["fields"].update(
        invoice_code=code,
        invoice_number=number,
        issue_date=day.isoformat(),
        seller_name=company if printed_company else None,
        total_amount=money_str(amount),
    )
    return page.finish(truth, text_px=26)


# --- bus ----------------------------------------------------------------------------------


def render_bus(rng: random.Random, family: TicketFamily) -> Rendered:
    _division, region, _province, _city = rng.choice(ids.REGIONS)
    sheet = Sheet(1000, 640, paper=(248, 244, 236), form_color=(40, 70, 140))
    page = _Page(sheet, family, rng)
    day = recent_date(rng)
    town, dest = rng.sample(names.TOWNS, 2)
    company = f"{town}{rng.choice(('汽车运输', '公路客运', '交通运输'))}" + rng.choice(
        ("公司", "有限公司", "集团有限公司")
    )
    code = ids.ticket_code(rng, region, day.year)
    number = ids.invoice_number(rng)
    fare = Decimal(rng.randint(8, 260)) + Decimal(rng.choice((0, 0, 5))) / 10
    alt = family.wording == 1
    if alt:
        sheet.label((500, 45), "公路旅客运输客票", 34, anchor="mm")
        page.cap((300, 92), "承运单位：", 22)
        page.val((420, 92), company, 24, max_width=520, shift=False)
    else:
        sheet.label((500, 55), f"{company}客运专用发票", 36, anchor="mm", max_width=920)
        sheet.label((500, 100), "发 票 联", 26, anchor="mm")
    page.cap((60, 150), "发票代码", 26)
    page.val((190, 150), code, 28, kind="mono")
    page.cap((560, 150), "发票号码", 26)
    page.val((690, 150), number, 28, kind="mono")
    sheet.hline(40, 960, 190)
    page.val((80, 240), f"{town}{rng.choice(names.BUS_STOPS)}", 34, shift=False)
    page.val((520, 240), "→", 34, anchor="mm", shift=False)
    page.val((600, 240), dest, 34, shift=False)
    date_text = rng.choice((day.isoformat(), cn_date(day)))
    short = alt or family.vertical
    cells = [
        ("日期" if short else "乘车日期", date_text),
        (
            "时间" if family.vertical else "开车时间" if alt else "发车时间",
            f"{rng.randint(6, 20):02d}:{rng.choice((0, 15, 30, 45)):02d}",
        ),
        ("车次", str(rng.randint(1000, 9999))),
        ("座号", str(rng.randint(1, 50))),
        ("全价" if alt else "票价", f"{fare:.1f}元" if not alt else f"¥{fare:.2f}"),
    ]
    if family.reordered:
        cells = [cells[4], cells[2], cells[3], cells[0], cells[1]]
    fare_at = (0.0, 0.0)
    for index, (caption, value) in enumerate(cells):
        if family.reordered:
            x, y = 80 + index * 175, 300
            page.cap((x, y), caption, 24)
            page.val((x, y + 42), value, 28, shift=False)
            at = (x + 60, y + 42)
        else:
            col, row = index % 2, index // 2
            x, y = (80, 560)[col], 310 + row * (72 if family.vertical else 62)
            width = page.cap((x, y), caption, 24, stack=True)
            vx = x + max(width, 48) + 20
            page.val((vx, y), value, 30)
            at = (vx + 60 + family.value_dx, y)
        if caption in ("票价", "全价"):
            fare_at = at
    page.val((80, 500), rng.choice(("全票", "半票")), 28, shift=False)
    page.cap((80, 560), "条码号", 22)
    page.val((170, 560), ids.digits(rng, 6) + number, 24, kind="mono", shift=False)
    sheet.barcode(520, 530, 400, 60, rng)
    page.stamp((rng.randint(700, 860), rng.randint(390, 470)), company, (115, 78))
    page.over(fare_at, company)
    truth = blank_truth("bus_ticket")
    truth["fields"].update(
        invoice_code=code,
        invoice_number=number,
        issue_date=day.isoformat(),
        seller_name=company,
        total_amount=money_str(fare),
    )
    return page.finish(truth, text_px=24)


# --- 定额发票 -------------------------------------------------------------------------------


def render_quota(rng: random.Random, family: TicketFamily) -> Rendered:
    _division, region, province, city = rng.choice(ids.REGIONS)
    sheet = Sheet(1000, 700, paper=(250, 246, 240), form_color=(170, 40, 40))
    page = _Page(sheet, family, rng)
    day = recent_date(rng)
    code = ids.ticket_code(rng, region, day.year)
    number = ids.invoice_number(rng)
    value = rng.choice((1, 2, 5, 10, 10, 20, 20, 50, 100))
    alt = family.wording == 1
    words = integer_words(value) + ("元整" if alt else "元")
    if alt and value >= 10 and words.startswith("拾"):
        words = "壹" + words
    kind_word = rng.choice(("通用定额发票", "餐饮业定额发票", "停车服务定额发票"))
    sheet.label((500, 60), f"{province}{kind_word}", 44, anchor="mm", letter_gap=2)
    sheet.seal(
        (500, 75),
        (110, 70),
        "全国统一发票监制章",
        "国家税务总局",
        f"{city}税务局",
        rng,
        strength=0.45,
    )
    printed_company = rng.random() < 0.5
    company = names.company_name(rng, city)
    if printed_company:
        sheet.label((500, 130), company, 30, anchor="mm", max_width=900)
    if family.vertical:
        for index, char in enumerate("发票联"):
            sheet.label((950, 250 + index * 40), char, 28, anchor="mm")
    else:
        sheet.label((500, 175), "发 票 联", 26, anchor="mm")
    code_y, number_y, words_y = (240, 350, 470) if family.vertical else (250, 305, 430)
    page.cap((80, code_y), "发票代码", 28, stack=True)
    x_value = 240 + (30 if family.vertical else 0)
    page.val((x_value, code_y), code, 32, kind="mono")
    page.cap((80, number_y), "发票号码", 28, stack=True)
    page.val((x_value, number_y), number, 32, kind="mono")
    gap = 12 + family.caption_gap * 2
    if alt:
        page.cap((140, words_y), "人民币", 30)
        sheet.label((560, words_y), words, 72, anchor="mm", letter_gap=gap, kind="zen")
        sheet.label((880, words_y + 70), f"¥{value}.00", 30, anchor="rm")
    else:
        sheet.label((500, words_y), words, 80, anchor="mm", letter_gap=gap, kind="zen")
    page.cap((80, 590), "收款单位（盖章）：", 28)
    page.stamp((rng.randint(450, 600), rng.randint(540, 600)), company, (120, 80))
    page.over((500, words_y), company)
    truth = blank_truth("quota_invoice")
    truth["fields"].update(
        invoice_code=code,
        invoice_number=number,
        seller_name=company if printed_company else None,
        total_amount=money_str(Decimal(value)),
        total_in_words=words,
    )
    return page.finish(truth, text_px=28)


_RENDERERS: dict[str, Callable[[random.Random, TicketFamily], Rendered]] = {
    "air": render_air,
    "train": render_train,
    "train_e": render_train_e,
    "taxi": render_taxi,
    "toll": render_toll,
    "bus": render_bus,
    "quota": render_quota,
}
# The layout every seed drew before there were families.
_CLASSIC: dict[str, Callable[[random.Random], Rendered]] = {
    "air": tickets.render_air,
    "train": tickets.render_train,
    "taxi": tickets.render_taxi,
    "toll": tickets.render_toll,
    "bus": tickets.render_bus,
    "quota": tickets.render_quota,
}


def render_ticket(kind: str, rng: random.Random, family: str = "classic") -> Rendered:
    """One ticket of ``kind`` (a ``TICKET_KINDS`` key) in layout ``family``."""
    if kind not in TICKET_KINDS:
        raise ValueError(f"unknown ticket kind {kind!r}; choose from {list(TICKET_KINDS)}")
    if family not in TICKET_KINDS[kind][1]:
        raise ValueError(
            f"layout family {family!r} is not drawn for {kind!r}; "
            f"choose from {TICKET_KINDS[kind][1]}"
        )
    chosen = TICKET_FAMILIES[family]
    if chosen.photo:
        # The classic page; ``synth.dataset.generate_ticket`` photographs it.
        page = render_ticket(kind, rng, "classic")
        return Rendered(page.image, page.truth, [*page.notes, f"family:{family}"], page.text_px)
    if family == "classic" and kind in _CLASSIC:
        return _CLASSIC[kind](rng)
    return _RENDERERS[kind](rng, chosen)
