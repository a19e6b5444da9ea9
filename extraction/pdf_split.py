"""One PDF, several invoices: which pages belong to which invoice, and the parts cut out.

A page's invoice identity is its invoice number (with the code when it has one), read
from the text layer next to the 发票号码 label, else from the page's own QR code. A page
with no identity (a second page of items, a 销货清单) belongs to the invoice before it;
a page whose identity differs from the current invoice's starts a new one. So a two-page
invoice that prints its number on every page stays one part, and pages that print no
number never split anything. Titles alone are not used: a multi-page invoice repeats its
title on every page.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from extraction.machine import qr
from extraction.pdf import page_layout_text

# Longest side a page is drawn at for its QR code (the extraction pipeline's size).
QR_RENDER_SIDE = 2000

_NUMBER_LABEL = re.compile(r"发\s*票\s*号\s*码\s*[:：]?\s*(\d{20}|\d{8})(?!\d)")
_CODE_LABEL = re.compile(r"发\s*票\s*代\s*码\s*[:：]?\s*(\d{12}|\d{10})(?!\d)")


@dataclass(frozen=True)
class PdfPart:
    pages: tuple[int, ...]  # 0-based page indices of the original
    content: bytes  # a PDF of just these pages (the original bytes when nothing is cut)


def text_identity(text: str) -> str | None:
    """``code:number`` (or ``number``) printed next to their labels, else ``None``."""
    number = _NUMBER_LABEL.search(text)
    if number is None:
        return None
    code = _CODE_LABEL.search(text)
    return f"{code.group(1)}:{number.group(1)}" if code else number.group(1)


def qr_identity(image: object) -> str | None:
    readings = qr.read_page(image)  # type: ignore[arg-type]
    for reading in readings:
        fields = reading.fields
        if fields.invoice_number:
            code = fields.invoice_code
            return f"{code}:{fields.invoice_number}" if code else fields.invoice_number
    return None


def page_identities(data: bytes) -> list[str | None]:
    """The invoice identity of every page (``None`` where none is found). Raises
    ``ValueError`` when pdfium cannot read the file."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise ValueError(f"the PDF cannot be opened: {exc}") from exc
    out: list[str | None] = []
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                identity = text_identity(page_layout_text(page))
                if identity is None:
                    width, height = page.get_size()
                    bitmap = page.render(scale=QR_RENDER_SIDE / max(width, height, 1.0))
                    try:
                        identity = qr_identity(bitmap.to_pil())
                    finally:
                        bitmap.close()
                out.append(identity)
            finally:
                page.close()
    finally:
        pdf.close()
    return out


def group_pages(identities: list[str | None]) -> list[tuple[int, ...]]:
    """Consecutive pages grouped per invoice (see the module docstring)."""
    groups: list[list[int]] = []
    current: str | None = None
    for index, identity in enumerate(identities):
        if not groups or (identity is not None and current is not None and identity != current):
            groups.append([index])
            current = identity
        else:
            groups[-1].append(index)
            current = current or identity
    return [tuple(group) for group in groups]


def split_invoices(data: bytes) -> list[PdfPart]:
    """The PDF cut into one part per invoice; a single part (the original bytes) when it
    holds one invoice or the pages do not say."""
    identities = page_identities(data)
    groups = group_pages(identities)
    if len(groups) <= 1:
        return [PdfPart(pages=tuple(range(len(identities))), content=data)]
    return [PdfPart(pages=group, content=_extract_pages(data, group)) for group in groups]


def _extract_pages(data: bytes, pages: tuple[int, ...]) -> bytes:
    import pypdfium2 as pdfium

    source = pdfium.PdfDocument(data)
    try:
        part = pdfium.PdfDocument.new()
        try:
            part.import_pages(source, list(pages))
            out = io.BytesIO()
            part.save(out)
            return out.getvalue()
        finally:
            part.close()
    finally:
        source.close()
