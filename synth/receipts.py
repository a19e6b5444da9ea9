"""Shop and restaurant receipts: Chinese 小票 and English (MYR / SGD / USD) till receipts.

Ground-truth conventions: total_amount is the amount payable (TOTAL / 应付 / 合计 when
no discount), never CASH or CHANGE; amount_excluding_tax and tax_amount are set only
when a separate tax line is printed (SUBTOTAL / TAX); invoice_number only when the
receipt labels its number INVOICE/RECEIPT/BILL NO (a Chinese 流水号 is not one);
seller_tax_id when a GST/SST registration or 税号 is printed.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from PIL import Image

from . import ids, names
from .canvas import Sheet
from .common import Rendered, address, blank_truth, phone, recent_date
from .money import cents, money_str

THERMAL = (246, 245, 240)
INK = (35, 35, 40)
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_CASHIERS = ("AMIRAH", "SITI", "JOHN", "MEI LING", "RAJ", "KUMAR", "ANNE", "002", "CASHIER 1")


def english_date(day: dt.date, currency: str, rng: random.Random) -> str:
    """The same day in one of the formats printed by tills in that currency's country."""
    mon = _MONTHS[day.month - 1]
    if currency == "USD":
        options = [
            f"{day.month:02d}/{day.day:02d}/{day.year}",
            f"{mon.title()} {day.day}, {day.year}",
            day.isoformat(),
            f"{day.month}/{day.day}/{day.year % 100:02d}",
        ]
    else:
        options = [
            f"{day.day:02d}/{day.month:02d}/{day.year}",
            f"{day.day:02d}-{day.month:02d}-{day.year % 100:02d}",
            f"{day.day:02d} {mon} {day.year}",
            f"{day.day:02d}/{day.month:02d}/{day.year % 100:02d}",
            f"{day.day:02d}-{mon}-{day.year}",
            f"{day.day:02d}.{day.month:02d}.{day.year}",
        ]
    return rng.choice(options)


def _items(
    rng: random.Random, pool: tuple[tuple[str, tuple[int, int]], ...]
) -> list[tuple[str, Decimal, Decimal, Decimal]]:
    out = []
    for name, (low, high) in rng.sample(pool, rng.randint(1, 6)):
        qty = Decimal(rng.choice((1, 1, 1, 2, 2, 3, 4)))
        price = names.price_between(rng, low, high)
        out.append((name, qty, price, cents(qty * price)))
    return out


def _line_items(items: list[tuple[str, Decimal, Decimal, Decimal]]) -> list[dict[str, object]]:
    return [
        {
            "name": name,
            "quantity": format(qty.normalize(), "f"),
            "unit_price": format(price.normalize(), "f"),
            "amount": money_str(amount),
            "tax_rate": None,
            "tax_amount": None,
        }
        for name, qty, price, amount in items
    ]


