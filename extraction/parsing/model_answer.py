"""A vision-language model's answer -> ``InvoiceFields``, with JSON repair.

Models are asked for one strict JSON object and usually comply, but real answers also
come wrapped in ``<think>...</think>`` reasoning, GLM's ``<|begin_of_box|>`` answer box,
Markdown code fences or a sentence of prose; cut off at the token limit; written with
single or curly quotes, Python literals, comments or trailing commas; keyed in Chinese
(销售方名称) or nested (``{"seller": {"name": ...}}``). Every repair is reported in
``problems`` so that a doubtful answer can be flagged rather than trusted; nothing is
invented: a value that does not parse becomes ``None`` with a ``bad_value:`` problem.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from extraction.parsing.normalize import digits_only, nfkc, parse_date, parse_money
from extraction.schema import DocumentType, InvoiceFields, LineItem, money

_THINK_BLOCK = re.compile(r"<think>.*?</think>", re.DOTALL)
_BOX = re.compile(r"<\|begin_of_box\|>(.*?)(?:<\|end_of_box\|>|$)", re.DOTALL)
_FENCE = re.compile(r"```[A-Za-z0-9_-]*[ \t]*\n?(.*?)(?:```|$)", re.DOTALL)
# Special tokens that may survive decoding when special tokens are kept.
_SPECIAL_TOKENS = re.compile(
    r"<\|(?:end_of_box|begin_of_box|endoftext|user|assistant|observation)\|>"
)


class ParsedAnswer(NamedTuple):
    fields: InvoiceFields
    document_type: DocumentType | None
    problems: list[str]


# --- text cleaning ---------------------------------------------------------------------


def clean_answer_text(text: str) -> str:
    """The answer without reasoning and answer-box markup (for free-form answers too)."""
    cleaned, _ = _strip_markup(text)
    return cleaned.strip()


def _strip_markup(text: str) -> tuple[str, list[str]]:
    problems: list[str] = []
    if "<think>" in text or "</think>" in text:
        problems.append("answer_stripped_think")
        text = _THINK_BLOCK.sub("", text)
        if "</think>" in text:
            # The template pre-filled "<think>", so only the closing tag was generated.
            text = text.rsplit("</think>", 1)[1]
        if "<think>" in text:
            # Reasoning that never closed: the answer was cut off while still thinking.
            text = text.split("<think>", 1)[0]
            problems.append("answer_truncated_in_think")
    box = _BOX.search(text)
    if box:
        problems.append("answer_in_box")
        text = box.group(1)
    return _SPECIAL_TOKENS.sub("", text), problems


# --- JSON location and repair ---------------------------------------------------------

_OPENERS = {"'": "'", "\u201c": "\u201d", "\u2018": "\u2019", '"': '"'}
_LITERALS = {"None": "null", "True": "true", "False": "false", "NULL": "null"}


def extract_json_object(text: str) -> tuple[dict[str, Any] | None, list[str]]:
    """The first JSON object in a model answer, repaired if needed, and what was repaired."""
    body, problems = _strip_markup(nfkc(text))
    fence = _FENCE.search(body)
    if fence:
        problems.append("answer_fenced")
        body = fence.group(1)
    starts = [index for index, char in enumerate(body) if char == "{"][:8]
    if not starts:
        problems.append("answer_no_json")
        return None, problems
    for start in starts:
        parsed, repairs, end = _parse_from(body, start)
        if parsed is None:
            continue
        if body[:start].strip() or body[end:].strip():
            problems.append("answer_prose_around_json")
        return parsed, problems + repairs
    problems.append("answer_no_json")
    return None, problems


def _parse_from(body: str, start: int) -> tuple[dict[str, Any] | None, list[str], int]:
    normalised, end, truncated, cut = _normalise(body, start)
    repairs: list[str] = []
    candidate = normalised
    if truncated:
        repairs.append("answer_truncated")
        candidate = cut
    elif normalised != body[start:end]:
        repairs.append("answer_json_repaired")
    try:
        value = json.loads(candidate, parse_float=Decimal)
    except json.JSONDecodeError:
        return None, repairs, end
    if not isinstance(value, dict):
        return None, repairs, end
    return value, repairs, end


def _normalise(body: str, start: int) -> tuple[str, int, bool, str]:
    """Rewrite near-JSON from ``body[start]`` into JSON, scanning to the matching brace.

    Returns (rewritten text, end index in ``body``, whether it was truncated, and for a
    truncated object the longest prefix of complete members with its brackets closed).
    Quotes are converted only outside strings, so apostrophes in values survive.
    """
    out: list[str] = []
    stack: list[str] = []
    closer: str | None = None  # the character that ends the current string
    # Where the last complete member ended: (length of ``out``, brackets open there).
    cut: tuple[int, tuple[str, ...]] | None = None
    index = start
    length = len(body)
    while index < length:
        char = body[index]
        if closer is not None:
            if char == "\\" and index + 1 < length:
                out.append(body[index : index + 2])
                index += 2
                continue
            if char == closer:
                out.append('"')
                closer = None
            elif char == '"':
                out.append('\\"')
            elif char == "\n":
                out.append("\\n")
            else:
                out.append(char)
            index += 1
            continue
        if char in _OPENERS:
            closer = _OPENERS[char]
            out.append('"')
        elif char in "{[":
            stack.append("}" if char == "{" else "]")
            out.append(char)
        elif char in "}]":
            _drop_trailing_comma(out)
            out.append(char)
            if stack:
                stack.pop()
            if not stack:
                return "".join(out), index + 1, False, ""
            cut = (len(out), tuple(stack))
        elif char == ",":
            cut = (len(out), tuple(stack))
            out.append(char)
        elif char == "/" and body.startswith("//", index):
            newline = body.find("\n", index)
            index = length if newline < 0 else newline
            continue
        elif char.isalpha():
            match = re.match(r"[A-Za-z_]+", body[index:])
            word = match.group(0) if match else char
            out.append(_LITERALS.get(word, word))
            index += len(word)
            continue
        else:
            out.append(char)
        index += 1
    if cut is None:
        return "".join(out), length, True, "{}"
    prefix = "".join(out[: cut[0]]).rstrip().rstrip(",")
    return "".join(out), length, True, prefix + "".join(reversed(cut[1]))


def _drop_trailing_comma(out: list[str]) -> None:
    position = len(out) - 1
    while position >= 0 and out[position].isspace():
        position -= 1
    if position >= 0 and out[position] == ",":
        del out[position]


# --- keys ------------------------------------------------------------------------------

_KEY_ALIASES: dict[str, str] = {}
for _field, _aliases in {
    "document_type": ("type", "doc_type", "发票类型", "票据类型", "文档类型", "类型"),
    "invoice_code": ("code", "发票代码"),
    "invoice_number": (
        "number",
        "invoice_no",
        "receipt_number",
        "receipt_no",
        "bill_no",
        "ticket_number",
        "ticket_no",
        "发票号码",
        "票号",
        "号码",
    ),
    "issue_date": ("date", "invoice_date", "开票日期", "日期", "乘车日期"),
    "seller_name": ("seller", "merchant", "vendor", "company", "销售方名称", "销售方", "销方名称"),
    "seller_tax_id": ("seller_tax_number", "销售方纳税人识别号", "销售方税号", "销方税号"),
    "buyer_name": ("buyer", "passenger", "购买方名称", "购买方", "购方名称", "乘客姓名"),
    "buyer_tax_id": ("buyer_tax_number", "购买方纳税人识别号", "购买方税号", "购方税号"),
    "amount_excluding_tax": (
        "subtotal",
        "pre_tax_amount",
        "amount",
        "合计金额",
        "金额",
        "不含税金额",
    ),
    "tax_amount": ("tax", "合计税额", "税额"),
    "total_amount": ("total", "价税合计", "价税合计小写", "小写", "合计", "总金额", "票价"),
    "total_in_words": ("amount_in_words", "价税合计大写", "大写", "大写金额"),
    "check_code": ("校验码",),
    "currency": ("币种", "货币"),
    "line_items": ("items", "明细", "项目", "商品明细"),
}.items():
    _KEY_ALIASES[_field] = _field
    for _alias in _aliases:
        _KEY_ALIASES[_alias] = _field

_ITEM_ALIASES: dict[str, str] = {}
for _field, _aliases in {
    "name": ("名称", "项目名称", "货物或应税劳务、服务名称", "description", "item"),
    "quantity": ("qty", "数量"),
    "unit_price": ("price", "单价"),
    "amount": ("金额", "line_total"),
    "tax_rate": ("rate", "税率", "征收率"),
    "tax_amount": ("tax", "税额"),
}.items():
    _ITEM_ALIASES[_field] = _field
    for _alias in _aliases:
        _ITEM_ALIASES[_alias] = _field

_PARTY_KEYS = {"seller": "seller", "销售方": "seller", "buyer": "buyer", "购买方": "buyer"}
_PARTY_MEMBERS = {
    "name": "name",
    "名称": "name",
    "tax_id": "tax_id",
    "tax_number": "tax_id",
    "税号": "tax_id",
    "纳税人识别号": "tax_id",
    "统一社会信用代码": "tax_id",
}


def _key(raw: Any) -> str:
    return re.sub(r"[\s\-/()（）:：]+", "_", nfkc(str(raw)).strip().lower()).strip("_")


def _lookup(table: Mapping[str, str], raw: Any) -> str | None:
    key = _key(raw)
    # "价税合计(小写)" normalises to 价税合计_小写: also try it without separators.
    return table.get(key) or table.get(key.replace("_", ""))


def _flatten(answer: Mapping[str, Any], problems: list[str]) -> dict[str, Any]:
    """Map answer keys onto field names; nested seller/buyer objects are flattened."""
    flat: dict[str, Any] = {}
    for raw_key, value in answer.items():
        key = _key(raw_key)
        party = _PARTY_KEYS.get(key)
        if party and isinstance(value, Mapping):
            for member_key, member_value in value.items():
                member = _lookup(_PARTY_MEMBERS, member_key)
                if member is None:
                    problems.append(f"unknown_key:{key}.{_key(member_key)}")
                    continue
                flat.setdefault(f"{party}_{member}", member_value)
            continue
        target = _lookup(_KEY_ALIASES, raw_key)
        if target is None:
            problems.append(f"unknown_key:{key}")
            continue
        # The first spelling wins: "total" after "total_amount" is a repeat, not a fix.
        flat.setdefault(target, value)
    return flat


# --- values ----------------------------------------------------------------------------

_EMPTY = {"", "null", "none", "n/a", "na", "-", "--", "无", "空", "未知", "***", "不详"}
_CURRENCIES = {
    "¥": "CNY",
    "RMB": "CNY",
    "人民币": "CNY",
    "元": "CNY",
    "CNY": "CNY",
    "RM": "MYR",
    "$": "USD",
    "US$": "USD",
    "HK$": "HKD",
    "€": "EUR",
    "£": "GBP",
}
_TYPE_WORDS = (
    ("数电", DocumentType.DIGITAL_INVOICE),
    ("全电", DocumentType.DIGITAL_INVOICE),
    ("电子普通发票", DocumentType.VAT_ELECTRONIC),
    ("电子专用发票", DocumentType.VAT_ELECTRONIC),
    ("专用发票", DocumentType.VAT_SPECIAL),
    ("普通发票", DocumentType.VAT_GENERAL),
    ("定额", DocumentType.QUOTA_INVOICE),
    ("火车", DocumentType.TRAIN_TICKET),
    ("铁路", DocumentType.TRAIN_TICKET),
    ("行程单", DocumentType.AIR_ITINERARY),
    ("汽车票", DocumentType.BUS_TICKET),
    ("出租", DocumentType.TAXI_RECEIPT),
    ("通行费", DocumentType.TOLL_RECEIPT),
    ("小票", DocumentType.RECEIPT),
)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and nfkc(value).strip().lower() in _EMPTY)


def _text(value: Any) -> str | None:
    if _is_empty(value) or isinstance(value, (dict, list)):
        return None
    text = re.sub(r"\s+", " ", nfkc(str(value))).strip()
    return text or None


def _money(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (Decimal, int)):
        return money(value)
    return parse_money(_text(value))


def _plain_number(value: Any) -> Decimal | None:
    """A quantity or unit price: exact as printed, not rounded to cents."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (Decimal, int)):
        return Decimal(value)
    text = _text(value)
    match = _NUMBER.search(text.replace(",", "")) if text else None
    if not match:
        return None
    try:
        return Decimal(match.group(0))
    except InvalidOperation:
        return None


