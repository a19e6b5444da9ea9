"""A receipt's key fields read a second time by the other OCR model (real PP-OCRv4 and v6
recognisers on rendered lines: ~1-3 s on 2 cores)."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from extraction import calibration, cross_reading, validation
from extraction.engines import ocr
from extraction.engines.base import EngineContext, OcrLine, PreparedDocument
from extraction.engines.ocr import OcrEngine
from extraction.parsing import receipt
from extraction.parsing.normalize import letters
from extraction.parsing.result import Parsed
from extraction.schema import DocumentType
from synth import generate_document
from synth.canvas import font

CTX = EngineContext(ocr_threads=2)


def _printed(text: str, *, left: int = 40) -> tuple[Image.Image, int]:
    """A white strip with ``text`` printed in black; (the image, the text's height)."""
    face = font("hei", 34)
    image = Image.new("RGB", (900, 110), "white")
    ImageDraw.Draw(image).text((left, 30), text, fill="black", font=face)
    return image, 34


def _box_around(image: Image.Image, text: str, *, skip: str = "", left: int = 40) -> OcrLine:
    """The box a detector would draw around ``text`` printed at ``left`` (after the
    characters ``skip``, which the box leaves out)."""
    face = font("hei", 34)
    start = left + (face.getlength(skip) if skip else 0)
    end = left + face.getlength(skip + text)
    top, bottom = 28, 30 + 40
    return OcrLine(
        box=((start - 2, top), (end + 2, top), (end + 2, bottom), (start - 2, bottom)),
        text=text,
        score=0.99,
    )


def _receipt_named(line: OcrLine, name: str) -> Parsed:
    parsed = Parsed(DocumentType.RECEIPT)
    parsed.put("seller_name", name, 0.99)
    parsed.read_from("seller_name", (0,))
    return parsed


def _confirm(parsed: Parsed, lines: list[OcrLine], image: Image.Image) -> tuple[str, ...]:
    return cross_reading.confirm(
        parsed,
        lines,
        image,
        crop=ocr.rapidocr(1, "v6").crop,
        read=lambda crops: ocr.recognise(1, crops, "v4"),
    )


def test_a_name_both_models_read_alike_passes_the_second_reading() -> None:
    # given a printed shop name whose box holds all of it
    image, _ = _printed("SOON FATT S/B")
    line = _box_around(image, "SOON FATT S/B")
    parsed = _receipt_named(line, "SOON FATT S/B")
    # when the other model reads it again
    marked = _confirm(parsed, [line], image)
    # then the name passed the second reading
    assert marked == ("seller_name",)
    assert parsed.checks["seller_name"] == {calibration.REREAD}


def test_a_first_letter_the_box_cut_off_fails_the_second_reading() -> None:
    # given a printed name whose first reading's box left out its first letter
    image, _ = _printed("Y SOON FATT S/B")
    line = _box_around(image, "SOON FATT S/B", skip="Y ")
    parsed = _receipt_named(line, "SOON FATT S/B")
    # when the other model reads the line from a crop grown along it
    marked = _confirm(parsed, [line], image)
    # then the letter is back in the second reading, and the name is not confirmed
    assert marked == ()
    assert parsed.checks["seller_name"] == {calibration.UNCONFIRMED}


def test_a_misread_letter_fails_the_second_reading() -> None:
    # given a printed name the first reading got one letter wrong
    image, _ = _printed("GUARDIAN HEALTH")
    line = _box_around(image, "GUARDIAN HEALTH")
    line = OcrLine(box=line.box, text="BUARDIAN HEALTH", score=0.97)
    parsed = _receipt_named(line, "BUARDIAN HEALTH")
    # when the other model reads it again
    marked = _confirm(parsed, [line], image)
    # then the name is not confirmed
    assert marked == ()


def test_a_name_whose_registration_tail_reads_differently_is_still_the_same() -> None:
    # given a first reading "GARDENIA (139386 X)" of a name whose value drops the tail,
    # and a second reading of the tail without its X
    value = letters("GARDENIA BAKERIES")
    first = letters("GARDENIA BAKERIES (139386 X)")
    second = letters("GARDENIA BAKERIES(139386")
    # then the name is the same in both readings
    assert cross_reading.same_value(value, first, second)


def test_a_tail_the_second_reading_does_not_have_makes_it_differ() -> None:
    # given a first reading with a registration tail after the name, and a second reading
    # that ends where the name ends (the first box may have joined two things)
    value = letters("GARDENIA BAKERIES")
    first = letters("GARDENIA BAKERIES (139386 X)")
    # then the readings differ
    assert not cross_reading.same_value(value, first, value)


def test_letters_before_the_value_must_be_read_the_same() -> None:
    # given a total read from "RM8.35", and a second reading "M8.35"
    value = letters("8.35")
    # then only the same letters before the amount count
    assert cross_reading.same_value(value, "rm835", "rm835")
    assert not cross_reading.same_value(value, "rm835", "m835")


def test_a_value_not_printed_as_stored_needs_the_readings_to_match_exactly() -> None:
    # given a date stored as 2017-08-30 and printed 30/08/2017
    value = letters("2017-08-30")
    # then it is the same only when both readings of the line are
    assert cross_reading.same_value(value, "date30082017", "date30082017")
    assert not cross_reading.same_value(value, "date30082017", "date3008207")


def test_a_total_a_cross_check_verified_is_not_read_again() -> None:
    # given a receipt whose total passed CASH - CHANGE, with a name no check settles
    parsed = Parsed(DocumentType.RECEIPT)
    parsed.put("total_amount", "12.50", 0.99)
    parsed.read_from("total_amount", (3,))
    parsed.passed("total_amount", calibration.TENDER)
    parsed.put("seller_name", "KEDAI MAJU", 0.99)
    parsed.read_from("seller_name", (0,))
    # then only the name is read again
    assert cross_reading.wanted(parsed) == ("seller_name",)


def test_other_documents_than_receipts_are_not_read_again() -> None:
    # given a VAT invoice's seller name read from one box
    parsed = Parsed(DocumentType.VAT_SPECIAL)
    parsed.put("seller_name", "上海星河贸易有限公司", 0.99)
    parsed.read_from("seller_name", (0,))
    # then it is not read again (its tax ID and 大写 settle a VAT form)
    assert cross_reading.wanted(parsed) == ()


def test_the_second_reading_is_the_evidence_of_an_extracted_receipt() -> None:
    # given a generated till receipt
    document = generate_document("receipt", seed=4100)
    image = Image.open(io.BytesIO(document.image_bytes)).convert("RGB")
    # when extracted by the OCR engine
    result = OcrEngine(CTX).extract(PreparedDocument(source="synthetic", pages=[image]))
    # then its seller name is right and carries the second reading as evidence
    assert result.fields.seller_name == document.truth["fields"]["seller_name"]
    assert calibration.REREAD in result.evidence["seller_name"].checks


@pytest.mark.parametrize(
    ("checks", "suffix"),
    [((calibration.REREAD,), "|again"), ((calibration.UNCONFIRMED,), "|doubted")],
)
def test_a_second_reading_splits_the_most_specific_classes(
    checks: tuple[str, ...], suffix: str
) -> None:
    # given a receipt name read once, and the same with a second model's reading
    once = calibration.FieldEvidence(field="seller_name", raw=0.99, kind="receipt")
    again = calibration.FieldEvidence(field="seller_name", raw=0.99, kind="receipt", checks=checks)
    # then the two most specific classes say what the second model read, the coarser
    # ones pool them with the values read once
    keys_once, keys_again = calibration.class_keys(once), calibration.class_keys(again)
    assert keys_again[:2] == [key + suffix for key in keys_once[:2]]
    assert keys_again[2:] == keys_once[2:]


def _rows(checks: tuple[str, ...], right: int, wrong: int, group: str) -> list:
    evidence = calibration.FieldEvidence(
        field="seller_name", raw=0.99, glyph=0.99, kind="receipt", checks=checks
    )
    return [(evidence, True, group)] * right + [(evidence, False, group)] * wrong


def test_a_value_a_second_model_doubted_is_no_surer_than_one_read_once() -> None:
    # given a table where the few doubted names happened to be right and the names
    # confirmed by a second model were mostly right
    rows = _rows((calibration.UNCONFIRMED,), 12, 0, "a") + _rows((calibration.REREAD,), 80, 8, "a")
    table = calibration.fit(rows)
    doubted = calibration.FieldEvidence(
        field="seller_name", raw=0.99, glyph=0.99, kind="receipt", checks=(calibration.UNCONFIRMED,)
    )
    once = calibration.FieldEvidence(field="seller_name", raw=0.99, glyph=0.99, kind="receipt")
    # then a doubted name is reported no surer than a name nobody read again
    assert table.probability(doubted) <= table.probability(once) < 0.95


def test_names_read_again_also_count_among_the_names_read_once() -> None:
    # given 30 names a second model confirmed, all right
    table = calibration.fit(_rows((calibration.REREAD,), 30, 0, "a"))
    once = calibration.FieldEvidence(field="seller_name", raw=0.99, glyph=0.99, kind="receipt")
    # then the class of names read once (an engine that reads nothing again) holds them
    assert table.counts[calibration.class_keys(once)[0]] == (30, 30)


def test_the_parsers_warnings_reach_validation_and_stay() -> None:
    # given a parsed receipt whose total the parser warned about
    parsed = Parsed(DocumentType.RECEIPT)
    parsed.put("total_amount", "37.95", 0.99)
    parsed.warn(receipt.TOTAL_ROUNDED, "rounded", "total_amount", unrounded="37.93", total="37.95")
    # when the OCR engine hands it on and validation runs
    result = validation.validate(OcrEngine(CTX)._result(parsed, {}, raw=""))
    # then the warning is among the result's
    assert receipt.TOTAL_ROUNDED in [w.code for w in result.warnings]
