"""From a model's answer to a validated, reconciled ``ExtractionResult``.

Shared by the ``vlm`` and ``remote`` engines so that both treat answers identically:
the same prompt choice, the same parser, the same validation and the same OCR
reconciliation rule (``extraction.reconcile``).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence

from PIL import Image

from extraction import validation
from extraction.engines.base import (
    EngineContext,
    EngineUnavailable,
    PreparedDocument,
    registry,
)
from extraction.machine import merge
from extraction.parsing.model_answer import ParsedAnswer, parse_answer
from extraction.prompts import FewShotExample, Prompt, get_prompt
from extraction.reconcile import needs_ocr, reconcile
from extraction.schema import DocumentType, ExtractionResult, ValidationWarning

logger = logging.getLogger(__name__)

# Raw confidence of a field the model answered, before validation's cross-checks: below
# a checksum-confirmed value, above a field from an answer that needed repair.
CLEAN_ANSWER_CONFIDENCE = 0.8
REPAIRED_ANSWER_CONFIDENCE = 0.6
TRUNCATED_ANSWER_CONFIDENCE = 0.4

MODEL_ANSWER_UNPARSABLE = "model_answer_unparsable"
MODEL_ANSWER_TRUNCATED = "model_answer_truncated"
MODEL_VALUE_UNPARSABLE = "model_value_unparsable"

MAX_SIDE = 1024  # longest image side sent to a model (the source article's rule)

OcrEvidence = Callable[[PreparedDocument], ExtractionResult | None]


def prompt_for(document: PreparedDocument, few_shot: Sequence[FewShotExample] = ()) -> Prompt:
    """The fields prompt; values known from the QR code are named in it."""
    known = merge.known_values(document.machine)
    document_type = document.document_type_hint or merge.machine_type(document.machine)
    return get_prompt(
        document_type,
        "fields",
        few_shot=few_shot,
        known={name: _contract_value(value) for name, (value, _) in known.items()},
    )


def _contract_value(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def first_page(document: PreparedDocument) -> Image.Image:
    if not document.pages:
        raise ValueError(f"{document.source}: no page image to send to the model")
    return document.pages[0]


def fit_image(image: Image.Image, max_side: int = MAX_SIDE) -> Image.Image:
    """RGB, longest side at most ``max_side`` (aspect ratio kept)."""
    rgb = image.convert("RGB")
    if max(rgb.size) <= max_side:
        return rgb
    scale = max_side / max(rgb.size)
    size = (max(1, round(rgb.width * scale)), max(1, round(rgb.height * scale)))
    return rgb.resize(size, Image.Resampling.LANCZOS)


def result_from_answer(
    answer: str,
    *,
    document: PreparedDocument,
    prompt: Prompt,
    engine: str,
    engine_version: str,
    model_version: str,
    inference_ms: float,
) -> ExtractionResult:
    """The unvalidated result of one answer (raw confidences, answer warnings)."""
    started = time.perf_counter()
    parsed = parse_answer(answer)
    # A caller's hint (a reviewer's choice) outranks the model's own classification.
    document_type = _hinted_type(document) or parsed.document_type or DocumentType.OTHER
    timings = dict(document.timings)
    timings[engine] = inference_ms
    timings["parse"] = (time.perf_counter() - started) * 1000
    return ExtractionResult(
        document_type=document_type,
        fields=parsed.fields,
        confidence={name: _raw_confidence(parsed) for name in parsed.fields.present()},
        warnings=_answer_warnings(parsed),
        engine=engine,
        engine_version=engine_version,
        model_version=model_version,
        prompt_version=prompt.version,
        timings=timings,
        raw_output=answer,
    )


def finish(
    raw: ExtractionResult,
    document: PreparedDocument,
    *,
    ocr_evidence: OcrEvidence | None,
) -> ExtractionResult:
    """Put the machine-readable values in, validate, reconcile with OCR when a cross-check
    failed, attribute every field to its source, and stamp the timings."""
    started = time.perf_counter()
    raw = merge.overlay(raw, document.machine, hinted_type=bool(document.document_type_hint))
    checked = validation.validate(raw)
    timings = dict(checked.timings)
    timings["validate"] = (time.perf_counter() - started) * 1000
    result = checked
    if ocr_evidence is not None and needs_ocr(checked):
        started = time.perf_counter()
        ocr = ocr_evidence(document)
        if ocr is not None:
            result = reconcile(raw, checked, ocr)
        timings["reconcile"] = (time.perf_counter() - started) * 1000
    timings["total"] = sum(value for key, value in timings.items() if key != "total")
    return merge.attribute(result.replace(timings=timings))


def ocr_evidence_from_registry(ctx: EngineContext) -> OcrEvidence | None:
    """OCR evidence through the registered ``ocr`` engine, or ``None`` when not wanted."""
    if not ctx.reconcile_with_ocr:
        return None

    def evidence(document: PreparedDocument) -> ExtractionResult | None:
        try:
            import extraction.engines.ocr  # noqa: F401  (registers the engine)
        except ImportError:
            return None
        try:
            engine = registry.get(ctx, "ocr")
            return engine.extract(document)
        except EngineUnavailable:
            return None
        except Exception:  # evidence is optional: never fail the model's result over it
            logger.exception("OCR evidence failed for %s", document.source)
            return None

    return evidence


def _hinted_type(document: PreparedDocument) -> DocumentType | None:
    if not document.document_type_hint:
        return None
    try:
        return DocumentType(document.document_type_hint)
    except ValueError:
        return None


def _raw_confidence(parsed: ParsedAnswer) -> float:
    if any(p.startswith("answer_truncated") for p in parsed.problems):
        return TRUNCATED_ANSWER_CONFIDENCE
    if any(p in ("answer_json_repaired", "answer_prose_around_json") for p in parsed.problems):
        return REPAIRED_ANSWER_CONFIDENCE
    return CLEAN_ANSWER_CONFIDENCE


def _answer_warnings(parsed: ParsedAnswer) -> list[ValidationWarning]:
    warnings: list[ValidationWarning] = []
    problems = parsed.problems
    if "answer_no_json" in problems:
        warnings.append(
            ValidationWarning(
                MODEL_ANSWER_UNPARSABLE, "the model's answer holds no JSON object", None
            )
        )
    if any(p.startswith("answer_truncated") for p in problems):
        warnings.append(
            ValidationWarning(
                MODEL_ANSWER_TRUNCATED,
                "the model's answer was cut off; only its complete part was read",
                None,
            )
        )
    for problem in problems:
        if problem.startswith("bad_value:"):
            name = problem.split(":", 1)[1]
            warnings.append(
                ValidationWarning(
                    MODEL_VALUE_UNPARSABLE,
                    f"the model's value for {name} could not be read",
                    name,
                )
            )
    return warnings
