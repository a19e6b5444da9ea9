"""The weakest glyph of each field: the lowest probability the recogniser gave any one
character of the value, where the OCR printed it.

A line's OCR score is the mean of its characters' probabilities, so one misread letter in
a long name ("BUARDIAN", "GARDENIA BAKERIES (EL)") hardly moves it, while that letter's
own probability is low. The calibration (``extraction.calibration``) takes this number
as evidence next to the line score.

The value is looked for in the lines the parser read it from (``Parsed.boxes``), else in
every line: its letters and digits, in order, ignoring spaces, punctuation and case (an
amount ``46.60`` is found in ``RM46.60``, a name in a line that goes on with its
registration number). A value spread over several lines (a name broken in two) is
covered by the lines that each hold a piece of it. An amount may be printed without the
zeros of its cents (``35.0元``). A date is printed in another shape than it is stored
(``05/01/2018`` for ``2018-01-05``): in the line it was read from, its digits are the
line's digits; without that line, its digits in year-month-day or day-month-year
order. A number is never found inside a longer one (a serial number), nor a shortened
amount anywhere but in its own line. Where the value is found more than once, the
surest reading counts (a second clean print of the same value). Nothing is reported for
a value that cannot be found or lines without character scores (another OCR model, a
text layer).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from extraction.engines.base import OcrLine
from extraction.parsing.result import Parsed

# Fields whose printed characters are the value (dates are matched by their digits).
_TEXT_FIELDS = (
    "seller_name",
    "buyer_name",
    "seller_tax_id",
    "buyer_tax_id",
    "invoice_code",
    "invoice_number",
    "check_code",
    "total_amount",
    "amount_excluding_tax",
    "tax_amount",
)
_DATE_FIELDS = ("issue_date",)
_MONEY_FIELDS = frozenset({"total_amount", "amount_excluding_tax", "tax_amount"})
# Pieces of a value shorter than this are not looked for on their own line.
_MIN_PIECE = 3


def weakest(parsed: Parsed, lines: Sequence[OcrLine]) -> dict[str, float]:
    """Field -> the lowest character probability of its value as printed (see module)."""
    out: dict[str, float] = {}
    for name in (*_TEXT_FIELDS, *_DATE_FIELDS):
        value = getattr(parsed.fields, name, None)
        if value in (None, ""):
            continue
        read_at = [lines[i] for i in parsed.boxes.get(name, ()) if 0 <= i < len(lines)]
        found = _field_glyph(name, value, read_at, lines)
        if found is not None:
            out[name] = round(found, 4)
    return out


def _field_glyph(
    name: str, value: object, read_at: Sequence[OcrLine], lines: Sequence[OcrLine]
) -> float | None:
    """The weakest glyph of one field's value: a date's digits in its own line, else each
    printed form in the lines it was read from, the form as stored also anywhere."""
    digits = name in _DATE_FIELDS  # a date's digits, whatever stands between them
    if digits and (found := _date_digits(read_at)) is not None:
        return found
    for form, printed in enumerate(_printed_forms(name, value)):
        found = value_glyph(printed, read_at, digits=digits) if read_at else None
        if found is None and form == 0:
            # Elsewhere only as stored: a shortened amount ("4" of 4.00) is in every
            # serial number.
            found = value_glyph(printed, lines, digits=digits)
        if found is not None:
            return found
    return None


def _printed_forms(name: str, value: object) -> list[str]:
    """How a stored value may be printed, surest first: as it is; an amount also without
    the zeros of its cents (``35.00`` printed ``35.0元`` or ``35``); a date as its digits
    year-month-day or day-month-year (``2018-01-05``: 20180105, 05012018), zero-padded."""
    text = str(value)
    if name in _MONEY_FIELDS and "." in text:
        forms = [text]
        while text.endswith("0") and "." in text:
            text = text[:-1]
            forms.append(text.rstrip("."))
        return forms
    if name in _DATE_FIELDS:
        year, month, day = text.split("-") if text.count("-") == 2 else ("", "", "")
        return [f"{year}{month}{day}", f"{day}{month}{year}"] if year else []
    return [text]


def value_glyph(value: str, lines: Iterable[OcrLine], *, digits: bool = False) -> float | None:
    """The weakest character of ``value`` in the surest line that prints it whole, else
    over the lines that together print it in pieces; None when not found. ``digits``:
    only digits count, on both sides (a date printed with 年月日 or slashes)."""
    keep = str.isdigit if digits else str.isalnum
    key = _key(value, keep)
    if not key:
        return None
    scored = [line for line in lines if _aligned(line)]
    whole = [found for line in scored if (found := _span_min(line, key, keep)) is not None]
    if whole:
        return max(whole)
    pieces: list[float] = []
    covered = 0
    for line in scored:
        own = _key(line.text, keep)
        if len(own) >= _MIN_PIECE and own in key:
            found = _span_min(line, own, keep)
            if found is not None:
                pieces.append(found)
                covered += len(own)
    if pieces and covered >= len(key):
        return min(pieces)
    return None


def _date_digits(lines: Sequence[OcrLine]) -> float | None:
    digits = [
        score
        for line in lines
        if _aligned(line)
        for char, score in zip(line.text, line.char_scores or (), strict=True)
        if char.isdigit()
    ]
    return min(digits) if digits else None


def _aligned(line: OcrLine) -> bool:
    return line.char_scores is not None and len(line.char_scores) == len(line.text)


def _key(text: str, keep: Callable[[str], bool] = str.isalnum) -> str:
    return "".join(_upper(char) for char in text if keep(char))


def _upper(char: str) -> str:
    """One character upper-cased, kept as it is where that would change its length."""
    upper = char.upper()
    return upper if len(upper) == 1 else char


def _span_min(line: OcrLine, key: str, keep: Callable[[str], bool] = str.isalnum) -> float | None:
    """Lowest score over the characters of ``line`` that spell ``key`` (the characters
    ``keep`` keeps, case-blind), at its first occurrence; None when the line does not
    hold it."""
    positions = [index for index, char in enumerate(line.text) if keep(char)]
    letters = "".join(_upper(line.text[index]) for index in positions)
    if line.char_scores is None:
        return None
    start = letters.find(key)
    # A number is never the middle of a longer one (400 is not in the serial 88402146).
    bounded = keep is str.isalnum and key[0].isdigit()  # a date's digits run on
    while start >= 0 and bounded and _inside_number(letters, start, len(key)):
        start = letters.find(key, start + 1)
    if start < 0:
        return None
    return min(line.char_scores[positions[start + k]] for k in range(len(key)))


def _inside_number(letters: str, start: int, length: int) -> bool:
    before = letters[start - 1] if start > 0 else ""
    after = letters[start + length] if start + length < len(letters) else ""
    return before.isdigit() or after.isdigit()
