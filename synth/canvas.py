"""Drawing primitives: a sheet with a pre-printed form layer, a machine-ink layer and seals.

Keeping the machine-printed values on their own layer is what lets a sample imitate a
dot-matrix printer that fed the form crooked: the values are shifted against the form
lines while both stay individually sharp.
"""

from __future__ import annotations

import contextlib
import io
import math
import random
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/wqy")
# (file, face index): WenQuanYi collections hold a proportional and a monospaced face.
FONTS: dict[str, tuple[str, int]] = {
    "hei": ("wqy-microhei.ttc", 0),
    "mono": ("wqy-microhei.ttc", 1),
    "zen": ("wqy-zenhei.ttc", 0),
    "sharp": ("wqy-zenhei.ttc", 2),
}
FALLBACK = "hei"
Color = tuple[int, int, int]
RED: Color = (215, 35, 35)
BLACK: Color = (20, 20, 24)


@dataclass(frozen=True)
class PlacedText:
    """Where a run of text was drawn, in pixels (y down): what a PDF text layer holds."""

    text: str
    left: float
    baseline: float
    size: int
    width: float


_placed: ContextVar[list[PlacedText] | None] = ContextVar("placed_text", default=None)


@contextlib.contextmanager
def recording_text() -> Iterator[list[PlacedText]]:
    """Collect every run of text the sheets draw inside the block (for text-layer PDFs)."""
    placed: list[PlacedText] = []
    token = _placed.set(placed)
    try:
        yield placed
    finally:
        _placed.reset(token)


class FontsMissing(RuntimeError):
    """The WenQuanYi fonts are not installed (apt: fonts-wqy-microhei fonts-wqy-zenhei)."""


@lru_cache(maxsize=256)
def font(kind: str, size: int) -> ImageFont.FreeTypeFont:
    name, index = FONTS[kind]
    path = FONT_DIR / name
    if not path.exists():
        raise FontsMissing(f"{path} not found: install fonts-wqy-microhei and fonts-wqy-zenhei")
    return ImageFont.truetype(str(path), size, index=index)


def _glyph_bitmap(kind: str, char: str) -> bytes:
    img = Image.new("L", (48, 48), 0)
    ImageDraw.Draw(img).text((4, 4), char, font=font(kind, 32), fill=255)
    return img.tobytes()


@lru_cache(maxsize=8)
def _notdef(kind: str) -> bytes:
    return _glyph_bitmap(kind, "\U000f0000")  # a private-use code point no font covers


@lru_cache(maxsize=8192)
def has_glyph(kind: str, char: str) -> bool:
    if char.isspace():
        return True
    return _glyph_bitmap(kind, char) != _notdef(kind)


def font_for(kind: str, text: str) -> str:
    """The requested face, or the fallback when it lacks a glyph (Zen Hei has no ⊗)."""
    return kind if all(has_glyph(kind, c) for c in text) else FALLBACK


def text_width(text: str, size: int, kind: str = "hei") -> int:
    return int(font(font_for(kind, text), size).getlength(text))


