"""Geometry over OCR boxes: normalised text, skew removal, rows and neighbours.

Parsers never look at raw ``OcrLine`` objects: they see ``Box`` values whose text is
NFKC-normalised (RapidOCR answers full-width) and whose coordinates are de-skewed, so
"same row" and "to the right of" mean what a reader means even on a tilted photo.
"""

from __future__ import annotations

import dataclasses
import math
import re
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from extraction.engines.base import OcrLine
from extraction.parsing.labels import CAPTION_WORDS, caption_key
from extraction.parsing.normalize import nfkc
from extraction.preprocess import text_direction

# Text that only a seal carries: never a printed field value.
SEAL_WORDS = ("发票专用章", "财务专用章", "专用章", "监制", "税务局", "税务总局")


@dataclass(frozen=True)
class Box:
    index: int  # position in the engine's output (reading order)
    text: str  # NFKC, inner whitespace kept as printed
    flat: str  # NFKC without any whitespace
    left: float
    top: float
    right: float
    bottom: float
    score: float
    angle: float  # degrees, of the box's top edge after de-skewing
    seal: bool = False  # red ink or seal geometry: never trusted for printed fields

    @property
    def cx(self) -> float:
        return (self.left + self.right) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 1.0)

    @property
    def width(self) -> float:
        return max(self.right - self.left, 1.0)

    def v_overlap(self, other: Box) -> float:
        """Vertical overlap as a fraction of the smaller height (0..1)."""
        overlap = min(self.bottom, other.bottom) - max(self.top, other.top)
        return max(overlap, 0.0) / min(self.height, other.height)

    def h_overlap(self, other: Box) -> float:
        overlap = min(self.right, other.right) - max(self.left, other.left)
        return max(overlap, 0.0) / min(self.width, other.width)


def _edge_angle(box: Sequence[Sequence[float]]) -> float:
    (x0, y0), (x1, y1) = box[0][:2], box[1][:2]  # reading-order points: the text's top edge
    return math.degrees(math.atan2(y1 - y0, x1 - x0))


def _rotate(point: Sequence[float], radians: float) -> tuple[float, float]:
    x, y = point[0], point[1]
    cos, sin = math.cos(radians), math.sin(radians)
    return x * cos - y * sin, x * sin + y * cos


