"""Reads for reviewers: the queue of claims waiting for the requesting user's action."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Prefetch, Q, QuerySet

from reimbursements.models import Claim, Document, Role
from reimbursements.roles import has_role

QUEUE_ORDERINGS = ("created_at", "total", "submitted_at")


def review_queue(*, user: User | AnonymousUser) -> QuerySet[Claim]:
    """Approver: submitted claims of their teams' members; finance: manager-approved ones.

    Never the user's own claims (nobody reviews their own).
    """
    if not user.is_authenticated:
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