def _identifier(value: Any) -> str | None:
    text = _text(value)
    if text is None:
        return None
    cleaned = re.sub(r"[^0-9A-Za-z]", "", text).upper()
    return cleaned or None


def _document_number(value: Any) -> str | None:
    """Digits only when the printed number is digits with separators, else as printed."""
    text = _text(value)
    if text is None:
        return None
    text = re.sub(r"^(?:no\.?|№|#)\s*", "", text, flags=re.IGNORECASE)
    if re.fullmatch(r"[\d\s\-.]*\d[\d\s\-.]*", text):
        return digits_only(text)
    return re.sub(r"\s", "", text).upper() or None


def _digits(value: Any) -> str | None:
    return digits_only(_text(value))


def _date(value: Any) -> dt.date | None:
    return parse_date(_text(value))


def _words(value: Any) -> str | None:
    text = _text(value)
    return text.replace(" ", "") if text else None


def _currency(value: Any) -> str | None:
    text = _text(value)
    if text is None:
        return None
    upper = text.upper()
    if upper in _CURRENCIES:
        return _CURRENCIES[upper]
    if text in _CURRENCIES:
        return _CURRENCIES[text]
    if re.fullmatch(r"[A-Z]{3}", upper):
        return upper
    return None


def _tax_rate(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    text = _text(value) if not isinstance(value, (Decimal, int)) else str(value)
    if text is None:
        return None
    if "免" in text or "exempt" in text.lower():
        return "免税"
    if "不征" in text:
        return "不征税"
    match = _NUMBER.search(text)
    if not match:
        return None
    number = Decimal(match.group(0))
    if "%" not in text and number < 1:
        number *= 100  # 0.13 means 13%
    return f"{number.normalize():f}%"


def _document_type(value: Any) -> DocumentType | None:
    text = _text(value)
    if text is None:
        return None
    try:
        return DocumentType(text.lower())
    except ValueError:
        pass
    for word, doc_type in _TYPE_WORDS:
        if word in text:
            return doc_type
    return None


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "invoice_code": _digits,
    "invoice_number": _document_number,
    "issue_date": _date,
    "seller_name": _text,
    "seller_tax_id": _identifier,
    "buyer_name": _text,
    "buyer_tax_id": _identifier,
    "amount_excluding_tax": _money,
    "tax_amount": _money,
    "total_amount": _money,
    "total_in_words": _words,
    "check_code": _digits,
    "currency": _currency,
}


