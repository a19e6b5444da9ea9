"""A receipt's name and total read a second time, by the other OCR model, from a wider crop.

A receipt's seller name is read once and nothing else on the receipt checks it: no tax
ID, no 大写, no arithmetic. What goes wrong with it on real receipts is a letter the
detector left out of the line's box (``ESTARI CAFE`` for ``RESTARI CAFE``) or one the
recogniser dropped or misread. So each line a key field was read from is cut out again
from the page, widened along the line by ``MARGIN_ALONG`` of its height each way (a letter
the box cut off is back in) and a little across, and read by the *other* recogniser
(PP-OCRv4 when the page was read by PP-OCRv6, and the other way round): a different
network, trained apart, whose errors are not the first one's. When the second reading
holds the value where the first did, with the same letters and digits (case, spaces and
punctuation aside; ``same_value``), the value passed ``calibration.REREAD``; otherwise
it is ``calibration.UNCONFIRMED``, its own class of evidence. Nothing is replaced: a
disagreement only leaves the value as it was, read once. What a second
reading that agrees is worth is measured, like every other evidence, by the calibration
(``bench/calibrate.py``), not assumed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from PIL import Image

from extraction import calibration
from extraction.engines.base import OcrLine
from extraction.parsing.normalize import letters
from extraction.parsing.result import Parsed
from extraction.schema import DocumentType

# The fields read again, per document type: those no check on the document settles often.
# Not a receipt's date: its digits read once are already right as often as the threshold
# asks (measured: confirming them changed no straight-through decision).
READ_AGAIN: dict[DocumentType, tuple[str, ...]] = {
    DocumentType.RECEIPT: ("seller_name", "total_amount"),
}
# The crop grows by this share of the line's height at each end of the line ...
MARGIN_ALONG = 1.0
# ... and by this share above and below it.
MARGIN_ACROSS = 0.1
# A field read from more lines than this is not read again (a name is one or two lines).
MAX_LINES = 3

Crop = Callable[[np.ndarray, np.ndarray], list[np.ndarray]]
Read = Callable[[list[np.ndarray]], Sequence[tuple[str, float, object]]]


def wanted(parsed: Parsed) -> tuple[str, ...]:
    """The fields of ``parsed`` to read again: present, read (not computed), chosen
    without rivals, and not already verified by a cross-check of the document."""
    return tuple(
        name
        for name in READ_AGAIN.get(parsed.document_type, ())
        if parsed.has(name)
        and name not in parsed.computed_from_others
        and not calibration.CROSS_CHECKS & parsed.checks.get(name, set())
        # A second reading settles letters, not which of two names is the seller's.
        and parsed.rivals.get(name, 1) == 1
    )


def widened(box: Sequence[tuple[float, float]], size: tuple[int, int]) -> np.ndarray | None:
    """The line's four points (reading order: top-left, top-right, bottom-right,
    bottom-left) moved outwards by the margins along and across the line, inside the page;
    ``None`` for a degenerate box."""
    points = np.asarray(box, dtype=np.float64)
    if points.shape != (4, 2):
        return None
    along = points[1] - points[0]
    across = points[3] - points[0]
    length, height = float(np.linalg.norm(along)), float(np.linalg.norm(across))
    if length < 1 or height < 1:
        return None
    step_along = along / length * height * MARGIN_ALONG
    step_across = across * MARGIN_ACROSS
    grown = np.stack(
        [
            points[0] - step_along - step_across,
            points[1] + step_along - step_across,
            points[2] + step_along + step_across,
            points[3] - step_along + step_across,
        ]
    )
    width, page_height = size
    grown[:, 0] = np.clip(grown[:, 0], 0, width - 1)
    grown[:, 1] = np.clip(grown[:, 1], 0, page_height - 1)
    return grown.astype(np.float32)


def confirm(
    parsed: Parsed,
    lines: Sequence[OcrLine],
    image: Image.Image,
    *,
    crop: Crop,
    read: Read,
) -> tuple[str, ...]:
    """Read each wanted field's lines again (``read``: the other recogniser, over crops cut
    by ``crop`` from the page's BGR pixels); mark ``calibration.REREAD`` on the fields
    whose value the second reading holds as the first did (``same_value``), and
    ``calibration.UNCONFIRMED`` on the others (read otherwise, or from no lines that
    can be read again). Returns the fields confirmed."""
    names = wanted(parsed)
    confirmed = _confirmed(parsed, names, lines, image, crop=crop, read=read) if names else set()
    # Every wanted field ends confirmed or not: one left without either would fall among
    # the values read once elsewhere (tickets, VAT forms), which a second model never
    # doubted, and borrow their record.
    for name in names:
        parsed.passed(name, calibration.REREAD if name in confirmed else calibration.UNCONFIRMED)
    return tuple(name for name in names if name in confirmed)


def _confirmed(
    parsed: Parsed,
    names: Sequence[str],
    lines: Sequence[OcrLine],
    image: Image.Image,
    *,
    crop: Crop,
    read: Read,
) -> set[str]:
    """The fields among ``names`` whose lines the second reading holds alike."""
    readable_fields = [n for n in names if 0 < len(parsed.boxes.get(n, ())) <= MAX_LINES]
    indices = sorted(
        {i for name in readable_fields for i in parsed.boxes[name] if 0 <= i < len(lines)}
    )
    boxes = {i: grown for i in indices if (grown := widened(lines[i].box, image.size)) is not None}
    if not boxes:
        return set()
    # Only the part of the page the lines are on is converted (a photo is megapixels).
    readable = list(boxes)
    points = np.stack([boxes[i] for i in readable])
    left, top = np.floor(points.min(axis=(0, 1))).astype(int)
    right, bottom = np.ceil(points.max(axis=(0, 1))).astype(int) + 1
    part = image.crop((int(left), int(top), int(right), int(bottom))).convert("RGB")
    bgr = np.ascontiguousarray(np.asarray(part)[:, :, ::-1])
    crops = crop(bgr, points - np.array([left, top], dtype=np.float32))
    again = {i: str(text) for i, (text, _score, _chars) in zip(readable, read(crops), strict=True)}
    confirmed = set()
    for name in readable_fields:
        own = parsed.boxes[name]
        if not all(i in again for i in own):
            continue
        first = "".join(letters(lines[i].text) for i in own)
        second = "".join(letters(again[i]) for i in own)
        if same_value(letters(str(getattr(parsed.fields, name))), first, second):
            confirmed.add(name)
    return confirmed


def same_value(value: str, first: str, second: str) -> bool:
    """Whether the second reading of the lines (``second``) holds ``value`` as the first
    reading (``first``) does (all three as ``letters``).

    Where the value is part of what the first reading holds, the second must hold it at
    the same place: after the same letters before it (none when the value starts the
    line: a letter read there now is one the first box cut off), and followed by something
    when, and only when, the first reading had something after it (a registration number
    cut from a name, which the two models read differently for reasons that do not touch
    the name). A value not found as read (a date stored in another order than printed)
    is the same only when the two readings are.
    """
    if not value or not first:
        return False
    at = first.find(value)
    if at < 0:
        return first == second
    before, after = first[:at], first[at + len(value) :]
    if not second.startswith(before + value):
        return False
    return bool(after) == (len(second) > len(before + value))
