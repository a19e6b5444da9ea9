"""Webhook to the accounting system on finance approval: signed, stored, retried.

The body is serialised once and stored, so every retry sends the same bytes with the
same signature (``X-IA-Signature: sha256=<hex HMAC-SHA256 of the body>``) and the same
``X-IA-Delivery`` id, which the receiver uses to drop repeats.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import timedelta

import requests
from django.conf import settings
from django.utils import timezone

from reimbursements import enqueue
from reimbursements.models import Claim, ExportItem, WebhookDelivery

log = logging.getLogger(__name__)

DELIVER_TASK = "reimbursements.exports.tasks.deliver_webhook"

EVENT_FINANCE_APPROVED = "claim.finance_approved"
RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


class RetryableDeliveryError(Exception):
    """The receiver may accept later (timeout, 5xx, 429): retry with backoff."""


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_queue_finance_approved(*, claim: Claim) -> WebhookDelivery | None:
    """Store the delivery inside the approval transaction; send it after commit."""
    url = settings.EXPORT_WEBHOOK_URL
    if not url:
        return None
    delivery = WebhookDelivery(event=EVENT_FINANCE_APPROVED, claim=claim, url=url)
    items = [item.payload for item in ExportItem.objects.filter(claim=claim).order_by("id")]
    body = {
        "event": EVENT_FINANCE_APPROVED,
        "delivery": str(delivery.id),
        "created_at": timezone.now().isoformat(),
        "claim": {
            "id": claim.pk,
            "title": claim.title,
            "employee": claim.owner.get_username(),
            "total": str(claim.total),
            "currency": claim.currency,
            "approved_at": claim.finance_approved_at.isoformat()
            if claim.finance_approved_at
            else None,
        },
        "items": items,
    }
    delivery.body = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    delivery.save()
    delivery_id = str(delivery.id)
    # Broker down: the delivery stays pending; webhook_resend_pending() sends it later.
    enqueue.send_on_commit(DELIVER_TASK, delivery_id)
    return delivery


def webhook_attempt(*, delivery_id: str) -> str:
    """Send one delivery once; returns its status. Raises RetryableDeliveryError."""
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    if delivery.status != WebhookDelivery.Status.PENDING:
        return delivery.status
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "invoice-assistant-webhook/1",
        "X-IA-Event": delivery.event,
        "X-IA-Delivery": str(delivery.id),
        "X-IA-Signature": sign(body, settings.EXPORT_WEBHOOK_SECRET),
    }
    code: int | None = None
    error = ""
    try:
        response = requests.post(
            delivery.url,
            data=body,
            headers=headers,
            timeout=settings.EXPORT_WEBHOOK_TIMEOUT_S,
            allow_redirects=False,
        )
        code = response.status_code
    except requests.RequestException as exc:
        error = f"{type(exc).__name__}: {exc}"[:1000]
    ok = code is not None and 200 <= code < 300
    retry = code is None or code in RETRYABLE_STATUS
    if not ok and code is not None:
        error = f"HTTP {code}"
    status = (
        WebhookDelivery.Status.DELIVERED
        if ok
        else WebhookDelivery.Status.PENDING
        if retry
        else WebhookDelivery.Status.FAILED
    )
    WebhookDelivery.objects.filter(pk=delivery.pk, status=WebhookDelivery.Status.PENDING).update(
        attempts=delivery.attempts + 1,
        last_status_code=code,
        last_error=error,
        status=status,
        delivered_at=timezone.now() if ok else None,
    )
    if status == WebhookDelivery.Status.PENDING:
        raise RetryableDeliveryError(error)
    if status == WebhookDelivery.Status.FAILED:
        log.warning("webhook refused", extra={"delivery": delivery_id, "status_code": code})
    return status


def webhook_give_up(*, delivery_id: str, reason: str) -> str:
    WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING).update(
        status=WebhookDelivery.Status.FAILED, last_error=f"gave up: {reason}"[:1000]
    )
    log.warning("webhook delivery abandoned", extra={"delivery": delivery_id})
    return WebhookDelivery.Status.FAILED


def webhook_resend_pending(*, older_than_s: int = 600) -> int:
    """Re-enqueue deliveries stuck in 'pending' (broker was down, worker lost)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_s)
    ids = list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, created_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for delivery_id in ids:
        enqueue.send(DELIVER_TASK, str(delivery_id))
    return len(ids)
