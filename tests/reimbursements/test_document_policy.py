"""Policies visible early: what the claim's policy will refuse shows on the document
before the claim is submitted; the expense category is guessed from what was bought;
the needs-review status says why."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from reimbursements import corrections
from reimbursements.models import Document
from reimbursements.policy import guess_category
from tests.reimbursements.factories import ClaimFactory
from tests.reimbursements.workflow_helpers import days_ago, make_document


def seen(user, document) -> dict:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(f"/api/v1/documents/{document.pk}/")
    assert response.status_code == 200, response.content
    return response.json()


def codes(body: dict) -> list[str]:
    return [v["code"] for v in body["policy"]]


def test_an_invoice_past_the_window_says_so_before_it_is_in_a_claim(org):
    # Given an extracted invoice issued 200 days ago, in no claim yet (window: 180 days)
    document = make_document(org.employee, issue_date=days_ago(200))
    # When the employee looks at it
    body = seen(org.employee, document)
    # Then the policy's refusal is on the document already
    assert codes(body) == ["invoice_too_old"]
    assert "more than 180 days ago" in body["policy"][0]["message"]


def test_an_invoice_in_a_draft_claim_shows_the_claims_refusals(org, settings):
    # Given a meals limit of 50 and a 100.00 meal in a draft claim
    settings.CLAIM_AMOUNT_LIMITS = {"meals": {"*": "50.00"}}
    claim = ClaimFactory(owner=org.employee)
    document = make_document(org.employee, claim, category="meals")
    # Then the document says it is over the limit
    assert codes(seen(org.employee, document)) == ["amount_over_limit"]


def test_an_invoice_within_the_policy_has_nothing_to_say(org):
    # Given a recent, complete invoice
    document = make_document(org.employee)
    # Then its policy list is empty
    assert seen(org.employee, document)["policy"] == []


def test_a_document_still_being_read_has_no_policy_verdict_yet(org):
    # Given a document being processed
    document = make_document(org.employee, status=Document.Status.PROCESSING, extracted=False)
    # Then it has no policy list entries (its status says it is not ready)
    assert seen(org.employee, document)["policy"] == []


def test_editing_the_date_re_runs_the_policy(org):
    # Given an invoice read with a recent date
    document = make_document(org.employee)
    # When the employee changes the date to one three years back
    corrections.document_correct_field(
        actor=org.employee,
        document_id=document.pk,
        field="issue_date",
        value=(dt.date.today() - dt.timedelta(days=1100)).isoformat(),
    )
    # Then the document now says the policy will refuse it
    assert codes(seen(org.employee, document)) == ["invoice_too_old"]


def test_needs_review_says_why(org):
    # Given a document with an arithmetic warning and an unsure seller
    document = make_document(
        org.employee,
        status=Document.Status.NEEDS_REVIEW,
        warnings=[{"code": "amounts_mismatch", "message": "100 + 13 != 120", "field": None}],
    )
    # Then the API gives the reasons a person must look
    reasons = seen(org.employee, document)["extraction"]["review_reasons"]
    assert "warning:amounts_mismatch" in reasons


@pytest.mark.parametrize(
    ("document_type", "seller", "items", "category"),
    [
        ("vat_general", "上海某某管理有限公司", ["*住宿服务*住宿费"], "lodging"),
        ("vat_general", "杭州西湖大酒店有限公司", [], "lodging"),
        ("vat_electronic", "北京某某餐饮管理有限公司", [], "meals"),
        ("vat_general", "杭州西湖大酒店有限公司", ["*餐饮服务*餐费"], "meals"),
        ("vat_general", "某某文化用品有限公司", ["*纸制品*办公用品"], "office"),
        ("receipt", "GOLDEN SPOON RESTAURANT", [], "meals"),
        ("taxi_receipt", "某某出租汽车公司", [], "transport"),
        ("train_ticket", "", [], "travel"),
        ("vat_general", "某某科技有限公司", ["*信息技术服务*技术服务费"], "other"),
    ],
)
def test_the_category_is_guessed_from_what_was_bought(document_type, seller, items, category):
    assert (
        guess_category(document_type=document_type, seller_name=seller, item_names=items)
        == category
    )
