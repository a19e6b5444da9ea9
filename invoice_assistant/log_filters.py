"""A logging filter that masks personal data (IDs, bank cards, phones, e-mails) in every
record before any handler formats it.

Attach it to HANDLERS (not loggers): handler filters also see records propagated from
child loggers, Celery's included. It deliberately imports nothing from Django, so the
Celery worker and plain scripts can use it in ``logging.config.dictConfig``::

    "filters": {"pii": {"()": "invoice_assistant.log_filters.PiiMaskingFilter"}},
    "handlers": {"console": {..., "filters": ["pii"]}},
"""

from __future__ import annotations

import logging
import re
from typing import Any

from extraction.pii.text import mask_text as _mask_pii

# Attributes every LogRecord has; anything else on a record came from ``extra=`` and
# may be printed by a structured formatter, so it is masked too.
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
}
_UNMASKABLE = "<log record withheld: personal-data masking failed>"
_MAX_DEPTH = 4
# Task, request and trace ids: a hex group can look like a phone or card number to the
# detectors ("d1381234-5359-..." read as a grouped mobile), and a garbled id can no
# longer be followed from log line to log line. They are never personal data.
_UUID_RE = re.compile(
    r"(?<![0-9A-Za-z-])(?:[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-"
    r"[0-9A-Fa-f]{12}|[0-9A-Fa-f]{32})(?![0-9A-Za-z-])"
)


def mask_text(text: str) -> str:
    """``text`` with personal values masked everywhere except inside UUIDs."""
    if "-" not in text and len(text) < 32:
        return _mask_pii(text)
    parts: list[str] = []
    position = 0
    for found in _UUID_RE.finditer(text):
        parts.append(_mask_pii(text[position : found.start()]))
        parts.append(found.group())
        position = found.end()
    parts.append(_mask_pii(text[position:]))
    return "".join(parts)


class PiiMaskingFilter(logging.Filter):
    """Masks ``msg`` (formatted with its args), exception text, stack info and extras.

    After the filter, ``record.args`` is None and ``record.exc_info`` is None with the
    masked traceback in ``record.exc_text``: formatters print ``exc_text`` as is, while
    a live ``exc_info`` would make them render the unmasked traceback again. The filter
    is idempotent (a record may pass several handlers) and never raises: if masking
    fails, the record's text is replaced rather than let through unmasked.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            _mask_record(record)
        except Exception:
            record.msg = _UNMASKABLE
            record.args = None
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True


def _mask_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:
        # Bad format arguments: logging would print an error and drop the message;
        # keep both parts, masked, so the mistake is still visible.
        message = f"{record.msg!s} {record.args!r}"
    record.msg = mask_text(message)
    record.args = None
    if record.exc_info:
        if not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.exc_info = None
    if record.exc_text:
        record.exc_text = mask_text(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_text(record.stack_info)
    for key, value in list(vars(record).items()):
        if key not in _STANDARD_ATTRS and not key.startswith("_"):
            setattr(record, key, _mask_value(value, _MAX_DEPTH))


def _mask_value(value: Any, depth: int) -> Any:
    """Strings inside ``extra=`` values, masked; other types are left as they are."""
    if isinstance(value, str):
        return mask_text(value)
    if depth <= 0:
        return value
    if isinstance(value, dict):
        return {key: _mask_value(item, depth - 1) for key, item in value.items()}
    if isinstance(value, list):
        return [_mask_value(item, depth - 1) for item in value]
    if type(value) is tuple:  # not subclasses: a namedtuple cannot be rebuilt this way
        return tuple(_mask_value(item, depth - 1) for item in value)
    return value
