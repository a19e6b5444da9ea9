"""Buyer and seller blocks of a VAT invoice, told apart by position.

Paper and old electronic invoices stack the buyer block above the seller block, each
with a vertical side label (购/买/方, 销/售/方); 数电票 put them side by side (购买方信息 |
销售方信息). Each 名称 / 纳税人识别号 label is assigned to the side label nearest on its
left; without side labels, left-before-right then top-before-bottom decides.
"""

from __future__ import annotations

import re
from typing import Literal

from extraction.parsing import labels as L
from extraction.parsing.find import label_boxes, value_near
from extraction.parsing.layout import Box, Layout
from extraction.parsing.result import Parsed
from extraction.parsing.values import tax_id_in, tax_id_only

Side = Literal["buyer", "seller"]

_BUYER_CHARS = set("购买方信息货单位")
_SELLER_CHARS = set("销售方信息货单位")
# "称：个人" -- the 名 of 名称 often lands in its own box.
# Colons come out as ; or . as often as not.
_SEP = " :：;；.,，"
_NAME_START = re.compile(r"^(?:名称|称|名)[:：;；.,，]?")


def _anchors(layout: Layout) -> dict[Side, list[Box]]:
    out: dict[Side, list[Box]] = {"buyer": [], "seller": []}
    for box in layout.boxes:
        if box.seal:
            continue
        if _is_anchor(box.flat, _BUYER_CHARS, "购买"):
            out["buyer"].append(box)
        elif _is_anchor(box.flat, _SELLER_CHARS, "销售"):
            out["seller"].append(box)
    return out


def _is_anchor(text: str, chars: set[str], keys: str) -> bool:
    """A side label such as 购买方信息, allowing one misread character (销售方信惠)."""
    if not 1 <= len(text) <= 6 or not any(key in text for key in keys):
        return False
    return sum(ch not in chars for ch in text) <= (1 if len(text) >= 4 else 0)


def _side(box: Box, anchors: dict[Side, list[Box]]) -> Side | None:
    """The side label nearest on the left, if one is close enough to trust."""
    best: tuple[float, Side] | None = None
    for side, boxes in anchors.items():
        for anchor in boxes:
            if anchor.cx >= box.left:
                continue
            dy = max(anchor.top - box.cy, box.cy - anchor.bottom, 0.0)
            if dy > 2.5 * box.height:
                continue  # the side label of this block was not read
            distance = (box.left - anchor.right) + 3 * dy
            if best is None or distance < best[0]:
                best = (distance, side)
    return best[1] if best else None


def _name_labels(layout: Layout) -> list[Box]:
    out = []
    for box in layout.boxes:
        if box.seal or not _NAME_START.match(box.flat):
            continue
        # "称" alone must be followed by a colon or sit right of a "名" box.
        if (
            box.flat.startswith("称")
            and not re.match(r"^称[:：;；]", box.flat)
            and not any(b.flat == "名" and b.v_overlap(box) > 0.3 for b in layout.boxes)
        ):
            continue
        out.append(box)
    return out


def _name_value(text: str) -> str | None:
    value = _NAME_START.sub("", text).strip(_SEP)
    if len(value) < 2 or L.is_any_label(value):
        return None
    return value


def _assign(
    labels: list[Box],
    anchors: dict[Side, list[Box]],
    totals_y: float | None,
    names: dict[Side, list[Box]] | None = None,
) -> dict[Side, list[Box]]:
    out: dict[Side, list[Box]] = {"buyer": [], "seller": []}
    unknown: list[Box] = []
    for box in labels:
        # The party whose name is printed right above in the same column outranks a side
        # label read further away.
        side = (_under_name(box, names) if names else None) or _side(box, anchors)
        if side is None:
            unknown.append(box)
        else:
            out[side].append(box)
    for box in unknown:
        side = _side_by_position(box, labels, out, totals_y)
        if side is not None:
            out[side].append(box)
    return _split_rows(out, labels)


def _split_rows(out: dict[Side, list[Box]], labels: list[Box]) -> dict[Side, list[Box]]:
    """Two labels of one kind side by side on a row are two parties (数电票): the left is
    the buyer's, the right the seller's, whatever a lone side label nearby suggested."""
    if len(labels) < 2:
        return out
    wide = 0.25 * _span(labels)
    for left in labels:
        for right in labels:
            gap = right.left - left.right
            if gap > wide and gap > 3 * left.height and left.v_overlap(right) > 0.5:
                for side in ("buyer", "seller"):
                    out[side] = [b for b in out[side] if b is not left and b is not right]
                out["buyer"].append(left)
                out["seller"].append(right)
    return out


