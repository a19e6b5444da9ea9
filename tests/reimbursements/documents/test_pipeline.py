"""From a clean document to stored fields. Synthetic invoices are read by the fixture engine
(tests/fixture_engine.py) except where a test is marked ``ocr``: the first test reads one
with the real OCR engine, masking and parsing included."""

from __future__ import annotations

import datetime as dt
import io
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from reimbursements import pipeline, sweeper
from reimbursements.documents import duplicates, engines, lifecycle
from reimbursements.documents.scan import document_scan
from reimbursements.models import Document, Extraction, ScanResult
from synth import generate_document
from tests.conftest import png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EXTRACTION_ENGINE = "ocr"
    cache.clear()


@pytest.fixture(scope="module")
def invoice():
    return generate_document("vat_special", seed=11, photo=False)


def upload(client: APIClient, data: bytes, name: str = "invoice.png") -> int:
    response = client.post(
        "/api/v1/documents/", {"file": SimpleUploadedFile(name, data)}, format="multipart"
    )
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def scan_and_process(document_id: int) -> str:
    document_scan(document_id=document_id)
    return pipeline.document_process(document_id=document_id)


@pytest.mark.ocr
def test_clean_invoice_gets_fields_stored_and_visible_in_the_api(make_user, invoice):
    # Given an uploaded, scanned synthetic 专票
    client = api_for(make_user("employee"))
    document_id = upload(client, invoice.image_bytes)
    # When the pipeline runs
    status = scan_and_process(document_id)
    # Then the key fields are stored as columns and returned by the API
    assert status in {"extracted", "needs_review"}
    extraction = Extraction.objects.get(document_id=document_id)
    truth = invoice.truth["fields"]
    assert extraction.engine == "ocr"
    assert extraction.invoice_number == truth["invoice_number"]
    assert str(extraction.total_amount) == truth["total_amount"]
    assert extraction.seller_tax_id == truth["seller_tax_id"]
    body = client.get(f"/api/v1/documents/{document_id}/").json()
    assert body["extraction"]["fields"]["total_amount"] == truth["total_amount"]
    assert body["extraction"]["confidence"]["total_amount"] > 0.5
    assert body["processing_started_at"] and body["completed_at"]


def test_processing_twice_never_creates_a_second_extraction(make_user, invoice):
    document_id = upload(api_for(make_user("employee")), invoice.image_bytes)
    first = scan_and_process(document_id)
    second = pipeline.document_process(document_id=document_id)
    assert first == second
    assert Extraction.objects.filter(document_id=document_id).count() == 1


def test_a_stored_result_is_finished_after_a_crash_before_the_status_update(make_user, invoice):
    # Given a worker that stored the extraction and died before updating the status
    document_id = upload(api_for(make_user("employee")), invoice.image_bytes)
    scan_and_process(document_id)
    Document.objects.filter(pk=document_id).update(status="processing")
    # When the redelivered task runs, then it finishes without extracting again
    status = pipeline.document_process(document_id=document_id)
    assert status in {"extracted", "needs_review"}
    assert Extraction.objects.filter(document_id=document_id).count() == 1


def test_same_image_again_is_answered_from_the_cache_without_a_worker(make_user, invoice):
    # Given one processed upload
    client = api_for(make_user("employee"))
    scan_and_process(upload(client, invoice.image_bytes))
    # When the same bytes are uploaded again
    started = time.perf_counter()
    response = client.post(
        "/api/v1/documents/",
        {"file": SimpleUploadedFile("again.png", invoice.image_bytes)},
        format="multipart",
    )
    elapsed = time.perf_counter() - started
    # Then the answer already carries the fields, marked as from the cache and a duplicate
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "needs_review"
    assert body["extraction"]["from_cache"] is True
    assert (
        body["extraction"]["fields"]["invoice_number"] == invoice.truth["fields"]["invoice_number"]
    )
    assert body["duplicate_of"] is not None
    assert elapsed < 5  # generous: correctness here, speed in bench/pipeline.py


