"""Query parameters checked in one place: a bad value is a 400 naming the parameter.

Without this, a value the database cannot hold (an id past 64 bits, a digit such as
"²" that ``str.isdigit`` accepts but ``int`` refuses, a NUL character PostgreSQL
refuses in text) reached the query and came back as a 500.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.http import QueryDict
from django.utils.translation import gettext
from rest_framework.exceptions import ValidationError

# Primary keys are 64-bit (BigAutoField).
MAX_ID = 2**63 - 1


def parse_id(raw: str) -> int | None:
    """``raw`` as a primary key, or None when it cannot be one."""
    if not (raw.isascii() and raw.isdigit()):
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_ID else None


def _invalid(name: str, message: str) -> ValidationError:
    return ValidationError({name: [message]})


def id_param(params: QueryDict, name: str) -> int | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    value = parse_id(raw)
    if value is None:
        raise _invalid(
            name, gettext("Must be a whole number between 1 and %(max)d.") % {"max": MAX_ID}
        )
    return value


def text_param(params: QueryDict, name: str, *, max_length: int = 200) -> str | None:
    """Stripped text, or None when absent or blank."""
    raw = params.get(name)
    if raw is None:
        return None
    if "\x00" in raw:
        raise _invalid(name, gettext("Must not contain NUL characters."))
    value = raw.strip()
    if len(value) > max_length:
        raise _invalid(name, gettext("Must be at most %(max)d characters.") % {"max": max_length})
    return value or None


def choice_param(params: QueryDict, name: str, choices: Iterable[str]) -> str | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    allowed = list(choices)
    if raw not in allowed:
        raise _invalid(
            name, gettext("Must be one of: %(choices)s.") % {"choices": ", ".join(allowed)}
        )
    return raw


def choices_param(params: QueryDict, name: str, choices: Iterable[str]) -> list[str] | None:
    """A comma-separated list of choices, or None when absent or blank."""
    raw = params.get(name)
    if raw is None:
        return None
    values = [value for value in raw.split(",") if value]
    if not values:
        return None
    allowed = list(choices)
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise _invalid(
            name,
            gettext("Unknown value %(value)s; must be among: %(choices)s.")
            % {"value": repr(unknown[0][:50]), "choices": ", ".join(allowed)},
        )
    return values


def flag_param(params: QueryDict, name: str) -> bool:
    value = choice_param(params, name, ("1", "0", "true", "false"))
    return value in {"1", "true"}
