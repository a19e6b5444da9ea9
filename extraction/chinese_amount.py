"""Chinese capital-numeral amounts (大写金额) in both directions.

Writing follows the banking rules (《支付结算办法》) as the VAT tax-control system prints them,
with 元 rather than 圆 (both are accepted when reading):

* every 拾 carries its digit: 10 -> 壹拾元整, 100000 -> 壹拾万元整;
* a run of zeros inside the integer part is read as one 零 (1005 -> 壹仟零伍元整), and
  a 万/亿 section below 1000 after a non-zero higher section starts with 零
  (100500 -> 壹拾万零伍佰元整);
* whole yuan end in 整; 角 without 分 also ends in 整 (10.50 -> 壹拾元伍角整), as the
  printed invoices do (real samples: 肆拾玖圆陆角整); an amount with 分 never has 整;
* 分 without 角 after non-zero yuan puts 零 in the 角 place (16409.02 -> ...玖元零贰分);
  no 零 between 元 and a non-zero 角 (1680.32 -> 壹仟陆佰捌拾元叁角贰分);
* below one yuan there is no 零元: 0.50 -> 伍角整, 0.05 -> 伍分; zero is 零元整;
* negative amounts (红字发票) are prefixed with 负.

Reading is tolerant of what OCR and real prints produce: 圆 for 元, 正 for 整, a missing
整, a missing 壹 before 拾 (拾元 on 定额发票), traditional forms, the ⊗ printed in front
(OCR returns it as ⊗, ⑧ or ⓧ), labels such as 价税合计(大写), spaces, and common
misreads (参->叁, 国->圆, 任->仟, ...). Anything it cannot read unambiguously gives
``None`` rather than a guess.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_CENT = Decimal("0.01")
_WAN = 10**4
_YI = 10**8


def amount_to_words(value: Decimal) -> str:
    """大写 for ``value`` rounded half-up to cents (see the module docstring for the rules)."""
    amount = Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP)
    if amount < 0:
        return "负" + amount_to_words(-amount)
    cents = int(amount * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10

    if cents == 0:
        return "零元整"
    text = _integer_words(yuan) + "元" if yuan else ""
    if jiao == 0 and fen == 0:
        return text + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if fen:
        return text + _DIGITS[fen] + "分"
    return text + "整"


def _integer_words(number: int) -> str:
    if number >= _YI:
        high, low = divmod(number, _YI)
        return _integer_words(high) + "亿" + _joined_rest(low, _YI // 10)
    if number >= _WAN:
        high, low = divmod(number, _WAN)
        return _section_words(high) + "万" + _joined_rest(low, _WAN // 10)
    return _section_words(number)


def _joined_rest(low: int, leading_place: int) -> str:
    # A lower part whose leading place is empty is read with a 零 in front.
    if low == 0:
        return ""
    prefix = "零" if low < leading_place else ""
    return prefix + _integer_words(low)


def _section_words(number: int) -> str:
    """Words for 1..9999 (a 万 section)."""
    parts: list[str] = []
    pending_zero = False
    for place in range(3, -1, -1):
        digit = number // 10**place % 10
        if digit == 0:
            pending_zero = bool(parts)
            continue
        if pending_zero:
            parts.append("零")
            pending_zero = False
        parts.append(_DIGITS[digit] + _SMALL_UNITS[place])
    return "".join(parts)


# --- reading ---------------------------------------------------------------------------

_DIGIT_VALUES = {char: index for index, char in enumerate(_DIGITS)}
_DIGIT_VALUES.update({"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8})
_DIGIT_VALUES.update({"九": 9, "两": 2, "〇": 0})
_UNIT_VALUES = {"拾": 10, "佰": 100, "仟": 1000, "十": 10, "百": 100, "千": 1000}

# Traditional forms and misreads seen from OCR on dot-matrix and thin print. Each target
# character is the only 大写 character the source plausibly stands for inside an amount.
_VARIANTS = {
    "參": "叁",
    "叄": "叁",
    "参": "叁",
    "弎": "叁",
    "貳": "贰",
    "貮": "贰",
    "弍": "贰",
    "陸": "陆",
    "國": "圆",
    "国": "圆",
    "園": "圆",
    "园": "圆",
    "圓": "圆",
    "員": "圆",
    "员": "圆",
    "任": "仟",
    "仠": "仟",
    "伯": "佰",
    "栢": "佰",
    "抬": "拾",
    "捨": "拾",
    "萬": "万",
    "億": "亿",
    "甪": "角",
    "正": "整",
    "負": "负",
}
_NUMERAL_CHARS = set(_DIGIT_VALUES) | set(_UNIT_VALUES) | {"万", "亿"}
_VOCABULARY = _NUMERAL_CHARS | {"元", "圆", "角", "分", "整", "负"}
# Printed or OCR'd decoration that carries no value: the ⊗ mark in its OCR guises,
# currency signs, brackets and separators.
_NOISE = re.compile(r"[\s⊗⊕ⓧⓍ⑧×✕✖●○◎*:：()（）\[\]【】¥￥,，.。、·_\-]")
_LABEL = re.compile(r"^.*?(?:大写|大寫)")
_FRACTION = re.compile(
    r"^零?(?:(?P<jiao>[零壹贰叁肆伍陆柒捌玖])角)?零?(?:(?P<fen>[壹贰叁肆伍陆柒捌玖])分)?整?$"
)


def words_to_amount(text: str) -> Decimal | None:
    """The amount written in 大写 ``text`` as a 2-place Decimal, or ``None``."""
    if not text:
        return None
    cleaned = unicodedata.normalize("NFKC", text)
    # A label such as 价税合计(大写) may precede the amount.
    cleaned = _LABEL.sub("", cleaned)
    # The 小写 figure often shares the OCR box: keep what comes before it.
    cleaned = re.split(r"[(（]?小写", cleaned)[0]
    cleaned = "".join(_VARIANTS.get(char, char) for char in cleaned)
    cleaned = _NOISE.sub("", cleaned)
    # NFKC makes ⑧ "8" and ⓧ "x": drop ASCII left in front of the first numeral.
    cleaned = re.sub(r"^[0-9A-Za-z]+", "", cleaned)
    cleaned = cleaned.replace("圆", "元")
    if not cleaned or any(char not in _VOCABULARY for char in cleaned):
        return None

    negative = cleaned.startswith("负")
    if negative:
        cleaned = cleaned[1:]
    if "负" in cleaned:
        return None

    if "元" in cleaned:
        integer_text, _, fraction_text = cleaned.partition("元")
        if "元" in fraction_text or not integer_text:
            return None
        yuan = _parse_integer(integer_text)
    elif "角" in cleaned or "分" in cleaned:
        # Below one yuan the 元 is not written (伍角整); a bare integer without 元 is
        # refused because it is more likely a truncated read than an amount.
        yuan, fraction_text = 0, cleaned
    else:
        return None
    if yuan is None:
        return None

    match = _FRACTION.match(fraction_text)
    if match is None:
        return None
    jiao = _DIGIT_VALUES[match["jiao"]] if match["jiao"] else 0
    fen = _DIGIT_VALUES[match["fen"]] if match["fen"] else 0
    if "元" not in cleaned and jiao == 0 and fen == 0:
        return None
    amount = (Decimal(yuan) + Decimal(jiao) / 10 + Decimal(fen) / 100).quantize(_CENT)
    return -amount if negative else amount


def _parse_integer(text: str) -> int | None:
    """Integer value of a 大写 integer part (before 元), ``None`` if malformed."""
    if "亿" in text:
        head, _, tail = text.rpartition("亿")
        if _is_bare_digit(tail):
            return None  # 壹亿伍: a dropped 零 or a dropped unit, ambiguous
        high = _parse_integer(head) if head else None
        low = _parse_below_yi(tail) if tail else 0
        if high is None or low is None:
            return None
        return high * _YI + low
    return _parse_below_yi(text)


def _parse_below_yi(text: str) -> int | None:
    if text.count("万") > 1:
        return None
    if "万" in text:
        head, _, tail = text.partition("万")
        if _is_bare_digit(tail):
            return None
        high = _parse_section(head) if head else None
        low = _parse_section(tail) if tail else 0
        if high is None or low is None:
            return None
        return high * _WAN + low
    return _parse_section(text)


def _is_bare_digit(text: str) -> bool:
    return len(text) == 1 and text in _DIGIT_VALUES and text != "零"


def _parse_section(text: str) -> int | None:
    """1..9999 written with 仟佰拾; units must fall strictly, digits need a unit between."""
    if text == "零":
        return 0
    total = 0
    pending: int | None = None
    last_unit = 10_000
    zero_since_unit = False
    for char in text.lstrip("零"):
        if char == "零":
            if pending is not None:
                return None  # 伍零 is not a number in 大写
            zero_since_unit = True
        elif char in _DIGIT_VALUES:
            if pending is not None:
                return None
            pending = _DIGIT_VALUES[char]
        elif char in _UNIT_VALUES:
            unit = _UNIT_VALUES[char]
            if unit >= last_unit:
                return None
            # 拾 without a digit (拾元, 拾万) means ten.
            total += (1 if pending is None else pending) * unit
            pending, last_unit, zero_since_unit = None, unit, False
        else:
            return None
    if pending is not None:
        # 壹仟伍 could mean 1500 (spoken) or 1005 (a dropped 零): refuse to guess.
        if last_unit > 10 and last_unit != 10_000 and not zero_since_unit:
            return None
        total += pending
    return total if text.strip("零") else None