def render_english(rng: random.Random) -> Rendered:
    currency = rng.choice(("MYR", "MYR", "MYR", "SGD", "USD"))
    suffixes = {
        "MYR": ("SDN BHD", "SDN. BHD.", "S/B", "ENTERPRISE"),
        "SGD": ("PTE LTD",),
        "USD": ("LLC", "INC", ""),
    }[currency]
    seller = " ".join(
        part
        for part in (
            rng.choice(names.SHOP_EN_CORES),
            rng.choice(names.SHOP_EN_KINDS),
            rng.choice(suffixes),
        )
        if part
    )
    items = _items(rng, names.ITEMS_EN)
    subtotal = sum((item[3] for item in items), Decimal(0))
    rate, tax_label = {
        "MYR": rng.choice(((6, "SST 6%"), (8, "SST 8%"), (6, "GST 6%"), (0, ""))),
        "SGD": rng.choice(((9, "GST 9%"), (8, "GST 8%"))),
        "USD": rng.choice(((8, "TAX 8.000%"), (6, "SALES TAX 6%"), (0, ""))),
    }[currency]
    tax = cents(subtotal * rate / 100) if rate else Decimal(0)
    gross = subtotal + tax
    rounding = Decimal(0)
    if currency == "MYR" and rng.random() < 0.6:
        rounded = (gross / Decimal("0.05")).quantize(Decimal(1)) * Decimal("0.05")
        rounding = rounded - gross
    total = gross + rounding
    paid = (total / 10).quantize(Decimal(1), rounding="ROUND_CEILING") * 10
    if paid == total:
        paid += 10
    day = recent_date(rng)
    tax_id = ids.digits(rng, 12) if rate and currency != "USD" and rng.random() < 0.7 else None
    symbol = {"MYR": "RM", "SGD": "$", "USD": "$"}[currency]
    number_label = rng.choice(("INVOICE NO", "RECEIPT NO", "BILL NO", None))
    number = ids.digits(rng, rng.choice((5, 6, 8))) if number_label else None
    lines: list[tuple[str, str, str]] = []  # (left, right, style)
    lines.append((seller, "", "title"))
    if currency == "MYR" and rng.random() < 0.5:
        lines.append((f"(CO. REG: {ids.digits(rng, 6)}-{rng.choice('AKTWXPV')})", "", "center"))
    streets, cities = names.ADDRESSES_EN[currency]
    lines.append((f"{rng.randint(1, 250)}, {rng.choice(streets)},", "", "center"))
    lines.append((rng.choice(cities), "", "center"))
    lines.append(
        (
            f"TEL: 0{rng.randint(3, 9)}-{rng.randint(2000, 9999)} {rng.randint(1000, 9999)}",
            "",
            "center",
        )
    )
    if tax_id:
        lines.append((f"{tax_label.split()[0]} REG NO: {tax_id}", "", "center"))
    if rate:
        lines.append(("TAX INVOICE", "", "center"))
    lines.append(("", "", "rule"))
    if number_label:
        lines.append((f"{number_label}: {number}", "", "left"))
    date_text = english_date(day, currency, rng)
    time_text = f"{rng.randint(8, 22):02d}:{rng.randint(0, 59):02d}"
    if rng.random() < 0.5:
        lines.append((f"DATE: {date_text}", f"TIME: {time_text}", "left"))
    else:
        lines.append((f"{date_text} {time_text}", "", "left"))
    lines.append((f"CASHIER: {rng.choice(_CASHIERS)}", "", "left"))
    lines.append(("", "", "rule"))
    lines.append(("QTY  ITEM", "AMOUNT", "left"))
    for name, qty, price, amount in items:
        lines.append((f"{qty}  {name}", f"{amount:.2f}", "left"))
        if qty > 1:
            lines.append((f"     @ {price:.2f}", "", "left"))
    lines.append(("", "", "rule"))
    if rate:
        lines.append(("SUBTOTAL", f"{subtotal:.2f}", "left"))
        lines.append((tax_label, f"{tax:.2f}", "left"))
    if rounding:
        lines.append(("ROUNDING", f"{rounding:.2f}", "left"))
    lines.append((f"TOTAL {symbol}", f"{total:.2f}", "bold"))
    lines.append(("CASH", f"{paid:.2f}", "left"))
    lines.append(("CHANGE", f"{paid - total:.2f}", "left"))
    lines.append(("", "", "rule"))
    lines.append(("THANK YOU, PLEASE COME AGAIN", "", "center"))
    image = _draw_receipt(lines)
    truth = blank_truth("receipt", currency)
    truth["fields"].update(
        invoice_number=number,
        issue_date=day.isoformat(),
        seller_name=seller,
        seller_tax_id=tax_id,
        amount_excluding_tax=money_str(subtotal) if rate else None,
        tax_amount=money_str(tax) if rate else None,
        total_amount=money_str(total),
    )
    truth["fields"]["line_items"] = _line_items(items)
    return Rendered(image, truth, [f"date_format:{date_text}"], text_px=24)


