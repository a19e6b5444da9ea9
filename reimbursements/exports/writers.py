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
# Codes Excel would read as numbers when it opens a CSV: leading zeros dropped
# (012001800311 -> 12001800311), 20-digit 数电票 numbers and 15-digit tax IDs turned into
# 2.6377E+19. Excel (Chinese Windows included) keeps a cell that starts with a tab as
# text and shows it without the tab; ="..." would show as a formula when edited.
# The XLSX layout stores them as text cells instead.
CSV_TEXT_COLUMNS = frozenset({"seller_tax_id", "invoice_code", "invoice_number"})
# Excel picks the ANSI code page (GBK on Chinese Windows) for a CSV without a byte-order
# mark and garbles every UTF-8 name.
UTF8_BOM = "\ufeff"


def safe_text(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _cell(column: str, value: Any) -> Any:
    if value is None:
        return ""
    if column in MONEY_COLUMNS:
        return Decimal(str(value))
    if column in CSV_TEXT_COLUMNS and isinstance(value, str) and value.isdigit():
        return "\t" + value
    return safe_text(value)


def to_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str] = COLUMNS) -> bytes:
    out = io.StringIO()
    out.write(UTF8_BOM)
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
