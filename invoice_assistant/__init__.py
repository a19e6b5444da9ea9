"""Django project package: settings, Celery app, URLs."""

from invoice_assistant.celery import app as celery_app

__all__ = ("celery_app",)
