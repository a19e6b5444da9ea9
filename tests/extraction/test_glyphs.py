"""The weakest glyph of a field: the lowest character probability where its value is printed."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from PIL import Image

from extraction import glyphs, pipeline
from extraction.engines.base import EngineContext, OcrLine, PreparedDocument
from extraction.parsing.result import Parsed
from extraction.schema import DocumentType
from synth import generate_document

BOX = ((0.0, 0.0), (100.0, 0.0), (100.0, 20.0), (0.0, 20.0))


def line(text: str, scores: list[float] | None = None, *, weak: dict[int, float] | None = None):
    """A recognised line whose characters all scored 0.99 but those in ``weak``."""
    if scores is None:
        scores = [0.99] * len(text)
        for index, score in (weak or {}).items():
            scores[index] = score
    return OcrLine(box=BOX, text=text, score=sum(scores) / len(scores), char_scores=tuple(scores))


def parsed_with(**fields: object) -> Parsed:
    parsed = Parsed(DocumentType.RECEIPT)
    for name, value in fields.items():
        parsed.put(name, value, 0.95)
    return parsed


def test_a_misread_letter_in_a_name_is_its_weakest_glyph() -> None:
    # Given a name line whose first letter the recogniser was unsure of
    lines = [line("BUARDIAN HEALTH SDN BHD", weak={0: 0.41})]
    # When the glyphs are measured
    found = glyphs.weakest(parsed_with(seller_name="BUARDIAN HEALTH SDN BHD"), lines)
    # Then the name's weakest glyph is that letter's probability
    assert found == {"seller_name": 0.41}


def test_a_weak_character_outside_the_value_does_not_count() -> None:
    # Given a name line that goes on with a registration number read poorly
    lines = [line("KEDAI ABC SDN BHD (12345-X)", weak={24: 0.3})]
    # When measured
    found = glyphs.weakest(parsed_with(seller_name="KEDAI ABC SDN BHD"), lines)
    # Then only the name's own characters count
    assert found == {"seller_name": 0.99}


def test_an_amount_is_found_after_its_currency_and_punctuation() -> None:
    # Given a total printed as RM46.60 with an unsure 6
    lines = [line("TOTAL"), line("RM46.60", weak={3: 0.7})]
    # When measured
    found = glyphs.weakest(parsed_with(total_amount=Decimal("46.60")), lines)
    # Then the amount's weakest digit is reported
    assert found == {"total_amount": 0.7}


def test_a_value_printed_twice_counts_its_surest_reading() -> None:
    # Given the same total read once badly and once cleanly
    lines = [line("TOTAL 12.30", weak={6: 0.5}), line("CASH 12.30")]
    # When measured
    found = glyphs.weakest(parsed_with(total_amount=Decimal("12.30")), lines)
    # Then the clean reading counts
    assert found == {"total_amount": 0.99}


def test_a_name_broken_over_two_lines_takes_the_weaker_piece() -> None:
    # Given a name printed in two pieces, the second read with a doubtful letter
    lines = [line("GARDENIA BAKERIES"), line("(KL) SDN BHD", weak={1: 0.6})]
    # When measured
    found = glyphs.weakest(parsed_with(seller_name="GARDENIA BAKERIES (KL) SDN BHD"), lines)
    # Then the weaker piece decides
    assert found == {"seller_name": 0.6}


def test_a_date_counts_the_digits_of_the_line_it_was_read_from() -> None:
    # Given a date printed as 05/01/2018 whose 8 is doubtful, read from that line
    lines = [line("SHOP"), line("DATE: 05/01/2018", weak={15: 0.66, 0: 0.2})]
    parsed = Parsed(DocumentType.RECEIPT)
    parsed.put("issue_date", dt.date(2018, 1, 5), 0.95)
    parsed.boxes["issue_date"] = (1,)
    # When measured
    found = glyphs.weakest(parsed, lines)
    # Then its weakest digit is reported, not the weaker letter of the caption
    assert found == {"issue_date": 0.66}


def test_an_amount_printed_without_the_zeros_of_its_cents_is_found() -> None:
    # Given a fare read from a line printing it as 35.0元, with an unsure 5
    lines = [line("票价：35.0元", weak={4: 0.8})]
    parsed = parsed_with(total_amount=Decimal("35.00"))
    parsed.boxes["total_amount"] = (0,)
    # When measured
    found = glyphs.weakest(parsed, lines)
    # Then the printed digits count
    assert found == {"total_amount": 0.8}


def test_a_date_without_its_line_is_found_by_its_digits_in_any_separators() -> None:
    # Given a date printed 2024年05月01日 with an unsure 0, and no line recorded for it
    lines = [line("乘车日期：2024年05月01日", weak={14: 0.7})]
    parsed = Parsed(DocumentType.RECEIPT)
    parsed.put("issue_date", dt.date(2024, 5, 1), 0.95)
    # When measured
    found = glyphs.weakest(parsed, lines)
    # Then its digits are found and the unsure one counts
    assert found == {"issue_date": 0.7}


def test_an_amount_is_never_found_inside_a_longer_number() -> None:
    # Given a total of 4.00 read from a line the recogniser gave no scores, and a serial
    # number holding the digits 400 read surely
    lines = [line("18792288400146"), OcrLine(box=BOX, text="4.0元", score=0.9)]
    parsed = parsed_with(total_amount=Decimal("4.00"))
    parsed.boxes["total_amount"] = (1,)
    # When measured
    found = glyphs.weakest(parsed, lines)
    # Then the serial number does not lend the amount its sure digits
    assert found == {}


def test_nothing_is_reported_without_character_scores() -> None:
    # Given lines of a model that gives no character probabilities
    lines = [OcrLine(box=BOX, text="KEDAI ABC SDN BHD", score=0.97)]
    # When measured
    found = glyphs.weakest(parsed_with(seller_name="KEDAI ABC SDN BHD"), lines)
    # Then nothing is reported
    assert found == {}


def test_a_value_not_found_in_the_lines_gets_nothing() -> None:
    # Given a name the lines do not print (e.g. repaired by validation)
    lines = [line("SOMETHING ELSE")]
    # When measured
    found = glyphs.weakest(parsed_with(seller_name="KEDAI ABC SDN BHD"), lines)
    # Then nothing is reported for it
    assert found == {}


def test_an_ocr_reading_carries_each_fields_weakest_glyph_into_its_evidence() -> None:
    # Given a clean generated invoice page
    document = generate_document("vat_electronic", seed=3, photo=False)
    page = Image.open(io.BytesIO(document.image_bytes)).convert("RGB")
    # When read by the OCR engine through the pipeline
    result = pipeline.extract(
        PreparedDocument(source="synthetic", pages=[page]), ctx=EngineContext(), engine="ocr"
    )
    # Then the seller's name and the total have their weakest glyph, kept in their evidence
    for name in ("seller_name", "total_amount"):
        assert 0.0 < result.glyphs[name] <= 1.0
        assert result.evidence[name].glyph == result.glyphs[name]
