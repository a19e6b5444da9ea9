"""Image masking: black out the parts of OCR boxes that hold personal data.

The detectors run on the text of *chains* of OCR boxes -- boxes that sit side by side
on one text row -- rather than on single boxes, because OCR splits one printed line at
wide gaps: a label (卡号) and its value, or a card printed in groups, may land in
neighbouring boxes. Digits of two boxes that nearly touch are joined without a space,
so ``6222 0212`` + ``3456 7890`` reads as one 16-digit card and a 20-digit invoice
number split in two never looks like a 16-digit card plus a stub.

A match that covers only part of a box is narrowed to its share of the box, measured
in display widths (a CJK character is about two digits wide), plus a margin, so the
label and any business value in the same box stay readable.

Box corners are taken in READING order -- start-top, end-top, end-bottom, start-bottom
-- as ``extraction.engines.ocr`` returns them (RapidOCR's raw clockwise-from-top-left
order is the same thing for upright text). Rows and neighbours are found in the frame
of the page's reading direction, so a page photographed sideways masks just as well.
"""

from __future__ import annotations

import bisect
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace

from PIL import Image, ImageDraw

from extraction.engines.base import OcrLine
from extraction.pii.detect import PiiKind, PiiMatch, detect
from extraction.pii.text import apply_masks

Point = tuple[float, float]

# Boxes on one row are neighbours when the gap between them is at most this many text
# heights; digits of neighbours closer than _DIGIT_JOIN_GAP are read as one number.
_NEIGHBOUR_GAP = 3.0
_DIGIT_JOIN_GAP = 1.2
# Extra width kept masked on each side of a narrowed span, in half-width characters:
# OCR drops spaces, so a character-count estimate can be off by about one character.
_SPAN_MARGIN = 1.0


@dataclass(frozen=True)
class Region:
    """A quadrilateral of the image to black out (corners in reading order)."""

    box: tuple[Point, Point, Point, Point]
    kind: PiiKind
    line_index: int  # which OCR line it came from

    @property
    def left(self) -> float:
        return min(p[0] for p in self.box)

    @property
    def right(self) -> float:
        return max(p[0] for p in self.box)

    @property
    def top(self) -> float:
        return min(p[1] for p in self.box)

    @property
    def bottom(self) -> float:
        return max(p[1] for p in self.box)

    @property
    def height(self) -> float:
        tl, tr, br, bl = self.box
        return (math.dist(tl, bl) + math.dist(tr, br)) / 2


@dataclass(frozen=True)
class MaskReport:
    image: Image.Image  # the masked copy
    regions: list[Region]
    kinds: tuple[PiiKind, ...]  # distinct kinds found, sorted
    # The OCR lines with their personal characters masked in the text too, so the
    # extraction can reuse this OCR pass instead of reading the masked image again.
    lines: list[OcrLine]


def pii_regions(lines: Sequence[OcrLine]) -> list[Region]:
    return _regions(_analyse(lines), lines)


def mask_image(
    image: Image.Image, regions: Sequence[Region], margin: int | None = None
) -> Image.Image:
    """A copy of ``image`` with each region filled solid black, grown by ``margin`` px.

    Without an explicit margin each region grows by a quarter of its text height, which
    covers the anti-aliased glyph edges that OCR could otherwise still read.
    """
    out = image.copy() if image.mode in _FILLS else image.convert("RGB")
    fill = _FILLS.get(out.mode, (0, 0, 0))
    draw = ImageDraw.Draw(out)
    for region in regions:
        grow = margin if margin is not None else max(2, round(region.height * 0.25))
        points = list(region.box)
        draw.polygon(points, fill=fill)
        if grow > 0:
            # A thick outline grows the polygon by ``grow`` on every side, also for
            # rotated boxes, without computing offset polygons.
            draw.line([*points, points[0]], fill=fill, width=2 * grow, joint="curve")
    return out


def mask_document_image(image: Image.Image, lines: Sequence[OcrLine]) -> MaskReport:
    analysed = _analyse(lines)
    regions = _regions(analysed, lines)
    kinds = tuple(sorted({region.kind for region in regions}))
    return MaskReport(mask_image(image, regions), regions, kinds, _masked_lines(analysed, lines))


def _corners(box: Sequence[Point]) -> tuple[Point, Point, Point, Point]:
    """The four corners in reading order; the bounding rectangle for other shapes."""
    points = [(float(x), float(y)) for x, y in box]
    if len(points) == 4:
        return points[0], points[1], points[2], points[3]
    xs = [p[0] for p in points] or [0.0]
    ys = [p[1] for p in points] or [0.0]
    return (min(xs), min(ys)), (max(xs), min(ys)), (max(xs), max(ys)), (min(xs), max(ys))


_FILLS: dict[str, int | tuple[int, ...]] = {
    "1": 0,
    "L": 0,
    "I": 0,
    "F": 0,
    "LA": (0, 255),
    "RGB": (0, 0, 0),
    "RGBA": (0, 0, 0, 255),
}


@dataclass
class _Chain:
    indices: list[int]
    text: str
    # For each character of ``text``: (line index, character index), or None for the
    # space inserted between two boxes.
    owners: list[tuple[int, int] | None]


def _analyse(lines: Sequence[OcrLine]) -> list[tuple[_Chain, list[PiiMatch]]]:
    return [(chain, detect(chain.text)) for chain in _chains(lines)]


def _regions(
    analysed: list[tuple[_Chain, list[PiiMatch]]], lines: Sequence[OcrLine]
) -> list[Region]:
    regions: list[Region] = []
    for chain, matches in analysed:
        for match in matches:
            spans: dict[int, list[int]] = {}
            for owner in chain.owners[match.start : match.end]:
                if owner is not None:
                    spans.setdefault(owner[0], []).append(owner[1])
            for line_index, chars in spans.items():
                box = _narrow(lines[line_index], min(chars), max(chars) + 1)
                regions.append(Region(box, match.kind, line_index))
    return regions


