"""Every write to a claim: the owner's edits (create, edit, delete, add, remove and move
documents) and the state machine, one atomic write path per transition.

    draft/returned -> submitted -> manager_approved -> finance_approved -> exported -> paid
    submitted/manager_approved -> returned (owner edits and resubmits) | rejected (final)

Each transition locks the claim row, checks the state under the lock, saves with
``update_fields``, writes an audit event and enqueues side effects on commit. Two
reviewers acting at once therefore serialise on the lock: the second sees the new
state and gets a 409 ``conflict``.

Who reviews: the manager step belongs to a user with the approver role who manages a
team the owner is a member of; the finance step to the finance role. Nobody reviews
their own claim, and (``REQUIRE_DISTINCT_APPROVERS``, on by default) the finance
approval never comes from the person who gave the manager approval.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from extraction.pii import mask_text
from reimbursements import currency, policy, selectors
from reimbursements.exports.items import export_items_create
from reimbursements.exports.webhook import webhook_queue_finance_approved
from reimbursements.models import AuditEvent, Claim, Document, ExportItem, Role, Team
from reimbursements.notify import services as notify
from reimbursements.roles import has_role
from reimbursements.services import EDITABLE_CLAIM_STATES, ServiceError, audit
from reimbursements.warning_messages import status_label

S = Claim.Status
COMMENT_MAX = 2000
BULK_MAX = 200

# The state each review step acts on, and where approval moves it.
APPROVE_TARGET = {S.SUBMITTED: S.MANAGER_APPROVED, S.MANAGER_APPROVED: S.FINANCE_APPROVED}
APPROVE_STAMP = {
    S.MANAGER_APPROVED: "manager_approved_at",
    S.FINANCE_APPROVED: "finance_approved_at",
}


class PolicyViolation(ServiceError):
    """Submit refused: every violated rule, so the owner can fix them all at once."""

    def __init__(self, violations: list[policy.Violation]) -> None:
        count = len(violations)
        super().__init__(
            "policy_violation",
            f"The claim breaks {count} expense polic{'y rule' if count == 1 else 'y rules'}.",
            status_code=400,
        )
        self.violations = violations

    @property
    def details(self) -> dict[str, Any]:
        return {"violations": [v.to_dict() for v in self.violations]}


# --- helpers ----------------------------------------------------------------------------


def manages(actor: User, owner_id: int) -> bool:
    return Team.objects.filter(manager=actor, members__pk=owner_id).exists()


def reviewable_states(actor: User, claim: Claim) -> set[str]:
    """The claim states this user may act on as a reviewer (ignores the current state)."""
    if claim.owner_id == actor.pk:
        return set()
    states: set[str] = set()
    if has_role(actor, Role.APPROVER) and manages(actor, claim.owner_id):
        states.add(S.SUBMITTED)
    if has_role(actor, Role.FINANCE):
        states.add(S.MANAGER_APPROVED)
    return states


def conflict(claim: Claim) -> ServiceError:
    return ServiceError(
        "conflict",
        gettext(
            "This claim is '%(status)s' now, so that action no longer applies (someone "
            "may have just acted on it). Reload it."
        )
        % {"status": status_label(claim.status)},
        status_code=409,
    )


# Past these states nothing of the claim or its documents changes any more.
LOCKED_CLAIM_STATES = frozenset({S.FINANCE_APPROVED, S.EXPORTED, S.PAID, S.REJECTED})
# Past these nothing happens to the claim at all.
FINAL_CLAIM_STATES = frozenset({S.PAID, S.REJECTED})


def claim_locked(claim: Claim) -> ServiceError:
    """The answer to a change of a locked claim: what locked it, not a lost race."""
    reason = {
        S.FINANCE_APPROVED: gettext("approved by finance"),
        S.EXPORTED: gettext("approved and exported"),
        S.PAID: gettext("approved and paid"),
        S.REJECTED: gettext("rejected"),
    }.get(S(claim.status), claim.status)
    return ServiceError(
        "claim_locked",
        gettext("This claim is locked (%(reason)s): it can no longer be changed.")
        % {"reason": reason},
        status_code=409,
    )


def _lock(claim_id: int) -> Claim:
    return Claim.objects.select_for_update().get(pk=claim_id)


def refuse(refusal: ServiceError | None) -> None:
    """Raise the refusal a ``*_refusal`` check found, if any."""
    if refusal is not None:
        raise refusal


# --- who may do what now ----------------------------------------------------------------
# Each check answers the refusal its endpoint gives (None: allowed). The transitions call
# them under the row lock; ``permissions.claim_allowed_actions`` calls the same ones, so
# the actions a client is offered are exactly those the server accepts.


def _not_owner(actor: User, claim: Claim) -> ServiceError | None:
    if claim.owner_id == actor.pk:
        return None
    # Visible to approvers/finance, but only the owner edits it.
    return ServiceError(
        "not_owner", gettext("Only the owner can change this claim."), status_code=403
    )


def edit_refusal(actor: User, claim: Claim) -> ServiceError | None:
    """Title and currency: the owner, while the claim is a draft or returned."""
    refusal = _not_owner(actor, claim)
    if refusal is None and claim.status not in EDITABLE_CLAIM_STATES:
        refusal = ServiceError(
            "claim_not_editable",
            gettext("A claim that is %(status)s cannot be edited.")
            % {"status": status_label(claim.status)},
            status_code=409,
        )
    return refusal


def add_documents_refusal(actor: User, claim: Claim) -> ServiceError | None:
    refusal = _not_owner(actor, claim)
    if refusal is None and claim.status not in EDITABLE_CLAIM_STATES:
        refusal = ServiceError(
            "claim_not_editable",
            gettext("A claim that is %(status)s cannot be changed.")
            % {"status": status_label(claim.status)},
            status_code=409,
        )
    return refusal


def remove_documents_refusal(actor: User, claim: Claim) -> ServiceError | None:
    """Removing or moving its documents: a locked claim says what locked it."""
    refusal = _not_owner(actor, claim)
    if refusal is None and claim.status in LOCKED_CLAIM_STATES:
        refusal = claim_locked(claim)
    if refusal is None and claim.status not in EDITABLE_CLAIM_STATES:
        refusal = conflict(claim)
    return refusal


def delete_refusal(actor: User, claim: Claim) -> ServiceError | None:
    refusal = _not_owner(actor, claim)
    if refusal is None and claim.status != S.DRAFT:
        refusal = ServiceError(
            "claim_not_deletable", gettext("Only draft claims can be deleted."), status_code=409
        )
    return refusal


def submit_refusal(actor: User, claim: Claim) -> ServiceError | None:
    """Who may submit now; the expense policy is checked at submit itself."""
    if claim.owner_id != actor.pk:
        return ServiceError(
            "not_owner", gettext("Only the owner can submit this claim."), status_code=403
        )
    if claim.status not in EDITABLE_CLAIM_STATES:
        return conflict(claim)
    return None


def review_refusal(actor: User, claim: Claim) -> ServiceError | None:
    """Return and reject; approve adds :func:`approve_refusal`'s second-approver rule."""
    if claim.owner_id == actor.pk:
        return ServiceError(
            "own_claim", gettext("Nobody can review their own claim."), status_code=403
        )
    states = reviewable_states(actor, claim)
    if not states:
        return ServiceError(
            "not_reviewer", gettext("You are not a reviewer of this claim."), status_code=403
        )
    if claim.status not in states:
        if claim.status == S.SUBMITTED:
            # Finance looking at a claim that is not theirs yet: not a lost race.
            return ServiceError(
                "awaiting_manager",
                gettext("This claim waits for the manager's approval first."),
                status_code=409,
            )
        return conflict(claim)
    return None


