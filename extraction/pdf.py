"""PDFs via pypdfium2: the text layer when there is one, rendered pages otherwise.

E-invoices (电子发票 PDF) carry their fields as text: reading the text layer is exact and
needs no model. The text is rebuilt as *layout text* -- characters grouped into lines by
baseline, runs separated by two or more spaces at their column -- so the same
label/position parser that reads OCR boxes reads it (``parse_text_layer``). A page
without usable text (a scan saved as PDF, text drawn as curves, a broken font map) is
rendered so that its longest side is about 2000 px, for OCR or a VLM.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

from PIL import Image

RENDER_LONGEST_SIDE = 2000
# Fewer printable characters than this on a page: treat the page as an image.
MIN_TEXT_CHARS = 20


def is_pdf(data: bytes) -> bool:
    # The header may follow a little junk (allowed by the spec within the first 1 KiB).
    return b"%PDF-" in data[:1024]


@dataclass
class LoadedPdf:
    images: list[Image.Image]
    # Layout text per page, or None when no page has a usable text layer.
    text_layer: list[str] | None


@dataclass(frozen=True)
class _Char:
    text: str
    left: float
    right: float
    bottom: float
    top: float


def load_pdf(data: bytes, *, max_pages: int = 20) -> LoadedPdf:
    """Pages rendered to images and the text layer. Raises ``ValueError`` when unreadable."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise ValueError(f"the PDF cannot be opened: {exc}") from exc
    try:
        count = len(pdf)
        if count == 0:
            raise ValueError("the PDF has no pages")
        if count > max_pages:
            raise ValueError(f"the PDF has {count} pages; at most {max_pages} are accepted")
        texts: list[str] = []
        images: list[Image.Image] = []
        for index in range(count):
            page = pdf[index]
            try:
                text = page_layout_text(page)
                texts.append(text if text_is_usable(text) else "")
                images.append(_render(page))
            finally:
                page.close()
    finally:
        pdf.close()
    layer = texts if any(texts) else None
    return LoadedPdf(images=images, text_layer=layer)


def _render(page: object) -> Image.Image:
    width, height = page.get_size()  # type: ignore[attr-defined]
    scale = RENDER_LONGEST_SIDE / max(width, height, 1.0)
    bitmap = page.render(scale=scale)  # type: ignore[attr-defined]
    try:
        return bitmap.to_pil().convert("RGB")
    finally:
        bitmap.close()


def text_is_usable(text: str) -> bool:
    """Enough characters, and not the private-use garbage of a font without a ToUnicode map."""
    visible = [c for c in text if not c.isspace()]
    if len(visible) < MIN_TEXT_CHARS:
        return False
    odd = sum(
        1 for c in visible if not c.isprintable() or 0xE000 <= ord(c) <= 0xF8FF or c == "\ufffd"
    )
    return odd <= 0.05 * len(visible)


def page_layout_text(page: object) -> str:
    """The page's characters as lines of text, runs placed at their columns."""
    textpage = page.get_textpage()  # type: ignore[attr-defined]
    try:
        chars = _chars(textpage)
    finally:
        textpage.close()
    return layout_text(chars)


def _chars(textpage: object) -> list[_Char]:
    out: list[_Char] = []
    count = textpage.count_chars()  # type: ignore[attr-defined]
    for index in range(count):
        text = textpage.get_text_range(index=index, count=1)  # type: ignore[attr-defined]
        if not text or text.isspace():
            continue
        # Loose boxes span the advance width, so letters of one word touch.
        left, bottom, right, top = textpage.get_charbox(index, loose=True)  # type: ignore[attr-defined]
        if right <= left or top <= bottom:
            continue
        out.append(_Char(text, left, right, bottom, top))
    return out


def layout_text(chars: list[_Char]) -> str:
    """Group characters into baseline rows, then place each run at its column."""
    if not chars:
        return ""
    heights = [c.top - c.bottom for c in chars]
    line_h = statistics.median(heights)
    # A column is half the width of a CJK character (about half the text height).
    cell = max(line_h * 0.5, 1.0)
    rows: list[list[_Char]] = []
    for char in sorted(chars, key=lambda c: -(c.top + c.bottom) / 2):
        middle = (char.top + char.bottom) / 2
        if rows:
            last = rows[-1]
            last_mid = statistics.mean((c.top + c.bottom) / 2 for c in last)
            if abs(last_mid - middle) < 0.45 * line_h:
                last.append(char)
                continue
        rows.append([char])
    left_edge = min(c.left for c in chars)
    lines: list[str] = []
    for row in rows:
        row.sort(key=lambda c: c.left)
        row_h = statistics.median(c.top - c.bottom for c in row)
        line = ""
        previous: _Char | None = None
        for char in row:
            column = round((char.left - left_edge) / cell)
            width = _columns(line)
            if previous is not None:
                gap = char.left - previous.right
                if gap > 1.2 * row_h:
                    # A separate run: at least two spaces, at its own column.
                    line += " " * max(2, column - width)
                elif gap > 0.25 * row_h:
                    line += " "
            elif column > width:
                line += " " * column
            line += char.text
            previous = char
        lines.append(line.rstrip())
    return "\n".join(lines)


def _columns(text: str) -> int:
    return sum(2 if re.match(r"[\u2e80-\uffff]", ch) else 1 for ch in text)
