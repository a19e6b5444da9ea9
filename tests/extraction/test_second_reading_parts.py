"""The seal region's second reading reads whole lines and keeps the recogniser's
per-character scores. A stand-in recogniser reads a page of ink blocks (one block per
character, its grey level naming it), so what a crop cuts off is exactly what it loses; no
OCR model, milliseconds."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw

from extraction.engines.base import OcrLine
from extraction.preprocess import Seal
from extraction.second_reading import reread_lines

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
