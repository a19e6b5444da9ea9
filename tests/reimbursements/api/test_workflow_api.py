"""The workflow, review-queue and correction endpoints through the real API stack."""

from __future__ import annotations

from django.core.cache.backends.locmem import LocMemCache
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from reimbursements import workflow
from reimbursements.models import Document, ExportItem
from tests.reimbursements.factories import TeamFactory, UserFactory
from tests.reimbursements.workflow_helpers import (
    client_for,
    days_ago,
    finance_approved_claim,
    make_claim,
    make_document,
    manager_approved_claim,
    submitted_claim,
)


def post(user, url: str, data: dict | None = None):
    return client_for(user).post(url, data or {}, format="json")


def error_of(response) -> dict:
    return response.json()["error"]


# --- transitions ------------------------------------------------------------------------


def test_submit_answers_the_submitted_claim(org):
    # Given a good draft claim
    claim = make_claim(org.employee)
    # When the owner submits it
    response = post(org.employee, f"/api/v1/claims/{claim.pk}/submit/")
    # Then the answer is the claim, now submitted
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["status"]) == (claim.pk, "submitted")
    assert body["events"][-1]["action"] == "claim.submitted"


def test_submit_lists_policy_violations_in_the_error_details(org):
    # Given a claim with an invoice dated in the future
    claim = make_claim(org.employee, issue_date=days_ago(-3))
    document = claim.documents.get()
    # When it is submitted
    response = post(org.employee, f"/api/v1/claims/{claim.pk}/submit/")
    # Then 400 policy_violation with one violation per problem
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "policy_violation"
    assert error["message"]
    ((violation),) = error["details"]["violations"]
    assert violation["code"] == "invoice_in_future"
    assert violation["document"] == document.pk
    assert violation["message"]


def test_the_second_of_two_reviewers_gets_409_conflict(org):
    # Given a submitted claim of someone in two teams
    other_manager = UserFactory(roles=("employee", "approver"))
    TeamFactory(manager=other_manager).members.add(org.employee)
    claim = submitted_claim(org)
    # When both managers approve it, one after the other
    first = post(org.manager, f"/api/v1/claims/{claim.pk}/approve/", {"comment": ""})
    second = post(other_manager, f"/api/v1/claims/{claim.pk}/approve/", {"comment": ""})
    # Then the first wins and the second gets the conflict error
    assert first.status_code == 200
    assert first.json()["status"] == "manager_approved"
    assert second.status_code == 409
    assert error_of(second)["code"] == "conflict"
    assert "approved by the manager" in error_of(second)["message"]


def test_a_second_approval_by_the_same_person_is_403_with_a_reason(org):
    # Given a claim approved as manager by a user who also holds the finance role
    both = UserFactory(roles=("employee", "approver", "finance"))
    TeamFactory(manager=both).members.add(org.employee)
    claim = submitted_claim(org)
    assert post(both, f"/api/v1/claims/{claim.pk}/approve/").status_code == 200
    # When that user approves it again, as finance
    response = post(both, f"/api/v1/claims/{claim.pk}/approve/")
    # Then the API refuses with a JSON error saying why
    assert response.status_code == 403
    assert error_of(response)["code"] == "same_approver"
    assert "someone else" in error_of(response)["message"]


def test_a_claim_the_user_cannot_see_is_404(org):
    # Given a submitted claim
    claim = submitted_claim(org)
    # When an employee outside the team tries to approve it
    response = post(org.outsider, f"/api/v1/claims/{claim.pk}/approve/")
    # Then it does not exist for them
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_return_without_a_comment_is_400(org):
    # Given a submitted claim
    claim = submitted_claim(org)
    # When the manager returns it without a comment
    response = post(org.manager, f"/api/v1/claims/{claim.pk}/return/", {})
    # Then it is refused and names the field
    assert response.status_code == 400
    assert "comment" in error_of(response)["details"]["fields"]


def test_reject_records_the_reason_on_the_timeline(org):
    # Given a submitted claim
    claim = submitted_claim(org)
    # When the manager rejects it with a reason
    response = post(org.manager, f"/api/v1/claims/{claim.pk}/reject/", {"comment": "personal"})
    # Then the claim is rejected and the reason is in its events
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "rejected"
    assert body["events"][-1] == {
        **body["events"][-1],
        "action": "claim.rejected",
        "actor": org.manager.username,
        "comment": "personal",
    }


