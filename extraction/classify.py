"""Document-type classifier from titles, keywords, code/number shapes and layout.

Rules, not a model: the titles of Chinese invoices and tickets are fixed by the tax
authority, so a keyword in the largest text near the top decides most documents; the
shape of the 发票代码 (8th digit of a 10-digit code, last two digits of a 12-digit one)
and a 20-digit 发票号码 decide the rest. Receipts are what has amounts but no invoice
vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from extraction.engines.base import OcrLine
from extraction.parsing.normalize import nfkc
from extraction.schema import DocumentType

# (document type, keywords), checked in order against the title text, then the body.
_TITLE_RULES: tuple[tuple[DocumentType, tuple[str, ...]], ...] = (
    (DocumentType.AIR_ITINERARY, ("行程单", "航空运输电子客票", "电子客票行程")),
    (DocumentType.TRAIN_TICKET, ("铁路电子客票", "中国铁路", "铁路客票")),
    (DocumentType.QUOTA_INVOICE, ("定额发票", "定额", "定?发票")),
    (DocumentType.TOLL_RECEIPT, ("通行费", "收费站", "过路费", "路桥费")),
    (DocumentType.TAXI_RECEIPT, ("出租汽车", "出租车", "的士")),
    (DocumentType.BUS_TICKET, ("客运专用发票", "汽车客票", "汽车票", "客运站", "长途汽车")),
    (DocumentType.DIGITAL_INVOICE, ("电子发票(普通发票)", "电子发票(增值税专用发票)", "全电发票")),
    (DocumentType.VAT_ELECTRONIC, ("电子普通发票", "电子专用发票")),
    (DocumentType.VAT_SPECIAL, ("增值税专用发票", "专用发票")),
    (DocumentType.VAT_GENERAL, ("增值税普通发票", "普通发票")),
    # A misread character in 增值税专用发票 (专 -> 支 is common) still names a 专票.
    (DocumentType.VAT_SPECIAL, ("增值税+用发票",)),
)
# Words that on their own give a ticket away.
_STRONG_BODY: tuple[tuple[DocumentType, re.Pattern[str]], ...] = (
    (
        DocumentType.TRAIN_TICKET,
        re.compile(r"[一二]等座|商务座|硬座|硬卧|软卧|无座|限乘当日当次车|12306|\d:\d\d开"),
    ),
    (DocumentType.AIR_ITINERARY, re.compile(r"民航发展基金|电子客票号码|E-TICKET")),
    (DocumentType.TOLL_RECEIPT, re.compile(r"通行费|收费员|入口[:：].*|出口[:：]")),
)
_BODY_RULES: tuple[tuple[DocumentType, tuple[str, ...]], ...] = (
    (DocumentType.AIR_ITINERARY, ("航班", "航空", "登机", "民航发展基金", "燃油附加费")),
    (DocumentType.TRAIN_TICKET, ("二等座", "一等座", "商务座", "检票", "铁路", "硬卧", "软卧")),
    (DocumentType.TOLL_RECEIPT, ("通行费", "入口", "出口", "车型")),
    (DocumentType.TAXI_RECEIPT, ("车号", "上车", "下车", "里程", "候时", "等候")),
    (DocumentType.BUS_TICKET, ("乘车日期", "发车", "到达站", "车次", "座号")),
)
_RECEIPT_WORDS = re.compile(
    r"\b(TOTAL|SUBTOTAL|SUB-TOTAL|CASH|CHANGE|RECEIPT|INVOICE|GST|QTY|AMOUNT|TAX)\b|"
    r"合计|实收|找零|收银|小票|消费|应收|应付",
    re.IGNORECASE,
)


def classify_lines(lines: Sequence[OcrLine]) -> DocumentType:
    """Classify OCR output; the tallest text in the upper part is taken as the title."""
    if not lines:
        return DocumentType.OTHER
    bottom = max(line.bottom for line in lines) or 1.0
    heights = sorted((line.bottom - line.top for line in lines), reverse=True)
    tall = heights[min(len(heights) - 1, 3)]
    cjk = sum(bool(re.search(r"[\u4e00-\u9fff]", line.text)) for line in lines)
    if cjk < 0.1 * len(lines):
        # Latin-script documents: shop receipts in this product (tickets and invoices
        # are Chinese forms).
        text = "\n".join(line.text for line in lines)
        return DocumentType.RECEIPT if _RECEIPT_WORDS.search(text) else DocumentType.OTHER
    title = [
        line.text
        for line in lines
        if line.top < 0.35 * bottom and (line.bottom - line.top) >= 0.9 * tall
    ]
    return classify_text("\n".join(line.text for line in lines), title="\n".join(title))


def classify_text(text: str, *, title: str = "") -> DocumentType:
    flat = re.sub(r"\s+", "", nfkc(text))
    head = re.sub(r"\s+", "", nfkc(title)) or _first_lines(nfkc(text))
    for doc_type, words in _TITLE_RULES:
        if _any_in(words, head):
            return _refine(doc_type, flat)
    for doc_type, words in _TITLE_RULES:
        if _any_in(words, flat) and "发票" in flat:
            return _refine(doc_type, flat)
    for doc_type, pattern in _STRONG_BODY:
        if pattern.search(flat):
            return doc_type
    by_shape = _by_code_shape(flat)
    if by_shape is not None:
        return by_shape
    for doc_type, words in _BODY_RULES:
        if sum(word in flat for word in words) >= 2:
            return doc_type
    if _RECEIPT_WORDS.search(nfkc(text)) or re.search(r"发票|收据", flat):
        return DocumentType.RECEIPT
    return DocumentType.OTHER


def _any_in(words: tuple[str, ...], text: str) -> bool:
    """Whether one of ``words`` is in ``text``; "a+b" needs both parts, "?" is any one
    character (a misread: 定颜发票 is 定额发票)."""
    return any(
        all(re.search(re.escape(part).replace(r"\?", "."), text) for part in word.split("+"))
        for word in words
    )


def _first_lines(text: str) -> str:
    return re.sub(r"\s+", "", "".join(text.splitlines()[:4]))


def _refine(doc_type: DocumentType, flat: str) -> DocumentType:
    """Titles that say too little on their own (or lost characters under a seal),
    refined by the code shape, which the tax authority fixes per kind of invoice."""
    if doc_type in (DocumentType.VAT_SPECIAL, DocumentType.VAT_GENERAL):
        # Without 增值税 the title may be a ticket's (车辆通行费专用发票 read with a
        # character lost): words only tickets print decide then.
        if "增值税" not in flat:
            for ticket_type, pattern in _STRONG_BODY:
                if pattern.search(flat):
                    return ticket_type
        if "电子" in flat and "增值税电子" in flat:
            return DocumentType.VAT_ELECTRONIC
        if _twenty_digit_number(flat) and not _code(flat):
            return DocumentType.DIGITAL_INVOICE
        code = _code(flat)
        if code is not None and len(code) == 12 and code.startswith("0") and code.endswith("11"):
            return DocumentType.VAT_ELECTRONIC
    return doc_type


def _code(flat: str) -> str | None:
    match = re.search(r"发票代码[:：]?(\d{10,12})(?!\d)", flat)
    return match.group(1) if match else None


def _twenty_digit_number(flat: str) -> bool:
    return re.search(r"发票号码[:：]?\d{20}(?!\d)", flat) is not None


def _by_code_shape(flat: str) -> DocumentType | None:
    if _twenty_digit_number(flat) and not _code(flat):
        return DocumentType.DIGITAL_INVOICE
    code = _code(flat)
    if code is None:
        return None
    if len(code) == 10:
        if code[7] in "15":
            return DocumentType.VAT_SPECIAL
        if code[7] in "36":
            return DocumentType.VAT_GENERAL
        return None
    if len(code) == 12 and code.startswith("0"):
        if code[-2:] == "11":
            return DocumentType.VAT_ELECTRONIC
        if code[-2:] in ("04", "05", "06", "07"):
            return DocumentType.VAT_GENERAL
    return None
