"""Typed data passed between the extraction layers.

Money is always ``Decimal`` quantised to two places; dates are ``datetime.date``.
``ExtractionResult.to_contract()`` produces the JSON shape of the ``extract`` CLI,
which other tools depend on.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from extraction.calibration import FieldEvidence

CENT = Decimal("0.01")


class DocumentType(StrEnum):
    VAT_SPECIAL = "vat_special"  # 增值税专用发票 (paper)
    VAT_GENERAL = "vat_general"  # 增值税普通发票 (paper)
    VAT_ELECTRONIC = "vat_electronic"  # 增值税电子普通/专用发票, 12-digit code
    DIGITAL_INVOICE = "digital_invoice"  # 数电票 / 全电发票, 20-digit number
    TRAIN_TICKET = "train_ticket"
    TAXI_RECEIPT = "taxi_receipt"
    QUOTA_INVOICE = "quota_invoice"  # 定额发票
    AIR_ITINERARY = "air_itinerary"
    BUS_TICKET = "bus_ticket"
    TOLL_RECEIPT = "toll_receipt"
    RECEIPT = "receipt"  # shop / restaurant / foreign receipts
    OTHER = "other"


# Fields of the extraction contract, in contract order (line_items excluded).
SCALAR_FIELDS: tuple[str, ...] = (
    "invoice_code",
    "invoice_number",
    "issue_date",
    "seller_name",
    "seller_tax_id",
    "buyer_name",
    "buyer_tax_id",
    "amount_excluding_tax",
    "tax_amount",
    "total_amount",
    "total_in_words",
    "check_code",
    "currency",
)
MONEY_FIELDS: frozenset[str] = frozenset({"amount_excluding_tax", "tax_amount", "total_amount"})


class FieldSource(StrEnum):
    """Where a field's value came from (its provenance)."""

    QR = "qr"  # the invoice's own QR code
    XML = "xml"  # 数电票 XML
    OFD = "ofd"  # OFD e-invoice (CustomData / tagged text objects)
    PDF_TEXT = "pdf_text"  # a PDF's text layer
    OCR = "ocr"
    VLM = "vlm"
    REMOTE = "remote"
    EMPLOYEE = "employee"  # typed or corrected by a person


# Sources that read the issuer's own machine-readable data: exact, not a reading of pixels.
MACHINE_READABLE_SOURCES: frozenset[FieldSource] = frozenset(
    {FieldSource.QR, FieldSource.XML, FieldSource.OFD}
)


def money(value: Decimal | int | str | None) -> Decimal | None:
    """Quantise to cents; ``None`` stays ``None``."""
    if value is None:
        return None
    return Decimal(value).quantize(CENT)


@dataclass
class LineItem:
    name: str | None = None
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    amount: Decimal | None = None
    # Normalised rate as printed: "13%", "6%", "0%", or "免税" for exempt.
    tax_rate: str | None = None
    tax_amount: Decimal | None = None

    def to_contract(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "quantity": _dec_str(self.quantity, places=None),
            "unit_price": _dec_str(self.unit_price, places=None),
            "amount": _dec_str(self.amount),
            "tax_rate": self.tax_rate,
            "tax_amount": _dec_str(self.tax_amount),
        }


