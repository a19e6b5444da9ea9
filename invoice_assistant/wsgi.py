"""WSGI entry point (gunicorn invoice_assistant.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "invoice_assistant.settings.dev")
application = get_wsgi_application()
