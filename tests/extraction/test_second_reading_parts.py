"""The seal region's second reading reads whole lines, keeps the recogniser's
per-character scores, and never trades a value for a part of it. A stand-in recogniser
reads a page of ink blocks (one block per character, its grey level naming it), so what a
crop cuts off is exactly what it loses; no OCR model, milliseconds."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

import numpy as np
from PIL import Image, ImageDraw

from extraction.engines.base import OcrLine
from extraction.parsing.result import Parsed
from extraction.preprocess import Seal
from extraction.schema import DocumentType
from extraction.second_reading import reread_lines, under_seals

ALPHABET = "0123456789.元票价:发车时间ABCDEFGHIJ"
CHAR_W, PITCH, LINE_H = 20, 24, 34
# A seal whose region (box, margin and padding) spans x 711..973, y 270..531.
SEAL = Seal(center=(841.0, 400.0), axes=(240.0, 240.0), angle=0.0, ring=1.0)


def _page(printed: list[tuple[str, int, int]], seal: Seal | None = None) -> Image.Image:
    """A white page with each text's characters as blocks from (x, y), one per pitch, over
    the outline of ``seal`` in red (a seal-free copy shows the blocks whole)."""
    page = Image.new("RGB", (1000, 600), "white")
    draw = ImageDraw.Draw(page)
    if seal is not None:
        (cx, cy), half = seal.center, seal.axes[0] / 2
        draw.ellipse((cx - half, cy - half, cx + half, cy + half), outline=(215, 35, 35), width=6)
    for text, x, y in printed:
        for i, char in enumerate(text):
            grey = 10 + 5 * ALPHABET.index(char)
            left = x + i * PITCH
            draw.rectangle((left, y, left + CHAR_W - 1, y + LINE_H - 1), fill=(grey,) * 3)
    return page


def _runs(mask: np.ndarray, gap: int) -> list[tuple[int, int]]:
    """Runs of True in ``mask`` (end exclusive), joined across gaps shorter than ``gap``."""
    runs: list[tuple[int, int]] = []
    for i in np.flatnonzero(mask):
        if runs and i - runs[-1][1] < gap:
            runs[-1] = (runs[-1][0], int(i) + 1)
        else:
            runs.append((int(i), int(i) + 1))
    return runs


def _recogniser(*, char_scores: bool) -> Callable[[Image.Image], list[OcrLine]]:
    def read(crop: Image.Image) -> list[OcrLine]:
        grey = np.asarray(crop.convert("L")).astype(int)
        ink = grey < 200
        out = []
        for top, bottom in _runs(ink.any(axis=1), 2):
            band = ink[top:bottom]
            for left, right in _runs(band.any(axis=0), PITCH):  # words apart by > pitch
                chars = _runs(band[:, left:right].any(axis=0), 2)
                text = "".join(ALPHABET[(grey[top, left + a] - 10) // 5] for a, _ in chars)
                box = ((left, top), (right, top), (right, bottom), (left, bottom))
                scores = tuple(0.9 for _ in text) if char_scores else None
                out.append(OcrLine(box, text, 0.95, char_scores=scores))
        return out

    return read


def _box(x: int, y: int, text: str) -> tuple[tuple[float, float], ...]:
    right, bottom = x + len(text) * PITCH, y + LINE_H
    return ((x, y), (right, y), (right, bottom), (x, bottom))


def _first_reading(texts: list[tuple[str, int, int]]) -> list[OcrLine]:
    return [OcrLine(_box(x, y, text), text, 0.99) for text, x, y in texts]


def test_a_value_the_seal_region_cuts_is_read_whole() -> None:
    # given a fare the first reading missed, printed across the left side of the seal's
    # region (its "4" straddles the crop's edge: a crop there reads "4.0元")
    page = _page([("票价", 556, 367), ("164.0元", 656, 367)])
    first = _first_reading([("票价", 556, 367)])
    # when the seal's region is read again
    again = reread_lines(page, first, _recogniser(char_scores=True), [SEAL])
    # then the fare is read whole, never as its tail
    assert again is not None
    texts = [line.text for line in again]
    assert "164.0元" in texts
    assert not any(text.endswith("4.0元") and text != "164.0元" for text in texts)


def test_where_a_line_is_still_cut_after_the_region_grows_the_first_reading_stays() -> None:
    # given a line running from the page's left edge into the seal's region, longer than
    # the region may grow, of which the first reading read only the part under the seal
    page = _page([("ABCDEFGHIJ" * 4, 4, 367)])
    first = _first_reading([("FGHIJ", 844, 367)])
    # when the seal's region is read again
    again = reread_lines(page, first, _recogniser(char_scores=True), [SEAL])
    # then no cut part of it is taken and the first reading's stays
    assert again is not None
    assert [line.text for line in again] == ["FGHIJ"]


def test_a_line_the_first_reading_read_whole_is_not_cut_by_a_wider_box() -> None:
    # given a line the seal's region was grown to, which the second reading boxes a few
    # pixels wider than the first (its box then reaches the crop's side)
    page = _page([("09:30", 620, 300)])
    first = _first_reading([("09:30", 623, 300)])
    reads: list[int] = []
    read = _recogniser(char_scores=True)

    def counted(crop: Image.Image) -> list[OcrLine]:
        reads.append(crop.width)
        return read(crop)

    # when the seal's region is read again
    again = reread_lines(page, first, counted, [SEAL])
    # then the region is read once, and the line taken
    assert again is not None
    assert [line.text for line in again] == ["09:30"]
    assert len(reads) == 1


def test_a_reread_line_keeps_the_recognisers_character_scores() -> None:
    # given a recogniser that gives each character's probability (PP-OCRv6)
    page = _page([("164.0元", 760, 367)])
    # when the seal's region is read again
    again = reread_lines(page, [], _recogniser(char_scores=True), [SEAL])
    # then the line read there carries one score per character
    assert again is not None
    (line,) = again
    assert line.text == "164.0元"
    assert line.char_scores == (0.9,) * 6


def test_a_reread_line_has_no_character_scores_where_the_recogniser_gives_none() -> None:
    # given a recogniser without per-character probabilities (PP-OCRv4)
    page = _page([("164.0元", 760, 367)])
    # when the seal's region is read again
    again = reread_lines(page, [], _recogniser(char_scores=False), [SEAL])
    # then the line read there has none either
    assert again is not None
    assert [line.char_scores for line in again] == [None]


def _fare(lines: list[OcrLine]) -> Parsed:
    """A bus ticket's parse: its fare, read from the line that prints it after 票价."""
    parsed = Parsed(DocumentType.BUS_TICKET)
    for index, line in enumerate(lines):
        found = re.search(r"票价(\d+(?:\.\d+)?)", line.text)
        if found:
            parsed.put("total_amount", Decimal(found.group(1)).quantize(Decimal("0.01")), 0.9)
            parsed.boxes["total_amount"] = (index,)
    return parsed


