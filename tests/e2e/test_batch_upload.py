"""A zip of e-invoices through the web app: each member becomes a document, shown under
its archive, and read exactly (real Chromium, real clamd, Celery eager)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from reimbursements.models import Document
from tests.extraction.machine.einvoice_files import Spec, einvoice_xml, ofd_package, zip_bytes
from tests.reimbursements.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TERMINAL_BADGE = ".badge[data-status=extracted], .badge[data-status=needs_review]"


@pytest.fixture
def people(transactional_db: None) -> dict[str, Any]:
    return {"emma": UserFactory(username="emma", first_name="Emma", roles=("employee",))}


def test_a_zip_of_einvoices_shows_one_document_per_member(open_as, artifacts, people, settings):
    # Given the tax platform's download: an OFD and an XML of two invoices, zipped
    settings.CLAIM_MAX_INVOICE_AGE_DAYS = 100_000
    archive = zip_bytes(
        {
            "a.ofd": ofd_package(Spec(number="25442000000000000001")),
            "b.xml": einvoice_xml(Spec(number="25442000000000000002")),
        }
    )
    page = open_as("emma", phone=True)
    # When Emma uploads the zip
    page.set_input_files(
        "[data-testid=file-input]",
        files=[{"name": "download.zip", "mimeType": "application/zip", "buffer": archive}],
    )
    # Then the upload says it held two documents, and each is listed and read
    item = page.locator("[data-testid=upload-item]")
    expect(item.get_by_test_id("upload-batch")).to_have_text("2 documents from this archive")
    documents = item.get_by_test_id("upload-doc")
    expect(documents).to_have_count(2)
    for index in range(2):
        documents.nth(index).locator(TERMINAL_BADGE).wait_for(timeout=60_000)
    expect(documents.nth(0)).to_contain_text("a.ofd")
    expect(documents.nth(1).locator("[data-testid=value-total_amount]")).to_have_text("1,348.15")
    artifacts(page, "batch-upload-phone")
    assert Document.objects.filter(owner=people["emma"], batch__isnull=False).count() == 2
