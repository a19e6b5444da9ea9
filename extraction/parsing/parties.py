"""Buyer and seller blocks of a VAT invoice, told apart by position.

Paper and old electronic invoices stack the buyer block above the seller block, each
with a vertical side label (购/买/方, 销/售/方); 数电票 put them side by side (购买方信息 |
销售方信息). Each 名称 / 纳税人识别号 label is assigned to the side label nearest on its
left -- a side label read as one box per character counts with its whole vertical extent,
so it covers every row of its block wherever the block stands; without side labels,
left-before-right then top-before-bottom decides. Every label of a side gives a
candidate: names that are seal, imprint, title or caption text come last, tax IDs that
pass their checksum first, and the two sides never take the same party. A label that
names its party itself (购买方名称：, 销售方纳税人识别号：) says its side outright.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Literal

from extraction.checksums import resident_id_is_valid, uscc_is_valid
from extraction.parsing import labels as L
from extraction.parsing.find import label_boxes, value_near
from extraction.parsing.layout import Box, Layout
from extraction.parsing.result import Parsed
from extraction.parsing.values import tax_id_in, tax_id_only
from extraction.sanity import not_a_party, same_party, strip_captions

Side = Literal["buyer", "seller"]

_BUYER_CHARS = set("购买方信息货单位")
_SELLER_CHARS = set("销售方信息货单位")
# "称：个人" -- the 名 of 名称 often lands in its own box.
# Colons come out as ; or . as often as not.
_SEP = " :：;；.,，"
_NAME_START = re.compile(r"^(?:名称|称|名)[:：;；.,，]?")


def _anchors(layout: Layout) -> dict[Side, list[Box]]:
    out: dict[Side, list[Box]] = {"buyer": [], "seller": []}
    stacks = _vertical_stacks(layout)
    stacked = {piece.index for stack in stacks for piece in stack}
    candidates = [b for b in layout.boxes if not b.seal and b.index not in stacked]
    candidates += [_stack_box(stack) for stack in stacks]
    for box in candidates:
        if _is_anchor(box.flat, _BUYER_CHARS, "购买"):
            out["buyer"].append(box)
        elif _is_anchor(box.flat, _SELLER_CHARS, "销售"):
            out["seller"].append(box)
    return out


def _vertical_stacks(layout: Layout) -> list[list[Box]]:
    """Block captions printed one character under the other (购/买/方 at the left edge),
    read by OCR as separate boxes: each stack of such pieces in one column.

    The caption's whole vertical extent is what tells which rows belong to its block; a
    single character covers only the row beside it.
    """
    pieces = sorted(
        (
            b
            for b in layout.boxes
            if not b.seal and 1 <= len(b.flat) <= 2 and _CJK_ONLY.fullmatch(b.flat)
        ),
        key=lambda b: b.top,
    )
    stacks: list[list[Box]] = []
    for piece in pieces:
        for stack in stacks:
            last = stack[-1]
            gap = piece.top - last.bottom
            near = -0.5 * last.height <= gap <= 2.5 * max(last.height, piece.height)
            if near and piece.h_overlap(last) > 0.5 and piece.v_overlap(last) < 0.5:
                stack.append(piece)
                break
        else:
            stacks.append([piece])
    return [stack for stack in stacks if len(stack) >= 2]


def _stack_box(stack: list[Box]) -> Box:
    return Box(
        index=stack[0].index,
        text="".join(b.flat for b in stack),
        flat="".join(b.flat for b in stack),
        left=min(b.left for b in stack),
        top=min(b.top for b in stack),
        right=max(b.right for b in stack),
        bottom=max(b.bottom for b in stack),
        score=min(b.score for b in stack),
        angle=stack[0].angle,
    )


_CJK_ONLY = re.compile(r"[\u4e00-\u9fff]+")


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
    is printed just above it in the same column (side-by-side blocks of 数电票), or on the
    row right above, over the same stretch of the page (a name label that said its side,
    购买方名称：, starts further right once that word is cut off)."""
    best: tuple[float, Side] | None = None
    for side, boxes in names.items():
        for name in boxes:
            dy = box.cy - name.cy
            column = abs(box.left - name.left) <= 2 * box.height
            next_row = dy <= 2.5 * box.height and box.h_overlap(name) > 0.6
            if not 0 < dy <= 8 * box.height or not (column or next_row):
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
    layout, sides = _side_named(layout)
    anchors = _anchors(layout)
    totals = label_boxes(layout, L.TOTAL_WITH_TAX)
    totals_y = totals[0].cy if totals else None
    name_labels = _name_labels(layout)
    names = _own_side(_assign(name_labels, anchors, totals_y), name_labels, sides)
    tax_found = label_boxes(layout, L.TAX_ID)
    tax_labels = _own_side(_assign(tax_found, anchors, totals_y, names), tax_found, sides)
    limit = 0.4 * layout.width
    name_options: dict[Side, list[tuple[str, float]]] = {"buyer": [], "seller": []}
    tax_options: dict[Side, list[tuple[str, float]]] = {"buyer": [], "seller": []}
    # (field, value) -> the box the value starts in (the field's region).
    read_at: dict[tuple[str, str], Box] = {}
    for side in ("buyer", "seller"):
        for box in names[side]:
            found = _name_of(layout, box, limit)
            if found is not None:
                name = strip_captions(found[0])
                name_options[side].append((name, found[1]))
                read_at.setdefault((f"{side}_name", name), found[2])
        for box in tax_labels[side]:
            tax = value_near(layout, box, L.TAX_ID, _tax_value, max_dx=limit)
            if tax is not None:
                tax_options[side].append((tax.value, tax.score))
                read_at.setdefault((f"{side}_tax_id", tax.value), tax.source)
    for kind, options in (("name", name_options), ("tax_id", tax_options)):
        for ranked in options.values():
            if kind == "tax_id":
                # A candidate that passes its checksum outranks one that does not.
                ranked.sort(key=lambda option: not _checks_out(option[0]))
            else:
                # Seal rims, imprints, titles and captions rank last: kept only when
                # nothing else was found, for validation to flag (name_not_a_party).
                ranked.sort(key=lambda option: not_a_party(option[0]) is not None)
        chosen = _distinct(options["buyer"], options["seller"])
        for side, option in zip(("buyer", "seller"), chosen, strict=True):
            if option is not None:
                name = f"{side}_{kind}"
                parsed.put(name, option[0], option[1], at=read_at.get((name, option[0])))


