"""Edits are evidence: for each field a person changed, what the document was read as,
who changed it and when.

Built from the correction history (:class:`~reimbursements.models.FieldCorrection`), the
same for the API, the exports and both clients. Only fields whose value is a person's
now count: a field read again after its edit has nothing to show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from extraction.schema import FieldSource
from reimbursements.models import Extraction, FieldCorrection


@dataclass(frozen=True)
class FieldEdit:
    field: str
    # The value before any person's edit, and where it came from ("" when unknown).
    original: Any
    original_source: str
    # The reading had no value: what is there now a person supplied, not the document.
    made_up: bool
    # A person removed the value that was read.
    cleared: bool
    # Warnings on the earlier readings that the edits made go away.
    original_warnings: list[dict[str, Any]]
    edited_by: str | None  # display name of the last editor
    edited_by_username: str | None
    edited_at: dt.datetime
    edit_count: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "original": self.original,
            "original_source": self.original_source or None,
            "made_up": self.made_up,
            "cleared": self.cleared,
            "original_warnings": self.original_warnings,
            "edited_by": self.edited_by,
            "edited_by_username": self.edited_by_username,
            "edited_at": self.edited_at.isoformat(),
            "edit_count": self.edit_count,
        }


def display_name(user: Any) -> str | None:
    if user is None:
        return None
    full: str = user.get_full_name()
    return full or str(user.get_username())


def _blank(value: Any) -> bool:
    return value is None or value == ""


def field_edits(
    corrections: Iterable[FieldCorrection], *, sources: Mapping[str, str]
) -> dict[str, FieldEdit]:
    """Field -> its edit, for the fields whose current value a person gave."""
    by_field: dict[str, list[FieldCorrection]] = {}
    for correction in sorted(corrections, key=lambda c: (c.created_at, c.pk)):
        by_field.setdefault(correction.field, []).append(correction)
    out: dict[str, FieldEdit] = {}
    for name, rows in by_field.items():
        if sources.get(name) != FieldSource.EMPLOYEE.value:
            continue
        first, last = rows[0], rows[-1]
        warnings: list[dict[str, Any]] = []
        for row in rows:
            warnings.extend(w for w in row.old_warnings or [] if w not in warnings)
        out[name] = FieldEdit(
            field=name,
            original=first.old_value,
            original_source=first.old_source,
            made_up=_blank(first.old_value) and not _blank(last.new_value),
            cleared=not _blank(first.old_value) and _blank(last.new_value),
            original_warnings=warnings,
            edited_by=display_name(last.actor),
            edited_by_username=last.actor.get_username() if last.actor else None,
            edited_at=last.created_at,
            edit_count=len(rows),
        )
    return out


def extraction_edits(extraction: Extraction) -> dict[str, FieldEdit]:
    """The extraction's edits (no query when no field is a person's)."""
    sources = extraction.sources or {}
    if FieldSource.EMPLOYEE.value not in sources.values():
        return {}
    rows = extraction.corrections.select_related("actor")
    return field_edits(rows, sources=sources)
