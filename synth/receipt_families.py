"""Layout families of till receipts: the same kind of content printed the ways other
countries, tills and printers print it, so that the receipt parser can be measured on
layouts it was not developed against (leave-one-family-out).

A family (``RECEIPT_FAMILIES``) fixes the country (currency, date formats, the words for
total, tax, cash and change, decimal comma or point, legal forms) and layout knobs: a
58 mm thermal roll (narrow, small, faded), a brand or greeting line above the registered
name, a totals block with rounding and the cash tendered printed as large as the total,
wide columns with the currency in a column of its own. The seeds are the same in every
family, so families differ in layout and country wording, never in the drawn content.

Truth conventions (as ``synth.receipts``): ``total_amount`` is the amount payable
(after rounding), never the cash tendered or the change; ``seller_name`` is the
registered name with its legal form, not the brand line; ``issue_date`` the sale date.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from . import ids, names
from .canvas import Sheet
from .common import Rendered, blank_truth, recent_date
from .money import cents, money_str

_PAPER = (246, 245, 240)
_INK = (35, 35, 40)
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


@dataclass(frozen=True)
class Country:
    currency: str
    symbol: str  # printed on the total row
    legal: tuple[str, ...]
    streets: tuple[str, ...]
    cities: tuple[str, ...]
    tax: tuple[tuple[int, str], ...]  # (rate %, label)
    total: tuple[str, ...]  # words for the payable total
    subtotal: str
    cash: tuple[str, ...]
    change: tuple[str, ...]
    rounding: str | None  # the rounding row, where cash is rounded (to 5 cents)
    comma: bool = False  # decimal comma
    date_formats: tuple[str, ...] = ("{d:02d}/{m:02d}/{Y}",)
    date_label: str = "DATE"
    time_label: str = "TIME"
    cashier: str = "CASHIER"
    thanks: str = "THANK YOU, PLEASE COME AGAIN"
    tax_id_label: str | None = None


COUNTRIES: dict[str, Country] = {
    "MY": Country(
        "MYR",
        "RM",
        ("SDN BHD", "SDN. BHD.", "ENTERPRISE", "TRADING"),
        names.ADDRESSES_EN["MYR"][0],
        names.ADDRESSES_EN["MYR"][1],
        ((6, "SST 6%"), (8, "SST 8%"), (6, "GST 6%")),
        ("TOTAL", "TOTAL (RM)", "NET TOTAL", "TOTAL AMOUNT"),
        "SUBTOTAL",
        ("CASH",),
        ("CHANGE",),
        "ROUNDING ADJ",
        date_formats=(
            "{d:02d}/{m:02d}/{Y}",
            "{d:02d}-{m:02d}-{y:02d}",
            "{d:02d} {MON} {Y}",
            "{d:02d}-{MON}-{Y}",
            "{d:02d}.{m:02d}.{Y}",
        ),
        tax_id_label="SST REG NO",
    ),
    "US": Country(
        "USD",
        "$",
        ("INC", "LLC", "CO"),
        names.ADDRESSES_EN["USD"][0],
        names.ADDRESSES_EN["USD"][1],
        ((8, "TAX 8.875%"), (6, "SALES TAX 6%"), (7, "STATE TAX 7%")),
        ("BALANCE DUE", "TOTAL DUE", "AMOUNT DUE"),
        "SUBTOTAL",
        ("CASH TEND", "CASH TENDERED", "AMOUNT TENDERED"),
        ("CHANGE DUE", "CHANGE"),
        None,
        date_formats=("{m:02d}/{d:02d}/{Y}", "{m}/{d}/{y:02d}", "{Mon} {d}, {Y}"),
        thanks="THANK YOU FOR SHOPPING WITH US",
    ),
    "UK": Country(
        "GBP",
        "£",
        ("LTD", "LIMITED", "PLC"),
        ("HIGH STREET", "STATION ROAD", "CHURCH LANE", "MARKET PLACE"),
        ("LONDON SW1A 1AA", "MANCHESTER M1 1AE", "LEEDS LS1 4DY"),
        ((20, "VAT 20%"),),
        ("BALANCE DUE", "TOTAL TO PAY", "TOTAL"),
        "SUB TOTAL",
        ("CASH",),
        ("CHANGE",),
        None,
        date_formats=("{d:02d}/{m:02d}/{Y}", "{d:02d} {Mon} {Y}", "{d:02d}/{m:02d}/{y:02d}"),
        thanks="THANK YOU FOR YOUR CUSTOM",
        tax_id_label="VAT NO",
    ),
    "DE": Country(
        "EUR",
        "EUR",
        ("GMBH", "GMBH & CO. KG", "KG"),
        ("HAUPTSTRASSE", "BAHNHOFSTRASSE", "SCHILLERSTRASSE", "MARKTPLATZ"),
        ("10115 BERLIN", "80331 MUENCHEN", "50667 KOELN"),
        ((19, "MWST 19%"), (7, "MWST 7%")),
        ("SUMME EUR", "SUMME", "ZU ZAHLEN"),
        "ZWISCHENSUMME",
        ("GEGEBEN BAR", "BAR"),
        ("RUECKGELD", "ZURUECK"),
        None,
        comma=True,
        date_formats=("{d:02d}.{m:02d}.{Y}", "{d:02d}.{m:02d}.{y:02d}"),
        date_label="DATUM",
        time_label="UHRZEIT",
        cashier="KASSE",
        thanks="VIELEN DANK FUER IHREN EINKAUF",
        tax_id_label="UST-ID",
    ),
    "FR": Country(
        "EUR",
        "EUR",
        ("SARL", "SAS", "SA"),
        ("RUE DE LA PAIX", "AVENUE JEAN JAURES", "BOULEVARD VOLTAIRE", "RUE DU COMMERCE"),
        ("75002 PARIS", "69003 LYON", "13001 MARSEILLE"),
        ((20, "TVA 20%"), (10, "TVA 10%"), (5, "TVA 5,5%")),
        ("TOTAL TTC", "NET A PAYER", "A PAYER"),
        "TOTAL HT",
        ("ESPECES",),
        ("RENDU", "RENDU MONNAIE"),
        None,
        comma=True,
        date_formats=("{d:02d}/{m:02d}/{Y}", "{d:02d}/{m:02d}/{y:02d}", "{d:02d}-{m:02d}-{Y}"),
        date_label="DATE",
        time_label="HEURE",
        cashier="CAISSE",
        thanks="MERCI DE VOTRE VISITE",
    ),
}


@dataclass(frozen=True)
class ReceiptFamily:
    name: str
    country: str = "MY"
    thermal: bool = False  # 58 mm roll: narrow, small print, faded, soft
    brand_first: bool = False  # a brand / greeting line above the registered name
    tenders: bool = False  # rounding row, the cash tendered as large as the total
    wide: bool = False  # wide columns, the currency in a column of its own
    width: int = 640


RECEIPT_FAMILIES: dict[str, ReceiptFamily] = {
    family.name: family
    for family in (
        ReceiptFamily("classic"),
        ReceiptFamily("thermal_58mm", thermal=True, width=430),
        ReceiptFamily("brand_first", brand_first=True),
        ReceiptFamily("cash_rounding", tenders=True),
        ReceiptFamily("german", country="DE"),
        ReceiptFamily("wide_columns", wide=True, width=900),
        ReceiptFamily("us_tenders", country="US", tenders=True),
        ReceiptFamily("french", country="FR", brand_first=True),
        ReceiptFamily("uk_thermal", country="UK", thermal=True, width=430),
    )
}
# The families the receipt rules were developed against; the others are held out.
RECEIPT_DEVELOPED_ON: frozenset[str] = frozenset(
    {"classic", "thermal_58mm", "brand_first", "cash_rounding", "german", "french"}
)


def _money(value: Decimal, country: Country) -> str:
    text = f"{value:.2f}"
    return text.replace(".", ",") if country.comma else text


def _date_text(day: dt.date, country: Country, rng: random.Random) -> str:
    mon = _MONTHS[day.month - 1]
    return rng.choice(country.date_formats).format(
        d=day.day, m=day.month, Y=day.year, y=day.year % 100, MON=mon, Mon=mon.title()
    )


def render_receipt_family(rng: random.Random, family: ReceiptFamily) -> Rendered:
    """One till receipt in ``family``; the content is drawn from ``rng`` first, in the
    same order for every family."""
    country = COUNTRIES[family.country]
    core = rng.choice(names.SHOP_EN_CORES)
    kind = rng.choice(names.SHOP_EN_KINDS)
    legal = country.legal[rng.randrange(len(country.legal))]
    picks = rng.sample(names.ITEMS_EN, rng.randint(2, 6))
    items = []
    for name, (low, high) in picks:
        qty = Decimal(rng.choice((1, 1, 1, 2, 2, 3)))
        price = names.price_between(rng, low, high)
        items.append((name, qty, price, cents(qty * price)))
    day = recent_date(rng)
    hour, minute = rng.randint(8, 22), rng.randint(0, 59)
    tax_pick = rng.random()
    reg_digits = ids.digits(rng, 12)
    number = ids.digits(rng, 6)
    street_no = rng.randint(1, 250)
    street_i, city_i = rng.randrange(100), rng.randrange(100)
    word_i = rng.randrange(100)
    note_i = rng.randrange(100)

    seller = f"{core} {kind} {legal}"
    rate, tax_label = country.tax[int(tax_pick * len(country.tax))]
    subtotal = sum((item[3] for item in items), Decimal(0))
    tax = cents(subtotal * rate / 100)
    gross = subtotal + tax
    rounding = Decimal(0)
    if country.rounding and (family.tenders or tax_pick < 0.6):
        rounded = (gross / Decimal("0.05")).quantize(Decimal(1)) * Decimal("0.05")
        rounding = rounded - gross
    total = gross + rounding
    cash = (total / 10).quantize(Decimal(1), rounding="ROUND_CEILING") * 10
    if cash == total:
        cash += 10
    change = cash - total

    def pick(options: tuple[str, ...]) -> str:
        return options[word_i % len(options)]

    lines: list[tuple[str, str, str]] = []  # (left, right, style)
    if family.brand_first:
        lines.append((core, "", "brand"))
        if note_i % 2:
            lines.append(("WELCOME TO OUR STORE", "", "center"))
    lines.append((seller, "", "title"))
    if country.currency == "MYR":
        lines.append((f"(CO. REG: {reg_digits[:6]}-{'AKTWXPV'[note_i % 7]})", "", "center"))
    streets, cities = country.streets, country.cities
    lines.append((f"{street_no} {streets[street_i % len(streets)]}", "", "center"))
    lines.append((cities[city_i % len(cities)], "", "center"))
    lines.append((f"TEL: {reg_digits[:3]}-{reg_digits[3:7]} {reg_digits[7:11]}", "", "center"))
    tax_id = None
    if country.tax_id_label and note_i % 3:
        tax_id = (
            f"DE{reg_digits[:9]}" if country.currency == "EUR" else reg_digits[: 9 + note_i % 4]
        )
        lines.append((f"{country.tax_id_label}: {tax_id}", "", "center"))
    lines.append(("", "", "rule"))
    date_text = _date_text(day, country, rng)
    time_text = f"{hour:02d}:{minute:02d}"
    if note_i % 2:
        lines.append(
            (f"{country.date_label}: {date_text}", f"{country.time_label}: {time_text}", "left")
        )
    else:
        lines.append((f"{date_text} {time_text}", f"#{number}", "left"))
    lines.append((f"{country.cashier}: {1 + note_i % 9:02d}", "", "left"))
    lines.append(("", "", "rule"))
    unit = country.symbol if family.wide else ""
    for name, qty, price, amount in items:
        if family.wide:
            lines.append(
                (
                    f"{name}",
                    f"{qty} x {_money(price, country)}|{unit}|{_money(amount, country)}",
                    "cols",
                )
            )
        else:
            lines.append((f"{qty} {name}", _money(amount, country), "left"))
    lines.append(("", "", "rule"))
    money_rows: list[tuple[str, Decimal | None, str]] = []
    if family.tenders:
        money_rows.append((f"TOTAL QTY: {sum(int(i[1]) for i in items)}", None, "left"))
    money_rows.append((country.subtotal, subtotal, "left"))
    money_rows.append((tax_label, tax, "left"))
    if rounding:
        money_rows.append((country.rounding or "ROUNDING", rounding, "left"))
    total_word = pick(country.total)
    symbol = "" if total_word.endswith(country.symbol) or "(" in total_word else country.symbol
    money_rows.append((f"{total_word} {symbol}".strip(), total, "bold"))
    money_rows.append((pick(country.cash), cash, "bold" if family.tenders else "left"))
    money_rows.append((pick(country.change), change, "left"))
    for label, value, style in money_rows:
        if value is None:
            lines.append((label, "", style))
        elif family.wide:
            lines.append((label, f"|{unit}|{_money(value, country)}", "cols"))
        else:
            lines.append((label, _money(value, country), style))
    lines.append(("", "", "rule"))
    lines.append((country.thanks, "", "center"))
    image = _draw(lines, family)
    truth = blank_truth("receipt", country.currency)
    truth["fields"].update(
        issue_date=day.isoformat(),
        seller_name=seller,
        seller_tax_id=None,
        total_amount=money_str(total),
    )
    notes = [f"date_format:{date_text}", f"family:{family.name}"]
    return Rendered(image, truth, notes, text_px=18 if family.thermal else 24)


def _draw(lines: list[tuple[str, str, str]], family: ReceiptFamily) -> Image.Image:
    width = family.width
    size = 20 if family.thermal else 26
    step = 30 if family.thermal else 38
    margin = 20 if family.thermal else 36
    height = 60 + step * (len(lines) + 2) + 40
    sheet = Sheet(width, height, paper=_PAPER, form_color=_INK, ink_color=_INK)
    y = 50
    for left, right, style in lines:
        if style == "brand":
            sheet.value((width / 2, y + 6), left, size + 16, anchor="mm", kind="zen")
            y += 22
        elif style == "title":
            sheet.value(
                (width / 2, y),
                left,
                size + 4,
                anchor="mm",
                max_width=width - 2 * margin,
                kind="zen",
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
        elif style == "cols":
            sheet.value((margin, y), left, size, kind="mono")
            parts = right.split("|")
            # qty x price in the middle, the currency in its own column, the amount right
            if parts[0]:
                sheet.value((int(width * 0.45), y), parts[0], size, kind="mono")
            if parts[1]:
                sheet.value((int(width * 0.72), y), parts[1], size, kind="mono")
            sheet.value((width - margin, y), parts[2], size, anchor="rm", kind="mono")
        else:
            text_size = size + (6 if style == "bold" else 0)
            sheet.value((margin, y), left, text_size, kind="mono")
            if right:
                sheet.value((width - margin, y), right, text_size, anchor="rm", kind="mono")
        y += step
    image = sheet.compose()
    return _thermal(image) if family.thermal else image


def _thermal(image: Image.Image) -> Image.Image:
    """Thermal print: grey, slightly soft, fading down the roll."""
    grey = np.asarray(image.convert("L"), dtype=np.float32)
    ink = 255.0 - grey
    fade = np.linspace(0.8, 0.55, grey.shape[0])[:, None]
    out = 250.0 - ink * fade
    soft = Image.fromarray(np.clip(out, 0, 255).astype(np.uint8)).filter(
        ImageFilter.GaussianBlur(0.6)
    )
    return soft.convert("RGB")


def generate_receipt_family_dataset(
    out_dir: Path | str, per_family: int, seed: int, families: tuple[str, ...] | None = None
) -> list[Path]:
    """``per_family`` clean receipts of each family (the same seeds in every family),
    written as PNG with a labels.jsonl whose records carry "family"."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    with (out / "labels.jsonl").open("w", encoding="utf-8") as labels:
        index = 0
        for family in families or tuple(RECEIPT_FAMILIES):
            for n in range(per_family):
                doc_seed = seed * 1_000_003 + n
                rendered = render_receipt_family(
                    random.Random(f"receipt/{doc_seed}"), RECEIPT_FAMILIES[family]
                )
                path = out / f"{index:04d}.png"
                buffer = io.BytesIO()
                rendered.image.save(buffer, "PNG", compress_level=3)
                path.write_bytes(buffer.getvalue())
                paths.append(path)
                record = {
                    "file": path.name,
                    **rendered.truth,
                    "family": family,
                    "variant": "clean",
                    "features": rendered.notes,
                    "seed": doc_seed,
                }
                labels.write(json.dumps(record, ensure_ascii=False) + "\n")
                index += 1
    return paths
