"""An employee fixes a claim before submitting it: removes a document, moves it to
another of their claims.

Both are owner-only and allowed only while the claims involved are editable (draft or
returned); a locked claim (approved, exported, paid, rejected) answers ``claim_locked``,
a claim in review ``conflict``. Claims are locked in id order, then the document, so two
moves between the same claims never deadlock.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext

from reimbursements.models import Claim, Document
from reimbursements.services import ServiceError, audit
from reimbursements.workflow import claim_recompute_total, refuse, remove_documents_refusal


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
    claim = Claim.objects.select_for_update().get(pk=claim_id)
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
