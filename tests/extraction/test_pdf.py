"""PDFs: the text layer is read exactly; pages without one are rendered for OCR."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from extraction.pdf import load_pdf


def text_pdf(lines: list[tuple[float, float, float, str]], pages: int = 1) -> bytes:
    """A PDF whose text uses the predefined Adobe-GB1 font STSong-Light (not embedded).

    ``lines``: (x, y, size, text) in points, y from the bottom. pdfium maps the
    UniGB-UCS2-H encoding back to Unicode, so the text layer reads as written.
    """
    ops = []
    for x, y, size, text in lines:
        ops.append(f"BT /F1 {size} Tf {x} {y} Td <{text.encode('utf-16-be').hex().upper()}> Tj ET")
    content = "\n".join(ops).encode()
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
    ]
    font_id = 3 + pages + 1
    for _ in range(pages):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] /Resources << /Font "
            f"<< /F1 {font_id} 0 R >> >> /Contents {3 + pages} 0 R >>".encode()
        )
    objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    objects += [
        f"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        f"/DescendantFonts [{font_id + 1} 0 R] >>".encode(),
        f"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo "
        f"<< /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /DW 1000 /W [1 95 500] "
        f"/FontDescriptor {font_id + 2} 0 R >>".encode(),
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880]"
        b" /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
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


E_INVOICE_LINES = [
    (300, 540, 20, "浙江增值税电子普通发票"),
    (600, 550, 10, "发票代码：033002100211"),
    (600, 535, 10, "发票号码：12345678"),
    (600, 520, 10, "开票日期：2025年03月09日"),
    (40, 470, 10, "名    称：杭州云帆科技有限公司"),
    (40, 250, 10, "价税合计（大写）"),
    (200, 250, 10, "⊗壹仟零陆拾圆整"),
    (500, 250, 10, "（小写）¥1060.00"),
    (40, 200, 10, "名    称：上海星河贸易有限公司"),
    (40, 185, 10, "纳税人识别号：91310115MA1H7GQ57U"),
]


def image_pdf(pages: int = 1) -> bytes:
    frames = [Image.new("RGB", (300, 200), "white") for _ in range(pages)]
    out = io.BytesIO()
    frames[0].save(out, "PDF", save_all=True, append_images=frames[1:])
    return out.getvalue()


def test_text_layer_keeps_label_and_value_on_one_line() -> None:
    # given an e-invoice PDF with a text layer
    loaded = load_pdf(text_pdf(E_INVOICE_LINES))
    # when its text is read
    assert loaded.text_layer is not None
    text = loaded.text_layer[0]
    # then labels and values come out in reading order, runs separated by spaces
    assert "发票代码：033002100211" in text
    assert "纳税人识别号：91310115MA1H7GQ57U" in text
    line = next(row for row in text.splitlines() if "价税合计" in row)
    assert line.index("价税合计") < line.index("壹仟") < line.index("1060.00")


def test_pages_are_also_rendered_at_about_2000_px() -> None:
    # given a text PDF / when loaded / then each page is also an image, longest side ~2000
    loaded = load_pdf(text_pdf(E_INVOICE_LINES))
    assert len(loaded.images) == 1
    assert max(loaded.images[0].size) == pytest.approx(2000, abs=2)


def test_scanned_pdf_has_no_text_layer() -> None:
    # given a PDF holding only an image / when loaded / then it must be read by an engine
    loaded = load_pdf(image_pdf())
    assert loaded.text_layer is None
    assert loaded.images[0].mode == "RGB"


def test_too_many_pages_are_refused() -> None:
    # given a 3-page PDF and a limit of 2 / when loaded / then a clear error
    with pytest.raises(ValueError, match="3 pages"):
        load_pdf(image_pdf(pages=3), max_pages=2)


def test_broken_pdf_is_a_value_error() -> None:
    # given bytes that only start like a PDF / when loaded / then ValueError, not a crash
    with pytest.raises(ValueError, match="cannot be opened"):
        load_pdf(b"%PDF-1.7\n garbage")
