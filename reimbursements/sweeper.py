"""Re-enqueue documents stuck in a non-terminal state past a deadline.

A broker outage (enqueue failed after commit) or a worker killed mid-task leaves a
document in received/scanning/clean/processing with no message in flight. Tasks are
idempotent, so re-enqueueing one that is in fact still queued costs only a no-op run.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from reimbursements.models import Document

log = logging.getLogger(__name__)


def sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    deadline = now - dt.timedelta(seconds=settings.SWEEP_STUCK_AFTER_S)
    stale = Q(updated_at__lt=deadline)
    counts = {"scan": 0, "process": 0}
    from reimbursements.pipeline import enqueue_processing
    from reimbursements.services import _enqueue_scan

    for document_id in Document.objects.filter(
        stale, status__in=[Document.Status.RECEIVED, Document.Status.SCANNING]
    ).values_list("pk", flat=True)[:500]:
        _enqueue_scan(document_id)
        counts["scan"] += 1
    for document_id in Document.objects.filter(
        stale, status__in=[Document.Status.CLEAN, Document.Status.PROCESSING]
    ).values_list("pk", flat=True)[:500]:
        enqueue_processing(document_id)
        counts["process"] += 1
    if counts["scan"] or counts["process"]:
        log.warning(
            "re-enqueued stuck documents",
            extra={"rescanned": counts["scan"], "reprocessed": counts["process"]},
        )
    return counts