# Words that put the party into the label itself: 购买方名称, 销方纳税人识别号, 购货单位名称.
_SIDE_WORD = re.compile(r"^(购买方|购货单位|购方|买方|销售方|销货单位|销方|卖方)")
# Two characters and 方 before the label: a side word with its characters misread.
_MISREAD_SIDE = re.compile(r"^([\u4e00-\u9fff]{2}方)")


def _side_named(layout: Layout) -> tuple[Layout, dict[int, Side]]:
    """The layout with each party-naming label's side word cut off (so the name and tax-ID
    matchers see 名称 / 纳税人识别号 at the start of the box), and the side each names.

    A side word OCR misread (向实方名称 for 购买方名称) is cut off too: the side is the one
    a character left of 方 still names (购/买 or 销/售/卖), else geometry decides.
    """
    sides: dict[int, Side] = {}
    boxes: list[Box] = []
    changed = False
    for box in layout.boxes:
        word = _SIDE_WORD.match(box.flat) or _MISREAD_SIDE.match(box.flat)
        rest = box.flat[word.end() :] if word else ""
        if word and not box.seal and (_NAME_START.match(rest) or L.has_label(rest, L.TAX_ID)):
            cut = (box.right - box.left) * word.end() / len(box.flat)
            box = dataclasses.replace(box, text=rest, flat=rest, left=box.left + cut)
            changed = True
            named = word.group(1)
            if any(c in "购买" for c in named):
                sides[box.index] = "buyer"
            elif any(c in "销售卖" for c in named):
                sides[box.index] = "seller"
        boxes.append(box)
    if not changed:
        return layout, sides
    return Layout(boxes=boxes, width=layout.width, height=layout.height, skew=layout.skew), sides


def _own_side(
    assigned: dict[Side, list[Box]], labels: list[Box], sides: dict[int, Side]
) -> dict[Side, list[Box]]:
    """Labels that name their party go to that party, wherever geometry put them."""
    if not sides:
        return assigned
    out: dict[Side, list[Box]] = {
        side: [b for b in boxes if b.index not in sides] for side, boxes in assigned.items()
    }
    for box in sorted({b.index: b for b in labels if b.index in sides}.values(), key=_order):
        out[sides[box.index]].append(box)
    return out


