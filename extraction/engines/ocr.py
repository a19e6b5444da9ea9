"""The CPU OCR engine: RapidOCR (PP-OCRv4 on onnxruntime) + the layout parser.

Always available (``score()`` is the lowest, 10), so every deployment can extract
without a GPU. The RapidOCR pipeline is driven stage by stage (detect -> classify ->
recognise) rather than through its ``__call__`` because the stages tell us what the
whole call hides: the text direction of every box. Each ``OcrLine`` box is returned
in image pixels with its points in *reading order* (first point = where the text
starts), so 90/180/270-degree pages need no second pass: the direction classifier that
runs anyway gives the page orientation, and the parser rotates coordinates, not pixels.

One RapidOCR instance per process and thread count (~0.7 GB RSS, ~1 s to load).
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from typing import Any, ClassVar

import cv2
import numpy as np
from PIL import Image

from extraction import preprocess
from extraction.engines.base import (
    EngineContext,
    OcrLine,
    PreparedDocument,
    registry,
    source_digest,
)
from extraction.parsing.document import PARSER_VERSION, parse_lines, parse_text_layer
from extraction.parsing.result import Parsed
from extraction.schema import DocumentType, ExtractionResult, FieldSource

_ENGINES: dict[int, Any] = {}
_LOCK = threading.Lock()
# A line's text is kept only above this recognition score (RapidOCR's own default).
TEXT_SCORE = 0.5
# Page-level 180-degree decision: share of (width-weighted) confident votes.
_FLIP_SHARE = 0.5
_CLS_CONFIDENT = 0.9
_CLS_SAMPLE = 12
# The detector sees pages at most this long (0: as they are); below DET_MIN_SIDE on the
# short side it enlarges them itself, so pages are never shrunk under that. Measured on
# 110 synthetic pages of every type, clean and photo (seeds 21-25): 431/436 key fields
# at 1280 vs 430/436 as they are, ~15% less time per page (1.0 vs 1.2 s).
DET_MAX_SIDE = 1280
DET_MIN_SIDE = 736


_RECOGNISERS: dict[int, ThreadPoolExecutor] = {}


def recognise(threads: int, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
    """Text and score of each crop, in order, read by ``threads`` single-threaded
    recognisers side by side.

    The recogniser runs one small crop at a time (48 px high); onnxruntime's intra-op
    threads share so little work per crop that, measured on this project's 2 cores (70
    crops of a VAT invoice), two crops read in parallel by 1-thread sessions took 1.2-1.5 s
    wall / 2.3-2.7 s CPU against 1.5-2.0 s / 2.7-3.6 s for one 2-thread session; padding
    crops into batches was slower still. Crops are dealt out by width so shards even out.
    """
    if threads <= 1 or len(crops) < 2 * threads:
        recognised, _ = rapidocr(1 if threads <= 1 else threads).text_rec(list(crops), False)
        return [(str(text), float(score)) for text, score in recognised]
    engine = rapidocr(1)
    with _LOCK:
        pool = _RECOGNISERS.get(threads)
        if pool is None:
            pool = _RECOGNISERS[threads] = ThreadPoolExecutor(threads, "ocr-rec")
    order = sorted(range(len(crops)), key=lambda i: crops[i].shape[1] / max(crops[i].shape[0], 1))
    shards = [order[k::threads] for k in range(threads)]
    futures = [pool.submit(engine.text_rec, [crops[i] for i in shard], False) for shard in shards]
    out: list[tuple[str, float]] = [("", 0.0)] * len(crops)
    for shard, future in zip(shards, futures, strict=True):
        recognised, _ = future.result()
        for index, (text, score) in zip(shard, recognised, strict=True):
            out[index] = (str(text), float(score))
    return out


def rapidocr(threads: int) -> Any:
    """The process-wide RapidOCR instance for ``threads`` (created on first use)."""
    with _LOCK:
        engine = _ENGINES.get(threads)
        if engine is None:
            engine = _build(threads)
            _ENGINES[threads] = engine
        return engine


def _build(threads: int) -> Any:
    """RapidOCR with two onnxruntime session options it does not expose.

    Measured on this project's 2 shared cores (det + rec of 3 pages, other jobs running):
    onnxruntime's worker threads spin while waiting, which on a busy machine burns the
    CPU the other thread needs -- 21 s CPU / 32 s wall with spinning, 11 s / 17 s
    without; the memory arena (RapidOCR turns it off) saves another ~8% on the many
    differently sized recogniser calls (so it stays on there, and off for the detector).
    Version 1.4.4 builds its sessions in
    ``OrtInferSession._init_sess_opts``; it is wrapped only while the engine is built.
    """
    from rapidocr_onnxruntime import RapidOCR
    from rapidocr_onnxruntime.utils import infer_engine

    original = infer_engine.OrtInferSession._init_sess_opts

    def tuned(config: dict[str, Any]) -> Any:
        options = original(config)
        # The detector's tensors follow the page size, and an arena keeps its largest
        # allocation for the life of the process (a worker stayed at 10.9 GB after one
        # huge page): its memory is released after every run. The recogniser and the
        # classifier see 48 px crops, where the arena is small and the speed-up is.
        options.enable_cpu_mem_arena = "_det_" not in str(config.get("model_path", ""))
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return options

    infer_engine.OrtInferSession._init_sess_opts = staticmethod(tuned)
    try:
        return RapidOCR(
            intra_op_num_threads=threads,
            inter_op_num_threads=1,
            rec_batch_num=1,  # batching pads crops to the widest: slower on CPU
        )
    finally:
        infer_engine.OrtInferSession._init_sess_opts = staticmethod(original)


@functools.lru_cache(maxsize=1)
def rapidocr_version() -> str:
    # Cached: reading package metadata costs ~0.2 ms, and every cache hit asks for it.
    try:
        return metadata.version("rapidocr-onnxruntime")
    except metadata.PackageNotFoundError:  # pragma: no cover - the wheel is a dependency
        return "unknown"


@dataclass(frozen=True)
class OcrPage:
    """OCR of one page: lines in the pixels of ``image``, and the page's rotation."""

    lines: list[OcrLine]
    # Clockwise degrees (0/90/180/270) at which the text runs; ``preprocess.upright``
    # undoes it when an engine needs upright pixels.
    rotation: int


