"""Reads for the export API: pages of items in export order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User

from reimbursements.exports.items import COLUMNS
from reimbursements.models import ExportItem, Role
from reimbursements.roles import has_role

EXPORT_PERMISSION = "reimbursements.export_approved"


@dataclass(frozen=True)
class ExportPage:
    items: list[ExportItem]
    position: int  # where the next page starts (the cursor to hand out)
    has_more: bool


def can_export(user: AbstractBaseUser | AnonymousUser) -> bool:
    if not isinstance(user, User) or not user.is_active:
        return False
    return has_role(user, Role.FINANCE) or user.has_perm(EXPORT_PERMISSION)


def export_page(
    *,
    after: int,
    limit: int,
    include_acknowledged: bool = False,
    whole_claims: bool = False,
) -> ExportPage:
    """Items after ``after`` in id order, exactly ``limit`` at most.

    ``whole_claims`` (the voucher layout) adds the rest of the last claim past the limit:
    a voucher page must hold whole claims to balance (debits == credits). Item layouts
    count what they say; the cursor is an item id, so a claim may span two pages.
    Acknowledged items are skipped unless asked for; the position still moves past them.
    """
    queryset = ExportItem.objects.filter(id__gt=after).order_by("id")
    if not include_acknowledged:
        queryset = queryset.filter(acknowledged_at__isnull=True)
    items = list(queryset[: limit + 1])
    has_more = len(items) > limit
    items = items[:limit]
    if whole_claims and has_more and items:
        last = items[-1]
        items.extend(queryset.filter(id__gt=last.pk, claim_id=last.claim_id))
        has_more = queryset.filter(id__gt=items[-1].pk).exists()
    position = items[-1].pk if items else after
    return ExportPage(items=items, position=position, has_more=has_more)


def item_row(item: ExportItem) -> dict[str, Any]:
    """The item in column order (PostgreSQL's jsonb does not keep key order)."""
    payload = dict(item.payload)
    payload["acknowledged_at"] = item.acknowledged_at.isoformat() if item.acknowledged_at else None
    return {column: payload.get(column) for column in COLUMNS}
