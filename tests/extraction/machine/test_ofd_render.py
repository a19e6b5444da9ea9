"""OFD pages drawn for people: text where the text objects are, images, legible."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from PIL import Image

from extraction.engines.base import EngineContext, registry
from extraction.machine import ofd_render
from extraction.machine.ofd import parse_ofd
from extraction.machine.ofd_render import render_ofd_page
from tests.extraction.machine.einvoice_files import DEFAULT, ofd_package, png, real_ofd_path

DPI = 200
PX_PER_MM = DPI / 25.4


def region(image: Image.Image, x: float, y: float, w: float, h: float) -> np.ndarray:
    """Pixels of an mm rectangle of the page."""
    box = tuple(round(v * PX_PER_MM) for v in (x, y, x + w, y + h))
    return np.asarray(image.convert("L").crop(box))


def test_the_page_has_its_physical_size_at_the_requested_resolution() -> None:
    image = render_ofd_page(parse_ofd(ofd_package(DEFAULT)), dpi=DPI)
    assert image.mode == "RGB"
    assert image.size == (round(210 * PX_PER_MM), round(140 * PX_PER_MM))


def test_text_is_drawn_inside_its_text_objects_and_nowhere_else() -> None:
    # Given a generated OFD (invoice number printed at 170/10.3 mm, 5 mm high)
    image = render_ofd_page(parse_ofd(ofd_package(DEFAULT)), dpi=DPI)
    # Then its boundary holds dark ink and an empty part of the form stays white
    number = region(image, 170, 10.3, 34, 5)
    assert (number < 128).sum() > 200
    empty = region(image, 60, 65, 60, 20)
    assert (empty < 200).sum() == 0


def test_template_text_is_drawn_in_its_drawing_colour() -> None:
    # Given the form's labels, drawn with the template layer's DrawParam (128 0 0)
    image = render_ofd_page(parse_ofd(ofd_package(DEFAULT)), dpi=DPI)
    pixels = np.asarray(image)[
        round(53 * PX_PER_MM) : round(57 * PX_PER_MM), round(15 * PX_PER_MM) : round(30 * PX_PER_MM)
    ].reshape(-1, 3)
    inked = pixels[pixels.sum(axis=1) < 500]
    assert len(inked) > 50
    # Then the ink is dark red, not black
    assert (inked[:, 0].astype(int) - inked[:, 2].astype(int)).mean() > 40


def test_an_embedded_image_is_drawn_at_its_boundary() -> None:
    # Given an OFD with a red image at 6.5/6 mm, 20 x 20 mm (where the QR code sits)
    image = render_ofd_page(parse_ofd(ofd_package(DEFAULT, image=png((200, 0, 0)))), dpi=DPI)
    # Then the middle of that box is red and the page outside it is not
    centre = image.getpixel((round(16.5 * PX_PER_MM), round(16 * PX_PER_MM)))
    assert centre == (200, 0, 0)
    assert image.getpixel((round(30 * PX_PER_MM), round(16 * PX_PER_MM))) == (255, 255, 255)


def test_a_page_beyond_the_document_is_refused() -> None:
    with pytest.raises(ValueError, match=r"has 1 page\(s\); no page 2"):
        render_ofd_page(parse_ofd(ofd_package(DEFAULT)), 1)


@pytest.fixture
def no_cjk_font(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(ofd_render, "cjk_font_path", lambda: None)
    ofd_render._font.cache_clear()
    yield
    ofd_render._font.cache_clear()


@pytest.mark.usefixtures("no_cjk_font")
def test_without_a_cjk_font_the_page_still_renders_with_pillows_font() -> None:
    image = render_ofd_page(parse_ofd(ofd_package(DEFAULT)), dpi=DPI)
    assert (region(image, 170, 10.3, 34, 5) < 128).sum() > 100


@pytest.mark.slow
def test_the_rendered_page_is_legible_to_ocr() -> None:
    # Given the real OFD when present (else a generated one), drawn at 200 dpi
    path = real_ofd_path()
    data = path.read_bytes() if path.is_file() else ofd_package(DEFAULT)
    image = render_ofd_page(parse_ofd(data), dpi=DPI)
    # When OCR reads it
    texts = {line.text for line in registry_ocr().ocr_lines(image)}
    # Then the printed number and the seller's tax ID are read back
    joined = "".join(texts)
    expected = (
        ("24322000000489101796", "91320211739560225X")
        if path.is_file()
        else (
            DEFAULT.number,
            DEFAULT.seller_tax_id,
        )
    )
    for value in expected:
        assert value in joined


def registry_ocr() -> Any:
    import importlib

    importlib.import_module("extraction.engines.ocr")
    return registry.get(EngineContext(ocr_threads=1), "ocr")