def _under_name(box: Box, names: dict[Side, list[Box]]) -> Side | None:
    """Without a readable side label, a tax ID label belongs to the party whose name label
    is printed just above it in the same column (side-by-side blocks of 数电票)."""
    best: tuple[float, Side] | None = None
    for side, boxes in names.items():
        for name in boxes:
            dy = box.cy - name.cy
            if not 0 < dy <= 8 * box.height or abs(box.left - name.left) > 2 * box.height:
                continue
            if best is None or dy < best[0]:
                best = (dy, side)
    return best[1] if best else None


def _span(boxes: list[Box]) -> float:
    return max(b.right for b in boxes) - min(b.left for b in boxes)


def _side_by_position(
    box: Box, labels: list[Box], known: dict[Side, list[Box]], totals_y: float | None
) -> Side | None:
    """Without a readable side label: a neighbour on the same row, the 价税合计 row (the
    seller block is printed below it on the classic form), then reading order."""
    for other_side, boxes in known.items():
        for other in boxes:
            if other.v_overlap(box) > 0.5 and abs(other.left - box.left) > 3 * box.height:
                right_of_other = box.left > other.left
                if other_side == "buyer":
                    return "seller" if right_of_other else None
                return "buyer" if not right_of_other else None
    if totals_y is not None:
        return "seller" if box.cy > totals_y else "buyer"
    ordered = sorted(labels, key=lambda b: (b.top, b.left))
    if len(ordered) >= 2:
        first, second = ordered[0], ordered[1]
        if first.v_overlap(second) > 0.5:
            first, second = sorted((first, second), key=lambda b: b.left)
        if box is first:
            return "buyer"
        if box is second:
            return "seller"
        return None
    return "seller"


def parse_parties(layout: Layout, parsed: Parsed) -> None:
    anchors = _anchors(layout)
    totals = label_boxes(layout, L.TOTAL_WITH_TAX)
    totals_y = totals[0].cy if totals else None
    names = _assign(_name_labels(layout), anchors, totals_y)
    tax_labels = _assign(label_boxes(layout, L.TAX_ID), anchors, totals_y, names)
    limit = 0.4 * layout.width
    for side in ("buyer", "seller"):
        for box in names[side]:
            found = _name_of(layout, box, limit)
            if found is not None:
                parsed.put(f"{side}_name", found[0], found[1])
                break
        for box in tax_labels[side]:
            tax = value_near(layout, box, L.TAX_ID, _tax_value, max_dx=limit)
            if tax is not None:
                parsed.put(f"{side}_tax_id", tax.value, tax.score)
                break


def _tax_value(text: str) -> str | None:
    return tax_id_only(text) or (tax_id_in(text) if len(text) <= 22 else None)


def _name_of(layout: Layout, anchor: Box, limit: float) -> tuple[str, float] | None:
    """The name in the label's own box, or in the boxes right of a bare label."""
    value = _name_value(anchor.flat)
    if value:
        return _join_tail(layout, anchor, value, anchor.score, limit)
    # "名标": 称 misread -- a bare two-character label, its value to the right.
    bare = re.fullmatch(r"名.[:：;；.,，]?", anchor.flat) is not None
    if _NAME_START.sub("", anchor.flat).strip(_SEP) and not bare:
        return None
    for box in layout.right_of(anchor, max_dx=limit):
        if re.fullmatch(r"称[:：;；.,，]?", box.flat):
            continue  # "名" and "称" read as two boxes: the value comes after both
        if box.flat.startswith("称"):
            value = _name_value(box.flat)
            return _join_tail(layout, box, value, box.score, limit) if value else None
        if tax_id_only(box.flat):
            continue  # the tax ID of the next row, drifted up in a photo: never a name
        if L.is_any_label(box.flat) or len(box.flat) < 2:
            return None
        return _join_tail(layout, box, box.flat.strip(_SEP), box.score, limit)
    return None


def _join_tail(
    layout: Layout, box: Box, value: str, score: float, limit: float
) -> tuple[str, float]:
    """Append a continuation box when OCR split a long name in two."""
    for nxt in layout.right_of(box, max_dx=1.2 * box.height, min_overlap=0.6):
        if L.is_any_label(nxt.flat) or nxt.flat in ("密", "备", "密码区", "备注"):
            break
        if re.search(r"[\u4e00-\u9fff]", nxt.flat):
            value += nxt.flat
            score = min(score, nxt.score)
        break
    return value, score
