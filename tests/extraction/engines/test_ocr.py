"""The OCR engine with the real RapidOCR models (two OCR runs, ~1-3 s each on 2 cores)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from PIL import Image

from extraction import pipeline, preprocess
from extraction.engines.base import EngineContext, PreparedDocument, registry
from extraction.engines.ocr import OcrEngine
from synth import generate_document

CTX = EngineContext(ocr_threads=2)


@pytest.fixture(scope="module")
def invoice() -> tuple[Image.Image, dict[str, object]]:
    document = generate_document("vat_electronic", seed=3, photo=False)
    return Image.open(io.BytesIO(document.image_bytes)).convert("RGB"), document.truth["fields"]


def test_ocr_is_registered_as_the_fallback_engine() -> None:
    # given any configuration / when scored / then OCR can always run, with the lowest score
    assert registry.choose(CTX, "ocr") == "ocr"
    assert OcrEngine.score(CTX) == 10
    assert OcrEngine.score(EngineContext(vlm_model_path=None)) == 10


def test_engine_reads_a_generated_invoice(invoice: tuple[Image.Image, dict[str, object]]) -> None:
    # given a clean generated 增值税电子普通发票
    image, truth = invoice
    document = PreparedDocument(source="synthetic", pages=[image])
    # when extracted through the pipeline (engine + validation)
    result = pipeline.extract(document, ctx=CTX, engine="ocr")
    fields = result.to_contract()["fields"]
    # then the key fields match the generator's truth, and the OCR boxes were kept
    for name in ("invoice_code", "invoice_number", "issue_date", "seller_tax_id", "total_amount"):
        assert fields[name] == truth[name], name
    assert result.fields.total_amount == Decimal(str(truth["total_amount"]))
    assert document.ocr_lines
    assert result.timings["ocr"] > 0
    assert "rapidocr" in result.engine_version


def test_upside_down_photo_is_read_and_boxes_stay_in_image_pixels(
    invoice: tuple[Image.Image, dict[str, object]],
) -> None:
    # given the same invoice rotated by 180 degrees
    image, truth = invoice
    rotated = image.rotate(180)
    engine = OcrEngine(CTX)
    # when OCR runs
    page = engine.ocr_page(rotated)
    # then the page rotation is detected, boxes lie within the rotated image, and the
    # parsed fields are those of the upright page
    assert page.rotation == 180
    width, height = rotated.size
    assert all(0 <= x <= width and 0 <= y <= height for line in page.lines for x, y in line.box)
    document = PreparedDocument(source="rotated", pages=[rotated], ocr_lines=page.lines)
    fields = pipeline.extract(document, ctx=CTX, engine="ocr").to_contract()["fields"]
    for name in ("seller_name", "seller_tax_id", "invoice_number", "total_amount"):
        assert fields[name] == truth[name], name
    upright = preprocess.upright(rotated, page.rotation)
    assert upright.size == image.size


def test_each_lines_character_scores_stay_with_its_text_on_an_upside_down_page(
    invoice: tuple[Image.Image, dict[str, object]],
) -> None:
    # given the invoice upside down, read by two recognisers side by side (PP-OCRv6)
    rotated = invoice[0].rotate(180)
    # when OCR runs
    lines = OcrEngine(CTX).ocr_page(rotated).lines
    # then every line carries one probability per character of its own text, whose mean
    # is its score (a line paired with another's readings would differ in length or mean)
    assert len(lines) > 10
    for line in lines:
        assert line.char_scores is not None, line.text
        assert len(line.char_scores) == len(line.text)
        assert abs(sum(line.char_scores) / len(line.char_scores) - line.score) < 1e-3


def test_a_large_page_is_detected_shrunk_but_boxes_come_back_in_its_own_pixels() -> None:
    # given a 2400 px page with one line of text at a known place
    from PIL import ImageDraw, ImageFont

    from extraction.engines import ocr

    page = Image.new("RGB", (2400, 1500), "white")
    font = ImageFont.truetype("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 60)
    ImageDraw.Draw(page).text((1200, 900), "价税合计 1130.00", fill="black", font=font)
    assert max(page.size) > ocr.DET_SIDES[CTX.ocr_model].longest  # detected on a shrunk copy
    # when read
    lines = OcrEngine(CTX).ocr_lines(page)
    # then the line is found where it was drawn, in the page's own coordinates
    (line,) = [candidate for candidate in lines if "1130.00" in candidate.text]
    xs = [x for x, _ in line.box]
    ys = [y for _, y in line.box]
    assert 1170 < min(xs) < 1230 and 1600 < max(xs) < 1800
    assert 880 < min(ys) < 930 and 940 < max(ys) < 990