def _masked_lines(
    analysed: list[tuple[_Chain, list[PiiMatch]]], lines: Sequence[OcrLine]
) -> list[OcrLine]:
    texts = [list(line.text) for line in lines]
    for chain, matches in analysed:
        masked = apply_masks(chain.text, matches)
        for char, owner in zip(masked, chain.owners, strict=True):
            if owner is not None:
                texts[owner[0]][owner[1]] = char
    return [
        line if "".join(text) == line.text else replace(line, text="".join(text))
        for line, text in zip(lines, texts, strict=True)
    ]


def _chains(lines: Sequence[OcrLine]) -> list[_Chain]:
    """Group boxes into left-to-right runs of neighbours on the same text row."""
    frame = _reading_frame(lines)
    geometry = [_Geometry.of(line, frame) for line in lines]
    # Neighbours share a row: only boxes within half a text height across are compared.
    by_row = sorted(range(len(lines)), key=lambda k: geometry[k].center_y)
    rows = [geometry[k].center_y for k in by_row]
    best_right: dict[int, tuple[float, int]] = {}  # right neighbour -> (gap, left box)
    for i, a in enumerate(geometry):
        if not lines[i].text:
            continue
        low = bisect.bisect_left(rows, a.center_y - a.height / 2)
        high = bisect.bisect_right(rows, a.center_y + a.height / 2)
        candidates = [
            (gap, j)
            for j in by_row[low:high]
            if j != i and lines[j].text and (gap := a.gap_to(geometry[j])) is not None
        ]
        if not candidates:
            continue
        gap, j = min(candidates)
        if j not in best_right or gap < best_right[j][0]:
            best_right[j] = (gap, i)
    right_of = {i: j for j, (_, i) in best_right.items()}
    has_left = set(right_of.values())
    chains: list[_Chain] = []
    for head in range(len(lines)):
        if head in has_left:
            continue
        indices = [head]
        while indices[-1] in right_of and len(indices) <= len(lines):
            indices.append(right_of[indices[-1]])
        chains.append(_build_chain(lines, geometry, indices))
    return chains


def _build_chain(lines: Sequence[OcrLine], geometry: list[_Geometry], indices: list[int]) -> _Chain:
    text_parts: list[str] = []
    owners: list[tuple[int, int] | None] = []
    for position, index in enumerate(indices):
        text = lines[index].text
        if position:
            previous = indices[position - 1]
            gap = geometry[previous].gap_to(geometry[index]) or 0.0
            height = min(geometry[previous].height, geometry[index].height)
            touching_digits = (
                _is_digit(lines[previous].text[-1:])
                and _is_digit(text[:1])
                and gap <= _DIGIT_JOIN_GAP * height
            )
            if not touching_digits:
                text_parts.append(" ")
                owners.append(None)
        text_parts.append(text)
        owners.extend((index, char) for char in range(len(text)))
    return _Chain(indices, "".join(text_parts), owners)


def _is_digit(char: str) -> bool:
    return bool(char) and unicodedata.normalize("NFKC", char).isdigit()


@dataclass(frozen=True)
class _Geometry:
    left: float
    right: float
    center_y: float
    height: float

    @classmethod
    def of(cls, line: OcrLine, frame: Point) -> _Geometry:
        """Extent of ``line`` along (x) and across (y) the page's reading direction."""
        corners = _corners(line.box)
        ux, uy = frame
        along = [x * ux + y * uy for x, y in corners]
        across = [-x * uy + y * ux for x, y in corners]
        height = max(
            1.0, (math.dist(corners[0], corners[3]) + math.dist(corners[1], corners[2])) / 2
        )
        return cls(min(along), max(along), sum(across) / 4, height)

    def gap_to(self, other: _Geometry) -> float | None:
        """Horizontal gap to ``other`` if it is this box's neighbour on the right."""
        low, high = sorted((self.height, other.height))
        if high > 2 * low or abs(self.center_y - other.center_y) > 0.5 * low:
            return None
        gap = other.left - self.right
        if gap < -0.5 * low or gap > _NEIGHBOUR_GAP * low or other.right <= self.right:
            return None
        return gap


def _reading_frame(lines: Sequence[OcrLine]) -> Point:
    """Unit vector of the page's reading direction (long boxes weigh more)."""
    sx = sy = 0.0
    for line in lines:
        start_top, end_top, end_bottom, start_bottom = _corners(line.box)
        sx += (end_top[0] - start_top[0]) + (end_bottom[0] - start_bottom[0])
        sy += (end_top[1] - start_top[1]) + (end_bottom[1] - start_bottom[1])
    length = math.hypot(sx, sy)
    return (sx / length, sy / length) if length > 0 else (1.0, 0.0)


def _narrow(line: OcrLine, start: int, end: int) -> tuple[Point, Point, Point, Point]:
    """The part of ``line.box`` under characters ``start:end`` of its text, with margin."""
    tl, tr, br, bl = _corners(line.box)
    widths = [_display_width(c) for c in line.text]
    total = sum(widths)
    if total == 0 or (start == 0 and end >= len(widths)):
        return tl, tr, br, bl
    first = max(0.0, (sum(widths[:start]) - _SPAN_MARGIN) / total)
    last = min(1.0, (sum(widths[:end]) + _SPAN_MARGIN) / total)
    return _lerp(tl, tr, first), _lerp(tl, tr, last), _lerp(bl, br, last), _lerp(bl, br, first)


def _display_width(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _lerp(a: Point, b: Point, t: float) -> Point:
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)
