"""A second reading of what a seal covers, kept only when validation says it is better.

A stamp landed over a value is the commonest reason a clean page loses a key field: OCR's
detector joins the black print with the seal's own red text (its tax ID, its rim) into one
box, and what comes back is neither (``9`` | ``10112499206796`` for a tax ID). The first
reading already paints saturated seal ink out (``preprocess.suppress_seals``), but ink
mixed with print stays. When the first parse lacks a key field or holds a tax ID that
fails its checksum, the region each seal covers -- grown to every line it touches -- is
read again from a copy where every red stroke is paper (the brightest channel of each
pixel: red ink is bright in red, black print dark in all three), those lines replace the
first reading's there, and the page is parsed again. The crop grows where a line read in it
reaches its side (a crop through ``164.0元`` reads ``4.0元``); a line still cut is not
taken. The second parse is kept only when it has more of the key fields and valid tax IDs
and changes none the first one had.

A party name read from a line that a seal's outline crosses is read again the same way
(the stamp's strokes through its characters are why OCR misreads a name it reads clean
elsewhere); the name of the seal-free reading is taken when validation finds the second
parse no worse, it changes no other field the first had right, and the name is not a
seal caption, imprint, title or label. An amount read from a line the outline crosses is
read again too, and the seal-free amount taken only where it holds all the first one's
digits and more (the stamp hid some: ``票价1`` for ``票价17.5元``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from decimal import Decimal

import numpy as np
from PIL import Image

from extraction.checksums import resident_id_is_valid, uscc_is_valid
from extraction.engines.base import OcrLine
from extraction.parsing.normalize import digits_only, squash
from extraction.parsing.result import Parsed
from extraction.preprocess import SEAL_MIN_RING, Seal, find_seals
from extraction.sanity import not_a_party
from extraction.schema import DocumentType

_VAT = frozenset(
    {
        DocumentType.VAT_SPECIAL,
        DocumentType.VAT_GENERAL,
        DocumentType.VAT_ELECTRONIC,
        DocumentType.DIGITAL_INVOICE,
    }
)
_TAX_IDS = ("seller_tax_id", "buyer_tax_id")
# A seal's box grows by this share of its size before the lines it touches are taken.
_SEAL_MARGIN = 0.05
# A line read in a region whose box comes this close (pixels) to a side of the crop was
# cut there; the side grows by this many of its heights (across the line: one), at most
# this many times.
_EDGE_PX = 2
_GROW_HEIGHTS = 4
_GROW_TRIES = 2


def key_fields(document_type: DocumentType) -> tuple[str, ...]:
    """The fields whose absence asks for a second reading of this kind of document."""
    if document_type in _VAT:
        return ("seller_name", "seller_tax_id", "total_amount", "issue_date")
    if document_type == DocumentType.RECEIPT:
        return ()
    return ("total_amount",)


def _tax_id_valid(value: object) -> bool:
    code = re.sub(r"\s", "", str(value or "")).upper()
    return uscc_is_valid(code) or resident_id_is_valid(code)


def quality(parsed: Parsed) -> tuple[int, set[str]]:
    """(key fields present + tax IDs passing their checksum - tax IDs failing it, the
    fields counted as good)."""
    good = {name for name in key_fields(parsed.document_type) if parsed.has(name)}
    points = len(good)
    for name in _TAX_IDS:
        if not parsed.has(name):
            continue
        if _tax_id_valid(getattr(parsed.fields, name)):
            good.add(name)
            points += 1
        else:
            good.discard(name)
            points -= 1
    return points, good


def wanted(parsed: Parsed) -> bool:
    """Whether the first parse lacks a key field or holds a tax ID failing its checksum."""
    if any(not parsed.has(name) for name in key_fields(parsed.document_type)):
        return True
    return any(
        parsed.has(name) and not _tax_id_valid(getattr(parsed.fields, name)) for name in _TAX_IDS
    )


def seal_free(image: Image.Image) -> Image.Image:
    """``image`` with red ink turned to paper: each pixel's brightest channel, in grey."""
    rgb = np.asarray(image.convert("RGB"))
    brightest = rgb.max(axis=2)
    return Image.fromarray(np.repeat(brightest[:, :, None], 3, axis=2))


def _bounds(line: OcrLine) -> tuple[float, float, float, float]:
    xs = [p[0] for p in line.box]
    ys = [p[1] for p in line.box]
    return min(xs), min(ys), max(xs), max(ys)


