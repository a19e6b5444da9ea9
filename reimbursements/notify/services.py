"""Who hears of what, and the delivery of each notification (writes).

Callers are the claim workflow (``workflow._move``, every transition) and the document
status writer (``documents.lifecycle``). Rows are created inside the caller's
transaction; e-mail and WeChat go out from Celery tasks enqueued on commit, so a
rolled-back transition sends nothing, and a failed delivery never undoes one.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from extraction.pii import mask_text
from reimbursements import enqueue
from reimbursements.models import (
    Claim,
    Document,
    Notification,
    NotificationPreference,
    Profile,
    Role,
    Team,
    WeChatIdentity,
)
from reimbursements.notify.messages import render, short_status
from reimbursements.notify.wechat import (
    SubscribeClient,
    WeChatDeliveryError,
    WeChatRecipientError,
    wechat_configured,
)

logger = logging.getLogger(__name__)

EMAIL_TASK = "reimbursements.notify.tasks.send_notification_email"
WECHAT_TASK = "reimbursements.notify.tasks.send_wechat"

K = Notification.Kind
D = Notification.Delivery
S = Claim.Status

# The owner hears of these moves of their claim.
OWNER_KINDS: dict[str, str] = {
    S.RETURNED: K.CLAIM_RETURNED,
    S.MANAGER_APPROVED: K.CLAIM_APPROVED,
    S.FINANCE_APPROVED: K.CLAIM_APPROVED,
    S.REJECTED: K.CLAIM_REJECTED,
    S.PAID: K.CLAIM_PAID,
}
# Kinds also sent by e-mail and WeChat; the others live in the inbox (reviewers see their
# queue count there and in the nav).
EXTERNAL_KINDS = frozenset(
    {K.CLAIM_RETURNED, K.CLAIM_APPROVED, K.CLAIM_REJECTED, K.CLAIM_PAID, K.DOCUMENT_ATTENTION}
)
ATTENTION_STATUSES = frozenset(
    {
        Document.Status.NEEDS_REVIEW,
        Document.Status.FAILED,
        Document.Status.INFECTED,
        Document.Status.REJECTED,
    }
)


class TransientDeliveryError(Exception):
    """Worth another try later (Celery's autoretry backs off)."""


# --- who hears of what ------------------------------------------------------------------


def claim_moved(*, claim: Claim, actor: User | None, to: str, comment: str = "") -> None:
    """One claim transition: the owner hears of a decision, the next reviewers of work."""
    rows: list[Notification] = []
    kind = OWNER_KINDS.get(to)
    if kind is not None and claim.owner_id != getattr(actor, "pk", None):
        rows.append(_new(claim.owner, kind, actor=actor, claim=claim, status=to, comment=comment))
    for reviewer in _next_reviewers(claim, to=to, actor=actor):
        rows.append(_new(reviewer, K.CLAIM_WAITING, actor=actor, claim=claim, status=to))
    _store(rows)


def document_status_changed(*, document: Document, status: str) -> None:
    """A document that ended needing its owner's attention (check, or replace it)."""
    if status not in ATTENTION_STATUSES or document.pk is None:
        return
    owner = User.objects.filter(pk=document.owner_id).first()
    if owner is None:
        return
    _store([_new(owner, K.DOCUMENT_ATTENTION, document=document, status=status)])


def _next_reviewers(claim: Claim, *, to: str, actor: User | None) -> Iterable[User]:
    if to == S.SUBMITTED:
        reviewers = User.objects.filter(
            managed_teams__in=Team.objects.filter(members__pk=claim.owner_id),
            groups__name=Role.APPROVER,
        )
    elif to == S.MANAGER_APPROVED:
        reviewers = User.objects.filter(groups__name=Role.FINANCE)
    else:
        return []
    excluded = {claim.owner_id, getattr(actor, "pk", None)}
    return [u for u in reviewers.filter(is_active=True).distinct() if u.pk not in excluded]


def _language(user: User) -> str:
    """The person's chosen language, else the server's default for messages."""
    chosen = Profile.objects.filter(user=user).values_list("language", flat=True).first()
    return chosen or settings.NOTIFY_LANGUAGE


def _wants(user: User, channel: str) -> bool:
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference is None or bool(getattr(preference, channel))


def _new(
    recipient: User,
    kind: str,
    *,
    actor: User | None = None,
    claim: Claim | None = None,
    document: Document | None = None,
    status: str = "",
    comment: str = "",
) -> Notification:
    external = kind in EXTERNAL_KINDS and recipient.is_active
    email = external and bool(recipient.email) and _wants(recipient, "email")
    wechat = (
        external
        and wechat_configured()
        and _wants(recipient, "wechat")
        and WeChatIdentity.objects.filter(user=recipient).exists()
    )
    return Notification(
        recipient=recipient,
        kind=kind,
        actor=actor if actor is not None and actor.is_authenticated else None,
        claim=claim,
        document=document,
        status=status,
        comment=mask_text(comment),
        email_status=D.PENDING if email else D.SKIPPED,
        wechat_status=D.PENDING if wechat else D.SKIPPED,
    )


def _store(rows: list[Notification]) -> None:
    if not rows:
        return
    for row in rows:
        row.save()
    email_ids = [row.pk for row in rows if row.email_status == D.PENDING]
    wechat_ids = [row.pk for row in rows if row.wechat_status == D.PENDING]
    # Sent after commit: a rolled-back transition sends nothing; a broker outage never
    # undoes a committed one (notifications_resend_stalled sends them later).
    for notification_id in email_ids:
        enqueue.send_on_commit(EMAIL_TASK, notification_id)
    for notification_id in wechat_ids:
        enqueue.send_on_commit(WECHAT_TASK, notification_id)


def notifications_resend_stalled(*, older_than_s: int) -> int:
    """Enqueue again the deliveries never tried: their message was lost (the broker was
    down when the transition committed). A delivery that ran is never sent twice: the
    task checks the row's status under its lock."""
    since = timezone.now() - dt.timedelta(seconds=older_than_s)
    horizon = timezone.now() - dt.timedelta(days=1)  # old news is not worth an e-mail
    rows = Notification.objects.filter(created_at__lt=since, created_at__gte=horizon)
    email_ids = list(rows.filter(email_status=D.PENDING).values_list("pk", flat=True))
    wechat_ids = list(rows.filter(wechat_status=D.PENDING).values_list("pk", flat=True))
    for notification_id in email_ids:
        enqueue.send(EMAIL_TASK, notification_id)
    for notification_id in wechat_ids:
        enqueue.send(WECHAT_TASK, notification_id)
    return len(email_ids) + len(wechat_ids)


# --- the inbox --------------------------------------------------------------------------


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    from reimbursements.services import ServiceError

    notification = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if notification is None:
        raise ServiceError("not_found", _("Not found."), status_code=404)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notification_preference_set(
    *, user: User, email: bool | None = None, wechat: bool | None = None
) -> NotificationPreference:
    preference, _created = NotificationPreference.objects.get_or_create(user=user)
    if email is not None:
        preference.email = email
    if wechat is not None:
        preference.wechat = wechat
    preference.save()
    return preference


# --- delivery (called by the tasks) -----------------------------------------------------


def _claim_for_delivery(notification_id: int, channel: str) -> Notification | None:
    """The row, locked, when this channel still has to go out (tasks may run twice)."""
    notification = (
        Notification.objects.select_for_update(of=("self",))
        .select_related("recipient", "claim", "claim__owner", "document")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None or getattr(notification, f"{channel}_status") not in (
        D.PENDING,
        D.FAILED,
    ):
        return None
    return notification


def _record(notification: Notification, channel: str, *, status: str, error: str = "") -> None:
    setattr(notification, f"{channel}_status", status)
    setattr(notification, f"{channel}_error", mask_text(error)[:500])
    setattr(notification, f"{channel}_attempts", getattr(notification, f"{channel}_attempts") + 1)
    notification.save(
        update_fields=[f"{channel}_status", f"{channel}_error", f"{channel}_attempts"]
    )


def notification_send_email(*, notification_id: int) -> str:
    with transaction.atomic():
        notification = _claim_for_delivery(notification_id, "email")
        if notification is None:
            return "nothing to send"
        recipient = notification.recipient
        with translation.override(_language(notification.recipient)):
            rendered = render(notification)
            lines = [rendered.title, ""]
            if rendered.body:
                lines += [rendered.body, ""]
            lines += [
                _("Open it: %(url)s") % {"url": rendered.web_url},
                "",
                _("You receive these e-mails from Invoice Assistant; turn them off in its inbox."),
            ]
        message = EmailMessage(
            subject=rendered.title,
            body="\n".join(lines),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[recipient.email],
        )
        try:
            message.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            _record(notification, "email", status=D.FAILED, error=f"refused: {exc}")
            return "refused"
        except (smtplib.SMTPException, OSError) as exc:
            _record(notification, "email", status=D.FAILED, error=f"{type(exc).__name__}: {exc}")
            failure: Exception = exc
        else:
            _record(notification, "email", status=D.SENT)
            return "sent"
    raise TransientDeliveryError(str(failure)) from failure


def notification_send_wechat(*, notification_id: int) -> str:
    with transaction.atomic():
        notification = _claim_for_delivery(notification_id, "wechat")
        if notification is None:
            return "nothing to send"
        identity = (
            WeChatIdentity.objects.filter(user=notification.recipient).order_by("-pk").first()
        )
        if identity is None or not wechat_configured():
            _record(notification, "wechat", status=D.SKIPPED, error="no WeChat identity")
            return "skipped"
        with translation.override(_language(notification.recipient)):
            rendered = render(notification)
            status_text = short_status(notification)
        try:
            SubscribeClient.from_settings().send(
                openid=identity.openid,
                page=rendered.miniprogram_page,
                values={
                    "title": rendered.title,
                    "status": status_text,
                    "time": timezone.localtime(notification.created_at).strftime("%Y-%m-%d %H:%M"),
                    "note": rendered.body or rendered.title,
                },
            )
        except WeChatRecipientError as exc:
            _record(notification, "wechat", status=D.FAILED, error=str(exc))
            return "refused"
        except WeChatDeliveryError as exc:
            _record(notification, "wechat", status=D.FAILED, error=str(exc))
            failure: Exception = exc
        else:
            _record(notification, "wechat", status=D.SENT)
            return "sent"
    raise TransientDeliveryError(str(failure)) from failure
