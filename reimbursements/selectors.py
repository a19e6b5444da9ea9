"""Reads. Every query that depends on who is asking goes through here."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Prefetch, Q, QuerySet

from reimbursements.models import AuditEvent, Claim, Document
from reimbursements.roles import Role, has_role, reviews_claims, sees_everything


def _visibility(user: User | AnonymousUser, owner_field: str) -> Q:
    if sees_everything(user):
        return Q()
    condition = Q(**{owner_field: user.pk})
    if has_role(user, Role.APPROVER):
        condition |= Q(**{f"{owner_field}__teams__manager": user.pk})
    return condition


def document_list(*, user: User | AnonymousUser) -> QuerySet[Document]:
    return (
        Document.objects.filter(_visibility(user, "owner"))
        .distinct()
        .select_related("owner", "claim")
        .prefetch_related("scans")
    )


def document_get(*, user: User | AnonymousUser, document_id: int) -> Document:
    """Raises ``Document.DoesNotExist`` for documents the user may not see (-> 404)."""
    return document_list(user=user).get(pk=document_id)


def claim_list(*, user: User | AnonymousUser) -> QuerySet[Claim]:
    return Claim.objects.filter(_visibility(user, "owner")).distinct().select_related("owner")


def claim_get(*, user: User | AnonymousUser, claim_id: int) -> Claim:
    return claim_list(user=user).get(pk=claim_id)


def audit_events_for(*, object_type: str, object_id: int | str) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=object_type, object_id=str(object_id))


# Statuses of a document that still waits for a worker, and of those ahead of it.
_WAITING = (Document.Status.RECEIVED, Document.Status.SCANNING, Document.Status.CLEAN)
_IN_LINE = (*_WAITING, Document.Status.PROCESSING)


def document_queue_position(*, document: Document) -> int | None:
    """How many documents are ahead of this one, while it waits for a worker: those
    uploaded before it (by anyone) that are still waiting or being read. Workers take
    documents in about upload order, so this is the employee's place in line; ``None``
    once its own reading has started or ended. One count on the status index."""
    if document.status not in _WAITING:
        return None
    return Document.objects.filter(status__in=_IN_LINE, pk__lt=document.pk).count()


# --- the review queue -------------------------------------------------------------------

QUEUE_ORDERINGS = ("created_at", "total", "submitted_at")


def review_queue(*, user: User | AnonymousUser) -> QuerySet[Claim]:
    """Approver: submitted claims of their teams' members; finance: manager-approved ones.

    Never the user's own claims (nobody reviews their own).
    """
    if not user.is_authenticated or not reviews_claims(user):
        return Claim.objects.none()
    waiting: list[Q] = []
    if has_role(user, Role.APPROVER):
        waiting.append(Q(status=Claim.Status.SUBMITTED, owner__teams__manager=user.pk))
    if has_role(user, Role.FINANCE):
        waiting.append(Q(status=Claim.Status.MANAGER_APPROVED))
    if not waiting:
        return Claim.objects.none()
    condition = waiting[0]
    for extra in waiting[1:]:
        condition |= extra
    # A subquery instead of .distinct(): the team join may repeat a claim.
    ids = Claim.objects.filter(condition).exclude(owner=user.pk).values("pk")
    return Claim.objects.filter(pk__in=ids).select_related("owner")


def filter_queue(
    queryset: QuerySet[Claim],
    *,
    statuses: list[str] | None = None,
    owner: str | None = None,
    owner_id: int | None = None,
    search: str | None = None,
    ordering: str | None = None,
) -> QuerySet[Claim]:
    """``owner`` matches a username; ``owner_id`` (the same text read as an id) an id."""
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    if owner:
        by_owner = Q(owner__username=owner)
        if owner_id is not None:
            by_owner |= Q(owner_id=owner_id)
        queryset = queryset.filter(by_owner)
    if search:
        matches = Claim.objects.filter(
            Q(title__icontains=search)
            | Q(owner__username__icontains=search)
            | Q(owner__first_name__icontains=search)
            | Q(owner__last_name__icontains=search)
            | Q(documents__extraction__seller_name__icontains=search)
        ).values("pk")
        queryset = queryset.filter(pk__in=matches)
    key = ordering or "submitted_at"
    if key.lstrip("-") not in QUEUE_ORDERINGS:
        raise ValueError(f"ordering must be one of {QUEUE_ORDERINGS}, optionally with '-'")
    tie = "-pk" if key.startswith("-") else "pk"
    documents = Document.objects.select_related("extraction").prefetch_related("scans")
    return queryset.order_by(key, tie).prefetch_related(Prefetch("documents", queryset=documents))
