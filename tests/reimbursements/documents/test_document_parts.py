"""A photo of several documents side by side becomes one document per part, each read,
checked for duplicates and claimed on its own; the upload keeps the photo."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from reimbursements import pipeline
from reimbursements.documents.scan import document_scan
from reimbursements.models import Document, Extraction, ScanResult
from synth import generate_document
from synth.table import generate_table_photo
from tests.reimbursements.factories import ClaimFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EXTRACTION_ENGINE = "ocr"
    cache.clear()


@pytest.fixture(scope="module")
def two_tickets():
    return generate_table_photo(seed=4, count=2)


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def upload(client: APIClient, data: bytes, **extra) -> dict:
    response = client.post(
        "/api/v1/documents/",
        {"file": SimpleUploadedFile("table.jpg", data), **extra},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return response.json()


def scan_and_process(document_id: int) -> str:
    document_scan(document_id=document_id)
    return pipeline.document_process(document_id=document_id)


def test_a_photo_of_two_tickets_becomes_two_documents_linked_to_the_upload(make_user, two_tickets):
    # Given an employee's photo of two documents side by side, uploaded into a claim
    user = make_user("employee")
    client = api_for(user)
    claim = ClaimFactory(owner=user)
    answer = upload(client, two_tickets.jpeg, claim=claim.pk)
    assert answer["parts"] == [] and answer["parent"] is None
    # When the worker reads it
    status = scan_and_process(answer["id"])
    # Then the upload keeps the photo and ends split, its claim left to its parts
    assert status == "split"
    photo = Document.objects.get(pk=answer["id"])
    assert photo.file and photo.claim_id is None
    assert not Extraction.objects.filter(document=photo).exists()
    # and each part is a clean document of its own, in the claim, linked to the photo
    parts = list(photo.parts.order_by("part_index"))
    assert [p.part_index for p in parts] == [1, 2]
    for part, truth in zip(parts, two_tickets.parts, strict=True):
        assert part.owner_id == user.pk and part.claim_id == claim.pk
        assert part.status == Document.Status.CLEAN and part.mime_type == "image/jpeg"
        assert part.file and part.file.name != photo.file.name
        x0, _, x1, _ = truth.box
        assert part.region is not None
        assert abs(part.region[0] - x0) < 25 and abs(part.region[2] - x1) < 25
        assert ScanResult.objects.get(document=part).verdict == photo.scans.get().verdict
    # and the API shows the parts on the photo, and the photo on each part
    body = client.get(f"/api/v1/documents/{photo.pk}/").json()
    assert body["status"] == "split"
    assert [(p["id"], p["part_index"]) for p in body["parts"]] == [
        (p.pk, p.part_index) for p in parts
    ]
    assert body["parts"][0]["region"] == parts[0].region
    part_body = client.get(f"/api/v1/documents/{parts[0].pk}/").json()
    assert part_body["parent"] == photo.pk and part_body["part_index"] == 1
    assert part_body["region"] == parts[0].region and part_body["parts"] == []
    # When each part is read
    for part, truth in zip(parts, two_tickets.parts, strict=True):
        assert pipeline.document_process(document_id=part.pk) in {"extracted", "needs_review"}
        # Then it has its own total, never split again
        extraction = Extraction.objects.get(document=part)
        assert extraction.total_amount == Decimal(truth.truth["fields"]["total_amount"])
    assert Document.objects.filter(parent__in=parts).count() == 0


def test_each_part_is_checked_for_duplicates_on_its_own(make_user, two_tickets):
    # Given the photo read once by one employee
    first = upload(api_for(make_user("employee")), two_tickets.jpeg)
    scan_and_process(first["id"])
    first_parts = list(Document.objects.filter(parent_id=first["id"]).order_by("part_index"))
    for part in first_parts:
        pipeline.document_process(document_id=part.pk)
    # When another employee uploads the same photo
    second = upload(api_for(make_user("employee")), two_tickets.jpeg)
    assert scan_and_process(second["id"]) == "split"
    second_parts = list(Document.objects.filter(parent_id=second["id"]).order_by("part_index"))
    for part in second_parts:
        pipeline.document_process(document_id=part.pk)
    # Then each part is flagged as a duplicate of the same part before
    for earlier, later in zip(first_parts, second_parts, strict=True):
        later.refresh_from_db()
        assert later.duplicate_of_id == earlier.pk
        assert later.status == Document.Status.NEEDS_REVIEW


def test_a_photo_of_one_document_is_read_as_before(make_user):
    # Given a phone photo of a single ticket on a table
    single = generate_document("taxi_receipt", seed=2, photo=True)
    answer = upload(api_for(make_user("employee")), single.image_bytes)
    # When the worker reads it / Then it is one document with its fields and no parts
    assert scan_and_process(answer["id"]) in {"extracted", "needs_review"}
    assert not Document.objects.filter(parent_id=answer["id"]).exists()
    extraction = Extraction.objects.get(document_id=answer["id"])
    assert str(extraction.total_amount) == single.truth["fields"]["total_amount"]


def test_the_split_photo_itself_cannot_be_claimed(make_user, two_tickets):
    # Given a photo that was split into its parts
    user = make_user("employee")
    client = api_for(user)
    answer = upload(client, two_tickets.jpeg)
    scan_and_process(answer["id"])
    claim = ClaimFactory(owner=user)
    # When the employee adds the photo itself to a claim
    response = client.post(
        f"/api/v1/claims/{claim.pk}/documents/", {"document": answer["id"]}, format="json"
    )
    # Then it is refused, naming what to do; a part can be added
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "document_split"
    part = Document.objects.filter(parent_id=answer["id"]).first()
    assert part is not None
    added = client.post(
        f"/api/v1/claims/{claim.pk}/documents/", {"document": part.pk}, format="json"
    )
    assert added.status_code in {200, 201}, added.content