def _overlaps(a: Sequence[float], b: Sequence[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _area_share(inner: Sequence[float], outer: Sequence[float]) -> float:
    """Share of ``inner``'s area that lies inside ``outer``."""
    width = min(inner[2], outer[2]) - max(inner[0], outer[0])
    height = min(inner[3], outer[3]) - max(inner[1], outer[1])
    area = max((inner[2] - inner[0]) * (inner[3] - inner[1]), 1.0)
    return max(width, 0.0) * max(height, 0.0) / area


def seals_on(image: Image.Image) -> list[Seal]:
    """The page's seals (round or oval red stamps with most of their outline found)."""
    return [s for s in find_seals(np.asarray(image.convert("RGB"))) if s.ring >= SEAL_MIN_RING]


def seal_regions(
    image: Image.Image, lines: Sequence[OcrLine], seals: Sequence[Seal]
) -> list[tuple[int, int, int, int]]:
    """For each seal on the page, the box covering it and every line it touches."""
    width, height = image.size
    out: list[tuple[int, int, int, int]] = []
    for seal in seals:
        half = max(seal.axes) / 2 * (1 + _SEAL_MARGIN)
        cx, cy = seal.center
        region = [cx - half, cy - half, cx + half, cy + half]
        for line in lines:
            bounds = _bounds(line)
            if _overlaps(bounds, region):
                region = [
                    min(region[0], bounds[0]),
                    min(region[1], bounds[1]),
                    max(region[2], bounds[2]),
                    max(region[3], bounds[3]),
                ]
        box = (
            max(0, int(region[0]) - 4),
            max(0, int(region[1]) - 4),
            min(width, int(region[2]) + 5),
            min(height, int(region[3]) + 5),
        )
        if box[2] - box[0] >= 8 and box[3] - box[1] >= 8:
            out.append(box)
    return out


def _shifted(line: OcrLine, dx: float, dy: float) -> OcrLine:
    # The recogniser's per-character probabilities travel with the line: a value read
    # here is judged by its weakest glyph like one of the first reading.
    return replace(line, box=tuple((p[0] + dx, p[1] + dy) for p in line.box))


def _cut_sides(
    bounds: Sequence[float], region: Sequence[int], size: tuple[int, int]
) -> tuple[bool, bool, bool, bool]:
    """Which sides (left, top, right, bottom) of ``region`` cut through the line with these
    page bounds: its box reaches that side, and the side is not the page's own edge."""
    width, height = size
    return (
        region[0] > 0 and bounds[0] - region[0] <= _EDGE_PX,
        region[1] > 0 and bounds[1] - region[1] <= _EDGE_PX,
        region[2] < width and region[2] - bounds[2] <= _EDGE_PX,
        region[3] < height and region[3] - bounds[3] <= _EDGE_PX,
    )


def _read_whole(
    image: Image.Image,
    region: tuple[int, int, int, int],
    read: Callable[[Image.Image], list[OcrLine]],
    lines: Sequence[OcrLine],
) -> tuple[tuple[int, int, int, int], list[OcrLine], list[OcrLine]]:
    """(the region grown until no line read in it is cut at its sides, the lines read
    whole there, the lines still cut after the last try).

    A crop's side through a line the first reading missed (a fare under the seal) makes
    OCR read only the part inside: ``164.0元`` comes back as ``4.0元``, a valid amount
    that is wrong. A cut side grows by a few text heights and the region is read again.
    """
    width, height = image.size
    for attempt in range(_GROW_TRIES + 1):
        fresh = [
            _shifted(line, region[0], region[1])
            for line in read(seal_free(image.crop(region)))
            if line.text.strip()
        ]
        # A line the first reading read there whole (the region was grown to it) is not cut
        # by a few pixels of a wider box this time.
        sides = {
            id(line): _cut_sides(_bounds(line), region, image.size)
            for line in fresh
            if not any(_area_share(_bounds(line), _bounds(old)) > 0.5 for old in lines)
        }
        cut = [line for line in fresh if any(sides.get(id(line), ()))]
        if not cut or attempt == _GROW_TRIES:
            break
        grown = list(region)
        for line in cut:
            bounds = _bounds(line)
            step = bounds[3] - bounds[1]
            left, top, right, bottom = sides[id(line)]
            if left:
                grown[0] = min(grown[0], int(region[0] - _GROW_HEIGHTS * step))
            if right:
                grown[2] = max(grown[2], int(region[2] + _GROW_HEIGHTS * step) + 1)
            if top:
                grown[1] = min(grown[1], int(region[1] - step))
            if bottom:
                grown[3] = max(grown[3], int(region[3] + step) + 1)
        region = (max(0, grown[0]), max(0, grown[1]), min(width, grown[2]), min(height, grown[3]))
    whole = [line for line in fresh if line not in cut]
    return region, whole, cut


def reread_lines(
    image: Image.Image,
    lines: Sequence[OcrLine],
    read: Callable[[Image.Image], list[OcrLine]],
    seals: Sequence[Seal] | None = None,
) -> list[OcrLine] | None:
    """The page's lines with every seal region read again from a seal-free copy; ``None``
    when there is no seal."""
    regions = seal_regions(image, lines, seals_on(image) if seals is None else seals)
    if not regions:
        return None
    merged = list(lines)
    for first in regions:
        region, fresh, cut = _read_whole(image, first, read, lines)
        # A line belongs to the region when most of it lies inside; the others stay, and
        # so does the first reading where the region still cuts a line (a part of a value
        # is no second reading of it).
        kept = [
            line
            for line in merged
            if _area_share(_bounds(line), region) < 0.5
            or any(_overlaps(_bounds(line), _bounds(part)) for part in cut)
        ]
        # What the crop cut off at its edge is already read whole by a kept line.
        fresh = [
            line
            for line in fresh
            if not any(_area_share(_bounds(line), _bounds(old)) > 0.5 for old in kept)
        ]
        merged = kept + fresh
    return merged


def under_seals(
    image: Image.Image,
    lines: Sequence[OcrLine],
    parsed: Parsed,
    *,
    read: Callable[[Image.Image], list[OcrLine]],
    parse: Callable[[list[OcrLine]], Parsed],
) -> tuple[list[OcrLine], Parsed] | None:
    """A second reading under the page's seals and its parse, when the first parse wants
    one and the second is better by validation (see the module docstring); else ``None``."""
    missing = wanted(parsed)
    if not missing and not any(parsed.has(name) for name in (*_NAMES, *_AMOUNTS)):
        return None
    seals = seals_on(image)
    covered = (
        set()
        if missing
        else names_under_seals(lines, parsed, seals) | amounts_under_seals(lines, parsed, seals)
    )
    if not missing and not covered:
        return None
    again = reread_lines(image, lines, read, seals)
    if again is None:
        return None
    second = parse(again)
    if second.document_type != parsed.document_type:
        return None
    before, kept = quality(parsed)
    after, now = quality(second)
    if after < before or (after == before and not covered) or not kept <= now:
        return None
    # A field the first reading had right by validation stays as it was read; a name the
    # seal covered is taken from the reading without the seal.
    if any(getattr(parsed.fields, name) != getattr(second.fields, name) for name in kept - covered):
        return None
    names = covered.intersection(_NAMES)
    if any(not second.has(name) or not_a_party(getattr(second.fields, name)) for name in names):
        return None
    # An amount the seal covered is taken from the seal-free reading only where it holds
    # the first reading's digits and more: a stamp hides digits, it adds none, and a crop
    # or a stroke that loses some makes a shorter value, never a longer one.
    amounts = covered - names
    if any(not _extends(getattr(parsed.fields, n), getattr(second.fields, n)) for n in amounts):
        return None
    # Only an amount asked for this reading, and it reads the same: nothing to take.
    if (
        amounts
        and amounts == covered
        and all(getattr(parsed.fields, n) == getattr(second.fields, n) for n in amounts)
    ):
        return None
    return again, second


_NAMES = ("seller_name", "buyer_name")
_AMOUNTS = ("total_amount",)


def amounts_under_seals(
    lines: Sequence[OcrLine], parsed: Parsed, seals: Sequence[Seal]
) -> set[str]:
    """The amounts read from a line a seal's outline crosses: the stamp may hide some of
    its digits (``票价17.5元`` read as ``票价1``)."""
    out = set()
    for name in _AMOUNTS:
        at = [lines[i] for i in parsed.boxes.get(name, ()) if 0 <= i < len(lines)]
        if parsed.has(name) and any(_crosses(line, seal) for line in at for seal in seals):
            out.add(name)
    return out


def _digits(value: object) -> str:
    try:
        text = format(Decimal(str(value)).normalize(), "f")
    except (ArithmeticError, ValueError):
        text = str(value)
    return digits_only(text) or ""


def _extends(first: object, second: object) -> bool:
    """Whether ``second`` is ``first`` or holds all of its digits and more, in a row."""
    if first == second:
        return True
    if second is None:
        return False
    before, after = _digits(first), _digits(second)
    return bool(before) and before in after and len(after) > len(before)


def names_under_seals(lines: Sequence[OcrLine], parsed: Parsed, seals: Sequence[Seal]) -> set[str]:
    """The party names read from a line a seal's ink covers (its box inside the seal's
    outline): the stamp's red strokes cross the characters and OCR misreads them."""
    present = [name for name in _NAMES if parsed.has(name)]
    if not present or not seals:
        return set()
    out = set()
    for name in present:
        value = squash(str(getattr(parsed.fields, name)))
        for line in lines:
            if value and value in squash(line.text) and any(_crosses(line, s) for s in seals):
                out.add(name)
    return out


def _crosses(line: OcrLine, seal: Seal) -> bool:
    """Whether part of the line lies inside the seal's outline (the ellipse, not its box)."""
    x0, y0, x1, y1 = _bounds(line)
    cx, cy = seal.center
    a, b = seal.axes[0] / 2, seal.axes[1] / 2
    turn = np.radians(seal.angle)
    for x in np.linspace(x0, x1, 12):
        for y in (y0, (y0 + y1) / 2, y1):
            dx, dy = x - cx, y - cy
            u = dx * np.cos(turn) + dy * np.sin(turn)
            v = -dx * np.sin(turn) + dy * np.cos(turn)
            if (u / a) ** 2 + (v / b) ** 2 <= 1.0:
                return True
    return False


__all__ = [
    "amounts_under_seals",
    "names_under_seals",
    "quality",
    "reread_lines",
    "seal_free",
    "seal_regions",
    "seals_on",
    "under_seals",
    "wanted",
]
