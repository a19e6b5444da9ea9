"""The seal region's second reading keeps the recogniser's per-character scores. A
stand-in recogniser reads a page of ink blocks (one block per character, its grey level
naming it), so what a crop cuts off is exactly what it loses; no OCR model, milliseconds."""

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
