"""A running scan or extraction keeps its document's heartbeat fresh; the sweeper
re-queues a document in flight whose heartbeat stopped (its worker died) within the
short in-flight deadline, and never one whose run is alive, however slow."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from reimbursements import pipeline, scanning, sweeper
from reimbursements.documents.scan import document_scan
from reimbursements.models import Document
from synth import generate_document
from tests.conftest import png_bytes


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, settings) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EXTRACTION_ENGINE = "ocr"
    settings.SWEEP_STUCK_AFTER_S = 600
    settings.SWEEP_INFLIGHT_STUCK_AFTER_S = 30
    settings.LONG_REQUEST_LOCK_DIR = tmp_path / "slots"


def stored_document(user, data: bytes, **columns) -> int:
    client = APIClient()
    client.force_authenticate(user)
    response = client.post(
        "/api/v1/documents/", {"file": SimpleUploadedFile("doc.jpg", data)}, format="multipart"
    )
    assert response.status_code == 201, response.content
    document_id = int(response.json()["id"])
    Document.objects.filter(pk=document_id).update(**columns)
    return document_id


def ago(seconds: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=seconds)


@pytest.mark.django_db
def test_a_document_whose_run_stopped_beating_is_re_queued_within_the_in_flight_deadline(
    make_user,
) -> None:
    # Given a document whose extraction last beat 40 s ago (its worker was killed), last
    # changed well inside the long deadline
    stored_document(make_user("employee"), png_bytes(), status="processing", heartbeat_at=ago(40))
    # When the sweeper runs
    counts = sweeper.sweep()
    # Then its extraction is queued again
    assert counts == {"scan": 0, "process": 1}


@pytest.mark.django_db
def test_a_scan_whose_worker_died_is_re_queued_as_a_scan(make_user) -> None:
    # Given a document whose virus scan last beat 40 s ago
    stored_document(make_user("employee"), png_bytes(), status="scanning", heartbeat_at=ago(40))
    # When the sweeper runs, then it is sent back to the scanner
    assert sweeper.sweep() == {"scan": 1, "process": 0}


@pytest.mark.django_db
def test_a_slow_run_that_still_beats_is_never_re_queued(make_user) -> None:
    # Given a document whose extraction started an hour ago and beat 3 s ago
    stored_document(
        make_user("employee"),
        png_bytes(),
        status="processing",
        heartbeat_at=ago(3),
        processing_started_at=ago(3600),
        updated_at=ago(3600),
    )
    # When the sweeper runs, past even the long deadline
    counts = sweeper.sweep()
    # Then the live run is left alone: no second run of the same document
    assert counts == {"scan": 0, "process": 0}


@pytest.mark.django_db
def test_a_scan_that_ended_in_an_outage_waits_for_its_retry_not_the_sweeper(
    make_user, settings, tmp_path
) -> None:
    # Given a scan that ended because clamd was unreachable (its task retries later)
    document_id = stored_document(make_user("employee"), png_bytes())
    settings.CLAMD_SOCKET = str(tmp_path / "missing.sock")
    with pytest.raises(scanning.ScannerUnavailable):
        document_scan(document_id=document_id)
    # When the sweeper runs a minute later
    counts = sweeper.sweep(now=timezone.now() + dt.timedelta(seconds=60))
    # Then no duplicate scan is queued: the run ended, its heartbeat with it
    assert Document.objects.get(pk=document_id).heartbeat_at is None
    assert counts == {"scan": 0, "process": 0}


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_beats_while_a_slow_extraction_runs_and_stops_when_it_ends(
    make_user, settings
) -> None:
    # Given a clean invoice photo and a heartbeat every 0.2 s
    settings.RUN_HEARTBEAT_S = 0.2
    user = make_user("employee")
    photo = generate_document("vat_special", seed=5, photo=True).image_bytes
    document_id = stored_document(user, photo)
    assert document_scan(document_id=document_id) == "clean"
    # When it is read (OCR on a photo takes seconds here) while another thread watches
    outcome: dict[str, str] = {}

    def read() -> None:
        try:
            outcome["status"] = pipeline.document_process(document_id=document_id)
        finally:
            connection.close()  # this thread's own

    run = threading.Thread(target=read)
    run.start()
    beats = set()
    deadline = time.monotonic() + 120
    while run.is_alive() and time.monotonic() < deadline:
        status, heartbeat_at = Document.objects.values_list("status", "heartbeat_at").get(
            pk=document_id
        )
        if status == "processing" and heartbeat_at is not None:
            beats.add(heartbeat_at)
        time.sleep(0.05)
    run.join(timeout=max(1.0, deadline - time.monotonic()))
    # Then the heartbeat moved on while the run was alive, and is gone once it ended
    assert not run.is_alive()
    assert outcome["status"] in {"extracted", "needs_review"}
    assert len(beats) >= 3, sorted(beats)
    assert Document.objects.get(pk=document_id).heartbeat_at is None
