"""CSV and XLSX renderings of an export page (the same columns as the JSON items)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

from reimbursements.exports.items import COLUMNS, MONEY_COLUMNS

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A spreadsheet runs a cell that starts with one of these as a formula. Seller names
# come from photos anyone can make, so text cells are defused with a leading quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _cell(column: str, value: Any) -> Any:
    if value is None:
        return ""
    if column in MONEY_COLUMNS:
        return Decimal(str(value))
    return safe_text(value)


def to_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str] = COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(c, row.get(c)) for c in columns])
    return out.getvalue().encode("utf-8")


def to_xlsx(
    rows: Iterable[dict[str, Any]],
    columns: Sequence[str] = COLUMNS,
    *,
    money_columns: frozenset[str] = MONEY_COLUMNS,
    title: str = "approved",
) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append(list(columns))
    for row in rows:
        values: list[Any] = []
        for column in columns:
            value = row.get(column)
            if value is None:
                values.append(None)
            elif column in money_columns:
                values.append(Decimal(str(value)))
            else:
                values.append(safe_text(value))
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
