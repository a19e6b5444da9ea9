"""Check-digit algorithms for Chinese identifiers and payment cards.

Shared by validation (business data such as the seller's tax ID) and PII detection
(personal numbers that must be masked). All functions take already-normalised text
(NFKC, no spaces) and never raise on bad input: they answer ``False``.
"""

from __future__ import annotations

# GB 32100-2015 统一社会信用代码: no I, O, S, V, Z (look-alikes of digits).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# GB 11643-1999 居民身份证号码.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def uscc_check_char(body: str) -> str | None:
    """Check character for the first 17 characters, or ``None`` if they are not valid."""
    if len(body) != 17:
        return None
    total = 0
    for char, weight in zip(body, _USCC_WEIGHTS, strict=True):
        index = USCC_ALPHABET.find(char)
        if index < 0:
            return None
        total += index * weight
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_is_valid(code: str) -> bool:
    code = code.upper()
    return len(code) == 18 and uscc_check_char(code[:17]) == code[17]


def resident_id_check_char(body: str) -> str | None:
    if len(body) != 17 or not body.isdigit():
        return None
    total = sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def resident_id_is_valid(number: str) -> bool:
    """18-character 居民身份证号码 with a valid check character (X upper or lower)."""
    number = number.upper()
    return len(number) == 18 and resident_id_check_char(number[:17]) == number[17]


def luhn_is_valid(digits: str) -> bool:
    if not digits.isdigit() or len(digits) < 2:
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0
