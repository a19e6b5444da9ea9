"""The typed result rebuilt from its stored contract (``ExtractionResult.to_contract``'s
``fields``), for checks that run again on stored or corrected values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from extraction.schema import SCALAR_FIELDS, DocumentType, ExtractionResult, InvoiceFields, LineItem

AMOUNT_FIELDS = frozenset({"amount_excluding_tax", "tax_amount", "total_amount"})


def result_from_contract(
    fields: Mapping[str, Any] | None,
    *,
    document_type: str,
    confidence: Mapping[str, float] | None = None,
    engine: str = "",
) -> ExtractionResult:
    """Values that do not parse (a date, an amount) come back as ``None``; an unknown
    document type as ``other``."""
    data = fields or {}
    values: dict[str, Any] = {}
    for name in SCALAR_FIELDS:
        raw = data.get(name)
        if raw in (None, ""):
            values[name] = None
        elif name == "issue_date":
            values[name] = date_or_none(raw)
        elif name in AMOUNT_FIELDS:
            values[name] = decimal_or_none(raw)
        else:
            values[name] = str(raw)
    items = [
        LineItem(
            name=item.get("name"),
            quantity=decimal_or_none(item.get("quantity")),
            unit_price=decimal_or_none(item.get("unit_price")),
            amount=decimal_or_none(item.get("amount")),
            tax_rate=item.get("tax_rate"),
            tax_amount=decimal_or_none(item.get("tax_amount")),
        )
        for item in data.get("line_items") or []
        if isinstance(item, dict)
    ]
    try:
        kind = DocumentType(document_type)
    except ValueError:
        kind = DocumentType.OTHER
    return ExtractionResult(
        document_type=kind,
        fields=InvoiceFields(**values, line_items=items),
        confidence=dict(confidence or {}),
        engine=engine,
    )


def date_or_none(raw: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        return None


def decimal_or_none(raw: Any) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        return Decimal(str(raw))
    except InvalidOperation:
        return None
