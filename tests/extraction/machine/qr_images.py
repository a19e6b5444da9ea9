"""QR images for tests: real codes made with segno, pasted onto pages."""

from __future__ import annotations

import io

import segno
from PIL import Image, ImageFilter

# Payload shapes as seen on real invoices (FACTS.md), with made-up values.
E_INVOICE = "01,10,012001800311,33207675,46.62,20190508,76939056883466677916,E1BD,"
DIGITAL = "01,32,,26377000000217799580,39.00,20260306,,160E"
SPECIAL = "01,01,5100191160,00472703,1456.31,20190614,,E6B0,"


def qr_image(payload: str, *, module_px: int = 4, border: int = 4) -> Image.Image:
    code = segno.make_qr(payload, error="m")
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=module_px, border=border)
    buffer.seek(0)
    with Image.open(buffer) as image:
        return image.convert("RGB")


def page_with_qr(
    payload: str,
    *,
    size: tuple[int, int] = (1800, 1100),
    at: tuple[int, int] = (70, 30),
    module_px: int = 4,
) -> Image.Image:
    page = Image.new("RGB", size, (252, 251, 247))
    page.paste(qr_image(payload, module_px=module_px, border=0), at)
    return page


def degraded_photo(payload: str) -> Image.Image:
    """A photo-like page: a small code (about 3 px a module), skewed, blurred and
    JPEG-compressed. For ``E_INVOICE`` a whole-page pass finds nothing (checked by the
    test), an enlarged corner does."""
    code = qr_image(payload, module_px=8, border=2)
    small = code.resize((100, 100), Image.Resampling.BILINEAR)
    skewed = small.transform(
        small.size,
        Image.Transform.AFFINE,
        (1.0, 0.04, -2.0, -0.03, 1.0, 2.0),
        resample=Image.Resampling.BILINEAR,
        fillcolor=(238, 236, 230),
    )
    page = Image.new("RGB", (1600, 1100), (238, 236, 230))
    page.paste(skewed, (60, 40))
    page = page.filter(ImageFilter.GaussianBlur(1.0))
    buffer = io.BytesIO()
    page.save(buffer, "JPEG", quality=60)
    buffer.seek(0)
    with Image.open(buffer) as photo:
        photo.load()
        return photo.copy()
