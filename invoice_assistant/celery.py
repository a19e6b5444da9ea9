"""The Celery app. ``celery -A invoice_assistant worker`` uses whatever settings module
the environment selects (dev by default, like manage.py). What a worker does when it
starts belongs to the app that needs it (``reimbursements.worker_signals``)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "invoice_assistant.settings.dev")

app = Celery("invoice_assistant")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