def _order_for_reading(points: np.ndarray, turned: bool, flipped: bool) -> list[list[float]]:
    """Box corners starting at the text's top-left, as the recogniser read the crop."""
    order = [0, 1, 2, 3]
    if turned:  # RapidOCR turned a tall crop counter-clockwise before reading it
        order = [1, 2, 3, 0]
    if flipped:
        order = order[2:] + order[:2]
    return [[float(points[i][0]), float(points[i][1])] for i in order]


class OcrEngine:
    name: ClassVar[str] = "ocr"

    def __init__(self, ctx: EngineContext) -> None:
        self.ctx = ctx
        self._threads = max(1, int(ctx.ocr_threads))

    @classmethod
    def score(cls, ctx: EngineContext) -> int | None:
        return 10

    @property
    def version(self) -> str:
        return f"rapidocr-onnxruntime {rapidocr_version()} PP-OCRv4; parser {PARSER_VERSION}"

    @classmethod
    def static_version(cls, ctx: EngineContext) -> str:
        return f"rapidocr-{rapidocr_version()}:code-{source_digest()}"

    # -- OCR ------------------------------------------------------------------------

    def ocr_lines(self, image: Image.Image) -> list[OcrLine]:
        """Text boxes of ``image`` in its own pixel coordinates (points in reading order)."""
        return self.ocr_page(image).lines

    def ocr_page(self, image: Image.Image) -> OcrPage:
        engine = rapidocr(self._threads)
        rgb = image.convert("RGB") if image.mode != "RGB" else image
        scaled, scale = preprocess.prepare_for_ocr(rgb)
        # Seal ink over printed values is the main reason OCR misses them (measured in
        # preprocess); boxes keep the page's coordinates, only red pixels change.
        scaled = preprocess.suppress_seals(scaled)
        bgr = np.ascontiguousarray(np.asarray(scaled)[:, :, ::-1])
        boxes = self._detect(engine, bgr)
        if boxes is None or len(boxes) == 0:
            return OcrPage([], 0)
        crops = engine.get_crop_img_list(bgr, boxes)
        turned = [h / max(w, 1.0) >= 1.5 for h, w in _crop_shapes(boxes)]
        flip = self._page_is_flipped(engine, crops)
        if flip:
            crops = [np.ascontiguousarray(np.rot90(c, 2)) for c in crops]
        recognised = recognise(self._threads, crops)
        lines: list[OcrLine] = []
        for points, was_turned, (text, score) in zip(boxes, turned, recognised, strict=True):
            if float(score) < TEXT_SCORE or not str(text).strip():
                continue
            original = np.asarray(points, dtype=np.float64) / scale
            ordered = _order_for_reading(original, was_turned, flip)
            lines.append(
                OcrLine(
                    box=tuple((p[0], p[1]) for p in ordered), text=str(text), score=float(score)
                )
            )
        return OcrPage(lines, preprocess.rotation_from_lines(lines))

    @staticmethod
    def _detect(engine: Any, bgr: np.ndarray) -> np.ndarray | None:
        """Text boxes in ``bgr``'s coordinates, found on a copy at most ``DET_MAX_SIDE``
        long (the recogniser still reads its crops from ``bgr`` itself)."""
        height, width = bgr.shape[:2]
        factor = DET_MAX_SIDE / max(height, width) if DET_MAX_SIDE else 1.0
        if factor < 1.0 and min(height, width) * factor >= DET_MIN_SIDE:
            small = cv2.resize(
                bgr,
                (round(width * factor), round(height * factor)),
                interpolation=cv2.INTER_AREA,
            )
            boxes, _ = engine.text_det(small)
            if boxes is not None and len(boxes):
                boxes = np.asarray(boxes, dtype=np.float32) / factor
        else:
            boxes, _ = engine.text_det(bgr)
        if boxes is None or len(boxes) == 0:
            return None
        return np.asarray(engine.sorted_boxes(boxes), dtype=np.float32)

    @staticmethod
    def _page_is_flipped(engine: Any, crops: Sequence[np.ndarray]) -> bool:
        """One decision per page, from its longest lines.

        The per-line classifier errs on short boxes, and classifying every crop costs
        ~0.3 s CPU per page; the widest lines decide the page as well.
        """
        widest = sorted(crops, key=lambda c: c.shape[1] / max(c.shape[0], 1), reverse=True)
        sample = widest[:_CLS_SAMPLE]
        _, results, _ = engine.text_cls(list(sample))
        up = down = 0.0
        for crop, (label, score) in zip(sample, results, strict=True):
            if float(score) < _CLS_CONFIDENT:
                continue
            weight = max(crop.shape[1] / max(crop.shape[0], 1), 1.0)
            if "180" in str(label):
                down += weight
            else:
                up += weight
        return down > _FLIP_SHARE * (up + down) and down > 0

    # -- extraction -----------------------------------------------------------------

    def extract(self, document: PreparedDocument) -> ExtractionResult:
        timings: dict[str, float] = dict(document.timings)
        started = time.perf_counter()
        if document.text_layer and any(page.strip() for page in document.text_layer):
            parsed = parse_text_layer(document.text_layer, hint=_hint(document))
            timings["parse"] = (time.perf_counter() - started) * 1000
            if _found_anything(parsed) or not document.pages:
                text = "\n\f".join(document.text_layer)
                return self._result(parsed, timings, raw=text, source=FieldSource.PDF_TEXT)
            # Text that yields no field at all is not the document's text (a broken font
            # map, or only a header in text and the rest drawn as curves): read the page.
            started = time.perf_counter()
        if not document.pages:
            parsed = Parsed(DocumentType.OTHER)
            return self._result(parsed, timings, raw="")
        if document.ocr_lines is not None:
            lines = list(document.ocr_lines)  # e.g. from the PII masking pass
        else:
            lines = self.ocr_page(document.pages[0]).lines
            document.ocr_lines = lines
        timings["ocr"] = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        parsed = parse_lines(lines, hint=_hint(document))
        timings["parse"] = (time.perf_counter() - started) * 1000
        raw = "\n".join(line.text for line in lines)
        return self._result(parsed, timings, raw=raw)

    def extract_batch(self, documents: Sequence[PreparedDocument]) -> list[ExtractionResult]:
        return [self.extract(document) for document in documents]

    def _result(
        self,
        parsed: Parsed,
        timings: dict[str, float],
        raw: str,
        source: FieldSource = FieldSource.OCR,
    ) -> ExtractionResult:
        return ExtractionResult(
            document_type=parsed.document_type,
            fields=parsed.fields,
            confidence=dict(parsed.scores),
            engine=self.name,
            engine_version=self.version,
            model_version=f"PP-OCRv4 (rapidocr-onnxruntime {rapidocr_version()})",
            prompt_version="",
            timings=timings,
            raw_output=raw,
            sources=dict.fromkeys(parsed.fields.present(), source),
        )


def _crop_shapes(boxes: np.ndarray) -> list[tuple[float, float]]:
    """(height, width) of the crop RapidOCR cuts for each box (the formula it uses)."""
    out = []
    for points in boxes:
        width = max(np.linalg.norm(points[0] - points[1]), np.linalg.norm(points[2] - points[3]))
        height = max(np.linalg.norm(points[0] - points[3]), np.linalg.norm(points[1] - points[2]))
        out.append((float(int(height)), float(int(width))))
    return out


def _found_anything(parsed: Parsed) -> bool:
    # A name alone proves nothing: any first line of text reads like a merchant.
    return any(parsed.has(name) for name in ("total_amount", "invoice_number", "issue_date"))


def _hint(document: PreparedDocument) -> DocumentType | None:
    if not document.document_type_hint:
        return None
    try:
        return DocumentType(document.document_type_hint)
    except ValueError:
        return None


registry.register(OcrEngine)
