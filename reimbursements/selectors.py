"""Reads. Every query that depends on who is asking goes through here."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from reimbursements.models import AuditEvent, Claim, Document
from reimbursements.roles import Role, has_role, sees_everything


def _visibility(user: User | AnonymousUser, owner_field: str) -> Q:
    if sees_everything(user):
        return Q()
    condition = Q(**{owner_field: user.pk})
    if has_role(user, Role.APPROVER):
        condition |= Q(**{f"{owner_field}__teams__manager": user.pk})
    return condition


def document_list(*, user: User | AnonymousUser) -> QuerySet[Document]:
    return (
        Document.objects.filter(_visibility(user, "owner"))
        .distinct()
        .select_related("owner", "claim")
        .prefetch_related("scans")
    )


def document_get(*, user: User | AnonymousUser, document_id: int) -> Document:
    """Raises ``Document.DoesNotExist`` for documents the user may not see (-> 404)."""
    return document_list(user=user).get(pk=document_id)


def claim_list(*, user: User | AnonymousUser) -> QuerySet[Claim]:
    return Claim.objects.filter(_visibility(user, "owner")).distinct().select_related("owner")


def claim_get(*, user: User | AnonymousUser, claim_id: int) -> Claim:
    return claim_list(user=user).get(pk=claim_id)


def audit_events_for(*, object_type: str, object_id: int | str) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=object_type, object_id=str(object_id))


def documents_pending_scan() -> QuerySet[Document]:
    return Document.objects.filter(status__in=[Document.Status.RECEIVED, Document.Status.SCANNING])


# Statuses of a document that still waits for a worker, and of those ahead of it.
_WAITING = (Document.Status.RECEIVED, Document.Status.SCANNING, Document.Status.CLEAN)
_IN_LINE = (*_WAITING, Document.Status.PROCESSING)


def document_queue_position(*, document: Document) -> int | None:
    """How many documents are ahead of this one, while it waits for a worker: those
    uploaded before it (by anyone) that are still waiting or being read. Workers take
    documents in about upload order, so this is the employee's place in line; ``None``
    once its own reading has started or ended. One count on the status index."""
    if document.status not in _WAITING:
        return None
    return Document.objects.filter(status__in=_IN_LINE, pk__lt=document.pk).count()