def test_bulk_approve_answers_approved_and_failed(org):
    # Given one submitted claim and one draft
    ok = submitted_claim(org).pk
    draft = make_claim(org.employee).pk
    # When the manager bulk-approves both
    response = post(org.manager, "/api/v1/claims/bulk-approve/", {"ids": [ok, draft]})
    # Then one is approved and the other failed with a code and message
    assert response.status_code == 200
    body = response.json()
    assert body["approved"] == [ok]
    ((failure),) = body["failed"]
    assert (failure["id"], failure["code"]) == (draft, "conflict")
    assert failure["message"]


def test_finance_marks_an_exported_claim_paid(org):
    # Given a claim whose export was acknowledged
    claim = finance_approved_claim(org)
    keys = list(ExportItem.objects.filter(claim=claim).values_list("key", flat=True))
    assert post(org.finance, "/api/v1/exports/acknowledge/", {"ids": keys}).status_code == 200
    # When finance marks it paid
    response = post(org.finance, f"/api/v1/claims/{claim.pk}/mark-paid/")
    # Then it is paid
    assert (response.status_code, response.json()["status"]) == (200, "paid")


def test_a_comment_appears_in_the_claims_events(org):
    # Given a submitted claim
    claim = submitted_claim(org)
    # When the manager comments on it
    response = post(org.manager, f"/api/v1/claims/{claim.pk}/comments/", {"text": "Receipt?"})
    # Then 201 with the claim, whose events end with the comment
    assert response.status_code == 201
    event = response.json()["events"][-1]
    assert (event["action"], event["actor"], event["comment"]) == (
        "claim.commented",
        org.manager.username,
        "Receipt?",
    )


# --- review queue -----------------------------------------------------------------------