def _convert(name: str, value: Any, problems: list[str]) -> Any:
    if _is_empty(value):
        return None
    try:
        converted = _CONVERTERS[name](value)
    except (ValueError, TypeError, ArithmeticError):
        converted = None
    if converted is None:
        problems.append(f"bad_value:{name}")
    return converted


def _line_items(value: Any, problems: list[str]) -> list[LineItem]:
    if _is_empty(value):
        return []
    if not isinstance(value, list):
        problems.append("bad_value:line_items")
        return []
    items: list[LineItem] = []
    for raw in value:
        if not isinstance(raw, Mapping):
            problems.append("bad_value:line_items")
            continue
        data: dict[str, Any] = {}
        for raw_key, raw_value in raw.items():
            key = _lookup(_ITEM_ALIASES, raw_key)
            if key is not None:
                data.setdefault(key, raw_value)
        item = LineItem(
            name=_text(data.get("name")),
            quantity=_plain_number(data.get("quantity")),
            unit_price=_plain_number(data.get("unit_price")),
            amount=_money(data.get("amount")),
            tax_rate=_tax_rate(data.get("tax_rate")),
            tax_amount=_money(data.get("tax_amount")),
        )
        if any(getattr(item, name) is not None for name in ("name", "amount", "tax_amount")):
            items.append(item)
    return items


