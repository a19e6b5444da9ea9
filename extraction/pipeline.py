"""In-process extraction: bytes -> ``PreparedDocument`` -> validated ``ExtractionResult``.

This is what the Celery tasks and the ``extract`` CLI call. Engines are taken from the
registry (one instance, one model load per process); every result goes through
``validation.validate`` here, so no engine's answer reaches a caller unchecked.
"""

from __future__ import annotations

import io
import time
import warnings

from PIL import Image, UnidentifiedImageError

from extraction import preprocess, validation
from extraction.engines.base import EngineContext, PreparedDocument, registry
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
# A photo bigger than this many pixels is refused rather than decoded (decompression bombs).
MAX_IMAGE_PIXELS = 60_000_000


def sniff(data: bytes) -> str | None:
    """'PDF', an image format name, or ``None`` for anything else."""
    if is_pdf(data):
        return "PDF"
    for magic, name in _IMAGE_MAGIC:
        if data.startswith(magic):
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def load_document(data: bytes, *, name: str, max_pdf_pages: int = 20) -> PreparedDocument:
    """Decode an upload. Raises ``ValueError`` with a clear message when it cannot."""
    started = time.perf_counter()
    kind = sniff(data)
    if kind is None:
        raise ValueError("not a supported document: expected a JPEG/PNG/WEBP/TIFF image or a PDF")
    if kind == "PDF":
        pdf = load_pdf(data, max_pages=max_pdf_pages)
        document = PreparedDocument(source=name, pages=pdf.images, text_layer=pdf.text_layer)
    else:
        document = PreparedDocument(source=name, pages=[_load_image(data)])
    document.timings["prepare"] = (time.perf_counter() - started) * 1000
    return document


def _load_image(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise ValueError(
                    f"image too large ({image.width}x{image.height} px; "
                    f"at most {MAX_IMAGE_PIXELS:,} pixels)"
                )
            image.load()
    except (
        UnidentifiedImageError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
    ) as exc:
        raise ValueError(f"the image cannot be decoded: {exc}") from exc
    except OSError as exc:  # truncated or corrupt data
        raise ValueError(f"the image is damaged or truncated: {exc}") from exc
    return preprocess.prepare_page(image)


def extract(
    document: PreparedDocument, *, ctx: EngineContext, engine: str = "auto"
) -> ExtractionResult:
    """Run the chosen engine, validate its answer and fill the stage timings (ms)."""
    _load_engine_modules()
    chosen = registry.get(ctx, engine)
    started = time.perf_counter()
    raw = chosen.extract(document)
    engine_ms = (time.perf_counter() - started) * 1000
    validate_started = time.perf_counter()
    # Engines that validate (and reconcile) their own answers report a "validate"
    # timing; validating again would count the cross-checks twice in the confidence.
    already = "validate" in raw.timings
    result = raw if already else validation.validate(raw, ocr_confidence=raw.confidence)
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


def _load_engine_modules() -> None:
    """Importing an engine module registers it; optional engines may be missing."""
    import importlib

    for module in ("extraction.engines.ocr", "extraction.engines.vlm", "extraction.engines.remote"):
        try:
            importlib.import_module(module)
        except ImportError:
            continue
