"""Image preparation: EXIF, resize policies, text direction from reading-order boxes."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from extraction import preprocess
from extraction.engines.base import OcrLine


def test_exif_orientation_is_applied_to_the_pixels() -> None:
    # given a JPEG stored sideways with EXIF orientation 6 (view rotated 90 clockwise)
    stored = Image.new("RGB", (40, 20), "white")
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    stored.save(buffer, "JPEG", exif=exif)
    # when prepared
    page = preprocess.prepare_page(Image.open(io.BytesIO(buffer.getvalue())))
    # then the pixels are upright (portrait) and RGB
    assert page.size == (20, 40)
    assert page.mode == "RGB"


def test_transparent_png_becomes_white_rgb() -> None:
    # given a fully transparent RGBA image / when prepared / then it is white, not black
    page = preprocess.prepare_page(Image.new("RGBA", (8, 8), (0, 0, 0, 0)))
    assert page.getpixel((4, 4)) == (255, 255, 255)


@pytest.mark.parametrize(
    ("size", "expected_longest"),
    [((4000, 3000), preprocess.OCR_MAX_SIDE), ((500, 300), 500), ((1500, 1000), 1500)],
)
def test_ocr_resize_policy(size: tuple[int, int], expected_longest: int) -> None:
    # given images of several sizes / when prepared for OCR
    image, scale = preprocess.prepare_for_ocr(Image.new("RGB", size, "white"))
    # then huge ones are capped at 2000 px, smaller ones untouched (measured: no gain)
    assert max(image.size) == expected_longest
    assert scale == pytest.approx(expected_longest / max(size), rel=0.01)


def test_vlm_images_are_capped_at_1024_and_never_enlarged() -> None:
    big = preprocess.prepare_for_vlm(Image.new("RGB", (4000, 3000)))
    small = preprocess.prepare_for_vlm(Image.new("RGB", (600, 400)))
    assert max(big.size) == 1024
    assert small.size == (600, 400)


def _line(points: list[tuple[float, float]], text: str = "发票代码012345") -> OcrLine:
    return OcrLine(box=tuple(points), text=text, score=0.9)


@pytest.mark.parametrize(
    ("points", "quadrant"),
    [
        ([(0, 0), (200, 0), (200, 20), (0, 20)], 0),
        ([(200, 20), (0, 20), (0, 0), (200, 0)], 180),  # upside down: starts bottom right
        ([(20, 0), (20, 200), (0, 200), (0, 0)], 90),  # text running downwards
        ([(0, 200), (0, 0), (20, 0), (20, 200)], 270),  # text running upwards
    ],
)
def test_text_direction_from_reading_order_points(
    points: list[tuple[float, float]], quadrant: int
) -> None:
    # given boxes whose first edge follows the text / when the direction is taken
    lines = [_line(points) for _ in range(3)]
    # then the page's quadrant is found
    assert preprocess.text_direction(lines)[0] == quadrant
    assert preprocess.rotation_from_lines(lines) == quadrant


def test_small_skew_is_measured() -> None:
    # given long boxes tilted by about 3 degrees / when measured / then the residual is ~3
    lines = [_line([(0, 0), (200, 10.5), (199, 30.5), (-1, 20)]) for _ in range(3)]
    quadrant, residual = preprocess.text_direction(lines)
    assert quadrant == 0
    assert residual == pytest.approx(3.0, abs=0.2)


def test_upright_undoes_the_rotation() -> None:
    # given a page whose text runs downwards (rotated 90 clockwise)
    image = Image.new("RGB", (20, 40), "white")
    # when made upright / then it is landscape again
    assert preprocess.upright(image, 90).size == (40, 20)
    assert preprocess.upright(image, 0) is image
