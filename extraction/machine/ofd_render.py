"""OFD pages drawn to an image, for the reviewer's viewer and for PII masking.

Not a full OFD renderer: it draws what an invoice is made of -- template and page text
objects at their printed positions (glyph by glyph where DeltaX gives the spacing),
form lines and simple paths, and PNG/JPEG images (QR code, seals) -- with a CJK font
found on the machine. Rotated watermark text is left out. The fields never come from
this image: they are read from the package (``ofd.py``).
"""

from __future__ import annotations

import functools
import io
import warnings
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont, UnidentifiedImageError

from extraction.machine.ofd import ImageObject, OfdPackage, PathObject, TextObject
from extraction.schema import InvoiceFields

DEFAULT_DPI = 200.0
# A page bigger than this at the requested dpi is drawn at a lower one.
MAX_PAGE_PIXELS = 40_000_000
# An embedded image bigger than this is not decoded (a seal or QR code is ~0.3 MP).
MAX_EMBEDDED_PIXELS = 25_000_000
MM_PER_INCH = 25.4

FontType = ImageFont.FreeTypeFont | ImageFont.ImageFont

# Fonts with CJK glyphs, most likely first (Debian/Ubuntu, Fedora, macOS, Windows).
CJK_FONT_CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simsun.ttc",
)
_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".fonts"))
_CJK_NAME_HINTS = ("wqy", "notosanscjk", "notoserifcjk", "sourcehan", "droidsansfallback", "simsun")


@functools.lru_cache(maxsize=1)
def cjk_font_path() -> str | None:
    """A font file with Chinese glyphs, or ``None`` when the machine has none."""
    for candidate in CJK_FONT_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    for directory in _FONT_DIRS:
        root = Path(directory)
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            name = path.name.lower().replace("-", "").replace("_", "")
            if path.suffix.lower() in {".ttf", ".ttc", ".otf"} and any(
                hint in name for hint in _CJK_NAME_HINTS
            ):
                return str(path)
    return None


@functools.lru_cache(maxsize=64)
def _font(size_px: int) -> FontType:
    path = cjk_font_path()
    if path is not None:
        try:
            return ImageFont.truetype(path, size_px)
        except OSError:
            pass
    # Latin glyphs only: digits and codes stay legible, Chinese shows as boxes.
    return ImageFont.load_default(size_px)


def render_ofd_page(
    package: OfdPackage, index: int = 0, *, dpi: float = DEFAULT_DPI
) -> Image.Image:
    """Page ``index`` of ``package`` as an RGB image (white paper, mm -> px at ``dpi``)."""
    if not 0 <= index < len(package.pages):
        raise ValueError(f"the OFD has {len(package.pages)} page(s); no page {index + 1}")
    page = package.pages[index]
    scale = dpi / MM_PER_INCH
    if page.width * page.height * scale * scale > MAX_PAGE_PIXELS:
        scale = (MAX_PAGE_PIXELS / (page.width * page.height)) ** 0.5
    size = (max(1, round(page.width * scale)), max(1, round(page.height * scale)))
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    for obj in page.objects:
        if isinstance(obj, PathObject):
            _draw_path(draw, obj, scale)
        elif isinstance(obj, ImageObject):
            _draw_image(image, package, obj, scale)
        elif isinstance(obj, TextObject):
            _draw_text(draw, obj, scale)
    return image


def render_ofd(package: OfdPackage, *, dpi: float = DEFAULT_DPI) -> list[Image.Image]:
    return [render_ofd_page(package, i, dpi=dpi) for i in range(len(package.pages))]


# How an XML e-invoice's fields are listed on its stand-in page.
_FIELD_LABELS = (
    ("invoice_number", "发票号码"),
    ("issue_date", "开票日期"),
    ("buyer_name", "购买方名称"),
    ("buyer_tax_id", "购买方纳税人识别号"),
    ("seller_name", "销售方名称"),
    ("seller_tax_id", "销售方纳税人识别号"),
    ("amount_excluding_tax", "合计金额"),
    ("tax_amount", "合计税额"),
    ("total_amount", "价税合计"),
    ("total_in_words", "价税合计（大写）"),
)


