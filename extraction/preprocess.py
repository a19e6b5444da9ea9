"""Image preparation before an engine reads a page.

Each step below says what it was measured to do (bench on synthetic clean/photo pages,
cn-invoices-dev and SROIE dev; see the report in the pull request / README). Steps
that did not help are not applied by default.

- ``exif_transpose``: phones store pixels sideways plus an EXIF tag; RapidOCR ignores the
  tag (FACTS.md). Always applied; it is free.
- Orientation (90/180/270): not a pixel step. The OCR engine returns each box with its
  points in reading order (the text-direction classifier runs anyway), and
  ``rotation_from_lines`` turns that into the page rotation at no extra cost;
  ``upright`` rotates the pixels when an engine (the VLM) needs an upright image.
- Deskew of small angles: done on box coordinates by the layout parser (median angle
  of long boxes), which costs nothing; PP-OCR's detector already returns oriented
  quadrilaterals and cuts rotated crops, so rotating pixels did not change what it read.
- ``prepare_for_ocr``: caps the longest side at 2000 px (RapidOCR's own limit). No
  upscaling: on the 18 low-resolution synthetic photos (text 9-11 px) key fields were
  right 65/86 times unscaled vs 63/86 upscaled to 1100 px, 57/86 to 1600 px and 58/86 to
  2000 px, at +45% CPU; the detector already enlarges small inputs (min side 736) and
  the recogniser rescales every crop to 48 px. An unsharp mask made it worse (51/86), so
  there is no contrast/sharpening step either.
- Cropping the document out of the background: not applied. Re-reading the text region
  of the 30 SROIE receipts scanned on A4 at 4961x7016 px (text spans ~30% of the page)
  got 87/90 key fields right vs 88/90 without, for +23% CPU. Lower caps than 2000 px
  (1600, 1280) kept accuracy on 40 receipts + 30 synthetic pages (115 vs 114/120 and
  117/119 each) but the saving is in detection only; 2000 stays, RapidOCR's default.
- ``prepare_for_vlm``: longest side <= 1024 px by default (image tokens grow with pixels).
- ``suppress_seals`` (applied before OCR): red ink inside a detected seal ring is painted
  in the paper colour, so a stamp over a printed value no longer hides it. On 80
  synthetic pages it recovered 3 of 4 missed clean seller names (284 -> 287 of 288 key
  fields; photos and cn-invoices-dev unchanged), for ~20-100 ms per page. Red alone is
  not seal evidence (train serials and some forms' labels are printed red): only ring-
  shaped blobs count, and pages whose own print is seal-red are left alone. The parser
  also tells seal text apart by geometry (tilted arc boxes) and reads labels first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageOps

from extraction.engines.base import OcrLine

# RapidOCR's own max_side_len: larger inputs are shrunk inside it anyway.
OCR_MAX_SIDE = 2000
OCR_STRIP_ASPECT = 3
VLM_MAX_SIDE = 1024


def exif_transpose(image: Image.Image) -> Image.Image:
    """Apply the EXIF orientation tag to the pixels (a no-op without one)."""
    transposed = ImageOps.exif_transpose(image)
    return transposed if transposed is not None else image


def to_rgb(image: Image.Image) -> Image.Image:
    """RGB pixels; transparent areas become white (scans and screenshots come as RGBA/P)."""
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return image.convert("RGB")


def prepare_page(image: Image.Image) -> Image.Image:
    """What every engine gets: EXIF applied, RGB."""
    return to_rgb(exif_transpose(image))


def ocr_scale(width: int, height: int) -> float:
    """The scale (<= 1) of the OCR input: longest side at most ``OCR_MAX_SIDE``, except
    for long receipts (more than ``OCR_STRIP_ASPECT`` times longer than wide), whose
    shorter side is capped at ``OCR_MAX_SIDE / OCR_STRIP_ASPECT`` instead, so their text
    is not shrunk to nothing; the two rules meet at that aspect. The input stays bounded
    because ``extraction.images`` refuses strips past 20:1 (at most ~9 MP here)."""
    longest, shortest = max(width, height), max(1, min(width, height))
    if longest > OCR_STRIP_ASPECT * shortest:
        return min(1.0, OCR_MAX_SIDE / OCR_STRIP_ASPECT / shortest)
    return min(1.0, OCR_MAX_SIDE / longest)


def prepare_for_ocr(image: Image.Image) -> tuple[Image.Image, float]:
    """The image for the OCR engine and the scale applied (boxes divide by it)."""
    width, height = image.size
    scale = ocr_scale(width, height)
    if scale >= 1.0:
        return image, 1.0
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    # Pixel-area averaging: a proper downscale for text at well under half of Pillow's
    # Lanczos time (2481x3508 -> 2000 px: ~100 ms instead of ~250 ms, conversion included).
    # Same key fields on all 446 benchmark documents.
    shrunk = cv2.resize(np.asarray(to_rgb(image)), size, interpolation=cv2.INTER_AREA)
    return Image.fromarray(shrunk), size[0] / width


def prepare_for_vlm(image: Image.Image, max_side: int = VLM_MAX_SIDE) -> Image.Image:
    """Longest side at most ``max_side`` (never enlarged), RGB."""
    rgb = to_rgb(image)
    width, height = rgb.size
    longest = max(width, height)
    if longest <= max_side:
        return rgb
    scale = max_side / longest
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return rgb.resize(size, Image.Resampling.LANCZOS)


# -- orientation ------------------------------------------------------------------------


def text_direction(lines: Sequence[OcrLine]) -> tuple[int, float]:
    """(quadrant, residual skew) of the text, both in clockwise degrees.

    ``quadrant`` is 0, 90, 180 or 270: the direction in which most text runs (0 =
    left to right, upright). ``residual`` is the small skew left within that quadrant.
    Boxes must carry their points in reading order (as ``OcrEngine`` returns them).
    """
    weights = {0: 0.0, 90: 0.0, 180: 0.0, 270: 0.0}
    angles: dict[int, list[tuple[float, float]]] = {q: [] for q in weights}
    for line in lines:
        if len(line.box) < 4 or len(line.text.strip()) < 2:
            continue
        (x0, y0), (x1, y1), (x2, y2) = line.box[0][:2], line.box[1][:2], line.box[2][:2]
        run = math.hypot(x1 - x0, y1 - y0)
        across = math.hypot(x2 - x1, y2 - y1)
        if run < 1.5 * across:
            continue
        angle = math.degrees(math.atan2(y1 - y0, x1 - x0)) % 360
        quadrant = int(((angle + 45) % 360) // 90) * 90
        residual = (angle - quadrant + 180) % 360 - 180
        weights[quadrant] += run
        angles[quadrant].append((residual, run))
    quadrant = max(weights, key=lambda q: weights[q])
    if weights[quadrant] == 0:
        return 0, 0.0
    residuals = sorted(angles[quadrant])
    half = sum(w for _, w in residuals) / 2
    acc = 0.0
    residual = 0.0
    for value, weight in residuals:
        acc += weight
        if acc >= half:
            residual = value
            break
    return quadrant, residual


def rotation_from_lines(lines: Sequence[OcrLine]) -> int:
    """Clockwise degrees at which the page's text runs (0 for an upright page)."""
    return text_direction(lines)[0]


