"""Text masking: personal values become ``*`` except their last few characters.

Masking replaces letters and digits one for one and keeps separators (spaces, dashes,
``+``, ``@``, ``.``), so the masked text has the same length and layout as the input --
OCR lines keep their character positions -- and a reviewer can still tell an ID from a
phone number. The result is idempotent: a masked value no longer has the digit run any
detector needs, and everything outside the matches is left untouched.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from extraction.checksums import resident_id_is_valid, uscc_is_valid
from extraction.parsing.normalize import nfkc
from extraction.pii.detect import PiiKind, PiiMatch, detect
from extraction.schema import ValidationWarning

MASK_CHAR = "*"
# Read as if it followed a tax-ID label: the detectors then keep what a tax ID may look
# like (an 18-digit code passing Luhn, an old 15-digit 税号) and still mask a resident ID,
# a card or a phone typed into the field.
_TAX_LABEL = "税号 "


def mask_value(kind: PiiKind, value: str, keep_last: int = 4) -> str:
    """Mask one detected value.

    E-mails keep their domain (it names a provider or the employer, not the person)
    and lose the whole local part. Other values keep their last ``keep_last`` letters
    or digits -- but never half or more of them, so short permit numbers stay hidden.
    """
    if kind == PiiKind.EMAIL and "@" in value:
        local, _, domain = value.rpartition("@")
        return _star(local, keep=0) + "@" + domain
    alnum = sum(1 for c in value if c.isalnum())
    keep = max(0, min(keep_last, alnum // 2 - 1))
    return _star(value, keep=keep)


def mask_text(text: str, keep_last: int = 4) -> str:
    """``text`` with every detected personal value masked (see ``mask_value``)."""
    return apply_masks(text, detect(text), keep_last=keep_last)


def mask_tax_id(value: str, keep_last: int = 4) -> str:
    """A tax-ID field's value, masked only where it cannot be a company's tax ID.

    A value passing the 统一社会信用代码 checksum is kept whole. An individual buyer is
    identified by their resident ID, which stays masked -- also one that passes both
    checksums and holds a plausible birth date (the detectors' own rule).
    """
    code = nfkc(value).strip()
    if uscc_is_valid(code) and not resident_id_is_valid(code):
        return value
    offset = len(_TAX_LABEL)
    matches = [
        PiiMatch(m.kind, m.start - offset, m.end - offset, m.value)
        for m in detect(_TAX_LABEL + value)
        if m.start >= offset
    ]
    return apply_masks(value, matches, keep_last=keep_last)


def apply_masks(text: str, matches: list[PiiMatch], keep_last: int = 4) -> str:
    """Mask already detected ``matches`` (non-overlapping, offsets into ``text``)."""
    if not matches:
        return text
    parts: list[str] = []
    position = 0
    for match in sorted(matches, key=lambda m: m.start):
        parts.append(text[position : match.start])
        parts.append(mask_value(match.kind, text[match.start : match.end], keep_last))
        position = match.end
    parts.append(text[position:])
    return "".join(parts)


def _star(value: str, keep: int) -> str:
    positions = [i for i, c in enumerate(value) if c.isalnum()]
    hide = set(positions[: len(positions) - keep] if keep else positions)
    return "".join(MASK_CHAR if i in hide else c for i, c in enumerate(value))


# A buyer may be a person, identified by their resident ID: in a warning about this field
# an ID-shaped number is masked even with a wrong check character (a misread of the ID).
PERSONAL_ID_FIELDS = frozenset({"buyer_tax_id"})
_ID_LABEL = "身份证号 "


def _masked_param(field: str | None, value: str) -> str:
    if field in PERSONAL_ID_FIELDS:
        offset = len(_ID_LABEL)
        matches = [
            PiiMatch(m.kind, m.start - offset, m.end - offset, m.value)
            for m in detect(_ID_LABEL + value)
            if m.start >= offset
        ]
        value = apply_masks(value, matches)
    return mask_text(value)


def _masked(
    message: str, field: str | None, params: Mapping[str, Any]
) -> tuple[str, dict[str, Any]]:
    out: dict[str, Any] = {}
    for name, value in params.items():
        if not isinstance(value, str):
            out[name] = value
            continue
        masked = _masked_param(field, value)
        if masked != value and value:
            message = message.replace(value, masked)
        out[name] = masked
    return mask_text(message), out


def mask_warning(warning: ValidationWarning) -> ValidationWarning:
    """A warning whose message and parameters name no personal number: checks run on the
    values as read (a QR code, an e-invoice's XML, a person's typing), before masking."""
    message, params = _masked(warning.message, warning.field, dict(warning.params))
    return dataclasses.replace(warning, message=message, params=tuple(params.items()))


def mask_warning_contract(warning: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`mask_warning` for a warning as stored (its contract dict)."""
    out = dict(warning)
    params = out.get("params")
    field = out.get("field") if isinstance(out.get("field"), str) else None
    message, masked = _masked(
        str(out.get("message") or ""), field, params if isinstance(params, Mapping) else {}
    )
    out["message"] = message
    if isinstance(params, Mapping):
        out["params"] = masked
    return out