def test_a_cache_hit_answers_exactly_what_the_api_reads_back(make_user, invoice):
    # Given one processed upload
    client = api_for(make_user("employee"))
    scan_and_process(upload(client, invoice.image_bytes))
    # When the same bytes are uploaded again and the new document is then read back
    answer = client.post(
        "/api/v1/documents/",
        {"file": SimpleUploadedFile("again.png", invoice.image_bytes)},
        format="multipart",
    ).json()
    stored = client.get(f"/api/v1/documents/{answer['id']}/").json()
    # Then the upload's answer (built without reading the rows back) is what was stored
    assert answer == stored


def test_a_cache_hit_is_answered_in_a_handful_of_queries(
    make_user, invoice, django_assert_max_num_queries
):
    # Given one processed upload
    client = api_for(make_user("employee"))
    scan_and_process(upload(client, invoice.image_bytes))
    # When the same bytes are uploaded again / then the fast path stays lean: one query
    # for the scan verdict with the duplicate lookups, one INSERT per table written
    # (document, scan verdict, extraction, both audit rows at once), and (only for an
    # amount over the everyone limit, as here) one for the owner's roles, so the answer
    # says what the expense policy will refuse
    with django_assert_max_num_queries(6):
        response = client.post(
            "/api/v1/documents/",
            {"file": SimpleUploadedFile("again.png", invoice.image_bytes)},
            format="multipart",
        )
    assert response.json()["extraction"]["from_cache"] is True


def test_a_cache_hit_is_built_from_the_new_upload_not_another_employees(make_user, invoice):
    # Given Alice's processed upload of an invoice under her own file name
    alice, bob = make_user("employee"), make_user("employee")
    first = upload(api_for(alice), invoice.image_bytes, name="alice-hotel-shenzhen.png")
    scan_and_process(first)
    # When Bob uploads the same bytes under his name (a browser's fake path included)
    client = api_for(bob)
    response = client.post(
        "/api/v1/documents/",
        {"file": SimpleUploadedFile("C:\\fakepath\\bob-trip.png", invoice.image_bytes)},
        format="multipart",
    )
    # Then the cache answers with Bob's document: his file name, his time, nothing of Alice's
    body = response.json()
    assert response.status_code == 201
    assert body["extraction"]["from_cache"] is True
    assert body["original_filename"] == "bob-trip.png"
    assert "alice" not in response.content.decode()
    document = Document.objects.get(pk=body["id"])
    assert document.owner_id == bob.pk
    assert document.original_filename == "bob-trip.png"
    assert document.created_at > Document.objects.get(pk=first).created_at
    assert client.get(f"/api/v1/documents/{body['id']}/").json() == body


def test_a_cache_hit_reuses_the_masked_copy_of_the_same_bytes(make_user, invoice):
    # Given Alice's processed upload, whose masked copy reviewers see
    first = upload(api_for(make_user("employee")), invoice.image_bytes)
    scan_and_process(first)
    assert Document.objects.get(pk=first).masked_file
    # When Bob's upload of the same bytes is answered from the cache
    bob = api_for(make_user("employee"))
    body = reupload(bob, invoice.image_bytes)
    assert body["extraction"]["from_cache"] is True
    # Then his document has the masked copy too (content of the bytes, not of the upload)
    response = bob.get(f"/api/v1/documents/{body['id']}/file/")
    assert response.status_code == 200
    assert response["X-Document-Copy"] == "masked"


def test_an_upload_answers_exactly_what_the_api_reads_back(make_user, invoice):
    # Given an employee
    client = api_for(make_user("employee"))
    # When a document is uploaded and then read back
    answer = client.post(
        "/api/v1/documents/",
        {"file": SimpleUploadedFile("invoice.png", invoice.image_bytes)},
        format="multipart",
    ).json()
    stored = client.get(f"/api/v1/documents/{answer['id']}/").json()
    # Then the answer matches the stored document (status and timestamps included)
    assert answer == stored


