"""Identifiers printed on invoices: 统一社会信用代码, invoice codes and numbers, check codes.

All generated identifiers are *valid* (checksums hold) so that a validator in the
extractor never has a reason to reject a correct reading.
"""

from __future__ import annotations

import datetime as dt
import random

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# GB 11714 organisation code (positions 9-17 of a USCC carry one, with its own check).
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

# 6-digit administrative division codes (province/city/district) with the 4-digit
# invoice region used in 发票代码 and the province's name as printed in titles.
REGIONS: tuple[tuple[str, str, str, str], ...] = (
    # (division code, invoice region, province short name, city)
    ("110105", "1100", "北京", "北京市"),
    ("110108", "1100", "北京", "北京市"),
    ("310115", "3100", "上海", "上海市"),
    ("310104", "3100", "上海", "上海市"),
    ("440300", "4403", "深圳", "深圳市"),
    ("440106", "4400", "广东", "广州市"),
    ("330106", "3301", "浙江", "杭州市"),
    ("320506", "3200", "江苏", "苏州市"),
    ("510107", "5101", "四川", "成都市"),
    ("420106", "4201", "湖北", "武汉市"),
    ("120116", "1200", "天津", "天津市"),
    ("500103", "5000", "重庆", "重庆市"),
    ("370203", "3702", "青岛", "青岛市"),
    ("430104", "4301", "湖南", "长沙市"),
    ("610113", "6101", "陕西", "西安市"),
    ("350203", "3502", "厦门", "厦门市"),
)


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    if len(code) != 18 or any(c not in USCC_ALPHABET for c in code):
        return False
    return uscc_check_char(code[:17]) == code[17]


def _org_code(rng: random.Random) -> str:
    if rng.random() < 0.4:
        # Codes issued since ~2015 start with MA and use letters.
        body = "MA" + "".join(rng.choice(_ORG_CHARS) for _ in range(6))
    else:
        body = "".join(rng.choice("0123456789") for _ in range(8))
    # GB 11714 values letters A=10 ... Z=35 (base 36), not by their place in the USCC alphabet.
    total = sum(int(c, 36) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    check_char = {10: "X", 11: "0"}.get(check, str(check))
    return body + check_char


def random_uscc(rng: random.Random, division: str | None = None) -> str:
    """A checksum-valid 统一社会信用代码 of an enterprise (91...) or similar body."""
    kind = rng.choices(["91", "92", "93", "12", "52"], weights=[90, 4, 2, 2, 2])[0]
    division = division or rng.choice(REGIONS)[0]
    first17 = kind + division + _org_code(rng)
    return first17 + uscc_check_char(first17)


def id_card_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def masked_id_card(rng: random.Random, birth: dt.date) -> str:
    """A 居民身份证 number masked the way tickets print it (1101051990****123X)."""
    division = rng.choice(REGIONS)[0]
    first17 = division + birth.strftime("%Y%m%d") + f"{rng.randrange(1000):03d}"
    full = first17 + id_card_check_char(first17)
    return full[:10] + "****" + full[14:]


def digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def paper_vat_code(rng: random.Random, region: str, year: int, special: bool) -> str:
    """10-digit 发票代码: region(4) + year(2) + batch(1) + kind(1) + version(2).

    The 8th digit tells 专票 (1/5) from 普票 (3/6).
    """
    kind = rng.choice("15") if special else rng.choice("36")
    return f"{region}{year % 100:02d}{rng.randrange(10)}{kind}{rng.randrange(10, 60)}"


def electronic_vat_code(rng: random.Random, region: str, year: int) -> str:
    """12-digit 电子普通发票 code: 0 + region(4) + year(2) + batch(3) + 11."""
    return f"0{region}{year % 100:02d}{rng.randrange(1, 20):03d}11"


def ticket_code(rng: random.Random, region: str, year: int) -> str:
    """12-digit code of 定额/出租/客运/通行费 paper invoices (first digit 1)."""
    return f"1{region}{year % 100:02d}{digits(rng, 5)}"


def digital_invoice_number(rng: random.Random, year: int, region: str) -> str:
    """20-digit 数电票 号码: year(2) + province(2) + 16 digits."""
    return f"{year % 100:02d}{region[:2]}{rng.randrange(1, 3)}{digits(rng, 15)}"


def invoice_number(rng: random.Random) -> str:
    return digits(rng, 8)


def check_code(rng: random.Random) -> str:
    return digits(rng, 20)


def machine_number(rng: random.Random) -> str:
    return digits(rng, 12)


def grouped(value: str, size: int = 5) -> str:
    """The way 校验码 is printed: groups of five separated by spaces."""
    return " ".join(value[i : i + size] for i in range(0, len(value), size))
