"""Money helpers: 大写 (financial capital numerals) and tax arithmetic.

Written here rather than imported from ``extraction.validation`` on purpose: the generator
is the independent oracle the extractor is measured against, so it must not share code
with the thing under test.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_BIG_UNITS = ("", "万", "亿", "万亿")


def cents(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _group_words(group: int) -> str:
    """Words for 0 < group < 10000, with inner zeros collapsed to one 零."""
    out: list[str] = []
    pending_zero = False
    for pos in range(3, -1, -1):
        digit = group // 10**pos % 10
        if digit == 0:
            if out:
                pending_zero = True
            continue
        if pending_zero:
            out.append("零")
            pending_zero = False
        out.append(_DIGITS[digit] + _SMALL_UNITS[pos])
    return "".join(out)


def integer_words(number: int) -> str:
    """大写 of a non-negative integer, keeping the leading 壹 of 壹拾 (financial style)."""
    if number == 0:
        return "零"
    groups = []
    while number:
        groups.append(number % 10000)
        number //= 10000
    out: list[str] = []
    need_zero = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            need_zero = bool(out)
            continue
        # A lower group below 1000 after a higher one reads with a 零 (壹万零伍佰).
        if out and (need_zero or group < 1000):
            out.append("零")
        out.append(_group_words(group) + _BIG_UNITS[index])
        need_zero = False
    return "".join(out)


def amount_in_words(value: Decimal | str, yuan: str = "元") -> str:
    """价税合计（大写）: 16409.02 -> 壹万陆仟肆佰零玖元零贰分, 100000 -> 壹拾万元整.

    ``yuan`` is 元 or 圆: both are printed on real invoices (e-invoices mostly use 圆).
    """
    amount = cents(value)
    if amount < 0:
        raise ValueError("negative amounts have no 大写 here")
    total_cents = int(amount * 100)
    whole, frac = divmod(total_cents, 100)
    jiao, fen = divmod(frac, 10)
    parts = []
    if whole:
        parts.append(integer_words(whole) + yuan)
    if jiao == 0 and fen == 0:
        return (parts[0] if parts else "零" + yuan) + "整"
    if jiao:
        parts.append(_DIGITS[jiao] + "角")
    elif whole:
        parts.append("零")
    if fen:
        parts.append(_DIGITS[fen] + "分")
    else:
        parts.append("整")
    return "".join(parts)


def tax_of(amount: Decimal, rate_percent: int) -> Decimal:
    return cents(amount * Decimal(rate_percent) / Decimal(100))


def money_str(value: Decimal) -> str:
    """Contract form: two decimals, no thousands separator."""
    return str(cents(value))