@dataclass
class InvoiceFields:
    invoice_code: str | None = None
    invoice_number: str | None = None
    issue_date: dt.date | None = None
    seller_name: str | None = None
    seller_tax_id: str | None = None
    buyer_name: str | None = None
    buyer_tax_id: str | None = None
    amount_excluding_tax: Decimal | None = None
    tax_amount: Decimal | None = None
    total_amount: Decimal | None = None
    total_in_words: str | None = None
    check_code: str | None = None  # digits only, as printed (often 20 digits)
    currency: str | None = None  # ISO 4217, e.g. "CNY", "MYR"
    line_items: list[LineItem] = field(default_factory=list)

    def to_contract(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in SCALAR_FIELDS:
            value = getattr(self, name)
            if isinstance(value, dt.date):
                out[name] = value.isoformat()
            elif isinstance(value, Decimal):
                out[name] = _dec_str(value)
            else:
                out[name] = value
        out["line_items"] = [item.to_contract() for item in self.line_items]
        return out

    def present(self) -> list[str]:
        """Names of scalar fields that hold a value."""
        return [name for name in SCALAR_FIELDS if getattr(self, name) not in (None, "")]


def warning_params(params: Mapping[str, object] | None) -> tuple[tuple[str, str], ...]:
    """Parameters of a warning as stored: names to strings (None: "")."""
    if not params:
        return ()
    return tuple((name, "" if value is None else str(value)) for name, value in params.items())


@dataclass(frozen=True)
class ValidationWarning:
    """A failed or doubtful cross-check; ``code`` is stable and machine-readable.

    ``message`` is English for logs and tools; people read a translation keyed by
    ``code`` (and ``params["variant"]`` where one code has several sentences) filled from
    ``params``, the values the message names (see ``reimbursements.warning_messages``).
    """

    code: str
    message: str
    field: str | None = None
    params: tuple[tuple[str, str], ...] = ()

    def to_contract(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message, "field": self.field}
        if self.params:
            out["params"] = dict(self.params)
        return out


@dataclass(frozen=True)
class FieldRegion:
    """Where on a page a field's value was read: ``box`` is (x0, y0, x1, y1) as fractions
    (0..1) of the page's width and height, so a client draws it on any displayed size."""

    page: int
    box: tuple[float, float, float, float]

    def to_dict(self) -> dict[str, Any]:
        return {"page": self.page, "box": [round(v, 5) for v in self.box]}


def region_of(
    points: Iterable[Sequence[float]], *, size: tuple[int, int], page: int = 0
) -> FieldRegion | None:
    """The region around ``points`` (pixels of a ``size`` = (width, height) page), clamped to
    the page; ``None`` without points or for an empty page."""
    width, height = size
    xy = [(float(p[0]), float(p[1])) for p in points]
    if not xy or width <= 0 or height <= 0:
        return None

    def clamp(value: float) -> float:
        return min(max(value, 0.0), 1.0)

    x0, x1 = min(x for x, _ in xy), max(x for x, _ in xy)
    y0, y1 = min(y for _, y in xy), max(y for _, y in xy)
    return FieldRegion(
        page=page,
        box=(clamp(x0 / width), clamp(y0 / height), clamp(x1 / width), clamp(y1 / height)),
    )


@dataclass
class ExtractionResult:
    document_type: DocumentType
    fields: InvoiceFields
    confidence: dict[str, float] = field(default_factory=dict)
    warnings: list[ValidationWarning] = field(default_factory=list)
    engine: str = ""
    engine_version: str = ""
    model_version: str = ""
    prompt_version: str = ""
    # Stage name -> milliseconds (e.g. "prepare", "ocr", "parse", "validate", "total").
    timings: dict[str, float] = field(default_factory=dict)
    # What the engine actually produced (OCR lines as text, or the model's answer),
    # kept for debugging and for the bad-case collection. May hold PII until masked.
    raw_output: str = ""
    # Field name -> where its value came from; fields without an entry have no value.
    sources: dict[str, FieldSource] = field(default_factory=dict)
    # Field name -> other, independent sources that read the same value (the print
    # against the QR code, OCR against the model): such a field counts as verified.
    agreeing: dict[str, list[FieldSource]] = field(default_factory=dict)
    # Field name -> how validation found its value supported (``extraction.calibration``
    # turns it into the reported confidence); not part of the contract.
    evidence: dict[str, FieldEvidence] = field(default_factory=dict)
    # Field name -> where on the page the value was read (OCR of the page's pixels only:
    # machine-read and text-layer fields have none); not part of the CLI contract.
    regions: dict[str, FieldRegion] = field(default_factory=dict)
    # Field name -> the lowest probability the recogniser gave any character of the
    # value where it is printed (``extraction.glyphs``); only where the OCR model reports
    # character probabilities. Evidence for the calibration; not part of the contract.
    glyphs: dict[str, float] = field(default_factory=dict)

    def to_contract(self) -> dict[str, Any]:
        return {
            "document_type": self.document_type.value,
            "fields": self.fields.to_contract(),
            "sources": {k: FieldSource(v).value for k, v in sorted(self.sources.items())},
            "confidence": {k: round(v, 4) for k, v in sorted(self.confidence.items())},
            "warnings": [w.to_contract() for w in self.warnings],
            "engine": self.engine,
            "elapsed_ms": round(self.timings.get("total", 0.0), 1),
        }

    def replace(self, **changes: Any) -> ExtractionResult:
        return dataclasses.replace(self, **changes)


def _dec_str(value: Decimal | None, places: int | None = 2) -> str | None:
    if value is None:
        return None
    if places is None:
        normalised = value.normalize()
        # normalize() turns 100 into 1E+2; format back to plain notation.
        return format(normalised, "f")
    return str(value.quantize(Decimal(1).scaleb(-places)))
