"""Personal data through the whole product: masked images, masked fields, clean logs."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from reimbursements.models import AuditEvent, Claim, Document, Extraction
from tests.extraction.test_pii_image import CARD, PHONE, SELLER_USCC, VALID_ID, render_invoice

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
PII = (VALID_ID, CARD, PHONE, VALID_ID[:-1])


def png(image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def processed(make_user, settings, tmp_path: Path, django_capture_on_commit_callbacks):
    """An invoice with an ID number, a bank card and a phone, uploaded and processed,
    with every log line the configured handlers wrote captured as text."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EXTRACTION_ENGINE = "ocr"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    owner = make_user("employee")
    client = APIClient()
    client.force_authenticate(owner)
    stream = io.StringIO()
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    old_stream = handler.setStream(stream)
    root_level = logging.getLogger().level
    logging.getLogger().setLevel(logging.DEBUG)
    data = png(render_invoice())
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/api/v1/documents/",
                {"file": SimpleUploadedFile(f"张三_{VALID_ID}.png", data)},
                format="multipart",
            )
    finally:
        handler.setStream(old_stream)
        logging.getLogger().setLevel(root_level)
    assert response.status_code == 201, response.content
    return {
        "owner": owner,
        "client": client,
        "id": response.json()["id"],
        "data": data,
        "logs": stream.getvalue(),
    }


def test_no_log_line_of_a_whole_upload_contains_personal_numbers(processed):
    logs = processed["logs"]
    assert "document extracted" in logs and "upload accepted" in logs  # the lines exist
    for value in PII:
        assert value not in logs


def test_stored_fields_and_raw_output_are_masked(processed):
    extraction = Extraction.objects.get(document_id=processed["id"])
    stored = str(extraction.fields) + extraction.raw_output + extraction.buyer_tax_id
    for value in PII:
        assert value not in stored
    # Business data stays readable: the company's tax ID is not masked in the OCR text.
    assert SELLER_USCC in extraction.raw_output.replace(" ", "")


def test_reviewers_get_the_masked_copy_and_cannot_open_the_original(processed, make_user):
    finance = APIClient()
    finance.force_authenticate(make_user("employee", "finance"))
    url = f"/api/v1/documents/{processed['id']}/file/"
    masked = finance.get(url)
    assert masked.status_code == 200
    assert masked["X-Document-Copy"] == "masked"
    assert finance.get(url + "?original=1").status_code == 403


def test_original_needs_the_permission_and_every_access_is_audited(processed, make_user):
    # Given an auditor with the dedicated permission
    auditor = make_user("employee", "finance")
    auditor.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
    client = APIClient()
    client.force_authenticate(auditor)
    url = f"/api/v1/documents/{processed['id']}/file/?original=1"
    # When they and the owner open the original
    assert client.get(url)["X-Document-Copy"] == "original"
    assert processed["client"].get(url)["X-Document-Copy"] == "original"
    # Then both accesses are audited with who looked
    actors = set(
        AuditEvent.objects.filter(
            action="document.original_viewed", object_id=str(processed["id"])
        ).values_list("actor__username", flat=True)
    )
    assert actors == {auditor.username, processed["owner"].username}


# --- personal numbers typed by people ---------------------------------------------------


def test_a_file_name_is_stored_and_shown_with_its_personal_numbers_masked(processed):
    # Given an upload named after the ID number it shows (the fixture's "张三_<ID>.png")
    document = Document.objects.get(pk=processed["id"])
    # Then the stored name and the API answer keep only its last four characters
    assert document.original_filename == "张三_**************002X.png"
    body = processed["client"].get(f"/api/v1/documents/{processed['id']}/").json()
    assert body["original_filename"] == document.original_filename


def test_a_cache_hit_masks_the_new_uploads_file_name(processed, make_user):
    # Given a processed upload (its extraction is cached)
    data = processed["data"]
    # When another employee uploads the same bytes named after their phone number
    client = APIClient()
    client.force_authenticate(make_user("employee"))
    response = client.post(
        "/api/v1/documents/",
        {"file": SimpleUploadedFile(f"李四{PHONE}.png", data)},
        format="multipart",
    )
    # Then the cache answers with the name masked
    body = response.json()
    assert body["extraction"]["from_cache"] is True
    assert body["original_filename"] == "李四*******5678.png"
    assert Document.objects.get(pk=body["id"]).original_filename == body["original_filename"]


def test_a_claim_title_is_stored_with_its_personal_numbers_masked(make_user):
    # Given an employee
    client = APIClient()
    client.force_authenticate(make_user("employee"))
    # When they name a claim after a card, then rename it after a phone number
    created = client.post("/api/v1/claims/", {"title": f"差旅 卡{CARD}"}, format="json").json()
    renamed = client.patch(
        f"/api/v1/claims/{created['id']}/", {"title": f"差旅 {PHONE}"}, format="json"
    ).json()
    # Then the claim and its audit trail hold the titles masked
    assert created["title"] == "差旅 卡***************7539"
    assert renamed["title"] == "差旅 *******5678"
    stored = [Claim.objects.get(pk=created["id"]).title] + [
        str(event.after) for event in AuditEvent.objects.filter(object_type="claim")
    ]
    for text in stored:
        assert CARD not in text and PHONE not in text