@dataclass
class Sheet:
    """One page: ``form`` (pre-printed), ``ink`` (printed values), ``stamps`` (seals)."""

    width: int
    height: int
    paper: Color = (252, 251, 247)
    form_color: Color = (150, 70, 40)
    ink_color: Color = BLACK
    drawn: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.form = Image.new("RGB", (self.width, self.height), self.paper)
        self.ink = Image.new("RGBA", (self.width, self.height), (0, 0, 0, 0))
        self.stamps = Image.new("RGBA", (self.width, self.height), (255, 255, 255, 0))
        self._form_draw = ImageDraw.Draw(self.form)
        self._ink_draw = ImageDraw.Draw(self.ink)

    # --- text -----------------------------------------------------------------------
    def _text(
        self,
        draw: ImageDraw.ImageDraw,
        xy: tuple[float, float],
        text: str,
        size: int,
        fill: Color,
        kind: str,
        anchor: str,
        max_width: int | None,
        letter_gap: int,
    ) -> int:
        """Draw and return the width used. Shrinks to ``max_width`` (never below 60%)."""
        kind = font_for(kind, text)
        self.drawn.append(text)
        if max_width is not None:
            floor = int(size * 0.6)
            while size > floor and self._span(text, size, kind, letter_gap) > max_width:
                size -= 1
        _record(xy, text, size, anchor, self._span(text, size, kind, letter_gap))
        if letter_gap == 0:
            draw.text(xy, text, font=font(kind, size), fill=fill, anchor=anchor)
            return int(font(kind, size).getlength(text))
        width = self._span(text, size, kind, letter_gap)
        x, y = xy
        if anchor[0] == "m":
            x -= width / 2
        elif anchor[0] == "r":
            x -= width
        for char in text:
            draw.text((x, y), char, font=font(kind, size), fill=fill, anchor="l" + anchor[1])
            x += font(kind, size).getlength(char) + letter_gap
        return width

    @staticmethod
    def _span(text: str, size: int, kind: str, letter_gap: int) -> int:
        return int(font(kind, size).getlength(text) + letter_gap * max(len(text) - 1, 0))

    def label(
        self,
        xy: tuple[float, float],
        text: str,
        size: int,
        *,
        kind: str = "hei",
        anchor: str = "lm",
        fill: Color | None = None,
        max_width: int | None = None,
        letter_gap: int = 0,
    ) -> int:
        """Pre-printed form text (titles, field captions)."""
        colour = fill or self.form_color
        return self._text(
            self._form_draw, xy, text, size, colour, kind, anchor, max_width, letter_gap
        )

    def value(
        self,
        xy: tuple[float, float],
        text: str,
        size: int,
        *,
        kind: str = "hei",
        anchor: str = "lm",
        fill: Color | None = None,
        max_width: int | None = None,
        letter_gap: int = 0,
    ) -> int:
        """Machine-printed value (goes to the ink layer)."""
        colour = fill or self.ink_color
        return self._text(
            self._ink_draw, xy, text, size, colour, kind, anchor, max_width, letter_gap
        )

    # --- lines ----------------------------------------------------------------------
    def hline(self, x0: float, x1: float, y: float, width: int = 2) -> None:
        self._form_draw.line([(x0, y), (x1, y)], fill=self.form_color, width=width)

    def vline(self, x: float, y0: float, y1: float, width: int = 2) -> None:
        self._form_draw.line([(x, y0), (x, y1)], fill=self.form_color, width=width)

    def rect(self, box: tuple[float, float, float, float], width: int = 2) -> None:
        self._form_draw.rectangle(box, outline=self.form_color, width=width)

    def dashed(self, x0: float, x1: float, y: float, *, on_ink: bool = False) -> None:
        draw = self._ink_draw if on_ink else self._form_draw
        colour = self.ink_color if on_ink else self.form_color
        x = x0
        while x < x1:
            draw.line([(x, y), (min(x + 8, x1), y)], fill=colour, width=2)
            x += 14

    # --- graphics -------------------------------------------------------------------
    def waves(self, rng: random.Random, colour: Color) -> None:
        """Security-paper background: fine wavy lines in a pale colour."""
        xs = np.arange(self.width)
        arr = np.asarray(self.form).copy()
        phase = rng.uniform(0, 6.28)
        for base in range(-40, self.height + 40, 18):
            ys = (base + 9 * np.sin(xs / 37.0 + phase + base / 90)).astype(int)
            inside = (ys >= 0) & (ys < self.height)
            arr[ys[inside], xs[inside]] = colour
        self.form.paste(Image.fromarray(arr))

    def fake_qr(self, x: int, y: int, size: int, rng: random.Random) -> None:
        """A QR-looking block (random modules + finder squares); it encodes nothing."""
        modules = 25
        cell = size / modules
        draw = self._form_draw
        for row in range(modules):
            for col in range(modules):
                if rng.random() < 0.5:
                    x0, y0 = x + col * cell, y + row * cell
                    draw.rectangle([x0, y0, x0 + cell, y0 + cell], fill=BLACK)
        for fx, fy in ((0, 0), (modules - 7, 0), (0, modules - 7)):
            x0, y0 = x + fx * cell, y + fy * cell
            draw.rectangle([x0, y0, x0 + 7 * cell, y0 + 7 * cell], fill=self.paper)
            draw.rectangle(
                [x0, y0, x0 + 7 * cell - 1, y0 + 7 * cell - 1],
                outline=BLACK,
                width=max(int(cell), 1),
            )
            draw.rectangle([x0 + 2 * cell, y0 + 2 * cell, x0 + 5 * cell, y0 + 5 * cell], fill=BLACK)

    def qr(self, x: int, y: int, size: int, payload: str, rng: random.Random) -> None:
        """A real QR code of ``payload``, at most ``size`` px wide (whole pixels a module)."""
        import segno

        code = segno.make_qr(payload, error="m")
        modules = code.symbol_size(scale=1, border=0)[0]
        buffer = io.BytesIO()
        code.save(buffer, kind="png", scale=max(1, size // modules), border=0)
        buffer.seek(0)
        with Image.open(buffer) as image:
            self.form.paste(image.convert("RGB"), (x, y))
        # Consume what ``fake_qr`` drew from the stream, so that the rest of a seeded
        # page stays as it was before pages carried a real code.
        for _ in range(25 * 25):
            rng.random()

    def barcode(self, x: int, y: int, width: int, height: int, rng: random.Random) -> None:
        cursor = x
        while cursor < x + width:
            bar = rng.choice((2, 2, 3, 4))
            if rng.random() < 0.55:
                self._ink_draw.rectangle([cursor, y, cursor + bar - 1, y + height], fill=BLACK)
            cursor += bar

    def seal(
        self,
        center: tuple[float, float],
        radii: tuple[int, int],
        arc_text: str,
        middle: str,
        bottom: str,
        rng: random.Random,
        *,
        star: bool = False,
        strength: float = 0.85,
    ) -> None:
        """A red stamp: ``arc_text`` along the top, ``middle`` across, ``bottom`` below.

        Drawn on the stamp layer, which is multiplied over everything else, so printed
        text under it stays readable but turns dark red, as with real stamp ink.
        """
        rx, ry = radii
        pad = 12
        layer = Image.new("L", (2 * rx + 2 * pad, 2 * ry + 2 * pad), 0)
        draw = ImageDraw.Draw(layer)
        cx, cy = rx + pad, ry + pad
        draw.ellipse([pad, pad, pad + 2 * rx, pad + 2 * ry], outline=255, width=max(rx // 28, 4))
        sweep = math.radians(rng.uniform(200, 230))
        count = max(len(arc_text), 1)
        # Long names get smaller characters so they still fit the arc without touching.
        arc_length = sweep * (rx + ry) * 0.85 / 2
        char_size = max(int(min(min(rx, ry) * 0.28, arc_length / count * 0.92)), 14)
        for index, char in enumerate(arc_text):
            theta = 1.5 * math.pi - sweep / 2 + sweep * (index + 0.5) / count
            px = cx + (rx - char_size * 0.95) * math.cos(theta)
            py = cy + (ry - char_size * 0.95) * math.sin(theta)
            glyph = Image.new("L", (char_size * 2, char_size * 2), 0)
            ImageDraw.Draw(glyph).text(
                (char_size, char_size), char, font=font("zen", char_size), fill=255, anchor="mm"
            )
            tilt = -math.degrees(theta - 1.5 * math.pi)
            glyph = glyph.rotate(tilt, resample=Image.Resampling.BICUBIC)
            layer.paste(255, (int(px - char_size), int(py - char_size)), glyph)
        if star:
            _star(draw, cx, cy - ry * 0.05, ry * 0.28)
        if middle:
            mid_size = max(int(ry * 0.22), 12)
            squeeze = Image.new("L", (int(rx * 3.2), mid_size * 2), 0)
            ImageDraw.Draw(squeeze).text(
                (squeeze.width // 2, mid_size),
                middle,
                font=font("zen", mid_size),
                fill=255,
                anchor="mm",
            )
            squeeze = squeeze.resize((int(rx * 1.75), squeeze.height), Image.Resampling.LANCZOS)
            my = cy + (ry * 0.4 if star else ry * 0.05)
            layer.paste(255, (int(cx - squeeze.width / 2), int(my - mid_size)), squeeze)
        if bottom:
            bottom_size = max(int(ry * 0.22), 14)
            draw.text(
                (cx, cy + ry * 0.6), bottom, font=font("zen", bottom_size), fill=255, anchor="mm"
            )
        layer = layer.rotate(rng.uniform(-25, 25), resample=Image.Resampling.BICUBIC)
        # Uneven ink: stamps never print solid.
        grain = np.random.default_rng(rng.getrandbits(32)).uniform(0.55, 1.0, layer.size[::-1])
        alpha = (np.asarray(layer, dtype=np.float32) * grain * strength).astype(np.uint8)
        stamp = Image.new("RGBA", layer.size, (*RED, 0))
        stamp.putalpha(Image.fromarray(alpha))
        self.stamps.alpha_composite(stamp, (int(center[0] - cx), int(center[1] - cy)))

    # --- output ---------------------------------------------------------------------
    def compose(
        self, ink_offset: tuple[int, int] = (0, 0), dot_matrix: bool = False
    ) -> Image.Image:
        ink = self.ink
        if dot_matrix:
            ink = _dotted(ink)
        page = self.form.convert("RGBA")
        page.alpha_composite(ink, ink_offset)
        rgb = page.convert("RGB")
        # Multiply the stamp colour in, weighted by its alpha.
        stamp_rgb = Image.new("RGB", rgb.size, (255, 255, 255))
        stamp_rgb.paste(self.stamps.convert("RGB"), mask=self.stamps.getchannel("A"))
        return ImageChops.multiply(rgb, stamp_rgb)


def _record(xy: tuple[float, float], text: str, size: int, anchor: str, width: int) -> None:
    placed = _placed.get()
    if placed is None or not text.strip():
        return
    x, y = xy
    left = x - {"m": width / 2, "r": width}.get(anchor[0], 0)
    # Pillow's vertical anchors: a(scender), t(op), m(iddle), s (baseline), b(ottom), d(escender).
    baseline = (
        y + {"a": 0.88, "t": 0.88, "m": 0.36, "b": -0.12, "d": -0.12}.get(anchor[1], 0) * size
    )
    placed.append(PlacedText(text, left, baseline, size, width))


def _dotted(ink: Image.Image) -> Image.Image:
    """Imitate 24-pin dot-matrix print: a dot grid and slightly starved ink."""
    alpha = np.asarray(ink.getchannel("A"), dtype=np.float32)
    ys, xs = np.indices(alpha.shape)
    grid = np.where((xs % 3 == 2) | (ys % 3 == 2), 0.45, 1.0)
    out = ink.copy()
    out.putalpha(Image.fromarray((alpha * grid * 0.92).astype(np.uint8)))
    return out


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, radius: float) -> None:
    points = []
    for index in range(10):
        r = radius if index % 2 == 0 else radius * 0.4
        angle = -math.pi / 2 + index * math.pi / 5
        points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    draw.polygon(points, fill=255)
