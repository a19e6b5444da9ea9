"""A second reading under seals, kept only when validation says it is better (real OCR
for the generated page: ~2-4 s on 2 cores)."""

from __future__ import annotations

import io
import random
import unicodedata

from PIL import Image

from extraction import pipeline
from extraction.checksums import uscc_check_char
from extraction.engines.base import EngineContext, OcrLine, PreparedDocument
from extraction.engines.ocr import OcrEngine
from extraction.parsing.document import parse_lines
from extraction.parsing.result import Parsed
from extraction.schema import DocumentType
from extraction.second_reading import quality, seal_free, under_seals, wanted
from synth import generate_document
from synth.ticket_families import render_ticket

CTX = EngineContext(ocr_threads=2)
VALID_ID = "91330106MA2GL7KX1" + (uscc_check_char("91330106MA2GL7KX1") or "")


def test_a_tax_id_under_a_seal_is_read_again_without_the_red_ink() -> None:
    # given a clean 专票 whose seller name and tax ID a second stamp covers, the seal's own
    # tax ID printed in red over the black one (OCR's first reading joins the two)
    document = generate_document("vat_special", seed=7000021, family="seal_over_name")
    image = Image.open(io.BytesIO(document.image_bytes)).convert("RGB")
    truth = document.truth["fields"]
    # when extracted through the pipeline
    result = pipeline.extract(PreparedDocument(source="synthetic", pages=[image]), ctx=CTX)
    # then the seller's name and tax ID are the printed ones
    fields = result.to_contract()["fields"]
    assert fields["seller_name"] == unicodedata.normalize("NFKC", str(truth["seller_name"]))
    assert fields["seller_tax_id"] == truth["seller_tax_id"]


def test_seal_free_turns_red_ink_into_paper_and_keeps_black_print() -> None:
    # given a pixel of seal red, one of black print and one of paper
    image = Image.new("RGB", (3, 1))
    image.putpixel((0, 0), (220, 40, 40))
    image.putpixel((1, 0), (20, 20, 20))
    image.putpixel((2, 0), (250, 250, 245))
    # when made seal-free
    out = seal_free(image).convert("L")
    # then the red is as light as paper, the black stays dark
    assert out.getpixel((0, 0)) == 220
    assert out.getpixel((1, 0)) == 20


def _vat(**fields: object) -> Parsed:
    parsed = Parsed(DocumentType.VAT_SPECIAL)
    for name, value in fields.items():
        parsed.put(name, value, 0.9)
    return parsed


def test_only_a_missing_key_field_or_a_failed_tax_id_asks_for_a_second_reading() -> None:
    # given a complete VAT parse, one with a seller tax ID failing its checksum, one
    # without a seller name
    complete = {
        "seller_name": "上海星河贸易有限公司",
        "seller_tax_id": VALID_ID,
        "total_amount": "1130.00",
        "issue_date": "2025-03-09",
    }
    # then only the last two want a second reading
    assert not wanted(_vat(**complete))
    assert wanted(_vat(**{**complete, "seller_tax_id": VALID_ID[:-1] + "0"}))
    assert wanted(_vat(**{**complete, "seller_name": None}))


def test_a_tax_id_passing_its_checksum_counts_above_one_failing_it() -> None:
    # given two parses that differ only in whether the tax ID passes its checksum
    failing = _vat(seller_tax_id=VALID_ID[:-1] + "0", total_amount="1.00")
    passing = _vat(seller_tax_id=VALID_ID, total_amount="1.00")
    # then validation ranks the passing one higher
    assert quality(passing)[0] > quality(failing)[0]


def test_a_name_misread_under_a_seal_is_taken_from_the_seal_free_reading() -> None:
    # given a 定额发票 whose issuing company is printed under the supervision seal, and a
    # first reading that misread one of its characters (as a seal's stroke makes OCR do)
    rendered = render_ticket("quota", random.Random(4), "classic")
    name = str(rendered.truth["fields"]["seller_name"])
    misread = name[:2] + "亚" + name[3:]
    engine = OcrEngine(CTX)
    lines = [
        line if line.text != name else OcrLine(line.box, misread, line.score)
        for line in engine.ocr_lines(rendered.image)
    ]
    first = parse_lines(lines)
    assert first.fields.seller_name == misread
    # when the seals' regions are read again without red ink
    again = under_seals(rendered.image, lines, first, read=engine.ocr_lines, parse=parse_lines)
    # then the name read without the seal replaces the misread one, the amount unchanged
    assert again is not None
    assert again[1].fields.seller_name == name
    assert again[1].fields.total_amount == first.fields.total_amount
