"""What a notification says, rendered when it is shown or sent (in the active language)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from extraction.pii import mask_text
from reimbursements.models import Claim, Document, Notification

K = Notification.Kind


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str
    route: str  # the web app's route (hash path)
    miniprogram_page: str  # the mini-program page with its query

    @property
    def web_url(self) -> str:
        return f"{settings.SITE_URL.rstrip('/')}/#{self.route}"


def _document_name(document: Document) -> str:
    return (
        mask_text(document.original_filename)
        if document.original_filename
        else (_("document %(id)d") % {"id": document.pk})
    )


def _claim_title(notification: Notification) -> str:
    claim = notification.claim
    if claim is None:
        return ""
    head = _("Claim “%(title)s”") % {"title": claim.title}
    kind = notification.kind
    if kind == K.CLAIM_RETURNED:
        return _("%(claim)s was returned for changes") % {"claim": head}
    if kind == K.CLAIM_APPROVED:
        if notification.status == Claim.Status.MANAGER_APPROVED:
            return _("%(claim)s was approved by your manager") % {"claim": head}
        return _("%(claim)s was approved by finance") % {"claim": head}
    if kind == K.CLAIM_REJECTED:
        return _("%(claim)s was rejected") % {"claim": head}
    if kind == K.CLAIM_PAID:
        return _("%(claim)s was paid: %(amount)s %(currency)s") % {
            "claim": head,
            "amount": claim.total,
            "currency": claim.currency,
        }
    owner = claim.owner.get_full_name() or claim.owner.get_username()
    return _("%(claim)s of %(owner)s waits for your review") % {"claim": head, "owner": owner}


def _document_title(notification: Notification) -> str:
    document = notification.document
    if document is None:
        return ""
    name = _document_name(document)
    status = notification.status
    if status == Document.Status.NEEDS_REVIEW:
        return _("%(name)s was read; check its fields") % {"name": name}
    if status == Document.Status.INFECTED:
        return _("%(name)s was refused by the virus scan") % {"name": name}
    if status == Document.Status.REJECTED:
        return _("%(name)s was refused") % {"name": name}
    return _("%(name)s could not be read") % {"name": name}


def render(notification: Notification) -> Rendered:
    if notification.kind == K.DOCUMENT_ATTENTION:
        title = _document_title(notification)
        document_id = notification.document_id
        route = f"/documents/{document_id}"
        page = f"pages/document/index?id={document_id}"
    else:
        title = _claim_title(notification)
        claim_id = notification.claim_id
        route = (
            f"/review/{claim_id}" if notification.kind == K.CLAIM_WAITING else f"/claims/{claim_id}"
        )
        page = f"pages/claim/index?id={claim_id}"
    body = ""
    if notification.comment:
        body = _("Reason: %(comment)s") % {"comment": notification.comment}
    elif notification.kind == K.DOCUMENT_ATTENTION and notification.document is not None:
        error = notification.document.error
        body = mask_text(error) if error else ""
    return Rendered(title=title, body=body, route=route, miniprogram_page=page)


def short_status(notification: Notification) -> str:
    """A word or two for the status slot of a WeChat template (a "phrase": <= 5 chars)."""
    return {
        K.CLAIM_RETURNED: _("Returned"),
        K.CLAIM_APPROVED: _("Approved"),
        K.CLAIM_REJECTED: _("Rejected"),
        K.CLAIM_PAID: _("Paid"),
        K.CLAIM_WAITING: _("To review"),
        K.DOCUMENT_ATTENTION: _("Check"),
    }.get(K(notification.kind), notification.kind)
