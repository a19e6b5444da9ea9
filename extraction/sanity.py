"""What a party name can never be, and since when each document type exists.

Pure rules shared by the layout parser (which skips such candidates and takes the next)
and by :mod:`extraction.validation` (which warns when an engine still returned one).
OCR reads everything on the page: seal rims, the printer's imprint in the margin, the
form's title and its captions all sit near the party fields and look like text of the
right length, so a parser tuned on one layout picks them up on another.
"""

from __future__ import annotations

import datetime as dt
import re

from extraction.parsing.normalize import letters, nfkc
from extraction.schema import DocumentType

# Seal texts: 发票专用章 (invoice seal), 财务专用章, 合同专用章, 公章 ...
_SEAL = re.compile(r"专用章$|^发票专用章|财务专用章|发票专用|监制章|^公章$")
# The printing house's imprint on paper forms: "…印制有限公司", "…印刷厂印制", "…监制".
# Not every printing business: "天元印务有限公司" sells printing and issues invoices.
_PRINTER = re.compile(r"印制有限公司|印制厂|印刷厂|印制$|监制")
# A form's title: "…增值税专用发票", "电子发票(普通发票)", "…行程单", "…发票联", "抵扣联".
_TITLE = re.compile(
    r"(发票|发票联|抵扣联|记账联|行程单|电子客票|车票|客票|收据|小票)(\([^()]*\))?$"
    r"|^(电子)?发票\(",
)
# Field captions of the party blocks, alone (a name box that holds no name).
_LABEL = re.compile(
    r"^(购买方|销售方|购货单位|销货单位|购方|销方|买方|卖方|收款单位|开票单位)?(信息)?"
    r"(名称|纳税人识别号|统一社会信用代码(/纳税人识别号)?|识别号|税号|地址、?电话|地址|电话|"
    r"开户行及[账帐]号|开户银行|银行账号|账号)?$"
)
# A caption glued to a name by OCR: "(章):", "（章）", "销售方(章)", a leading "名称:".
_GLUED_TAIL = re.compile(
    r"\s*(销售方|收款单位|开票单位|单位)?\s*\(\s*章\s*\)\s*[:：;]?\s*$|\s*[:：;]+\s*$"
)
_GLUED_HEAD = re.compile(
    r"^\s*((购买方|销售方)?名\s*称|称|(销售方|收款单位|开票单位|单位)?\s*\(\s*章\s*\))\s*[:：;]?\s*(?=\S)"
)
_CAPTION_ONLY = re.compile(r"(销售方|收款单位|开票单位|单位)?[:：;]?\(章\)[:：;]?")
_SEPARATORS = " :：;；.,，、"


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", nfkc(text)).strip(_SEPARATORS)


def not_a_party(text: str) -> str | None:
    """Why ``text`` cannot be a seller's or buyer's name, or ``None`` when it can be.

    The answer is a short English phrase for a reviewer: "a seal caption", "a printing
    house's imprint", "a document title", "a field label".
    """
    flat = _flat(text)
    if not flat:
        return "a field label"
    if _LABEL.fullmatch(flat) or _CAPTION_ONLY.fullmatch(flat):
        return "a field label"
    if _SEAL.search(flat):
        return "a seal caption"
    if _PRINTER.search(flat):
        return "a printing house's imprint"
    if _TITLE.search(flat):
        return "a document title"
    return None


def strip_captions(text: str) -> str:
    """``text`` without captions OCR glued to the name ("(章):", "名称:"), when a name of at
    least two characters remains; else ``text`` unchanged."""
    original = nfkc(text).strip()
    stripped = original
    for _ in range(3):
        before = stripped
        stripped = _GLUED_HEAD.sub("", _GLUED_TAIL.sub("", stripped)).strip()
        if stripped == before:
            break
    if stripped == original or len(_flat(stripped)) < 2 or not_a_party(stripped):
        return text
    return stripped


def same_party(a: str | None, b: str | None) -> bool:
    """Whether two names or tax IDs denote the same party (spacing, width, case and
    punctuation aside)."""
    if not a or not b:
        return False
    return bool(letters(a)) and letters(a) == letters(b)


# The first day a document of the type could be issued. Only dates that are public fact:
# VAT (and so VAT invoices) from 1 January 1994; 增值税电子普通发票 through the national
# e-invoice system from 2015 (year only: regional pilots preceded the December 2015
# national roll-out); 全面数字化的电子发票 (数电票) pilots from 1 December 2021.
TYPE_INTRODUCED: dict[DocumentType, dt.date] = {
    DocumentType.VAT_SPECIAL: dt.date(1994, 1, 1),
    DocumentType.VAT_GENERAL: dt.date(1994, 1, 1),
    DocumentType.VAT_ELECTRONIC: dt.date(2015, 1, 1),
    DocumentType.DIGITAL_INVOICE: dt.date(2021, 12, 1),
}


__all__ = ["TYPE_INTRODUCED", "not_a_party", "same_party", "strip_captions"]
