"""Field regions: the OCR engine keeps where on the page each value was read (real RapidOCR,
one run of ~2 s on 2 cores)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from extraction import cli, pipeline
from extraction.engines.base import EngineContext, PreparedDocument
from extraction.provenance import field_regions
from extraction.schema import ExtractionResult, FieldSource
from synth import generate_document
from synth.canvas import PlacedText, recording_text

CTX = EngineContext(ocr_threads=2)


@pytest.fixture(scope="module")
def read() -> tuple[ExtractionResult, dict[str, PlacedText], tuple[int, int]]:
    with recording_text() as placed:
        document = generate_document("vat_electronic", seed=3, photo=False)
    image = Image.open(io.BytesIO(document.image_bytes)).convert("RGB")
    truth = document.truth["fields"]
    printed = {
        "total_amount": next(p for p in placed if p.text == f"¥{truth['total_amount']}"),
        "issue_date": next(p for p in placed if p.text.startswith(truth["issue_date"][:4] + "年")),
        "seller_name": next(p for p in placed if p.text == truth["seller_name"]),
        "seller_tax_id": next(p for p in placed if p.text == truth["seller_tax_id"]),
    }
    result = pipeline.extract(
        PreparedDocument(source="synthetic", pages=[image]), ctx=CTX, engine="ocr"
    )
    return result, printed, image.size


@pytest.mark.parametrize("name", ["total_amount", "issue_date", "seller_name", "seller_tax_id"])
def test_a_field_region_contains_the_printed_value(
    read: tuple[ExtractionResult, dict[str, PlacedText], tuple[int, int]], name: str
) -> None:
    # given a generated invoice whose printed value's position the generator recorded
    result, printed, (width, height) = read
    text = printed[name]
    middle_x = (text.left + text.width / 2) / width
    middle_y = (text.baseline - 0.35 * text.size) / height
    # when OCR read it / then its region, in fractions of the page, holds the printed
    # value's middle and is about the size of a line of text, not the page
    region = result.regions[name]
    x0, y0, x1, y1 = region.box
    assert region.page == 0
    assert x0 <= middle_x <= x1 and y0 <= middle_y <= y1, (region, middle_x, middle_y)
    assert 0 < x1 - x0 < 0.3 and 0 < y1 - y0 < 4 * text.size / height


def test_machine_read_fields_have_no_region(
    read: tuple[ExtractionResult, dict[str, PlacedText], tuple[int, int]],
) -> None:
    # given the OCR reading, with the total then taken from the invoice's QR code
    result, _, _ = read
    from_qr = result.replace(sources={**result.sources, "total_amount": FieldSource.QR})
    # when the stored regions are chosen / then only pixel readings keep one
    regions = field_regions(from_qr)
    assert "total_amount" not in regions
    assert regions["issue_date"]["page"] == 0 and len(regions["issue_date"]["box"]) == 4


@pytest.mark.parametrize("name", ["total_amount", "issue_date"])
def test_a_receipt_field_region_contains_the_printed_value(name: str) -> None:
    # given a generated shop receipt whose printed total and date the generator recorded
    with recording_text() as placed:
        document = generate_document("receipt", seed=3, photo=False)
    image = Image.open(io.BytesIO(document.image_bytes)).convert("RGB")
    truth = document.truth["fields"]
    text = next(
        p
        for p in placed
        if (name == "total_amount" and p.text == truth["total_amount"])
        or (name == "issue_date" and truth["issue_date"] in p.text)
    )
    # when OCR reads it
    result = pipeline.extract(
        PreparedDocument(source="synthetic", pages=[image]), ctx=CTX, engine="ocr"
    )
    # then the field's region holds the printed value's middle
    width, height = image.size
    x0, y0, x1, y1 = result.regions[name].box
    assert x0 <= (text.left + text.width / 2) / width <= x1
    assert y0 <= (text.baseline - 0.35 * text.size) / height <= y1


def test_the_cli_adds_regions_only_when_asked(tmp_path: Path) -> None:
    # given a generated invoice saved as a picture
    path = tmp_path / "invoice.png"
    path.write_bytes(generate_document("vat_electronic", seed=3, photo=False).image_bytes)
    ctx = EngineContext(ocr_threads=2)
    # when the CLI reads it with and without --regions
    plain, asked = io.StringIO(), io.StringIO()
    cli.run([str(path)], "ocr", ctx, plain, io.StringIO(), jsonl=True)
    cli.run([str(path)], "ocr", ctx, asked, io.StringIO(), jsonl=True, regions=True)
    # then only the asked-for output carries them, in fractions of the page
    assert "regions" not in json.loads(plain.getvalue())
    regions = json.loads(asked.getvalue())["regions"]
    assert regions["total_amount"]["page"] == 0
    assert all(0 <= v <= 1 for v in regions["total_amount"]["box"])
