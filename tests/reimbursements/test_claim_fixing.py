"""Employees fix their claims before submitting (remove or move a document, delete a
draft), and locked claims say they are locked."""

from __future__ import annotations

from decimal import Decimal

from reimbursements import workflow
from reimbursements.models import AuditEvent, Claim, Document
from tests.reimbursements.factories import ClaimFactory
from tests.reimbursements.workflow_helpers import (
    client_for,
    finance_approved_claim,
    make_claim,
    make_document,
    submitted_claim,
)


def remove(user, claim, document):
    return client_for(user).delete(f"/api/v1/claims/{claim.pk}/documents/{document.pk}/")


def move(user, claim, document, to):
    return client_for(user).post(
        f"/api/v1/claims/{claim.pk}/documents/{document.pk}/move/", {"claim": to.pk}, format="json"
    )


# --- remove -----------------------------------------------------------------------------


def test_the_owner_removes_a_document_from_a_draft_claim(org):
    # Given a draft claim with two documents of 100.00
    claim = make_claim(org.employee, documents=2)
    first, second = claim.documents.order_by("pk")
    # When the owner removes one
    response = remove(org.employee, claim, first)
    # Then the claim holds the other, its total follows, the document is unclaimed again
    assert response.status_code == 200, response.content
    assert response.json()["documents"] == [second.pk]
    assert Decimal(response.json()["total"]) == Decimal("100.00")
    first.refresh_from_db()
    assert first.claim_id is None
    assert AuditEvent.objects.filter(action="claim.document_removed").count() == 1


def test_a_returned_claim_can_be_fixed_too(org):
    # Given a claim the manager returned
    claim = submitted_claim(org, documents=2)
    workflow.claim_return(actor=org.manager, claim_id=claim.pk, comment="one is private")
    # When the owner removes a document
    response = remove(org.employee, claim, claim.documents.first())
    # Then it is removed
    assert response.status_code == 200
    assert len(response.json()["documents"]) == 1


def test_nobody_else_removes_a_document(org):
    # Given the employee's draft claim, which finance can see
    claim = make_claim(org.employee)
    # When finance tries to remove its document
    response = remove(org.finance, claim, claim.documents.get())
    # Then it is forbidden and nothing changed
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_owner"
    assert claim.documents.count() == 1


def test_a_submitted_claims_documents_stay(org):
    # Given a submitted claim
    claim = submitted_claim(org)
    # When the owner tries to remove its document
    response = remove(org.employee, claim, claim.documents.get())
    # Then it is a conflict (the claim is in review)
    assert response.status_code == 409
    assert claim.documents.count() == 1


def test_removing_from_an_approved_claim_says_it_is_locked(org):
    # Given a finance-approved claim
    claim = finance_approved_claim(org)
    # When the owner tries to remove its document
    response = remove(org.employee, claim, claim.documents.get())
    # Then the answer says the claim is locked, and why
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "claim_locked"
    assert "locked (approved by finance)" in error["message"]


def test_a_document_of_another_claim_is_not_removed(org):
    # Given two draft claims
    claim, other = make_claim(org.employee), make_claim(org.employee)
    # When the owner names the other claim's document
    response = remove(org.employee, claim, other.documents.get())
    # Then it is refused and stays where it was
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "document_not_in_claim"
    assert other.documents.count() == 1


# --- move -------------------------------------------------------------------------------


def test_the_owner_moves_a_document_to_another_draft(org):
    # Given two draft claims, the first with a document of 100.00
    source = make_claim(org.employee)
    target = ClaimFactory(owner=org.employee)
    document = source.documents.get()
    # When the owner moves it
    response = move(org.employee, source, document, target)
    # Then it is in the target, both totals follow
    assert response.status_code == 200, response.content
    assert response.json()["id"] == target.pk
    assert response.json()["documents"] == [document.pk]
    source.refresh_from_db()
    target.refresh_from_db()
    assert (source.total, target.total) == (Decimal("0.00"), Decimal("100.00"))


def test_a_document_is_not_moved_into_someone_elses_claim(org):
    # Given the employee's draft and another employee's draft
    source = make_claim(org.employee)
    foreign = ClaimFactory(owner=org.outsider)
    # When the employee tries to move a document there
    response = move(org.employee, source, source.documents.get(), foreign)
    # Then it is not found, and nothing moved
    assert response.status_code == 404
    assert source.documents.count() == 1


def test_a_document_is_not_moved_into_a_submitted_claim(org):
    # Given a draft and a submitted claim of the same employee
    source = make_claim(org.employee)
    target = submitted_claim(org)
    # When the owner tries to move a document into the submitted one
    response = move(org.employee, source, source.documents.get(), target)
    # Then it is refused
    assert response.status_code == 409
    assert source.documents.count() == 1


# --- delete -----------------------------------------------------------------------------


def test_the_owner_deletes_a_draft_and_keeps_its_documents(org):
    # Given a draft claim with a document
    claim = make_claim(org.employee)
    document = claim.documents.get()
    # When the owner deletes it
    response = client_for(org.employee).delete(f"/api/v1/claims/{claim.pk}/")
    # Then the claim is gone and the document is unclaimed
    assert response.status_code == 204
    assert not Claim.objects.filter(pk=claim.pk).exists()
    assert Document.objects.get(pk=document.pk).claim_id is None


def test_another_user_cannot_delete_a_draft(org):
    # Given the employee's draft, visible to finance
    claim = make_claim(org.employee)
    # When finance tries to delete it
    response = client_for(org.finance).delete(f"/api/v1/claims/{claim.pk}/")
    # Then it is forbidden
    assert response.status_code == 403
    assert Claim.objects.filter(pk=claim.pk).exists()


# --- locked claims ----------------------------------------------------------------------


def test_editing_a_field_of_an_approved_claim_says_it_is_locked(org):
    # Given a finance-approved claim
    claim = finance_approved_claim(org)
    # When its owner tries to change a field
    response = client_for(org.employee).patch(
        f"/api/v1/documents/{claim.documents.get().pk}/fields/",
        {"field": "total_amount", "value": "1.00"},
        format="json",
    )
    # Then the answer is "locked", not "someone else changed this"
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "claim_locked"
    assert "someone" not in error["message"]


def test_a_document_says_whether_the_asking_user_may_edit_it(org):
    # Given a draft document, a submitted one and one of an approved claim
    draft = make_document(org.employee, ClaimFactory(owner=org.employee))
    in_review = submitted_claim(org).documents.get()
    approved = finance_approved_claim(org).documents.get()

    def seen(user, document) -> dict:
        return client_for(user).get(f"/api/v1/documents/{document.pk}/").json()

    # Then the owner may edit only the draft, the manager the submitted one, nobody the
    # approved one; each says its claim's status
    assert [seen(org.employee, d)["can_edit"] for d in (draft, in_review, approved)] == [
        True,
        False,
        False,
    ]
    assert seen(org.manager, in_review)["can_edit"] is True
    assert seen(org.finance, approved)["can_edit"] is False
    assert seen(org.employee, approved)["claim_status"] == "finance_approved"
