"""Reviewer corrections of extracted fields, and other document-level review writes.

Every edit is stored as a :class:`FieldCorrection` (old -> new, who, when): that is the
document's history and the source of fine-tuning data. The edit updates the contract
JSON *and* the key column, refreshes the cross-check warnings and the claim total.
The human value is kept as typed: when the cross-checks would change it, that becomes a
``suggested_change`` warning instead of a silent repair.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from extraction.identity import business_key
from extraction.pii import mask_tax_id, mask_text, mask_warning_contract
from extraction.schema import (
    SCALAR_FIELDS,
    ExtractionResult,
    FieldSource,
    ValidationWarning,
    warning_params,
)
from extraction.stored import result_from_contract
from reimbursements.documents.duplicates import flag_duplicate
from reimbursements.models import (
    Claim,
    Document,
    ExpenseCategory,
    Extraction,
    FieldCorrection,
    Role,
)
from reimbursements.roles import has_role
from reimbursements.services import EDITABLE_CLAIM_STATES, ServiceError, audit
from reimbursements.warning_messages import field_label
from reimbursements.workflow import (
    LOCKED_CLAIM_STATES,
    claim_locked,
    claim_recompute_total,
    conflict,
    reviewable_states,
)

log = logging.getLogger(__name__)

SUGGESTED_CHANGE = "suggested_change"
# Warnings that announce a repair the validator made: a human value is never repaired.
_REPAIR_NOTICES = frozenset({"uscc_repaired", "total_repaired"})
CATEGORY_FIELD = "category"
MAX_MONEY = Decimal("999999999999.99")  # the columns hold 14 digits, 2 after the point


@dataclass(frozen=True)
class FieldKind:
    kind: str  # money | date | tax_id | digits | code | text | currency
    max_length: int = 200


EDITABLE_FIELDS: dict[str, FieldKind] = {
    "invoice_code": FieldKind("digits", 20),
    "invoice_number": FieldKind("code", 32),
    "issue_date": FieldKind("date"),
    "seller_name": FieldKind("text", 200),
    "seller_tax_id": FieldKind("tax_id", 32),
    "buyer_name": FieldKind("text", 200),
    "buyer_tax_id": FieldKind("tax_id", 32),
    "amount_excluding_tax": FieldKind("money"),
    "tax_amount": FieldKind("money"),
    "total_amount": FieldKind("money"),
    "total_in_words": FieldKind("text", 100),
    "check_code": FieldKind("digits", 32),
    "currency": FieldKind("currency"),
}
# Fields that also live in a column of Extraction (searchable, exported).
COLUMN_FIELDS = frozenset(
    {
        "invoice_code",
        "invoice_number",
        "issue_date",
        "seller_name",
        "seller_tax_id",
        "buyer_name",
        "buyer_tax_id",
        "amount_excluding_tax",
        "tax_amount",
        "total_amount",
        "currency",
    }
)
REVIEW_STATES = frozenset({Claim.Status.SUBMITTED, Claim.Status.MANAGER_APPROVED})


class InvalidValue(ServiceError):
    def __init__(self, field: str, message: str) -> None:
        label = field_label(field)
        super().__init__(
            "invalid_value",
            gettext("%(field)s: %(message)s")
            % {"field": label[:1].upper() + label[1:], "message": message},
        )


# --- value parsing ----------------------------------------------------------------------


def parse_value(field: str, value: Any, *, mask: bool = True) -> tuple[Any, Any]:
    """(value in the contract JSON, value for the column) or InvalidValue.

    ``mask=False``: the value as typed, personal numbers included -- only for the
    cross-checks of this edit, never stored."""
    if field == "line_items":
        raise InvalidValue(field, gettext("line items cannot be edited here."))
    kind = EDITABLE_FIELDS.get(field)
    if kind is None:
        raise InvalidValue(field, gettext("this field does not exist or cannot be edited."))
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidValue(field, gettext("give the value as a string."))
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if kind.kind == "money":
        amount = _parse_money(field, text)
        return str(amount), amount
    if kind.kind == "date":
        day = parse_date(text)
        if day is None:
            raise InvalidValue(field, gettext("use a date such as 2026-03-31 or 2026年3月31日."))
        return day.isoformat(), day
    if kind.kind == "tax_id":
        code = re.sub(r"[\s\-_.·]", "", text).upper()
        if not re.fullmatch(r"[0-9A-Z]{6,32}", code):
            raise InvalidValue(field, gettext("a tax ID has 6-32 letters and digits."))
        # A company's code stays readable; a resident ID, card or phone typed here does not.
        code = mask_tax_id(code) if mask else code
        return code, code
    if kind.kind in {"digits", "code"}:
        code = re.sub(r"\s+", "", text).upper()
        pattern = r"\d+" if kind.kind == "digits" else r"[0-9A-Z\-]+"
        if not re.fullmatch(pattern, code) or len(code) > kind.max_length:
            raise InvalidValue(
                field,
                (
                    gettext("use only digits, at most %(max)d.")
                    if kind.kind == "digits"
                    else gettext("use only letters, digits and '-', at most %(max)d.")
                )
                % {"max": kind.max_length},
            )
        return code, code
    if kind.kind == "currency":
        code = text.upper()
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise InvalidValue(field, gettext("use a three-letter ISO 4217 code, e.g. CNY."))
        return code, code
    if len(text) > kind.max_length:
        raise InvalidValue(field, gettext("at most %(max)d characters.") % {"max": kind.max_length})
    # Names and words are free text: a personal number typed there is masked as the same
    # number read from the image would be. Codes and amounts above are business numbers.
    text = mask_text(text) if mask else text
    return text, text


# Year first, as dates are printed on Chinese invoices and typed by their readers:
# 2026-03-31, 2026/3/31, 2026.03.31, 2026年3月31日 (the 日 may be left off).
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def parse_date(text: str) -> dt.date | None:
    match = _DATE.fullmatch(text.strip())
    if match is None:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _parse_money(field: str, text: str) -> Decimal:
    cleaned = text.replace(",", "").removeprefix("¥").removeprefix("￥").strip()
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as exc:
        raise InvalidValue(field, gettext("give an amount such as 12.30.")) from exc
    if not amount.is_finite():
        raise InvalidValue(field, gettext("give an amount such as 12.30."))
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise InvalidValue(field, gettext("an amount has at most two decimal places."))
    if abs(amount) > MAX_MONEY:
        raise InvalidValue(field, gettext("the amount is too large."))
    return amount.quantize(Decimal("0.01"))


# --- who may edit -----------------------------------------------------------------------


def _check_may_edit(actor: User, document: Document, claim: Claim | None) -> None:
    if claim is not None and claim.status in LOCKED_CLAIM_STATES:
        raise claim_locked(claim)
    if document.owner_id == actor.pk:
        if claim is None or claim.status in EDITABLE_CLAIM_STATES:
            return
        raise conflict(claim)
    if claim is not None and claim.status in REVIEW_STATES:
        if claim.status in reviewable_states(actor, claim):
            return
        if claim.owner_id != actor.pk and has_role(actor, Role.FINANCE):
            return
    raise ServiceError(
        "not_editable",
        gettext(
            "Only the owner (before submitting) or the claim's reviewers can edit these fields."
        ),
        status_code=403,
    )


def may_edit(actor: User, document: Document) -> bool:
    """Whether ``actor`` may change the document's fields now (for showing ✎)."""
    try:
        _check_may_edit(actor, document, document.claim)
    except ServiceError:
        return False
    return True