def test_an_amount_the_seal_hid_digits_of_is_taken_from_the_seal_free_reading() -> None:
    # given a fare the stamp's outline crosses, of which the first reading read only the
    # digit before the stamp
    page = _page([("票价17.5元", 680, 380)], SEAL)
    first_lines = _first_reading([("票价1", 680, 380)])
    first = _fare(first_lines)
    assert first.fields.total_amount == Decimal("1.00")
    # when the page is read again under its seals
    again = under_seals(page, first_lines, first, read=_recogniser(char_scores=True), parse=_fare)
    # then the seal-free fare, which holds the first one's digits and more, is taken
    assert again is not None
    assert again[1].fields.total_amount == Decimal("17.50")


def test_an_amount_is_never_replaced_by_a_reading_of_part_of_its_digits() -> None:
    # given a fare the stamp's outline crosses, read whole the first time, and a second
    # reading that gets only its tail
    page = _page([("票价4.0元", 680, 380)], SEAL)
    first_lines = _first_reading([("票价164.0元", 680, 380)])
    first = _fare(first_lines)
    # when the page is read again under its seals
    again = under_seals(page, first_lines, first, read=_recogniser(char_scores=True), parse=_fare)
    # then the first reading stands
    assert again is None


def test_an_amount_under_a_seal_read_the_same_again_leaves_the_first_reading() -> None:
    # given a fare the stamp's outline crosses, read whole the first time
    page = _page([("票价17.5元", 680, 380)], SEAL)
    first_lines = _first_reading([("票价17.5元", 680, 380)])
    first = _fare(first_lines)
    # when the page is read again under its seals and the fare reads the same
    again = under_seals(page, first_lines, first, read=_recogniser(char_scores=True), parse=_fare)
    # then there is nothing to take from the second reading
    assert again is None
