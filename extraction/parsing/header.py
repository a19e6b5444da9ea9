"""Header fields common to Chinese invoices and tickets: 代码, 号码, 日期, 校验码."""

from __future__ import annotations

import re

from extraction.parsing import labels as L
from extraction.parsing.find import label_boxes, labelled
from extraction.parsing.layout import Box, Layout
from extraction.parsing.normalize import parse_date
from extraction.parsing.result import Parsed
from extraction.parsing.values import digitish, only_digits
from extraction.schema import DocumentType

_DAMAGED_LABEL = re.compile(r"^([^\d]{2,6}?)[:：;]?(\d{8}|\d{10}|\d{12})$")
_NO_PREFIX = re.compile(r"^(?:No|NO|N0|N°|№|Nº)[.:：]?(\d{8}|\d{20})$")


def parse_header(layout: Layout, parsed: Parsed) -> None:
    digital = parsed.document_type == DocumentType.DIGITAL_INVOICE
    number_lengths = (20,) if digital else (8, 20)
    machine = _machine_boxes(layout)

    code = labelled(layout, L.INVOICE_CODE, lambda t: _value_digits(t, (10, 11, 12)))
    if code is not None and not digital:
        parsed.put("invoice_code", code.value, code.score, at=code.source)

    number = labelled(layout, L.INVOICE_NUMBER, lambda t: _value_digits(t, number_lengths))
    if number is not None:
        parsed.put("invoice_number", number.value, number.score, at=number.source)
    else:
        for box in layout.boxes:
            match = _NO_PREFIX.match(digitish(box.flat)) if not box.seal else None
            if match and len(match.group(1)) in number_lengths:
                parsed.put("invoice_number", match.group(1), box.score, at=box)
                break

    date = labelled(layout, L.ISSUE_DATE, parse_date)
    if date is not None:
        parsed.put("issue_date", date.value, date.score, at=date.source)

    check = _check_code(layout)
    if check is not None:
        parsed.put("check_code", check[0], check[1])

    _unlabelled_code_and_number(layout, parsed, machine, digital)


def _value_digits(text: str, lengths: tuple[int, ...]) -> str | None:
    """The code or number in a value box; the label's last character split off into the
    value's box (码 of 发票号码, often misread: 马81115851) is not part of it."""
    found = only_digits(_lead_digits(text), lengths)
    if found is None and re.match(r"[\u4e00-\u9fff:：;]", text):
        found = only_digits(_lead_digits(text[1:]), lengths)
    return found


def _lead_digits(text: str) -> str:
    """Digits at the start of a value box (a trailing seal fragment is dropped)."""
    match = re.match(r"[\d\sOoDIl|]+", text)
    return match.group(0) if match else text


def _machine_boxes(layout: Layout) -> set[int]:
    """Indices of boxes holding the 机器编号 (a 12-digit run easily taken for a code)."""
    out: set[int] = set()
    for box in label_boxes(layout, L.MACHINE_NUMBER):
        out.add(box.index)
        for right in layout.right_of(box, max_dx=0.3 * layout.width):
            out.add(right.index)
            break
    return out


def _check_code(layout: Layout) -> tuple[str, float] | None:
    for anchor in label_boxes(layout, L.CHECK_CODE):
        rest = L.split_label(anchor.flat, L.CHECK_CODE) or ""
        digits = re.sub(r"\D", "", digitish(rest))
        scores = [anchor.score] if digits else []
        for box in layout.right_of(anchor, max_dx=0.5 * layout.width):
            if len(digits) >= 20:
                break
            chunk = re.sub(r"\s", "", digitish(box.flat))
            if not chunk.isdigit():
                break
            digits += chunk
            scores.append(box.score)
        if len(digits) == 20:
            return digits, min(scores)
        if 16 <= len(digits) <= 24:
            return digits, min(scores) * 0.5
    return None


def _unlabelled_code_and_number(
    layout: Layout, parsed: Parsed, machine: set[int], digital: bool
) -> None:
    """Paper invoices print the code and number in the header without labels."""
    top_limit = 0.5 * layout.height
    header: list[Box] = [
        b for b in layout.boxes if not b.seal and b.top <= top_limit and b.index not in machine
    ]
    if not parsed.has("invoice_code") and not digital:
        for box in header:
            code = only_digits(box.flat, (10, 12))
            if code is not None and code != parsed.fields.invoice_number:
                parsed.put("invoice_code", code, box.score * 0.9)
                break
    if not parsed.has("invoice_number"):
        lengths = (20,) if digital else (8,)
        for box in header:
            number = only_digits(box.flat, lengths)
            if number is not None:
                parsed.put("invoice_number", number, box.score * 0.9)
                break
    # Labels damaged beyond recognition ("服牌号码29638474"): a short non-digit prefix
    # then a run of the right length; 号 means number, 代 means code.
    for box in header:
        match = _DAMAGED_LABEL.match(digitish(box.flat))
        if match is None or re.search("机器|编号|条码|电话", match.group(1)):
            continue
        prefix, digits = match.group(1), match.group(2)
        if len(digits) == 8 and not digital and ("号" in prefix or "代" not in prefix):
            parsed.put("invoice_number", digits, box.score * 0.7)
        elif len(digits) in (10, 12) and not digital and "号" not in prefix:
            parsed.put("invoice_code", digits, box.score * 0.7)
