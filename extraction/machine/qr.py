"""The invoice's own QR code: decoded with zxing-cpp, parsed, validated.

Every VAT invoice since 2017 and every 数电票 prints a QR code whose payload is

    01,<kind>,<发票代码>,<发票号码>,<amount>,<YYYYMMDD>,<校验码>,<4 characters>

(the last field, and on some issuers the trailing comma, may be missing). 发票代码 and
校验码 are empty on a 数电票 (kinds 31/32) and on paper 专票 the check code is empty too.
The amount is the pre-tax 合计金额, except on a 数电票 where it is the 价税合计. Anything
that does not start with ``01,`` (a train ticket's encrypted payload, a shop's URL) is
not an invoice payload and is ignored; a payload that starts with ``01,`` but breaks the
format (wrong lengths, an impossible date) is dropped rather than trusted.

Decoding runs on the pixels as uploaded, before any downscaling: a printed QR code's
modules are only a few pixels wide on a photo. Passes, cheapest first, stopping at the
first that finds an invoice payload:

1. the whole page in grey; a page longer than ``REDUCED_SIDE`` is decoded on a copy
   reduced to that size instead, which finds a normally sized code at a fraction of the
   cost of a 50 MP photo;
2. the page's two top corners (where invoices print the code), each enlarged
   ``CROP_ZOOM`` times (bicubic: bilinear loses the thin modules of a blurred photo)
   when it is small enough for the modules to be thin, otherwise at the original
   resolution.

Pages are expected upright (EXIF orientation applied, which is lossless): the corner
retry looks where an upright invoice has its code.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal

import zxingcpp
from PIL import Image

from extraction.machine import MachineReading
from extraction.schema import DocumentType, FieldSource, InvoiceFields, money

# First pass on a copy with this longest side when the page is larger.
REDUCED_SIDE = 2200
# Top corner crops: this share of the width and height. Invoices print the code top left
# (top right on some forms); the bottom corners would double the cost of every page
# without a code (measured on 40 receipts: ~60 -> ~20 ms a page with all four).
CROP_SHARE = 0.4
CROP_ZOOM = 2
# Corner crops longer than this are decoded as they are: their modules are wide enough.
ZOOM_MAX_SIDE = 1600

# The kinds confirmed on real payloads (FACTS.md) or by a published 发票种类代码 table
# that agreed with them; the other kinds (02 货运专票, 03 机动车, 08, 14, 15, ...) keep the
# engine's classification.
KIND_TYPES: dict[str, DocumentType] = {
    "01": DocumentType.VAT_SPECIAL,  # 增值税专用发票 (paper)
    "04": DocumentType.VAT_GENERAL,  # 增值税普通发票 (paper)
    "10": DocumentType.VAT_ELECTRONIC,  # 增值税电子普通发票
    "11": DocumentType.VAT_GENERAL,  # 增值税普通发票 (卷式)
    "31": DocumentType.DIGITAL_INVOICE,  # 数电票 (增值税专用发票)
    "32": DocumentType.DIGITAL_INVOICE,  # 数电票 (普通发票)
}
# Kinds whose amount is the 价税合计 (tax included) rather than the pre-tax 合计金额.
TOTAL_AMOUNT_KINDS = frozenset({"31", "32"})

_QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
_KIND = re.compile(r"\d{2}")
_AMOUNT = re.compile(r"-?\d{1,12}(?:\.\d{1,2})?")
_DIGITS = re.compile(r"\d+")


def parse_payload(text: str, *, page: int = 0) -> MachineReading | None:
    """The fields of an invoice QR payload, or ``None`` when it is not a valid one."""
    parts = text.strip().split(",")
    if len(parts) < 7 or parts[0] != "01":
        return None
    kind, code, number, amount_text, date_text, check = (p.strip() for p in parts[1:7])
    if not _KIND.fullmatch(kind) or not _AMOUNT.fullmatch(amount_text):
        return None
    digital = kind in TOTAL_AMOUNT_KINDS
    if digital:
        if code or not (_DIGITS.fullmatch(number) and len(number) == 20):
            return None
    elif not (
        _DIGITS.fullmatch(code)
        and len(code) in (10, 12)
        and _DIGITS.fullmatch(number)
        and len(number) == 8
    ):
        return None
    if check and not (_DIGITS.fullmatch(check) and len(check) == 20):
        return None
    issued = _date(date_text)
    if issued is None:
        return None
    amount = money(Decimal(amount_text))
    fields = InvoiceFields(
        invoice_code=code or None,
        invoice_number=number,
        issue_date=issued,
        check_code=check or None,
        amount_excluding_tax=None if digital else amount,
        total_amount=amount if digital else None,
    )
    return MachineReading(
        source=FieldSource.QR,
        fields=fields,
        document_type=KIND_TYPES.get(kind),
        raw=text,
        page=page,
    )


def _date(text: str) -> dt.date | None:
    if not (_DIGITS.fullmatch(text) and len(text) == 8):
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def read_page(image: Image.Image, *, page: int = 0) -> list[MachineReading]:
    """Every valid invoice payload on one page, in the order zxing found them."""
    grey = image if image.mode == "L" else image.convert("L")
    for candidate in _passes(grey):
        readings = _readings(_decode(candidate.image, zoomed=candidate.zoomed), page)
        if readings:
            return readings
    return []


def read_pages(images: Iterable[Image.Image]) -> list[MachineReading]:
    """Readings of every page, page by page (identical payloads kept once)."""
    seen: set[str] = set()
    out: list[MachineReading] = []
    for index, image in enumerate(images):
        for reading in read_page(image, page=index):
            if reading.raw not in seen:
                seen.add(reading.raw)
                out.append(reading)
    return out


class _Candidate:
    __slots__ = ("image", "zoomed")

    def __init__(self, image: Image.Image, zoomed: bool) -> None:
        self.image = image
        self.zoomed = zoomed


def _passes(grey: Image.Image) -> Iterable[_Candidate]:
    """The images to decode, cheapest first; generated lazily (most pages stop early)."""
    width, height = grey.size
    longest = max(width, height)
    if longest > REDUCED_SIDE:
        # A large photo: the reduced copy, then its corners at full resolution (together
        # about 80% of the pixels); a full-size pass on top would double the cost.
        factor = longest / REDUCED_SIDE
        size = (max(1, round(width / factor)), max(1, round(height / factor)))
        yield _Candidate(grey.resize(size, Image.Resampling.BOX), zoomed=False)
    else:
        yield _Candidate(grey, zoomed=False)
    crop_w, crop_h = round(width * CROP_SHARE), round(height * CROP_SHARE)
    boxes = ((0, 0, crop_w, crop_h), (width - crop_w, 0, width, crop_h))
    zoom = CROP_ZOOM if max(crop_w, crop_h) <= ZOOM_MAX_SIDE else 1
    for box in boxes:
        crop = grey.crop(box)
        if zoom > 1:
            crop = crop.resize((crop.width * zoom, crop.height * zoom), Image.Resampling.BICUBIC)
        yield _Candidate(crop, zoomed=zoom > 1)


def _decode(image: Image.Image, *, zoomed: bool) -> list[str]:
    # An enlarged crop needs no downscaled attempts: they would undo the enlargement.
    barcodes = zxingcpp.read_barcodes(image, formats=_QR_ONLY, try_downscale=not zoomed)
    return [barcode.text for barcode in barcodes]


def _readings(payloads: Iterable[str], page: int) -> list[MachineReading]:
    out: list[MachineReading] = []
    for text in payloads:
        reading = parse_payload(text, page=page)
        if reading is not None and all(r.raw != reading.raw for r in out):
            out.append(reading)
    return out
