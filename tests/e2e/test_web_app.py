"""The web app end to end, as people use it: real Chromium, real clamd, real OCR."""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.request
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect
from rest_framework.test import APIClient

from reimbursements import workflow
from reimbursements.models import Claim, Document, FieldCorrection
from synth import generate_document
from synth.canvas import recording_text
from tests.e2e.conftest import PASSWORD
from tests.reimbursements.factories import TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TERMINAL_BADGE = ".badge[data-status=extracted], .badge[data-status=needs_review]"
INVOICE = ("vat_general", 3)  # a clean synthetic VAT invoice that OCR reads fully


@pytest.fixture
def people(transactional_db: None) -> dict[str, Any]:
    emma = UserFactory(username="emma", first_name="Emma", last_name="Li", roles=("employee",))
    adam = UserFactory(username="adam", first_name="Adam", roles=("employee", "approver"))
    fiona = UserFactory(username="fiona", first_name="Fiona", roles=("finance",))
    TeamFactory(manager=adam).members.add(emma)
    return {"emma": emma, "adam": adam, "fiona": fiona}


def money(text: str) -> str:
    return f"{Decimal(text):,.2f}"


def upload_via_api(user: Any, data: bytes, name: str) -> Document:
    client = APIClient()
    client.force_authenticate(user)
    response = client.post(
        "/api/v1/documents/",
        {"file": SimpleUploadedFile(name, data, content_type="image/png")},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return Document.objects.get(pk=response.json()["id"])


def api_call(base: str, method: str, path: str, token: str, body: Any = None) -> Any:
    request = urllib.request.Request(
        f"{base}{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def token_for(base: str, username: str) -> str:
    request = urllib.request.Request(
        f"{base}/api/v1/auth/token/",
        method="POST",
        data=json.dumps({"username": username, "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return str(json.loads(response.read())["token"])


def test_employee_uploads_invoices_from_a_phone_and_sees_their_fields(open_as, artifacts, people):
    # Given an employee signed in on a phone
    page = open_as("emma", phone=True)
    # (the picker offers the camera, photos and files: no capture attribute forces the camera)
    file_input = page.locator("[data-testid=file-input]")
    expect(file_input).not_to_have_attribute("capture", re.compile(".*"))
    artifacts(page, "01-employee-upload-phone")
    invoice = generate_document(*INVOICE)
    receipt = generate_document("taxi_receipt", 5)
    # When she picks two documents at once with the camera input
    page.set_input_files(
        "[data-testid=file-input]",
        files=[
            {"name": "invoice.png", "mimeType": "image/png", "buffer": invoice.image_bytes},
            {"name": "taxi.png", "mimeType": "image/png", "buffer": receipt.image_bytes},
        ],
    )
    # Then both are listed, each reaches a finished status, and the invoice's fields show
    items = page.locator("[data-testid=upload-item]")
    expect(items).to_have_count(2)
    for index in range(2):
        items.nth(index).locator(TERMINAL_BADGE).wait_for(timeout=120_000)
    invoice_item = items.filter(has_text="invoice.png")
    total = invoice.truth["fields"]["total_amount"]
    expect(invoice_item.locator("[data-testid=value-total_amount]")).to_have_text(money(total))
    expect(invoice_item.locator("[data-testid=value-seller_name]")).to_have_text(
        invoice.truth["fields"]["seller_name"]
    )
    artifacts(page, "02-employee-fields-phone")
    assert Document.objects.filter(owner=people["emma"]).count() == 2


def test_the_document_page_outlines_fields_and_warns_after_an_inconsistent_edit(
    open_as, artifacts, people
):
    # Given an invoice extracted by OCR, whose extraction says where its total was read
    with recording_text() as placed:
        invoice = generate_document(*INVOICE)
    printed = next(p for p in placed if p.text == f"¥{invoice.truth['fields']['total_amount']}")
    document = upload_via_api(people["emma"], invoice.image_bytes, "invoice.png")
    page = open_as("emma", phone=True)
    # When she opens the document
    page.goto(f"{page.url.split('#')[0]}#/documents/{document.pk}")
    # Then the image shows with the total outlined, highlighted while its row is hovered
    expect(page.get_by_test_id("document-image")).to_be_visible()
    box = page.locator("svg.boxes rect[data-field=total_amount]")
    expect(box).to_have_count(1)
    page.locator(".field-row[data-field=total_amount]").hover()
    expect(box).to_have_class("active")
    # and the outline lies over the printed total, at the size the image is shown
    image = page.get_by_test_id("document-image")
    shown, outline = image.bounding_box(), box.bounding_box()
    assert shown is not None and outline is not None
    natural_width = image.evaluate("img => img.naturalWidth")
    scale = shown["width"] / natural_width
    middle_x = shown["x"] + (printed.left + printed.width / 2) * scale
    middle_y = shown["y"] + (printed.baseline - 0.35 * printed.size) * scale
    assert outline["x"] <= middle_x <= outline["x"] + outline["width"]
    assert outline["y"] <= middle_y <= outline["y"] + outline["height"]
    page.get_by_role("button", name="Rotate right").click()
    page.get_by_role("button", name="Rotate left").click()
    page.get_by_role("button", name="Zoom in").click()
    expect(page.get_by_test_id("zoom-level")).to_have_text("125%")
    page.get_by_role("button", name="Zoom out").click()
    artifacts(page, "10-employee-document-viewer-phone")

    # When she types a total that no longer matches amount + tax
    row = page.locator(".field-row[data-field=total_amount]")
    row.get_by_role("button", name="Edit Total").click()
    page.get_by_test_id("edit-total_amount").fill("999.99")
    page.get_by_test_id("edit-total_amount").press("Enter")
    # Then the value is kept, the cross-checks warn about it, and the correction is listed
    expect(row.get_by_test_id("value-total_amount")).to_have_text("999.99")
    expect(page.get_by_test_id("fields").locator(".warning").first).to_be_visible()
    expect(page.locator(".history")).to_contain_text("999.99")
    artifacts(page, "10b-employee-document-warning-phone")


def test_a_claim_goes_from_upload_through_both_approvals_to_one_export(
    open_as, artifacts, people, live_server, settings
):
    # Given an extracted invoice whose date is just outside the allowed window
    invoice = generate_document(*INVOICE)
    issued = dt.date.fromisoformat(invoice.truth["fields"]["issue_date"])
    settings.CLAIM_MAX_INVOICE_AGE_DAYS = max(1, (dt.date.today() - issued).days - 1)
    document = upload_via_api(people["emma"], invoice.image_bytes, "invoice.png")
    assert document.status in {"extracted", "needs_review"}

    # When the employee groups it into a claim and submits it
    page = open_as("emma", phone=True)
    page.locator(f"[data-doc='{document.pk}'] input[type=checkbox]").check()
    page.get_by_placeholder("New claim title").fill("Qingdao trip")
    page.get_by_test_id("new-claim-from-selection").click()
    page.get_by_test_id("submit-claim").click()
    # Then the policy violation is shown next to a link to the document
    violations = page.get_by_test_id("violations")
    expect(violations).to_contain_text(str(issued))
    artifacts(page, "03-employee-claim-violation-phone")

    # When she corrects the date on the document and submits again
    violations.get_by_role("link").first.click()
    row = page.locator(".field-row[data-field=issue_date]")
    row.get_by_role("button", name="Edit Issue date").click()
    today = dt.date.today().isoformat()
    page.get_by_test_id("edit-issue_date").fill(today)
    page.get_by_test_id("edit-issue_date").press("Enter")
    expect(row.get_by_test_id("value-issue_date")).to_have_text(today)
    page.go_back()
    page.get_by_test_id("submit-claim").click()
    # Then the claim is submitted and its timeline says so
    expect(page.get_by_test_id("claim-status")).to_have_attribute("data-status", "submitted")
    expect(page.get_by_test_id("timeline")).to_contain_text("Submitted")
    artifacts(page, "04-employee-claim-submitted-phone")
    page.get_by_test_id("nav-claims").click()
    expect(page.get_by_role("link", name="Qingdao trip")).to_be_visible()
    artifacts(page, "04b-employee-claims-phone")
    claim = Claim.objects.get(owner=people["emma"])

    # When her manager opens the queue, the claim, and presses "a" then Enter
    page = open_as("adam")
    page.get_by_test_id("nav-review").click()
    expect(page.locator(f"tr[data-claim='{claim.pk}']")).to_be_visible()
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    artifacts(page, "05-approver-queue-help-desktop", full_page=False)
    page.keyboard.press("Escape")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("document-image")).to_be_visible()
    expect(page.locator(".field-row[data-field=total_amount]")).to_be_visible()
    artifacts(page, "06-approver-review-desktop")
    page.keyboard.press("a")
    page.get_by_test_id("decision-comment").fill("Looks right")
    page.get_by_test_id("decision-comment").press("Enter")
    # Then the claim moves on to finance
    expect(page.get_by_test_id("claim-status")).to_have_attribute("data-status", "manager_approved")

    # When finance corrects the seller inline, then bulk-approves from the queue
    page = open_as("fiona")
    page.locator(f"tr[data-claim='{claim.pk}'] a").click()
    seller = page.locator(".field-row[data-field=seller_name]")
    seller.get_by_role("button", name="Edit Seller").click()
    page.get_by_test_id("edit-seller_name").fill("青岛华信医药有限公司")
    page.get_by_test_id("edit-seller_name").press("Enter")
    expect(seller.get_by_test_id("value-seller_name")).to_have_text("青岛华信医药有限公司")
    page.locator(".page-head a", has_text="Back to the queue").click()
    page.locator(f"tr[data-claim='{claim.pk}'] input[type=checkbox]").check()
    page.get_by_test_id("bulk-approve").click()
    page.get_by_test_id("decision-confirm").click()
    # Then the bulk result reports it approved and the queue is empty
    expect(page.get_by_test_id("bulk-result")).to_contain_text("Approved 1 claim(s).")
    expect(page.locator(f"tr[data-claim='{claim.pk}']")).to_have_count(0)
    claim.refresh_from_db()
    assert claim.status == "finance_approved"
    corrected = FieldCorrection.objects.filter(extraction__document=document)
    assert sorted(corrected.values_list("field", "actor__username")) == [
        ("issue_date", "emma"),
        ("seller_name", "fiona"),
    ]

    # When finance opens the dashboard
    page.get_by_test_id("nav-dashboard").click()
    # Then the approved spend includes the invoice
    expect(page.get_by_test_id("spend-total")).to_contain_text(
        money(invoice.truth["fields"]["total_amount"])
    )
    artifacts(page, "07-finance-dashboard-desktop")

    # When the accounting system pulls approved items, acknowledges them, and pulls again
    base = live_server.url
    token = token_for(base, "fiona")
    first = api_call(base, "GET", "/api/v1/exports/approved/?format=json", token)
    mine = [item for item in first["items"] if item["document"] == document.pk]
    # Then the invoice is exported exactly once, and never again after the acknowledgement
    assert len(mine) == 1
    api_call(base, "POST", "/api/v1/exports/acknowledge/", token, {"ids": [mine[0]["id"]]})
    again = api_call(base, "GET", "/api/v1/exports/approved/?format=json", token)
    assert [i for i in again["items"] if i["document"] == document.pk] == []
    history = api_call(
        base, "GET", "/api/v1/exports/approved/?format=json&include_acknowledged=1", token
    )
    assert [i["id"] for i in history["items"] if i["document"] == document.pk] == [mine[0]["id"]]


def test_an_approver_returns_a_claim_by_keyboard_and_the_employee_sees_why(
    open_as, artifacts, people, settings
):
    # Given a submitted claim of a team member
    settings.CLAIM_MAX_INVOICE_AGE_DAYS = 100_000
    invoice = generate_document(*INVOICE)
    document = upload_via_api(people["emma"], invoice.image_bytes, "invoice.png")
    claim = workflow.claim_create(owner=people["emma"], title="Team dinner")
    workflow.claim_add_document(actor=people["emma"], claim_id=claim.pk, document_id=document.pk)
    workflow.claim_submit(actor=people["emma"], claim_id=claim.pk)
    # When her manager opens it from the queue and presses "r" with a comment
    page = open_as("adam")
    page.get_by_test_id("nav-review").click()
    page.locator(f"tr[data-claim='{claim.pk}'] a").click()
    expect(page.get_by_test_id("document-image")).to_be_visible()
    page.keyboard.press("r")
    confirm = page.get_by_test_id("decision-confirm")
    expect(confirm).to_be_disabled()  # a return needs a reason
    page.get_by_test_id("decision-comment").fill("Please attach the hotel bill too")
    artifacts(page, "11-approver-return-dialog-desktop", full_page=False)
    confirm.click()
    expect(page.get_by_test_id("claim-status")).to_have_attribute("data-status", "returned")
    # Then the employee sees the claim returned, with the reason in its timeline
    page = open_as("emma", phone=True)
    page.get_by_test_id("nav-claims").click()
    page.get_by_role("link", name="Team dinner").click()
    expect(page.get_by_test_id("claim-status")).to_have_attribute("data-status", "returned")
    expect(page.get_by_test_id("timeline")).to_contain_text("Please attach the hotel bill too")
    expect(page.get_by_test_id("submit-claim")).to_be_enabled()


def test_a_second_upload_of_an_invoice_links_to_the_first(open_as, artifacts, people):
    # Given an invoice uploaded once
    invoice = generate_document(*INVOICE)
    first = upload_via_api(people["emma"], invoice.image_bytes, "invoice.png")
    page = open_as("emma", phone=True)
    # When the same invoice is uploaded again through the app
    page.set_input_files(
        "[data-testid=file-input]",
        files=[{"name": "again.png", "mimeType": "image/png", "buffer": invoice.image_bytes}],
    )
    item = page.locator("[data-testid=upload-item]")
    item.locator(TERMINAL_BADGE).wait_for(timeout=120_000)
    # Then it is marked as a possible duplicate, linking to the first one
    link = item.get_by_role("link", name=f"#{first.pk}")
    expect(link).to_be_visible()
    link.click()
    expect(page).to_have_url(re.compile(rf"#/documents/{first.pk}$"))


def test_the_app_follows_the_browser_language_and_switches_on_request(open_as, artifacts, people):
    # Given a finance reviewer whose browser prefers Chinese
    page = open_as("fiona", locale="zh-CN")
    # Then the app speaks Chinese
    expect(page.get_by_test_id("nav-review")).to_have_text("审核队列")
    artifacts(page, "08-finance-queue-zh-desktop")
    # When she switches the language
    page.get_by_test_id("lang-toggle").click()
    # Then it speaks English, and keeps the choice after a reload
    expect(page.get_by_test_id("nav-review")).to_have_text("Review queue")
    page.reload()
    expect(page.get_by_test_id("nav-review")).to_have_text("Review queue")


def test_a_banner_warns_when_uploads_are_not_virus_scanned(open_as, artifacts, people, settings):
    # Given a server without a configured virus scanner (dev mode)
    settings.CLAMD_CONFIGURED = False
    # When an employee opens the app
    page = open_as("emma", phone=True)
    # Then a banner says so
    expect(page.get_by_test_id("scan-banner")).to_contain_text("NOT being scanned")
    artifacts(page, "09-employee-no-scanning-banner-phone")
