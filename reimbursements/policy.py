"""Expense policy checked when a claim is submitted.

Pure reads: :func:`check_claim` lists every violation at once (the employee fixes them
all in one go instead of one per submit). The workflow refuses the submit when the list
is not empty. Limits and windows come from settings (see the issue 7 block in base.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from reimbursements.currency import document_conversion
from reimbursements.invoices import extraction_of, invoice_group, invoice_representatives
from reimbursements.models import Claim, Document, ExpenseCategory
from reimbursements.roles import user_roles
from reimbursements.warning_messages import CATEGORY_LABELS, STATUS_LABELS, field_label, label_of

# Violation codes (stable, for the front-end's translations).
EMPTY_CLAIM = "empty_claim"
DOCUMENT_NOT_READY = "document_not_ready"
DOCUMENT_UNUSABLE = "document_unusable"
DUPLICATE_UNRESOLVED = "duplicate_unresolved"
INVOICE_IN_OTHER_CLAIM = "invoice_in_other_claim"
MISSING_FIELD = "missing_field"
INVOICE_TOO_OLD = "invoice_too_old"
INVOICE_IN_FUTURE = "invoice_in_future"
AMOUNT_OVER_LIMIT = "amount_over_limit"
CURRENCY_MISMATCH = "currency_mismatch"  # no longer raised: foreign documents convert
NO_EXCHANGE_RATE = "no_exchange_rate"

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


@dataclass(frozen=True)
class Violation:
    code: str
    message: str
    document: int | None = None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def document_name(document: Document) -> str:
    """How a policy message names a document: its (masked) file name, else its number."""
    return document.original_filename or gettext("document %(id)d") % {"id": document.pk}


# Words that name what was bought, as VAT line items print them (``*住宿服务*住宿费``) and
# as sellers call themselves; checked in this order, line items before the seller.
_CATEGORY_WORDS: tuple[tuple[ExpenseCategory, tuple[str, ...]], ...] = (
    (
        ExpenseCategory.LODGING,
        ("住宿", "酒店", "宾馆", "旅馆", "客栈", "民宿", "hotel", "lodging", "resort"),
    ),
    (
        ExpenseCategory.MEALS,
        ("餐饮", "餐费", "餐厅", "餐馆", "饮食", "酒楼", "快餐", "restaurant", "cafe", "food"),
    ),
    (
        ExpenseCategory.TRAVEL,
        ("机票", "航空", "铁路", "火车", "高铁", "旅客运输", "airline", "flight", "railway"),
    ),
    (
        ExpenseCategory.TRANSPORT,
        ("出租", "打车", "客运", "停车", "通行费", "加油", "汽油", "taxi", "parking", "toll"),
    ),
    (
        ExpenseCategory.OFFICE,
        ("办公", "文具", "打印", "复印", "耗材", "纸品", "stationery", "office"),
    ),
)


def guess_category(*, document_type: str, seller_name: str, item_names: Iterable[str]) -> str:
    """The expense category a document's type, line items or seller imply ('other')."""
    by_type = _CATEGORY_BY_TYPE.get(document_type)
    if by_type is not None:
        return str(by_type)
    for text in (" ".join(item_names), seller_name):
        lowered = text.lower()
        for category, words in _CATEGORY_WORDS:
            if any(word in lowered for word in words):
                return str(category)
    return str(ExpenseCategory.OTHER)


def effective_category(document: Document) -> str:
    """The chosen category, else one implied by the document, else 'other'."""
    if document.category:
        return document.category
    extraction = extraction_of(document)
    if extraction is None:
        return str(ExpenseCategory.OTHER)
    items = (extraction.fields or {}).get("line_items") or []
    return guess_category(
        document_type=extraction.document_type,
        seller_name=extraction.seller_name or "",
        item_names=[str(item.get("name") or "") for item in items if isinstance(item, dict)],
    )


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
        return [Violation(EMPTY_CLAIM, gettext("Add at least one document before submitting."))]
    today = today or timezone.localdate()
    roles = user_roles(claim.owner)
    counted = {document.pk for document in invoice_representatives(documents)}
    violations: list[Violation] = []
    for document in documents:
        violations.extend(
            check_document(
                document, claim=claim, roles=roles, today=today, counted=document.pk in counted
            )
        )
    violations.extend(_claimed_elsewhere(documents, claim=claim))
    return violations


def _claimed_elsewhere(documents: list[Document], *, claim: Claim) -> list[Violation]:
    """Files of the same invoice in another live claim: an invoice is claimed once."""
    by_group: dict[int, Document] = {}
    for document in documents:
        by_group.setdefault(invoice_group(document), document)
    elsewhere = (
        Document.objects.filter(Q(pk__in=by_group) | Q(same_invoice_as__in=by_group))
        .exclude(claim__isnull=True)
        .exclude(claim=claim)
        .exclude(claim__status=Claim.Status.REJECTED)
        .exclude(status__in=[Document.Status.INFECTED, Document.Status.REJECTED])
        .order_by("pk")
        .values_list("pk", "same_invoice_as_id", "claim_id")
    )
    out: list[Violation] = []
    seen: set[int] = set()
    for other_id, root_id, other_claim in elsewhere:
        group = root_id or other_id
        if group in seen:
            continue
        seen.add(group)
        document = by_group[group]
        name = document_name(document)
        out.append(
            Violation(
                INVOICE_IN_OTHER_CLAIM,
                gettext(
                    "%(name)s is the same invoice as document %(other)s in claim %(claim)s; "
                    "an invoice can be claimed only once. Remove it from this claim."
                )
                % {"name": name, "other": other_id, "claim": other_claim},
                document.pk,
            )
        )
    return out


