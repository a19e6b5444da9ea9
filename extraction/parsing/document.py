"""Entry points: OCR lines or a PDF text layer -> typed fields of one document.

The same label logic serves both inputs: a text layer is turned into pseudo boxes
(one per run of text, positioned by line and column), so a PDF is parsed exactly like
a perfectly read image.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from extraction.classify import classify_lines
from extraction.engines.base import OcrLine
from extraction.parsing.header import parse_header
from extraction.parsing.labels import CAPTION_WORDS, caption_key
from extraction.parsing.layout import Layout
from extraction.parsing.normalize import parse_date
from extraction.parsing.parties import parse_parties
from extraction.parsing.receipt import parse_receipt
from extraction.parsing.result import Parsed
from extraction.parsing.table import find_table, parse_items, parse_totals
from extraction.parsing.tickets import parse_ticket
from extraction.parsing.values import repair_name
from extraction.schema import DocumentType

# Stored with every extraction (engine version) so results can be traced to the rules.
PARSER_VERSION = "layout-1"

VAT_TYPES = frozenset(
    {
        DocumentType.VAT_SPECIAL,
        DocumentType.VAT_GENERAL,
        DocumentType.VAT_ELECTRONIC,
        DocumentType.DIGITAL_INVOICE,
    }
)
TICKET_TYPES = frozenset(
    {
        DocumentType.TRAIN_TICKET,
        DocumentType.TAXI_RECEIPT,
        DocumentType.QUOTA_INVOICE,
        DocumentType.AIR_ITINERARY,
        DocumentType.BUS_TICKET,
        DocumentType.TOLL_RECEIPT,
    }
)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def parse_lines(
    lines: Sequence[OcrLine],
    *,
    seal_hints: Sequence[bool] | None = None,
    hint: DocumentType | None = None,
) -> Parsed:
    """Fields of the page read as ``lines`` (boxes with points in reading order)."""
    document_type = hint or classify_lines(lines)
    layout = Layout.from_lines(lines, seal_hints=seal_hints)
    return parse_layout(layout, document_type)


def parse_layout(layout: Layout, document_type: DocumentType) -> Parsed:
    parsed = Parsed(document_type)
    chinese = sum(bool(_CJK.search(b.flat)) for b in layout.boxes) >= 0.2 * max(
        len(layout.boxes), 1
    )
    if document_type == DocumentType.RECEIPT or (
        document_type == DocumentType.OTHER and not chinese
    ):
        parse_receipt(layout, parsed)
        if chinese and not parsed.has("currency"):
            parsed.put("currency", "CNY", 0.6)
        _repair_names(parsed)
        return parsed

    parse_header(layout, parsed)
    parse_parties(layout, parsed)
    table = find_table(layout)
    anchor = parse_totals(layout, parsed, table)
    if table is not None:
        bottom = anchor.top if anchor is not None else layout.height
        parsed.fields.line_items = parse_items(layout, table, bottom)
    if document_type not in VAT_TYPES:
        parse_ticket(layout, parsed)
    # 定额发票 print no date: a date on one is the printer's imprint in the margin.
    if not parsed.has("issue_date") and document_type != DocumentType.QUOTA_INVOICE:
        for box in layout.boxes:
            vertical = box.height > 2 * box.width
            value = parse_date(box.flat) if not (box.seal or vertical) else None
            if value is not None:
                parsed.put("issue_date", value, box.score * 0.8, at=box)
                break
    parsed.put("currency", "CNY", 0.9)
    _repair_names(parsed)
    return parsed


def _repair_names(parsed: Parsed) -> None:
    for name in ("seller_name", "buyer_name"):
        value = getattr(parsed.fields, name)
        if value:
            setattr(parsed.fields, name, repair_name(value))


# -- text layer ---------------------------------------------------------------------------

# Geometry of the pseudo boxes built from text: one character cell is 10 x 20 units.
_CELL_W = 10.0
_LINE_H = 20.0


def text_to_lines(pages: Sequence[str]) -> list[OcrLine]:
    """Pseudo OCR boxes for layout text: runs split at 2+ spaces, placed by column/line.

    Full-width characters count two columns, as in the PDF text layout we produce.
    """
    out: list[OcrLine] = []
    y = 0.0
    for page in pages:
        for raw in page.splitlines():
            for match in re.finditer(r"\S+(?: \S+)*", raw):
                start = _width(raw[: match.start()])
                for offset, text in _runs(match.group(0)):
                    left = (start + offset) * _CELL_W
                    right = left + max(_width(text), 1) * _CELL_W
                    bottom = y + _LINE_H * 0.8
                    box = ((left, y), (right, y), (right, bottom), (left, bottom))
                    out.append(OcrLine(box=box, text=text, score=1.0))
            y += _LINE_H
        y += 3 * _LINE_H
    return out


def _runs(text: str) -> list[tuple[int, str]]:
    """A run, or a character of a vertical block caption and the captioned field after it.

    Forms print block captions (购买方信息, 销售方信息) one character per row at the block's
    edge; a text layer puts that character one space before the row's own caption
    (``买 名称：…``). Kept together, the name's label is not at the start of its box.
    """
    head, _, rest = text.partition(" ")
    if len(head) == 1 and _CJK.match(head) and rest and _starts_with_caption(rest):
        return [(0, head), (_width(head) + 1, rest)]
    return [(0, text)]


def _starts_with_caption(text: str) -> bool:
    key = caption_key(text)
    return any(len(word) >= 2 and key.startswith(word) for word in CAPTION_WORDS)


def _width(text: str) -> int:
    return sum(2 if _CJK.match(ch) or ord(ch) > 0x2E80 else 1 for ch in text)


def parse_text_layer(pages: Sequence[str], *, hint: DocumentType | None = None) -> Parsed:
    """Fields from a PDF text layer (first page that holds text is the document)."""
    usable = [page for page in pages if page.strip()]
    if not usable:
        return Parsed(hint or DocumentType.OTHER)
    lines = text_to_lines(usable[:1])
    parsed = parse_lines(lines, hint=hint)
    # Text from a text layer is exact: its scores are certainty, not OCR guesses.
    parsed.scores = dict.fromkeys(parsed.scores, 1.0)
    return parsed
