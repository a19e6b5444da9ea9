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
- ``prepare_for_vlm``: longest side <= 1024 px by default (image tokens grow with pixels).
- Seal colour: not used. Red ink is not seal evidence on its own (train-ticket serials,
  itinerary numbers and some forms' labels are printed red); seal text is told apart
  by geometry (tilted arc boxes, 发票专用章) and by reading printed labels first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PIL import Image, ImageOps

from extraction.engines.base import OcrLine

# RapidOCR's own max_side_len: larger inputs are shrunk inside it anyway.
OCR_MAX_SIDE = 2000
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


def prepare_for_ocr(image: Image.Image) -> tuple[Image.Image, float]:
    """The image for the OCR engine and the scale applied (boxes divide by it)."""
    width, height = image.size
    longest = max(width, height)
    if longest <= OCR_MAX_SIDE:
        return image, 1.0
    scale = OCR_MAX_SIDE / longest
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS), size[0] / width


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
