"""Thin task: send one stored webhook delivery; retry transient failures with backoff."""

from __future__ import annotations

from celery import Task, shared_task
from django.conf import settings

from reimbursements.exports import webhook
from reimbursements.tasks import backoff_delay


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def deliver_webhook(self: Task, delivery_id: str) -> str:
    try:
        return webhook.webhook_attempt(delivery_id=delivery_id)
    except webhook.RetryableDeliveryError as exc:
        if self.request.retries >= settings.EXPORT_WEBHOOK_MAX_RETRIES:
            return webhook.webhook_give_up(delivery_id=delivery_id, reason=str(exc))
        raise self.retry(
            exc=exc, countdown=backoff_delay(self.request.retries, base=5.0, cap=3600.0)
        ) from exc
