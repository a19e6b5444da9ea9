"""Normalisation of raw strings into typed values, shared by every parser.

OCR and model output arrive full-width (``￥``, ``：``), with stray spaces, thousands
separators and many date spellings; these helpers turn them into ``Decimal`` and
``date`` or ``None`` -- never a guess that looks certain.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from extraction.schema import CENT


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def squash(text: str) -> str:
    """NFKC and drop all whitespace (OCR splits or merges spaces unpredictably)."""
    return re.sub(r"\s+", "", nfkc(text))


def letters(text: str) -> str:
    """NFKC, only letters and digits, case-blind (``Ｓ/B Sdn.`` -> ``sbsdn``): what two
    readings of one name share when spacing, width, case and punctuation are set aside."""
    return "".join(char for char in nfkc(text) if char.isalnum()).casefold()


_MONEY_RE = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?")


def parse_money(text: str | None) -> Decimal | None:
    """First amount in ``text`` as a 2-place Decimal: '¥1,130.00' -> 1130.00, '59.5元' -> 59.50."""
    if text is None:
        return None
    cleaned = nfkc(str(text)).replace(" ", "")
    cleaned = re.sub(r"(?<=\d)[,，](?=\d{3}\b)", ",", cleaned)
    match = _MONEY_RE.search(cleaned)
    if not match:
        return None
    try:
        return Decimal(match.group(0).replace(",", "")).quantize(CENT)
    except InvalidOperation:
        return None


_MONTHS = {
    name: index
    for index, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}

_DATE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # 2024年01月02日 / 2024-01-02 / 2024/1/2 / 2024.01.02
    (re.compile(r"(?<!\d)(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?"), "ymd"),
    # 20240102 (as printed on some e-invoices)
    (re.compile(r"(?<!\d)(20\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)"), "ymd"),
    # 02/01/2024, 02-01-2024, 02.01.2024 (day first: the convention on our receipts)
    (re.compile(r"(?<!\d)(\d{1,2})\s*[\-/.]\s*(\d{1,2})\s*[\-/.]\s*(\d{4})(?!\d)"), "dmy"),
    # 02/01/24 (two-digit year, day first)
    (re.compile(r"(?<!\d)(\d{1,2})[\-/.](\d{1,2})[\-/.](\d{2})(?!\d)"), "dmy2"),
    # 2 Jan 2024, 02-JAN-24
    (re.compile(r"(?<!\d)(\d{1,2})[\s\-/.]*([A-Za-z]{3,9})[\s\-/.,]*(\d{2,4})(?!\d)"), "dMy"),
    # Jan 2, 2024
    (re.compile(r"\b([A-Za-z]{3,9})[\s.]*(\d{1,2})(?:st|nd|rd|th)?[\s,]+(\d{4})(?!\d)"), "Mdy"),
)


def parse_date(text: str | None) -> dt.date | None:
    """First plausible calendar date in ``text``; ``None`` if there is none."""
    if not text:
        return None
    normalised = nfkc(str(text))
    for pattern, order in _DATE_PATTERNS:
        for match in pattern.finditer(normalised):
            parsed = _build_date(match.groups(), order)
            if parsed is not None:
                return parsed
    return None


def _build_date(groups: tuple[str | None, ...], order: str) -> dt.date | None:
    try:
        if order == "ymd":
            year, month, day = (int(g or 0) for g in groups)
        elif order == "dmy":
            day, month, year = (int(g or 0) for g in groups)
        elif order == "dmy2":
            day, month, year2 = (int(g or 0) for g in groups)
            year = 2000 + year2
        elif order == "dMy":
            day = int(groups[0] or 0)
            month = _MONTHS.get((groups[1] or "").lower(), 0)
            year = int(groups[2] or 0)
            year = year + 2000 if year < 100 else year
        else:  # Mdy
            month = _MONTHS.get((groups[0] or "").lower(), 0)
            day = int(groups[1] or 0)
            year = int(groups[2] or 0)
        if not 1990 <= year <= 2100:
            return None
        return dt.date(year, month, day)
    except ValueError:
        return None


def digits_only(text: str | None) -> str | None:
    if text is None:
        return None
    digits = re.sub(r"\D", "", nfkc(text))
    return digits or None
