"""Image preparation: EXIF, resize policies, text direction from reading-order boxes."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

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


def _page_with_seal(*, red_form: bool = False) -> Image.Image:
    page = Image.new("RGB", (900, 600), (250, 248, 244))
    draw = ImageDraw.Draw(page)
    draw.rectangle((300, 280, 620, 310), fill=(20, 20, 24))  # a printed black value
    draw.ellipse((330, 200, 590, 400), outline=(215, 35, 35), width=5)  # the seal ring
    draw.rectangle((380, 285, 540, 300), fill=(215, 35, 35))  # seal text over the value
    if red_form:
        for i in range(20):  # labels printed in the same red, outside the seal
            draw.rectangle(
                (40 + 40 * i % 800, 40 + 20 * (i // 20), 60 + 40 * i % 800, 62), fill=(215, 35, 35)
            )
    return page


def test_seal_ink_is_removed_and_black_print_kept() -> None:
    # given a red seal ring whose text overlaps a black printed value
    page = _page_with_seal()
    # when seals are suppressed
    out = np.asarray(preprocess.suppress_seals(page))
    # then the ring and its red text are paper-coloured, the black value is untouched
    assert out[200 + 2, 460].tolist() != [215, 35, 35]
    assert out[292, 460].tolist() != [215, 35, 35]
    assert out[282, 310].tolist() == [20, 20, 24]


def test_pages_printed_in_seal_red_are_left_alone() -> None:
    # given a form whose labels are printed in the seal's red (定额发票)
    page = _page_with_seal(red_form=True)
    # when seals are suppressed / then nothing changes
    assert preprocess.suppress_seals(page) is page


def test_red_text_without_a_ring_is_not_a_seal() -> None:
    # given a red serial number (train tickets) and no stamp
    page = Image.new("RGB", (900, 600), "white")
    ImageDraw.Draw(page).rectangle((40, 40, 260, 80), fill=(215, 35, 35))
    # when seals are looked for / then none, and the page is unchanged
    assert preprocess.find_seals(np.asarray(page)) == []
    assert preprocess.suppress_seals(page) is page


def test_the_pale_rim_of_seal_strokes_goes_with_the_seal() -> None:
    # given a seal ring drawn with a pale pink anti-aliased rim around its red stroke
    page = Image.new("RGB", (900, 600), (250, 248, 244))
    draw = ImageDraw.Draw(page)
    draw.ellipse((327, 197, 593, 403), outline=(240, 200, 200), width=11)
    draw.ellipse((330, 200, 590, 400), outline=(215, 35, 35), width=5)
    # when seals are suppressed
    out = np.asarray(preprocess.suppress_seals(page))
    # then the rim is paper-coloured too, not left as a faint ring that OCR reads as strokes
    assert out[198, 460].tolist() != [240, 200, 200]
    assert out[300, 329].tolist() != [240, 200, 200]
