"""What the asking user may do now with a claim or a document.

Each action is answered by one check, the same one its endpoint enforces: a check
returns the refusal the endpoint would answer (``ServiceError``) or ``None``. The lists
below are what the API sends as ``allowed_actions``, so a client shows exactly the
buttons the server will accept and never restates the rules itself.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User
from django.utils.translation import gettext

from reimbursements import workflow
from reimbursements.corrections import may_edit
from reimbursements.exports.selectors import can_export
from reimbursements.models import Claim, Document, Role
from reimbursements.roles import (
    has_role,
    manages_exchange_rates,
    reviews_claims,
    sees_everything,
)
from reimbursements.services import ServiceError
from reimbursements.warning_messages import status_label

# --- documents --------------------------------------------------------------------------

# No stored file to hand out: not scanned yet, or removed by the scan.
FILE_UNAVAILABLE_STATES = frozenset(
    {
        Document.Status.INFECTED,
        Document.Status.REJECTED,
        Document.Status.RECEIVED,
        Document.Status.SCANNING,
    }
)


def file_refusal(document: Document) -> ServiceError | None:
    if document.file and document.status not in FILE_UNAVAILABLE_STATES:
        return None
    return ServiceError(
        "file_unavailable",
        gettext("This file is not available (not scanned yet, or removed by the virus scan)."),
        status_code=404,
    )


def may_see_original(actor: User, document: Document) -> bool:
    """The unmasked file: its owner and holders of ``view_personal_data`` only."""
    return document.owner_id == actor.pk or actor.has_perm("reimbursements.view_personal_data")


def original_refusal(actor: User, document: Document) -> ServiceError | None:
    refusal = file_refusal(document)
    if refusal is None and not may_see_original(actor, document):
        refusal = ServiceError(
            "personal_data_forbidden",
            gettext("Viewing the original needs the 'view personal data' permission."),
            status_code=403,
        )
    return refusal


def file_copy(*, actor: User, document: Document, original: bool) -> str:
    """Which copy of the file ``actor`` gets: 'original' or 'masked' (personal numbers
    blacked out), or the refusal. Without a masked copy yet only those who may see the
    original get a file."""
    if original:
        workflow.refuse(original_refusal(actor, document))
        return "original"
    workflow.refuse(file_refusal(document))
    if document.masked_file:
        return "masked"
    if not may_see_original(actor, document):
        raise ServiceError(
            "masked_copy_pending",
            gettext("The masked copy is not ready yet; try again when processing finishes."),
            status_code=404,
        )
    return "original"


def retry_refusal(actor: User, document: Document) -> ServiceError | None:
    if document.owner_id != actor.pk and not sees_everything(actor):
        return ServiceError(
            "not_owner", gettext("Only the owner or finance can retry a document."), status_code=403
        )
    if document.status != Document.Status.FAILED:
        return ServiceError(
            "not_failed",
            gettext("Only failed documents can be retried; this one is %(status)s.")
            % {"status": status_label(document.status)},
            status_code=409,
        )
    if not document.file:
        return ServiceError("file_unavailable", gettext("The file is no longer available."))
    return None


def resolve_duplicate_refusal(actor: User, document: Document) -> ServiceError | None:
    if not has_role(actor, Role.FINANCE):
        return ServiceError(
            "not_finance", gettext("Only finance can resolve duplicate flags."), status_code=403
        )
    if document.duplicate_of_id is None or document.duplicate_resolved:
        return ServiceError(
            "conflict", gettext("This document has no open duplicate flag."), status_code=409
        )
    return None


Allowed = Callable[[User, Document], bool]


def _passes(check: Callable[[User, Document], ServiceError | None]) -> Allowed:
    return lambda actor, document: check(actor, document) is None


# action -> its check; each comment names the endpoint that enforces the same check.
DOCUMENT_ACTIONS: dict[str, Allowed] = {
    "edit": may_edit,  # PATCH/PUT documents/{id}/fields/
    "retry": _passes(retry_refusal),  # POST documents/{id}/retry/
    "resolve_duplicate": _passes(resolve_duplicate_refusal),  # POST .../resolve-duplicate/
    "view_original": _passes(original_refusal),  # GET documents/{id}/file/?original=1
}


DOCUMENT_ACTION_NAMES = tuple(DOCUMENT_ACTIONS)


def document_allowed_actions(*, actor: User, document: Document) -> list[str]:
    return [name for name, allowed in DOCUMENT_ACTIONS.items() if allowed(actor, document)]


def document_is_terminal(document: Document) -> bool:
    """Nothing more happens to it by itself: clients stop polling."""
    return document.status in Document.TERMINAL


# --- claims -----------------------------------------------------------------------------


def _comment_refusal(actor: User, claim: Claim) -> ServiceError | None:
    return None  # anyone who sees the claim, in every state


ClaimCheck = Callable[[User, Claim], ServiceError | None]

CLAIM_ACTIONS: dict[str, ClaimCheck] = {
    "edit": workflow.edit_refusal,  # PATCH claims/{id}/
    "delete": workflow.delete_refusal,  # DELETE claims/{id}/
    "add_documents": workflow.add_documents_refusal,  # POST claims/{id}/documents/, upload
    "remove_document": workflow.remove_documents_refusal,  # DELETE claims/{id}/documents/{d}/
    "move_document": workflow.remove_documents_refusal,  # POST claims/{id}/documents/{d}/move/
    "submit": workflow.submit_refusal,  # POST claims/{id}/submit/
    "approve": workflow.approve_refusal,  # POST claims/{id}/approve/ (and bulk-approve)
    "return": workflow.review_refusal,  # POST claims/{id}/return/
    "reject": workflow.review_refusal,  # POST claims/{id}/reject/
    "mark_paid": workflow.mark_paid_refusal,  # POST claims/{id}/mark-paid/
    "comment": _comment_refusal,  # POST claims/{id}/comments/
}


CLAIM_ACTION_NAMES = tuple(CLAIM_ACTIONS)


def claim_allowed_actions(*, actor: User, claim: Claim) -> list[str]:
    return [name for name, check in CLAIM_ACTIONS.items() if check(actor, claim) is None]


def claim_is_terminal(claim: Claim) -> bool:
    """Paid or rejected: nothing changes any more."""
    return claim.status in workflow.FINAL_CLAIM_STATES


# --- the signed-in user -----------------------------------------------------------------


def sees_spend(user: User) -> bool:
    """The spend dashboard: finance, admins and whoever may export."""
    return sees_everything(user) or can_export(user)


# action -> its check; each comment names the endpoint that enforces the same check.
USER_ACTIONS: dict[str, Callable[[User], bool]] = {
    "review": reviews_claims,  # GET review/queue/ holds claims only for these
    "export": can_export,  # GET exports/approved/, POST exports/acknowledge/
    "view_spend": sees_spend,  # GET dashboard/spend/
    "manage_exchange_rates": manages_exchange_rates,  # POST/DELETE exchange-rates/
}
USER_ACTION_NAMES = tuple(USER_ACTIONS)


def user_allowed_actions(*, user: User) -> list[str]:
    return [name for name, allowed in USER_ACTIONS.items() if allowed(user)]
