"""The claim state machine: every transition, who may make it, and racing reviewers."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction

from reimbursements import workflow
from reimbursements.models import AuditEvent, Claim, ExportItem
from reimbursements.services import ServiceError
from tests.reimbursements.factories import ClaimFactory, TeamFactory, UserFactory
from tests.reimbursements.workflow_helpers import (
    days_ago,
    finance_approved_claim,
    make_claim,
    make_document,
    make_org,
    manager_approved_claim,
    submitted_claim,
)

S = Claim.Status


def actions(claim: Claim) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="claim", object_id=str(claim.pk)).values_list(
            "action", flat=True
        )
    )


def refused(call, **kwargs) -> ServiceError:
    with pytest.raises(ServiceError) as info:
        call(**kwargs)
    return info.value


# --- submit -----------------------------------------------------------------------------


def test_submit_moves_a_draft_to_submitted_and_audits_it(org):
    # Given a draft claim with one good invoice
    claim = make_claim(org.employee)
    # When the owner submits it
    claim = workflow.claim_submit(actor=org.employee, claim_id=claim.pk)
    # Then it is submitted, time-stamped and audited
    assert claim.status == S.SUBMITTED
    assert claim.submitted_at is not None
    assert actions(claim)[-1] == "claim.submitted"


def test_submit_recomputes_the_total_from_the_documents(org):
    # Given a claim whose stored total is stale
    claim = make_claim(org.employee, documents=2, total="12.30")
    Claim.objects.filter(pk=claim.pk).update(total=Decimal("0.00"))
    # When it is submitted
    claim = workflow.claim_submit(actor=org.employee, claim_id=claim.pk)
    # Then the total is the sum of the extracted totals
    assert claim.total == Decimal("24.60")


def test_submit_with_policy_violations_is_refused_and_changes_nothing(org):
    # Given a claim with an invoice from last year
    claim = make_claim(org.employee, issue_date=days_ago(400))
    # When the owner submits it
    with pytest.raises(workflow.PolicyViolation) as info:
        workflow.claim_submit(actor=org.employee, claim_id=claim.pk)
    # Then the violation is listed and the claim is still a draft
    assert [v["code"] for v in info.value.details["violations"]] == ["invoice_too_old"]
    claim.refresh_from_db()
    assert claim.status == S.DRAFT


def test_only_the_owner_can_submit(org):
    # Given someone else's draft
    claim = make_claim(org.employee)
    # When the manager tries to submit it
    error = refused(workflow.claim_submit, actor=org.manager, claim_id=claim.pk)
    # Then it is forbidden
    assert (error.code, error.status_code) == ("not_owner", 403)


def test_submitting_twice_is_a_conflict(org):
    # Given a submitted claim
    claim = submitted_claim(org)
    # When it is submitted again
    error = refused(workflow.claim_submit, actor=org.employee, claim_id=claim.pk)
    # Then the state no longer allows it
    assert (error.code, error.status_code) == ("conflict", 409)


# --- approve ----------------------------------------------------------------------------


def test_the_team_manager_approves_a_submitted_claim(org):
    # Given a submitted claim of a team member
    claim = submitted_claim(org)
    # When their manager approves it with a comment
    claim = workflow.claim_approve(actor=org.manager, claim_id=claim.pk, comment="ok")
    # Then it is manager-approved and the comment is on the audit event
    assert claim.status == S.MANAGER_APPROVED
    event = AuditEvent.objects.filter(action="claim.manager_approved").get()
    assert (event.actor, event.comment) == (org.manager, "ok")


def test_a_manager_of_another_team_cannot_approve(org):
    # Given a submitted claim and an approver who manages a different team
    claim = submitted_claim(org)
    stranger = TeamFactory().manager
    # When that approver approves
    error = refused(workflow.claim_approve, actor=stranger, claim_id=claim.pk)
    # Then it is forbidden
    assert (error.code, error.status_code) == ("not_reviewer", 403)


def test_nobody_approves_their_own_claim(db):
    # Given a manager who is a member of the team they manage, with a submitted claim
    manager = UserFactory(roles=("employee", "approver", "finance"))
    team = TeamFactory(manager=manager)
    team.members.add(manager)
    claim = make_claim(manager)
    workflow.claim_submit(actor=manager, claim_id=claim.pk)
    # When they approve it themselves
    error = refused(workflow.claim_approve, actor=manager, claim_id=claim.pk)
    # Then it is forbidden
    assert (error.code, error.status_code) == ("own_claim", 403)


def approver_and_finance_in_one(org) -> object:
    """A user holding both review roles who manages the employee's team."""
    both = UserFactory(roles=("employee", "approver", "finance"))
    TeamFactory(manager=both).members.add(org.employee)
    return both


