"""Re-enqueue documents stuck in a non-terminal state past a deadline.

A broker outage (enqueue failed after commit) or a worker killed mid-task leaves a
document in received/scanning/clean/processing with no message in flight. Tasks are
idempotent, so re-enqueueing one that is in fact still queued costs only a no-op run.

Two deadlines: a document scanning/processing whose run's heartbeat stopped
(``reimbursements.heartbeat``) lost its worker and is re-queued after
``SWEEP_INFLIGHT_STUCK_AFTER_S``; anything else waits ``SWEEP_STUCK_AFTER_S``, so a
queue backlog (documents waiting in received/clean) is not flooded with duplicate
messages. A document whose heartbeat is fresh is never re-queued: its run is alive.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from reimbursements.documents.lifecycle import enqueue_processing, enqueue_scan
from reimbursements.models import Document

log = logging.getLogger(__name__)


def sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    deadline = now - dt.timedelta(seconds=settings.SWEEP_STUCK_AFTER_S)
    heartbeat_deadline = now - dt.timedelta(seconds=settings.SWEEP_INFLIGHT_STUCK_AFTER_S)
    in_flight = [Document.Status.SCANNING, Document.Status.PROCESSING]
    worker_died = Q(status__in=in_flight, heartbeat_at__lt=heartbeat_deadline)
    # A NULL heartbeat (no run in progress: queued, or waiting for a retry) is not alive.
    alive = Q(heartbeat_at__gte=heartbeat_deadline)
    stale = worker_died | (Q(updated_at__lt=deadline) & ~alive)
    counts = {"scan": 0, "process": 0}
    for document_id in Document.objects.filter(
        stale, status__in=[Document.Status.RECEIVED, Document.Status.SCANNING]
    ).values_list("pk", flat=True)[:500]:
        enqueue_scan(document_id)
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
