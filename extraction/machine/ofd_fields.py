"""The invoice in an OFD package, read exactly: one complete ``MachineReading``.

Its parts, best first; for each field the first part that holds it wins:

1. an invoice XML embedded under ``Doc_N/Attachs/`` (some issuers add one), read by
   ``einvoice_xml``;
2. the printed text objects the issuer *tagged* (``CustomTag.xml``: InvoiceNo, IssueDate,
   BuyerName, SellerTaxID, TaxInclusiveTotalAmount, Item, ...), and the printed 大写
   total (the one text object that reads as a 大写 amount);
3. ``OFD.xml``'s CustomData (发票号码, 开票日期, 合计金额, 合计税额, both tax IDs);
4. only for what none of these holds (an OFD without tags): the page's text objects
   handed to the layout parser as perfectly read OCR boxes -- exact strings, placed by
   the same label rules as a scan.

Parts 1-3 are the issuer's own data and must agree: where two of them differ, the
reading carries an ``ofd_parts_disagree`` warning naming both values (an edited file
changes one and forgets the other), and the better part's value is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from extraction.chinese_amount import words_to_amount
from extraction.engines.base import OcrLine
from extraction.machine import MachineReading
from extraction.machine.einvoice_xml import parse_decimal, parse_issue_date, reading_from_root
from extraction.machine.ofd import (
    ROOT_FILE,
    OfdPackage,
    OfdPage,
    TextCode,
    TextObject,
    parse_ofd,
)
from extraction.schema import (
    CENT,
    SCALAR_FIELDS,
    DocumentType,
    FieldSource,
    InvoiceFields,
    LineItem,
    ValidationWarning,
    warning_params,
)

OFD_PARTS_DISAGREE = "ofd_parts_disagree"

# CustomData names (OFD.xml DocInfo) -> field.
CUSTOM_DATA_FIELDS = {
    "发票号码": "invoice_number",
    "发票代码": "invoice_code",
    "开票日期": "issue_date",
    "合计金额": "amount_excluding_tax",
    "合计税额": "tax_amount",
    "价税合计": "total_amount",
    "校验码": "check_code",
    "销售方纳税人识别号": "seller_tax_id",
    "购买方纳税人识别号": "buyer_tax_id",
    "销售方名称": "seller_name",
    "购买方名称": "buyer_name",
}
# Semantic tags -> field (generic names are looked up with their parent's name prefixed).
TAG_FIELDS = {
    "InvoiceNo": "invoice_number",
    "InvoiceCode": "invoice_code",
    "IssueDate": "issue_date",
    "InvoiceCheckCode": "check_code",
    "BuyerName": "buyer_name",
    "BuyerTaxID": "buyer_tax_id",
    "SellerName": "seller_name",
    "SellerTaxID": "seller_tax_id",
    "TaxExclusiveTotalAmount": "amount_excluding_tax",
    "TaxTotalAmount": "tax_amount",
    "TaxInclusiveTotalAmount": "total_amount",
}
# Line-item tags -> LineItem attribute; rows are anchored on the line amounts.
ITEM_TAGS = {
    "Item": "name",
    "ItemName": "name",
    "Quantity": "quantity",
    "Price": "unit_price",
    "Amount": "amount",
    "TaxScheme": "tax_rate",
    "TaxAmount": "tax_amount",
}
_MONEY = frozenset({"amount_excluding_tax", "tax_amount", "total_amount"})
_CODES = frozenset({"invoice_number", "invoice_code", "check_code"})
_WORDS_CLUTTER = re.compile(r"[\s⊗ⓧ⨂()（）:：]|价税合计|大写")
# Resolution of the pseudo OCR boxes handed to the layout parser (as if rendered).
LAYOUT_DPI = 200.0


@dataclass(frozen=True)
class _Part:
    label: str  # how a warning names it
    fields: InvoiceFields


def read_ofd(data: bytes, *, max_pages: int = 50) -> MachineReading:
    """The complete reading of an OFD invoice; ``ValueError`` when it cannot be read."""
    return reading_from_package(parse_ofd(data, max_pages=max_pages))


def reading_from_package(package: OfdPackage) -> MachineReading:
    custom = custom_data_fields(package.custom_data)
    parts = [
        _Part(f"the embedded XML {name}", reading_from_root(root).fields)
        for name, root in package.attachments
    ]
    parts.append(_Part("the printed text", printed_fields(package, known=custom)))
    parts.append(_Part(f"{ROOT_FILE} CustomData", custom))
    fields, warnings = _combine(parts)
    if not _enough(fields) and package.pages:
        layout = layout_fields(package.pages[0])
        for name in SCALAR_FIELDS:
            if getattr(fields, name) is None:
                setattr(fields, name, getattr(layout, name))
        fields.line_items = fields.line_items or layout.line_items
    fields.currency = fields.currency or "CNY"
    sources = ["embedded XML"] * len(package.attachments) + ["tags", "CustomData"]
    return MachineReading(
        source=FieldSource.OFD,
        fields=fields,
        document_type=_document_type(fields),
        complete=True,
        raw=f"OFD ({', '.join(sources)}; {len(package.pages)} page(s))",
        warnings=tuple(warnings),
    )


def _combine(parts: list[_Part]) -> tuple[InvoiceFields, list[ValidationWarning]]:
    fields = InvoiceFields()
    warnings: list[ValidationWarning] = []
    for name in SCALAR_FIELDS:
        chosen: tuple[Any, str] | None = None
        for part in parts:
            value = getattr(part.fields, name)
            if value in (None, ""):
                continue
            if chosen is None:
                chosen = (value, part.label)
                setattr(fields, name, value)
            elif _plain(value) != _plain(chosen[0]):
                warnings.append(
                    ValidationWarning(
                        OFD_PARTS_DISAGREE,
                        f"{name}: {chosen[1]} says {_plain(chosen[0])!r} but {part.label} "
                        f"says {_plain(value)!r}; the first was kept. The file may have "
                        "been altered.",
                        name,
                        warning_params(
                            {
                                "first_part": chosen[1],
                                "first": repr(_plain(chosen[0])),
                                "other_part": part.label,
                                "other": repr(_plain(value)),
                            }
                        ),
                    )
                )
    fields.line_items = next((p.fields.line_items for p in parts if p.fields.line_items), [])
    return fields, warnings


def _enough(fields: InvoiceFields) -> bool:
    wanted = ("invoice_number", "issue_date", "seller_name", "buyer_name", "total_amount")
    return all(getattr(fields, name) is not None for name in wanted) and bool(fields.line_items)


def _plain(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else re.sub(r"\s+", "", str(value))


# --- CustomData --------------------------------------------------------------------------


def custom_data_fields(custom: dict[str, str]) -> InvoiceFields:
    fields = InvoiceFields()
    for label, value in custom.items():
        name = CUSTOM_DATA_FIELDS.get(label)
        if name is not None:
            setattr(fields, name, _typed(name, value, where=f"CustomData {label}"))
    return fields


def _typed(name: str, text: str, *, where: str) -> Any:
    text = text.strip()
    if name == "issue_date":
        return parse_issue_date(text, element=where)
    if name in _MONEY:
        return parse_decimal(text, element=where).quantize(CENT)
    if name in _CODES:
        return re.sub(r"\s+", "", text)
    return text


# --- tagged text objects -------------------------------------------------------------


def printed_fields(package: OfdPackage, *, known: InvoiceFields | None = None) -> InvoiceFields:
    """Fields from the tagged text objects, line items, and the printed 大写 total."""
    fields = InvoiceFields()
    for tag, name in TAG_FIELDS.items():
        occurrences = package.tags.get(tag)
        if not occurrences or getattr(fields, name) is not None:
            continue
        text = _joined(_objects_of(package, occurrences[0]))
        if text:
            setattr(fields, name, _typed(name, text, where=f"tag {tag}"))
    fields.line_items = _tagged_items(package)
    total = fields.total_amount
    if total is None and known is not None:
        total = known.total_amount
    fields.total_in_words = printed_words(package, total)
    return fields


def _objects_of(package: OfdPackage, refs: list[tuple[str, str]]) -> list[TextObject]:
    found: list[TextObject] = []
    for page_id, object_id in refs:
        page = package.page_by_id(page_id)
        for candidate in [page] if page is not None else package.pages:
            obj = candidate.text_by_id.get(object_id)
            if obj is not None:
                found.append(obj)
                break
    return found


def _reading_order(objects: list[TextObject]) -> list[TextObject]:
    def key(obj: TextObject) -> tuple[float, float]:
        first = obj.codes[0] if obj.codes else TextCode(obj.boundary.x, obj.boundary.y, "")
        return (round(first.y - obj.size / 2, 0), first.x)

    return sorted(objects, key=key)


def _joined(objects: list[TextObject]) -> str:
    """The objects' text in reading order (a ``¥`` object then its amount; a wrapped
    name's lines)."""
    return "".join(obj.text for obj in _reading_order(objects)).strip()


