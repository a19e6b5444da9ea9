"""Issue 19 items 5 and 8 in a real browser: the inbox badge and the review count in the
nav, deep links through sign-in, finance's exchange-rate page and a mixed-currency claim."""

from __future__ import annotations

import re
from typing import Any, cast

import pytest
from playwright.sync_api import expect

from reimbursements import workflow
from reimbursements.models import Claim
from tests.e2e.conftest import DESKTOP, PASSWORD
from tests.reimbursements.factories import ClaimFactory, TeamFactory, UserFactory
from tests.reimbursements.workflow_helpers import days_ago, make_document

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def people(transactional_db: None) -> dict[str, Any]:
    emma = UserFactory(username="emma", first_name="Emma", roles=("employee",))
    adam = UserFactory(username="adam", first_name="Adam", roles=("employee", "approver"))
    fiona = UserFactory(username="fiona", first_name="Fiona", roles=("finance",))
    TeamFactory(manager=adam).members.add(emma)
    return {"emma": emma, "adam": adam, "fiona": fiona}


def cny_claim(owner: Any, title: str = "Beijing visit") -> Claim:
    claim = cast(Claim, ClaimFactory(owner=owner, title=title, currency="CNY"))
    make_document(owner, claim, total="100.00", currency="CNY")
    return claim


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_a_returned_claim_shows_in_the_inbox_badge_and_opens_the_claim(
    open_as, artifacts, people, phone
):
    # Given emma's submitted claim, returned by her manager with a reason
    claim = cny_claim(people["emma"])
    workflow.claim_submit(actor=people["emma"], claim_id=claim.pk)
    workflow.claim_return(actor=people["adam"], claim_id=claim.pk, comment="Add the taxi receipt")
    # When emma signs in
    page = open_as("emma", phone=phone)
    # Then the nav shows one unread notification
    badge = page.locator("[data-testid=nav-inbox-count]")
    expect(badge).to_have_text("1")
    # And the inbox shows what happened and why
    page.click("[data-testid=nav-inbox]")
    item = page.locator("[data-testid=inbox-item]").first
    expect(item).to_have_attribute("data-kind", "claim_returned")
    expect(item.locator("[data-testid=inbox-open]")).to_contain_text("Beijing visit")
    expect(item.locator("[data-testid=inbox-body]")).to_contain_text("Add the taxi receipt")
    artifacts(page, f"19-5-inbox-{'phone' if phone else 'desktop'}")
    # When she opens it, she is on the claim and the badge is gone
    item.locator("[data-testid=inbox-open]").click()
    page.wait_for_url(re.compile(rf"#/claims/{claim.pk}$"))
    expect(page.locator("[data-testid=claim-total]")).to_be_visible()
    expect(badge).to_have_count(0)
    # And the reason stands at the top of the claim, on screen without scrolling
    note = page.get_by_test_id("claim-return-note")
    expect(note).to_contain_text("Add the taxi receipt")
    expect(note).to_be_in_viewport()


def test_chinese_inbox_and_badge_label(open_as, people):
    claim = cny_claim(people["emma"], title="上海出差")
    workflow.claim_submit(actor=people["emma"], claim_id=claim.pk)
    workflow.claim_reject(actor=people["adam"], claim_id=claim.pk, comment="重复报销")
    page = open_as("emma", locale="zh-CN")
    expect(page.locator("[data-testid=nav-inbox]")).to_contain_text("通知")
    expect(page.locator("[data-testid=nav-inbox-count]")).to_have_attribute("title", "1 条未读")
    page.click("[data-testid=nav-inbox]")
    expect(page.locator("[data-testid=inbox-item]").first).to_contain_text("重复报销")


def test_an_approver_lands_on_the_review_queue_with_the_pending_count(open_as, people):
    # Given two claims of adam's team waiting for him
    for title in ("Trip A", "Trip B"):
        claim = cny_claim(people["emma"], title=title)
        workflow.claim_submit(actor=people["emma"], claim_id=claim.pk)
    # When adam (an employee and an approver) signs in
    page = open_as("adam")
    # Then he lands on the review queue, and the nav counts what waits for him
    page.wait_for_url(re.compile(r"#/review$"))
    expect(page.locator("[data-testid=nav-review-count]")).to_have_text("2")