# --- entry points ----------------------------------------------------------------------


def parse_answer(text: str) -> ParsedAnswer:
    """Parse a model's answer into fields, the document type it named, and the problems."""
    answer, problems = extract_json_object(text)
    if answer is None:
        return ParsedAnswer(InvoiceFields(), None, problems)
    flat = _flatten(answer, problems)
    fields = InvoiceFields()
    for name in _CONVERTERS:
        if name in flat:
            setattr(fields, name, _convert(name, flat[name], problems))
    fields.line_items = _line_items(flat.get("line_items"), problems)
    document_type = _document_type(flat.get("document_type"))
    if "document_type" in flat and document_type is None and not _is_empty(flat["document_type"]):
        problems.append("bad_value:document_type")
    return ParsedAnswer(fields, document_type, problems)


def render_answer(
    fields: InvoiceFields,
    document_type: DocumentType | None,
    keys: Sequence[str],
) -> str:
    """The answer a perfect model would give for ``fields`` (the fine-tuning target).

    Uses the same key set and value formats the prompt asks for, so that training
    teaches exactly the format ``parse_answer`` reads.
    """
    contract = fields.to_contract()
    answer: dict[str, Any] = {}
    for key in keys:
        if key == "document_type":
            answer[key] = document_type.value if document_type else None
        elif key == "line_items":
            answer[key] = contract["line_items"]
        else:
            answer[key] = contract.get(key)
    return json.dumps(answer, ensure_ascii=False, separators=(", ", ": "))
