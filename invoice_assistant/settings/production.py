"""Production: every secret from the environment; refuses to start without clamd.

Required: DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL, REDIS_URL and
CLAMD_SOCKET or CLAMD_HOST. ``manage.py check --deploy`` passes with these set.
"""

from django.core.exceptions import ImproperlyConfigured

from invoice_assistant.settings.base import *  # noqa: F403
from invoice_assistant.settings.base import CLAMD_CONFIGURED, DATABASES, REDIS_URL, env

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-"):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set to a random string of >= 50 chars")
if not CLAMD_CONFIGURED:
    raise ImproperlyConfigured(
        "production refuses to start without virus scanning: set CLAMD_SOCKET or "
        "CLAMD_HOST (+ CLAMD_PORT) to a running clamd"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    raise ImproperlyConfigured("production needs DATABASE_URL pointing at PostgreSQL")
if not REDIS_URL:
    raise ImproperlyConfigured("production needs REDIS_URL (Celery broker and cache)")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# Probes from the orchestrator hit the container over plain HTTP; /metrics is not exempt
# (it is served over HTTPS like everything else, behind its token or address list).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