def test_a_deep_link_survives_sign_in(browser, live_server, people):
    # Given a link to emma's claim, opened while signed out
    claim = cny_claim(people["emma"])
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/#/claims/{claim.pk}")
        # When she signs in on the page it sent her to
        page.wait_for_selector("#username")
        page.fill("#username", "emma")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        # Then she is on that claim, not on the home page
        page.wait_for_url(re.compile(rf"#/claims/{claim.pk}$"))
        expect(page.locator("h1")).to_have_text("Beijing visit")
    finally:
        context.close()


def test_finance_adds_a_rate_and_a_mixed_currency_claim_converts(open_as, artifacts, people):
    # Given emma's CNY claim with a 100.00 CNY invoice and a 47.30 MYR receipt
    claim = cny_claim(people["emma"], title="Kuala Lumpur")
    make_document(
        people["emma"],
        claim,
        total="47.30",
        currency="MYR",
        issue_date=days_ago(10),
        document_type="receipt",
        seller_name="GOLDEN SPOON SDN. BHD.",
    )
    workflow.claim_recompute_total(claim=claim)
    emma = open_as("emma")
    emma.goto(f"{emma.url.split('#')[0]}#/claims/{claim.pk}")
    # Then, without a rate, the MYR receipt is not added to the CNY total and says why
    expect(emma.locator("[data-testid=claim-total]")).to_have_text("CNY 100.00")
    missing = emma.locator("[data-testid=conversion]")
    expect(missing).to_have_attribute("data-missing", "true")
    expect(missing).to_contain_text("MYR 47.30")
    # And the list shows each amount in its own currency
    expect(emma.locator(".doc-list").first).to_contain_text("MYR 47.30")
    expect(emma.locator(".doc-list").first).to_contain_text("CNY 100.00")
    artifacts(emma, "19-8-claim-missing-rate")
    # When finance adds a MYR -> CNY rate on the exchange-rate page
    fiona = open_as("fiona")
    fiona.click("[data-testid=nav-rates]")
    fiona.select_option("[data-testid=rate-from]", "MYR")
    fiona.select_option("[data-testid=rate-to]", "CNY")
    fiona.fill("[data-testid=rate-value]", "1.5432")
    fiona.fill("[data-testid=rate-date]", days_ago(20).isoformat())
    fiona.fill("[data-testid=rate-source]", "BNM reference rate")
    fiona.click("[data-testid=rate-add]")
    row = fiona.locator("[data-testid=rate-row]").first
    expect(row).to_contain_text("1 MYR → CNY")
    expect(row).to_contain_text("1.5432")
    artifacts(fiona, "19-8-rates-page")
    # Then emma's claim converts the receipt at that rate, naming its date and source
    emma.reload()
    expect(emma.locator("[data-testid=claim-total]")).to_have_text("CNY 172.99")
    line = emma.locator("[data-testid=conversion]")
    expect(line).to_have_attribute("data-missing", "false")
    expect(line).to_contain_text("1.5432")
    expect(line).to_contain_text(days_ago(20).isoformat())
    expect(line).to_contain_text("BNM reference rate")
    expect(line).to_contain_text("CNY 72.99")
    expect(emma.locator(".doc-list").first).to_contain_text("MYR 47.30")
    artifacts(emma, "19-8-claim-converted")
    # And once submitted, her manager reviews it with the same conversion shown
    emma.click("[data-testid=submit-claim]")
    expect(emma.locator("[data-testid=claim-status]")).to_have_attribute("data-status", "submitted")
    adam = open_as("adam")
    adam.goto(f"{adam.url.split('#')[0]}#/review/{claim.pk}")
    expect(adam.locator("[data-testid=conversion]")).to_contain_text("BNM reference rate")
    expect(adam.locator(".review-head .total")).to_have_text("CNY 172.99")