def approve_refusal(actor: User, claim: Claim) -> ServiceError | None:
    return review_refusal(actor, claim) or _second_approver_refusal(actor, claim)


def mark_paid_refusal(actor: User, claim: Claim) -> ServiceError | None:
    if not has_role(actor, Role.FINANCE):
        return ServiceError(
            "not_finance", gettext("Only finance can mark claims paid."), status_code=403
        )
    if claim.status != S.EXPORTED:
        return conflict(claim)
    return None


def manager_approver_id(claim: Claim) -> int | None:
    """Who gave the manager approval the claim now stands on: the latest one, since a
    returned claim goes through that step again."""
    return (
        AuditEvent.objects.filter(
            object_type="claim", object_id=str(claim.pk), action=f"claim.{S.MANAGER_APPROVED}"
        )
        .order_by("-created_at", "-id")
        .values_list("actor_id", flat=True)
        .first()
    )


def _second_approver_refusal(actor: User, claim: Claim) -> ServiceError | None:
    if not settings.REQUIRE_DISTINCT_APPROVERS or claim.status != S.MANAGER_APPROVED:
        return None
    if manager_approver_id(claim) != actor.pk:
        return None
    return ServiceError(
        "same_approver",
        gettext(
            "You gave this claim its manager approval; the finance approval must come "
            "from someone else."
        ),
        status_code=403,
    )


