"""Multi-currency claims: finance's exchange-rate table, conversion at the invoice date,
totals that never mix currencies, the submit policy, and the export columns."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import cast

import pytest

from reimbursements import currency, workflow
from reimbursements.exports.items import COLUMNS
from reimbursements.exports.voucher import build_vouchers
from reimbursements.models import Claim, ExchangeRate, ExportItem
from tests.reimbursements.factories import ClaimFactory
from tests.reimbursements.workflow_helpers import client_for, days_ago, make_document


def add_rate(user, pair: str, rate: str, date: dt.date, source: str = "PBOC central parity"):
    base, quote = pair.split("/")
    return client_for(user).post(
        "/api/v1/exchange-rates/",
        {
            "from_currency": base,
            "to_currency": quote,
            "rate": rate,
            "date": date.isoformat(),
            "source": source,
        },
        format="json",
    )


def mixed_claim(org, *, myr_date: dt.date | None = None) -> Claim:
    """A CNY claim with a 100.00 CNY invoice and a 47.30 MYR receipt."""
    claim = cast(Claim, ClaimFactory(owner=org.employee, currency="CNY"))
    make_document(org.employee, claim, total="100.00", currency="CNY")
    make_document(
        org.employee,
        claim,
        total="47.30",
        currency="MYR",
        issue_date=myr_date or days_ago(10),
        document_type="receipt",
        seller_name="GOLDEN SPOON SDN. BHD.",
    )
    return claim


def claim_body(user, claim: Claim) -> dict:
    response = client_for(user).get(f"/api/v1/claims/{claim.pk}/")
    assert response.status_code == 200, response.content
    return response.json()


def recompute(claim: Claim) -> Claim:
    workflow.claim_recompute_total(claim=claim)
    claim.refresh_from_db()
    return claim


# --- the rate table ---------------------------------------------------------------------


def test_finance_adds_a_rate_and_everyone_reads_it(org):
    # When finance adds a MYR/CNY rate
    response = add_rate(org.finance, "MYR/CNY", "1.5432", days_ago(30))
    # Then it is stored as a Decimal with its date and source, readable by an employee
    assert response.status_code == 201, response.content
    row = ExchangeRate.objects.get()
    assert row.rate == Decimal("1.5432")
    listed = client_for(org.employee).get("/api/v1/exchange-rates/?from_currency=MYR").json()
    (item,) = listed["results"]
    assert (item["from_currency"], item["to_currency"], item["rate"]) == (
        "MYR",
        "CNY",
        "1.54320000",
    )
    assert (item["date"], item["source"]) == (days_ago(30).isoformat(), "PBOC central parity")


def test_an_employee_cannot_change_rates(org):
    response = add_rate(org.employee, "MYR/CNY", "1.5", days_ago(1))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_finance"
    assert not ExchangeRate.objects.exists()


@pytest.mark.parametrize(
    ("pair", "rate", "code"),
    [
        ("MYR/CNY", "0", "invalid_rate"),
        ("MYR/CNY", "-1.2", "invalid_rate"),
        ("MYR/CNY", "1.123456789", "invalid_rate"),
        ("MYR/CNY", "abc", "invalid_rate"),
        ("XYZ/CNY", "1.2", "invalid_currency"),
        ("CNY/CNY", "1", "same_currency"),
    ],
)
def test_bad_rates_are_refused_with_a_clear_code(org, pair, rate, code):
    response = add_rate(org.finance, pair, rate, days_ago(1))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert not ExchangeRate.objects.exists()


def test_a_second_rate_for_the_same_pair_and_day_conflicts(org):
    assert add_rate(org.finance, "USD/CNY", "7.1", days_ago(2)).status_code == 201
    response = add_rate(org.finance, "USD/CNY", "7.2", days_ago(2))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "rate_exists"


def test_a_source_is_required(org):
    response = add_rate(org.finance, "USD/CNY", "7.1", days_ago(2), source="  ")
    assert response.status_code == 400


# --- conversion -------------------------------------------------------------------------


def test_claim_total_converts_at_the_latest_rate_on_or_before_the_invoice_date(org):
    # Given rates before, on the day before and after the MYR receipt's date
    invoice_day = days_ago(10)
    for days, rate in ((40, "1.4000"), (11, "1.5432"), (5, "1.9000")):
        assert add_rate(org.finance, "MYR/CNY", rate, days_ago(days)).status_code == 201
    claim = mixed_claim(org, myr_date=invoice_day)
    # When the total is computed
    claim = recompute(claim)
    # Then the receipt counts at the rate of 11 days ago: 47.30 x 1.5432 = 72.99336 -> 72.99
    assert claim.total == Decimal("172.99")
    body = claim_body(org.employee, claim)
    foreign = next(c for c in body["conversions"] if c["currency"] == "MYR")
    assert foreign == {
        "document": foreign["document"],
        "amount": "47.30",
        "currency": "MYR",
        "claim_currency": "CNY",
        "rate": "1.5432",
        "rate_date": days_ago(11).isoformat(),
        "rate_source": "PBOC central parity",
        "converted_amount": "72.99",
        "missing_rate": False,
    }


def test_rounding_is_half_up_once_at_the_end():
    # 3 x 0.335 = 1.005: each rounded half-even first would give 3 x 0.34 = 1.02 or
    # 3 x 0.33; summed exactly and rounded half up once, 1.01.
    conversions = [
        currency.Conversion(
            i,
            Decimal("1.00"),
            "USD",
            "CNY",
            dt.date(2026, 1, 1),
            rate=Decimal("0.335"),
            converted=Decimal("0.335"),
        )
        for i in range(3)
    ]
    assert currency.claim_total(conversions) == Decimal("1.01")
    assert currency.round_money(Decimal("0.125")) == Decimal("0.13")


def test_a_document_without_a_rate_is_left_out_of_the_total_never_added_as_is(org):
    # Given a mixed claim and no MYR rate
    claim = recompute(mixed_claim(org))
    # Then the total is the CNY invoice alone, and the receipt shows a missing rate
    assert claim.total == Decimal("100.00")
    body = claim_body(org.employee, claim)
    foreign = next(c for c in body["conversions"] if c["currency"] == "MYR")
    assert (foreign["missing_rate"], foreign["converted_amount"]) == (True, None)


def test_a_rate_dated_after_the_invoice_does_not_apply(org):
    add_rate(org.finance, "MYR/CNY", "1.5", days_ago(3))
    claim = recompute(mixed_claim(org, myr_date=days_ago(10)))
    assert claim.total == Decimal("100.00")


def test_submit_is_blocked_with_a_policy_message_naming_the_missing_rate(org):
    # Given a mixed claim without a MYR/CNY rate
    claim = mixed_claim(org)
    # When the owner submits it
    response = client_for(org.employee).post(f"/api/v1/claims/{claim.pk}/submit/")
    # Then the submit is refused, naming the pair and the date
    assert response.status_code == 400
    (violation,) = response.json()["error"]["details"]["violations"]
    assert violation["code"] == "no_exchange_rate"
    assert "MYR" in violation["message"] and "CNY" in violation["message"]
    assert days_ago(10).isoformat() in violation["message"]
    claim.refresh_from_db()
    assert claim.status == Claim.Status.DRAFT


def test_adding_the_rate_updates_the_draft_total_and_lets_it_submit(org):
    # Given a mixed draft claim blocked by a missing rate
    claim = recompute(mixed_claim(org))
    # When finance adds the rate
    add_rate(org.finance, "MYR/CNY", "1.5432", days_ago(20))
    # Then the stored total follows, and the claim submits
    claim.refresh_from_db()
    assert claim.total == Decimal("172.99")
    response = client_for(org.employee).post(f"/api/v1/claims/{claim.pk}/submit/")
    assert response.status_code == 200, response.content
    assert response.json()["total"] == "172.99"


def test_the_amount_limit_is_checked_on_the_converted_amount(org, settings):
    # Given a meals limit of 500 CNY and a 300 USD receipt at 7.1 (2130 CNY)
    settings.CLAIM_AMOUNT_LIMITS = {"meals": {"*": "500.00"}}
    add_rate(org.finance, "USD/CNY", "7.1", days_ago(30))
    claim = ClaimFactory(owner=org.employee, currency="CNY")
    make_document(org.employee, claim, total="300.00", currency="USD", category="meals")
    # When it is submitted, the limit applies to the CNY amount
    response = client_for(org.employee).post(f"/api/v1/claims/{claim.pk}/submit/")
    assert response.status_code == 400
    codes = [v["code"] for v in response.json()["error"]["details"]["violations"]]
    assert codes == ["amount_over_limit"]


def test_claims_take_any_iso_currency_but_not_made_up_codes(org):
    ok = client_for(org.employee).post(
        "/api/v1/claims/", {"title": "KL trip", "currency": "MYR"}, format="json"
    )
    bad = client_for(org.employee).post(
        "/api/v1/claims/", {"title": "KL trip", "currency": "ABC"}, format="json"
    )
    assert ok.status_code == 201 and ok.json()["currency"] == "MYR"
    assert bad.status_code == 400


# --- export -----------------------------------------------------------------------------


def test_export_items_carry_the_rate_its_date_source_and_converted_amount(org):
    # Given a mixed claim with a rate, approved by manager and finance
    add_rate(org.finance, "MYR/CNY", "1.5432", days_ago(20), source="BNM reference rate")
    claim = mixed_claim(org)
    workflow.claim_submit(actor=org.employee, claim_id=claim.pk)
    workflow.claim_approve(actor=org.manager, claim_id=claim.pk)
    workflow.claim_approve(actor=org.finance, claim_id=claim.pk)
    # When accounting reads the export (JSON and CSV)
    client = client_for(org.finance)
    items = client.get("/api/v1/exports/approved/").json()["items"]
    csv_text = client.get("/api/v1/exports/approved/?format=csv").content.decode("utf-8-sig")
    # Then the MYR item shows its own amount and currency, and the converted amount
    myr = next(i for i in items if i["currency"] == "MYR")
    assert (myr["total_amount"], myr["claim_currency"]) == ("47.30", "CNY")
    assert (myr["exchange_rate"], myr["exchange_rate_date"]) == ("1.5432", days_ago(20).isoformat())
    assert (myr["exchange_rate_source"], myr["amount_in_claim_currency"]) == (
        "BNM reference rate",
        "72.99",
    )
    cny = next(i for i in items if i["currency"] == "CNY")
    assert (cny["exchange_rate"], cny["amount_in_claim_currency"]) == (None, "100.00")
    header = csv_text.splitlines()[0].split(",")
    assert {"exchange_rate", "exchange_rate_source", "amount_in_claim_currency"} <= set(header)
    assert "BNM reference rate" in csv_text
    # And the frozen item does not change when finance adds a newer rate later
    add_rate(org.finance, "MYR/CNY", "2.0", days_ago(15))
    frozen = ExportItem.objects.get(key=f"doc-{myr['document']}").payload
    assert frozen["exchange_rate"] == "1.5432"
    assert set(COLUMNS) >= {"claim_currency", "amount_in_claim_currency"}


def test_finance_staff_can_add_a_rate_in_the_admin_and_bad_ones_are_refused(org):
    # Given a superuser in the admin
    from django.test import Client

    from tests.reimbursements.factories import UserFactory

    admin_user = UserFactory(roles=("finance",), is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(admin_user)
    url = "/admin/reimbursements/exchangerate/add/"
    form = {"from_currency": "MYR", "to_currency": "CNY", "date": days_ago(5).isoformat()}
    # When a rate with a made-up currency is added, the form says so and stores nothing
    bad = browser.post(url, {**form, "from_currency": "QQQ", "rate": "1.5", "source": "BNM"})
    assert bad.status_code == 200 and "ISO 4217" in bad.content.decode()
    assert not ExchangeRate.objects.exists()
    # And a good one is stored through the service (audited)
    good = browser.post(url, {**form, "rate": "1.5432", "source": "BNM"})
    assert good.status_code == 302
    assert ExchangeRate.objects.get().rate == Decimal("1.5432")


def test_the_voucher_books_a_mixed_claim_in_the_claims_currency(org):
    # Given a finance-approved CNY claim with a CNY invoice and a converted MYR receipt
    add_rate(org.finance, "MYR/CNY", "1.5432", days_ago(20))
    claim = mixed_claim(org)
    workflow.claim_submit(actor=org.employee, claim_id=claim.pk)
    workflow.claim_approve(actor=org.manager, claim_id=claim.pk)
    workflow.claim_approve(actor=org.finance, claim_id=claim.pk)
    items = client_for(org.finance).get("/api/v1/exports/approved/").json()["items"]
    # When the voucher is built
    lines = build_vouchers(items)
    # Then it balances in CNY at the converted total, never adding MYR as CNY
    credit = sum(line.credit for line in lines)
    debit = sum(line.debit for line in lines)
    assert credit == debit == Decimal("172.99")
    assert {line.currency for line in lines} == {"CNY"}
