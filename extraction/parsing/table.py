"""The goods table of a VAT invoice: column headers, 合计 row, 价税合计 row, line items.

Column positions come from the header row read as a stream of characters with
estimated x positions, which copes both with headers split into single characters
(``金`` ``额``) and with neighbours merged into one box (``金额税率/征收率``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from extraction.parsing import labels as L
from extraction.parsing.find import label_boxes
from extraction.parsing.layout import Box, Layout, group_rows
from extraction.parsing.result import Parsed
from extraction.parsing.values import is_stars, money_only, upper_words
from extraction.schema import LineItem

_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("name", ("货物或应税劳务", "项目名称", "货物名称", "服务名称", "名称")),
    ("spec", ("规格型号", "型号")),
    ("unit", ("单位",)),
    ("qty", ("数量",)),
    ("price", ("单价",)),
    ("amount", ("金额",)),
    ("rate", ("税率", "征收率")),
    ("tax", ("税额",)),
)
_HEADER_WORDS = ("名称", "型号", "单位", "数量", "单价", "金额", "税率", "税额", "项目")
_RATE = re.compile(r"(\d{1,2}(?:\.\d+)?%|免税|不征税|\*{2,})")


@dataclass
class Table:
    header: list[Box]
    columns: dict[str, float]  # column name -> x centre
    header_bottom: float


def char_stream(boxes: Sequence[Box]) -> list[tuple[str, float]]:
    """Characters of the boxes, left to right, each with an estimated x centre."""
    out: list[tuple[str, float]] = []
    for box in sorted(boxes, key=lambda b: b.left):
        step = box.width / max(len(box.flat), 1)
        out.extend((ch, box.left + step * (i + 0.5)) for i, ch in enumerate(box.flat))
    return out


def word_x(stream: Sequence[tuple[str, float]], word: str) -> float | None:
    text = "".join(ch for ch, _ in stream)
    index = text.find(word)
    if index < 0:
        return None
    xs = [x for _, x in stream[index : index + len(word)]]
    return sum(xs) / len(xs)


def find_table(layout: Layout) -> Table | None:
    for row in layout.rows():
        text = "".join(b.flat for b in row)
        # Three header words are enough: OCR garbles some of them (金额 -> 金锁).
        if sum(word in text for word in _HEADER_WORDS) < 3:
            continue
        stream = char_stream(row)
        columns: dict[str, float] = {}
        for name, words in _COLUMNS:
            for word in words:
                x = word_x(stream, word)
                if x is not None:
                    columns[name] = x
                    break
        return Table(header=row, columns=columns, header_bottom=max(b.bottom for b in row))
    return None


def _subtotal_anchor(layout: Layout) -> Box | None:
    """The 合计 label (alone, or split as 合 ... 计) that is not 价税合计."""
    for box in layout.boxes:
        if box.seal:
            continue
        if re.fullmatch(r"合计[:：]?", box.flat):
            return box
        if box.flat == "合":
            for other in layout.right_of(box, max_dx=6 * box.height):
                if other.flat == "计":
                    return box
    return None


def _unlabelled_subtotal_row(layout: Layout, table: Table | None) -> Box | None:
    """The 合计 row when its label was not read: ¥ amounts just above 价税合计."""
    totals = label_boxes(layout, L.TOTAL_WITH_TAX)
    if not totals or table is None:
        return None
    line = totals[0]
    candidates = [
        b
        for b in layout.boxes
        if not b.seal
        and b.flat.startswith(("¥", "￥"))
        and table.header_bottom < b.cy < line.top
        and line.top - b.bottom < 3 * line.height
        and money_only(b.flat) is not None
    ]
    return min(candidates, key=lambda b: b.left) if candidates else None


def _amount_or_tax(
    box: Box, values: list[tuple[Box, Decimal]], columns: dict[str, float], table: Table | None
) -> str:
    """Whether a 合计-row amount is 金额 or 税额, from whichever headers were read."""
    if "amount" in columns and "tax" in columns:
        near = min(("amount", "tax"), key=lambda c: abs(box.cx - columns[c]))
        return "amount_excluding_tax" if near == "amount" else "tax_amount"
    if "rate" in columns:  # 税额 is the column right of 税率
        return "tax_amount" if box.cx > columns["rate"] else "amount_excluding_tax"
    if len(values) >= 2:
        return "tax_amount" if box is values[-1][0] else "amount_excluding_tax"
    if table is not None:
        right = max(b.right for b in table.header)
        left = min(b.left for b in table.header)
        if box.cx > right - 0.12 * (right - left):
            return "tax_amount"
    return "amount_excluding_tax"


def parse_totals(layout: Layout, parsed: Parsed, table: Table | None) -> Box | None:
    """Fill 合计 amount/tax and 价税合计 (大写, 小写); returns the 合计 anchor."""
    for anchor in label_boxes(layout, L.TOTAL_WITH_TAX) + label_boxes(layout, L.UPPER_CASE):
        row = [anchor, *layout.right_of(anchor, max_dx=layout.width, min_overlap=0.3)]
        for box in row:
            words = upper_words(box.flat.replace("大写", ""))
            if words and parsed.put("total_in_words", words, box.score, at=box):
                break
        for box in reversed(row):
            value = money_only(box.flat) if box is not anchor else None
            if value is None and box is not anchor:
                # "(小喝)¥3152.27": a damaged 小写 label before a ¥ amount; "(小写)V2036.09":
                # the ¥ after an intact 小写 label misread as a letter.
                match = re.search(r"[¥￥]\s*(-?\d[\d,]*\.\d{2})$", box.flat) or re.search(
                    r"写\)?[^\d.,]?(-?\d[\d,]*\.\d{2})$", box.flat
                )
                value = money_only(match.group(1)) if match else None
            if value is not None:
                parsed.put("total_amount", value, box.score, at=box)
                break
        if parsed.has("total_amount"):
            break
    if not parsed.has("total_amount"):
        for anchor in label_boxes(layout, L.LOWER_CASE):
            for box in [anchor, *layout.right_of(anchor, max_dx=0.4 * layout.width)]:
                value = money_only(box.flat)
                if value is not None:
                    parsed.put("total_amount", value, box.score, at=box)
                    break

    subtotal = _subtotal_anchor(layout) or _unlabelled_subtotal_row(layout, table)
    if subtotal is None:
        return None
    values: list[tuple[Box, Decimal]] = []
    row = [subtotal, *layout.right_of(subtotal, max_dx=layout.width, min_overlap=0.3)]
    for box in row:
        if is_stars(box.flat):  # *** in the tax column: exempt, no tax amount
            continue
        value = (
            money_only(box.flat)
            if box.flat.startswith(("¥", "￥")) or box is not subtotal
            else None
        )
        if value is not None:
            values.append((box, value))
    columns = table.columns if table else {}
    for box, value in values:
        field = _amount_or_tax(box, values, columns, table)
        parsed.put(field, value, box.score, at=box)
    return subtotal


_TOKEN = re.compile(r"-?\d[\d,]*(?:\.\d+)?%?|免税|不征税|\*{2,}")


def parse_items(layout: Layout, table: Table, bottom: float) -> list[LineItem]:
    """Goods lines between the header row and the 合计 row.

    Text columns (name, spec, unit) are assigned by position. Numbers are right-aligned
    in columns whose borders are not printed where OCR can see them, so they are
    assigned by order around the rate: ... quantity, unit price, amount | rate | tax.
    """
    columns = table.columns
    if "amount" not in columns:
        return []
    body = [b for b in layout.boxes if not b.seal and table.header_bottom < b.cy < bottom]
    text_end = _text_columns_end(columns)
    name_end = (
        (columns["name"] + columns["spec"]) / 2
        if "name" in columns and "spec" in columns
        else text_end
    )
    items: list[LineItem] = []
    current: LineItem | None = None
    for row in group_rows(body):
        name = "".join(b.flat for b in row if b.cx < name_end and not _is_number_box(b.flat))
        tokens: list[tuple[float, str]] = []
        for box in row:
            if box.cx < text_end and not _is_number_box(box.flat):
                continue
            found = list(_TOKEN.finditer(box.flat))
            step = box.width / max(len(box.flat), 1)
            tokens.extend((box.left + step * (m.start() + m.end()) / 2, m.group(0)) for m in found)
        numbers = _assign_numbers(sorted(tokens), columns)
        amount = money_only(numbers.get("amount", ""))
        if (name and (name.startswith("*") or current is None)) or (amount and current is None):
            current = LineItem(name=name or None)
            items.append(current)
        elif name and amount is None and current is not None:
            current.name = (current.name or "") + name
            continue
        elif amount is not None and current is not None and current.amount is not None:
            current = LineItem(name=name or None)
            items.append(current)
        if current is None:
            continue
        if amount is not None:
            current.amount = amount
        current.quantity = current.quantity or _decimal(numbers.get("qty"))
        current.unit_price = current.unit_price or _decimal(numbers.get("price"))
        rate = numbers.get("rate")
        if rate and not rate.startswith("*"):
            current.tax_rate = rate
        tax = numbers.get("tax")
        if tax and not is_stars(tax):
            current.tax_amount = money_only(tax)
    return [item for item in items if item.amount is not None]


def _text_columns_end(columns: dict[str, float]) -> float:
    """Left limit of the numeric columns: halfway between the unit and quantity headers."""
    if "unit" in columns and "qty" in columns:
        return (columns["unit"] + columns["qty"]) / 2
    numeric = [columns[c] for c in ("qty", "price", "amount") if c in columns]
    return min(numeric) - 40 if numeric else 0.0


def _is_number_box(text: str) -> bool:
    return re.fullmatch(r"[-\d.,%*]+|[-\d.,]+(?:免税|不征税|\d{1,2}%)", text) is not None


def _assign_numbers(tokens: list[tuple[float, str]], columns: dict[str, float]) -> dict[str, str]:
    out: dict[str, str] = {}
    rate_at = next(
        (i for i, (_, t) in enumerate(tokens) if t.endswith("%") or t in ("免税", "不征税")), None
    )
    if rate_at is not None:
        out["rate"] = tokens[rate_at][1]
        after = tokens[rate_at + 1 :]
        if after:
            out["tax"] = after[0][1]
        before = [t for _, t in tokens[:rate_at]]
        for name, value in zip(("amount", "price", "qty"), reversed(before), strict=False):
            out[name] = value
        return out
    numeric = [c for c in ("qty", "price", "amount", "rate", "tax") if c in columns]
    for x, value in tokens:
        if not numeric:
            break
        nearest = min(numeric, key=lambda c: abs(columns[c] - x))
        out.setdefault(nearest, value)
    return out


def _decimal(text: str | None) -> Decimal | None:
    if not text:
        return None
    compact = re.sub(r"[^\d.\-]", "", text)
    if not re.fullmatch(r"-?\d+(?:\.\d+)?", compact):
        return None
    try:
        return Decimal(compact)
    except InvalidOperation:
        return None