def _lock_document(document_id: int) -> tuple[Document, Claim | None]:
    """Claim first, then document: the same order as the workflow takes its locks."""
    claim_id = Document.objects.values_list("claim_id", flat=True).get(pk=document_id)
    claim = Claim.objects.select_for_update().get(pk=claim_id) if claim_id else None
    document = Document.objects.select_for_update().get(pk=document_id)
    if document.claim_id != claim_id:
        raise ServiceError(
            "conflict", gettext("The document moved to another claim; reload it."), status_code=409
        )
    return document, claim


# --- services ---------------------------------------------------------------------------


@transaction.atomic
def document_correct_field(*, actor: User, document_id: int, field: str, value: Any) -> Document:
    if field == CATEGORY_FIELD:
        return _set_category(actor=actor, document_id=document_id, value=value)
    json_value, column_value = parse_value(field, value)
    document, claim = _lock_document(document_id)
    _check_may_edit(actor, document, claim)
    extraction = Extraction.objects.select_for_update().filter(document=document).first()
    if extraction is None:
        raise ServiceError(
            "not_extracted", gettext("This document has no extracted fields yet."), status_code=409
        )
    old_value = extraction.fields.get(field)
    if old_value == json_value:
        return document
    extraction.fields = {**extraction.fields, field: json_value}
    old_source = str((extraction.sources or {}).get(field, ""))
    # A cleared field keeps the mark too: a reviewer must see that a person removed it.
    extraction.sources = {**(extraction.sources or {}), field: FieldSource.EMPLOYEE.value}
    # What other readings agreed with is the value replaced, not the person's.
    extraction.agreeing = {k: v for k, v in (extraction.agreeing or {}).items() if k != field}
    changed = ["fields", "sources", "agreeing", "confidence", "warnings", "updated_at"]
    if field in COLUMN_FIELDS:
        blank: Any = "" if EDITABLE_FIELDS[field].kind not in {"money", "date"} else None
        setattr(extraction, field, blank if column_value is None else column_value)
        changed.append(field)
    confidence = dict(extraction.confidence)
    if json_value is None:
        confidence.pop(field, None)
    else:
        confidence[field] = 1.0  # a person typed it
    extraction.confidence = confidence
    corrected = set(extraction.corrections.values_list("field", flat=True)) | {field}
    result = stored_result(extraction)
    warnings_before = list(extraction.warnings or [])
    # The checks see what the person typed (a resident ID as a buyer's tax ID is valid),
    # not its masked copy; their warnings are masked before they are stored.
    typed, _column = parse_value(field, value, mask=False)
    if typed != json_value:
        setattr(result.fields, field, typed)
    extraction.warnings = refreshed_warnings(extraction, result, corrected=corrected)
    if typed != json_value:
        setattr(result.fields, field, json_value)
    old_key = extraction.business_key
    extraction.business_key = business_key(result)[:200]
    if extraction.business_key != old_key:
        changed.append("business_key")
    extraction.save(update_fields=changed)
    FieldCorrection.objects.create(
        extraction=extraction,
        field=field,
        old_value=old_value,
        old_source=old_source[:16],
        old_warnings=gone_warnings(warnings_before, extraction.warnings, field=field),
        new_value=json_value,
        actor=actor,
    )
    audit(
        actor=actor,
        action="document.field_corrected",
        obj=document,
        before={field: old_value},
        after={field: json_value},
    )
    if extraction.business_key != old_key and not document.duplicate_resolved:
        _recheck_duplicate(document, extraction)
    if claim is not None:
        claim_recompute_total(claim=claim)
    return document