def reupload(client: APIClient, data: bytes) -> dict:
    response = client.post(
        "/api/v1/documents/", {"file": SimpleUploadedFile("again.png", data)}, format="multipart"
    )
    assert response.status_code == 201, response.content
    return dict(response.json())


def test_a_stale_scan_verdict_is_not_reused(make_user, invoice, settings):
    # Given a processed upload whose virus scan is older than SCAN_REUSE_MAX_AGE_S
    client = api_for(make_user("employee"))
    first = upload(client, invoice.image_bytes)
    scan_and_process(first)
    old = timezone.now() - dt.timedelta(seconds=settings.SCAN_REUSE_MAX_AGE_S + 60)
    ScanResult.objects.filter(document_id=first).update(scanned_at=old)
    # When the same bytes are uploaded again
    body = reupload(client, invoice.image_bytes)
    # Then it is scanned and processed afresh instead of answered from the cache
    assert body["status"] == "received"
    assert body["extraction"] is None


def test_a_newer_infected_verdict_on_the_same_bytes_is_not_overruled(make_user, invoice):
    # Given a processed upload, and a later copy of the same bytes that a newer signature
    # database found infected
    client = api_for(make_user("employee"))
    first = upload(client, invoice.image_bytes)
    scan_and_process(first)
    later = Document.objects.get(pk=first)
    later.pk = None
    later.status = Document.Status.INFECTED
    later.save()
    ScanResult.objects.create(
        document=later,
        scanner_version="ClamAV test",
        verdict=ScanResult.Verdict.INFECTED,
        signature="Newer-Signature",
        scanned_at=timezone.now(),
    )
    # When the same bytes are uploaded again
    body = reupload(client, invoice.image_bytes)
    # Then the old clean verdict is not reused: the upload is scanned afresh
    assert body["status"] == "received"
    assert body["extraction"] is None


def test_a_cache_hit_needs_the_original_file_still_stored(make_user, invoice):
    # Given a processed upload whose stored file has since been purged
    client = api_for(make_user("employee"))
    first = upload(client, invoice.image_bytes)
    scan_and_process(first)
    Document.objects.filter(pk=first).update(file="")
    # When the same bytes are uploaded again
    body = reupload(client, invoice.image_bytes)
    # Then nothing points at the missing file: the upload takes the normal path
    assert body["status"] == "received"


def test_a_cache_hit_links_the_earliest_document_with_the_same_business_key(make_user, invoice):
    # Given Alice's invoice, and later Bob's processed photo of the same invoice
    alice, bob = api_for(make_user("employee")), api_for(make_user("employee"))
    earliest = upload(alice, invoice.image_bytes)
    scan_and_process(earliest)
    copy = io.BytesIO()
    Image.open(io.BytesIO(invoice.image_bytes)).convert("RGB").save(copy, "JPEG", quality=95)
    photo = upload(bob, copy.getvalue(), name="copy.jpg")
    scan_and_process(photo)
    key = Extraction.objects.get(document_id=photo).business_key
    assert key and key == Extraction.objects.get(document_id=earliest).business_key
    # When Bob uploads his photo's bytes again
    body = reupload(bob, copy.getvalue())
    # Then the cache answers it and links Alice's document, as the worker's check would
    assert body["extraction"]["from_cache"] is True
    assert body["duplicate_of"] == earliest
    assert duplicates.find_duplicate(business_key=key, sha256="-", before=None) == (
        earliest,
        "business_key",
    )


def test_a_cache_hit_skips_rejected_documents_when_linking_a_duplicate(make_user, invoice):
    # Given a processed upload, and a rejected document with the same bytes before it
    client = api_for(make_user("employee"))
    first = upload(client, invoice.image_bytes)
    scan_and_process(first)
    sha256 = Document.objects.get(pk=first).sha256
    Extraction.objects.filter(document_id=first).update(business_key="")
    rejected = Document.objects.get(pk=first)
    rejected.pk = None
    rejected.status = Document.Status.REJECTED
    rejected.save()
    Document.objects.filter(pk=rejected.pk).update(id=0)  # earlier than every live one
    # When the same bytes are uploaded again
    body = reupload(client, invoice.image_bytes)
    # Then the duplicate link goes to the live original, by its bytes
    assert body["extraction"]["from_cache"] is True
    assert body["duplicate_of"] == first
    assert Document.objects.get(pk=body["id"]).duplicate_reason == "image_hash"
    assert duplicates.find_duplicate(business_key="", sha256=sha256, before=None) == (
        first,
        "image_hash",
    )