def render_fields_page(fields: InvoiceFields, *, dpi: float = DEFAULT_DPI) -> Image.Image:
    """A plain page listing ``fields``: what a reviewer sees for a file that is data only
    (a 数电票 XML has no layout of its own). A5 landscape, like the printed invoice."""
    scale = dpi / MM_PER_INCH
    image = Image.new("RGB", (round(210 * scale), round(148 * scale)), "white")
    draw = ImageDraw.Draw(image)
    title, body = _font(round(7 * scale)), _font(round(3.5 * scale))
    draw.text((10 * scale, 8 * scale), "电子发票（XML）", font=title, fill=(128, 0, 0))
    y = 22.0
    for name, label in _FIELD_LABELS:
        value = getattr(fields, name)
        if value is None:
            continue
        text = value.isoformat() if hasattr(value, "isoformat") else str(value)
        draw.text((10 * scale, y * scale), f"{label}：{text}", font=body, fill=(0, 0, 0))
        y += 6.0
    for item in fields.line_items:
        if y > 140:
            break
        parts = [item.name or "", str(item.quantity or ""), str(item.amount or "")]
        parts += [item.tax_rate or "", str(item.tax_amount or "")]
        draw.text(
            (10 * scale, y * scale), "  ".join(p for p in parts if p), font=body, fill=(0, 0, 0)
        )
        y += 6.0
    return image


def _draw_path(draw: ImageDraw.ImageDraw, obj: PathObject, scale: float) -> None:
    width = max(1, round(obj.line_width * scale))
    for line in obj.polylines:
        points = [(x * scale, y * scale) for x, y in line]
        if obj.fill is not None and len(points) >= 3:
            draw.polygon(points, fill=obj.fill)
        if obj.stroke is not None and len(points) >= 2:
            draw.line(points, fill=obj.stroke, width=width)


def _draw_text(draw: ImageDraw.ImageDraw, obj: TextObject, scale: float) -> None:
    if not obj.upright:
        return  # rotated text on invoices is a watermark (download counter, stamps)
    font = _font(max(6, round(obj.size * scale)))
    baseline = isinstance(font, ImageFont.FreeTypeFont)
    for code in obj.codes:
        x = code.x
        for position, char in enumerate(code.text):
            if baseline:
                draw.text((x * scale, code.y * scale), char, font=font, fill=obj.color, anchor="ls")
            else:  # bitmap fallback fonts have no anchors
                draw.text((x * scale, (code.y - obj.size) * scale), char, font=font, fill=obj.color)
            if position < len(code.advances):
                x += code.advances[position]
            elif code.advances:
                x += code.advances[-1]
            else:
                x += obj.size if ord(char) > 0x2E80 else obj.size / 2


def _draw_image(image: Image.Image, package: OfdPackage, obj: ImageObject, scale: float) -> None:
    data = package.members.get(obj.resource)
    if data is None:
        return
    picture = _decode(data)
    if picture is None:
        return
    box = obj.boundary
    left, top = round(box.x * scale), round(box.y * scale)
    width, height = max(1, round(box.w * scale)), max(1, round(box.h * scale))
    picture = picture.resize((width, height), Image.Resampling.LANCZOS)
    region = image.crop((left, top, left + width, top + height))
    # Seals and QR codes are drawn on white: keep the darker pixel, as ink on paper does.
    image.paste(ImageChops.darker(region, picture), (left, top))


def _decode(data: bytes) -> Image.Image | None:
    """An embedded PNG/JPEG/... flattened on white; ``None`` when Pillow cannot read it
    (OFD also allows JBIG2) or it is implausibly large."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(io.BytesIO(data))
            if picture.width * picture.height > MAX_EMBEDDED_PIXELS:
                return None
            picture.load()
    except (
        UnidentifiedImageError,
        OSError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
    ):
        return None
    if picture.mode in ("RGBA", "LA", "P", "PA"):
        rgba = picture.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, "white")
        return Image.alpha_composite(paper, rgba).convert("RGB")
    return picture.convert("RGB")


__all__ = [
    "DEFAULT_DPI",
    "cjk_font_path",
    "render_fields_page",
    "render_ofd",
    "render_ofd_page",
]
