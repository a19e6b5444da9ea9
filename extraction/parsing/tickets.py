"""Tickets and 定额发票: train, bus, taxi, toll, air itinerary, quota invoices.

They share the invoice header labels (发票代码/号码) when printed, but carry the fare
under their own labels (票价, 金额, 合计 ...), print it with one decimal or none
(``¥59.5元``, ``￥20``), put the date under a caption rather than beside it, and name
the issuer in the title or an 单位 field rather than in a 名称 field. A company named
only inside the red seal is not a printed field and is not reported.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from extraction import calibration
from extraction.chinese_amount import words_to_amount
from extraction.parsing.find import label_boxes, labelled
from extraction.parsing.labels import Label, split_label
from extraction.parsing.layout import Box, Layout
from extraction.parsing.normalize import parse_date, parse_money
from extraction.parsing.result import Parsed
from extraction.parsing.values import UPPER_CHARS, only_digits, upper_words
from extraction.schema import DocumentType


def _label(name: str, *variants: str) -> Label:
    return Label(name, variants, min_ratio=1.0, max_lead=2)


# Fare labels, most specific first: a 合计 beats the 票价 printed beside it.
FARE_LABELS = (
    _label("total", "合计", "价税合计", "总计"),
    _label("paid", "实收金额", "实收", "应收", "总额"),
    _label("amount", "金额", "车费"),
    _label("fare", "票价", "票款", "全价"),
)
DATE_LABELS: dict[DocumentType, tuple[Label, ...]] = {
    DocumentType.AIR_ITINERARY: (_label("issued", "填开日期", "开票日期"),),
    DocumentType.TOLL_RECEIPT: (_label("date", "开票日期", "日期", "时间"),),
}
DEFAULT_DATE_LABELS = (_label("date", "乘车日期", "开票日期", "日期", "乘机日期", "填开日期"),)
# Not 收款单位(盖章): that caption marks where the seal goes, not a printed name.
ISSUER = _label("issuer", "填开单位", "收费单位", "开票单位", "承运单位")
PRINT_SERIAL = _label("serial", "印刷序号")

# A name ends at its legal form, or at the branch named after it (…有限公司上海分公司).
_COMPANY_END = re.compile(
    r"^(.*?(?:有限责任公司|有限公司|股份公司|集团公司|公司|客运站|汽车站|管理处|服务中心)"
    r"(?:[\u4e00-\u9fff]{2,8}?(?:分公司|分店|营业部))?)"
)
_TRAIN_SERIAL = re.compile(r"^([A-Z])\s?(\d{6})$")
# Serial letters OCR reads as digits in small print (Z12... -> 212...).
_LETTER_FOR_DIGIT = {"2": "Z", "8": "B", "0": "D", "6": "G", "5": "S", "1": "J"}
_MARKED_MONEY = re.compile(
    r"[¥￥]?(\d{1,6}\.\d{1,2}|\d{1,6})元|(?:[¥￥]|CNY[_\-:.]?)(\d{1,6}(?:\.\d{1,2})?)", re.I
)
_YY_MM_DD = re.compile(r"^(\d{2})[-./](\d{2})[-./](\d{2})(?!\d)")


def fare_value(text: str) -> Decimal | None:
    """A fare as tickets print it: ``¥59.5元``, ``36.0``, ``CNY 1310.00``.

    Seal text glued after the 元 (``57.0元0X02G``) is ignored: 元 ends the amount, and
    a stray stroke read as punctuation before it (``/48.0元``) is dropped.
    """
    # A stroke of a seal or a form line between label and value reads as punctuation.
    compact = re.sub(r"\s+", "", text).lstrip("/|\\([{!'\"")
    # A decimal point read as a colon or comma (163:0元): the 元 says it is money.
    compact = re.sub(r"(?<=\d)[:：,，·](?=\d{1,2}元)", ".", compact)
    # One unknown character before an amount closed by 元 is a misread ¥ (``V101.00元``):
    # the 元 already says it is money.
    match = (
        re.fullmatch(r"(?:(?:[¥￥]|RMB|CNY|CN)[_\-:.]?)?(\d{1,6}(?:\.\d{1,2})?)元?", compact, re.I)
        or re.match(r"(?:[¥￥])?(\d{1,6}(?:\.\d{1,2})?)元", compact)
        or re.match(r"[^\d.,](\d{1,6}(?:\.\d{1,2})?)元", compact)
    )
    if match is None:
        return None
    return parse_money(match.group(1))


def ticket_date(text: str) -> dt.date | None:
    """Dates on tickets, incl. taxi meters' yy-mm-dd (``25-01-05`` is 2025-01-05)."""
    compact = text.strip()
    match = _YY_MM_DD.match(compact)
    if match:
        try:
            return dt.date(2000 + int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            return None
    return parse_date(compact)


def parse_ticket(layout: Layout, parsed: Parsed) -> None:
    kind = parsed.document_type
    if kind == DocumentType.TRAIN_TICKET:
        _only_party_is_the_buyer(parsed)
        if not _digital_number(parsed):
            _train_serial(layout, parsed)
    if kind == DocumentType.AIR_ITINERARY:
        serial = labelled(layout, PRINT_SERIAL, lambda t: only_digits(t, (10,)), below=True)
        if serial is not None:
            parsed.put(
                "invoice_number", serial.value, serial.score, overwrite=True, at=serial.source
            )
    if not parsed.has("issue_date"):
        for label in DATE_LABELS.get(kind, DEFAULT_DATE_LABELS):
            date = labelled(layout, label, ticket_date, below=True)
            if date is not None:
                parsed.put("issue_date", date.value, date.score, at=date.source)
                break
    if not parsed.has("issue_date") and kind != DocumentType.QUOTA_INVOICE:
        dated = [
            (b, d)
            for b in layout.boxes
            if not b.seal and b.height <= 2 * b.width and (d := ticket_date(b.flat))
        ]
        if dated and kind == DocumentType.AIR_ITINERARY:
            # The 填开日期 is printed last; the flight dates above it are not the issue date.
            box, value = max(dated, key=lambda pair: pair[0].top)
            parsed.put("issue_date", value, box.score * 0.7, at=box)
        elif dated:
            # Caption unread: the first date printed, read as tickets print dates (a
            # meter's 25-01-05 is year first).
            box, value = min(dated, key=lambda pair: (pair[0].top, pair[0].left))
            parsed.put("issue_date", value, box.score * 0.8, at=box)
    if not parsed.has("total_amount") and kind == DocumentType.AIR_ITINERARY:
        summed = itinerary_sum(layout)
        if summed is not None:
            summed.put(parsed)
    if not parsed.has("total_amount"):
        for label in FARE_LABELS:
            fare = labelled(layout, label, fare_value, below=True, max_dx=0.6 * layout.width)
            if fare is not None:
                if kind == DocumentType.AIR_ITINERARY and label.name != "total":
                    _itinerary_total(layout, fare.source, fare.value, fare.score).put(parsed)
                else:
                    parsed.put("total_amount", fare.value, fare.score, at=fare.source)
                break
    if not parsed.has("total_amount"):
        # No fare label read: the largest amount marked as money (¥ or 元) is the fare;
        # unit prices (2.50元/km) and surcharges are smaller.
        largest = _largest_marked_amount(layout)
        if largest is not None:
            parsed.put("total_amount", largest[0], largest[1], at=largest[2])
    if not parsed.has("total_amount") and kind in _FARE_TICKETS:
        bare = _bare_fare(layout)
        if bare is not None:
            parsed.put("total_amount", bare[0], bare[1], at=bare[2])
    if kind == DocumentType.QUOTA_INVOICE:
        _quota_amount(layout, parsed)
    if not parsed.has("seller_name"):
        # A full company name first: seal fragments under the caption are not one.
        issuer = labelled(layout, ISSUER, _legal_company, below=True) or labelled(
            layout, ISSUER, _company_value, below=True
        )
        if issuer is not None:
            parsed.put("seller_name", issuer.value, issuer.score, at=issuer.source)
    if not parsed.has("seller_name") and kind == DocumentType.AIR_ITINERARY:
        agency = _lower_company(layout)
        if agency is not None:
            parsed.put("seller_name", agency[0], agency[1])
    if not parsed.has("seller_name") and kind in (
        DocumentType.BUS_TICKET,
        DocumentType.QUOTA_INVOICE,
        DocumentType.TOLL_RECEIPT,
        DocumentType.TAXI_RECEIPT,
    ):
        issuer_title = title_company(layout)
        if issuer_title is not None:
            parsed.put("seller_name", issuer_title[0], issuer_title[1])


def _only_party_is_the_buyer(parsed: Parsed) -> None:
    """A railway e-ticket (电子发票(铁路电子客票)) prints one party block, the buyer's (名称,
    统一社会信用代码): the railway selling the ticket is never printed as a party, so a
    block without a side word is the buyer's."""
    for part in ("name", "tax_id"):
        seller, buyer = f"seller_{part}", f"buyer_{part}"
        if parsed.has(seller) and not parsed.has(buyer):
            parsed.put(buyer, getattr(parsed.fields, seller), parsed.scores.get(seller, 0.5))
            setattr(parsed.fields, seller, None)
            parsed.scores.pop(seller, None)


def _digital_number(parsed: Parsed) -> bool:
    """The 20-digit 发票号码 of a 数电 e-ticket is its number; no red serial is printed."""
    number = parsed.fields.invoice_number or ""
    return len(number) == 20 and number.isdigit()


# The captions of an itinerary's money block: 合计 = 票价 + 民航发展基金 + 燃油附加费 +
# 其他税费, printed on one row or two, in the issuer's order.
ITINERARY_MONEY = (
    _label("fare", "票价"),
    _label("fund", "民航发展基金", "机场建设费"),
    _label("fuel", "燃油附加费"),
    _label("other", "其他税费"),
    _label("total", "合计"),
)
# CNY 1200.00, CN 50.00 (fund), YQ 10.00 (fuel), XT 20.00 (other taxes), ¥50.00. The
# block always prints two decimals, so a comma before the last two digits is its point
# misread (CNY 3996,00 under a seal).
_ITINERARY_AMOUNT = re.compile(r"(?:[A-Z]{2,3}|[¥￥])?[:.]?(\d{1,6})[.,，](\d{2})")


def itinerary_amount(text: str) -> Decimal | None:
    """An amount of an itinerary's money block (``EXEMPT`` and blank carry none)."""
    match = _ITINERARY_AMOUNT.fullmatch(re.sub(r"\s+", "", text).upper())
    return parse_money(f"{match.group(1)}.{match.group(2)}") if match else None


@dataclass(frozen=True)
class ItineraryTotal:
    """An itinerary's 合计 as its money block gives it (``itinerary_sum``, or the row of
    its 票价: ``_itinerary_total``)."""

    value: Decimal
    score: float
    box: Box | None  # None: computed from the 票价 and charges, no box holds it
    # At least two non-zero amounts add up to it: the sum is then a cross-check of the
    # reading (a 票价 repeated as the 合计 beside zero charges verifies nothing).
    added: bool

    def put(self, parsed: Parsed) -> None:
        parsed.put("total_amount", self.value, self.score, at=self.box)
        if self.added:
            parsed.passed("total_amount", calibration.ARITHMETIC)
        if self.box is None:
            parsed.computed("total_amount")


def itinerary_sum(layout: Layout) -> ItineraryTotal | None:
    """The itinerary's 合计, chosen as the amount of its money block that is the sum of
    the others (合计 = 票价 + 民航发展基金 + 燃油附加费 + 其他税费).

    The sum, not a caption, picks it: captions in small print are misread (计10TAL), a
    crooked dot-matrix print puts a value under its neighbour's caption, and issuers
    order the block differently. ``None`` when no amount is the sum of the rest (a part
    unread): the captions decide then, with less confidence.
    """
    captions = [b for label in ITINERARY_MONEY for b in label_boxes(layout, label)]
    if not captions:
        return None
    seen: dict[int, tuple[Decimal, Box]] = {}
    for caption in captions:
        rest = split_caption_value(caption)
        if rest is not None and (value := itinerary_amount(rest)) is not None:
            seen[caption.index] = (value, caption)
        near = [
            *layout.right_of(caption, max_dx=0.25 * layout.width),
            *layout.below(caption, max_rows=3.0),
        ]
        for box in near:
            value = itinerary_amount(box.flat)
            if value is not None:
                seen.setdefault(box.index, (value, box))
    amounts = list(seen.values())
    if len(amounts) < 3:
        return None
    grand = sum((value for value, _ in amounts), Decimal(0))
    for value, box in sorted(amounts, key=lambda pair: -pair[0]):
        # X is the total when X = (all amounts) - X.
        if value > 0 and grand - value == value:
            parts = [other for other, found in amounts if found is not box and other > 0]
            return ItineraryTotal(value, min(1.0, box.score * 1.05), box, len(parts) >= 2)
    return None


def split_caption_value(caption: Box) -> str | None:
    """What follows a money caption in its own box (合计CNY2930.00), if anything."""
    for label in ITINERARY_MONEY:
        rest = split_label(caption.flat, label)
        if rest:
            return re.sub(r"^[A-Z ]*?(?=(?:[A-Z]{2,3}|[¥￥])?\d)", "", rest) or None
    return None


def _itinerary_total(layout: Layout, fare_box: Box, value: Decimal, score: float) -> ItineraryTotal:
    """The 合计 of an itinerary's money row when its caption was misread (``计10TAL``).

    The row prints 票价, 民航发展基金, 燃油附加费, 其他税费 and 合计, and the 合计 is their
    sum: the largest amount on the row of the fare that was found, verified when the
    row's other amounts add up to it. When no amount beside the fare is larger but
    charges are printed, the 合计 was not read (a seal over it): it is computed as the
    fare plus the charges, never reported as the fare.
    """
    row: list[tuple[Decimal, float, Box]] = [(value, score, fare_box)]
    for box in layout.boxes:
        if box.seal or box is fare_box or box.v_overlap(fare_box) < 0.5:
            continue
        amount = itinerary_amount(box.flat)
        if amount is None:
            amount = fare_value(box.flat)
        if amount is not None:
            row.append((amount, box.score * 0.9, box))
    best = max(row, key=lambda found: found[0])
    others = [amount for amount, _, box in row if box is not best[2]]
    charges = [amount for amount in others if amount > 0]
    if best[2] is fare_box:
        if charges:
            return ItineraryTotal(value + sum(charges, Decimal(0)), score, None, False)
        return ItineraryTotal(value, score, fare_box, False)
    added = len(charges) >= 2 and sum(others, Decimal(0)) == best[0]
    return ItineraryTotal(best[0], best[1], best[2], added)


def _lower_company(layout: Layout) -> tuple[str, float] | None:
    """An itinerary's agency when its 填开单位 caption was misread.

    The only company name an itinerary prints is the agency's, in the 填开单位 field at
    the bottom (the carrier is a two-letter code); the seal repeats it but is flagged.
    """
    found = [
        (match.group(1), box)
        for box in layout.boxes
        if not box.seal
        and box.top > 0.5 * layout.height
        and (match := _COMPANY_END.match(box.flat))
        and len(match.group(1)) >= 6
    ]
    if not found:
        return None
    name, box = max(found, key=lambda pair: pair[1].top)
    return name, box.score * 0.8


def _largest_marked_amount(layout: Layout) -> tuple[Decimal, float, Box] | None:
    """The largest amount marked as money, its reading's score and the box it is read
    from."""
    found: list[tuple[Decimal, float, Box]] = []
    for box in layout.boxes:
        # The amount may follow an unrecognised caption in its box (全价¥17.50).
        caption = re.match(r"^[\u4e00-\u9fff]{1,6}[:：]?(?=[¥￥\d])", box.flat)
        flat = box.flat[caption.end() :] if caption else box.flat
        match = _MARKED_MONEY.fullmatch(flat) if not box.seal else None
        amount = parse_money(match.group(1) or match.group(2)) if match else None
        if amount is not None and not _meter_reading(layout, box, caption):
            found.append((amount, box.score * 0.7, box))
    return max(found, key=lambda found: found[0]) if found else None


# Tickets whose only decimal amount is the fare: the rest of what they print is dates,
# times, train or coach numbers, seats and serials.
_FARE_TICKETS = frozenset({DocumentType.BUS_TICKET, DocumentType.TRAIN_TICKET})
_BARE_DECIMAL = re.compile(r"\d{1,5}[.·]\d{1,2}")
# The last character of a fare caption (票价, 全价, 票款): what is left of a caption
# OCR broke apart (票 read as 西 over 示) still says "price" over its value.
_PRICE_ENDS = ("价", "款")


def _bare_fare(layout: Layout) -> tuple[Decimal, float, Box] | None:
    """A fare printed bare (``36.0``: no ¥, no 元) whose caption was not read whole.

    By its shape: a decimal amount. The one under or right of what is left of a price
    caption wins; without such a caption, the only decimal amount on the ticket.
    """
    found = [
        (amount, box)
        for box in layout.boxes
        if not box.seal
        and _BARE_DECIMAL.fullmatch(box.flat)
        and (amount := parse_money(box.flat.replace("·", "."))) is not None
        and amount > 0
    ]
    if not found:
        return None
    captioned = [
        (amount, box)
        for amount, box in found
        if any(
            caption.flat.rstrip(":：").endswith(_PRICE_ENDS)
            and (
                box in layout.below(caption)
                or box in layout.right_of(caption, max_dx=3 * caption.height)
            )
            for caption in layout.boxes
            if not caption.seal and caption is not box and len(caption.flat) <= 4
        )
    ]
    if len(captioned) == 1:
        amount, box = captioned[0]
        return amount, box.score * 0.8, box
    if not captioned and len({amount for amount, _ in found}) == 1:
        amount, box = found[0]
        return amount, box.score * 0.6, box
    return None


# A taxi meter's workings, printed in 元 too: never the fare.
_METER_CAPTIONS = ("单价", "里程", "候时", "等候", "计时", "公里")


def _meter_reading(layout: Layout, box: Box, caption: re.Match[str] | None) -> bool:
    """The amount is the unit price, distance or waiting charge (its caption in its box,
    or the nearest box on its left)."""
    if caption is not None and any(word in caption.group(0) for word in _METER_CAPTIONS):
        return True
    left = [
        b
        for b in layout.boxes
        if b is not box
        and not b.seal
        and b.right <= box.left + 0.5 * box.height
        and b.v_overlap(box) > 0.5
    ]
    if not left:
        return False
    nearest = max(left, key=lambda b: b.right)
    return any(word in nearest.flat for word in _METER_CAPTIONS)


def _legal_company(text: str) -> str | None:
    value = _company_value(text)
    return value if value is not None and _COMPANY_END.match(value) else None


def _company_value(text: str) -> str | None:
    value = text.strip(" :：()（）")
    if len(value) < 4 or not re.search(r"[\u4e00-\u9fff]", value) or "盖章" in value:
        return None
    # Anything after the legal form is a neighbour (seal edge, stamp) read into the box.
    match = _COMPANY_END.match(value)
    return match.group(1) if match else value


def _train_serial(layout: Layout, parsed: Parsed) -> None:
    """The red serial printed top left (``E012345``), also repeated in the bottom code."""
    top = sorted(
        (b for b in layout.boxes if b.top < 0.3 * layout.height), key=lambda b: (b.top, b.left)
    )
    for box in top:
        match = _TRAIN_SERIAL.match(box.flat.upper())
        if match:
            parsed.put("invoice_number", match.group(1) + match.group(2), box.score, overwrite=True)
            return
    for box in top[:3]:
        if re.fullmatch(r"\d{7}", box.flat) and box.flat[0] in _LETTER_FOR_DIGIT:
            serial = _LETTER_FOR_DIGIT[box.flat[0]] + box.flat[1:]
            parsed.put("invoice_number", serial, box.score * 0.6, overwrite=True)
            return
    for box in layout.boxes:
        match = re.search(r"\d{10,}([A-Z]\d{6})(?![\dA-Z])", box.flat.upper())
        if match:
            parsed.put("invoice_number", match.group(1), box.score * 0.9, overwrite=True)
            return


def _quota_amount(layout: Layout, parsed: Parsed) -> None:
    """The denomination of a 定额发票, printed large in 大写 (``拾元``, ``壹佰元``)."""
    candidates = [b for b in layout.boxes if not b.seal]
    for box in sorted(candidates, key=lambda b: -b.height):
        words = _denomination(layout, box)
        if words is None:
            continue
        parsed.put("total_in_words", words, box.score, at=box)
        value = words_to_amount(words)
        if value is not None and not parsed.has("total_amount"):
            parsed.put("total_amount", value.quantize(Decimal("0.01")), box.score, at=box)
        return


def _denomination(layout: Layout, box: Box) -> str | None:
    """大写 words filling the box, joined with neighbours when printed letter-spaced."""
    if not box.flat or any(c not in UPPER_CHARS for c in box.flat):
        return None
    text = box.flat
    for other in layout.right_of(box, max_dx=3 * box.height, min_overlap=0.5):
        if other.seal or any(c not in UPPER_CHARS for c in other.flat):
            break
        text += other.flat
    words = upper_words(text)
    # A 大写 amount never starts with 元, 角, 分 or 整: one before the numerals is a
    # stroke of the large letter-spaced print read twice (元壹元).
    words = words.lstrip("元圆角分整") if words else words
    if words and (words[-1] in "元圆整") and len(words) >= 2:
        return words
    return None


def title_company(layout: Layout) -> tuple[str, float] | None:
    """The issuing company printed in the title lines (bus companies, quota issuers)."""
    top = [b for b in layout.boxes if not b.seal and b.top < 0.45 * layout.height]
    for box in sorted(top, key=lambda b: (b.top, b.left)):
        # A caption before the name (承运单位：…) is not part of it.
        match = _COMPANY_END.match(re.split(r"[:：]", box.flat)[-1])
        if match and len(match.group(1)) >= 4 and "税务" not in match.group(1):
            return match.group(1), box.score
    return None