def _required_comment(comment: str) -> str:
    text = comment.strip()
    if not text:
        raise ServiceError("comment_required", gettext("Say why in a comment."))
    if len(text) > COMMENT_MAX:
        raise ServiceError(
            "comment_too_long",
            gettext("Keep the comment under %(max)d characters.") % {"max": COMMENT_MAX},
        )
    return text


def _move(claim: Claim, *, actor: User | None, to: str, action: str, comment: str = "") -> Claim:
    before = claim.status
    claim.status = to
    fields = ["status", "updated_at"]
    stamp = {
        S.SUBMITTED: "submitted_at",
        S.EXPORTED: "exported_at",
        S.PAID: "paid_at",
        **APPROVE_STAMP,
    }.get(S(to))
    if stamp is not None:
        setattr(claim, stamp, timezone.now())
        fields.append(stamp)
    claim.save(update_fields=fields)
    audit(
        actor=actor,
        action=action,
        obj=claim,
        before={"status": before},
        after={"status": to},
        comment=comment,
    )
    notify.claim_moved(claim=claim, actor=actor, to=to, comment=comment)
    return claim


def claim_recompute_total(*, claim: Claim) -> bool:
    """Set the total from the documents' extracted totals, each invoice once however
    many of its files the claim holds, each converted into the claim's currency (one
    without a rate is left out: totals never mix currencies); the caller holds the lock."""
    total = currency.claim_total(currency.claim_conversions(claim))
    if total == claim.total:
        return False
    claim.total = total
    claim.save(update_fields=["total", "updated_at"])
    return True


# --- the owner's edits ------------------------------------------------------------------


def claim_create(*, owner: User, title: str, currency: str = "CNY") -> Claim:
    title = mask_text(title)
    with transaction.atomic():
        claim = Claim.objects.create(owner=owner, title=title, currency=currency)
        audit(actor=owner, action="claim.created", obj=claim, after={"title": title})
    return claim


@transaction.atomic
def claim_update(
    *, actor: User, claim_id: int, title: str | None = None, currency: str | None = None
) -> Claim:
    claim = _lock(claim_id)
    refuse(edit_refusal(actor, claim))
    before = {"title": claim.title, "currency": claim.currency}
    changed: list[str] = []
    if title is not None:
        title = mask_text(title)
    if title is not None and title != claim.title:
        claim.title = title
        changed.append("title")
    if currency is not None and currency != claim.currency:
        claim.currency = currency
        changed.append("currency")
    if changed:
        claim.save(update_fields=[*changed, "updated_at"])
        audit(
            actor=actor,
            action="claim.updated",
            obj=claim,
            before=before,
            after={"title": claim.title, "currency": claim.currency},
        )
    return claim