def _order(box: Box) -> tuple[float, float]:
    return box.top, box.left


def _checks_out(code: str) -> bool:
    normalised = re.sub(r"\s", "", code).upper()
    return uscc_is_valid(normalised) or resident_id_is_valid(normalised)


Option = tuple[str, float]


def _distinct(buyer: list[Option], seller: list[Option]) -> tuple[Option | None, Option | None]:
    """The first candidate of each side, unless both are the same party: one party is never
    both, so the side that has another candidate takes it (the seller first: taking the
    buyer's block for the seller's is the usual mistake); with none, both stay and
    validation flags them."""
    first_buyer = buyer[0] if buyer else None
    first_seller = seller[0] if seller else None
    if first_buyer is None or first_seller is None:
        return first_buyer, first_seller
    if not same_party(first_buyer[0], first_seller[0]):
        return first_buyer, first_seller
    for option in seller[1:]:
        if not same_party(option[0], first_buyer[0]):
            return first_buyer, option
    for option in buyer[1:]:
        if not same_party(option[0], first_seller[0]):
            return option, first_seller
    return first_buyer, first_seller


def _tax_value(text: str) -> str | None:
    return tax_id_only(text) or (tax_id_in(text) if len(text) <= 22 else None)


def _name_of(layout: Layout, anchor: Box, limit: float) -> tuple[str, float, Box] | None:
    """The name in the label's own box, or in the boxes right of a bare label, and the box
    it starts in."""
    value = _name_value(anchor.flat)
    if value:
        return (*_join_tail(layout, anchor, value, anchor.score, limit), anchor)
    # "名标": 称 misread -- a bare two-character label, its value to the right.
    bare = re.fullmatch(r"名.[:：;；.,，]?", anchor.flat) is not None
    if _NAME_START.sub("", anchor.flat).strip(_SEP) and not bare:
        return None
    for box in layout.right_of(anchor, max_dx=limit):
        if re.fullmatch(r"称[:：;；.,，]?", box.flat):
            continue  # "名" and "称" read as two boxes: the value comes after both
        if box.flat.startswith("称"):
            value = _name_value(box.flat)
            return (*_join_tail(layout, box, value, box.score, limit), box) if value else None
        if tax_id_only(box.flat):
            continue  # the tax ID of the next row, drifted up in a photo: never a name
        if not box.flat.strip(_SEP):
            continue  # the label's colon, read as a box of its own
        if L.is_any_label(box.flat):
            return None
        # A name OCR cut into pieces (广 | 州市恒通…公司 | 司) is read whole first.
        value, score, last = _name_run(layout, box)
        if len(value) < 2:
            return None
        return (*_join_tail(layout, last, value, score, limit), box)
    return None


def _name_run(layout: Layout, first: Box) -> tuple[str, float, Box]:
    """The text of ``first`` and of the pieces that continue it on its row, the lowest
    score among them and the last piece.

    A seal over a name breaks OCR's box: one character alone, then the rest, the last
    character read twice where two boxes overlap. A piece that starts within a character
    of the previous one's end continues the name; what it repeats of the previous piece's
    end (the overlap) is dropped.
    """
    value, score, last = first.flat.strip(_SEP), first.score, first
    row = sorted(
        (
            b
            for b in layout.boxes
            if not b.seal and b is not first and b.v_overlap(first) >= 0.6 and b.cx > first.cx
        ),
        key=lambda b: b.left,
    )
    for box in row:
        if box.cx <= last.cx:
            continue
        if box.left - last.right > 1.0 * last.height:
            break
        if L.is_any_label(box.flat) or not re.search(r"[\u4e00-\u9fff]", box.flat):
            break
        text = box.flat
        if box.left < last.right - 0.2 * min(box.height, last.height):
            text = _without_repeat(value, text)
        value += text
        score = min(score, box.score)
        last = box
    return value, score, last


def _without_repeat(before: str, text: str) -> str:
    """``text`` without the longest start that ``before`` ends with."""
    for size in range(min(len(before), len(text)), 0, -1):
        if before.endswith(text[:size]):
            return text[size:]
    return text


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
