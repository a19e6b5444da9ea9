"""Acknowledge: the accounting side confirms it imported items; claims become exported."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from reimbursements.models import ExportItem
from reimbursements.services import ServiceError
from reimbursements.workflow import claim_mark_exported

ACK_MAX = 1000


@dataclass
class AckOutcome:
    acknowledged: list[str] = field(default_factory=list)
    already_acknowledged: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    exported_claims: list[int] = field(default_factory=list)


@transaction.atomic
def export_items_acknowledge(*, actor: User, keys: list[str]) -> AckOutcome:
    """Idempotent: acknowledging again changes nothing and reports the item as already done."""
    wanted = list(dict.fromkeys(keys))
    if len(wanted) > ACK_MAX:
        raise ServiceError(
            "too_many", gettext("Acknowledge at most %(max)d items at once.") % {"max": ACK_MAX}
        )
    items = {
        item.key: item
        for item in ExportItem.objects.select_for_update().filter(key__in=wanted).order_by("id")
    }
    outcome = AckOutcome()
    now = timezone.now()
    fresh: list[int] = []
    for key in wanted:
        item = items.get(key)
        if item is None:
            outcome.unknown.append(key)
        elif item.acknowledged_at is not None:
            outcome.already_acknowledged.append(key)
        else:
            outcome.acknowledged.append(key)
            fresh.append(item.pk)
    if fresh:
        ExportItem.objects.filter(pk__in=fresh).update(acknowledged_at=now, acknowledged_by=actor)
    # Every touched claim, not only fresh ones: a retry after a crash still finishes it.
    for claim_id in sorted({item.claim_id for item in items.values()}):
        if claim_mark_exported(actor=actor, claim_id=claim_id):
            outcome.exported_claims.append(claim_id)
    return outcome