@transaction.atomic
def claim_delete(*, actor: User, claim_id: int) -> None:
    """A draft goes away; its documents stay among the owner's unclaimed ones."""
    claim = _lock(claim_id)
    refuse(delete_refusal(actor, claim))
    audit(actor=actor, action="claim.deleted", obj=claim, before={"title": claim.title})
    claim.documents.update(claim=None)
    claim.delete()


@transaction.atomic
def claim_add_document(*, actor: User, claim_id: int, document_id: int) -> Claim:
    claim = _lock(claim_id)
    refuse(add_documents_refusal(actor, claim))
    document = Document.objects.select_for_update().get(pk=document_id, owner=actor)
    if document.status == Document.Status.SPLIT:
        raise ServiceError(
            "document_split",
            gettext(
                "This photo shows several documents, each read on its own: "
                "add those to the claim instead."
            ),
            status_code=409,
        )
    if document.claim_id not in (None, claim.pk):
        raise ServiceError(
            "document_in_other_claim",
            gettext("This document already belongs to another claim."),
            status_code=409,
        )
    document.claim = claim
    document.save(update_fields=["claim", "updated_at"])
    claim_recompute_total(claim=claim)
    audit(actor=actor, action="claim.document_added", obj=claim, after={"document": document.pk})
    return claim


# Removing and moving documents: claims are locked in id order, then the document, so
# two moves between the same claims never deadlock.


def _document_of(claim: Claim, document_id: int) -> Document:
    document = Document.objects.select_for_update().filter(pk=document_id).first()
    if document is None or document.claim_id != claim.pk:
        raise ServiceError(
            "document_not_in_claim",
            gettext("This document is not in claim %(claim)s (reload the claim).")
            % {"claim": claim.pk},
            status_code=409,
        )
    return document


@transaction.atomic
def claim_remove_document(*, actor: User, claim_id: int, document_id: int) -> Claim:
    """The document goes back to the employee's unclaimed documents."""
    claim = _lock(claim_id)
    refuse(remove_documents_refusal(actor, claim))
    document = _document_of(claim, document_id)
    document.claim = None
    document.save(update_fields=["claim", "updated_at"])
    claim_recompute_total(claim=claim)
    audit(actor=actor, action="claim.document_removed", obj=claim, before={"document": document.pk})
    return claim


@transaction.atomic
def claim_move_document(*, actor: User, claim_id: int, document_id: int, to_claim_id: int) -> Claim:
    """Move a document from one of the owner's editable claims to another; returns the
    claim it moved to."""
    if to_claim_id == claim_id:
        raise ServiceError(
            "same_claim", gettext("The document is already in this claim."), status_code=400
        )
    locked = {
        c.pk: c
        for c in Claim.objects.select_for_update()
        .filter(pk__in=[claim_id, to_claim_id])
        .order_by("pk")
    }
    source, target = locked.get(claim_id), locked.get(to_claim_id)
    if source is None or target is None or target.owner_id != actor.pk:
        # Someone else's claim is not named: it may as well not exist.
        raise Claim.DoesNotExist()
    refuse(remove_documents_refusal(actor, source))
    refuse(remove_documents_refusal(actor, target))
    document = _document_of(source, document_id)
    document.claim = target
    document.save(update_fields=["claim", "updated_at"])
    claim_recompute_total(claim=source)
    claim_recompute_total(claim=target)
    audit(
        actor=actor,
        action="claim.document_moved",
        obj=source,
        before={"document": document.pk},
        after={"claim": target.pk},
    )
    audit(
        actor=actor,
        action="claim.document_added",
        obj=target,
        after={"document": document.pk, "from_claim": source.pk},
    )
    return target


# --- transitions ------------------------------------------------------------------------


@transaction.atomic
def claim_submit(*, actor: User, claim_id: int) -> Claim:
    claim = _lock(claim_id)
    refuse(submit_refusal(actor, claim))
    claim_recompute_total(claim=claim)
    violations = policy.check_claim(claim)
    if violations:
        raise PolicyViolation(violations)
    return _move(claim, actor=actor, to=S.SUBMITTED, action="claim.submitted")