def upright(image: Image.Image, rotation: int) -> Image.Image:
    """Undo ``rotation`` (from ``rotation_from_lines``) on the pixels."""
    if rotation % 360 == 0:
        return image
    return image.rotate(rotation % 360, expand=True)


# -- seals --------------------------------------------------------------------------------

# "Seal red": strongly red with green and blue alike (brown form print has G > B).
_SEAL_RED_MARGIN = 50
# Share of a fitted ellipse's outline that must be red for a blob to be a seal ring.
SEAL_MIN_RING = 0.6
# More character-sized seal-red marks outside the seals: the form is printed red.
_RED_FORM_GLYPHS = 12
# Seal-red pixels this much darker (sum of RGB) than the seal's median are print.
_SEAL_DARKER = 60
# Seals are found on a copy this long (they are large; details do not matter).
_SEAL_SIDE = 1400


@dataclass(frozen=True)
class Seal:
    center: tuple[float, float]
    axes: tuple[float, float]  # full lengths, as cv2.fitEllipse returns them
    angle: float
    ring: float  # share of the outline found red (0..1)


def find_seals(rgb: np.ndarray) -> list[Seal]:
    """Round/oval red stamps (发票专用章, 监制章) on a page, by their red outline.

    Red pixels minus long straight lines (some forms print their grid in red) are
    merged into blobs; a blob of stamp size whose fitted ellipse has red pixels along
    most of its outline is a seal. Red text lines (train-ticket serials, red form
    labels) are too flat or have no ring, so they stay. Runs on a copy at most
    ``_SEAL_SIDE`` px long (~20 ms); coordinates are returned for ``rgb``.
    """
    height, width = rgb.shape[:2]
    factor = min(1.0, _SEAL_SIDE / max(height, width))
    small = (
        rgb
        if factor == 1.0
        else cv2.resize(
            rgb,
            (max(1, round(width * factor)), max(1, round(height * factor))),
            interpolation=cv2.INTER_AREA,
        )
    )
    red = _line_free_red(small)
    h, w = red.shape
    short = min(h, w)
    grow = max(3, short // 60)
    blobs = cv2.dilate(red, np.ones((grow, grow), np.uint8))
    contours, _ = cv2.findContours(blobs, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    near = cv2.dilate(red, np.ones((3, 3), np.uint8)).astype(bool)
    seals = []
    for contour in contours:
        _, _, bw, bh = cv2.boundingRect(contour)
        if len(contour) < 20 or min(bw, bh) < 0.1 * short or bw > 0.6 * w or bh > 0.6 * h:
            continue
        if not 0.4 < bw / bh < 2.5:
            continue
        (cx, cy), (major, minor), angle = cv2.fitEllipse(contour)
        ring = _ring_share(near, (cx, cy), (major / 2 - grow / 2, minor / 2 - grow / 2), angle)
        seals.append(
            Seal((cx / factor, cy / factor), (major / factor, minor / factor), angle, ring)
        )
    return seals


def suppress_seals(image: Image.Image) -> Image.Image:
    """A copy with the red ink inside seal rings painted in the paper colour.

    Not done when the form itself is printed in seal red (定额发票 titles, labels and
    denominations): its text under a seal would go with the seal.
    """
    rgb = np.asarray(image.convert("RGB"))
    seals = [s for s in find_seals(rgb) if s.ring >= SEAL_MIN_RING]
    if not seals:
        return image
    inside = np.zeros(rgb.shape[:2], np.uint8)
    for seal in seals:
        axes = (seal.axes[0] * 1.08, seal.axes[1] * 1.08)
        cv2.ellipse(inside, (seal.center, axes, seal.angle), 1, -1)
    if _red_print_outside(rgb, seals):
        return image
    # Only saturated seal ink goes: print that shows through or mixes with the seal
    # (magenta bus-ticket codes, brown titles, black values) is less red and stays.
    reddish = _seal_red(rgb, 60, min_red=100) & (inside == 1)
    # Ink darker than the seal's own is print under it (or mixed with it): it stays.
    brightness = rgb.astype(np.int16).sum(axis=2)
    if reddish.any():
        not_print = brightness >= np.median(brightness[reddish]) - _SEAL_DARKER
        reddish &= not_print
        # The anti-aliased rim of the seal's strokes is pale pink, not saturated red; left
        # in place, a ring's faded arc next to a value reads as a digit (a '7' before '48').
        rim = cv2.dilate(reddish.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
        reddish |= rim & _seal_red(rgb, 12, min_red=100) & not_print & (inside == 1)
    sample = rgb[::8, ::8][~_seal_red(rgb[::8, ::8], 35, min_red=100)]
    paper = np.median(sample, axis=0) if len(sample) else np.full(3, 255.0)
    out = rgb.copy()
    out[reddish] = paper.astype(np.uint8)
    return Image.fromarray(out)


def shrunk(rgb: np.ndarray, side: int) -> tuple[np.ndarray, float]:
    """A copy of ``rgb`` at most ``side`` px long (area-averaged) and its scale factor;
    ``rgb`` itself, factor 1.0, when it is no longer than that."""
    height, width = rgb.shape[:2]
    factor = min(1.0, side / max(height, width))
    if factor == 1.0:
        return rgb, 1.0
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), factor


def _line_free_red(rgb: np.ndarray) -> np.ndarray:
    height, width = rgb.shape[:2]
    red = _seal_red(rgb, _SEAL_RED_MARGIN).astype(np.uint8)
    # Long: grid lines span much of the page, while a seal ring is never flat for long.
    horizontal = cv2.getStructuringElement(cv2.MORPH_RECT, (max(15, width // 8), 1))
    vertical = cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(15, height // 8)))
    across = np.asarray(cv2.morphologyEx(red, cv2.MORPH_OPEN, horizontal), dtype=np.uint8)
    down = np.asarray(cv2.morphologyEx(red, cv2.MORPH_OPEN, vertical), dtype=np.uint8)
    lines = np.asarray(cv2.dilate(across | down, np.ones((3, 3), np.uint8)), dtype=np.uint8)
    keep: np.ndarray = red & (1 - lines)
    return keep


def _red_print_outside(rgb: np.ndarray, seals: list[Seal]) -> bool:
    """Whether characters are printed in seal red outside the seals (on a small copy)."""
    small, factor = shrunk(rgb, _SEAL_SIDE)
    inside = np.zeros(small.shape[:2], np.uint8)
    for seal in seals:
        center = (seal.center[0] * factor, seal.center[1] * factor)
        axes = (seal.axes[0] * factor * 1.15, seal.axes[1] * factor * 1.15)
        cv2.ellipse(inside, (center, axes, seal.angle), 1, -1)
    red = _seal_red(small, _SEAL_RED_MARGIN).astype(np.uint8) & (inside == 0).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(red, connectivity=8)
    height = small.shape[0]
    glyphs = sum(
        1
        for i in range(1, count)
        if 0.012 * height <= stats[i, cv2.CC_STAT_HEIGHT] <= 0.12 * height
    )
    return glyphs > _RED_FORM_GLYPHS


def _seal_red(rgb: np.ndarray, margin: int, min_red: int = 120, same_gb: bool = True) -> np.ndarray:
    red = rgb[..., 0].astype(np.int16)
    green = rgb[..., 1].astype(np.int16)
    blue = rgb[..., 2].astype(np.int16)
    mask = (red - green > margin) & (red - blue > margin) & (red > min_red)
    if same_gb:
        mask &= np.abs(green - blue) < 35
    return mask


def _ring_share(
    near: np.ndarray, center: tuple[float, float], radii: tuple[float, float], angle: float
) -> float:
    """Share of 72 directions in which red lies on the ellipse outline (+-8% radius)."""
    height, width = near.shape
    theta = math.radians(angle)
    phi = np.linspace(0, 2 * math.pi, 72, endpoint=False)[:, None]
    scales = np.array([0.86, 0.9, 0.94, 0.98, 1.02])[None, :]
    u = radii[0] * scales * np.cos(phi)
    v = radii[1] * scales * np.sin(phi)
    xs = np.clip((center[0] + u * math.cos(theta) - v * math.sin(theta)).astype(int), 0, width - 1)
    ys = np.clip((center[1] + u * math.sin(theta) + v * math.cos(theta)).astype(int), 0, height - 1)
    return float(near[ys, xs].any(axis=1).mean())
