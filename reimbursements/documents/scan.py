"""The virus scan of one stored document (the ``scan_document`` task's step).

Idempotent: a document past scanning is left alone. Fails closed: a document is never
marked clean without a verdict; while clamd is unavailable the document stays on hold and
``scanning.ScannerUnavailable`` propagates so the task retries.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from reimbursements import heartbeat, scanning
from reimbursements.documents import lifecycle
from reimbursements.models import Document

log = logging.getLogger(__name__)


def document_scan(*, document_id: int) -> str:
    """Scan one stored document with clamd; returns the resulting status."""
    run = lifecycle.document_scan_start(document_id=document_id)
    if isinstance(run, str):
        return run
    with heartbeat.beating(document_id):
        return _scan(run)


def _scan(run: lifecycle.Run) -> str:
    document_id = run.document_id
    if not scanning.scanner_configured() and not settings.SCAN_REQUIRED:
        status = lifecycle.document_scanned_clean(
            document_id=document_id, scanner_version="none", scanned=False
        )
        log.warning(
            "VIRUS SCANNING UNAVAILABLE: document passed through unscanned (dev mode)",
            extra={"document_id": document_id},
        )
        return status
    try:
        with default_storage.open(run.file_name, "rb") as handle:
            data = handle.read()
        outcome = scanning.scan_bytes(data)
    except scanning.TooLargeForScanner as exc:
        return lifecycle.document_scan_refused_too_large(document_id=document_id, detail=str(exc))
    except scanning.ScannerUnavailable as exc:
        # An outage is not the document's fault: this run ended, and does not count.
        Document.objects.filter(pk=document_id, status=Document.Status.SCANNING).update(
            unfinished_attempts=Greatest(F("unfinished_attempts") - 1, 0),
            error=(
                "The virus scanner is unavailable; the scan will be retried automatically "
                f"(attempt {run.attempts}). The document stays on hold until it is scanned."
            ),
            updated_at=timezone.now(),
        )
        log.warning("scanner unavailable: %s", exc, extra={"document_id": document_id})
        raise
    if outcome.infected:
        return lifecycle.document_scanned_infected(
            document_id=document_id,
            scanner_version=outcome.scanner_version,
            signature=outcome.signature,
        )
    return lifecycle.document_scanned_clean(
        document_id=document_id, scanner_version=outcome.scanner_version, scanned=True
    )
