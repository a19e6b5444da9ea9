"""数电票 XML (``<EInvoice>``): the issuer's own data, read exactly.

No official schema is published; the element names are those several open parsers read
(see FACTS.md). Every element is optional: a missing one leaves its field empty and the
validator reports what 发票查验 needs. Elements are matched by local name, so a namespace
(or none) makes no difference. A value that is present but malformed (an amount that is
not a number, an impossible date) is a broken file: ``ValueError``, never a guess.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element

from extraction.machine import MachineReading
from extraction.machine.safexml import descendants, find, local_name, parse_xml, text_of
from extraction.schema import CENT, DocumentType, FieldSource, InvoiceFields, LineItem

ROOT = "EInvoice"
# Seen in real files beside the numeric total; read when present, never computed.
_WORDS_ELEMENTS = ("TotalTax-includedAmountInChinese", "TotalTaxincludedAmountInChinese")
_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def is_einvoice_root(root: Element) -> bool:
    return local_name(root) == ROOT


def read_einvoice_xml(data: bytes, *, source: str = "the XML") -> MachineReading:
    """The complete reading of a 数电票 XML file; ``ValueError`` when it is not one."""
    root = parse_xml(data, what=source)
    if not is_einvoice_root(root):
        raise ValueError(
            f"{source} is not a 数电票 XML: its root element is <{local_name(root)}>, "
            f"expected <{ROOT}>"
        )
    return reading_from_root(root, raw=f"{ROOT} XML ({len(data)} bytes)")


def reading_from_root(root: Element, *, raw: str = ROOT) -> MachineReading:
    """Fields of an already parsed ``<EInvoice>`` element."""
    number = _first_text(root, "TaxSupervisionInfo/InvoiceNumber", "Header/EIid")
    issued = _first_text(root, "TaxSupervisionInfo/IssueTime") or _leaf(root, "RequestTime")
    fields = InvoiceFields(
        invoice_number=_digits_or_text(number),
        issue_date=parse_issue_date(issued, element="IssueTime") if issued else None,
        seller_name=_leaf(root, "SellerName"),
        seller_tax_id=_leaf(root, "SellerIdNum"),
        buyer_name=_leaf(root, "BuyerName"),
        buyer_tax_id=_leaf(root, "BuyerIdNum"),
        amount_excluding_tax=_money(root, "TotalAmWithoutTax"),
        tax_amount=_money(root, "TotalTaxAm"),
        total_amount=_money(root, "TotalTax-includedAmount"),
        total_in_words=next(
            (value for name in _WORDS_ELEMENTS if (value := _leaf(root, name))), None
        ),
        currency="CNY",
        line_items=[_line_item(item) for item in descendants(root, "IssuItemInformation")],
    )
    # Whether the XML says 专用 or 普通, a 数电票 is one document type here: its number,
    # not a code, identifies it, and 查验 needs the same fields for both.
    return MachineReading(
        source=FieldSource.XML,
        fields=fields,
        document_type=DocumentType.DIGITAL_INVOICE,
        complete=True,
        raw=raw,
    )


def parse_issue_date(text: str, *, element: str) -> dt.date:
    """``2024-12-05``, ``2024-12-05 14:03:11`` or ``2024年12月05日`` -> a date."""
    match = _DATE.match(text)
    if match is None:
        raise ValueError(f"{element} {text!r} is not a date")
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError as exc:
        raise ValueError(f"{element} {text!r} is not a valid date: {exc}") from exc


def parse_decimal(text: str, *, element: str) -> Decimal:
    """A plain number as written (``¥``, spaces and thousands separators tolerated)."""
    cleaned = re.sub(r"[\s,¥￥]", "", text)
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(f"{element} {text!r} is not a number") from exc
    if not value.is_finite():
        raise ValueError(f"{element} {text!r} is not a finite number")
    return value


def _line_item(item: Element) -> LineItem:
    from extraction.validation import normalize_tax_rate

    rate = text_of(find(item, "TaxRate"))
    return LineItem(
        name=text_of(find(item, "ItemName")),
        quantity=_number(item, "Quantity"),
        unit_price=_number(item, "UnPrice"),
        amount=_money(item, "Amount", direct=True),
        tax_rate=(normalize_tax_rate(rate) or rate) if rate else None,
        tax_amount=_money(item, "ComTaxAm", direct=True),
    )


def _first_text(root: Element, *paths: str) -> str | None:
    """The first value found along ``Section/Leaf`` paths, the section at any depth."""
    for path in paths:
        section_name, leaf = path.split("/")
        for section in descendants(root, section_name):
            value = text_of(find(section, leaf))
            if value:
                return value
    return None


def _leaf(root: Element, name: str) -> str | None:
    """The first non-empty element ``name`` anywhere in the document (names are unique)."""
    return next((value for node in descendants(root, name) if (value := text_of(node))), None)


def _money(root: Element, name: str, *, direct: bool = False) -> Decimal | None:
    text = text_of(find(root, name)) if direct else _leaf(root, name)
    return None if text is None else parse_decimal(text, element=name).quantize(CENT)


def _number(item: Element, name: str) -> Decimal | None:
    text = text_of(find(item, name))
    return None if text is None else parse_decimal(text, element=name)


def _digits_or_text(value: str | None) -> str | None:
    return re.sub(r"\s+", "", value) if value else None
