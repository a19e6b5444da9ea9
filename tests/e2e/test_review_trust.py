"""Reviewer trust and everyday use (issue 19): edits shown as evidence, claims an employee
can fix, policies visible early, locked claims read-only, the dashboard on a phone.

Documents are made as the pipeline leaves them (no OCR here); the browser is real.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reimbursements import corrections, workflow
from reimbursements.models import Claim, ScanResult
from tests.reimbursements.factories import ClaimFactory, TeamFactory, UserFactory
from tests.reimbursements.workflow_helpers import days_ago, make_document

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def people(transactional_db: None) -> dict[str, Any]:
    emma = UserFactory(username="emma", first_name="Emma", last_name="Li", roles=("employee",))
    adam = UserFactory(username="adam", first_name="Adam", roles=("employee", "approver"))
    fiona = UserFactory(username="fiona", first_name="Fiona", roles=("employee", "finance"))
    TeamFactory(manager=adam).members.add(emma)
    return {"emma": emma, "adam": adam, "fiona": fiona}


def go(page: Any, route: str) -> None:
    page.goto(f"{page.url.split('#')[0]}#{route}")


def in_viewport(page: Any, selector: str) -> bool:
    return bool(
        page.eval_on_selector(
            selector,
            "el => { const r = el.getBoundingClientRect();"
            " return r.top >= 0 && r.top < window.innerHeight; }",
        )
    )


def edited_claim(people: dict[str, Any]) -> Claim:
    """A submitted claim whose invoice date Emma changed from 2018 to a recent one."""
    claim = ClaimFactory(owner=people["emma"], title="Shanghai trip")
    document = make_document(
        people["emma"],
        claim,
        issue_date=dt.date(2018, 5, 1),
        warnings=[
            {
                "code": "date_too_old",
                "message": "The issue date 2018-05-01 is more than five years ago.",
                "field": "issue_date",
            }
        ],
    )
    corrections.document_correct_field(
        actor=people["emma"],
        document_id=document.pk,
        field="issue_date",
        value=days_ago(3).isoformat(),
    )
    return workflow.claim_submit(actor=people["emma"], claim_id=claim.pk)


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_approver_sees_what_the_employee_changed(open_as, artifacts, people, locale):
    # Given a submitted claim whose date the employee changed from 2018
    claim = edited_claim(people)
    # When the manager opens it on the review screen
    page = open_as("adam", locale=locale)
    go(page, f"/review/{claim.pk}")
    row = page.locator(".field-row[data-field=issue_date]")
    # Then the date is marked edited, shows no confidence, and says what it was read as,
    # by what, who changed it, and the warning the old reading had
    expect(row.get_by_test_id("provenance-issue_date")).to_have_attribute("data-status", "edited")
    expect(row.locator(".confidence")).to_have_count(0)
    evidence = row.get_by_test_id("evidence-issue_date")
    if locale == "zh-CN":
        expect(evidence).to_contain_text("原识别值：2018-05-01（OCR）")
        expect(evidence).to_contain_text("Emma Li 于")
        expect(evidence).to_contain_text("修改前的提示")
    else:
        expect(evidence).to_contain_text("Read as 2018-05-01 (OCR)")
        expect(evidence).to_contain_text("changed by Emma Li")
        expect(evidence).to_contain_text("Before the edit")
    # and the owner is named as people know her
    expect(page.locator(".review-head")).to_contain_text("Emma Li")
    artifacts(page, f"30-review-evidence-{locale}")


def test_a_made_up_value_is_marked_on_the_document_page(open_as, people):
    # Given a document read without a date, to which Emma typed one as printed
    document = make_document(people["emma"], issue_date=None)
    page = open_as("emma", phone=True)
    go(page, f"/documents/{document.pk}")
    row = page.locator(".field-row[data-field=issue_date]")
    row.get_by_role("button", name=re.compile("Edit")).click()
    page.get_by_test_id("edit-issue_date").fill("2026年11月28日")
    page.get_by_test_id("edit-issue_date").press("Enter")
    # Then the value is stored as a date and marked as not on the document
    expect(row.get_by_test_id("value-issue_date")).to_have_text("2026-11-28")
    expect(row.get_by_test_id("evidence-issue_date")).to_contain_text("Not on the document")


def test_e_opens_the_first_field_when_there_is_no_warning(open_as, people):
    # Given a submitted claim without warnings
    claim = ClaimFactory(owner=people["emma"])
    make_document(people["emma"], claim)
    workflow.claim_submit(actor=people["emma"], claim_id=claim.pk)
    page = open_as("adam")
    go(page, f"/review/{claim.pk}")
    page.locator(".field-row").first.wait_for()
    # When the reviewer presses e
    page.keyboard.press("e")
    # Then the first field opens for editing
    expect(page.locator(".field-input")).to_be_focused()


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_an_employee_fixes_a_draft_claim_on_a_phone(open_as, artifacts, people, locale):
    # Given a draft with a recent invoice and one issued 200 days ago, and another draft
    claim = ClaimFactory(owner=people["emma"], title="November")
    keep = make_document(people["emma"], claim)
    old = make_document(people["emma"], claim, issue_date=days_ago(200))
    ClaimFactory(owner=people["emma"], title="December")
    page = open_as("emma", phone=True, locale=locale)
    go(page, f"/claims/{claim.pk}")
    rows = page.locator("[data-testid=claim-docs] .doc-row")
    expect(rows).to_have_count(2)
    # Then the old invoice already says the policy will refuse it, and is not green
    old_row = rows.filter(has_text=old.original_filename)
    expect(old_row.get_by_test_id("doc-policy")).to_have_attribute("class", re.compile("warning"))
    expect(old_row.locator("[data-code=invoice_too_old]")).to_be_visible()
    expect(old_row.locator(".badge")).not_to_have_class(re.compile("tone-ok"))
    # When she submits, the problems are shown where she is
    page.get_by_test_id("submit-claim").click()
    expect(page.get_by_test_id("violations")).to_be_visible()
    page.wait_for_function(
        "() => { const r = document.querySelector('[data-testid=submit-result]')"
        ".getBoundingClientRect(); return r.top >= 0 && r.top < window.innerHeight; }"
    )
    artifacts(page, f"31-submit-problems-phone-{locale}", full_page=False)
    # When she moves the old invoice to the other draft
    old_row.get_by_test_id("move-target").select_option(label="December")
    old_row.get_by_test_id("move-doc").click()
    # Then only the recent one is left here
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(keep.original_filename)
    # When she removes that one too and deletes the draft
    rows.first.get_by_test_id("remove-doc").click()
    expect(page.get_by_test_id("claim-docs")).to_have_count(0)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("delete-claim").click()
    # Then the claim is gone and both documents are hers, unclaimed or in December
    expect(page).to_have_url(re.compile(r"#/claims$"))
    assert not Claim.objects.filter(pk=claim.pk).exists()
    keep.refresh_from_db()
    old.refresh_from_db()
    assert keep.claim_id is None
    assert old.claim.title == "December"


def test_an_admin_who_is_not_an_approver_is_offered_no_decision(open_as, people):
    # Given a submitted claim, and an administrator who approves nothing (the server
    # answers 403 to an approval from them, lists no decision on the claim and no review
    # queue on /me)
    UserFactory(username="ada", first_name="Ada", roles=("admin",))
    claim = edited_claim(people)
    # When the administrator opens its review screen
    page = open_as("ada")
    go(page, f"/review/{claim.pk}")
    # Then the app does not show it (no queue for them) and offers no decision
    expect(page).not_to_have_url(re.compile(r"#/review"))
    expect(page.get_by_test_id("approve")).to_have_count(0)
    # When they open the claim itself
    go(page, f"/claims/{claim.pk}")
    # Then they see it, may comment, and still have no Approve, Return or Reject button
    expect(page.get_by_test_id("claim-status")).to_have_attribute("data-status", "submitted")
    expect(page.get_by_placeholder("Write a comment")).to_be_visible()
    for decision in ("approve", "return", "reject"):
        expect(page.get_by_test_id(decision)).to_have_count(0)
    expect(page.get_by_test_id("submit-claim")).to_have_count(0)


def test_an_approved_claim_looks_locked(open_as, artifacts, people):
    # Given a claim finance approved, with a document that needed review and was not
    # virus-scanned (no scanner configured)
    claim = ClaimFactory(owner=people["emma"])
    document = make_document(people["emma"], claim, status="needs_review")
    ScanResult.objects.create(
        document=document,
        scanner_version="none",
        verdict=ScanResult.Verdict.NOT_SCANNED,
        scanned_at=timezone.now(),
    )
    workflow.claim_submit(actor=people["emma"], claim_id=claim.pk)
    workflow.claim_approve(actor=people["adam"], claim_id=claim.pk)
    workflow.claim_approve(actor=people["fiona"], claim_id=claim.pk)
    # When the owner opens the document
    page = open_as("emma")
    go(page, f"/documents/{document.pk}")
    page.locator(".field-row").first.wait_for()
    # Then no field can be edited, the document says "checked", not "needs review", and
    # the scan step is not green
    expect(page.locator(".field-row button.icon")).to_have_count(0)
    expect(page.locator("header .badge")).to_have_attribute("data-status", "checked")
    scan = page.locator(".steps li[data-step=scan]")
    expect(scan).to_have_text(re.compile("Not virus-scanned"))
    expect(scan).not_to_have_class(re.compile(r"\bdone\b"))
    # and the claim page says it is locked, with no way to change it
    go(page, f"/claims/{claim.pk}")
    expect(page.get_by_test_id("claim-locked")).to_contain_text("locked")
    expect(page.get_by_test_id("remove-doc")).to_have_count(0)
    artifacts(page, "32-locked-claim")


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_dashboard_fits_a_phone_and_filters_on_the_server(open_as, artifacts, people, locale):
    # Given approved meals (100.00) and lodging (300.00)
    for total, category in (("100.00", "meals"), ("300.00", "lodging")):
        claim = ClaimFactory(owner=people["emma"])
        make_document(people["emma"], claim, total=total, category=category)
        workflow.claim_submit(actor=people["emma"], claim_id=claim.pk)
        workflow.claim_approve(actor=people["adam"], claim_id=claim.pk)
        workflow.claim_approve(actor=people["fiona"], claim_id=claim.pk)
    # When finance opens the dashboard on a phone
    page = open_as("fiona", phone=True, locale=locale)
    go(page, "/dashboard")
    # Then the server's total shows and nothing overflows sideways
    expect(page.get_by_test_id("spend-total")).to_have_text("CNY 400.00")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # When she picks lodging only
    page.get_by_test_id("filter-category").select_option("lodging")
    expect(page.get_by_test_id("spend-total")).to_have_text("CNY 300.00")
    artifacts(page, f"33-dashboard-phone-{locale}")
