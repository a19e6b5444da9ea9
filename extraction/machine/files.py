"""E-invoice files that carry the whole invoice as data (OFD, 数电票 XML): one entry point.

For the extraction pipeline and for intake alike:

* ``sniff_machine_file(data)`` -> ``"OFD"`` / ``"XML"`` / ``None``, by structure only (a
  zip holding ``OFD.xml``; an XML whose root is ``<EInvoice>``, parsed safely), never by
  file name;
* ``open_machine_file(data)`` -> ``MachineFile``: the whole file checked and read (zip
  guard, safe XML, every field), or a ``ValueError`` saying why not;
* ``render_pages(file)`` -> page images for the viewer and PII masking (an XML file has
  no layout of its own: it gets one page listing its fields).
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from PIL import Image

from extraction.engines.base import OcrLine
from extraction.machine import MachineReading
from extraction.machine.einvoice_xml import is_einvoice_root, read_einvoice_xml
from extraction.machine.ofd import OfdPackage, is_ofd, parse_ofd
from extraction.machine.ofd_fields import reading_from_package, text_lines
from extraction.machine.ofd_render import DEFAULT_DPI, render_fields_page, render_ofd_page
from extraction.machine.safexml import parse_xml

OFD = "OFD"
XML = "XML"


@dataclass(frozen=True)
class MachineFile:
    kind: str  # OFD | XML
    reading: MachineReading
    package: OfdPackage | None = None  # OFD only

    @property
    def page_count(self) -> int:
        return len(self.package.pages) if self.package is not None else 1


def looks_like_xml(data: bytes) -> bool:
    """Text starting with ``<`` (after a BOM and whitespace): worth a real XML parse."""
    head = data[:64]
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if head.startswith(bom):
            return True
    return head.lstrip().startswith(b"<")


def sniff_machine_file(data: bytes) -> str | None:
    if is_ofd(data):
        return OFD
    if looks_like_xml(data):
        try:
            return XML if is_einvoice_root(parse_xml(data)) else None
        except ValueError:
            return None  # unsafe or broken: open_machine_file says why
    return None


def open_machine_file(data: bytes, *, max_pages: int = 50) -> MachineFile:
    """The file read completely; ``ValueError`` (``ArchiveRefused`` for the zip guard)
    with a clear reason when it is unsafe, broken, or neither an OFD nor a 数电票 XML."""
    if is_ofd(data):
        package = parse_ofd(data, max_pages=max_pages)
        return MachineFile(OFD, reading_from_package(package), package)
    if looks_like_xml(data):
        return MachineFile(XML, read_einvoice_xml(data))
    raise ValueError("neither an OFD package nor a 数电票 XML")


def render_pages(file: MachineFile, *, dpi: float = DEFAULT_DPI) -> list[Image.Image]:
    if file.package is not None:
        return [render_ofd_page(file.package, i, dpi=dpi) for i in range(len(file.package.pages))]
    return [render_fields_page(file.reading.fields, dpi=dpi)]


def first_page_text(file: MachineFile, *, dpi: float = DEFAULT_DPI) -> list[OcrLine] | None:
    """Exact text boxes of the rendered first page (OFD), in its pixels: what an OCR pass
    over it would find, for stages that need boxes (PII masking) without running OCR."""
    if file.package is None or not file.package.pages:
        return None
    return text_lines(file.package.pages[0], dpi=dpi)


def page_text(file: MachineFile, *, dpi: float = DEFAULT_DPI) -> list[list[OcrLine]] | None:
    """Exact text boxes of every rendered page (OFD), page by page; ``None`` for a file
    without a layout of its own (XML)."""
    if file.package is None:
        return None
    return [text_lines(page, dpi=dpi) for page in file.package.pages]
