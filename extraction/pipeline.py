"""In-process extraction: bytes -> ``PreparedDocument`` -> validated ``ExtractionResult``.

This is what the Celery tasks and the ``extract`` CLI call. Engines are taken from the
registry (one instance, one model load per process); every result goes through
``validation.validate`` here, so no engine's answer reaches a caller unchecked.
"""

from __future__ import annotations

import time

from PIL import Image

from extraction import calibration, images, preprocess, validation
from extraction.engines.base import EngineContext, PreparedDocument, registry
from extraction.machine import MachineReading, files, merge, qr
from extraction.pdf import is_pdf, load_pdf
from extraction.schema import ExtractionResult

# Pillow formats accepted as photos/scans (magic bytes are checked, not file names).
_IMAGE_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)
# Photos up to this many pixels are accepted (JPEG decoded at reduced scale, see
# extraction.images); formats decoded only in full have the lower limit.
MAX_IMAGE_PIXELS = images.MAX_DECODE_PIXELS
MAX_FULL_DECODE_PIXELS = images.MAX_FULL_DECODE_PIXELS


def sniff(data: bytes) -> str | None:
    """'PDF', an image format name, 'OFD' / 'XML' (e-invoices that carry the invoice as
    data, recognised by structure), or ``None`` for anything else."""
    if is_pdf(data):
        return "PDF"
    for magic, name in _IMAGE_MAGIC:
        if data.startswith(magic):
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return files.sniff_machine_file(data)


def load_document(
    data: bytes,
    *,
    name: str,
    max_pdf_pages: int = 20,
    read_qr: bool = True,
    max_image_pixels: int | None = None,
    max_full_decode_pixels: int | None = None,
) -> PreparedDocument:
    """Decode an upload. Raises ``ValueError`` with a clear message when it cannot.

    An image is decoded at its working size (``extraction.images``: a 108 MP JPEG at 1/2
    scale), never larger. QR codes are read from those pixels into ``document.machine``;
    ``read_qr=False`` skips that (to measure what it costs).
    """
    started = time.perf_counter()
    kind = sniff(data)
    if kind in (files.OFD, files.XML) or (kind is None and files.looks_like_xml(data)):
        # An unsafe or broken XML is not sniffed; opening it says why it is refused.
        return _load_machine_file(data, name=name, max_pages=max_pdf_pages)
    if kind is None:
        raise ValueError(
            "not a supported document: expected a JPEG/PNG/WEBP/TIFF image, a PDF, "
            "an OFD or a 数电票 XML"
        )
    if kind == "PDF":
        pdf = load_pdf(data, max_pages=max_pdf_pages)
        originals = pdf.images
        document = PreparedDocument(source=name, pages=pdf.images, text_layer=pdf.text_layer)
    else:
        # EXIF orientation is a lossless transposition: the QR pass sees the page upright.
        upright = preprocess.exif_transpose(
            _load_image(
                data,
                max_pixels=max_image_pixels or MAX_IMAGE_PIXELS,
                max_full_decode_pixels=max_full_decode_pixels or MAX_FULL_DECODE_PIXELS,
            )
        )
        originals = [upright]
        document = PreparedDocument(source=name, pages=[preprocess.to_rgb(upright)])
    document.timings["prepare"] = (time.perf_counter() - started) * 1000
    if read_qr:
        started = time.perf_counter()
        document.machine.extend(qr.read_pages(originals))
        document.timings["qr"] = (time.perf_counter() - started) * 1000
    return document


def _load_machine_file(data: bytes, *, name: str, max_pages: int) -> PreparedDocument:
    """An OFD or XML e-invoice: its complete reading and its pages drawn for people."""
    started = time.perf_counter()
    file = files.open_machine_file(data, max_pages=max_pages)
    page_lines = files.page_text(file)
    document = PreparedDocument(
        source=name,
        pages=files.render_pages(file),
        ocr_lines=page_lines[0] if page_lines else None,
        page_lines=page_lines,
        machine=[file.reading],
    )
    document.timings["prepare"] = (time.perf_counter() - started) * 1000
    return document


def _load_image(data: bytes, *, max_pixels: int, max_full_decode_pixels: int) -> Image.Image:
    """The image at working size: no EXIF rotation, no colour conversion."""
    return images.load_working(
        data, max_decode_pixels=max_pixels, max_full_decode_pixels=max_full_decode_pixels
    )


def extract(
    document: PreparedDocument, *, ctx: EngineContext, engine: str = "auto"
) -> ExtractionResult:
    """Run the chosen engine, validate its answer and fill the stage timings (ms).

    Machine-readable data found on the document (``document.machine``) outranks the
    engine (``extraction.machine.merge``); a complete reading (an OFD or XML e-invoice)
    is the whole answer, and no engine runs at all.
    """
    complete = next((reading for reading in document.machine if reading.complete), None)
    if complete is not None:
        return _from_complete_reading(document, complete)
    _load_engine_modules()
    chosen = registry.get(ctx, engine)
    started = time.perf_counter()
    raw = chosen.extract(document)
    engine_ms = (time.perf_counter() - started) * 1000
    validate_started = time.perf_counter()
    # Engines that validate (and reconcile) their own answers report a "validate"
    # timing; validating again would count the cross-checks twice in the confidence.
    already = "validate" in raw.timings
    if not already:
        raw = merge.overlay(raw, document.machine, hinted_type=bool(document.document_type_hint))
    result = raw if already else validation.validate(raw, ocr_confidence=raw.confidence)
    # Confidence is reported as a measured probability (extraction.calibration).
    result = calibration.calibrate(merge.attribute(result))
    # Every stage before the engine (prepare, the PII mask, ...) counts in the total; the
    # engine's own stages (ocr, parse, and validate when it validates itself) are inside
    # engine_ms, so they are not added twice.
    before_engine = sum(ms for stage, ms in document.timings.items() if stage != "total")
    timings = dict(document.timings)
    timings.update(raw.timings)
    timings.setdefault("ocr", 0.0)
    timings.setdefault("parse", 0.0)
    if not already:
        timings["validate"] = (time.perf_counter() - validate_started) * 1000
    timings["total"] = before_engine + engine_ms + (0.0 if already else timings["validate"])
    return result.replace(timings={k: round(v, 1) for k, v in timings.items()})


def _from_complete_reading(document: PreparedDocument, reading: MachineReading) -> ExtractionResult:
    started = time.perf_counter()
    raw = merge.result_from_reading(reading, hint=document.document_type_hint)
    result = calibration.calibrate(merge.attribute(validation.validate(raw)))
    timings = dict(document.timings)
    timings["validate"] = (time.perf_counter() - started) * 1000
    timings["total"] = sum(ms for stage, ms in timings.items() if stage != "total")
    return result.replace(timings={k: round(v, 1) for k, v in timings.items()})


def _load_engine_modules() -> None:
    """Importing an engine module registers it; optional engines may be missing."""
    import importlib

    for module in ("extraction.engines.ocr", "extraction.engines.vlm", "extraction.engines.remote"):
        try:
            importlib.import_module(module)
        except ImportError:
            continue
