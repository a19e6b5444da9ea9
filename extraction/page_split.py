"""Several documents on one white page: clusters of print separated by wide empty gutters.

People glue receipts or tickets onto a sheet and scan it: white paper on white paper,
no edge for ``extraction.photo_split`` to see. What separates the documents is empty
page, much wider than any gap inside one document. On a copy at most ``ANALYSIS_SIDE``
px long:

1. the page's white is its bright end (``PAGE_PERCENTILE``); a page that is not mostly
   bright and blank is no page of pasted documents;
2. content is whatever differs from that white: ink, and a tinted ticket's own paper;
3. the text height ``h`` is the upper quartile of the ink's letter-sized components'
   heights (commas, dots and specks are many and small);
4. content is grown by ``GUTTER_HEIGHTS`` * ``h`` / 2 each way: a gap narrower than that
   (between words, columns, lines, sections of one document) closes; grown clusters
   whose boxes overlap or lie within ``MERGE_HEIGHTS`` * ``h`` are joined (a ticket's
   columns, a QR code beside its text); each remaining group is a candidate;
5. the page splits only when two or more candidates each look like a document of their
   own (``MIN_WIDTH_HEIGHTS`` x ``MIN_HEIGHT_HEIGHTS`` text heights, ``MIN_LINES``
   lines of text, print no denser than ``MAX_INK_DENSITY``: a scanner's shaded edge is
   no document), of comparable size (``MIN_SIZE_RATIO`` of the largest), together
   holding nearly all of the page's ink (``MIN_INK_SHARE``: a stray piece of print, a
   price column or a stamp, leaves the page whole), every gutter wider than the widest
   gap inside the documents beside it (``GUTTER_RATIO``), and two of them side by side:
   pieces only one above another in one column are what a long receipt torn or folded
   onto the scanner looks like, and stay one document.

A single document (a receipt, a VAT form with its wide blank fields) therefore stays one.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from extraction.preprocess import shrunk

ANALYSIS_SIDE = 1600
PAGE_PERCENTILE = 90
MIN_PAGE_WHITE = 170  # the page's white, 0-255
MIN_BLANK_SHARE = 0.35  # of the page: a page of pasted documents shows blank paper
INK_STEP = 60  # darker than the page's white by this much: ink
TINT_STEP = 14.0  # CIELAB distance from the page's white: a tinted paper or print
GUTTER_HEIGHTS = 3.0
MERGE_HEIGHTS = 1.0  # grown boxes this close (text heights) are one document
MIN_WIDTH_HEIGHTS = 10
MIN_HEIGHT_HEIGHTS = 6
MIN_LINES = 5
MAX_INK_DENSITY = 0.2  # of a document's box: print, not a scanner's shaded edge
MIN_SIZE_RATIO = 0.35
GUTTER_RATIO = 1.0  # a gutter is this much wider than any gap inside its documents
MIN_INK_SHARE = 0.97
MAX_PARTS = 12
PAD_HEIGHTS = 0.8  # around a document's print when it is cut out


@dataclass(frozen=True)
class Cluster:
    """One document's print on a page, in that page's pixels."""

    box: tuple[int, int, int, int]  # x0, y0, x1, y1 (exclusive)


def find_documents(image: Image.Image) -> list[Cluster]:
    """The separate documents pasted on one page (see the module docstring), in reading
    order; an empty list when the page holds one document (or is no white page)."""
    rgb = np.asarray(image.convert("RGB"))
    height, width = rgb.shape[:2]
    small, factor = shrunk(rgb, ANALYSIS_SIDE)
    boxes = _clusters(small)
    if len(boxes) < 2:
        return []
    out = []
    for x0, y0, x1, y1 in boxes:
        out.append(
            Cluster(
                box=(
                    max(0, int(x0 / factor)),
                    max(0, int(y0 / factor)),
                    min(width, int(np.ceil(x1 / factor))),
                    min(height, int(np.ceil(y1 / factor))),
                )
            )
        )
    return _reading_order(out)


def split_page(image: Image.Image) -> list[tuple[Cluster, Image.Image]]:
    """Each document and its picture (cut out of ``image``) when the page holds two or
    more; an empty list otherwise (one document: read it whole)."""
    clusters = find_documents(image)
    rgb = image.convert("RGB")
    return [(cluster, rgb.crop(cluster.box)) for cluster in clusters]


def _clusters(small: np.ndarray) -> list[tuple[int, int, int, int]]:
    height, width = small.shape[:2]
    lab = cv2.cvtColor(cv2.medianBlur(small, 3), cv2.COLOR_RGB2LAB).astype(np.float32)
    lightness = lab[..., 0]
    white_l = float(np.percentile(lightness, PAGE_PERCENTILE))
    if white_l < MIN_PAGE_WHITE:
        return []
    page_white = np.median(lab[lightness >= white_l], axis=0)
    content = np.linalg.norm(lab - page_white, axis=2) >= TINT_STEP
    if float(content.mean()) > 1 - MIN_BLANK_SHARE:
        return []
    ink = (lightness <= white_l - INK_STEP).astype(np.uint8)
    text_h = _text_height(ink)
    if text_h is None:
        return []
    pad = max(1, round(GUTTER_HEIGHTS * text_h / 2))
    grown = cv2.dilate(content.astype(np.uint8), np.ones((2 * pad + 1, 2 * pad + 1), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(grown, connectivity=8)
    if count - 1 < 2 or count - 1 > 4 * MAX_PARTS:
        return []
    total_ink = int(ink.sum())
    if total_ink == 0:
        return []
    grown_boxes = [tuple(int(v) for v in (x, y, x + w, y + h)) for x, y, w, h, _ in stats[1:]]
    documents = []
    for members, (gx0, gy0, gx1, gy1) in _merge_boxes(grown_boxes, round(MERGE_HEIGHTS * text_h)):
        # The grown box less the growth: the print's own extent.
        x0, y0 = min(gx0 + pad, width - 1), min(gy0 + pad, height - 1)
        x1, y1 = max(x0 + 1, gx1 - pad), max(y0 + 1, gy1 - pad)
        own = np.isin(labels[y0:y1, x0:x1], [m + 1 for m in members])
        own_ink = ink[y0:y1, x0:x1] & own
        if (x1 - x0) < MIN_WIDTH_HEIGHTS * text_h or (y1 - y0) < MIN_HEIGHT_HEIGHTS * text_h:
            continue
        if _lines(own_ink) < MIN_LINES or own_ink.mean() > MAX_INK_DENSITY:
            continue
        documents.append(((x0, y0, x1, y1), int(own_ink.sum()), _widest_gaps(own_ink)))
    if not 2 <= len(documents) <= MAX_PARTS:
        return []
    if sum(ink_sum for _, ink_sum, _ in documents) < MIN_INK_SHARE * total_ink:
        return []
    areas = [(b[2] - b[0]) * (b[3] - b[1]) for b, _, _ in documents]
    if min(areas) < MIN_SIZE_RATIO * max(areas):
        return []
    if not _gutters_wide(documents) or not _side_by_side(documents):
        return []
    margin = round(PAD_HEIGHTS * text_h)
    return [
        (
            max(0, b[0] - margin),
            max(0, b[1] - margin),
            min(width, b[2] + margin),
            min(height, b[3] + margin),
        )
        for b, _, _ in documents
    ]


def _merge_boxes(
    boxes: list[tuple[int, ...]], reach: int
) -> list[tuple[list[int], tuple[int, int, int, int]]]:
    """Boxes that overlap or lie within ``reach`` of each other, joined until none do:
    the pieces of one document whose own gaps are wide (a ticket's columns, a QR code
    beside its text) lie inside or against each other's extent; separate documents on a
    page lie apart. Each result: the indices joined and their common box."""
    groups = [([i], (b[0], b[1], b[2], b[3])) for i, b in enumerate(boxes)]
    merged = True
    while merged:
        merged = False
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                a, b = groups[i][1], groups[j][1]
                if (
                    a[0] - reach < b[2]
                    and b[0] - reach < a[2]
                    and a[1] - reach < b[3]
                    and b[1] - reach < a[3]
                ):
                    box = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
                    groups[i] = (groups[i][0] + groups[j][0], box)
                    del groups[j]
                    merged = True
                    break
            if merged:
                break
    return groups


def _widest_gaps(ink: np.ndarray) -> tuple[int, int]:
    """The widest blank run between print inside one document: across its columns
    (x) and between its lines (y)."""
    return _widest_run(ink.sum(axis=0) == 0), _widest_run(ink.sum(axis=1) == 0)


def _widest_run(blank: np.ndarray) -> int:
    """The longest run of ``True`` with print on both sides of it."""
    marked = np.flatnonzero(~blank)
    if len(marked) < 2:
        return 0
    return int(np.diff(marked).max() - 1)


def _gutters_wide(documents: list[tuple[tuple[int, int, int, int], int, tuple[int, int]]]) -> bool:
    """Whether every gutter between neighbouring documents (side by side or one above
    the other) is ``GUTTER_RATIO`` times wider than the widest gap inside either of them
    in that direction: sections of one receipt are apart by little more than its lines."""
    for i, (a, _, gaps_a) in enumerate(documents):
        for b, _, gaps_b in documents[i + 1 :]:
            gap_x = max(a[0], b[0]) - min(a[2], b[2])
            gap_y = max(a[1], b[1]) - min(a[3], b[3])
            if gap_y > 0 and gap_x < 0 and gap_y < GUTTER_RATIO * max(gaps_a[1], gaps_b[1]):
                return False
            if gap_x > 0 and gap_y < 0 and gap_x < GUTTER_RATIO * max(gaps_a[0], gaps_b[0]):
                return False
    return True


def _side_by_side(documents: list[tuple[tuple[int, int, int, int], int, tuple[int, int]]]) -> bool:
    """Whether two of the documents lie side by side (apart across the page): pieces
    only one above the other in a single column are what a long receipt torn or folded
    to fit the scanner looks like, so such a page is read as one document."""
    for i, (a, _, _) in enumerate(documents):
        for b, _, _ in documents[i + 1 :]:
            if max(a[0], b[0]) >= min(a[2], b[2]):
                return True
    return False


def _text_height(ink: np.ndarray) -> float | None:
    """The height of the ink's letter-sized components (their upper quartile: commas,
    dots and scanner specks are many and small); ``None`` without text."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if count < 20:
        return None
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    widths = stats[1:, cv2.CC_STAT_WIDTH]
    letters = heights[(heights >= 4) & (heights <= 120) & (widths <= 3 * heights)]
    if len(letters) < 20:
        return None
    return float(np.percentile(letters, 75))


def _lines(ink: np.ndarray) -> int:
    """Runs of rows holding ink: the lines of text of one document."""
    rows = ink.sum(axis=1) > 0
    if not rows.any():
        return 0
    starts = np.flatnonzero(rows[1:] & ~rows[:-1])
    return int(len(starts) + (1 if rows[0] else 0))


def _reading_order(clusters: list[Cluster]) -> list[Cluster]:
    """Rows top to bottom (a document whose middle lies within a row's height joins
    it), each row left to right."""
    rows: list[list[Cluster]] = []
    for cluster in sorted(clusters, key=lambda c: c.box[1]):
        middle = (cluster.box[1] + cluster.box[3]) / 2
        for row in rows:
            if row[0].box[1] <= middle <= row[0].box[3]:
                row.append(cluster)
                break
        else:
            rows.append([cluster])
    return [cluster for row in rows for cluster in sorted(row, key=lambda c: c.box[0])]
