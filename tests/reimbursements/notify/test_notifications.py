"""The in-app inbox: who hears of which claim move and document, counts, marking read."""

from __future__ import annotations

import pytest

from reimbursements import workflow
from reimbursements.documents import lifecycle
from reimbursements.exports.acknowledge import export_items_acknowledge
from reimbursements.models import Document, Notification
from tests.reimbursements.workflow_helpers import (
    client_for,
    make_claim,
    make_document,
    manager_approved_claim,
    submitted_claim,
)


def inbox(user, **params) -> list[dict]:
    response = client_for(user).get("/api/v1/notifications/", params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def summary(user) -> dict:
    response = client_for(user).get("/api/v1/notifications/summary/")
    assert response.status_code == 200, response.content
    return response.json()


def test_returned_claim_reaches_the_owners_inbox_with_the_reason_and_a_link(org):
    # Given a submitted claim
    claim = submitted_claim(org)
    # When the manager returns it with a reason
    response = client_for(org.manager).post(
        f"/api/v1/claims/{claim.pk}/return/", {"comment": "Add the hotel receipt"}, format="json"
    )
    assert response.status_code == 200
    # Then the owner has one unread notification saying so, linking to the claim
    (item,) = inbox(org.employee)
    assert item["kind"] == "claim_returned"
    assert item["unread"] is True
    assert claim.title in item["title"] and "returned" in item["title"]
    assert "Add the hotel receipt" in item["body"]
    assert item["route"] == f"/claims/{claim.pk}"
    assert item["miniprogram_page"] == f"pages/claim/index?id={claim.pk}"
    assert summary(org.employee)["unread"] == 1


@pytest.mark.parametrize(
    ("act", "kind"),
    [
        ("approve_manager", "claim_approved"),
        ("approve_finance", "claim_approved"),
        ("reject", "claim_rejected"),
    ],
)
def test_every_decision_on_a_claim_tells_its_owner(org, act, kind):
    # Given a claim at the step the decision applies to
    claim = manager_approved_claim(org) if act == "approve_finance" else submitted_claim(org)
    before = Notification.objects.filter(recipient=org.employee).count()
    # When the reviewer decides
    if act == "approve_manager":
        workflow.claim_approve(actor=org.manager, claim_id=claim.pk)
    elif act == "approve_finance":
        workflow.claim_approve(actor=org.finance, claim_id=claim.pk)
    else:
        workflow.claim_reject(actor=org.manager, claim_id=claim.pk, comment="Private trip")
    # Then the owner gets exactly one new notification of that kind
    rows = Notification.objects.filter(recipient=org.employee).order_by("-id")
    assert rows.count() == before + 1
    assert rows[0].kind == kind
    assert rows[0].claim_id == claim.pk


def test_paid_claim_tells_the_owner_the_amount(org):
    # Given an exported claim (every item acknowledged)
    claim = manager_approved_claim(org, total="88.50")
    workflow.claim_approve(actor=org.finance, claim_id=claim.pk)
    export_items_acknowledge(actor=org.finance, keys=[f"doc-{d.pk}" for d in claim.documents.all()])
    # When finance marks it paid
    workflow.claim_mark_paid(actor=org.finance, claim_id=claim.pk)
    # Then the owner's newest notification says paid, with the amount and currency
    newest = inbox(org.employee)[0]
    assert newest["kind"] == "claim_paid"
    assert "88.50 CNY" in newest["title"]


def test_submitted_claim_waits_in_the_managers_inbox_and_queue_count(org):
    # Given a draft claim of a team member
    claim = make_claim(org.employee)
    # When the employee submits it
    workflow.claim_submit(actor=org.employee, claim_id=claim.pk)
    # Then the manager sees one pending review and a notification leading to the review
    assert summary(org.manager)["review_pending"] == 1
    (item,) = inbox(org.manager)
    assert (item["kind"], item["route"]) == ("claim_waiting", f"/review/{claim.pk}")
    # And finance has nothing pending yet, the owner nothing at all
    assert summary(org.finance)["review_pending"] == 0
    assert inbox(org.employee) == []


def test_manager_approval_puts_the_claim_in_finances_count(org):
    # Given a claim approved by the manager
    manager_approved_claim(org)
    # Then finance counts it as pending and has a waiting notification
    assert summary(org.finance)["review_pending"] == 1
    assert [n["kind"] for n in inbox(org.finance)] == ["claim_waiting"]


def test_a_document_that_failed_tells_its_owner(org):
    # Given a document being read
    document = make_document(org.employee, status=Document.Status.PROCESSING)
    # When reading it fails
    lifecycle.document_fail(document_id=document.pk, reason="unreadable")
    # Then the owner is told, with a link to the document
    (item,) = inbox(org.employee)
    assert (item["kind"], item["document"]) == ("document_attention", document.pk)
    assert item["route"] == f"/documents/{document.pk}"


def test_marking_one_read_lowers_the_count_and_read_all_clears_it(org):
    # Given two notifications for the owner
    claim = submitted_claim(org)
    workflow.claim_return(actor=org.manager, claim_id=claim.pk, comment="Fix the date")
    workflow.claim_submit(actor=org.employee, claim_id=claim.pk)
    workflow.claim_reject(actor=org.manager, claim_id=claim.pk, comment="Duplicate trip")
    first, second = inbox(org.employee)
    assert summary(org.employee)["unread"] == 2
    # When the owner marks one read
    response = client_for(org.employee).post(f"/api/v1/notifications/{first['id']}/read/")
    # Then it is read, and one unread is left (the unread filter lists only that one)
    assert response.status_code == 200 and response.json()["unread"] is False
    assert summary(org.employee)["unread"] == 1
    assert [n["id"] for n in inbox(org.employee, unread="true")] == [second["id"]]
    # And marking all read leaves none
    response = client_for(org.employee).post("/api/v1/notifications/read-all/")
    assert response.json() == {"marked": 1}
    assert summary(org.employee)["unread"] == 0


def test_nobody_reads_or_marks_another_persons_notifications(org):
    # Given a notification of the employee
    claim = submitted_claim(org)
    workflow.claim_reject(actor=org.manager, claim_id=claim.pk, comment="No")
    (item,) = inbox(org.employee)
    # When an outsider tries to mark it read
    response = client_for(org.outsider).post(f"/api/v1/notifications/{item['id']}/read/")
    # Then it is not found for them, stays unread, and their own inbox is empty
    assert response.status_code == 404
    assert summary(org.employee)["unread"] == 1
    assert inbox(org.outsider) == []


def test_a_rolled_back_transition_leaves_no_notification(org):
    # Given a claim the manager may not reject without a comment
    claim = submitted_claim(org)
    # When the reject is refused
    response = client_for(org.manager).post(
        f"/api/v1/claims/{claim.pk}/reject/", {"comment": " "}, format="json"
    )
    # Then the owner was told nothing
    assert response.status_code == 400
    assert inbox(org.employee) == []


def test_email_channel_can_be_turned_off(org):
    # Given the employee turned e-mail off
    response = client_for(org.employee).patch(
        "/api/v1/notifications/preferences/", {"email": False}, format="json"
    )
    assert response.json() == {"email": False, "wechat": True}
    claim = submitted_claim(org)
    # When the claim is returned
    workflow.claim_return(actor=org.manager, claim_id=claim.pk, comment="Fix it")
    # Then the inbox has it, but no e-mail is pending for it
    row = Notification.objects.get(recipient=org.employee)
    assert row.email_status == Notification.Delivery.SKIPPED
