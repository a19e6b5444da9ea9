"""The opaque export cursor: a position in the export order, base64url-encoded.

Opaque so that clients store and return it unchanged; versioned so that the position
can change meaning later without breaking stored cursors silently.
"""

from __future__ import annotations

import base64
import binascii

from django.utils.translation import gettext

from reimbursements.services import ServiceError

_PREFIX = "v1:"


class InvalidCursor(ServiceError):
    def __init__(self) -> None:
        super().__init__(
            "invalid_cursor",
            gettext("The cursor is not one this API returned; start without one."),
        )


def encode(position: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{position}".encode()).decode().rstrip("=")


def decode(cursor: str | None) -> int:
    """Position after which to continue; 0 (the beginning) for no cursor."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidCursor() from exc
    digits = text.removeprefix(_PREFIX)
    if not text.startswith(_PREFIX) or not digits.isdigit() or len(digits) > 19:
        raise InvalidCursor()
    return int(digits)
