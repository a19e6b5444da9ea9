"""allowed_actions and is_terminal: what a client may offer is what the server accepts.

For each state and each person, every action the representation lists is accepted by
its endpoint and every action it leaves out is refused. Each action is tried in a
savepoint that is rolled back, so all of them are tried on the same state.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from reimbursements import workflow
from reimbursements.models import Claim, Document, ExportItem
from reimbursements.permissions import CLAIM_ACTION_NAMES, DOCUMENT_ACTION_NAMES
from tests.conftest import png_bytes
from tests.reimbursements.factories import ClaimFactory, TeamFactory, UserFactory
from tests.reimbursements.workflow_helpers import (
    Org,
    client_for,
    finance_approved_claim,
    make_claim,
    make_document,
    make_org,
    manager_approved_claim,
    submitted_claim,
)


@pytest.fixture(autouse=True)
def media_root(tmp_path: Path, settings) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def org(db) -> Org:
    return make_org()


@pytest.fixture
def admin(db):
    """An administrator: sees everything, approves nothing (not an approver)."""
    return UserFactory(roles=("admin",))


def accepted_actions(names: tuple[str, ...], attempt: Callable[[str], Any]) -> set[str]:
    """The actions whose endpoint answers 2xx, each tried on the same unchanged state."""
    accepted = set()
    for name in names:
        with transaction.atomic():
            response = attempt(name)
            transaction.set_rollback(True)
        if 200 <= response.status_code < 300:
            accepted.add(name)
    return accepted


# --- claims -----------------------------------------------------------------------------


def _exported(org: Org) -> Claim:
    claim = finance_approved_claim(org)
    ExportItem.objects.filter(claim=claim).update(acknowledged_at=timezone.now())
    workflow.claim_mark_exported(actor=org.finance, claim_id=claim.pk)
    return Claim.objects.get(pk=claim.pk)


CLAIM_STATES: dict[str, Callable[[Org], Claim]] = {
    "draft": lambda org: make_claim(org.employee),
    "submitted": submitted_claim,
    "manager_approved": manager_approved_claim,
    "finance_approved": finance_approved_claim,
    "exported": _exported,
    "paid": lambda org: workflow.claim_mark_paid(actor=org.finance, claim_id=_exported(org).pk),
    "returned": lambda org: workflow.claim_return(
        actor=org.manager, claim_id=submitted_claim(org).pk, comment="receipt missing"
    ),
    "rejected": lambda org: workflow.claim_reject(
        actor=org.manager, claim_id=submitted_claim(org).pk, comment="not a business trip"
    ),
}
PEOPLE = ("employee", "manager", "finance", "admin")


def claim_attempt(user, claim: Claim, org: Org) -> Callable[[str], Any]:
    client = client_for(user)
    base = f"/api/v1/claims/{claim.pk}"
    in_claim = claim.documents.first()
    assert in_claim is not None

    def attempt(action: str) -> Any:
        if action == "edit":
            return client.patch(f"{base}/", {"title": "Renamed"}, format="json")
        if action == "delete":
            return client.delete(f"{base}/")
        if action == "add_documents":
            loose = make_document(org.employee)
            return client.post(f"{base}/documents/", {"document": loose.pk}, format="json")
        if action == "remove_document":
            return client.delete(f"{base}/documents/{in_claim.pk}/")
        if action == "move_document":
            other = ClaimFactory(owner=org.employee)
            return client.post(
                f"{base}/documents/{in_claim.pk}/move/", {"claim": other.pk}, format="json"
            )
        if action in {"return", "reject"}:
            return client.post(f"{base}/{action}/", {"comment": "why"}, format="json")
        if action == "mark_paid":
            return client.post(f"{base}/mark-paid/", {}, format="json")
        if action == "comment":
            return client.post(f"{base}/comments/", {"text": "a remark"}, format="json")
        assert action in {"submit", "approve"}, action
        return client.post(f"{base}/{action}/", {}, format="json")

    return attempt


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("state", CLAIM_STATES)
def test_a_claim_lists_exactly_the_actions_its_endpoints_accept(org, admin, state, person):
    # Given a claim in this state, and someone who sees it
    claim = CLAIM_STATES[state](org)
    user = admin if person == "admin" else getattr(org, person)
    # When they read it
    response = client_for(user).get(f"/api/v1/claims/{claim.pk}/")
    listed = response.json()["allowed_actions"]
    # Then each listed action is accepted by its endpoint and every other one refused
    accepted = accepted_actions(CLAIM_ACTION_NAMES, claim_attempt(user, claim, org))
    assert set(listed) == accepted


def test_an_admin_who_is_not_an_approver_is_not_offered_approve_and_may_not(org, admin):
    # Given a submitted claim, and an administrator who is no approver
    claim = submitted_claim(org)
    # When the administrator reads it and tries to approve it
    listed = client_for(admin).get(f"/api/v1/claims/{claim.pk}/").json()["allowed_actions"]
    response = client_for(admin).post(f"/api/v1/claims/{claim.pk}/approve/", {}, format="json")
    # Then approve is not offered, and the server refuses it
    assert "approve" not in listed
    assert response.status_code == 403


def test_the_manager_is_offered_the_review_of_a_submitted_claim(org):
    # Given a claim submitted by a member of the manager's team
    claim = submitted_claim(org)
    # When the manager reads it
    listed = client_for(org.manager).get(f"/api/v1/claims/{claim.pk}/").json()["allowed_actions"]
    # Then they may approve, return or reject it, and comment
    assert listed == ["approve", "return", "reject", "comment"]


def test_finance_who_gave_the_manager_approval_is_not_offered_the_finance_approval(org):
    # Given a manager who is finance too, and gave a claim its manager approval
    both = UserFactory(roles=("employee", "approver", "finance"))
    TeamFactory(manager=both).members.add(org.employee)
    claim = submitted_claim(org)
    workflow.claim_approve(actor=both, claim_id=claim.pk)
    # When they read the claim and try the finance approval
    listed = client_for(both).get(f"/api/v1/claims/{claim.pk}/").json()["allowed_actions"]
    response = client_for(both).post(f"/api/v1/claims/{claim.pk}/approve/", {}, format="json")
    # Then approve is not offered, and the server refuses it (two different approvers)
    assert "approve" not in listed
    assert response.status_code == 403


def test_claim_lists_say_what_each_claim_allows(org):
    # Given a draft and a submitted claim of the employee
    draft = make_claim(org.employee)
    submitted = submitted_claim(org)
    # When the employee lists their claims
    body = client_for(org.employee).get("/api/v1/claims/").json()
    # Then each claim carries its own actions
    actions = {row["id"]: row["allowed_actions"] for row in body["results"]}
    assert "submit" in actions[draft.pk]
    assert actions[submitted.pk] == ["comment"]


@pytest.mark.parametrize(
    ("state", "terminal"),
    [
        ("draft", False),
        ("submitted", False),
        ("finance_approved", False),
        ("exported", False),
        ("paid", True),
        ("rejected", True),
    ],
)
def test_a_claim_is_terminal_once_paid_or_rejected(org, state, terminal):
    # Given a claim in this state
    claim = CLAIM_STATES[state](org)
    # When its owner reads it
    body = client_for(org.employee).get(f"/api/v1/claims/{claim.pk}/").json()
    # Then is_terminal says whether anything more can happen to it
    assert body["is_terminal"] is terminal


# --- documents --------------------------------------------------------------------------


def _with_file(document: Document) -> Document:
    document.file.save("upload", ContentFile(png_bytes()), save=False)
    document.masked_file.save("masked", ContentFile(png_bytes()), save=False)
    document.save()
    return document


def _flagged(org: Org) -> Document:
    first = make_document(org.employee)
    duplicate = _with_file(make_document(org.employee))
    duplicate.duplicate_of = first
    duplicate.save(update_fields=["duplicate_of"])
    return duplicate


DOCUMENT_CASES: dict[str, Callable[[Org], Document]] = {
    "extracted": lambda org: _with_file(make_document(org.employee)),
    "failed": lambda org: _with_file(
        make_document(org.employee, status=Document.Status.FAILED, extracted=False)
    ),
    "flagged_duplicate": _flagged,
    "in_draft_claim": lambda org: _with_file(make_claim(org.employee).documents.get()),
    "in_submitted_claim": lambda org: _with_file(submitted_claim(org).documents.get()),
    "in_approved_claim": lambda org: _with_file(finance_approved_claim(org).documents.get()),
    "scanning": lambda org: make_document(
        org.employee, status=Document.Status.SCANNING, extracted=False
    ),
}


def document_attempt(user, document: Document) -> Callable[[str], Any]:
    client = client_for(user)
    base = f"/api/v1/documents/{document.pk}"

    def attempt(action: str) -> Any:
        if action == "edit":
            return client.patch(
                f"{base}/fields/", {"field": "category", "value": "meals"}, format="json"
            )
        if action == "retry":
            return client.post(f"{base}/retry/", {}, format="json")
        if action == "resolve_duplicate":
            return client.post(f"{base}/resolve-duplicate/", {}, format="json")
        assert action == "view_original", action
        return client.get(f"{base}/file/?original=1")

    return attempt


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("case", DOCUMENT_CASES)
def test_a_document_lists_exactly_the_actions_its_endpoints_accept(org, admin, case, person):
    # Given a document in this state, and someone who sees it
    document = DOCUMENT_CASES[case](org)
    user = admin if person == "admin" else getattr(org, person)
    # When they read it
    listed = client_for(user).get(f"/api/v1/documents/{document.pk}/").json()["allowed_actions"]
    # Then each listed action is accepted by its endpoint and every other one refused
    accepted = accepted_actions(DOCUMENT_ACTION_NAMES, document_attempt(user, document))
    assert set(listed) == accepted


def test_whoever_may_see_personal_data_is_offered_the_original(org):
    # Given a document, and a reviewer holding the view_personal_data permission
    document = _with_file(make_document(org.employee))
    org.manager.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
    # When the reviewer reads it
    listed = (
        client_for(org.manager).get(f"/api/v1/documents/{document.pk}/").json()["allowed_actions"]
    )
    # Then they are offered the original
    assert "view_original" in listed


@pytest.mark.parametrize(
    ("status", "terminal"),
    [
        (Document.Status.RECEIVED, False),
        (Document.Status.PROCESSING, False),
        (Document.Status.EXTRACTED, True),
        (Document.Status.FAILED, True),
        (Document.Status.SPLIT, True),
    ],
)
def test_a_document_is_terminal_once_its_processing_ended(org, status, terminal):
    # Given a document in this status
    document = make_document(org.employee, status=status, extracted=False)
    # When its owner reads it
    body = client_for(org.employee).get(f"/api/v1/documents/{document.pk}/").json()
    # Then is_terminal says whether it can still change by itself
    assert body["is_terminal"] is terminal


# --- the signed-in user -----------------------------------------------------------------


def _exporter():
    user = UserFactory(roles=("employee",))
    user.user_permissions.add(Permission.objects.get(codename="export_approved"))
    return user


USERS: dict[str, Callable[[], Any]] = {
    "employee": lambda: UserFactory(roles=("employee",)),
    "approver": lambda: UserFactory(roles=("employee", "approver")),
    "finance": lambda: UserFactory(roles=("employee", "finance")),
    "admin": lambda: UserFactory(roles=("admin",)),
    "exporter": _exporter,
}


def user_attempt(user) -> Callable[[str], Any]:
    client = client_for(user)

    def attempt(action: str) -> Any:
        if action == "export":
            return client.get("/api/v1/exports/approved/")
        if action == "view_spend":
            return client.get("/api/v1/dashboard/spend/")
        assert action == "manage_exchange_rates", action
        return client.post(
            "/api/v1/exchange-rates/",
            {"from_currency": "USD", "to_currency": "CNY", "rate": "7.1", "date": "2026-01-05"}
            | {"source": "PBOC central parity"},
            format="json",
        )

    return attempt


@pytest.mark.parametrize("who", USERS)
def test_me_lists_exactly_the_parts_of_the_app_the_server_lets_the_user_use(db, who):
    # Given a user with these roles or permissions
    user = USERS[who]()
    # When they read who they are
    listed = client_for(user).get("/api/v1/me/").json()["allowed_actions"]
    # Then each listed action is accepted by its endpoint and every other one refused
    names = ("export", "view_spend", "manage_exchange_rates")
    accepted = accepted_actions(names, user_attempt(user))
    assert {name for name in listed if name in names} == accepted


@pytest.mark.parametrize("who", USERS)
def test_me_offers_the_review_queue_exactly_to_whoever_may_find_claims_in_it(org, who):
    # Given a claim waiting for each review step, and a user
    submitted_claim(org)
    manager_approved_claim(org)
    user = org.manager if who == "approver" else USERS[who]()
    # When they read who they are and open their review queue
    listed = client_for(user).get("/api/v1/me/").json()["allowed_actions"]
    queue = client_for(user).get("/api/v1/review/queue/").json()
    # Then review is offered exactly when the queue can hold claims for them
    assert ("review" in listed) == (queue["count"] > 0)