def _tagged_items(package: OfdPackage) -> list[LineItem]:
    by_attr: dict[str, list[TextObject]] = {}
    for tag, attr in ITEM_TAGS.items():
        for refs in package.tags.get(tag, []):
            by_attr.setdefault(attr, []).extend(_objects_of(package, refs))
    anchors = sorted(by_attr.get("amount") or by_attr.get("name") or [], key=lambda o: o.boundary.y)
    if not anchors:
        return []
    # A row runs from its amount down to the next one: a wrapped name stays in its row.
    starts = [a.boundary.y - a.boundary.h / 2 for a in anchors] + [float("inf")]
    rows: list[dict[str, list[TextObject]]] = [{} for _ in anchors]
    for attr, objects in by_attr.items():
        for obj in dict.fromkeys(objects):
            for index in range(len(anchors)):
                if starts[index] <= obj.boundary.y < starts[index + 1]:
                    rows[index].setdefault(attr, []).append(obj)
                    break
    return [_item(row) for row in rows]


def _item(row: dict[str, list[TextObject]]) -> LineItem:
    from extraction.validation import normalize_tax_rate

    def text(attr: str) -> str | None:
        return _joined(row.get(attr, [])) or None

    def number(attr: str) -> Decimal | None:
        value = text(attr)
        if value is None or not re.search(r"\d", value):
            return None  # 免税 lines print *** for the tax
        return parse_decimal(value, element=f"line item {attr}")

    amount, tax = number("amount"), number("tax_amount")
    rate = text("tax_rate")
    return LineItem(
        name=text("name"),
        quantity=number("quantity"),
        unit_price=number("unit_price"),
        amount=amount.quantize(CENT) if amount is not None else None,
        tax_rate=(normalize_tax_rate(rate) or rate) if rate else None,
        tax_amount=tax.quantize(CENT) if tax is not None else None,
    )


