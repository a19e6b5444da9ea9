"""Field regions on the Django side: stored with the extraction and sent by the API in
the coordinates of the masked page the reviewer sees."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from reimbursements import pipeline
from reimbursements.documents.scan import document_scan
from reimbursements.models import Document
from synth import generate_document
from synth.canvas import recording_text
from tests.reimbursements.workflow_helpers import make_org

# Regions are where RapidOCR read each field on the page: the fixture engine reads none.
pytestmark = [pytest.mark.django_db, pytest.mark.ocr]


@pytest.fixture
def media(tmp_path: Path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EXTRACTION_ENGINE = "ocr"
    cache.clear()


def test_the_document_carries_each_ocr_fields_region_on_the_masked_page(media):
    # Given an uploaded generated invoice, processed by the OCR engine
    org = make_org()
    client = APIClient()
    client.force_authenticate(org.employee)
    with recording_text() as placed:
        generated = generate_document("vat_electronic", seed=3, photo=False)
    total = next(p for p in placed if p.text == f"¥{generated.truth['fields']['total_amount']}")
    doc_id = client.post(
        "/api/v1/documents/",
        {"file": SimpleUploadedFile("a.png", generated.image_bytes)},
        format="multipart",
    ).json()["id"]
    document_scan(document_id=doc_id)
    pipeline.document_process(document_id=doc_id)
    # When its owner reads it
    extraction = client.get(f"/api/v1/documents/{doc_id}/").json()["extraction"]
    # Then only fields OCR read have a region, each on page 0 in fractions of the page
    regions = extraction["regions"]
    assert regions
    for name, region in regions.items():
        assert extraction["sources"][name] == "ocr", name
        assert region["page"] == 0
        x0, y0, x1, y1 = region["box"]
        assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1, name
    # and the total's region holds the printed total on the masked copy reviewers see
    masked = Document.objects.get(pk=doc_id).masked_file
    with masked.open("rb") as handle:
        width, height = Image.open(io.BytesIO(handle.read())).size
    x0, y0, x1, y1 = regions["total_amount"]["box"]
    middle = (total.left + total.width / 2, total.baseline - 0.35 * total.size)
    assert x0 * width <= middle[0] <= x1 * width
    assert y0 * height <= middle[1] <= y1 * height
