"""Each field shows where it came from: uploaded through the web app, read, then edited."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from synth import generate_document
from tests.reimbursements.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TERMINAL_BADGE = ".badge[data-status=extracted], .badge[data-status=needs_review]"


@pytest.fixture
def emma(transactional_db: None) -> Any:
    return UserFactory(username="emma", roles=("employee",))


def test_an_uploaded_invoice_marks_read_fields_and_then_the_edited_one(open_as, artifacts, emma):
    # Given an employee using the web app in Chinese
    page = open_as("emma", locale="zh-CN")
    invoice = generate_document("vat_general", 3)
    # When she uploads an invoice and it has been read
    page.set_input_files(
        "[data-testid=file-input]",
        files=[{"name": "invoice.png", "mimeType": "image/png", "buffer": invoice.image_bytes}],
    )
    item = page.locator("[data-testid=upload-item]")
    item.locator(TERMINAL_BADGE).wait_for(timeout=120_000)
    # Then the total carries a marker from the engine (or the invoice's own QR code), and
    # tapping it names the source
    marker = item.get_by_test_id("provenance-total_amount")
    expect(marker).to_have_attribute("data-status", re.compile(r"^(read|verified)$"))
    expect(marker).to_have_text(re.compile(r"^\s*(已识别|已核验)\s*$"))
    expect(marker).to_have_attribute("title", re.compile(r"^来源：(OCR|二维码)$"))
    marker.click()
    expect(item.get_by_test_id("source-total_amount")).to_have_text(re.compile("^来源："))
    artifacts(page, "20-provenance-read-zh")

    # When she opens the document and changes the seller's name
    item.locator("a.small").click()
    row = page.locator(".field-row[data-field=seller_name]")
    row.locator("button.icon").click()
    page.get_by_test_id("edit-seller_name").fill("上海某某酒店有限公司")
    page.get_by_test_id("edit-seller_name").press("Enter")
    # Then that field is marked edited by the employee, the others keep their marker, and
    # the history names what read the value before
    edited = row.get_by_test_id("provenance-seller_name")
    expect(edited).to_have_attribute("data-status", "edited")
    expect(edited).to_have_text(re.compile(r"^\s*已修改\s*$"))
    expect(edited).to_have_attribute("title", "来源：员工修改")
    total = page.locator(".field-row[data-field=total_amount]")
    expect(total.get_by_test_id("provenance-total_amount")).not_to_have_attribute(
        "data-status", "edited"
    )
    expect(page.get_by_test_id("old-source")).to_have_text(re.compile(r"\((OCR|二维码)\)"))
    artifacts(page, "21-provenance-edited-zh")
