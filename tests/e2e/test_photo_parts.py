"""A photo of two tickets side by side through the web app: the upload says two documents
were found and shows each as a document of its own, read and editable (real Chromium,
real clamd, Celery eager)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from reimbursements.models import Document
from synth.table import generate_table_photo
from tests.reimbursements.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TERMINAL_BADGE = ".badge[data-status=extracted], .badge[data-status=needs_review]"


@pytest.fixture
def people(transactional_db: None) -> dict[str, Any]:
    return {"emma": UserFactory(username="emma", first_name="Emma", roles=("employee",))}


def test_a_photo_of_two_tickets_shows_two_documents_found(open_as, artifacts, people, settings):
    # Given a phone photo of two documents side by side on a table
    settings.EXTRACTION_ENGINE = "ocr"
    shot = generate_table_photo(seed=4, count=2)
    page = open_as("emma", phone=True)
    # When Emma uploads it
    page.set_input_files(
        "[data-testid=file-input]",
        files=[{"name": "tickets.jpg", "mimeType": "image/jpeg", "buffer": shot.jpeg}],
    )
    # Then the upload says two documents were found, and each is read on its own
    item = page.locator("[data-testid=upload-item]")
    expect(item.get_by_test_id("upload-parts")).to_have_text(
        "2 documents found in this photo", timeout=120_000
    )
    documents = item.get_by_test_id("upload-doc")
    expect(documents).to_have_count(2)
    for index, part in enumerate(shot.parts):
        documents.nth(index).locator(TERMINAL_BADGE).wait_for(timeout=120_000)
        total = documents.nth(index).locator("[data-testid=value-total_amount]")
        expect(total).to_contain_text(part.truth["fields"]["total_amount"].split(".")[0])
    artifacts(page, "photo-parts-phone")
    photo = Document.objects.get(owner=people["emma"], parent__isnull=True)
    assert photo.status == Document.Status.SPLIT
    assert photo.parts.count() == 2
