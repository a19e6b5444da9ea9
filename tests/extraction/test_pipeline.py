"""The in-process pipeline: sniffing and decoding uploads, engine + validation + timings."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from PIL import Image

from extraction import pipeline
from extraction.engines.base import EngineContext, EngineUnavailable, OcrLine

RECEIPT_LINES = [
    "GOLDEN SPOON SDN BHD",
    "NO. 12, JALAN MERDEKA, 43000 KAJANG",
    "DATE: 05/03/2018 14:22",
    "2 MILO 1KG                    35.80",
    "SUBTOTAL                      35.80",
    "GST 6%                         2.15",
    "TOTAL RM                      37.95",
    "CASH                          50.00",
    "CHANGE                        12.05",
]


def receipt_pdf(lines: list[str] = RECEIPT_LINES) -> bytes:
    """A one-page PDF with a Helvetica text layer (no embedded font needed)."""
    ops = [f"BT /F1 10 Tf 40 {760 - 16 * i} Td ({text}) Tj ET" for i, text in enumerate(lines)]
    content = "\n".join(ops).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 800] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def image_bytes(fmt: str, size: tuple[int, int] = (60, 40), **save: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, fmt, **save)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (image_bytes("JPEG"), "JPEG"),
        (image_bytes("PNG"), "PNG"),
        (image_bytes("WEBP"), "WEBP"),
        (image_bytes("TIFF"), "TIFF"),
        (b"%PDF-1.7\n...", "PDF"),
        (b"<html>not an invoice</html>", None),
    ],
)
def test_type_is_sniffed_from_magic_bytes(data: bytes, kind: str | None) -> None:
    # given file contents (never trusting a file name) / when sniffed / then the format
    assert pipeline.sniff(data) == kind


def test_image_upload_becomes_one_upright_rgb_page() -> None:
    # given a sideways JPEG with EXIF orientation 8
    exif = Image.Exif()
    exif[0x0112] = 8
    data = image_bytes("JPEG", (80, 40), exif=exif)
    # when loaded
    document = pipeline.load_document(data, name="photo.jpg")
    # then the page is upright RGB and the preparation time is recorded
    assert [page.size for page in document.pages] == [(40, 80)]
    assert document.pages[0].mode == "RGB"
    assert document.text_layer is None
    assert document.timings["prepare"] >= 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GIF89a-not-really", "cannot be decoded|damaged"),
        (image_bytes("PNG")[:60], "cannot be decoded|damaged|truncated"),
        (b"plain text", "not a supported document"),
    ],
)
def test_unreadable_uploads_raise_a_clear_value_error(data: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        pipeline.load_document(data, name="bad")


def test_oversized_image_is_refused_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    # given a limit below the image's pixel count
    monkeypatch.setattr(pipeline, "MAX_IMAGE_PIXELS", 1000)
    # when loaded / then refused with the limit in the message
    with pytest.raises(ValueError, match="too many pixels"):
        pipeline.load_document(image_bytes("PNG", (100, 100)), name="big.png")


def test_pdf_text_layer_is_extracted_without_ocr_and_validated() -> None:
    # given a receipt PDF with a text layer
    document = pipeline.load_document(receipt_pdf(), name="receipt.pdf")
    # when extracted with the OCR engine (which reads text layers directly)
    result = pipeline.extract(document, ctx=EngineContext(ocr_threads=1), engine="ocr")
    # then the fields come from the text, validated, with every stage timed
    fields = result.fields
    assert document.text_layer is not None
    assert fields.seller_name == "GOLDEN SPOON SDN BHD"
    assert fields.issue_date == dt.date(2018, 3, 5)
    assert fields.total_amount == Decimal("37.95")
    assert fields.currency == "MYR"
    assert result.engine == "ocr"
    assert set(result.timings) >= {"prepare", "ocr", "parse", "validate", "total"}
    assert result.timings["total"] >= result.timings["parse"]
    assert result.confidence["total_amount"] > 0.9


def test_prepared_ocr_lines_are_reused_instead_of_running_ocr() -> None:
    # given a blank page whose OCR boxes an earlier stage (PII masking) already produced
    document = pipeline.load_document(image_bytes("PNG", (400, 300)), name="scan.png")
    document.ocr_lines = [
        OcrLine(((10, 10), (300, 10), (300, 30), (10, 30)), "GOLDEN SPOON SDN BHD", 0.95),
        OcrLine(((10, 50), (300, 50), (300, 70), (10, 70)), "TOTAL RM 12.30", 0.95),
    ]
    # when extracted
    result = pipeline.extract(document, ctx=EngineContext(ocr_threads=1), engine="ocr")
    # then the fields come from those boxes (the blank image would give nothing)
    assert result.fields.seller_name == "GOLDEN SPOON SDN BHD"
    assert result.fields.total_amount == Decimal("12.30")


def test_unknown_engine_is_reported_as_unavailable() -> None:
    document = pipeline.load_document(receipt_pdf(), name="receipt.pdf")
    with pytest.raises(EngineUnavailable, match="unknown engine"):
        pipeline.extract(document, ctx=EngineContext(), engine="tesseract")


def test_text_layer_without_any_field_falls_back_to_reading_the_page() -> None:
    # given a PDF whose text layer holds no invoice field (e.g. only a watermark line)
    data = receipt_pdf(["THIS DOCUMENT WAS PRINTED FROM THE PORTAL ON REQUEST"])
    document = pipeline.load_document(data, name="scan.pdf")
    # when extracted
    result = pipeline.extract(document, ctx=EngineContext(ocr_threads=1), engine="ocr")
    # then the rendered page was read by OCR (its boxes are kept for reuse)
    assert document.text_layer is not None
    assert document.ocr_lines is not None
    assert result.timings["ocr"] > 0


def test_total_timing_includes_every_stage_before_the_engine() -> None:
    # Given a document whose earlier stages were timed: decoding, and the PII mask (the
    # Django pipeline masks before extracting and records it as "mask")
    document = pipeline.load_document(receipt_pdf(), name="receipt.pdf")
    document.timings["mask"] = 500.0
    # When extracted
    result = pipeline.extract(document, ctx=EngineContext(ocr_threads=1), engine="ocr")
    # Then the total covers prepare, mask, the engine's stages and validation
    timings = result.timings
    stages = ("prepare", "mask", "ocr", "parse", "validate")
    assert timings["total"] >= sum(timings[stage] for stage in stages) - 0.5  # rounding
