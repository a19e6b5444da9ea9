"""Several documents in one photo: the sheets of paper lying on a table, found by geometry.

People lay train tickets, taxi receipts or shop receipts side by side and take one photo.
Each sheet is a bright, nearly rectangular region whose edge is a step from the table's
colour to the paper's. On a copy at most ``ANALYSIS_SIDE`` px long:

1. edges of the brightness and of each colour axis (Canny): a light-blue ticket on a
   beige table differs little in brightness;
2. the outer contours of the edge map, closed by a small dilation (then, where nothing
   was found, by a wider one that joins a faint sheet's broken outline): a sheet's
   outline encloses its own print, so the print is no separate candidate;
3. a candidate is a sheet when it covers at least ``MIN_AREA`` of the picture, fills
   most of its bounding rotated rectangle (``MIN_RECTANGULARITY``: seals are round),
   and all along its outline the paper just inside differs in colour from what lies
   just outside and is not darker (``MIN_STEP``, compared point by point, so shadows
   across the picture do not matter). Print inside a page (a form's frame, a logo block,
   a QR code) has the same paper on both sides of its outline, or darker print inside,
   so a flat scan or a single invoice never yields two sheets.

Only two or more sheets split a photo; a single sheet, or a white document on a white
desk (no step to see), is read as one document exactly as before. Each sheet is cut out
of the full picture with its perspective undone (its four corners mapped to a
rectangle), so a part reads like a flat scan.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from extraction import page_split
from extraction.engines.base import PreparedDocument
from extraction.machine import qr
from extraction.preprocess import shrunk

ANALYSIS_SIDE = 1024
MIN_AREA = 0.02  # of the picture, per sheet
MAX_AREA = 0.9
MIN_RECTANGULARITY = 0.85
# Just inside a sheet's outline the paper differs this much in colour (CIELAB distance,
# 0-255 scale) from just outside it (median along the outline), at least half as much
# along ``MIN_ALONG`` of it, and is never more than ``MAX_DARKER`` darker.
MIN_STEP = 14.0
MAX_DARKER = 4.0
MIN_ALONG = 0.7
MAX_PARTS = 12
# Dilation (px at ``ANALYSIS_SIDE``) that joins a faint sheet's broken outline.
GROW_WIDE = 11


@dataclass(frozen=True)
class Sheet:
    """One sheet of paper in a picture, in that picture's pixels."""

    box: tuple[int, int, int, int]  # x0, y0, x1, y1 (exclusive)
    quad: tuple[tuple[float, float], ...]  # corners: top-left, top-right, bottom-right, bottom-left

    def scaled(self, factor: float, width: int, height: int) -> Sheet:
        quad = tuple((x * factor, y * factor) for x, y in self.quad)
        x0, y0, x1, y1 = self.box
        return Sheet(
            box=(
                max(0, int(x0 * factor)),
                max(0, int(y0 * factor)),
                min(width, int(np.ceil(x1 * factor))),
                min(height, int(np.ceil(y1 * factor))),
            ),
            quad=quad,
        )


def find_sheets(image: Image.Image) -> list[Sheet]:
    """The sheets of paper on a table in ``image`` (see the module docstring), in reading
    order; an empty list when there is no clear sheet."""
    rgb = np.asarray(image.convert("RGB"))
    height, width = rgb.shape[:2]
    small, factor = shrunk(rgb, ANALYSIS_SIDE)
    found = [s.scaled(1 / factor, width, height) for s in _sheets(small)]
    return _reading_order(found)


def split_photo(image: Image.Image) -> list[tuple[Sheet, Image.Image]]:
    """Each sheet and its picture (perspective undone) when ``image`` shows two or more
    sheets; an empty list otherwise (one document: read it whole)."""
    sheets = find_sheets(image)
    if len(sheets) < 2:
        return []
    rgb = np.asarray(image.convert("RGB"))
    return [(sheet, Image.fromarray(rectify(rgb, sheet.quad))) for sheet in sheets]


