"""A scan or an extraction that never finishes is not retried forever: after
MAX_UNFINISHED_ATTEMPTS the document fails with a reason, and a manual retry starts over."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from reimbursements import pipeline, scanning
from reimbursements.documents import lifecycle
from reimbursements.documents.scan import document_scan
from reimbursements.models import Document
from synth import generate_document
from tests.celery_worker import running_worker
from tests.conftest import png_bytes


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, settings) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EXTRACTION_ENGINE = "ocr"
    settings.LONG_REQUEST_LOCK_DIR = tmp_path / "slots"


def upload(user, data: bytes) -> tuple[APIClient, int]:
    client = APIClient()
    client.force_authenticate(user)
    response = client.post(
        "/api/v1/documents/", {"file": SimpleUploadedFile("doc.png", data)}, format="multipart"
    )
    assert response.status_code == 201, response.content
    return client, int(response.json()["id"])


@pytest.mark.django_db
def test_a_scan_that_never_finished_three_times_fails_and_a_retry_scans_again(make_user) -> None:
    # Given a document whose scan started three times and never ended (worker killed)
    client, document_id = upload(make_user("employee"), png_bytes())
    Document.objects.filter(pk=document_id).update(status="scanning", unfinished_attempts=3)
    # When the scan is delivered once more
    status = document_scan(document_id=document_id)
    # Then the document fails with a reason a person can act on, unscanned
    document = Document.objects.get(pk=document_id)
    assert status == "failed"
    assert "virus scan started 3 times and never finished" in document.error
    assert document.scanned_at is None
    # And a manual retry sends it back to the scanner, never straight to extraction
    response = client.post(f"/api/v1/documents/{document_id}/retry/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "received"
    assert document_scan(document_id=document_id) == "clean"
    assert Document.objects.get(pk=document_id).unfinished_attempts == 0


@pytest.mark.django_db
def test_a_scanner_outage_never_counts_against_the_document(make_user, settings, tmp_path) -> None:
    # Given clamd unreachable
    _, document_id = upload(make_user("employee"), png_bytes())
    settings.CLAMD_SOCKET = str(tmp_path / "missing.sock")
    # When the scan is tried five times
    for _ in range(5):
        with pytest.raises(scanning.ScannerUnavailable):
            document_scan(document_id=document_id)
    # Then the document still waits for the scanner (fail closed), not failed
    document = Document.objects.get(pk=document_id)
    assert document.status == "scanning"
    assert document.scan_attempts == 5 and document.unfinished_attempts == 0


@pytest.mark.django_db
def test_a_finished_extraction_starts_the_next_retry_from_zero(make_user) -> None:
    # Given a clean document with two extraction runs lost earlier
    _, document_id = upload(make_user("employee"), generate_document("receipt", seed=3).image_bytes)
    document_scan(document_id=document_id)
    Document.objects.filter(pk=document_id).update(unfinished_attempts=2)
    # When a third run finishes
    status = pipeline.document_process(document_id=document_id)
    # Then the document is extracted and nothing is left counted
    assert status in {"extracted", "needs_review"}
    assert Document.objects.get(pk=document_id).unfinished_attempts == 0


def pool_processes(worker_pid: int) -> list[int]:
    children = Path(f"/proc/{worker_pid}/task/{worker_pid}/children").read_text()
    return [int(pid) for pid in children.split()]


@pytest.mark.slow
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_extraction_whose_worker_is_killed_every_time_fails_after_three_runs(
    make_user, tmp_path
) -> None:
    # Given a clean invoice and a real worker (Redis requeues a message whose worker died)
    _, document_id = upload(
        make_user("employee"), generate_document("vat_special", seed=11, photo=False).image_bytes
    )
    assert document_scan(document_id=document_id) == "clean"
    with running_worker(
        queues="cpu", log_path=tmp_path / "worker.log", EXTRACTION_ENGINE="ocr"
    ) as worker:
        lifecycle.enqueue_processing(document_id)
        # When its pool process is killed in the middle of every run
        killed_runs = 0
        deadline = time.monotonic() + 180
        document = Document.objects.get(pk=document_id)
        while document.status != "failed" and time.monotonic() < deadline:
            if document.status == "processing" and document.process_attempts > killed_runs:
                for pid in pool_processes(worker.pid):
                    os.kill(pid, signal.SIGKILL)
                killed_runs = document.process_attempts
            time.sleep(0.2)
            document = Document.objects.get(pk=document_id)
    # Then after three runs that never finished it fails, with a reason, for good
    assert document.status == "failed", (document.process_attempts, document.unfinished_attempts)
    assert "started 3 times and never finished" in document.error
    assert document.process_attempts == killed_runs == 3