def test_one_person_cannot_give_both_approvals_of_a_claim(org):
    # Given a claim the holder of both review roles approved as manager
    both = approver_and_finance_in_one(org)
    claim = submitted_claim(org)
    workflow.claim_approve(actor=both, claim_id=claim.pk)
    # When the same person approves it as finance
    error = refused(workflow.claim_approve, actor=both, claim_id=claim.pk)
    # Then it is refused with a reason, and the claim waits for a second person
    assert (error.code, error.status_code) == ("same_approver", 403)
    assert "someone else" in error.message
    claim.refresh_from_db()
    assert claim.status == S.MANAGER_APPROVED
    assert workflow.claim_approve(actor=org.finance, claim_id=claim.pk).status == (
        S.FINANCE_APPROVED
    )


def test_after_a_return_the_latest_manager_approval_decides_who_may_approve(org):
    # Given a claim the dual-role user approved, finance returned, and the team's
    # other manager approved after the owner resubmitted it
    both = approver_and_finance_in_one(org)
    claim = submitted_claim(org)
    workflow.claim_approve(actor=both, claim_id=claim.pk)
    workflow.claim_return(actor=org.finance, claim_id=claim.pk, comment="receipt?")
    workflow.claim_submit(actor=org.employee, claim_id=claim.pk)
    workflow.claim_approve(actor=org.manager, claim_id=claim.pk)
    # When the dual-role user approves it as finance / then that is a second person
    claim = workflow.claim_approve(actor=both, claim_id=claim.pk)
    assert claim.status == S.FINANCE_APPROVED


def test_distinct_approvers_can_be_turned_off(org, settings):
    # Given REQUIRE_DISTINCT_APPROVERS off, and a claim the dual-role user approved
    settings.REQUIRE_DISTINCT_APPROVERS = False
    both = approver_and_finance_in_one(org)
    claim = submitted_claim(org)
    workflow.claim_approve(actor=both, claim_id=claim.pk)
    # When they approve it as finance too / then that is allowed
    assert workflow.claim_approve(actor=both, claim_id=claim.pk).status == S.FINANCE_APPROVED


def test_finance_approves_a_manager_approved_claim_and_export_items_appear(org):
    # Given a manager-approved claim with two documents
    claim = manager_approved_claim(org, documents=2)
    # When finance approves it
    claim = workflow.claim_approve(actor=org.finance, claim_id=claim.pk)
    # Then it is finance-approved and each document became one export item
    assert claim.status == S.FINANCE_APPROVED
    assert claim.finance_approved_at is not None
    keys = sorted(ExportItem.objects.filter(claim=claim).values_list("key", flat=True))
    assert keys == sorted(f"doc-{d.pk}" for d in claim.documents.all())


def test_finance_cannot_skip_the_manager_step(org):
    # Given a claim the manager has not approved yet
    claim = submitted_claim(org)
    # When finance approves it
    error = refused(workflow.claim_approve, actor=org.finance, claim_id=claim.pk)
    # Then it waits for the manager
    assert (error.code, error.status_code) == ("awaiting_manager", 409)


def test_an_employee_without_review_rights_cannot_approve(org):
    # Given a manager-approved claim
    claim = manager_approved_claim(org)
    # When an ordinary employee approves it
    error = refused(workflow.claim_approve, actor=org.outsider, claim_id=claim.pk)
    # Then it is forbidden
    assert error.status_code == 403


# --- return / reject --------------------------------------------------------------------


def test_return_needs_a_comment(org):
    # Given a submitted claim
    claim = submitted_claim(org)
    # When the manager returns it without saying why
    error = refused(workflow.claim_return, actor=org.manager, claim_id=claim.pk, comment="  ")
    # Then it is refused
    assert (error.code, error.status_code) == ("comment_required", 400)


def test_a_returned_claim_can_be_fixed_and_resubmitted(org):
    # Given a claim returned by the manager
    claim = submitted_claim(org)
    workflow.claim_return(actor=org.manager, claim_id=claim.pk, comment="wrong project")
    # When the owner resubmits it
    claim = workflow.claim_submit(actor=org.employee, claim_id=claim.pk)
    # Then it is back in review, and the history shows both steps
    assert claim.status == S.SUBMITTED
    assert actions(claim)[-2:] == ["claim.returned", "claim.submitted"]


def test_finance_can_return_a_manager_approved_claim(org):
    # Given a manager-approved claim
    claim = manager_approved_claim(org)
    # When finance returns it
    claim = workflow.claim_return(actor=org.finance, claim_id=claim.pk, comment="receipt?")
    # Then the owner gets it back
    assert claim.status == S.RETURNED


def test_a_rejected_claim_is_final(org):
    # Given a claim rejected by the manager
    claim = submitted_claim(org)
    workflow.claim_reject(actor=org.manager, claim_id=claim.pk, comment="not business")
    # When anyone tries to move it on (approve, or the owner resubmitting)
    approve = refused(workflow.claim_approve, actor=org.manager, claim_id=claim.pk)
    resubmit = refused(workflow.claim_submit, actor=org.employee, claim_id=claim.pk)
    # Then both are conflicts
    assert approve.status_code == resubmit.status_code == 409


# --- export / paid ----------------------------------------------------------------------


