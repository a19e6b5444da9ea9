"""Value shapes: what a code, a number, a tax ID, an amount looks like in OCR text."""

from __future__ import annotations

import re
from decimal import Decimal

from extraction.checksums import uscc_is_valid
from extraction.parsing.normalize import parse_money

# Chinese numerals of 大写 amounts (圆 and 元 both occur; 参/国 are OCR misreads that
# validation repairs, so they are accepted here as part of the span).
UPPER_DIGITS = "零壹贰叁肆伍陆柒捌玖"
UPPER_CHARS = UPPER_DIGITS + "拾佰仟万亿元圆角分整正参国"
_UPPER_RUN = re.compile(f"[{UPPER_CHARS}]{{2,}}")

_LOOKALIKE_DIGITS = str.maketrans({"O": "0", "o": "0", "D": "0", "I": "1", "l": "1", "|": "1"})


def digitish(text: str) -> str:
    """Map letter look-alikes to digits in strings that are mostly digits."""
    compact = re.sub(r"\s+", "", text)
    digits = sum(c.isdigit() for c in compact)
    if compact and digits / len(compact) >= 0.7:
        return compact.translate(_LOOKALIKE_DIGITS)
    return compact


def digit_run(text: str, lengths: tuple[int, ...]) -> str | None:
    """A run of exactly one of ``lengths`` digits, not part of a longer run."""
    for match in re.finditer(r"\d+", digitish(text)):
        if len(match.group(0)) in lengths:
            return match.group(0)
    return None


def only_digits(text: str, lengths: tuple[int, ...]) -> str | None:
    """The box holds nothing but such a digit run (ignoring separators)."""
    compact = re.sub(r"[\s:：.,。·]", "", digitish(text))
    if compact.isdigit() and len(compact) in lengths:
        return compact
    return None


_TAX_ID = re.compile(r"(?<![0-9A-Z])([0-9A-Z]{15}|[0-9A-Z]{17,20})(?![0-9A-Z])")


def tax_id_in(text: str) -> str | None:
    """A taxpayer ID (18-char USCC, or an old 15/17/20-char number) in ``text``."""
    compact = re.sub(r"[\s\-]", "", text.upper())
    for match in _TAX_ID.finditer(compact):
        token = match.group(1)
        # A pure 20-digit run is a check code or a 数电票 number, not a tax ID.
        if len(token) == 20 and token.isdigit():
            continue
        # A valid 统一社会信用代码 may hold more letters than digits (organisation codes
        # such as MALGTKYEX); the checksum, not the digit share, makes it a tax ID.
        if sum(c.isdigit() for c in token) < len(token) // 2 and not uscc_is_valid(token):
            continue
        return token
    return None


def tax_id_only(text: str) -> str | None:
    """The box holds a tax ID and nothing else of substance."""
    compact = re.sub(r"[\s\-:：]", "", text.upper())
    token = tax_id_in(compact)
    if token is not None and len(compact) - len(token) <= 1:
        return token
    return None


# Characters OCR reads for 大写 numerals with high scores (FACTS.md); in a run of
# 大写 they can only be these.
_UPPER_MISREADS = str.maketrans({"参": "叁", "国": "圆"})


def upper_words(text: str) -> str | None:
    """The 大写 amount in ``text`` (⊗, brackets and labels around it dropped).

    A run interrupted by other characters (misread numerals: 倡 for 佰) gives ``None``:
    part of an amount read as the whole would be a confident wrong value.
    """
    compact = re.sub(r"[\s⊗⑧ⓧ×Xx()（）:：]|价税合计|大写", "", text)
    runs = _UPPER_RUN.findall(compact)
    if not runs:
        return None
    best = max(runs, key=len)
    if len(best) < len(compact) and re.search(r"[\u4e00-\u9fff]", compact.replace(best, "")):
        return None
    # A lone 元/整 is not an amount; at least one numeral must be present.
    if not any(c in UPPER_DIGITS + "拾佰仟万参" for c in best):
        return None
    return best.translate(_UPPER_MISREADS)


_AMOUNT_TOKEN = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|-?\d+(?:\.\d{1,2})?")


def amount_in(text: str) -> Decimal | None:
    """An amount in ``text`` if it reads as money (currency sign or decimals)."""
    return parse_money(text) if _AMOUNT_TOKEN.search(text) else None


def money_only(text: str) -> Decimal | None:
    """The box is an amount: optional currency sign/label, a number with decimals."""
    compact = re.sub(r"\s+", "", text)
    compact = re.sub(r"^(?:\(?小?写\)?|[¥￥$]|RM|MYR|CNY|元)+", "", compact, flags=re.I)
    compact = re.sub(r"(?:元|RM)$", "", compact, flags=re.I)
    match = re.fullmatch(r"-?\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|-?\d+\.\d{1,2}", compact)
    if not match:
        return None
    return parse_money(match.group(0))


def is_stars(text: str) -> bool:
    """'***': the tax column of exempt lines."""
    return bool(re.fullmatch(r"\*{2,}", text.replace(" ", "")))


_LEGAL_SUFFIX = r"(?:股份有限公司|有限责任公司|有限公司|分公司|公司)"


# Legal forms end almost every company name; one misread character in them (投份 for
# 股份) is repaired, as the set is closed.
_LEGAL_FORMS = ("股份有限公司", "有限责任公司", "集团有限公司", "有限公司")


def _legal_form(name: str) -> str:
    for form in _LEGAL_FORMS:  # longest first: 投份有限公司 also ends in 有限公司
        if name.endswith(form):
            return name
        tail = name[-len(form) :]
        if len(name) > len(form) + 1 and sum(a != b for a, b in zip(tail, form, strict=True)) == 1:
            return name[: -len(form)] + form
    return name


def repair_name(name: str) -> str:
    """Undo OCR damage to a Chinese name: stray spaces, a dropped bracket.

    "嘉禾科技(厦门股份有限公司" -> "嘉禾科技(厦门)股份有限公司": the bracketed part of a
    Chinese company name is a 2-4 character place name before the legal form.
    """
    if re.search(r"[\u4e00-\u9fff]", name):
        name = re.sub(r"\s+", "", name)  # Chinese names have no spaces; OCR adds some
        name = _legal_form(name)
    if name.count("(") == 1 and ")" not in name:
        return re.sub(rf"\(([\u4e00-\u9fff]{{2,4}}?)(?=(?:股份)?{_LEGAL_SUFFIX}$)", r"(\1)", name)
    if name.count(")") == 1 and "(" not in name:
        # Most place names are two characters (上海, 青岛): the likeliest repair.
        return re.sub(r"([\u4e00-\u9fff]{2}\))", lambda m: "(" + m.group(1), name, count=1)
    return name
