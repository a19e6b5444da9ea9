"""The CPU OCR engine: RapidOCR (PP-OCR on onnxruntime) + the layout parser.

Always available (``score()`` is the lowest, 10), so every deployment can extract
without a GPU. The RapidOCR pipeline is driven stage by stage (detect -> classify ->
recognise) rather than through its ``__call__`` because the stages tell us what the
whole call hides: the text direction of every box. Each ``OcrLine`` box is returned
in image pixels with its points in *reading order* (first point = where the text
starts), so 90/180/270-degree pages need no second pass: the direction classifier that
runs anyway gives the page orientation, and the parser rotates coordinates, not pixels.

Two model generations (``EngineContext.ocr_model``, setting ``OCR_MODEL``), both read
from model files inside their wheels, never downloaded: ``v6`` = PP-OCRv6 small det/rec
of ``rapidocr`` 3.x, ``v4`` = PP-OCRv4 of ``rapidocr-onnxruntime`` 1.4.4. Both use the
same direction classifier (ch_ppocr_mobile_v2.0).

One RapidOCR instance per process, model and thread count (~0.7 GB RSS, ~1 s to load).
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

import cv2
import numpy as np
from PIL import Image

from extraction import cross_reading, glyphs, preprocess, second_reading
from extraction.engines.base import (
    EngineContext,
    OcrLine,
    PreparedDocument,
    registry,
    source_digest,
)
from extraction.parsing.document import PARSER_VERSION, parse_lines, parse_text_layer
from extraction.parsing.result import Parsed
from extraction.schema import (
    DocumentType,
    ExtractionResult,
    FieldRegion,
    FieldSource,
    region_of,
)

OCR_MODELS = ("v6", "v4")
DEFAULT_OCR_MODEL = "v6"
# The model that reads a receipt's key fields a second time (``extraction.cross_reading``).
OTHER_MODEL = {"v6": "v4", "v4": "v6"}
_ENGINES: dict[tuple[str, int], Backend] = {}
_LOCK = threading.Lock()
# A line's text is kept only above this recognition score (RapidOCR's own default).
TEXT_SCORE = 0.5
# Page-level 180-degree decision: share of (width-weighted) confident votes.
_FLIP_SHARE = 0.5
_CLS_CONFIDENT = 0.9
_CLS_SAMPLE = 12


class DetSides(NamedTuple):
    """The page size one model's detector sees: a page longer than ``longest`` is shrunk,
    but never under ``shortest`` on its short side (under it the detector enlarges a page
    itself, to its ``limit_side_len``, which is ``shortest``). A page that ``longest``
    would take under ``shortest`` is left as it is, or with ``partway`` shrunk to
    ``shortest``: long receipts are the pages that ``longest`` cannot shrink."""

    longest: int
    shortest: int
    partway: bool = False


# On 110 synthetic pages of every type, clean and photo (seeds 21-25): 431/436 key fields
# at 1280 vs 430/436 on pages as they are, ~15% less time per page (PP-OCRv4). PP-OCRv6's
# detector costs more than v4's on the same pixels; it also finds the key fields on long
# receipts shrunk partway. Under 1280 it lost a VAT invoice's tax ID (at 1204x736), and
# under 736 a small ticket's seller; PP-OCRv4 stays the baseline, as it was.
DET_SIDES = {"v4": DetSides(1280, 736), "v6": DetSides(1280, 736, partway=True)}
# PP-OCRv6's recogniser reads each crop scaled to 48 px high, and RapidOCR pads a shorter
# one up to the width of its rec_img_shape (320 by default): most crops of a receipt or
# invoice (a price, a date) are far shorter, so most of the model's work was padding.
# Narrower inputs change some readings (the model was trained on 320-wide ones): 240 kept
# every key field of the dev sets for ~14% less recognition CPU; 128 (even with grey kept
# after the text) saved ~20% but lost a receipt's date (measured in the commit that set
# it). RapidOCR's own config parameter; PP-OCRv4 keeps its 320.
REC_MIN_WIDTH = 240


_RECOGNISERS: dict[tuple[str, int], ThreadPoolExecutor] = {}

# What the recogniser says of one crop: text, score, and each character's probability
# (``None`` where the model does not give them: PP-OCRv4).
Reading = tuple[str, float, tuple[float, ...] | None]


def recognise(
    threads: int, crops: Sequence[np.ndarray], model: str = DEFAULT_OCR_MODEL
) -> list[Reading]:
    """Text, score and character probabilities of each crop, in order, read by
    ``threads`` single-threaded recognisers side by side.

    The recogniser runs one small crop at a time (48 px high); onnxruntime's intra-op
    threads share so little work per crop that, measured on this project's 2 cores (70
    crops of a VAT invoice), two crops read in parallel by 1-thread sessions took 1.2-1.5 s
    wall / 2.3-2.7 s CPU against 1.5-2.0 s / 2.7-3.6 s for one 2-thread session; padding
    crops into batches was slower still. Crops are dealt out by width so shards even out.
    """
    if threads <= 1 or len(crops) < 2 * threads:
        return rapidocr(1 if threads <= 1 else threads, model).rec(list(crops))
    backend = rapidocr(1, model)
    with _LOCK:
        pool = _RECOGNISERS.get((model, threads))
        if pool is None:
            pool = _RECOGNISERS[(model, threads)] = ThreadPoolExecutor(threads, "ocr-rec")
    order = sorted(range(len(crops)), key=lambda i: crops[i].shape[1] / max(crops[i].shape[0], 1))
    shards = [order[k::threads] for k in range(threads)]
    futures = [pool.submit(backend.rec, [crops[i] for i in shard]) for shard in shards]
    out: list[Reading] = [("", 0.0, None)] * len(crops)
    for shard, future in zip(shards, futures, strict=True):
        for index, reading in zip(shard, future.result(), strict=True):
            out[index] = reading
    return out


def rapidocr(threads: int, model: str = DEFAULT_OCR_MODEL) -> Backend:
    """The process-wide RapidOCR stages for ``model`` and ``threads`` (built on first use)."""
    if model not in OCR_MODELS:
        raise ValueError(f"unknown OCR model {model!r}: one of {', '.join(OCR_MODELS)}")
    with _LOCK:
        backend = _ENGINES.get((model, threads))
        if backend is None:
            backend = _build_v6(threads) if model == "v6" else _build_v4(threads)
            _ENGINES[(model, threads)] = backend
        return backend


@dataclass(frozen=True)
class Backend:
    """One RapidOCR generation's stages, in the shapes this engine uses.

    ``det``: text boxes (n x 4 x 2) of a BGR image or ``None``; ``sort``: boxes in
    reading order; ``crop``: each box cut out upright (tall crops turned counter-clockwise,
    as RapidOCR does); ``cls``: (label, score) per crop, label "0" or "180";
    ``rec``: a ``Reading`` per crop; ``sessions``: the onnxruntime session of each stage
    ("det", "cls", "rec"), for inspection; ``det_sides``: the model's ``DET_SIDES``.
    """

    det: Callable[[np.ndarray], np.ndarray | None]
    sort: Callable[[np.ndarray], np.ndarray]
    crop: Callable[[np.ndarray, np.ndarray], list[np.ndarray]]
    cls: Callable[[list[np.ndarray]], list[tuple[str, float]]]
    rec: Callable[[list[np.ndarray]], list[Reading]]
    sessions: dict[str, Any]
    det_sides: DetSides


def _tune(options: Any, *, arena: bool) -> Any:
    """The two onnxruntime session options RapidOCR does not expose.

    Measured on this project's 2 shared cores (det + rec of 3 pages, other jobs running):
    onnxruntime's worker threads spin while waiting, which on a busy machine burns the
    CPU the other thread needs -- 21 s CPU / 32 s wall with spinning, 11 s / 17 s
    without; the memory arena saves another ~8% on the many differently sized recogniser
    calls (so it stays on there). The detector's tensors follow the page size, and an
    arena keeps its largest allocation for the life of the process (a worker stayed at
    10.9 GB after one huge page): the detector runs without one, so its memory is
    released after every run.
    """
    options.enable_cpu_mem_arena = arena
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options


def _build_v4(threads: int) -> Backend:
    """rapidocr-onnxruntime 1.4.4 (PP-OCRv4): it builds its sessions in
    ``OrtInferSession._init_sess_opts``, wrapped only while the engine is built."""
    from rapidocr_onnxruntime import RapidOCR
    from rapidocr_onnxruntime.utils import infer_engine

    original = infer_engine.OrtInferSession._init_sess_opts

    def tuned(config: dict[str, Any]) -> Any:
        arena = "_det_" not in str(config.get("model_path", ""))
        return _tune(original(config), arena=arena)

    infer_engine.OrtInferSession._init_sess_opts = staticmethod(tuned)
    try:
        engine = RapidOCR(
            intra_op_num_threads=threads,
            inter_op_num_threads=1,
            rec_batch_num=1,  # batching pads crops to the widest: slower on CPU
        )
    finally:
        infer_engine.OrtInferSession._init_sess_opts = staticmethod(original)

    def det(bgr: np.ndarray) -> np.ndarray | None:
        boxes, _ = engine.text_det(bgr)
        return None if boxes is None or len(boxes) == 0 else np.asarray(boxes, np.float32)

    def cls(crops: list[np.ndarray]) -> list[tuple[str, float]]:
        _, results, _ = engine.text_cls(crops)
        return [(str(label), float(score)) for label, score in results]

    def rec(crops: list[np.ndarray]) -> list[Reading]:
        recognised, _ = engine.text_rec(crops, False)
        return [(str(text), float(score), None) for text, score in recognised]

    return Backend(
        det=det,
        sort=lambda boxes: np.asarray(engine.sorted_boxes(boxes), dtype=np.float32),
        crop=lambda bgr, boxes: list(engine.get_crop_img_list(bgr, boxes)),
        cls=cls,
        rec=rec,
        sessions={
            "det": engine.text_det.infer.session,
            "cls": engine.text_cls.infer.session,
            "rec": engine.text_rec.session.session,
        },
        det_sides=DET_SIDES["v4"],  # its detector's own limit_side_len is the 736
    )


def _v6_model_files() -> dict[str, Path]:
    """The model files inside the ``rapidocr`` wheel, named by path so that RapidOCR
    never takes its download branch (it downloads whenever it resolves a model itself
    and finds the file missing or changed)."""
    import rapidocr

    models = Path(rapidocr.__file__).resolve().parent / "models"
    files = {
        "Det": models / "PP-OCRv6_det_small.onnx",
        "Rec": models / "PP-OCRv6_rec_small.onnx",
        "Cls": models / "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
    }
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        raise RuntimeError(f"rapidocr wheel without its models: {', '.join(missing)}")
    return files


def _build_v6(threads: int) -> Backend:
    """rapidocr 3.x (PP-OCRv6 small det/rec, the v2.0 direction classifier), every model
    named by its file inside the wheel; the stages are loaded one by one so the detector
    gets its session without an arena."""
    from rapidocr import RapidOCR
    from rapidocr.ch_ppocr_rec.typings import TextRecInput
    from rapidocr.inference_engine.onnxruntime.main import OrtInferSession

    files = _v6_model_files()
    params: dict[str, Any] = {
        "Global.log_level": "warning",
        "EngineConfig.onnxruntime.intra_op_num_threads": threads,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        "Rec.rec_batch_num": 1,  # batching pads crops to the widest: slower on CPU
        "Rec.rec_img_shape": [3, 48, REC_MIN_WIDTH],
        "Det.limit_side_len": DET_SIDES["v6"].shortest,
    }
    for stage, path in files.items():
        params[f"{stage}.model_path"] = str(path)
    engine = RapidOCR(params=params)
    original = OrtInferSession._init_sess_opts
    arena = {"on": False}

    def tuned(config: Any) -> Any:
        return _tune(original(config), arena=arena["on"])

    setattr(OrtInferSession, "_init_sess_opts", staticmethod(tuned))  # noqa: B010
    try:
        detector = engine._load_det_model()
        arena["on"] = True
        classifier = engine._load_cls_model()
        recogniser = engine._load_rec_model()
    finally:
        setattr(OrtInferSession, "_init_sess_opts", staticmethod(original))  # noqa: B010

    def det(bgr: np.ndarray) -> np.ndarray | None:
        boxes = detector(bgr).boxes
        return None if boxes is None or len(boxes) == 0 else np.asarray(boxes, np.float32)

    def cls(crops: list[np.ndarray]) -> list[tuple[str, float]]:
        return [(str(label), float(score)) for label, score in classifier(crops).cls_res]

    def rec(crops: list[np.ndarray]) -> list[Reading]:
        if not crops:
            return []
        # return_word_box: the decoder then keeps each character's probability too
        out = recogniser(TextRecInput(img=crops, return_word_box=True))
        words = out.word_results
        return [
            (str(text), float(score), _char_scores(str(text), word))
            for text, score, word in zip(out.txts, out.scores, words, strict=True)
        ]

    return Backend(
        det=det,
        sort=lambda boxes: np.asarray(detector.sorted_boxes(boxes), dtype=np.float32),
        crop=lambda bgr, boxes: list(engine.crop_text_regions(bgr, boxes)),
        cls=cls,
        rec=rec,
        sessions={
            "det": detector.session.session,
            "cls": classifier.session.session,
            "rec": recogniser.session.session,
        },
        det_sides=DET_SIDES["v6"],
    )


_PACKAGES = {"v6": "rapidocr", "v4": "rapidocr-onnxruntime"}
_MODEL_NAMES = {"v6": "PP-OCRv6 small", "v4": "PP-OCRv4"}


@functools.lru_cache(maxsize=4)
def rapidocr_version(model: str = DEFAULT_OCR_MODEL) -> str:
    # Cached: reading package metadata costs ~0.2 ms, and every cache hit asks for it.
    try:
        return metadata.version(_PACKAGES[model])
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
        self._model = ctx.ocr_model

    @classmethod
    def score(cls, ctx: EngineContext) -> int | None:
        return 10

    @property
    def version(self) -> str:
        return f"{self._model_version()}; parser {PARSER_VERSION}"

    def _model_version(self) -> str:
        model = self._model
        return f"{_PACKAGES[model]} {rapidocr_version(model)} {_MODEL_NAMES[model]}"

    @classmethod
    def static_version(cls, ctx: EngineContext) -> str:
        model = ctx.ocr_model
        return f"{_PACKAGES[model]}-{rapidocr_version(model)}:code-{source_digest()}"

    # -- OCR ------------------------------------------------------------------------

    def ocr_lines(self, image: Image.Image) -> list[OcrLine]:
        """Text boxes of ``image`` in its own pixel coordinates (points in reading order)."""
        return self.ocr_page(image).lines

    def ocr_page(self, image: Image.Image) -> OcrPage:
        engine = rapidocr(self._threads, self._model)
        rgb = image.convert("RGB") if image.mode != "RGB" else image
        scaled, scale = preprocess.prepare_for_ocr(rgb)
        # Seal ink over printed values is the main reason OCR misses them (measured in
        # preprocess); boxes keep the page's coordinates, only red pixels change.
        scaled = preprocess.suppress_seals(scaled)
        bgr = np.ascontiguousarray(np.asarray(scaled)[:, :, ::-1])
        boxes = self._detect(engine, bgr)
        if boxes is None or len(boxes) == 0:
            return OcrPage([], 0)
        crops = engine.crop(bgr, boxes)
        turned = [h / max(w, 1.0) >= 1.5 for h, w in _crop_shapes(boxes)]
        flip = self._page_is_flipped(engine, crops)
        if flip:
            crops = [np.ascontiguousarray(np.rot90(c, 2)) for c in crops]
        recognised = recognise(self._threads, crops, self._model)
        lines: list[OcrLine] = []
        for points, was_turned, (text, score, chars) in zip(boxes, turned, recognised, strict=True):
            if float(score) < TEXT_SCORE or not str(text).strip():
                continue
            original = np.asarray(points, dtype=np.float64) / scale
            ordered = _order_for_reading(original, was_turned, flip)
            lines.append(
                OcrLine(
                    box=tuple((p[0], p[1]) for p in ordered),
                    text=str(text),
                    score=float(score),
                    char_scores=chars,
                )
            )
        return OcrPage(lines, preprocess.rotation_from_lines(lines))

    @staticmethod
    def _detect(engine: Backend, bgr: np.ndarray) -> np.ndarray | None:
        """Text boxes in ``bgr``'s coordinates, found on a copy at most as long as the
        model's ``DET_SIDES`` allow (the recogniser still reads its crops from ``bgr``)."""
        height, width = bgr.shape[:2]
        sides = engine.det_sides
        shortest = min(height, width)
        factor = sides.longest / max(height, width)
        if shortest * factor < sides.shortest:
            factor = sides.shortest / shortest if sides.partway else 1.0
        if factor < 1.0:
            small = cv2.resize(
                bgr,
                (round(width * factor), round(height * factor)),
                interpolation=cv2.INTER_AREA,
            )
            boxes = engine.det(small)
            if boxes is not None:
                boxes = boxes / factor
        else:
            boxes = engine.det(bgr)
        if boxes is None:
            return None
        return engine.sort(boxes)

    @staticmethod
    def _page_is_flipped(engine: Backend, crops: Sequence[np.ndarray]) -> bool:
        """One decision per page, from its longest lines.

        The per-line classifier errs on short boxes, and classifying every crop costs
        ~0.3 s CPU per page; the widest lines decide the page as well.
        """
        widest = sorted(crops, key=lambda c: c.shape[1] / max(c.shape[0], 1), reverse=True)
        sample = widest[:_CLS_SAMPLE]
        results = engine.cls(list(sample))
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
        hint = _hint(document)
        parsed = parse_lines(lines, hint=hint)
        timings["parse"] = (time.perf_counter() - started) * 1000
        # A key field lost under a seal: read the seals' regions again without red ink.
        started = time.perf_counter()
        again = second_reading.under_seals(
            document.pages[0],
            lines,
            parsed,
            read=self.ocr_lines,
            parse=lambda found: parse_lines(found, hint=hint),
        )
        if again is not None:
            lines, parsed = again
            document.ocr_lines = lines
        # A receipt's key fields, checked by nothing else on it: the other model reads them.
        other = OTHER_MODEL[self._model]
        cross_reading.confirm(
            parsed,
            lines,
            document.pages[0],
            crop=rapidocr(self._threads, self._model).crop,
            read=lambda crops: recognise(self._threads, crops, other),
        )
        timings["ocr"] += (time.perf_counter() - started) * 1000
        raw = "\n".join(line.text for line in lines)
        result = self._result(parsed, timings, raw=raw)
        return result.replace(
            regions=_regions(parsed, lines, document.pages[0].size),
            glyphs=glyphs.weakest(parsed, lines),
        )

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
            model_version=self._model_version(),
            prompt_version="",
            timings=timings,
            raw_output=raw,
            sources=dict.fromkeys(parsed.fields.present(), source),
            evidence=parsed.evidence(),  # the parser's own cross-checks, for validation
            warnings=list(parsed.warnings),  # what only the layout shows (validation keeps)
        )


def _regions(
    parsed: Parsed, lines: Sequence[OcrLine], size: tuple[int, int]
) -> dict[str, FieldRegion]:
    """Each located field's region on the first page (whose pixels ``lines`` are in)."""
    out: dict[str, FieldRegion] = {}
    for name, indices in parsed.boxes.items():
        if not parsed.has(name):
            continue
        points = [p for i in indices if 0 <= i < len(lines) for p in lines[i].box]
        region = region_of(points, size=size, page=0)
        if region is not None:
            out[name] = region
    return out


def _char_scores(text: str, word: Any) -> tuple[float, ...] | None:
    """Each character's probability from RapidOCR's word result of one crop, or ``None``
    when they do not pair one to one with the characters of ``text``."""
    confs = getattr(word, "confs", None)
    if not text or confs is None or len(confs) != len(text):
        return None
    return tuple(float(c) for c in confs)


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