def render_chinese(rng: random.Random) -> Rendered:
    _division, _region, _province, city = rng.choice(ids.REGIONS)
    branch = rng.choice(("人民路", "中山路", "万达", "解放路", "高新", "火车站", "大学城"))
    seller = f"{rng.choice(names.SHOP_CN_CORES)}{rng.choice(names.SHOP_CN)}（{branch}店）"
    items = _items(rng, names.ITEMS_CN)
    subtotal = sum((item[3] for item in items), Decimal(0))
    discount = (
        cents(subtotal * Decimal(rng.choice((5, 10, 12))) / 100) if rng.random() < 0.3 else None
    )
    total = subtotal - (discount or Decimal(0))
    paid = (total / 10).quantize(Decimal(1), rounding="ROUND_CEILING") * 10
    tax_id = ids.random_uscc(rng) if rng.random() < 0.4 else None
    day = recent_date(rng)
    clock = f"{rng.randint(8, 22):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
    date_text = rng.choice(
        (
            f"{day.isoformat()} {clock}",
            f"{day.year}/{day.month:02d}/{day.day:02d} {clock}",
            f"{day.year}年{day.month}月{day.day}日 {clock[:5]}",
            f"{day:%Y.%m.%d} {clock}",
        )
    )
    lines: list[tuple[str, str, str]] = [(seller, "", "title")]
    if tax_id:
        lines.append((f"税号：{tax_id}", "", "center"))
    lines.append((f"地址：{address(rng, city)}", "", "center"))
    lines.append((f"电话：{phone(rng)}", "", "center"))
    lines.append(("", "", "rule"))
    lines.append((f"流水号：{ids.digits(rng, 12)}", "", "left"))
    lines.append((f"收银员：{rng.randint(1, 30):03d}    机号：{rng.randint(1, 9):02d}", "", "left"))
    lines.append((f"日期：{date_text}", "", "left"))
    lines.append(("", "", "rule"))
    lines.append(("品名      数量  单价", "金额", "left"))
    for name, qty, price, amount in items:
        lines.append((name, "", "left"))
        lines.append((f"          {qty}  {price:.2f}", f"{amount:.2f}", "left"))
    lines.append(("", "", "rule"))
    lines.append((f"件数：{sum(int(i[1]) for i in items)}", "", "left"))
    if discount is not None:
        lines.append(("合计：", f"{subtotal:.2f}", "left"))
        lines.append(("优惠：", f"-{discount:.2f}", "left"))
        lines.append(("应付：", f"{total:.2f}", "bold"))
    else:
        lines.append((rng.choice(("合计：", "总计：", "应收：")), f"{total:.2f}", "bold"))
    lines.append((rng.choice(("现金：", "实收：")), f"{paid:.2f}", "left"))
    lines.append(("找零：", f"{paid - total:.2f}", "left"))
    lines.append(("", "", "rule"))
    lines.append(("谢谢惠顾  欢迎再次光临", "", "center"))
    image = _draw_receipt(lines)
    truth = blank_truth("receipt", "CNY")
    truth["fields"].update(
        issue_date=day.isoformat(),
        seller_name=seller,
        seller_tax_id=tax_id,
        total_amount=money_str(total),
    )
    truth["fields"]["line_items"] = _line_items(items)
    return Rendered(image, truth, [f"date_format:{date_text}"], text_px=24)


def _draw_receipt(lines: list[tuple[str, str, str]]) -> Image.Image:
    width = 640
    size = 26
    step = 38
    height = 60 + step * (len(lines) + 1) + 40
    sheet = Sheet(width, height, paper=THERMAL, form_color=INK, ink_color=INK)
    margin = 36
    y = 50
    for left, right, style in lines:
        if style == "title":
            sheet.value(
                (width / 2, y), left, 32, anchor="mm", max_width=width - 2 * margin, kind="zen"
            )
            y += 8
        elif style == "center":
            sheet.value(
                (width / 2, y),
                left,
                size - 2,
                anchor="mm",
                kind="mono",
                max_width=width - 2 * margin,
            )
        elif style == "rule":
            sheet.dashed(margin, width - margin, y, on_ink=True)
        else:
            text_size = size + 2 if style == "bold" else size
            sheet.value((margin, y), left, text_size, kind="mono")
            if right:
                sheet.value((width - margin, y), right, text_size, anchor="rm", kind="mono")
        y += step
    return sheet.compose()


def render_receipt(rng: random.Random) -> Rendered:
    if rng.random() < 0.5:
        return render_chinese(rng)
    return render_english(rng)
