"""增值税发票: paper 专票/普票, 电子普通发票 and 数电票 (全电发票).

Values are generated first (consistent: checksums, 金额+税额=价税合计, line sums, 大写)
and the truth is taken from them; the layout only draws strings.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from . import ids, names
from .canvas import BLACK, Sheet, text_width
from .common import Rendered, address, bank_account, blank_truth, cn_date, phone, recent_date
from .money import amount_in_words, cents, money_str, tax_of

FORM_BROWN = (150, 72, 40)
FORM_BLUE = (40, 80, 140)


@dataclass
class Party:
    name: str
    tax_id: str | None
    address_phone: str
    bank: str


@dataclass
class Line:
    name: str
    spec: str
    unit: str
    quantity: Decimal | None
    unit_price: Decimal | None
    amount: Decimal
    rate: str  # "13%" or "免税"
    tax: Decimal | None


@dataclass
class VatData:
    doc_type: str
    title: str
    code: str | None
    number: str
    issue_date: dt.date
    check_code: str | None
    machine_no: str | None
    buyer: Party
    seller: Party
    lines: list[Line]
    amount: Decimal
    tax: Decimal | None
    total: Decimal
    words: str
    payee: str
    reviewer: str
    drawer: str
    remark: str
    city: str


def _party(rng: random.Random, company: bool) -> Party:
    division, _region, _province, city = rng.choice(ids.REGIONS)
    if not company:
        return Party("个人", None, "", "")
    name = names.company_name(rng, city)
    return Party(
        name,
        ids.random_uscc(rng, division),
        f"{address(rng, city)} {phone(rng)}",
        bank_account(rng, city),
    )


def _lines(rng: random.Random, exempt: bool) -> list[Line]:
    count = rng.choices((1, 2, 3, 4, 5), weights=(40, 25, 15, 12, 8))[0]
    first = rng.choice(names.GOODS)
    # Most invoices sell one kind of thing at one rate; some mix.
    pool = [g for g in names.GOODS if g.rate == first.rate] if rng.random() < 0.7 else names.GOODS
    out = []
    for index in range(count):
        goods = first if index == 0 else rng.choice(pool)
        rate_pct = goods.rate
        low, high = goods.price_range
        if goods.countable:
            quantity = Decimal(rng.choice((1, 1, 1, 2, 2, 3, 4, 5, 6, 10, 12, 20)))
            if rng.random() < 0.35 and not exempt:
                # Tax-inclusive shelf price: the excl.-tax unit price has many decimals.
                gross = cents(names.price_between(rng, low, high) * quantity)
                amount = cents(gross / (1 + Decimal(rate_pct) / 100))
                unit_price = (amount / quantity).quantize(
                    Decimal("0.00000001"), rounding=ROUND_HALF_UP
                )
                tax: Decimal | None = gross - amount
            else:
                unit_price = names.price_between(rng, low, high)
                amount = cents(unit_price * quantity)
                tax = tax_of(amount, rate_pct)
            line = Line(
                goods.name,
                goods.spec,
                goods.unit,
                quantity,
                unit_price,
                amount,
                f"{rate_pct}%",
                tax,
            )
        else:
            amount = cents(Decimal(rng.randint(low * 100, high * 100)) / 100)
            line = Line(
                goods.name,
                goods.spec,
                "",
                None,
                None,
                amount,
                f"{rate_pct}%",
                tax_of(amount, rate_pct),
            )
        if exempt:
            line.rate, line.tax = "免税", None
        out.append(line)
    return out


def make_vat_data(rng: random.Random, doc_type: str) -> VatData:
    _division, region, province, city = rng.choice(ids.REGIONS)
    issue_date = recent_date(rng)
    exempt = doc_type in ("vat_general", "vat_electronic") and rng.random() < 0.06
    lines = _lines(rng, exempt)
    amount = sum((line.amount for line in lines), Decimal(0))
    tax = None if exempt else sum((line.tax or Decimal(0) for line in lines), Decimal(0))
    total = amount + (tax or Decimal(0))
    yuan = "圆" if doc_type in ("vat_electronic", "digital_invoice") or rng.random() < 0.5 else "元"
    buyer_company = doc_type == "vat_special" or rng.random() < 0.7
    seller = _party(rng, company=True)
    buyer = _party(rng, company=buyer_company)
    code: str | None
    if doc_type == "vat_special":
        title = f"{province}增值税专用发票"
        code = ids.paper_vat_code(rng, region, issue_date.year, special=True)
        number, check = ids.invoice_number(rng), None
    elif doc_type == "vat_general":
        title = f"{province}增值税普通发票"
        code = ids.paper_vat_code(rng, region, issue_date.year, special=False)
        number, check = ids.invoice_number(rng), ids.check_code(rng)
    elif doc_type == "vat_electronic":
        title = f"{province}增值税电子普通发票"
        code = ids.electronic_vat_code(rng, region, issue_date.year)
        number, check = ids.invoice_number(rng), ids.check_code(rng)
    else:
        title = rng.choice(
            ("电子发票（普通发票）", "电子发票（普通发票）", "电子发票（增值税专用发票）")
        )
        code, check = None, None
        number = ids.digital_invoice_number(rng, issue_date.year, region)
    machine = None if doc_type == "digital_invoice" else ids.machine_number(rng)
    remark = rng.choice(
        (
            "",
            "",
            f"订单号：{ids.digits(rng, 12)}",
            "项目：办公用品采购",
            f"合同编号：HT{ids.digits(rng, 8)}",
        )
    )
    return VatData(
        doc_type,
        title,
        code,
        number,
        issue_date,
        check,
        machine,
        buyer,
        seller,
        lines,
        amount,
        tax,
        total,
        amount_in_words(total, yuan),
        names.person_name(rng),
        names.person_name(rng),
        names.person_name(rng),
        remark,
        city,
    )


def vat_truth(data: VatData) -> dict[str, Any]:
    truth = blank_truth(data.doc_type)
    fields = truth["fields"]
    fields.update(
        invoice_code=data.code,
        invoice_number=data.number,
        issue_date=data.issue_date.isoformat(),
        seller_name=data.seller.name,
        seller_tax_id=data.seller.tax_id,
        buyer_name=data.buyer.name,
        buyer_tax_id=data.buyer.tax_id,
        amount_excluding_tax=money_str(data.amount),
        tax_amount=money_str(data.tax) if data.tax is not None else None,
        total_amount=money_str(data.total),
        total_in_words=data.words,
        check_code=data.check_code,
    )
    fields["line_items"] = [
        {
            "name": line.name,
            "quantity": _plain(line.quantity),
            "unit_price": _plain(line.unit_price),
            "amount": money_str(line.amount),
            "tax_rate": line.rate,
            "tax_amount": money_str(line.tax) if line.tax is not None else None,
        }
        for line in data.lines
    ]
    return truth


# The kind in an invoice QR payload (the second field) per document type.
QR_KINDS = {"vat_special": "01", "vat_general": "04", "vat_electronic": "10"}


def qr_payload(data: VatData) -> str:
    """What the invoice's QR code carries: ``01,kind,code,number,amount,date,check,tail,``.

    The amount is the pre-tax 合计金额, except on a 数电票 (kinds 31 专票 / 32 普票),
    whose code carries the 价税合计. The last field is four hex characters of no meaning
    to a reader.
    """
    if data.doc_type == "digital_invoice":
        kind = "31" if "专用" in data.title else "32"
        amount = data.total
    else:
        kind = QR_KINDS[data.doc_type]
        amount = data.amount
    tail = f"{zlib.crc32(data.number.encode()) & 0xFFFF:04X}"
    fields = (
        "01",
        kind,
        data.code or "",
        data.number,
        money_str(amount),
        data.issue_date.strftime("%Y%m%d"),
        data.check_code or "",
        tail,
    )
    return ",".join(fields) + ","


def _plain(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return format(value.normalize(), "f")


def _price_text(value: Decimal | None) -> str:
    return "" if value is None else _plain(value) or ""


def _vertical(sheet: Sheet, x: float, y0: float, y1: float, text: str, size: int) -> None:
    step = (y1 - y0) / (len(text) + 1)
    for index, char in enumerate(text):
        sheet.label((x, y0 + step * (index + 1)), char, size, anchor="mm")


def _supervision_seal(
    sheet: Sheet,
    center: tuple[float, float],
    data: VatData,
    rng: random.Random,
    radii: tuple[int, int] = (120, 80),
) -> None:
    sheet.seal(
        center,
        radii,
        "全国统一发票监制章",
        "国家税务总局",
        f"{data.city}税务局",
        rng,
        strength=0.55,
    )


def _seller_seal(
    sheet: Sheet, center: tuple[float, float], data: VatData, rng: random.Random
) -> None:
    sheet.seal(center, (150, 100), data.seller.name, data.seller.tax_id or "", "发票专用章", rng)


# Column geometry of the goods table (x0, x1, caption); shared by paper and e-invoices.
_COLUMNS = (
    (60, 560, "货物或应税劳务、服务名称"),
    (560, 730, "规格型号"),
    (730, 810, "单位"),
    (810, 930, "数 量"),
    (930, 1150, "单 价"),
    (1150, 1380, "金 额"),
    (1380, 1470, "税率"),
    (1470, 1740, "税 额"),
)


def _goods_rows(sheet: Sheet, data: VatData, top: int, row_h: int, size: int) -> None:
    for index, line in enumerate(data.lines):
        y = top + row_h * index + row_h // 2
        sheet.value((70, y), line.name, size, max_width=480)
        sheet.value((570, y), line.spec, size - 2, max_width=155)
        sheet.value((770, y), line.unit, size, anchor="mm")
        sheet.value((920, y), _price_text(line.quantity), size, anchor="rm")
        sheet.value((1140, y), _price_text(line.unit_price), size, anchor="rm", max_width=205)
        sheet.value((1370, y), money_str(line.amount), size, anchor="rm")
        sheet.value((1425, y), line.rate, size, anchor="mm")
        tax_text = money_str(line.tax) if line.tax is not None else "***"
        sheet.value((1730, y), tax_text, size, anchor="rm")


@dataclass(frozen=True)
class VatFamily:
    """One way of printing the classic frame's party blocks (what other issuers' forms,
    printers and generators vary), so that a parser can be measured on layouts it was
    not developed against.

    ``captions`` are the four row captions; ``{side}`` is replaced by 购买方/销售方.
    ``side_caption``: "vertical" (the block caption one character under the other in
    the left column), "spread" (larger characters spread over the block's full height),
    or "none" (no block caption: the wording or the order must tell the parties apart).
    """

    name: str
    captions: tuple[str, str, str, str] = (
        "名　　　称：",
        "纳税人识别号：",
        "地 址、电 话：",
        "开户行及账号：",
    )
    caption_gap: int = 0  # extra pixels between caption characters
    side_caption: str = "vertical"
    seller_on_top: bool = False
    x_caption: int = 120
    x_value: int = 330
    seal_over_name: bool = False


VAT_FAMILIES: dict[str, VatFamily] = {
    family.name: family
    for family in (
        VatFamily("classic"),
        VatFamily(
            "spaced_labels",
            ("名 称：", "纳 税 人 识 别 号：", "地 址 、 电 话：", "开 户 行 及 账 号："),
            caption_gap=5,
            x_value=360,
        ),
        # Spaced so wide that OCR reads one box per character, as on the form reported in
        # issue 17 (the caption gap above merges into one box under OCR).
        VatFamily(
            "spaced_wide",
            ("名　称：", "纳税人识别号：", "地址、电话：", "开户行及账号："),
            caption_gap=22,
            side_caption="spread",
            x_value=450,
        ),
        VatFamily(
            "vertical_spread",
            ("名　　称：", "纳 税 人 识 别 号：", "地址、电话：", "开户行及账号："),
            caption_gap=3,
            side_caption="spread",
            x_caption=135,
            x_value=380,
        ),
        VatFamily(
            "long_labels",
            ("{side}名称：", "{side}纳税人识别号：", "{side}地址、电话：", "{side}开户行及账号："),
            side_caption="none",
            x_caption=75,
            x_value=380,
        ),
        VatFamily("seller_on_top", seller_on_top=True),
        VatFamily("seal_over_name", seal_over_name=True),
        VatFamily("wide_columns", x_caption=150, x_value=460),
    )
}
# The families the layout rules were developed against; the rest are held out.
DEVELOPED_ON: frozenset[str] = frozenset(
    {"classic", "spaced_labels", "spaced_wide", "vertical_spread", "long_labels"}
)


def _party_block(
    sheet: Sheet,
    party: Party,
    top: int,
    label: str,
    size: int,
    family: VatFamily = VAT_FAMILIES["classic"],
    width: int = 720,
) -> None:
    x_caption, x_value = family.x_caption, family.x_value
    width -= max(x_value - 330, 0)
    if family.side_caption == "vertical":
        _vertical(sheet, 85, top, top + 160, label, 26)
    elif family.side_caption == "spread":
        _vertical(sheet, 87, top - 10, top + 170, label, 32)
    side = label[:3]
    values = (party.name, party.tax_id or "", party.address_phone, party.bank)
    for index, (template, value) in enumerate(zip(family.captions, values, strict=True)):
        caption = template.format(side=side)
        y = top + 26 + index * 37
        sheet.label((x_caption, y), caption, 22, letter_gap=family.caption_gap)
        if value:
            value_size = size + 2 if index < 2 else size - 2
            sheet.value(
                (x_value, y),
                value,
                value_size,
                max_width=width,
                kind="mono" if index == 1 else "hei",
            )


def render_paper_or_electronic(
    data: VatData, rng: random.Random, family: VatFamily = VAT_FAMILIES["classic"]
) -> Rendered:
    """Paper 专票/普票 and 电子普通发票 share the classic frame: buyer top, seller bottom
    (``family`` varies the party blocks; "classic" draws what every earlier seed drew)."""
    electronic = data.doc_type == "vat_electronic"
    upper, lower = (data.seller, "销售方") if family.seller_on_top else (data.buyer, "购买方")
    bottom_party, bottom_label = (
        (data.buyer, "购买方") if family.seller_on_top else (data.seller, "销售方")
    )
    sheet = Sheet(1800, 1100, form_color=FORM_BROWN if rng.random() < 0.7 else FORM_BLUE)
    size = 24
    notes: list[str] = []
    # Header
    sheet.qr(70, 30, 130, qr_payload(data), rng)
    sheet.label((900, 80), data.title, 44, anchor="mm", letter_gap=4)
    sheet.hline(560, 1240, 118, 2)
    sheet.hline(560, 1240, 124, 2)
    if not electronic:
        sheet.label(
            (900, 160),
            rng.choice(("发 票 联", "抵 扣 联")) if data.doc_type == "vat_special" else "发 票 联",
            28,
            anchor="mm",
        )
    _supervision_seal(sheet, (900, 100), data, rng)
    if electronic:
        header = [
            ("发票代码：", data.code or ""),
            ("发票号码：", data.number),
            ("开票日期：", cn_date(data.issue_date)),
            ("校 验 码：", ids.grouped(data.check_code or "")),
        ]
        for index, (caption, value) in enumerate(header):
            y = 60 + index * 40
            sheet.label((1270, y), caption, 24)
            sheet.value((1400, y), value, size)
    else:
        sheet.label((220, 70), data.code or "", 32, fill=BLACK, kind="mono")
        sheet.label((1420, 70), "№", 36, fill=BLACK)
        sheet.label((1480, 70), data.number, 38, fill=BLACK, kind="mono")
        sheet.label((1270, 210), "开票日期：", 24)
        sheet.value((1400, 210), cn_date(data.issue_date), size)
        if data.check_code:
            sheet.label((1270, 170), "校 验 码：", 24)
            sheet.value((1400, 170), ids.grouped(data.check_code), size - 2)
    sheet.label((80, 225), "机器编号：", 24)
    sheet.value((210, 225), data.machine_no or "", size, kind="mono")
    # Frame
    top, bottom = 250, 960
    sheet.rect((60, top, 1740, bottom))
    sheet.vline(110, top, top + 160)
    sheet.vline(1080, top, top + 160)
    sheet.vline(1130, top, top + 160)
    sheet.hline(60, 1740, top + 160)
    _party_block(sheet, upper, top, lower, size, family)
    _vertical(sheet, 1105, top, top + 160, "密码区", 24)
    for row in range(4):
        cipher = "".join(rng.choice("0123456789+-*/<>") for _ in range(28))
        sheet.value((1145, top + 26 + row * 37), cipher, 22, kind="mono")
    # Goods table
    table_top = top + 160
    for x0, x1, caption in _COLUMNS:
        sheet.label(
            ((x0 + x1) / 2, table_top + 22), caption, 22, anchor="mm", max_width=x1 - x0 - 6
        )
        if x0 > 60:
            sheet.vline(x0, table_top, table_top + 280)
    _goods_rows(sheet, data, table_top + 44, 38, size)
    sum_y = table_top + 250
    sheet.label((310, sum_y), "合　　计", 24, anchor="mm")
    sheet.value((1370, sum_y), "¥" + money_str(data.amount), size, anchor="rm")
    sheet.value(
        (1730, sum_y),
        "¥" + money_str(data.tax) if data.tax is not None else "***",
        size,
        anchor="rm",
    )
    sheet.hline(60, 1740, table_top + 280)
    words_y = table_top + 310
    sheet.label((80, words_y), "价税合计（大写）", 24)
    sheet.vline(330, table_top + 280, table_top + 340)
    sheet.label((350, words_y), "⊗", 26)
    sheet.value((385, words_y), data.words, size + 2)
    sheet.label((1200, words_y), "（小写）", 24)
    sheet.value((1300, words_y), "¥" + money_str(data.total), size + 2)
    sheet.hline(60, 1740, table_top + 340)
    seller_top = table_top + 340
    sheet.vline(110, seller_top, bottom)
    sheet.vline(1080, seller_top, bottom)
    sheet.vline(1130, seller_top, bottom)
    _party_block(sheet, bottom_party, seller_top, bottom_label, size, family)
    _vertical(sheet, 1105, seller_top, bottom, "备注", 24)
    if data.remark:
        sheet.value((1145, seller_top + 30), data.remark, size - 2, max_width=580)
    # Footer
    footer_y = 995
    sheet.label((90, footer_y), "收款人：", 24)
    sheet.value((190, footer_y), data.payee, size)
    sheet.label((480, footer_y), "复核：", 24)
    sheet.value((560, footer_y), data.reviewer, size)
    sheet.label((850, footer_y), "开票人：", 24)
    sheet.value((950, footer_y), data.drawer, size)
    sheet.label((1250, footer_y), "销售方：（章）", 24)
    # Over the 销售方（章） caption and the frame, as a real stamp lands.
    seal_center = (rng.randint(1320, 1460), rng.randint(930, 985))
    _seller_seal(sheet, seal_center, data, rng)
    notes.append("seal")
    if family.seal_over_name:
        # A second stamp squarely over the seller's name, as a hurried clerk lands it.
        name_top = top if family.seller_on_top else seller_top
        name_x = family.x_value + min(text_width(data.seller.name, size + 2), 700) // 2
        _seller_seal(sheet, (name_x, name_top + 40), data, rng)
        notes.append("seal_over_name")
    if family.name != "classic":
        notes.append(f"family:{family.name}")
    offset = (0, 0)
    dot_matrix = False
    if not electronic and rng.random() < 0.45:
        # Paper invoices are printed on pre-printed forms by dot-matrix printers; the
        # form is often fed a little crooked.
        offset = (
            rng.choice((-1, 1)) * rng.randint(4, 22),
            rng.choice((-1, 1)) * rng.randint(3, 12),
        )
        dot_matrix = rng.random() < 0.6
        notes.append(f"misaligned:{offset[0]},{offset[1]}")
        if dot_matrix:
            notes.append("dot_matrix")
    image = sheet.compose(ink_offset=offset, dot_matrix=dot_matrix)
    return Rendered(image, vat_truth(data), notes)


def render_digital(data: VatData, rng: random.Random) -> Rendered:
    """数电票: buyer and seller side by side, 20-digit number, no code and no 密码区."""
    sheet = Sheet(1800, 1080, paper=(255, 255, 255), form_color=(160, 60, 40))
    size = 24
    sheet.qr(70, 30, 130, qr_payload(data), rng)
    sheet.label((900, 80), data.title, 44, anchor="mm", letter_gap=2)
    sheet.hline(580, 1220, 120, 2)
    sheet.hline(580, 1220, 126, 2)
    sheet.seal(
        (900, 95),
        (85, 85),
        "全国统一发票监制章",
        "国家税务总局",
        f"{data.city}税务局",
        rng,
        strength=0.5,
    )
    sheet.label((1300, 60), "发票号码：", 24)
    sheet.value((1430, 60), data.number, size)
    sheet.label((1300, 105), "开票日期：", 24)
    sheet.value((1430, 105), cn_date(data.issue_date), size)
    top, bottom = 170, 1000
    sheet.rect((60, top, 1740, bottom))
    party_h = 150
    sheet.hline(60, 1740, top + party_h)
    sheet.vline(110, top, top + party_h)
    sheet.vline(900, top, top + party_h)
    sheet.vline(950, top, top + party_h)
    for x_label, x_caption, party, label in (
        (85, 125, data.buyer, "购买方信息"),
        (925, 965, data.seller, "销售方信息"),
    ):
        _vertical(sheet, x_label, top, top + party_h, label, 20)
        sheet.label((x_caption, top + 45), "名称：", 24)
        sheet.value((x_caption + 75, top + 45), party.name, size + 2, max_width=690)
        sheet.label((x_caption, top + 105), "统一社会信用代码/纳税人识别号：", 22)
        if party.tax_id:
            sheet.value((x_caption + 355, top + 105), party.tax_id, size, kind="mono")
    table_top = top + party_h
    captions = ("项目名称", "规格型号", "单 位", "数 量", "单 价", "金 额", "税率/征收率", "税 额")
    for (x0, x1, _), caption in zip(_COLUMNS, captions, strict=True):
        sheet.label(
            ((x0 + x1) / 2, table_top + 25), caption, 22, anchor="mm", max_width=x1 - x0 - 6
        )
    _goods_rows(sheet, data, table_top + 50, 38, size)
    sum_y = table_top + 300
    sheet.label((150, sum_y), "合　　计", 24, anchor="mm")
    sheet.value((1370, sum_y), "¥" + money_str(data.amount), size, anchor="rm")
    sheet.value(
        (1730, sum_y),
        "¥" + money_str(data.tax) if data.tax is not None else "***",
        size,
        anchor="rm",
    )
    sheet.hline(60, 1740, table_top + 330)
    words_y = table_top + 365
    sheet.label((80, words_y), "价税合计（大写）", 24)
    sheet.vline(330, table_top + 330, table_top + 400)
    sheet.value((350, words_y), "⊗" + data.words, size + 2)
    sheet.label((1200, words_y), "（小写）", 24)
    sheet.value((1300, words_y), "¥" + money_str(data.total), size + 2)
    sheet.hline(60, 1740, table_top + 400)
    _vertical(sheet, 85, table_top + 400, bottom, "备注", 24)
    sheet.vline(110, table_top + 400, bottom)
    if data.remark:
        sheet.value((130, table_top + 440), data.remark, size - 2)
    sheet.label((100, 1040), "开票人：", 24)
    sheet.value((200, 1040), data.drawer, size)
    notes = []
    if rng.random() < 0.3:
        # Some companies still stamp printed 数电票.
        _seller_seal(sheet, (rng.randint(1300, 1500), rng.randint(930, 1010)), data, rng)
        notes.append("seal")
    return Rendered(sheet.compose(), vat_truth(data), notes)


# Document types drawn on the classic frame, which the layout families vary.
FAMILY_TYPES = ("vat_special", "vat_general", "vat_electronic")


def render_vat(doc_type: str, rng: random.Random, family: str = "classic") -> Rendered:
    if family not in VAT_FAMILIES:
        raise ValueError(f"unknown VAT layout family {family!r}; choose from {list(VAT_FAMILIES)}")
    data = make_vat_data(rng, doc_type)
    if doc_type == "digital_invoice":
        if family != "classic":
            raise ValueError("layout families apply to the classic frame, not to 数电票")
        return render_digital(data, rng)
    return render_paper_or_electronic(data, rng, VAT_FAMILIES[family])