def check_document(
    document: Document,
    *,
    claim: Claim,
    roles: set[str],
    today: dt.date,
    counted: bool = True,
) -> list[Violation]:
    """``counted=False``: another file of the same invoice in this claim is the one whose
    fields count; this one only has to be usable and not a duplicate."""
    pk = document.pk
    name = document_name(document)
    if document.status in UNUSABLE_STATUSES:
        return [
            Violation(
                DOCUMENT_UNUSABLE,
                gettext("%(name)s could not be used (%(status)s); remove it from the claim.")
                % {"name": name, "status": label_of(STATUS_LABELS, document.status)},
                pk,
            )
        ]
    extraction = extraction_of(document)
    if document.status not in READY_STATUSES or extraction is None:
        return [
            Violation(
                DOCUMENT_NOT_READY,
                gettext(
                    "%(name)s is still being processed (%(status)s); wait until its fields "
                    "are extracted."
                )
                % {"name": name, "status": label_of(STATUS_LABELS, document.status)},
                pk,
            )
        ]
    out: list[Violation] = []
    if document.duplicate_of_id is not None and not document.duplicate_resolved:
        out.append(
            Violation(
                DUPLICATE_UNRESOLVED,
                gettext(
                    "%(name)s looks like a duplicate of document %(other)s; remove it, or ask "
                    "finance to confirm it is not a duplicate."
                )
                % {"name": name, "other": document.duplicate_of_id},
                pk,
            )
        )
    if not counted:
        return out
    for field in settings.CLAIM_REQUIRED_FIELDS:
        if getattr(extraction, field, None) in (None, ""):
            out.append(
                Violation(
                    MISSING_FIELD,
                    gettext("%(name)s: the %(field)s is missing.")
                    % {"name": name, "field": field_label(field)},
                    pk,
                )
            )
    out.extend(_check_date(extraction.issue_date, name=name, pk=pk, today=today))
    conversion = document_conversion(document, claim_currency=claim.currency)
    currency = conversion.currency if conversion is not None else claim.currency
    if conversion is not None and conversion.missing_rate:
        out.append(
            Violation(
                NO_EXCHANGE_RATE,
                gettext(
                    "%(name)s is in %(currency)s, and there is no %(currency)s to "
                    "%(claim_currency)s exchange rate dated on or before %(date)s: finance "
                    "adds it under Exchange rates, or change the claim's currency."
                )
                % {
                    "name": name,
                    "currency": currency,
                    "claim_currency": claim.currency,
                    "date": conversion.on.isoformat(),
                },
                pk,
            )
        )
    elif conversion is not None and conversion.converted is not None:
        category = effective_category(document)
        limit = amount_limit(category=category, roles=roles)
        if limit is not None and conversion.converted > limit:
            out.append(
                Violation(
                    AMOUNT_OVER_LIMIT,
                    gettext(
                        "%(name)s: %(amount)s %(currency)s is over the %(category)s limit of "
                        "%(limit)s %(claim_currency)s."
                    )
                    % {
                        "name": name,
                        "amount": extraction.total_amount,
                        "currency": currency,
                        "category": label_of(CATEGORY_LABELS, category),
                        "limit": limit,
                        "claim_currency": claim.currency,
                    },
                    pk,
                )
            )
    return out


def _check_date(issued: dt.date | None, *, name: str, pk: int, today: dt.date) -> list[Violation]:
    if issued is None:
        return []
    max_age = settings.CLAIM_MAX_INVOICE_AGE_DAYS
    if issued > today:
        return [
            Violation(
                INVOICE_IN_FUTURE,
                gettext("%(name)s is dated in the future (%(date)s).")
                % {"name": name, "date": issued.isoformat()},
                pk,
            )
        ]
    if issued < today - dt.timedelta(days=max_age):
        return [
            Violation(
                INVOICE_TOO_OLD,
                gettext("%(name)s was issued on %(date)s, more than %(days)d days ago.")
                % {"name": name, "date": issued.isoformat(), "days": max_age},
                pk,
            )
        ]
    return []


def document_violations(document: Document, *, today: dt.date | None = None) -> list[Violation]:
    """What the claim's policy will say about this document, shown before submitting.

    In a claim, checked against that claim; not in one yet, against a claim in the
    document's own currency. A document still being read has nothing to say yet (its
    status tells); whether it is the invoice's counted file is the claim's question.
    """
    extraction = extraction_of(document)
    if document.status not in READY_STATUSES or extraction is None:
        return []
    claim = document.claim
    if claim is None:
        # Never saved: only its owner and currency are read.
        claim = Claim(owner=document.owner, currency=extraction.currency or "CNY")
    day = today or timezone.localdate()
    # The owner's roles only matter for an amount over the everyone ("*") limit: read
    # them (a query) only then, so answering a document stays lean (a cache hit).
    limits = settings.CLAIM_AMOUNT_LIMITS.get(effective_category(document)) or {}
    found = check_document(document, claim=claim, roles=set(), today=day)
    if (limits and "*" not in limits) or any(v.code == AMOUNT_OVER_LIMIT for v in found):
        found = check_document(document, claim=claim, roles=user_roles(document.owner), today=day)
    return found