def queue(user, **params) -> dict:
    response = client_for(user).get("/api/v1/review/queue/", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_approver_queue_holds_submitted_claims_of_their_teams(org):
    # Given a submitted claim of a team member, a draft, and an outsider's submitted claim
    waiting = submitted_claim(org)
    make_claim(org.employee)
    stranger = UserFactory(roles=("employee",))
    TeamFactory().members.add(stranger)
    workflow.claim_submit(actor=stranger, claim_id=make_claim(stranger).pk)
    # When the manager opens the queue
    body = queue(org.manager)
    # Then only the team member's submitted claim is there, with documents and warnings
    assert [c["id"] for c in body["results"]] == [waiting.pk]
    (item,) = body["results"]
    assert item["documents_detail"][0]["id"] == waiting.documents.get().pk
    assert item["documents_detail"][0]["extraction"]["fields"]["total_amount"] == "100.00"
    assert item["warnings_count"] == 0
    assert body["count"] == 1


def test_the_finance_queue_holds_manager_approved_claims(org):
    # Given one submitted and one manager-approved claim
    submitted_claim(org)
    approved = manager_approved_claim(org)
    # When finance opens the queue
    body = queue(org.finance)
    # Then it holds only the manager-approved one
    assert [c["id"] for c in body["results"]] == [approved.pk]


def test_an_employee_has_an_empty_queue(org):
    # Given a submitted claim
    submitted_claim(org)
    # Then an employee without review rights sees nothing to do
    assert queue(org.employee)["results"] == []


def test_the_queue_counts_warnings_and_open_duplicate_flags(org):
    # Given a submitted claim whose document has two warnings, then gets a duplicate flag
    warning = {"code": "arithmetic_mismatch", "message": "m", "field": "total_amount"}
    claim = submitted_claim(org, warnings=[warning, {**warning, "code": "words_mismatch"}])
    Document.objects.filter(claim=claim).update(duplicate_of=make_document(org.employee))
    # Then the queue item counts three
    (item,) = queue(org.manager)["results"]
    assert item["warnings_count"] == 3
    assert item["documents_detail"][0]["duplicate_of"] is not None


def test_the_queue_searches_seller_names(org):
    # Given two submitted claims from different sellers
    submitted_claim(org, seller_name="上海某某酒店")
    wanted = submitted_claim(org, seller_name="Starbucks Coffee")
    # When the manager searches for "starbucks"
    body = queue(org.manager, search="starbucks")
    # Then only that claim is found
    assert [c["id"] for c in body["results"]] == [wanted.pk]


def test_the_queue_filters_by_owner(org):
    # Given submitted claims of two team members
    colleague = UserFactory(roles=("employee",))
    org.manager.managed_teams.get().members.add(colleague)
    submitted_claim(org)
    theirs = workflow.claim_submit(actor=colleague, claim_id=make_claim(colleague).pk)
    # When the manager filters by the colleague
    body = queue(org.manager, owner=colleague.username)
    # Then only the colleague's claim is listed
    assert [c["id"] for c in body["results"]] == [theirs.pk]


def test_the_queue_orders_by_total_descending(org):
    # Given three submitted claims with different totals
    small = submitted_claim(org, total="10.00")
    big = submitted_claim(org, total="300.00")
    middle = submitted_claim(org, total="50.00")
    # When ordered by -total
    body = queue(org.manager, ordering="-total")
    # Then biggest first
    assert [c["id"] for c in body["results"]] == [big.pk, middle.pk, small.pk]


def test_an_unknown_ordering_is_400(org):
    # When the queue is ordered by a field it does not offer
    response = client_for(org.manager).get("/api/v1/review/queue/", {"ordering": "owner__password"})
    # Then it is refused
    assert response.status_code == 400


# --- documents --------------------------------------------------------------------------


def test_patching_a_field_answers_the_updated_document(org):
    # Given a document in a draft claim
    document = make_claim(org.employee).documents.get()
    # When the owner patches the total
    response = client_for(org.employee).patch(
        f"/api/v1/documents/{document.pk}/fields/",
        {"field": "total_amount", "value": "12.30"},
        format="json",
    )
    # Then the document comes back with the new value
    assert response.status_code == 200
    body = response.json()
    assert body["extraction"]["fields"]["total_amount"] == "12.30"
    assert body["category"] == "meals"  # derived: the seller is a 餐饮 company


def test_patching_a_bad_value_is_400_with_a_clear_message(org):
    # Given a document
    document = make_document(org.employee)
    # When the owner sends a date in the wrong format
    response = client_for(org.employee).patch(
        f"/api/v1/documents/{document.pk}/fields/",
        {"field": "issue_date", "value": "03/31/2026"},
        format="json",
    )
    # Then the message says what to send
    assert response.status_code == 400
    assert error_of(response) == {
        "code": "invalid_value",
        "message": "Issue date: use a date such as 2026-03-31 or 2026年3月31日.",
    }


def test_the_corrections_list_shows_the_history(org):
    # Given two corrections of one document
    document = make_document(org.employee, total="100.00")
    client = client_for(org.employee)
    url = f"/api/v1/documents/{document.pk}/fields/"
    client.patch(url, {"field": "total_amount", "value": "90"}, format="json")
    client.patch(url, {"field": "total_amount", "value": "80"}, format="json")
    # When the history is read
    response = client.get(f"/api/v1/documents/{document.pk}/corrections/")
    # Then both edits are there in order, with who made them
    assert response.status_code == 200
    rows = [(r["old_value"], r["new_value"], r["actor"]) for r in response.json()]
    assert rows == [
        ("100.00", "90.00", org.employee.username),
        ("90.00", "80.00", org.employee.username),
    ]


def test_finance_resolves_a_duplicate_through_the_api(org):
    # Given a flagged document
    duplicate = make_document(org.employee)
    Document.objects.filter(pk=duplicate.pk).update(duplicate_of=make_document(org.employee))
    # When finance resolves it
    response = post(
        org.finance, f"/api/v1/documents/{duplicate.pk}/resolve-duplicate/", {"comment": "ok"}
    )
    # Then it is no longer reported as a duplicate, but the link stays visible
    assert response.status_code == 200
    body = response.json()
    assert body["duplicate_of"] is None
    assert body["duplicate_resolved"] is True
    assert body["duplicate_flagged"] is not None


# --- rate limits ------------------------------------------------------------------------


def test_too_many_requests_get_429_in_the_error_shape_with_retry_info(org, monkeypatch):
    # Given a limit of 2 requests a minute per user (a private cache for this test)
    monkeypatch.setattr(SimpleRateThrottle, "cache", LocMemCache("throttle-test", {}))
    rates = {**SimpleRateThrottle.THROTTLE_RATES, "user": "2/min"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    client = APIClient()
    token = client.post(
        "/api/v1/auth/token/",
        {"username": org.manager.username, "password": "correct horse battery staple"},
        format="json",
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    # When the token user makes a third request within the minute
    codes = [client.get("/api/v1/review/queue/").status_code for _ in range(3)]
    response = client.get("/api/v1/review/queue/")
    # Then it is refused with 429, the error shape, and when to retry
    assert codes == [200, 200, 429]
    assert response.status_code == 429
    error = error_of(response)
    assert error["code"] == "throttled"
    assert 0 < error["details"]["retry_after_s"] <= 60
    assert 0 < int(response["Retry-After"]) <= 60