def test_mark_paid_needs_an_exported_claim(org):
    # Given a finance-approved claim that accounting has not acknowledged yet
    claim = finance_approved_claim(org)
    # When finance marks it paid
    error = refused(workflow.claim_mark_paid, actor=org.finance, claim_id=claim.pk)
    # Then it is too early
    assert (error.code, error.status_code) == ("conflict", 409)


def test_finance_marks_an_exported_claim_paid(org):
    # Given an exported claim
    claim = finance_approved_claim(org)
    ExportItem.objects.filter(claim=claim).update(acknowledged_at=claim.finance_approved_at)
    assert workflow.claim_mark_exported(actor=org.finance, claim_id=claim.pk)
    # When finance marks it paid
    claim = workflow.claim_mark_paid(actor=org.finance, claim_id=claim.pk)
    # Then it is paid
    assert (claim.status, claim.paid_at is not None) == (S.PAID, True)


def test_only_finance_marks_claims_paid(org):
    # Given an exported claim
    claim = finance_approved_claim(org)
    Claim.objects.filter(pk=claim.pk).update(status=S.EXPORTED)
    # When the manager marks it paid
    error = refused(workflow.claim_mark_paid, actor=org.manager, claim_id=claim.pk)
    # Then it is forbidden
    assert error.status_code == 403


# --- comments and bulk ------------------------------------------------------------------


def test_personal_numbers_in_reviewers_comments_are_masked_on_the_timeline(org):
    # Given a submitted claim
    claim = submitted_claim(org)
    # When the manager comments with the owner's phone, then returns it naming a card
    workflow.claim_comment(actor=org.manager, claim_id=claim.pk, text="请回电 13812345678")
    workflow.claim_return(
        actor=org.manager, claim_id=claim.pk, comment="退款到卡 6217002965318407539 了吗?"
    )
    # Then the timeline keeps the remarks with the numbers masked
    comments = list(
        AuditEvent.objects.filter(object_id=str(claim.pk), comment__gt="").values_list(
            "comment", flat=True
        )
    )
    assert comments == ["请回电 *******5678", "退款到卡 ***************7539 了吗?"]


def test_a_comment_lands_on_the_claim_timeline(org):
    # Given a submitted claim
    claim = submitted_claim(org)
    # When the manager comments
    workflow.claim_comment(actor=org.manager, claim_id=claim.pk, text="Which project?")
    # Then it is an audit event with the text
    event = AuditEvent.objects.filter(action="claim.commented").get()
    assert (event.actor, event.comment) == (org.manager, "Which project?")


def test_bulk_approve_approves_what_it_can_and_reports_the_rest(org):
    # Given two submitted claims, one draft, and one claim the manager cannot see
    good = [submitted_claim(org).pk, submitted_claim(org).pk]
    draft = make_claim(org.employee).pk
    hidden = make_claim(org.outsider).pk
    # When the manager bulk-approves all four
    outcome = workflow.claims_bulk_approve(actor=org.manager, claim_ids=[*good, draft, hidden])
    # Then the two are approved and the others fail with their reason
    assert outcome.approved == good
    assert {f["id"]: f["code"] for f in outcome.failed} == {draft: "conflict", hidden: "not_found"}


# --- racing reviewers -------------------------------------------------------------------


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return int(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_acting_at_once_one_wins_and_the_other_gets_a_conflict():
    # Given a submitted claim whose owner is in two teams with different managers
    org = make_org()
    second_manager = UserFactory(roles=("employee", "approver"))
    TeamFactory(manager=second_manager).members.add(org.employee)
    claim = ClaimFactory(owner=org.employee)
    make_document(org.employee, claim)
    workflow.claim_submit(actor=org.employee, claim_id=claim.pk)
    first_approved = threading.Event()
    release = threading.Event()
    results: dict[str, object] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                workflow.claim_approve(actor=org.manager, claim_id=claim.pk)
                first_approved.set()
                release.wait(10)  # keep the transaction (and its row lock) open
            results["first"] = "approved"
        except Exception as exc:  # reported below
            results["first"] = exc
        finally:
            connection.close()

    def second() -> None:
        try:
            workflow.claim_approve(actor=second_manager, claim_id=claim.pk)
            results["second"] = "approved"
        except Exception as exc:
            results["second"] = exc
        finally:
            connection.close()

    # When the first approval is in flight and the second starts meanwhile
    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    assert first_approved.wait(10)
    threads[1].start()
    deadline = time.monotonic() + 10
    while _waiting_on_locks() < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    blocked = _waiting_on_locks()
    release.set()
    for thread in threads:
        thread.join(15)

    # Then the second waited for the first, one approval won, the other got a 409 conflict
    assert blocked == 1
    assert results["first"] == "approved"
    loser = results["second"]
    assert isinstance(loser, ServiceError), loser
    assert (loser.code, loser.status_code) == ("conflict", 409)
    claim.refresh_from_db()
    assert claim.status == S.MANAGER_APPROVED
    assert actions(claim).count("claim.manager_approved") == 1
