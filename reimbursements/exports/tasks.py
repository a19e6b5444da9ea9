"""Thin task: send one stored webhook delivery; transient failures are retried by Celery
(exponential backoff from 5 s up to an hour, full jitter) until the delivery gives up."""

from __future__ import annotations

from celery import Task, shared_task
from django.conf import settings

from reimbursements.exports import webhook
from reimbursements.tasks import RetriedTask


@shared_task(
    base=RetriedTask,
    bind=True,
    autoretry_for=(webhook.RetryableDeliveryError,),
    max_retries=None,
    retry_backoff=5,
    retry_backoff_max=3600,
)
def deliver_webhook(self: Task, delivery_id: str) -> str:
    try:
        return webhook.webhook_attempt(delivery_id=delivery_id)
    except webhook.RetryableDeliveryError as exc:
        if self.request.retries >= settings.EXPORT_WEBHOOK_MAX_RETRIES:
            return webhook.webhook_give_up(delivery_id=delivery_id, reason=str(exc))
        raise
