"""Reads of the inbox and the badge counts."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet

from reimbursements.models import Notification
from reimbursements.selectors import review_queue


def inbox(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related(
        "actor", "claim", "claim__owner", "document"
    )


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def review_pending_count(*, user: User) -> int:
    return review_queue(user=user).count()
