"""The fixture engine: the OCR engine with the generator's truth for the generator's pages.

Django tests that are about the document's life (upload, scan, masking, storage, cache,
duplicates, review, API), not about reading, spend most of their time in RapidOCR: one
pass per page for the PII mask, reused by the extraction. ``FixtureEngine`` stands in for
the OCR engine under its registry name for those tests (``installed``): a clean page that
``synth`` drew in this process is answered from its truth (``synth.drawn``) as a perfect
reader would answer, and everything after the engine runs for real: parsing the answer
(as a model's), validation, calibration, result masking, storage, cache, duplicates. Any
other page (a photo, a PDF, an image a test drew itself) is read by the real OCR engine,
so no test silently loses its reading.

Tests whose assertions depend on real OCR output are marked ``ocr`` and never see it. It
lives under tests/ and registers only when a test installs it: no product settings or
module can select it (tests/reimbursements/test_fixture_engine.py checks production's).
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from typing import ClassVar

from PIL import Image

from extraction.engines.base import EngineContext, PreparedDocument, registry
from extraction.engines.ocr import OcrEngine, OcrPage
from extraction.parsing.model_answer import parse_answer
from extraction.schema import DocumentType, ExtractionResult, FieldSource
from synth.drawn import truth_of

# What a clean, perfectly read field is scored by the OCR parser at best.
CONFIDENCE = 0.99
TRUTH_VERSION = "fixture: synth truth"


class FixtureEngine(OcrEngine):
    name: ClassVar[str] = "ocr"

    @classmethod
    def static_version(cls, ctx: EngineContext) -> str:
        # Never the real engine's cache key: a real reading must not answer from a fixture's.
        return f"fixture+{super().static_version(ctx)}"

    def ocr_page(self, image: Image.Image) -> OcrPage:
        # A drawn page has no boxes to give: the PII mask finds nothing on it.
        if truth_of(image) is not None:
            return OcrPage([], 0)
        return super().ocr_page(image)

    def extract(self, document: PreparedDocument) -> ExtractionResult:
        truth = None
        if document.pages and not document.text_layer:
            truth = truth_of(document.pages[0])
        if truth is None:
            return super().extract(document)
        started = time.perf_counter()
        # The answer a perfect reader would give, parsed as a model's answer is.
        answer = json.dumps(
            {"document_type": truth["document_type"], **truth["fields"]}, ensure_ascii=False
        )
        parsed = parse_answer(answer)
        present = parsed.fields.present()
        return ExtractionResult(
            document_type=parsed.document_type or DocumentType.OTHER,
            fields=parsed.fields,
            confidence=dict.fromkeys(present, CONFIDENCE),
            engine=self.name,
            engine_version=TRUTH_VERSION,
            model_version=TRUTH_VERSION,
            timings={**document.timings, "ocr": (time.perf_counter() - started) * 1000},
            raw_output=answer,
            sources=dict.fromkeys(present, FieldSource.OCR),
        )


def _forget_ocr_instances() -> None:
    # The registry keeps one instance per (name, context): drop the other class's.
    for key in [key for key in registry._instances if key[0] == OcrEngine.name]:
        del registry._instances[key]


@contextlib.contextmanager
def installed() -> Iterator[None]:
    """The fixture engine answers for "ocr" inside the block, the real one after it."""
    registry.register(FixtureEngine)
    _forget_ocr_instances()
    try:
        yield
    finally:
        registry.register(OcrEngine)
        _forget_ocr_instances()