@dataclass
class Layout:
    """All boxes of one page, de-skewed, with the page extent."""

    boxes: list[Box]
    width: float
    height: float
    skew: float = 0.0  # degrees removed from the coordinates
    _rows: list[list[Box]] | None = field(default=None, repr=False)

    @classmethod
    def from_lines(
        cls, lines: Sequence[OcrLine], *, seal_hints: Sequence[bool] | None = None
    ) -> Layout:
        """Build a layout; ``seal_hints[i]`` marks line ``i`` as seal ink (e.g. red).

        Coordinates are turned so that the page's text runs left to right: the
        direction comes from the boxes' reading-order points (see ``text_direction``),
        which covers both small skew and pages photographed at 90/180/270 degrees.
        """
        quadrant, residual = text_direction(lines)
        skew = quadrant + (residual if abs(residual) >= 0.3 else 0.0)
        radians = -math.radians(skew)
        boxes: list[Box] = []
        for i, line in enumerate(lines):
            if not line.text.strip() or len(line.box) < 2:
                continue
            points = [_rotate(p, radians) for p in line.box] if skew else list(line.box)
            xs = [p[0] for p in points]
            ys = [p[1] for p in points]
            text = nfkc(line.text).strip()
            hinted = (
                bool(seal_hints[i]) if seal_hints is not None and i < len(seal_hints) else False
            )
            box = Box(
                index=i,
                text=text,
                flat=re.sub(r"\s+", "", text),
                left=min(xs),
                top=min(ys),
                right=max(xs),
                bottom=max(ys),
                score=float(line.score),
                angle=_edge_angle(points),
            )
            boxes.append(_with_seal(box) if hinted or _looks_like_seal(box) else box)
        boxes = join_letter_spaced(boxes)
        if boxes:
            # Rotation moves coordinates around the origin; shift them back to >= 0.
            dx = min(b.left for b in boxes)
            dy = min(b.top for b in boxes)
            if dx < 0 or dy < 0:
                boxes = [_shifted(b, -min(dx, 0.0), -min(dy, 0.0)) for b in boxes]
        width = max((b.right for b in boxes), default=0.0)
        height = max((b.bottom for b in boxes), default=0.0)
        return cls(boxes=boxes, width=width, height=height, skew=skew)

    # -- queries -----------------------------------------------------------------

    def rows(self) -> list[list[Box]]:
        """Boxes grouped into visual rows, top to bottom, each row left to right."""
        if self._rows is None:
            self._rows = group_rows(b for b in self.boxes if not b.seal)
        return self._rows

    def find(self, predicate: Callable[[Box], bool], *, include_seal: bool = False) -> list[Box]:
        return [b for b in self.boxes if (include_seal or not b.seal) and predicate(b)]

    def right_of(
        self,
        anchor: Box,
        *,
        max_dx: float | None = None,
        min_overlap: float = 0.35,
        include_seal: bool = False,
    ) -> list[Box]:
        """Boxes on the anchor's row to its right, nearest first."""
        out = []
        for box in self.boxes:
            if box is anchor or (box.seal and not include_seal):
                continue
            if box.left < anchor.right - 0.6 * anchor.height:
                continue
            if box.v_overlap(anchor) < min_overlap:
                continue
            dx = box.left - anchor.right
            if max_dx is not None and dx > max_dx:
                continue
            out.append(box)
        return sorted(out, key=lambda b: b.left)

    def below(self, anchor: Box, *, max_rows: float = 2.6, include_seal: bool = False) -> list[Box]:
        """Boxes under the anchor that share its column, nearest first."""
        out = []
        for box in self.boxes:
            if box is anchor or (box.seal and not include_seal):
                continue
            if box.cy <= anchor.bottom - 0.2 * anchor.height:
                continue
            if box.top - anchor.bottom > max_rows * anchor.height:
                continue
            centred = abs(box.cx - anchor.cx) < max(anchor.width, box.width) * 0.75
            if box.h_overlap(anchor) < 0.2 and not centred:
                continue
            out.append(box)
        return sorted(out, key=lambda b: (b.top, abs(b.cx - anchor.cx)))


def _with_seal(box: Box) -> Box:
    return dataclasses.replace(box, seal=True)


def _shifted(box: Box, dx: float, dy: float) -> Box:
    return dataclasses.replace(
        box, left=box.left + dx, right=box.right + dx, top=box.top + dy, bottom=box.bottom + dy
    )


def _looks_like_seal(box: Box) -> bool:
    # Curved seal text is detected as short boxes tilted well off the text baseline
    # (vertical side labels such as 购买方 run at 90 degrees and are not seals).
    deviation = min(abs(box.angle - k) for k in (-180, -90, 0, 90, 180))
    if deviation > 12 and len(box.flat) <= 12:
        return True
    return any(word in box.flat for word in SEAL_WORDS) and len(box.flat) <= 10


def group_rows(boxes: Iterable[Box]) -> list[list[Box]]:
    """Cluster boxes into rows by vertical centre.

    A box joins the row whose median centre is within half the smaller of the two
    heights; comparing with the median (not the growing span) keeps one tall box from
    chaining two printed lines into one row.
    """
    rows: list[list[Box]] = []
    for box in sorted(boxes, key=lambda b: b.cy):
        best: tuple[float, int] | None = None
        for i in range(len(rows) - 1, max(len(rows) - 5, -1), -1):
            row = rows[i]
            centre = statistics.median(b.cy for b in row)
            height = statistics.median(b.height for b in row)
            distance = abs(box.cy - centre)
            if distance <= 0.45 * min(height, box.height) and (best is None or distance < best[0]):
                best = (distance, i)
        if best is None:
            rows.append([box])
        else:
            rows[best[1]].append(box)
    rows.sort(key=lambda row: statistics.median(b.cy for b in row))
    for row in rows:
        row.sort(key=lambda b: b.left)
    return rows