@transaction.atomic
def claim_approve(*, actor: User, claim_id: int, comment: str = "") -> Claim:
    claim = _lock(claim_id)
    refuse(approve_refusal(actor, claim))
    if len(comment) > COMMENT_MAX:
        raise ServiceError(
            "comment_too_long",
            gettext("Keep the comment under %(max)d characters.") % {"max": COMMENT_MAX},
        )
    target = APPROVE_TARGET[S(claim.status)]
    _move(claim, actor=actor, to=target, action=f"claim.{target}", comment=comment.strip())
    if target == S.FINANCE_APPROVED:
        export_items_create(claim=claim)
        webhook_queue_finance_approved(claim=claim)
    return claim


@transaction.atomic
def claim_return(*, actor: User, claim_id: int, comment: str) -> Claim:
    text = _required_comment(comment)
    claim = _lock(claim_id)
    refuse(review_refusal(actor, claim))
    return _move(claim, actor=actor, to=S.RETURNED, action="claim.returned", comment=text)


@transaction.atomic
def claim_reject(*, actor: User, claim_id: int, comment: str) -> Claim:
    text = _required_comment(comment)
    claim = _lock(claim_id)
    refuse(review_refusal(actor, claim))
    return _move(claim, actor=actor, to=S.REJECTED, action="claim.rejected", comment=text)


@transaction.atomic
def claim_mark_exported(*, actor: User | None, claim_id: int) -> bool:
    """finance_approved -> exported once every export item is acknowledged.

    Idempotent: False when the claim is not (or no longer) waiting for that.
    """
    claim = _lock(claim_id)
    if claim.status != S.FINANCE_APPROVED:
        return False
    pending = ExportItem.objects.filter(claim=claim, acknowledged_at__isnull=True).exists()
    if pending or not ExportItem.objects.filter(claim=claim).exists():
        return False
    _move(claim, actor=actor, to=S.EXPORTED, action="claim.exported")
    return True


@transaction.atomic
def claim_mark_paid(*, actor: User, claim_id: int) -> Claim:
    claim = _lock(claim_id)
    refuse(mark_paid_refusal(actor, claim))
    return _move(claim, actor=actor, to=S.PAID, action="claim.paid")


def claim_comment(*, actor: User, claim_id: int, text: str) -> Claim:
    """A remark on the claim's timeline; allowed in every state to anyone who sees it."""
    body = _required_comment(text)
    with transaction.atomic():
        claim = Claim.objects.get(pk=claim_id)
        audit(actor=actor, action="claim.commented", obj=claim, comment=body)
    return claim


# --- bulk -------------------------------------------------------------------------------


@dataclass
class BulkOutcome:
    approved: list[int] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)


def claims_bulk_approve(*, actor: User, claim_ids: Iterable[int], comment: str = "") -> BulkOutcome:
    """Approve each claim in its own transaction: one refusal does not undo the others."""
    ids = list(dict.fromkeys(claim_ids))
    if len(ids) > BULK_MAX:
        raise ServiceError(
            "too_many", gettext("Approve at most %(max)d claims at once.") % {"max": BULK_MAX}
        )
    visible = set(selectors.claim_list(user=actor).filter(pk__in=ids).values_list("pk", flat=True))
    outcome = BulkOutcome()
    for claim_id in ids:
        if claim_id not in visible:
            outcome.failed.append(
                {"id": claim_id, "code": "not_found", "message": gettext("Not found.")}
            )
            continue
        try:
            claim_approve(actor=actor, claim_id=claim_id, comment=comment)
        except ServiceError as exc:
            outcome.failed.append({"id": claim_id, "code": exc.code, "message": exc.message})
        except Claim.DoesNotExist:
            outcome.failed.append(
                {"id": claim_id, "code": "not_found", "message": gettext("Not found.")}
            )
        else:
            outcome.approved.append(claim_id)
    return outcome
