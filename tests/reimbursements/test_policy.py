"""Submit-time expense policy: one test per rule, on real rows in PostgreSQL."""

from __future__ import annotations

import pytest

from reimbursements import policy
from reimbursements.models import Document
from tests.reimbursements.factories import ClaimFactory, UserFactory
from tests.reimbursements.workflow_helpers import days_ago, make_claim, make_document

pytestmark = pytest.mark.django_db


def codes(claim) -> list[str]:
    return [v.code for v in policy.check_claim(claim)]


@pytest.fixture
def employee():
    return UserFactory(roles=("employee",))


def test_a_clean_claim_has_no_violations(employee):
    # Given a claim with one recent, complete, extracted invoice under the limit
    claim = make_claim(employee)
    # Then the policy finds nothing
    assert policy.check_claim(claim) == []


def test_an_empty_claim_cannot_be_submitted(employee):
    # Given a claim without documents
    claim = ClaimFactory(owner=employee)
    # Then the policy says so, without pointing at a document
    (violation,) = policy.check_claim(claim)
    assert (violation.code, violation.document) == ("empty_claim", None)


def test_a_document_still_processing_blocks_submit(employee):
    # Given a document that is still being read
    claim = ClaimFactory(owner=employee)
    document = make_document(employee, claim, status=Document.Status.PROCESSING, extracted=False)
    # Then it is reported as not ready, pointing at that document
    (violation,) = policy.check_claim(claim)
    assert (violation.code, violation.document) == ("document_not_ready", document.pk)


def test_a_failed_document_blocks_submit(employee):
    # Given a document whose extraction failed
    claim = ClaimFactory(owner=employee)
    make_document(employee, claim, status=Document.Status.FAILED, extracted=False)
    # Then it must be removed first
    assert codes(claim) == ["document_unusable"]


def test_an_unresolved_duplicate_blocks_submit(employee):
    # Given a document flagged as a duplicate of an earlier upload
    original = make_document(employee)
    claim = ClaimFactory(owner=employee)
    duplicate = make_document(employee, claim)
    Document.objects.filter(pk=duplicate.pk).update(duplicate_of=original)
    # Then the claim cannot be submitted
    assert codes(claim) == ["duplicate_unresolved"]


def test_a_resolved_duplicate_no_longer_blocks_submit(employee):
    # Given a duplicate flag that finance marked resolved
    original = make_document(employee)
    claim = ClaimFactory(owner=employee)
    duplicate = make_document(employee, claim)
    Document.objects.filter(pk=duplicate.pk).update(duplicate_of=original, duplicate_resolved=True)
    # Then it passes
    assert codes(claim) == []


@pytest.mark.parametrize("field", ["issue_date", "total_amount", "seller_name"])
def test_a_missing_required_field_blocks_submit(employee, field):
    # Given an invoice where one required field was not found
    kwargs = {
        "issue_date": {"issue_date": None},
        "total_amount": {"total": None},
        "seller_name": {"seller_name": None},
    }[field]
    claim = make_claim(employee, **kwargs)
    # Then exactly that field is reported missing
    (violation,) = policy.check_claim(claim)
    assert violation.code == "missing_field"
    assert field.split("_")[0] in violation.message


def test_an_invoice_older_than_the_window_blocks_submit(employee):
    # Given an invoice issued 181 days ago (default window 180)
    claim = make_claim(employee, issue_date=days_ago(181))
    # Then it is too old
    assert codes(claim) == ["invoice_too_old"]


def test_an_invoice_exactly_at_the_window_edge_passes(employee):
    # Given an invoice issued exactly 180 days ago
    claim = make_claim(employee, issue_date=days_ago(180))
    # Then it is still inside the window
    assert codes(claim) == []


def test_the_invoice_window_is_configurable(employee, settings):
    # Given a 30-day window
    settings.CLAIM_MAX_INVOICE_AGE_DAYS = 30
    claim = make_claim(employee, issue_date=days_ago(31))
    # Then a 31-day-old invoice is too old
    assert codes(claim) == ["invoice_too_old"]


def test_an_invoice_dated_in_the_future_blocks_submit(employee):
    # Given an invoice dated tomorrow
    claim = make_claim(employee, issue_date=days_ago(-1))
    # Then it is refused
    assert codes(claim) == ["invoice_in_future"]


def test_an_amount_over_the_category_limit_for_the_role_blocks_submit(employee):
    # Given a 600.00 meal for an employee (default meals limit 500.00)
    claim = make_claim(employee, total="600.00", category="meals")
    # Then it is over the limit
    (violation,) = policy.check_claim(claim)
    assert violation.code == "amount_over_limit"
    assert "500.00" in violation.message


def test_a_more_senior_role_gets_its_higher_limit():
    # Given the same 600.00 meal claimed by an approver (default limit 1000.00)
    approver = UserFactory(roles=("employee", "approver"))
    claim = make_claim(approver, total="600.00", category="meals")
    # Then it passes
    assert codes(claim) == []


def test_limits_come_from_settings(employee, settings):
    # Given a configured office limit of 50.00 for everyone
    settings.CLAIM_AMOUNT_LIMITS = {"office": {"*": "50.00"}}
    claim = make_claim(employee, total="50.01", category="office")
    # Then 50.01 is over it
    assert codes(claim) == ["amount_over_limit"]


def test_the_category_defaults_from_the_document_type(employee, settings):
    # Given a train ticket with no category chosen, and a travel limit of 100.00
    settings.CLAIM_AMOUNT_LIMITS = {"travel": {"*": "100.00"}}
    claim = make_claim(employee, total="150.00", document_type="train_ticket")
    # Then the travel limit applies
    assert codes(claim) == ["amount_over_limit"]
    assert policy.effective_category(claim.documents.get()) == "travel"


def test_a_currency_without_a_rate_into_the_claims_blocks_submit(employee):
    # Given a MYR receipt in a CNY claim, and no MYR/CNY exchange rate
    claim = make_claim(employee, currency="MYR")
    # Then the missing rate is reported
    assert codes(claim) == ["no_exchange_rate"]


def test_every_violation_is_reported_at_once(employee):
    # Given two bad documents in one claim
    claim = ClaimFactory(owner=employee)
    make_document(employee, claim, issue_date=days_ago(400))
    make_document(employee, claim, seller_name=None, currency="USD")
    # Then all three problems come back together
    assert sorted(codes(claim)) == ["invoice_too_old", "missing_field", "no_exchange_rate"]
