"""Where each field came from, and what that makes it worth to a reviewer.

Two pure functions every layer shares, so the API, the exports and both clients never
disagree about a field:

* :func:`with_default_sources` gives every present field a source when the engine left it
  without one: the engine's own source (``ocr``, ``vlm``, ``remote``). Readers of
  machine-readable data (QR, OFD, XML) always name their fields themselves.
* :func:`field_status` turns a source into what the reviewer sees: ``verified`` (the
  issuer's own machine-readable data, or two independent sources read the same value),
  ``read`` (one engine read it from the pixels or the text layer) or ``edited`` (a person
  typed it; the original reading stays in the correction history).

Agreement is recorded as the other sources that read the same value for a field
(``agreeing``); a person's value never counts as a second reading.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from extraction.schema import MACHINE_READABLE_SOURCES, SCALAR_FIELDS, ExtractionResult, FieldSource

ENGINE_SOURCES: dict[str, FieldSource] = {
    "ocr": FieldSource.OCR,
    "vlm": FieldSource.VLM,
    "remote": FieldSource.REMOTE,
}


class FieldStatus(StrEnum):
    VERIFIED = "verified"
    READ = "read"
    EDITED = "edited"


def engine_source(engine: str) -> FieldSource | None:
    """The source an engine's own readings have (``None`` for an unknown engine)."""
    return ENGINE_SOURCES.get(engine)


def with_default_sources(result: ExtractionResult) -> ExtractionResult:
    """``result`` with a source for every present field (the engine's, where it named none).

    Sources of absent fields are dropped: a source says where a *value* came from.
    """
    present = result.fields.present()
    default = engine_source(result.engine)
    sources: dict[str, FieldSource] = {}
    for name in present:
        named = result.sources.get(name)
        if named is not None:
            sources[name] = FieldSource(named)
        elif default is not None:
            sources[name] = default
    if sources == result.sources:
        return result
    return result.replace(sources=sources)


def same_value(value: Any, other: Any) -> bool:
    """Whether two readings of a field hold the same value (amounts as numbers, dates as
    dates, text without the spaces and full-width forms print and engines differ in)."""
    if value is None or other is None:
        return False
    for a, b in ((value, other), (other, value)):
        if isinstance(a, Decimal):
            try:
                return Decimal(str(b)) == a
            except InvalidOperation:
                return False
        if isinstance(a, dt.date):
            return bool(a == b)
    return _plain(value) == _plain(other)


def _plain(value: Any) -> str:
    # Engines and print split long numbers into groups and use full-width digits.
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))


def with_agreement(
    agreeing: Mapping[str, Iterable[FieldSource]], name: str, source: FieldSource
) -> dict[str, list[FieldSource]]:
    """``agreeing`` with ``source`` recorded as a second reading of ``name`` (once)."""
    out = {field: list(found) for field, found in agreeing.items()}
    if source not in out.setdefault(name, []):
        out[name].append(source)
    return out


def agreeing_sources(result: ExtractionResult) -> dict[str, list[str]]:
    """The result's agreements as stored and shown: present fields only, without the
    field's own source or a person, each list sorted."""
    present = set(result.fields.present())
    out: dict[str, list[str]] = {}
    for name in SCALAR_FIELDS:
        if name not in present or name not in result.agreeing:
            continue
        own = result.sources.get(name)
        others = {FieldSource(s).value for s in result.agreeing[name]}
        others -= {FieldSource.EMPLOYEE.value, FieldSource(own).value if own else ""}
        if others:
            out[name] = sorted(others)
    return out


def field_status(
    source: str | FieldSource | None, *, agreeing: Iterable[str | FieldSource] = ()
) -> FieldStatus | None:
    """What a field read from ``source`` is worth; ``None`` when it has no source."""
    if source is None or source == "":
        return None
    try:
        own = FieldSource(source)
    except ValueError:
        return FieldStatus.READ  # a source this version does not know: one reading
    if own is FieldSource.EMPLOYEE:
        return FieldStatus.EDITED
    if own in MACHINE_READABLE_SOURCES:
        return FieldStatus.VERIFIED
    others = {str(s) for s in agreeing} - {own.value, FieldSource.EMPLOYEE.value, ""}
    return FieldStatus.VERIFIED if others else FieldStatus.READ


def field_statuses(
    sources: Mapping[str, str],
    *,
    agreeing: Mapping[str, Collection[str]] | None = None,
) -> dict[str, str]:
    """Field name -> status for every field with a source, in contract order."""
    agreeing = agreeing or {}
    ordered = [n for n in SCALAR_FIELDS if n in sources] + sorted(
        n for n in sources if n not in SCALAR_FIELDS
    )
    out: dict[str, str] = {}
    for name in ordered:
        status = field_status(sources[name], agreeing=agreeing.get(name, ()))
        if status is not None:
            out[name] = status.value
    return out


def field_regions(result: ExtractionResult) -> dict[str, dict[str, Any]]:
    """Regions of the fields whose value is a reading of the page's pixels (OCR): a value
    taken from machine-readable data or a text layer was not read where a box points."""
    return {
        name: region.to_dict()
        for name, region in sorted(result.regions.items())
        if result.sources.get(name) == FieldSource.OCR and name in result.fields.present()
    }
