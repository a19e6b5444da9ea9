"""Shared pieces of every generated document: the truth dict, dates, addresses."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from extraction.schema import SCALAR_FIELDS

# A fixed "today" keeps output identical whatever day the generator runs on.
REFERENCE_DATE = dt.date(2026, 10, 31)
_ROADS = ("建设路", "人民路", "解放路", "中山路", "科技园路", "长江路", "学院路", "滨江大道")
_DISTRICTS = ("高新区", "经济技术开发区", "朝阳区", "海淀区", "浦东新区", "南山区", "西湖区")
_BANKS = (
    "中国工商银行",
    "中国建设银行",
    "中国银行",
    "中国农业银行",
    "招商银行",
    "交通银行",
    "浦发银行",
    "兴业银行",
)


@dataclass
class Rendered:
    """What a layout returns: the clean page, its truth, and what was done to it."""

    image: Image.Image
    truth: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    # Height in px of the smallest text that carries or labels a key field (captions
    # included); photos are scaled relative to it. 22 is the VAT layouts' caption size.
    text_px: int = 22


def blank_truth(document_type: str, currency: str | None = "CNY") -> dict[str, Any]:
    fields: dict[str, Any] = dict.fromkeys(SCALAR_FIELDS)
    fields["currency"] = currency
    fields["line_items"] = []
    return {"document_type": document_type, "fields": fields}


def recent_date(rng: random.Random, days: int = 730) -> dt.date:
    return REFERENCE_DATE - dt.timedelta(days=rng.randrange(days))


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def address(rng: random.Random, city: str) -> str:
    return f"{city}{rng.choice(_DISTRICTS)}{rng.choice(_ROADS)}{rng.randint(1, 399)}号"


def phone(rng: random.Random) -> str:
    return f"0{rng.randint(10, 29)}-{rng.randint(52000000, 89999999)}"


def bank_account(rng: random.Random, city: str) -> str:
    branch = city.removesuffix("市") + rng.choice(("分行", "支行", "高新支行", "营业部"))
    account = "".join(rng.choice("0123456789") for _ in range(rng.choice((16, 19))))
    return f"{rng.choice(_BANKS)}{branch} {account}"