def gone_warnings(
    before: list[dict[str, Any]], after: list[dict[str, Any]], *, field: str
) -> list[dict[str, Any]]:
    """Warnings on ``field`` (or on the whole document) that the edit made go away."""
    return [
        warning
        for warning in before
        if warning not in after and warning.get("field") in (field, None, "")
    ]


def _set_category(*, actor: User, document_id: int, value: Any) -> Document:
    choice = "" if value in (None, "") else str(value)
    if choice and choice not in ExpenseCategory.values:
        raise InvalidValue(
            CATEGORY_FIELD,
            gettext("choose one of %(choices)s (or empty).")
            % {"choices": ", ".join(ExpenseCategory.values)},
        )
    document, claim = _lock_document(document_id)
    _check_may_edit(actor, document, claim)
    if document.category == choice:
        return document
    before = document.category
    document.category = choice
    document.save(update_fields=["category", "updated_at"])
    audit(
        actor=actor,
        action="document.category_changed",
        obj=document,
        before={CATEGORY_FIELD: before},
        after={CATEGORY_FIELD: choice},
    )
    return document


@transaction.atomic
def document_resolve_duplicate(*, actor: User, document_id: int, comment: str = "") -> Document:
    """Finance confirms that a flagged document is not a duplicate (or accepts it anyway)."""
    if not has_role(actor, Role.FINANCE):
        raise ServiceError(
            "not_finance", gettext("Only finance can resolve duplicate flags."), status_code=403
        )
    document = Document.objects.select_for_update().get(pk=document_id)
    if document.duplicate_of_id is None or document.duplicate_resolved:
        raise ServiceError(
            "conflict", gettext("This document has no open duplicate flag."), status_code=409
        )
    document.duplicate_resolved = True
    document.save(update_fields=["duplicate_resolved", "updated_at"])
    audit(
        actor=actor,
        action="document.duplicate_resolved",
        obj=document,
        before={"duplicate_of": document.duplicate_of_id},
        comment=comment.strip()[:2000],
    )
    return document


