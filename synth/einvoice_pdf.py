"""E-invoice PDFs: a generated VAT e-invoice page as the image, its text as a text layer.

What an issuing platform's PDF gives the pipeline: text it reads exactly (every run where
the page shows it, in the predefined font STSong-Light, invisible over the picture) and
the invoice's real QR code on the rendered page.
"""

from __future__ import annotations

import io
import random
from typing import Any

from PIL import Image

from . import vat
from .canvas import PlacedText, recording_text

EINVOICE_TYPES = ("vat_electronic", "digital_invoice")
POINTS_PER_PX = 72 / 150  # the page drawn at 150 dpi


def einvoice_pdf(doc_type: str, seed: int) -> tuple[bytes, dict[str, Any]]:
    """The PDF of one generated e-invoice and its truth (the CLI contract's shape)."""
    if doc_type not in EINVOICE_TYPES:
        raise ValueError(f"e-invoice PDFs are made for {EINVOICE_TYPES}, not {doc_type!r}")
    rng = random.Random(f"{doc_type}/{seed}")
    with recording_text() as placed:
        rendered = vat.render_vat(doc_type, rng)
    return page_pdf(rendered.image, placed), rendered.truth


def page_pdf(image: Image.Image, texts: list[PlacedText]) -> bytes:
    """A one-page PDF: ``image`` over the whole page, ``texts`` as an invisible layer."""
    width, height = image.width * POINTS_PER_PX, image.height * POINTS_PER_PX
    jpeg = io.BytesIO()
    image.convert("RGB").save(jpeg, "JPEG", quality=92)
    ops = [f"q {width:.2f} 0 0 {height:.2f} 0 0 cm /Im1 Do Q", "BT 3 Tr"]
    for run in texts:
        nominal = sum(0.5 if ord(c) < 128 else 1.0 for c in run.text) * run.size
        stretch = 100 * run.width / nominal if nominal else 100
        x = run.left * POINTS_PER_PX
        y = (image.height - run.baseline) * POINTS_PER_PX
        hexed = run.text.encode("utf-16-be", "replace").hex().upper()
        ops.append(
            f"/F1 {run.size * POINTS_PER_PX:.2f} Tf {stretch:.1f} Tz "
            f"1 0 0 1 {x:.2f} {y:.2f} Tm <{hexed}> Tj"
        )
    ops.append("ET")
    content = "\n".join(ops).encode()
    image_object = (
        f"<< /Type /XObject /Subtype /Image /Width {image.width} /Height {image.height} "
        f"/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode "
        f"/Length {len(jpeg.getvalue())} >>\nstream\n".encode()
        + jpeg.getvalue()
        + b"\nendstream"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width:.2f} {height:.2f}] "
        f"/Resources << /Font << /F1 5 0 R >> /XObject << /Im1 8 0 R >> >> "
        f"/Contents 4 0 R >>".encode(),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo "
        b"<< /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /DW 1000 /W [1 95 500] "
        b"/FontDescriptor 7 0 R >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880]"
        b" /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
        image_object,
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)