def rectify(rgb: np.ndarray, quad: tuple[tuple[float, float], ...]) -> np.ndarray:
    """The quadrilateral ``quad`` (tl, tr, br, bl) of ``rgb`` mapped onto a rectangle."""
    corners = np.array(quad, dtype=np.float32)
    tl, tr, br, bl = corners
    out_w = round(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    out_h = round(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    out_w, out_h = max(out_w, 1), max(out_h, 1)
    target = np.array([[0, 0], [out_w, 0], [out_w, out_h], [0, out_h]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners, target)
    warped = cv2.warpPerspective(
        rgb, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    return np.asarray(warped, dtype=np.uint8)


def _edges(small: np.ndarray) -> np.ndarray:
    """Edges of the brightness and of each colour axis: a light-blue ticket on a beige
    table differs little in brightness, and not at all in colour saturation."""
    lab = cv2.cvtColor(small, cv2.COLOR_RGB2LAB)
    edges = np.asarray(cv2.Canny(cv2.GaussianBlur(lab[..., 0], (5, 5), 0), 20, 60))
    for axis in (1, 2):
        edges = edges | np.asarray(cv2.Canny(cv2.GaussianBlur(lab[..., axis], (5, 5), 0), 8, 24))
    return np.asarray(edges, dtype=np.uint8)


def _sheets(small: np.ndarray) -> list[Sheet]:
    height, width = small.shape[:2]
    lab = cv2.blur(cv2.cvtColor(small, cv2.COLOR_RGB2LAB), (3, 3)).astype(np.float32)
    edges = _edges(small)
    accepted: list[tuple[np.ndarray, tuple[tuple[float, float], ...]]] = []
    # First outlines closed by a small dilation; then, where no sheet was found, a larger
    # one joins a faint sheet's broken outline with its print (it would also join sheets
    # lying close together, so it only fills in what the first pass left).
    for grow, fill_in in ((3, False), (GROW_WIDE, True)):
        closed = cv2.dilate(edges, np.ones((grow, grow), np.uint8))
        for hull, rect in _candidates(closed, float(height * width)):
            cx, cy = rect[0]
            if any(cv2.pointPolygonTest(other, (cx, cy), False) >= 0 for other, _ in accepted):
                continue
            if fill_in and any(_overlap(hull, other, (height, width)) for other, _ in accepted):
                continue
            if not _paper_step(lab, hull, margin=grow // 2):
                continue
            accepted.append((hull, _corners(hull, rect)))
            if len(accepted) > MAX_PARTS:
                return []
    out = []
    for hull, quad in accepted:
        x, y, w, h = cv2.boundingRect(hull)
        out.append(Sheet(box=(x, y, x + w, y + h), quad=quad))
    return out


def _candidates(edges: np.ndarray, area: float) -> list[tuple[np.ndarray, tuple]]:
    """Outer contours of the edge map of sheet size and shape, largest first (a candidate
    inside an accepted sheet is that sheet's print)."""
    contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    found = []
    for contour in contours:
        hull = cv2.convexHull(contour)
        hull_area = cv2.contourArea(hull)
        if not MIN_AREA * area <= hull_area <= MAX_AREA * area:
            continue
        rect = cv2.minAreaRect(hull)
        rect_area = rect[1][0] * rect[1][1]
        if rect_area <= 0 or hull_area / rect_area < MIN_RECTANGULARITY:
            continue
        found.append((hull_area, hull, rect))
    found.sort(key=lambda c: -c[0])
    return [(hull, rect) for _, hull, rect in found]


def _overlap(a: np.ndarray, b: np.ndarray, shape: tuple[int, int]) -> bool:
    first = np.zeros(shape, np.uint8)
    second = np.zeros(shape, np.uint8)
    cv2.fillPoly(first, [a], 1)
    cv2.fillPoly(second, [b], 1)
    return bool((first & second).sum() > 0.02 * min(first.sum(), second.sum()))


def _paper_step(lab: np.ndarray, hull: np.ndarray, margin: int = 0) -> bool:
    """Whether the outline is the edge of a sheet: all along it, the paper just inside
    clearly differs in colour from what lies just outside and is not darker. Compared
    point by point along the outline, so a shadow or light falling across the picture
    does not matter. ``margin``: how far the outline may lie outside the paper (the
    dilation that closed it)."""
    height, width = lab.shape[:2]
    polygon = hull.reshape(-1, 2).astype(np.float32)
    _, _, w, h = cv2.boundingRect(hull)
    offset = max(3.0, 0.025 * min(w, h))
    center = polygon.mean(axis=0)
    inside: list[tuple[int, int]] = []
    outside: list[tuple[int, int]] = []
    for start, end in zip(polygon, np.roll(polygon, -1, axis=0), strict=True):
        length = float(np.linalg.norm(end - start))
        if length < 2 * offset:
            continue
        direction = (end - start) / length
        normal = np.array([direction[1], -direction[0]], dtype=np.float32)
        if np.dot((start + end) / 2 - center, normal) < 0:
            normal = -normal
        # Points along the middle of the edge (its ends are corners, blurred both ways).
        for t in np.linspace(0.15, 0.85, max(2, int(length / (2 * offset)))):
            point = start + (end - start) * t
            xi, yi = (point - normal * (offset + margin)).round().astype(int)
            xo, yo = (point + normal * offset).round().astype(int)
            if 0 <= xo < width and 0 <= yo < height and 0 <= xi < width and 0 <= yi < height:
                inside.append((yi, xi))
                outside.append((yo, xo))
    if len(inside) < 12:
        return False
    rows_in, cols_in = np.array(inside).T
    rows_out, cols_out = np.array(outside).T
    paper = lab[rows_in, cols_in]
    table = lab[rows_out, cols_out]
    distance = np.linalg.norm(paper - table, axis=1)
    # Print inside a page is darker than the paper around it: a darker inside is no sheet.
    distance[paper[:, 0] < table[:, 0] - MAX_DARKER] = 0.0
    return (
        float(np.median(distance)) >= MIN_STEP
        and float(np.mean(distance >= MIN_STEP / 2)) >= MIN_ALONG
    )


def _corners(hull: np.ndarray, rect: tuple) -> tuple[tuple[float, float], ...]:
    """The sheet's four corners (tl, tr, br, bl): the hull simplified to a quadrilateral
    when it is one (perspective kept), else the rotated bounding rectangle."""
    perimeter = cv2.arcLength(hull, True)
    points = None
    for share in (0.01, 0.02, 0.03, 0.05):
        approx = cv2.approxPolyDP(hull, share * perimeter, True)
        if len(approx) == 4 and cv2.isContourConvex(approx):
            if cv2.contourArea(approx) >= 0.95 * cv2.contourArea(hull):
                points = approx.reshape(4, 2).astype(np.float32)
            break
    if points is None:
        points = cv2.boxPoints(rect).astype(np.float32)
    return _order(points)


def _order(points: np.ndarray) -> tuple[tuple[float, float], ...]:
    """tl, tr, br, bl: the corner nearest the picture's top-left first, clockwise."""
    center = points.mean(axis=0)
    angles = np.arctan2(points[:, 1] - center[1], points[:, 0] - center[0])
    clockwise = points[np.argsort(angles)]  # image y points down: ascending angle is clockwise
    start = int(np.argmin(clockwise[:, 0] + clockwise[:, 1]))
    ordered = np.roll(clockwise, -start, axis=0)
    return tuple((float(x), float(y)) for x, y in ordered)


def _reading_order(sheets: list[Sheet]) -> list[Sheet]:
    """Rows top to bottom (a sheet whose middle lies within a row's height joins it),
    each row left to right."""
    rows: list[list[Sheet]] = []
    for sheet in sorted(sheets, key=lambda s: s.box[1]):
        middle = (sheet.box[1] + sheet.box[3]) / 2
        for row in rows:
            if row[0].box[1] <= middle <= row[0].box[3]:
                row.append(sheet)
                break
        else:
            rows.append([sheet])
    return [sheet for row in rows for sheet in sorted(row, key=lambda s: s.box[0])]


# -- parts of a document ------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentPart:
    """One of several documents found in a photo."""

    index: int  # 1-based, in reading order
    region: tuple[int, int, int, int]  # x0, y0, x1, y1 in the upright picture as uploaded
    image: Image.Image  # the sheet alone, its perspective undone


def document_parts(
    document: PreparedDocument, *, picture_size: tuple[int, int] | None = None
) -> list[DocumentPart]:
    """The documents lying side by side in a one-page picture (sheets on a table, or
    documents pasted on one white page: ``extraction.page_split``); an empty list when it
    shows one document (or is no picture: a PDF with a text layer, an OFD or XML).

    ``picture_size``: the upright picture's size as uploaded, when the page was decoded
    at a reduced scale (regions are given in the uploaded picture's pixels).
    """
    if len(document.pages) != 1 or document.text_layer or document.page_lines:
        return []
    if any(reading.complete for reading in document.machine):
        return []
    page = document.pages[0]
    factor = picture_size[0] / page.width if picture_size else 1.0
    parts = []
    # Sheets on a table first; else documents pasted on one white page (no paper edge).
    found = [(sheet.box, image) for sheet, image in split_photo(page)] or [
        (cluster.box, image) for cluster, image in page_split.split_page(page)
    ]
    for index, (box, image) in enumerate(found, start=1):
        x0, y0, x1, y1 = box
        region = (
            int(x0 * factor),
            int(y0 * factor),
            min(int(np.ceil(x1 * factor)), picture_size[0] if picture_size else page.width),
            min(int(np.ceil(y1 * factor)), picture_size[1] if picture_size else page.height),
        )
        parts.append(DocumentPart(index=index, region=region, image=image))
    return parts


def part_document(part: DocumentPart, *, source: str, read_qr: bool = True) -> PreparedDocument:
    """A part prepared like an uploaded picture of it (its own QR codes read)."""
    prepared = PreparedDocument(source=f"{source}#part{part.index}", pages=[part.image])
    if read_qr:
        prepared.machine.extend(qr.read_pages([part.image]))
    return prepared


def upright_size(data: bytes) -> tuple[int, int] | None:
    """A picture's size as a viewer shows it (EXIF rotation applied), from its header
    alone; ``None`` when it is no picture Pillow opens."""
    from extraction import images

    try:
        with images.open_image(data) as image:
            width, height = image.size
            orientation = image.getexif().get(0x0112, 1)
    except Exception:  # not a picture (PDF, OFD, XML), or a damaged one
        return None
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)
