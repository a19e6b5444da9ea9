"""Decoding photos and scans at a working size: memory follows the pixels we use, not the
sensor's.

Phones shoot 48-200 MP. A JPEG is decoded at 1/2, 1/4 or 1/8 scale inside libjpeg
(Pillow's ``draft``), so a 200 MP photo never exists in memory at full size; the other
formats (PNG, TIFF, WEBP, BMP, GIF) can only be decoded in full, so they have a lower
limit of their own that bounds the decoded bytes (50 MP RGBA is 200 MB).

Three guards, each with its own reason:
- ``max_decode_pixels`` (200 MP): the largest picture accepted at all; it is also
  Pillow's decompression-bomb limit while the file is opened, so a header declaring
  more is refused before any pixel is decoded.
- ``max_full_decode_pixels`` (50 MP): formats decoded in full.
- ``MAX_ASPECT`` (20:1): a very long strip is not a document. Receipts are long (1:8 is
  common), but a 65500x700 PNG held a worker for 3 minutes at 10.9 GB: squeezed to the
  OCR's 2000 px it is 21 px high, and the detector enlarges that back to 736 px (70000 x
  736). Refused with a clear reason instead.
"""

from __future__ import annotations

import io
import threading
import warnings

from PIL import Image, UnidentifiedImageError

MAX_DECODE_PIXELS = 200_000_000
MAX_FULL_DECODE_PIXELS = 50_000_000
MAX_ASPECT = 20
# The working image's longest side is at least this (when the picture is larger): a QR
# code on an 85 MP photo still decodes at 1/2 scale, and OCR shrinks further to 2000 px.
WORK_SIDE = 4000
# Formats whose decoder can scale while decoding.
DRAFT_FORMATS = frozenset({"JPEG"})

# Pillow's bomb limit is a module global: changed only under this lock, only while opening.
_OPEN_LOCK = threading.Lock()


class ImageRefused(ValueError):
    """A picture refused for its size or shape; ``code`` is the API's error code."""

    def __init__(self, code: str, message: str, params: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        # The numbers in the message, for a translation keyed by ``code``.
        self.params = params or {}


def open_image(data: bytes, *, max_pixels: int = MAX_DECODE_PIXELS) -> Image.Image:
    """The image opened lazily (header read, nothing decoded), with Pillow's
    decompression-bomb guard at ``max_pixels``. Raises Pillow's errors as they come."""
    with _OPEN_LOCK, warnings.catch_warnings():
        # Pillow only warns between 1x and 2x its limit; a bomb is a bomb.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        previous = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = max_pixels
        try:
            return Image.open(io.BytesIO(data))
        finally:
            Image.MAX_IMAGE_PIXELS = previous


def check_size(
    image_format: str | None,
    width: int,
    height: int,
    *,
    max_decode_pixels: int = MAX_DECODE_PIXELS,
    max_full_decode_pixels: int = MAX_FULL_DECODE_PIXELS,
) -> None:
    """Raise ``ImageRefused`` when the picture is too large for its format or too thin."""
    pixels = width * height
    if pixels > max_decode_pixels:
        raise ImageRefused(
            "image_too_large",
            f"The image has too many pixels ({width}x{height}; the limit is "
            f"{max_decode_pixels / 1e6:g} megapixels).",
            {"width": str(width), "height": str(height), "limit": f"{max_decode_pixels / 1e6:g}"},
        )
    if image_format not in DRAFT_FORMATS and pixels > max_full_decode_pixels:
        raise ImageRefused(
            "image_too_large",
            f"The {image_format or 'image'} has too many pixels ({width}x{height}); "
            f"{image_format or 'this format'} images are limited to "
            f"{max_full_decode_pixels / 1e6:g} megapixels (JPEG photos up to "
            f"{max_decode_pixels / 1e6:g} megapixels). Send the photo as a JPEG or smaller.",
            {
                "format": image_format or "",
                "width": str(width),
                "height": str(height),
                "limit": f"{max_full_decode_pixels / 1e6:g}",
                "jpeg_limit": f"{max_decode_pixels / 1e6:g}",
            },
        )
    if max(width, height) > MAX_ASPECT * max(1, min(width, height)):
        raise ImageRefused(
            "image_too_elongated",
            f"The image is {width}x{height} px: more than {MAX_ASPECT} times longer than "
            "it is wide is not a document. Photograph or scan the document itself, or cut "
            "a long receipt into parts.",
            {"width": str(width), "height": str(height), "ratio": str(MAX_ASPECT)},
        )


def decode_working(image: Image.Image, *, side: int = WORK_SIDE) -> Image.Image:
    """Decode an opened image at a reduced scale whose longest side stays at least
    ``side`` (when larger): JPEG inside the decoder, other formats by an integer
    ``reduce`` after the full decode. EXIF and mode are kept (``image.info`` travels)."""
    width, height = image.size
    longest = max(width, height)
    if image.format in DRAFT_FORMATS and longest > 2 * side:
        # draft picks the smallest 1/2^k scale still at least the requested size.
        factor = longest / side
        image.draft(image.mode, (max(1, int(width / factor)), max(1, int(height / factor))))
    image.load()
    factor = max(image.size) // side
    if factor >= 2:
        reduced = image.reduce(factor)
        reduced.info = dict(image.info)
        return reduced
    return image


def load_working(
    data: bytes,
    *,
    max_decode_pixels: int = MAX_DECODE_PIXELS,
    max_full_decode_pixels: int = MAX_FULL_DECODE_PIXELS,
    side: int = WORK_SIDE,
) -> Image.Image:
    """Open, check and decode at working size. ``ValueError`` (``ImageRefused`` for size
    and shape) with a readable message when it cannot."""
    try:
        image = open_image(data, max_pixels=max_decode_pixels)
        check_size(
            image.format,
            image.width,
            image.height,
            max_decode_pixels=max_decode_pixels,
            max_full_decode_pixels=max_full_decode_pixels,
        )
        return decode_working(image, side=side)
    except ImageRefused:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise ImageRefused(
            "image_too_large",
            f"The image has too many pixels (the limit is {max_decode_pixels / 1e6:g} megapixels).",
            {"limit": f"{max_decode_pixels / 1e6:g}"},
        ) from exc
    except UnidentifiedImageError as exc:
        raise ValueError(f"the image cannot be decoded: {exc}") from exc
    except OSError as exc:  # truncated or corrupt data
        raise ValueError(f"the image is damaged or truncated: {exc}") from exc
