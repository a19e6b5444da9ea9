"""gunicorn's access log with personal numbers masked.

The access log is written by gunicorn, not through Django's logging, so the PII filter on
Django's handlers never sees it; yet its lines carry what people type into search boxes
(``GET /api/v1/review/queue/?search=13812345678``) and the Referer of the page they came
from. Selected with ``--logger-class invoice_assistant.access_log.PiiMaskingLogger``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

from gunicorn.glogging import Logger, SafeAtoms

from invoice_assistant.log_filters import mask_text


def mask_url_text(text: str) -> str:
    """``text`` with personal values masked, also when they are percent-encoded.

    A value that is found only once decoded (``138%201234%205678``, full-width digits in
    UTF-8) is logged decoded and masked; everything else keeps its logged form.
    """
    masked = mask_text(text)
    if "%" not in masked and "+" not in masked:
        return masked
    decoded = unquote_plus(masked)
    decoded_masked = mask_text(decoded)
    return decoded_masked if decoded_masked != decoded else masked


class MaskedAtoms(SafeAtoms):
    """The atoms of one access-log line; each string is masked when the format uses it,
    so only the dozen atoms of the configured format cost anything."""

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        return mask_url_text(value) if isinstance(value, str) else value


class PiiMaskingLogger(Logger):
    atoms_wrapper_class = MaskedAtoms
