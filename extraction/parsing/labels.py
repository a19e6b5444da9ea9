"""Printed labels and a tolerant matcher for them.

OCR drops or swaps characters inside labels (``纳税人别号``, ``校验6码``, ``升户行``), and
merges a label with its value in one box (``发票代码：0330...``) or splits it across
several. ``split_label`` finds a label at the start of a box by longest common
subsequence and returns what follows it, so both shapes are handled by one rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SEPARATORS = " :：.,，、;;()（）[]【】"


@dataclass(frozen=True)
class Label:
    name: str
    variants: tuple[str, ...]
    # Share of a variant's characters that must be found, in order, at the box start.
    min_ratio: float = 0.7
    # Where the first matched character may sit at the latest (OCR noise before it).
    max_lead: int = 1


# Label characters OCR reads as a look-alike with a high score (期 loses its 月 when a
# caption is letter-spaced: 日其; 额 -> 颜, 开 -> 升, 专 -> 支). Inside a label they can
# only be the label's own character.
_LABEL_MISREADS = {"其": "期", "颜": "额", "升": "开", "支": "专"}


def _same(ch: str, target: str) -> bool:
    return ch == target or _LABEL_MISREADS.get(ch) == target


def _lcs_prefix(text: str, target: str, extra: int) -> tuple[int, int, int]:
    """(matched characters, end index in text, index of first match) for the best prefix.

    Dynamic programming over prefixes of ``text`` up to ``len(target) + extra`` long.
    """
    limit = min(len(text), len(target) + extra)
    prev = [0] * (len(target) + 1)
    best = (0, 0, -1)
    first_match = -1
    target_chars = set(target) | {k for k, v in _LABEL_MISREADS.items() if v in target}
    for i in range(1, limit + 1):
        cur = [0] * (len(target) + 1)
        ch = text[i - 1]
        for j in range(1, len(target) + 1):
            if _same(ch, target[j - 1]):
                cur[j] = prev[j - 1] + 1
            else:
                cur[j] = max(prev[j], cur[j - 1])
        if first_match < 0 and ch in target_chars:
            first_match = i - 1
        if cur[-1] > best[0] and ch in target_chars:
            best = (cur[-1], i, first_match)
        prev = cur
    return best


def split_label(text: str, label: Label) -> str | None:
    """The text after ``label`` when the box starts with it, else ``None``."""
    flat = re.sub(r"\s+", "", text)
    for variant in label.variants:
        need = max(1, round(len(variant) * label.min_ratio))
        # Short labels must match whole: 税额 is not 税号 with one character wrong.
        need = len(variant) if len(variant) <= 2 else max(need, 2)
        matched, end, first = _lcs_prefix(flat, variant, extra=2)
        if matched < need or first < 0 or first > label.max_lead:
            continue
        # The first matched character must be one of the variant's first two: a label
        # is recognised by its start, not by a stray character in a value.
        if not any(_same(flat[first], c) for c in variant[:2]):
            continue
        # Brackets and colons are in many captions: half of the label's own characters
        # must be there (里程(公里) is not (小写)).
        core = "".join(c for c in variant if c not in _SEPARATORS)
        if _lcs_prefix(flat[:end], core, extra=end)[0] < (len(core) + 1) // 2:
            continue
        rest = flat[end:]
        return rest.lstrip(_SEPARATORS)
    return None


def has_label(text: str, label: Label) -> bool:
    return split_label(text, label) is not None


INVOICE_CODE = Label("invoice_code", ("发票代码",), min_ratio=0.75)
INVOICE_NUMBER = Label("invoice_number", ("发票号码",), min_ratio=0.75)
ISSUE_DATE = Label("issue_date", ("开票日期",), min_ratio=0.75)
CHECK_CODE = Label("check_code", ("校验码",), min_ratio=0.66)
MACHINE_NUMBER = Label("machine_number", ("机器编号",), min_ratio=0.75)
NAME = Label("name", ("名称",), min_ratio=1.0)
TAX_ID = Label(
    "tax_id",
    ("统一社会信用代码/纳税人识别号", "纳税人识别号", "统一社会信用代码", "识别号", "税号"),
    min_ratio=0.5,
    max_lead=2,
)
ADDRESS = Label("address", ("地址、电话", "地址电话", "地址"), min_ratio=0.75)
BANK = Label("bank", ("开户行及账号", "开户行及帐号", "开户银行"), min_ratio=0.6, max_lead=2)
TOTAL_WITH_TAX = Label("total_with_tax", ("价税合计",), min_ratio=0.75)
SUBTOTAL = Label("subtotal", ("合计",), min_ratio=1.0)
LOWER_CASE = Label("lower_case", ("(小写)", "小写"), min_ratio=0.6, max_lead=2)
UPPER_CASE = Label("upper_case", ("(大写)", "大写"), min_ratio=0.6, max_lead=2)

# Column headers of the goods table.
COL_NAME = Label(
    "col_name",
    ("货物或应税劳务、服务名称", "货物或应税劳务名称", "项目名称", "货物名称"),
    min_ratio=0.6,
    max_lead=2,
)
COL_SPEC = Label("col_spec", ("规格型号",), min_ratio=0.75)
COL_UNIT = Label("col_unit", ("单位",), min_ratio=1.0)
COL_QTY = Label("col_qty", ("数量",), min_ratio=1.0)
COL_PRICE = Label("col_price", ("单价",), min_ratio=1.0)
COL_AMOUNT = Label("col_amount", ("金额",), min_ratio=1.0)
COL_RATE = Label("col_rate", ("税率/征收率", "税率"), min_ratio=1.0)
COL_TAX = Label("col_tax", ("税额",), min_ratio=1.0)

# A name value is a value only if it is not itself one of these labels.
FIELD_LABELS: tuple[Label, ...] = (
    INVOICE_CODE,
    INVOICE_NUMBER,
    ISSUE_DATE,
    CHECK_CODE,
    MACHINE_NUMBER,
    TAX_ID,
    ADDRESS,
    BANK,
    TOTAL_WITH_TAX,
)


def is_any_label(text: str) -> bool:
    return any(has_label(text, label) for label in FIELD_LABELS)


# Punctuation that forms and OCR put inside or after captions; ignored when a caption
# printed with spaces between its characters is put back together.
_CAPTION_PUNCT = re.compile(r"[\s:：;；.,，、/()（）]")


def caption_key(text: str) -> str:
    return _CAPTION_PUNCT.sub("", text)


# Every caption a form prints, for joining letter-spaced captions (名　　称, 纳 税 人 识 别 号)
# that OCR returns as one box per character or per group.
CAPTION_WORDS: tuple[str, ...] = tuple(
    sorted(
        {
            caption_key(variant)
            for label in (
                *FIELD_LABELS,
                NAME,
                SUBTOTAL,
                COL_NAME,
                COL_SPEC,
                COL_UNIT,
                COL_QTY,
                COL_PRICE,
                COL_AMOUNT,
                COL_RATE,
                COL_TAX,
            )
            for variant in label.variants
        }
        | {"购买方", "销售方", "收款人", "复核", "开票人", "备注"}
        | {"密码区"},
        key=len,
        reverse=True,
    )
)
