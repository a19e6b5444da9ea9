"""Delivery tasks: thin, idempotent (a sent channel is not sent again), retried with
Celery's exponential backoff and jitter while the failure is transient."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from reimbursements.notify import services
from reimbursements.notify.services import TransientDeliveryError


@shared_task(
    autoretry_for=(TransientDeliveryError,),
    retry_backoff=settings.NOTIFY_RETRY_BACKOFF_S,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=settings.NOTIFY_MAX_RETRIES,
    acks_late=True,
)
def send_notification_email(notification_id: int) -> str:
    return services.notification_send_email(notification_id=notification_id)


@shared_task(
    autoretry_for=(TransientDeliveryError,),
    retry_backoff=settings.NOTIFY_RETRY_BACKOFF_S,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=settings.NOTIFY_MAX_RETRIES,
    acks_late=True,
)
def send_wechat(notification_id: int) -> str:
    return services.notification_send_wechat(notification_id=notification_id)


@shared_task(acks_late=True)
def resend_stalled_notifications() -> int:
    """Periodic (Celery beat): deliveries whose message never reached a worker."""
    return services.notifications_resend_stalled(older_than_s=settings.NOTIFY_STALLED_AFTER_S)
