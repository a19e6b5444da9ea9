"""Tests: the real PostgreSQL, Redis and clamd of the test command.

Each concurrent test run may pick its own database and Redis db number
(``TEST_DB_NAME``, ``REDIS_URL``) so parallel runs never share state.
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/1")
# scripts/start-clamd.sh starts this one with the EICAR-only test signatures.
os.environ.setdefault("CLAMD_SOCKET", "/tmp/ia-clamd/clamd.sock")  # noqa: S108

from invoice_assistant.settings.base import *  # noqa: F403
from invoice_assistant.settings.base import CACHES, DATABASES, REST_FRAMEWORK, env

DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DB_NAME", default="test_invoice_assistant")}
DATABASES["default"]["CONN_MAX_AGE"] = 0
SECRET_KEY = "test-only-secret-key-not-for-production-0123456789abcdef"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False
LOG_JSON = True
WHITENOISE_AUTOREFRESH = True
# Tests share 127.0.0.1 and one Redis: no throttling unless a test turns it on, and a
# cache namespace per test database so parallel runs never see each other's keys.
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    scope: "100000/min" for scope in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
}
CACHES["default"]["KEY_PREFIX"] = DATABASES["default"]["TEST"]["NAME"]
# Tests change a dependency between two /readyz calls: probe every time.
READYZ_CACHE_S = 0
# Parallel test runs on one machine reuse user ids: each its own long-request slots.
LONG_REQUEST_LOCK_DIR = VAR_DIR / "long-requests" / DATABASES["default"]["TEST"]["NAME"]  # noqa: F405
