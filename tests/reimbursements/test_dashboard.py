"""The spend dashboard: totals computed by the server from approved items, with filters,
never mixing currencies; and the site's icon."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from reimbursements import workflow
from tests.reimbursements.factories import ClaimFactory
from tests.reimbursements.workflow_helpers import (
    client_for,
    finance_approved_claim,
    make_document,
)

URL = "/api/v1/dashboard/spend/"


def spend(user, **params) -> dict:
    response = client_for(user).get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_finance_sees_approved_spend_by_category_and_month(org):
    # Given approved meals of 2 x 100.00 in March and one lodging of 300.00 in April
    finance_approved_claim(
        org, documents=2, issue_date=dt.date.today().replace(day=1), category="meals"
    )
    finance_approved_claim(org, total="300.00", category="lodging")
    # When finance opens the dashboard
    body = spend(org.finance)
    # Then the totals are computed by the server
    assert (body["currency"], body["total"], body["count"]) == ("CNY", "500.00", 3)
    assert body["by_category"] == [
        {"category": "lodging", "total": "300.00", "count": 1},
        {"category": "meals", "total": "200.00", "count": 2},
    ]
    assert sum(float(m["total"]) for m in body["by_month"]) == 500.0


def test_filters_narrow_the_totals(org):
    # Given an approved meal and an approved lodging
    finance_approved_claim(org, category="meals")
    finance_approved_claim(org, total="300.00", category="lodging")
    # When finance filters on lodging, and on a period before both
    lodging = spend(org.finance, category="lodging")
    nothing = spend(org.finance, date_to="2000-01-01")
    # Then only what matches is counted
    assert (lodging["total"], lodging["count"]) == ("300.00", 1)
    assert (nothing["total"], nothing["by_category"]) == ("0.00", [])


def test_currencies_are_never_added_together(org):
    # Given one CNY and one MYR approved receipt (in claims of their own currency)
    finance_approved_claim(org, category="meals")
    myr = ClaimFactory(owner=org.employee, currency="MYR")
    make_document(org.employee, myr, total="40.00", currency="MYR", category="meals")
    workflow.claim_submit(actor=org.employee, claim_id=myr.pk)
    workflow.claim_approve(actor=org.manager, claim_id=myr.pk)
    workflow.claim_approve(actor=org.finance, claim_id=myr.pk)
    # When finance looks at the MYR spend
    body = spend(org.finance, currency="MYR")
    # Then the totals are the MYR ones, and each currency is listed with its own total
    assert (body["currency"], body["total"]) == ("MYR", "40.00")
    assert {c["currency"]: c["total"] for c in body["currencies"]} == {
        "CNY": "100.00",
        "MYR": "40.00",
    }


def test_an_employee_has_no_dashboard(org):
    response = client_for(org.employee).get(URL)
    assert response.status_code == 403


def test_a_bad_filter_is_a_clear_400(org):
    response = client_for(org.finance).get(
        URL, {"date_from": "2026-05-01", "date_to": "2026-01-01"}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "date_to" in error["details"]["fields"]


def test_the_site_icon_is_served(db):
    response = Client().get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # the ICO header
