"""Expense policy checked when a claim is submitted.

Pure reads: :func:`check_claim` lists every violation at once (the employee fixes them
all in one go instead of one per submit). The workflow refuses the submit when the list
is not empty. Limits and windows come from settings (see the issue 7 block in base.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from reimbursements.models import Claim, Document, ExpenseCategory, Extraction
from reimbursements.roles import user_roles

# Violation codes (stable, for the front-end's translations).
EMPTY_CLAIM = "empty_claim"
DOCUMENT_NOT_READY = "document_not_ready"
DOCUMENT_UNUSABLE = "document_unusable"
DUPLICATE_UNRESOLVED = "duplicate_unresolved"
MISSING_FIELD = "missing_field"
INVOICE_TOO_OLD = "invoice_too_old"
INVOICE_IN_FUTURE = "invoice_in_future"
AMOUNT_OVER_LIMIT = "amount_over_limit"
CURRENCY_MISMATCH = "currency_mismatch"

READY_STATUSES = frozenset({Document.Status.EXTRACTED, Document.Status.NEEDS_REVIEW})
UNUSABLE_STATUSES = frozenset(
    {Document.Status.INFECTED, Document.Status.REJECTED, Document.Status.FAILED}
)

# A document type says enough about the expense to pre-fill its category.
_CATEGORY_BY_TYPE = {
    "train_ticket": ExpenseCategory.TRAVEL,
    "air_itinerary": ExpenseCategory.TRAVEL,
    "bus_ticket": ExpenseCategory.TRAVEL,
    "taxi_receipt": ExpenseCategory.TRANSPORT,
    "toll_receipt": ExpenseCategory.TRANSPORT,
}

_FIELD_LABELS = {
    "issue_date": "issue date",
    "total_amount": "total amount",
    "seller_name": "seller name",
    "invoice_number": "invoice number",
    "invoice_code": "invoice code",
    "seller_tax_id": "seller tax ID",
}


@dataclass(frozen=True)
class Violation:
    code: str
    message: str
    document: int | None = None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def extraction_of(document: Document) -> Extraction | None:
    try:
        return document.extraction
    except ObjectDoesNotExist:
        return None


def effective_category(document: Document) -> str:
    """The chosen category, else one implied by the document type, else 'other'."""
    if document.category:
        return document.category
    extraction = extraction_of(document)
    if extraction is not None:
        return str(_CATEGORY_BY_TYPE.get(extraction.document_type, ExpenseCategory.OTHER))
    return str(ExpenseCategory.OTHER)


def amount_limit(*, category: str, roles: set[str]) -> Decimal | None:
    """The most generous limit among the user's roles; None when unlimited."""
    limits: dict[str, str] = settings.CLAIM_AMOUNT_LIMITS.get(category) or {}
    if not limits:
        return None
    candidates = [Decimal(str(limits[role])) for role in roles if role in limits]
    if not candidates and "*" in limits:
        candidates = [Decimal(str(limits["*"]))]
    return max(candidates) if candidates else None


def check_claim(claim: Claim, *, today: dt.date | None = None) -> list[Violation]:
    documents = list(claim.documents.select_related("extraction").order_by("pk"))
    if not documents:
        return [Violation(EMPTY_CLAIM, "Add at least one document before submitting.")]
    today = today or timezone.localdate()
    roles = user_roles(claim.owner)
    violations: list[Violation] = []
    for document in documents:
        violations.extend(check_document(document, claim=claim, roles=roles, today=today))
    return violations


def check_document(
    document: Document, *, claim: Claim, roles: set[str], today: dt.date
) -> list[Violation]:
    pk = document.pk
    name = document.original_filename or f"document {pk}"
    if document.status in UNUSABLE_STATUSES:
        return [
            Violation(
                DOCUMENT_UNUSABLE,
                f"{name} could not be used ({document.status}); remove it from the claim.",
                pk,
            )
        ]
    extraction = extraction_of(document)
    if document.status not in READY_STATUSES or extraction is None:
        return [
            Violation(
                DOCUMENT_NOT_READY,
                f"{name} is still being processed ({document.status}); wait until its "
                "fields are extracted.",
                pk,
            )
        ]
    out: list[Violation] = []
    if document.duplicate_of_id is not None and not document.duplicate_resolved:
        out.append(
            Violation(
                DUPLICATE_UNRESOLVED,
                f"{name} looks like a duplicate of document {document.duplicate_of_id}; "
                "remove it, or ask finance to confirm it is not a duplicate.",
                pk,
            )
        )
    for field in settings.CLAIM_REQUIRED_FIELDS:
        if getattr(extraction, field, None) in (None, ""):
            label = _FIELD_LABELS.get(field, field.replace("_", " "))
            out.append(Violation(MISSING_FIELD, f"{name}: the {label} is missing.", pk))
    out.extend(_check_date(extraction.issue_date, name=name, pk=pk, today=today))
    currency = extraction.currency or claim.currency
    if currency != claim.currency:
        out.append(
            Violation(
                CURRENCY_MISMATCH,
                f"{name} is in {currency} but the claim is in {claim.currency}.",
                pk,
            )
        )
    elif extraction.total_amount is not None:
        category = effective_category(document)
        limit = amount_limit(category=category, roles=roles)
        if limit is not None and extraction.total_amount > limit:
            out.append(
                Violation(
                    AMOUNT_OVER_LIMIT,
                    f"{name}: {extraction.total_amount} {currency} is over the {category} "
                    f"limit of {limit} {claim.currency}.",
                    pk,
                )
            )
    return out


def _check_date(issued: dt.date | None, *, name: str, pk: int, today: dt.date) -> list[Violation]:
    if issued is None:
        return []
    max_age = settings.CLAIM_MAX_INVOICE_AGE_DAYS
    if issued > today:
        return [Violation(INVOICE_IN_FUTURE, f"{name} is dated in the future ({issued}).", pk)]
    if issued < today - dt.timedelta(days=max_age):
        return [
            Violation(
                INVOICE_TOO_OLD,
                f"{name} was issued on {issued}, more than {max_age} days ago.",
                pk,
            )
        ]
    return []