def test_new_engine_version_misses_the_cache(make_user, invoice, monkeypatch):
    client = api_for(make_user("employee"))
    scan_and_process(upload(client, invoice.image_bytes))
    real = engines.choose_engine()
    monkeypatch.setattr(
        engines,
        "choose_engine",
        lambda: engines.EngineChoice(real.name, real.queue, real.fingerprint + "-new-prompt"),
    )
    response = client.post(
        "/api/v1/documents/",
        {"file": SimpleUploadedFile("again.png", invoice.image_bytes)},
        format="multipart",
    )
    assert response.json()["status"] == "received"


def test_same_invoice_from_another_employee_is_flagged_as_duplicate(make_user, invoice):
    # Given Alice's processed invoice
    alice, bob = make_user("employee"), make_user("employee")
    first = upload(api_for(alice), invoice.image_bytes)
    scan_and_process(first)
    # When Bob uploads another copy of the same invoice (different bytes, same business key)
    copy = io.BytesIO()
    Image.open(io.BytesIO(invoice.image_bytes)).convert("RGB").save(copy, "JPEG", quality=95)
    second = upload(api_for(bob), copy.getvalue(), name="copy.jpg")
    scan_and_process(second)
    # Then his document links to Alice's and needs review
    document = Document.objects.get(pk=second)
    assert document.duplicate_of_id == first
    assert document.duplicate_reason in {"business_key", "image_hash"}
    assert document.status == "needs_review"


def test_unreadable_stored_file_fails_with_a_reason_and_can_be_retried(make_user, invoice):
    # Given a document whose stored file vanished
    user = make_user("employee")
    client = api_for(user)
    document_id = upload(client, invoice.image_bytes)
    document_scan(document_id=document_id)
    document = Document.objects.get(pk=document_id)
    content = Path(document.file.path).read_bytes()
    Path(document.file.path).unlink()
    # When processing runs, then it fails permanently with a readable reason
    with pytest.raises(pipeline.PermanentProcessingError) as failure:
        pipeline.document_process(document_id=document_id)
    lifecycle.document_fail(document_id=document_id, reason=str(failure.value))
    body = client.get(f"/api/v1/documents/{document_id}/").json()
    assert body["status"] == "failed"
    assert "missing" in body["error"]
    # When the file is back and the owner retries, then it is processed again
    Path(document.file.path).write_bytes(content)
    response = client.post(f"/api/v1/documents/{document_id}/retry/")
    assert response.status_code == 200
    assert response.json()["status"] == "clean"
    assert pipeline.document_process(document_id=document_id) in {"extracted", "needs_review"}


def test_retry_is_refused_for_documents_that_did_not_fail(make_user, invoice):
    client = api_for(make_user("employee"))
    document_id = upload(client, invoice.image_bytes)
    response = client.post(f"/api/v1/documents/{document_id}/retry/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_failed"


def test_sweeper_re_enqueues_only_documents_stuck_past_the_deadline(make_user, invoice, settings):
    # Given one document stuck in 'clean' for an hour and one that just changed
    client = api_for(make_user("employee"))
    stuck, fresh = upload(client, invoice.image_bytes), upload(client, png_bytes())
    settings.SWEEP_STUCK_AFTER_S = 600
    Document.objects.filter(pk=stuck).update(
        status="clean", updated_at=timezone.now() - dt.timedelta(hours=1)
    )
    # When the sweeper runs, then only the stuck one is re-enqueued
    Document.objects.filter(pk=fresh).update(status="clean")
    counts = sweeper.sweep()
    assert counts == {"scan": 0, "process": 1}
