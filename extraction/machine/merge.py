"""Machine-readable values over an engine's reading, and a source for every field.

Two steps around validation (``extraction.validation.validate``):

* :func:`overlay`, before it: each field a reading holds (QR: code, number, date, check
  code and its amount) replaces the engine's value and is marked with the reading's
  source, so the validator's cross-checks (金额 + 税额 = 价税合计, 大写, formats) run on
  the exact values and never "repair" them. Where the engine read something else on the
  print, a ``printed_differs_from_qr`` warning names both values: the print may have been
  altered, so a person must look (any warning sends the document to review). Where the
  engine read the same value, its source is recorded in ``agreeing``: two independent
  readings of one field.
* :func:`attribute`, after it: machine-read fields at confidence 1.0, every other present
  field attributed to what read it (an engine's own entry, such as ``pdf_text`` or
  ``ocr`` after reconciliation, is kept; values the validator computed from the engine's
  fields take the engine's source).

Both are idempotent, so the local engines (which validate inside ``extract``) and the
in-process pipeline may both call them. When several readings hold a field, the first
wins (readings are in page order).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any

from extraction import provenance
from extraction.machine import READER_VERSION, MachineReading
from extraction.schema import (
    MACHINE_READABLE_SOURCES,
    SCALAR_FIELDS,
    DocumentType,
    ExtractionResult,
    FieldSource,
    ValidationWarning,
    warning_params,
)

PRINTED_DIFFERS_FROM_QR = "printed_differs_from_qr"


def known_values(readings: Sequence[MachineReading]) -> dict[str, tuple[Any, MachineReading]]:
    """Field name -> (value, the reading it came from); the first reading wins."""
    out: dict[str, tuple[Any, MachineReading]] = {}
    for reading in readings:
        for name in reading.fields.present():
            out.setdefault(name, (getattr(reading.fields, name), reading))
    return out


def machine_type(readings: Sequence[MachineReading]) -> DocumentType | None:
    return next((r.document_type for r in readings if r.document_type is not None), None)


def overlay(
    result: ExtractionResult,
    readings: Sequence[MachineReading],
    *,
    hinted_type: bool = False,
) -> ExtractionResult:
    """``result`` (an engine's unvalidated answer) with the readings' values in place.

    The readings' document type replaces the engine's unless a caller chose the type
    (``hinted_type``: a reviewer's choice outranks everything).
    """
    known = known_values(readings)
    if not known:
        return result
    fields = result.fields
    changes: dict[str, Any] = {}
    warnings = list(result.warnings)
    confidence = dict(result.confidence)
    sources = dict(result.sources)
    agreeing = dict(result.agreeing)
    engine_default = provenance.engine_source(result.engine)
    for name, (value, reading) in known.items():
        printed = getattr(fields, name)
        if printed is not None and not provenance.same_value(printed, value):
            warning = _differs(name, printed, value, reading)
            if warning not in warnings:
                warnings.append(warning)
        elif printed is not None:
            # The print read the same as the code: a second, independent reading.
            read_by = sources.get(name) or engine_default
            if read_by is not None and FieldSource(read_by) not in MACHINE_READABLE_SOURCES:
                agreeing = provenance.with_agreement(agreeing, name, FieldSource(read_by))
        changes[name] = value
        confidence[name] = 1.0
        sources[name] = reading.source
    document_type = result.document_type
    found_type = machine_type(readings)
    if found_type is not None and not hinted_type:
        document_type = found_type
    return result.replace(
        fields=dataclasses.replace(fields, **changes),
        document_type=document_type,
        warnings=warnings,
        confidence=confidence,
        sources=sources,
        agreeing=agreeing,
    )


def result_from_reading(reading: MachineReading, *, hint: str | None = None) -> ExtractionResult:
    """The unvalidated result of a complete reading (OFD/XML): every field from it."""
    document_type = _as_type(hint) or reading.document_type or DocumentType.OTHER
    fields = copy.deepcopy(reading.fields)
    return ExtractionResult(
        document_type=document_type,
        fields=fields,
        confidence=dict.fromkeys(fields.present(), 1.0),
        warnings=list(reading.warnings),
        engine=reading.source.value,
        engine_version=READER_VERSION,
        raw_output=reading.raw,
        sources=dict.fromkeys(fields.present(), reading.source),
    )


def attribute(result: ExtractionResult, default: FieldSource | None = None) -> ExtractionResult:
    """Every present field with a source; machine-read ones at confidence 1.0.

    ``default`` is the engine's source (by default from ``result.engine``); fields
    without an entry take the source most of the engine's fields have, else ``default``.
    """
    present = result.fields.present()
    sources = {n: FieldSource(s) for n, s in result.sources.items() if n in present}
    engine_default = default or provenance.engine_source(result.engine)
    read = Counter(s for s in sources.values() if s not in MACHINE_READABLE_SOURCES)
    fallback = read.most_common(1)[0][0] if read else engine_default
    if fallback is not None:
        for name in present:
            sources.setdefault(name, fallback)
    confidence = dict(result.confidence)
    for name, source in sources.items():
        if source in MACHINE_READABLE_SOURCES:
            confidence[name] = 1.0
    ordered = {name: sources[name] for name in SCALAR_FIELDS if name in sources}
    return result.replace(sources=ordered, confidence=confidence)


def _as_type(value: str | None) -> DocumentType | None:
    try:
        return DocumentType(value) if value else None
    except ValueError:
        return None


def _differs(name: str, printed: Any, value: Any, reading: MachineReading) -> ValidationWarning:
    where = f" on page {reading.page + 1}" if reading.page else ""
    return ValidationWarning(
        code=PRINTED_DIFFERS_FROM_QR,
        field=name,
        message=(
            f"{name}: the document reads {_show(printed)} but its own QR code{where} says "
            f"{_show(value)}; the QR value was kept. The print may have been altered."
        ),
        params=warning_params(
            {"printed": _show(printed), "qr": _show(value), "page": str(reading.page + 1)}
        ),
    )


def _show(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return repr(str(value))