def corrections_for(*, document: Document) -> QuerySet[FieldCorrection]:
    return FieldCorrection.objects.filter(extraction__document=document).select_related("actor")


# --- re-checking ------------------------------------------------------------------------


def stored_result(extraction: Extraction) -> ExtractionResult:
    """Rebuild the typed result from the stored contract JSON (for the cross-checks)."""
    return result_from_contract(
        extraction.fields,
        document_type=extraction.document_type,
        confidence=extraction.confidence,
        engine=extraction.engine,
    )


def refreshed_warnings(
    extraction: Extraction, result: ExtractionResult, *, corrected: set[str]
) -> list[dict[str, Any]]:
    """Re-run the validator's cross-checks on the corrected values.

    Warnings the validator does not own (engine notes) are kept. Where the validator
    would change a value, the human value stays and a ``suggested_change`` says so.
    """
    try:
        from extraction.validation import WARNING_CODES, validate
    except ImportError:  # pragma: no cover - the validator is part of this product
        log.warning("extraction.validation unavailable; warnings left as they were")
        return list(extraction.warnings)
    owned = set(WARNING_CODES) | {SUGGESTED_CHANGE}
    kept = [w for w in extraction.warnings if w.get("code") not in owned]
    validated = validate(result.replace(warnings=[]), today=timezone.localdate())
    fresh: list[ValidationWarning] = [
        w for w in validated.warnings if w.code not in _REPAIR_NOTICES
    ]
    for name in SCALAR_FIELDS:
        mine = getattr(result.fields, name)
        theirs = getattr(validated.fields, name)
        if mine != theirs and theirs is not None and (name in corrected or mine is None):
            fresh.append(
                ValidationWarning(
                    SUGGESTED_CHANGE,
                    f"The cross-checks suggest {name} = {theirs}; the entered value was kept.",
                    name,
                    warning_params({"value": theirs}),
                )
            )
    return kept + [mask_warning_contract(w.to_contract()) for w in fresh]


def _recheck_duplicate(document: Document, extraction: Extraction) -> None:
    """The invoice's identity changed: flag (or unflag) it by the pipeline's own rule."""
    before = (document.duplicate_of_id, document.same_invoice_as_id)
    document.duplicate_of = None
    document.duplicate_reason = ""
    flag_duplicate(document, extraction)
    if (document.duplicate_of_id, document.same_invoice_as_id) != before:
        document.save(
            update_fields=["duplicate_of", "duplicate_reason", "same_invoice_as", "updated_at"]
        )
