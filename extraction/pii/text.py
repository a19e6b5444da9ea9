"""Text masking: personal values become ``*`` except their last few characters.

Masking replaces letters and digits one for one and keeps separators (spaces, dashes,
``+``, ``@``, ``.``), so the masked text has the same length and layout as the input --
OCR lines keep their character positions -- and a reviewer can still tell an ID from a
phone number. The result is idempotent: a masked value no longer has the digit run any
detector needs, and everything outside the matches is left untouched.
"""

from __future__ import annotations

from extraction.pii.detect import PiiKind, PiiMatch, detect

MASK_CHAR = "*"


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
