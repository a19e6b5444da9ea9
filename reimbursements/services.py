"""Writes shared by every resource: the audit row, the refusal a service raises. A
document's writes live in ``reimbursements.documents``, a claim's in
``reimbursements.workflow``.

Each state change is one atomic function: lock, check, save, audit, enqueue on commit.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.models import User

from extraction.pii import mask_text
from reimbursements.models import (
    AuditEvent,
    Claim,
    Document,
)

log = logging.getLogger(__name__)

EDITABLE_CLAIM_STATES = frozenset({Claim.Status.DRAFT, Claim.Status.RETURNED})


class ServiceError(Exception):
    """A request that is understood but not allowed now (maps to 400/409)."""

    status_code = 400

    def __init__(self, code: str, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        if status_code is not None:
            self.status_code = status_code


def audit(
    *,
    actor: User | None,
    action: str,
    obj: Document | Claim,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    comment: str = "",
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.model_name or obj.__class__.__name__.lower(),
        object_id=str(obj.pk),
        before=before,
        after=after,
        # Every comment (reviewers' reasons, timeline remarks) is stored here: one place
        # to keep personal numbers people type out of the timeline and exports.
        comment=mask_text(comment),
    )