def printed_words(package: OfdPackage, total: Decimal | None) -> str | None:
    """The printed 大写 total: the text object of the first page that reads as a 大写
    amount (the one equal to ``total`` when several do), as printed."""
    if not package.pages:
        return None
    candidates: list[tuple[str, Decimal]] = []
    for obj in package.pages[0].texts():
        cleaned = _WORDS_CLUTTER.sub("", obj.text)
        if not cleaned or not re.search("[圆元]", cleaned):
            continue
        value = words_to_amount(cleaned)
        if value is not None:
            candidates.append((cleaned, value))
    if len(candidates) == 1:
        return candidates[0][0]
    return next((words for words, value in candidates if value == total), None)


# --- untagged pages: the layout parser over exact text -----------------------------------


def text_lines(page: OfdPage, *, dpi: float = LAYOUT_DPI) -> list[OcrLine]:
    """The page's text as OCR boxes in pixels at ``dpi`` (one per TextCode): what a
    perfect OCR of the rendered page would return."""
    scale = dpi / 25.4
    lines = []
    for obj in page.texts():
        if not obj.upright:
            continue
        for code in obj.codes:
            if not code.text.strip():
                continue
            width = sum(code.advances[: len(code.text) - 1]) + obj.size
            left, right = code.x * scale, (code.x + width) * scale
            top, bottom = (code.y - obj.size) * scale, (code.y + obj.size * 0.2) * scale
            box = ((left, top), (right, top), (right, bottom), (left, bottom))
            lines.append(OcrLine(box=box, text=code.text, score=1.0))
    lines.sort(key=lambda line: (round(line.top / 8), line.left))
    return lines


def layout_fields(page: OfdPage) -> InvoiceFields:
    from extraction.parsing.document import parse_lines

    lines = text_lines(page)
    if not lines:
        return InvoiceFields()
    return parse_lines(lines, hint=DocumentType.DIGITAL_INVOICE).fields


def _document_type(fields: InvoiceFields) -> DocumentType:
    """A 12-digit code with an 8-digit number is the older 增值税电子发票 (OFD since
    2020); anything else here is a 数电票 (20-digit number, no code)."""
    if len(fields.invoice_number or "") == 8 and len(fields.invoice_code or "") == 12:
        return DocumentType.VAT_ELECTRONIC
    return DocumentType.DIGITAL_INVOICE
