"""Reconciling a model's fields with OCR evidence when the model's fields fail a check.

The rule (copied into the README):

1. The model's answer is validated first (``extraction.validation.validate``). Only the
   fields named by a failed *cross-check* are in doubt: the 统一社会信用代码 checksum
   (``uscc_checksum``), 大写 vs 小写 (``words_mismatch``, ``words_unparseable``),
   金额 + 税额 = 价税合计 (``arithmetic_mismatch``), line items vs totals
   (``line_items_mismatch``) and the code/number formats (``invoice_code_format``,
   ``invoice_number_format``, ``check_code_format``). A failed arithmetic check puts all
   three amounts in doubt; a failed 大写 check puts the total and the 大写 in doubt.
   Nothing else is touched: when every check passes, OCR is not even run.
2. OCR evidence is the OCR engine's reading of the same (masked) image, validated the
   same way. An OCR value is *usable* for a field when it is present, differs from the
   model's value, and no failed cross-check of the OCR reading names that field.
3. The usable OCR values are substituted and the result is validated again. The
   substitution is kept only if it clears a failed check: every substituted field is
   free of cross-check failures afterwards and the number of failed cross-checks went
   down. All usable values are tried together first (an arithmetic failure usually needs
   two of the three amounts), then one at a time. Each kept value gets a
   ``reconciled_from_ocr`` warning naming both readings and a confidence capped at
   ``validation.REPAIR_CAP``, so a reviewer still sees it.
4. A field still in doubt after step 3 whose OCR reading differs keeps the model's
   value and gets a ``vlm_ocr_disagree`` warning with both readings and half its
   confidence. Where OCR agrees with the model or has no reading, the validation
   warning stands alone: there is no second opinion to report.
5. Once OCR has run, every field it read with the same value as the result holds
   records OCR's source in ``agreeing`` (two independent readings of one field), in
   doubt or not; a value OCR itself supplied agrees with nothing.

The model's value is never replaced by an OCR value that fails the same check, and OCR
never adds a field the model did not read (missing fields are the validator's business).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any

from extraction import provenance, validation
from extraction.schema import (
    MACHINE_READABLE_SOURCES,
    ExtractionResult,
    FieldSource,
    InvoiceFields,
    ValidationWarning,
    warning_params,
)

RECONCILED_FROM_OCR = "reconciled_from_ocr"
VLM_OCR_DISAGREE = "vlm_ocr_disagree"
DISAGREE_FACTOR = 0.5

# Failed check -> the fields it puts in doubt (``None``: the field the warning names).
_DOUBT: dict[str, tuple[str, ...] | None] = {
    validation.USCC_CHECKSUM: None,
    validation.WORDS_MISMATCH: ("total_amount", "total_in_words"),
    validation.WORDS_UNPARSEABLE: ("total_in_words",),
    validation.ARITHMETIC_MISMATCH: ("amount_excluding_tax", "tax_amount", "total_amount"),
    validation.LINE_ITEMS_MISMATCH: ("amount_excluding_tax", "tax_amount"),
    validation.INVOICE_CODE_FORMAT: None,
    validation.INVOICE_NUMBER_FORMAT: None,
    validation.CHECK_CODE_FORMAT: None,
}
CROSS_CHECK_CODES: frozenset[str] = frozenset(_DOUBT)


def doubtful_fields(result: ExtractionResult) -> set[str]:
    """Fields of a *validated* result named by a failed cross-check, except those read
    from machine-readable data (a QR code is not in doubt because the print disagrees)."""
    exact = {n for n, s in result.sources.items() if s in MACHINE_READABLE_SOURCES}
    return _doubtful(result.warnings) - exact


def needs_ocr(result: ExtractionResult) -> bool:
    """Whether OCR evidence could help this validated result (rule 1)."""
    return bool(doubtful_fields(result))


def reconcile(
    raw: ExtractionResult,
    checked: ExtractionResult,
    ocr: ExtractionResult,
    *,
    today: dt.date | None = None,
) -> ExtractionResult:
    """Apply the module's rule.

    ``raw`` is the model's result before validation (its raw confidences), ``checked``
    is ``validate(raw)``, ``ocr`` is the OCR engine's result for the same image. Returns
    ``checked`` itself when there is nothing to reconcile.
    """
    doubtful = doubtful_fields(checked)
    if not doubtful:
        return checked
    ocr_checked = validation.validate(ocr, today=today)
    ocr_doubtful = doubtful_fields(ocr_checked)
    usable: dict[str, Any] = {}
    disagree: dict[str, Any] = {}
    for name in sorted(doubtful):
        mine, theirs = getattr(checked.fields, name), getattr(ocr_checked.fields, name)
        if theirs is None or theirs == mine:
            continue
        disagree[name] = theirs
        if name not in ocr_doubtful:
            usable[name] = theirs

    before = _failure_count(checked)
    attempt = _try(raw, usable, before, today) or _best_single(raw, usable, before, today)
    accepted, final = attempt if attempt is not None else ({}, checked)

    warnings = list(final.warnings)
    confidence = dict(final.confidence)
    for name, value in accepted.items():
        warnings.append(
            ValidationWarning(
                code=RECONCILED_FROM_OCR,
                field=name,
                message=(
                    f"{name}: the model read {_show(getattr(checked.fields, name))}, which "
                    f"failed a cross-check; OCR read {_show(value)}, which passes, and was kept"
                ),
                params=warning_params(
                    {"model": _show(getattr(checked.fields, name)), "ocr": _show(value)}
                ),
            )
        )
        confidence[name] = min(confidence.get(name, 0.0), validation.REPAIR_CAP)
    still_doubtful = doubtful_fields(final)
    for name, value in disagree.items():
        if name in accepted or name not in still_doubtful:
            continue
        warnings.append(
            ValidationWarning(
                code=VLM_OCR_DISAGREE,
                field=name,
                message=(
                    f"{name}: the model read {_show(getattr(final.fields, name))} and OCR "
                    f"read {_show(value)}; neither could be confirmed by a cross-check"
                ),
                params=warning_params(
                    {"model": _show(getattr(final.fields, name)), "ocr": _show(value)}
                ),
            )
        )
        if name in confidence:
            confidence[name] *= DISAGREE_FACTOR
    sources = dict(final.sources) | {name: FieldSource.OCR for name in accepted}
    return final.replace(
        warnings=warnings,
        confidence=confidence,
        sources=sources,
        agreeing=_agreeing(final.replace(sources=sources), ocr),
        regions=dict(final.regions)
        | {name: ocr.regions[name] for name in accepted if name in ocr.regions},
    )


def _agreeing(result: ExtractionResult, ocr: ExtractionResult) -> dict[str, list[FieldSource]]:
    """``result.agreeing`` plus OCR's source for each field OCR read (not computed) with
    the value the result holds from another source."""
    agreeing = dict(result.agreeing)
    own_default = provenance.engine_source(result.engine)
    for name, ocr_source in provenance.with_default_sources(ocr).sources.items():
        source = FieldSource(ocr_source)
        own = result.sources.get(name) or own_default
        if own is None or FieldSource(own) in MACHINE_READABLE_SOURCES | {source}:
            continue
        if provenance.same_value(getattr(result.fields, name), getattr(ocr.fields, name)):
            agreeing = provenance.with_agreement(agreeing, name, source)
    return agreeing


_Attempt = tuple[dict[str, Any], ExtractionResult]


def _try(
    raw: ExtractionResult,
    values: dict[str, Any],
    before: int,
    today: dt.date | None,
) -> _Attempt | None:
    """Validate ``raw`` with ``values`` substituted; ``None`` unless that clears a check."""
    if not values:
        return None
    fields: InvoiceFields = dataclasses.replace(raw.fields, **values)
    candidate = validation.validate(raw.replace(fields=fields), today=today)
    if doubtful_fields(candidate).intersection(values) or _failure_count(candidate) >= before:
        return None
    return values, candidate


def _best_single(
    raw: ExtractionResult,
    usable: dict[str, Any],
    before: int,
    today: dt.date | None,
) -> _Attempt | None:
    """The single substitution that clears the most failed checks, if any clears one."""
    best: _Attempt | None = None
    for name, value in usable.items():
        attempt = _try(raw, {name: value}, before, today)
        if attempt is None:
            continue
        if best is None or _failure_count(attempt[1]) < _failure_count(best[1]):
            best = attempt
    return best


def _doubtful(warnings: Iterable[ValidationWarning]) -> set[str]:
    names: set[str] = set()
    for warning in warnings:
        if warning.code not in _DOUBT:
            continue
        group = _DOUBT[warning.code]
        if group is not None:
            names.update(group)
        elif warning.field:
            names.add(warning.field)
    return names


def _failure_count(result: ExtractionResult) -> int:
    return sum(1 for warning in result.warnings if warning.code in CROSS_CHECK_CODES)


def _show(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return repr(str(value)) if value is not None else "nothing"