# How far apart the characters of a letter-spaced caption may stand, in character heights
# ("名　　　称" leaves three full-width spaces between its two characters).
_SPACED_GAP = 4.5
_CJK_PIECE = re.compile(r"[\u4e00-\u9fff、/（）()]{1,3}[:：;；]?")


def join_letter_spaced(boxes: list[Box]) -> list[Box]:
    """Boxes with each letter-spaced caption (名　　称, 纳 税 人 识 别 号) joined into one.

    OCR returns such a caption as one box per character or per group of characters, and
    then no label rule sees it whole: a lone 名 and a far 称 look like two labels, and
    纳/税/人 like none. A run of short CJK pieces on one row, close enough to be one
    word, is joined when its characters spell a printed caption (the last piece may carry
    the caption's end and the value: "号：9111..."). Captions only: values never join.
    """
    printed = [b for b in boxes if not b.seal]
    merged: dict[int, Box] = {}
    absorbed: set[int] = set()
    for row in group_rows(printed):
        start = 0
        while start < len(row):
            run = _caption_run(row, start)
            if len(run) >= 2:
                merged[run[0].index] = _join(run)
                absorbed.update(b.index for b in run[1:])
            start += max(len(run), 1)
    if not merged:
        return boxes
    return [merged.get(b.index, b) for b in boxes if b.index not in absorbed]


def _caption_run(row: Sequence[Box], start: int) -> list[Box]:
    first = row[start]
    key = caption_key(first.flat)
    if not _CJK_PIECE.fullmatch(first.flat) or not key or not _is_prefix(key):
        return []
    run = [first]
    for box in row[start + 1 :]:
        prev = run[-1]
        height = max(prev.height, first.height)
        gap = box.left - prev.right
        if gap > _SPACED_GAP * height or gap < -0.5 * height or box.v_overlap(first) < 0.5:
            break
        piece = caption_key(box.flat)
        if not piece:
            run.append(box)  # the caption's colon, read as a box of its own
            if _is_complete(key):
                break
            continue
        joined = key + piece
        if _CJK_PIECE.fullmatch(box.flat) and _is_prefix(joined):
            run.append(box)
            key = joined
            if key in CAPTION_WORDS and not any(
                w != key and w.startswith(key) for w in CAPTION_WORDS
            ):
                break
            continue
        # The last piece may hold the caption's end and its value ("号：9111...").
        head = caption_key(box.flat[:4])
        if any(word.startswith(key) and (key + head).startswith(word) for word in CAPTION_WORDS):
            run.append(box)
            key = caption_key("".join(b.flat for b in run))
        break
    return run if len(run) >= 2 and _is_complete(key, len(caption_key(first.flat))) else []


def _variants(word: str) -> list[str]:
    """``word`` and, for captions of four or more characters, ``word`` with one character
    dropped (OCR loses a character of a letter-spaced caption as often as any other)."""
    if len(word) < 4:
        return [word]
    return [word, *(word[:i] + word[i + 1 :] for i in range(len(word)))]


def _is_prefix(key: str) -> bool:
    return any(v.startswith(key) for word in CAPTION_WORDS for v in _variants(word))


def _is_complete(key: str, longer_than: int = 0) -> bool:
    """``key`` spells a whole caption (perhaps followed by its value), one character of a
    long caption allowed missing."""
    return any(
        key.startswith(v) and len(v) > longer_than
        for word in CAPTION_WORDS
        for v in _variants(word)
    )


def _join(run: Sequence[Box]) -> Box:
    text = "".join(b.flat for b in run)
    return dataclasses.replace(
        run[0],
        text=text,
        flat=text,
        right=max(b.right for b in run),
        top=min(b.top for b in run),
        bottom=max(b.bottom for b in run),
        score=min(b.score for b in run),
    )


def row_text(row: Sequence[Box]) -> str:
    return " ".join(b.text for b in row)
