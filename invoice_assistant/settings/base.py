"""Settings shared by every environment, configured from the environment.

Embedded defaults (SQLite, a filesystem broker, local private media) let the product
run with no external service; ``DATABASE_URL``, ``REDIS_URL`` and ``CLAMD_*`` switch to
PostgreSQL, Redis and ClamAV. Bad values fail at start-up with a clear message.
"""

from __future__ import annotations

import datetime as _dt
import ipaddress as _ipaddress
from pathlib import Path
from typing import Any

import csp.constants as _csp
import django_stubs_ext
import environ
from django.core.exceptions import ImproperlyConfigured

# Lets runtime code subscript generic Django classes (ModelAdmin[Model]) for mypy.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("IA_VAR_DIR", default=str(BASE_DIR / "var")))
# The SQLite database, the secret key, queued messages and uploads live here: owner only.
VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)

env = environ.Env()


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = env.str(name, default=str(default))
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be >= {minimum}, got {value}")
    return value


SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-insecure-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "reimbursements",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "invoice_assistant.middleware.RequestIdMiddleware",
    "invoice_assistant.metrics.MetricsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language from Accept-Language; a signed-in person's own choice wins later.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "reimbursements.language.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as axes asks: turns a locked-out sign-in into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "invoice_assistant.urls"
WSGI_APPLICATION = "invoice_assistant.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "invoice_assistant" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite would create the file with the process umask (0644: every claim readable by
    # any account on the machine); made here first, owner-only. Its journals copy the mode.
    _sqlite_path = Path(str(DATABASES["default"]["NAME"] or ":memory:"))
    if str(_sqlite_path) != ":memory:" and _sqlite_path.parent.is_dir():
        _sqlite_path.touch(mode=0o600, exist_ok=True)
    # A web process and a worker share the file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Parameters bound by the server, and a statement run 5 times on a connection is
    # prepared there: PostgreSQL then skips parsing and planning it. Measured on a cache
    # hit: the duplicate lookup 0.72 -> 0.12 ms, the one-statement insert 1.48 -> 0.89 ms.
    # Behind a transaction-pooling PgBouncer older than 1.21, set it to false.
    if env.bool("DB_SERVER_SIDE_BINDING", default=True):
        DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = env_int("DB_PREPARE_THRESHOLD", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker + cache ------------------------------------------------------------
REDIS_URL: str | None = env.str("REDIS_URL", default="") or None
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL must be a redis:// URL, got {REDIS_URL!r}")

CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "invoice_assistant.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="ia"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Celery ---------------------------------------------------------------------------
BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
    CELERY_RESULT_BACKEND = None
else:
    # kombu's filesystem transport: a broker with no server, for the embedded defaults.
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {
        "data_folder_in": str(BROKER_DIR / "out"),
        "data_folder_out": str(BROKER_DIR / "out"),
        "control_folder": str(BROKER_DIR / "control"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
    }
    BROKER_DIR.mkdir(mode=0o700, exist_ok=True)
    for _folder in ("out", "control", "processed"):
        (BROKER_DIR / _folder).mkdir(mode=0o700, exist_ok=True)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Workers log through the LOGGING config above (and so through the PII filter).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "reimbursements.tasks.scan_document": {"queue": "default"},
    "reimbursements.tasks.process_document": {"queue": "cpu"},
    "reimbursements.tasks.process_document_gpu": {"queue": "gpu"},
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must not hang an upload request when the broker is down: fail fast, keep
# the document in 'received', and let the sweeper enqueue it when the broker is back.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
# The sweeper re-enqueues documents that made no progress for this long. It must be
# longer than a scan retry delay and a task's hard limit, or it races live work.
SWEEP_STUCK_AFTER_S = env_int("SWEEP_STUCK_AFTER_S", 600, minimum=1)
# A scan or extraction that is running refreshes its document's heartbeat this often;
# a document scanning/processing whose heartbeat is older than the in-flight deadline
# lost its worker and is re-queued without waiting for SWEEP_STUCK_AFTER_S. The
# embedded broker loses the message of a worker that dies, so there the sweeper runs
# often enough to recover within a minute; with Redis a dead pool process's message is
# redelivered at once and the sweeper only backs up a whole worker's death.
RUN_HEARTBEAT_S = env_int("RUN_HEARTBEAT_S", 5, minimum=1)
SWEEP_INFLIGHT_STUCK_AFTER_S = env_int("SWEEP_INFLIGHT_STUCK_AFTER_S", 30, minimum=1)
if SWEEP_INFLIGHT_STUCK_AFTER_S < 3 * RUN_HEARTBEAT_S:
    raise ImproperlyConfigured(
        "SWEEP_INFLIGHT_STUCK_AFTER_S must be at least 3 x RUN_HEARTBEAT_S, or a live run "
        "whose heartbeat is a little late is run twice"
    )
SWEEP_INTERVAL_S = env_int("SWEEP_INTERVAL_S", 60 if REDIS_URL else 10, minimum=1)
# A scan or an extraction that started this many times without ending (its worker
# killed, a time limit hit) fails the document with a reason instead of another try.
MAX_UNFINISHED_ATTEMPTS = env_int("MAX_UNFINISHED_ATTEMPTS", 3, minimum=1)
CELERY_BEAT_SCHEDULE = {
    "sweep-stuck-documents": {
        "task": "reimbursements.tasks.sweep_stuck_documents",
        "schedule": float(SWEEP_INTERVAL_S),
        "options": {"queue": "default", "expires": float(SWEEP_INTERVAL_S)},
    },
}
# Longest task (a VLM batch) is bounded by its hard time limit; the visibility timeout
# must exceed it or Redis redelivers a message that is still being worked on.
TASK_SOFT_TIME_LIMIT_S = env_int("TASK_SOFT_TIME_LIMIT_S", 300, minimum=1)
TASK_HARD_TIME_LIMIT_S = env_int("TASK_HARD_TIME_LIMIT_S", 360, minimum=1)
BROKER_VISIBILITY_TIMEOUT_S = env_int("BROKER_VISIBILITY_TIMEOUT_S", 3600, minimum=1)
if BROKER_VISIBILITY_TIMEOUT_S <= TASK_HARD_TIME_LIMIT_S:
    raise ImproperlyConfigured("BROKER_VISIBILITY_TIMEOUT_S must exceed TASK_HARD_TIME_LIMIT_S")
CELERY_TASK_SOFT_TIME_LIMIT = TASK_SOFT_TIME_LIMIT_S
# A pool process whose resident memory grew past this is replaced once its task ends
# (the OCR engine alone is ~0.7 GB; 0 turns it off); and after this many tasks (0: never).
WORKER_MAX_MEMORY_MB = env_int("WORKER_MAX_MEMORY_MB", 1536, minimum=0)
WORKER_MAX_TASKS_PER_CHILD = env_int("WORKER_MAX_TASKS_PER_CHILD", 0, minimum=0)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = WORKER_MAX_MEMORY_MB * 1024 or None  # Celery counts KiB
CELERY_WORKER_MAX_TASKS_PER_CHILD = WORKER_MAX_TASKS_PER_CHILD or None
CELERY_TASK_TIME_LIMIT = TASK_HARD_TIME_LIMIT_S
if REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": BROKER_VISIBILITY_TIMEOUT_S}

# --- Files ----------------------------------------------------------------------------
# Private media: never served by a public URL, only through authorised views.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media-not-public/"
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(mode=0o700, parents=True, exist_ok=True)
STATICFILES_DIRS = [p for p in [BASE_DIR / "frontend" / "web" / "dist"] if p.is_dir()]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# --- Intake ---------------------------------------------------------------------------
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024, minimum=1)
# Django refuses bigger request bodies before our handler sees them; leave room for
# the multipart envelope so our own, clearer 413 answers first.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_HANDLERS = ["reimbursements.intake.LimitedUploadHandler"]
PDF_MAX_PAGES = env_int("PDF_MAX_PAGES", 20, minimum=1)
# Documents one upload may become: members of a zip batch, invoices cut out of one PDF.
UPLOAD_MAX_DOCUMENTS = env_int("UPLOAD_MAX_DOCUMENTS", 100, minimum=1)
# Images Pillow decodes in full (PNG, TIFF, WEBP, HEIC...): bounds their decoded memory.
IMAGE_MAX_PIXELS = env_int("IMAGE_MAX_PIXELS", 50_000_000, minimum=1)
# JPEG photos (decoded at reduced scale, see extraction.images) up to this many pixels;
# also the decompression-bomb limit while any image is opened.
IMAGE_MAX_DECODE_PIXELS = env_int("IMAGE_MAX_DECODE_PIXELS", 200_000_000, minimum=1)
# "delete" removes an infected file; "quarantine" keeps it where no view can reach it.
INFECTED_FILE_POLICY = env.str("INFECTED_FILE_POLICY", default="delete")
if INFECTED_FILE_POLICY not in {"delete", "quarantine"}:
    raise ImproperlyConfigured("INFECTED_FILE_POLICY must be 'delete' or 'quarantine'")

# --- ClamAV ---------------------------------------------------------------------------
CLAMD_SOCKET: str | None = env.str("CLAMD_SOCKET", default="") or None
CLAMD_HOST: str | None = env.str("CLAMD_HOST", default="") or None
CLAMD_PORT = env_int("CLAMD_PORT", 3310, minimum=1)
CLAMD_TIMEOUT_S = env_int("CLAMD_TIMEOUT_S", 30, minimum=1)
# clamd's StreamMaxLength; a larger file is rejected, never skipped.
CLAMD_STREAM_MAX_BYTES = env_int("CLAMD_STREAM_MAX_BYTES", 25 * 1024 * 1024, minimum=1)
CLAMD_CONFIGURED = bool(CLAMD_SOCKET or CLAMD_HOST)
SCAN_RETRY_MAX_DELAY_S = env_int("SCAN_RETRY_MAX_DELAY_S", 300, minimum=1)
# Without a scanner, documents wait in 'scanning' (fail closed). Only the dev settings
# may turn this off, and then every API answer says scanning is unavailable.
SCAN_REQUIRED = env.bool("SCAN_REQUIRED", default=True)
# A clean verdict for identical bytes is reused for this long (cache-hit uploads).
SCAN_REUSE_MAX_AGE_S = env_int("SCAN_REUSE_MAX_AGE_S", 24 * 3600, minimum=0)
QUARANTINE_ROOT = Path(env.str("QUARANTINE_ROOT", default=str(VAR_DIR / "quarantine")))

# --- Workflow -------------------------------------------------------------------------
# Separation of duties: the manager and the finance approval of one claim must come from
# two different people, also when one user holds both roles.
REQUIRE_DISTINCT_APPROVERS = env.bool("REQUIRE_DISTINCT_APPROVERS", default=True)

# --- Extraction -----------------------------------------------------------------------
EXTRACTION_ENGINE = env.str("EXTRACTION_ENGINE", default="auto")
OCR_THREADS = env_int("OCR_THREADS", 2, minimum=1)
# OCR model generation: "v6" (PP-OCRv6, PyPI rapidocr 3.x) or "v4" (PP-OCRv4,
# rapidocr-onnxruntime); both read the model files inside their wheels.
OCR_MODEL = env.str("OCR_MODEL", default="v6")
if OCR_MODEL not in ("v6", "v4"):
    raise ImproperlyConfigured(f"OCR_MODEL must be v6 or v4, got {OCR_MODEL!r}")
# A key field read once goes straight through when its calibrated confidence (the share
# right of fields with the same evidence) reaches this (extraction.review's
# DEFAULT_MIN_CONFIDENCE, measured by bench/calibrate.py).
STRAIGHT_THROUGH_MIN_CONFIDENCE = env.float("STRAIGHT_THROUGH_MIN_CONFIDENCE", default=0.98)
# Above 1: no confidence is enough, only verification counts.
if not 0.5 <= STRAIGHT_THROUGH_MIN_CONFIDENCE <= 1.01:
    raise ImproperlyConfigured(
        "STRAIGHT_THROUGH_MIN_CONFIDENCE must be between 0.5 and 1.01, got "
        f"{STRAIGHT_THROUGH_MIN_CONFIDENCE!r}"
    )
# Niceness added to Celery pool processes, so that on a machine shared with the web
# server, requests get the CPU before background extraction (0 turns it off).
WORKER_NICE = env_int("WORKER_NICE", 10, minimum=0)
VLM_MODEL_PATH: str | None = env.str("VLM_MODEL_PATH", default="") or None
VLM_ADAPTER_PATH: str | None = env.str("VLM_ADAPTER_PATH", default="") or None
VLM_DEVICE = env.str("VLM_DEVICE", default="auto")
VLM_BATCH_SIZE = env_int("VLM_BATCH_SIZE", 8, minimum=1)
VLM_MAX_PIXELS = env_int("VLM_MAX_PIXELS", 1024 * 1024, minimum=1)
if VLM_BATCH_SIZE > 16:
    raise ImproperlyConfigured("VLM_BATCH_SIZE above 16 risks GPU OOM; use more workers")
VLM_TIMEOUT_S = env_int("VLM_TIMEOUT_S", 120, minimum=1)
# After this many inference timeouts in a row a GPU worker exits to be restarted.
VLM_TIMEOUT_THRESHOLD = env_int("VLM_TIMEOUT_THRESHOLD", 5, minimum=1)
# Only for tests and experiments: let a CPU-only worker consume the gpu queue.
VLM_ALLOW_CPU_GPU_QUEUE = env.bool("VLM_ALLOW_CPU_GPU_QUEUE", default=False)
REMOTE_VLM_BASE_URL: str | None = env.str("REMOTE_VLM_BASE_URL", default="") or None
REMOTE_VLM_MODEL: str | None = env.str("REMOTE_VLM_MODEL", default="") or None
REMOTE_VLM_API_KEY: str | None = env.str("REMOTE_VLM_API_KEY", default="") or None

# --- Auth / API -----------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/admin/login/"
# How many reverse proxies of ours stand in front of Django, each appending to
# X-Forwarded-For. 0: clients connect directly and the header is ignored (a client can
# write anything there). Login limits and API throttles both take the client address from it.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AUTHENTICATION_BACKENDS = [
    # Refuses a sign-in while its account or address is locked out, before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failed sign-ins (API token, web form, admin, WeChat binding) counted in the cool-off
# window: one account from one address, one account from anywhere, one address for any
# account. Reaching a limit answers 429 until the window has passed since the last failure.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_ACCOUNT_FAILURE_LIMIT = env_int("LOGIN_ACCOUNT_FAILURE_LIMIT", 20, minimum=0)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 50, minimum=0)
LOGIN_COOLOFF_MINUTES = env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1)
AXES_HANDLER = "reimbursements.login_protection.LoginFailureHandler"
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_LOCKOUT_PARAMETERS: list[Any] = [["username", "ip_address"], "username", "ip_address"]
AXES_COOLOFF_TIME = _dt.timedelta(minutes=LOGIN_COOLOFF_MINUTES)
# A refused attempt during a lockout does not restart the cool-off: "try again in 15
# minutes" stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "invoice_assistant.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "reimbursements.login_protection.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["username", "password", "ip_address", "binding_code"]
# API tokens (django-rest-knox): stored as SHA-512 digests, one per sign-in (device),
# expiring TOKEN_TTL_HOURS after issue; a password change revokes them all.
TOKEN_TTL_HOURS = env_int("TOKEN_TTL_HOURS", 30 * 24, minimum=1)
# Sign-ins beyond this many live tokens per user retire the oldest.
TOKEN_MAX_PER_USER = env_int("TOKEN_MAX_PER_USER", 10, minimum=1)
# knox's token model is swappable: named integration tokens point at it by this setting.
KNOX_TOKEN_MODEL = "knox.AuthToken"  # noqa: S105 (a model name, not a secret)
REST_KNOX = {
    "TOKEN_TTL": _dt.timedelta(hours=TOKEN_TTL_HOURS),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
REST_FRAMEWORK: dict[str, Any] = {
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "reimbursements.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "reimbursements.api.pagination.ListPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "reimbursements.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("API_RATE_USER", default="600/min"),
        "anon": env.str("API_RATE_ANON", default="60/min"),
        "upload": env.str("API_RATE_UPLOAD", default="120/min"),
        "login": env.str("API_RATE_LOGIN", default="20/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Invoice Assistant API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own static files (the pinned drf-spectacular-sidecar), not the
    # CDN's @latest: /api/docs/ works offline and runs no code we did not ship.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Content-Security-Policy ----------------------------------------------------------
# Every page loads code and styles from this origin only; the few inline <script> and
# <style> blocks of our templates (and the API docs' start-up script) carry the
# per-request nonce. Images may also be data: (Swagger UI's icons) and blob: (the web
# app shows a downloaded document from an object URL). A stored file is served with its
# own stricter policy (DocumentFileView), which the middleware leaves in place.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_csp.SELF],
        "script-src": [_csp.SELF, _csp.NONCE],
        "style-src": [_csp.SELF, _csp.NONCE],
        "img-src": [_csp.SELF, "data:", "blob:"],
        "font-src": [_csp.SELF, "data:"],
        "connect-src": [_csp.SELF],
        "object-src": [_csp.NONE],
        "base-uri": [_csp.SELF],
        "form-action": [_csp.SELF],
        "frame-ancestors": [_csp.NONE],
    }
}

# --- Operations endpoints ---------------------------------------------------------------
# /metrics, and /readyz's per-check details, answer a bearer token (METRICS_TOKEN) or a
# client in METRICS_ALLOWED_IPS (addresses or CIDR networks; the TCP peer's address, so
# behind a proxy use the token). Anyone else gets 403 from /metrics and only
# {"ready": ...} from /readyz.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
if METRICS_TOKEN and len(METRICS_TOKEN) < 16:
    raise ImproperlyConfigured("METRICS_TOKEN must be at least 16 characters when set")
METRICS_ALLOWED_IPS: list[str] = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
try:
    METRICS_ALLOWED_NETWORKS = tuple(
        _ipaddress.ip_network(value.strip(), strict=False) for value in METRICS_ALLOWED_IPS
    )
except ValueError as _exc:
    raise ImproperlyConfigured(f"METRICS_ALLOWED_IPS: {_exc}") from _exc
# /readyz probes its dependencies at most once per this many seconds (0: every call);
# concurrent calls share one probe instead of each holding a thread for it.
READYZ_CACHE_S = env_int("READYZ_CACHE_S", 5, minimum=0)
# Long requests (uploads, /api/v1/inference, file and export downloads) one user may have
# in flight on one host; more answer 429. Keep it below gunicorn's --threads, so one
# account can never hold every thread of a web process.
LONG_REQUESTS_PER_USER = env_int("LONG_REQUESTS_PER_USER", 3, minimum=1)
LONG_REQUEST_LOCK_DIR = Path(
    env.str("LONG_REQUEST_LOCK_DIR", default=str(VAR_DIR / "long-requests"))
)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
# Compiled catalogues are committed next to their .po (locale/README.md says how to
# update them), so a fresh machine needs no gettext tools.
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_JSON = env.bool("LOG_JSON", default=True)
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "invoice_assistant.logging.RequestIdFilter"},
        "pii": {"()": "invoice_assistant.log_filters.PiiMaskingFilter"},
    },
    "formatters": {
        "json": {"()": "invoice_assistant.logging.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_JSON else "plain",
            # Every line is desensitised: ID, bank-card and phone numbers never reach a log.
            "filters": ["request_id", "pii"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"level": "WARNING"},
    },
}

# === Workflow, submit-time policy and accounting export (issue 7) =====================
import json as _json  # noqa: E402
from decimal import Decimal as _Decimal  # noqa: E402
from decimal import InvalidOperation as _InvalidOperation  # noqa: E402

EXPENSE_CATEGORIES = ("travel", "lodging", "meals", "transport", "office", "other")


def env_json(name: str, default: Any) -> Any:
    raw = env.str(name, default="")
    if not raw:
        return default
    try:
        return _json.loads(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be JSON: {exc}") from exc


# Invoices older than this (days before submission) are refused at submit.
CLAIM_MAX_INVOICE_AGE_DAYS = env_int("CLAIM_MAX_INVOICE_AGE_DAYS", 180, minimum=1)
CLAIM_REQUIRED_FIELDS: list[str] = env.list(
    "CLAIM_REQUIRED_FIELDS", default=["issue_date", "total_amount", "seller_name"]
)
# Per-invoice limit by expense category and the owner's role, in the claim's currency:
# {"meals": {"employee": "300.00", "approver": "600.00", "*": "300.00"}, ...}. A user
# with several roles gets the highest of their limits; "*" applies to any other role;
# a category without an entry has no limit.
CLAIM_AMOUNT_LIMITS: dict[str, dict[str, str]] = env_json(
    "CLAIM_AMOUNT_LIMITS",
    {
        "travel": {"*": "5000.00", "approver": "10000.00"},
        "lodging": {"*": "800.00", "approver": "1500.00"},
        "meals": {"*": "500.00", "approver": "1000.00"},
        "transport": {"*": "500.00", "approver": "1000.00"},
        "office": {"*": "2000.00", "approver": "5000.00"},
        "other": {"*": "2000.00", "approver": "5000.00"},
    },
)
if not isinstance(CLAIM_AMOUNT_LIMITS, dict):
    raise ImproperlyConfigured("CLAIM_AMOUNT_LIMITS must be a JSON object")
for _category, _limits in CLAIM_AMOUNT_LIMITS.items():
    if _category not in EXPENSE_CATEGORIES or not isinstance(_limits, dict):
        raise ImproperlyConfigured(
            f"CLAIM_AMOUNT_LIMITS: {_category!r} must be one of {EXPENSE_CATEGORIES} "
            "mapping role -> amount"
        )
    for _role, _amount in _limits.items():
        try:
            if _Decimal(str(_amount)) < 0:
                raise _InvalidOperation
        except _InvalidOperation as _exc:
            raise ImproperlyConfigured(
                f"CLAIM_AMOUNT_LIMITS[{_category!r}][{_role!r}] must be an amount >= 0"
            ) from _exc

# Voucher (Kingdee / Yonyou import) accounts: expense account per category, the input
# VAT account for deductible invoices, and the employee payable that is credited.
VOUCHER_ACCOUNTS: dict[str, dict[str, str]] = env_json(
    "VOUCHER_ACCOUNTS",
    {
        "travel": {"code": "660201", "name": "管理费用-差旅费"},
        "lodging": {"code": "660202", "name": "管理费用-住宿费"},
        "meals": {"code": "660203", "name": "管理费用-业务招待费"},
        "transport": {"code": "660204", "name": "管理费用-交通费"},
        "office": {"code": "660205", "name": "管理费用-办公费"},
        "other": {"code": "660299", "name": "管理费用-其他"},
    },
)
if set(VOUCHER_ACCOUNTS) != set(EXPENSE_CATEGORIES) or not all(
    isinstance(v, dict) and v.get("code") and v.get("name") for v in VOUCHER_ACCOUNTS.values()
):
    raise ImproperlyConfigured(
        f"VOUCHER_ACCOUNTS must map each of {EXPENSE_CATEGORIES} to {{'code', 'name'}}"
    )
VOUCHER_INPUT_VAT_ACCOUNT = {
    "code": env.str("VOUCHER_INPUT_VAT_CODE", default="22210101"),
    "name": env.str("VOUCHER_INPUT_VAT_NAME", default="应交税费-应交增值税(进项税额)"),
}
VOUCHER_PAYABLE_ACCOUNT = {
    "code": env.str("VOUCHER_PAYABLE_CODE", default="2241"),
    "name": env.str("VOUCHER_PAYABLE_NAME", default="其他应付款-员工"),
}
VOUCHER_WORD = env.str("VOUCHER_WORD", default="记")
# Only these document types carry deductible input VAT (专票).
VOUCHER_DEDUCTIBLE_DOCUMENT_TYPES: list[str] = env.list(
    "VOUCHER_DEDUCTIBLE_DOCUMENT_TYPES", default=["vat_special"]
)

EXPORT_PAGE_MAX = env_int("EXPORT_PAGE_MAX", 1000, minimum=1)
EXPORT_WEBHOOK_URL: str | None = env.str("EXPORT_WEBHOOK_URL", default="") or None
EXPORT_WEBHOOK_SECRET: str = env.str("EXPORT_WEBHOOK_SECRET", default="")
EXPORT_WEBHOOK_TIMEOUT_S = env_int("EXPORT_WEBHOOK_TIMEOUT_S", 10, minimum=1)
EXPORT_WEBHOOK_MAX_RETRIES = env_int("EXPORT_WEBHOOK_MAX_RETRIES", 8, minimum=0)
if EXPORT_WEBHOOK_URL:
    if not EXPORT_WEBHOOK_URL.startswith(("http://", "https://")):
        raise ImproperlyConfigured("EXPORT_WEBHOOK_URL must be an http(s) URL")
    if len(EXPORT_WEBHOOK_SECRET) < 16:
        raise ImproperlyConfigured(
            "EXPORT_WEBHOOK_SECRET must be set (>= 16 characters) when EXPORT_WEBHOOK_URL is"
        )

CELERY_IMPORTS: tuple[str, ...] = ("reimbursements.exports.tasks",)
CELERY_TASK_ROUTES["reimbursements.exports.tasks.deliver_webhook"] = {"queue": "default"}
# Every operation documents the common error shape; see the hook for why.
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] = [
    "drf_spectacular.hooks.postprocess_schema_enums",
    "reimbursements.api.schema_hooks.add_error_responses",
    "reimbursements.api.schema_hooks.describe_operations",
]
SPECTACULAR_SETTINGS["PREPROCESSING_HOOKS"] = [
    "reimbursements.api.schema_hooks.drop_slash_aliases",
]
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    "ClaimStatusEnum": "reimbursements.models.Claim.Status",
    "DocumentStatusEnum": "reimbursements.models.Document.Status",
    "FieldSourceEnum": "extraction.schema.FieldSource",
    "FieldStatusEnum": "extraction.provenance.FieldStatus",
    # email_status and wechat_status share one choice set: one name in the schema.
    "NotificationDeliveryEnum": "reimbursements.models.Notification.Delivery",
    "ClaimActionEnum": "reimbursements.permissions.CLAIM_ACTION_NAMES",
    "DocumentActionEnum": "reimbursements.permissions.DOCUMENT_ACTION_NAMES",
    "UserActionEnum": "reimbursements.permissions.USER_ACTION_NAMES",
}
# === end of issue 7 block =============================================================

# --- WeChat mini-program ----------------------------------------------------------------
WECHAT_APP_ID = env.str("WECHAT_APP_ID", default="")
WECHAT_APP_SECRET = env.str("WECHAT_APP_SECRET", default="")
WECHAT_API_BASE_URL = env.str("WECHAT_API_BASE_URL", default="https://api.weixin.qq.com")
WECHAT_TIMEOUT_S = env_int("WECHAT_TIMEOUT_S", 5, minimum=1)

# --- Notifications (inbox, e-mail, WeChat subscribe messages) ---------------------------
# Links in e-mails point here (the web app's address as people open it).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Without EMAIL_HOST, e-mails are written as files under var/mail (make run); with it,
# they go out over SMTP. EMAIL_BACKEND overrides both (e.g. the console backend).
EMAIL_HOST = env.str("EMAIL_HOST", default="")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS or EMAIL_USE_SSL, not both")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.filebased.EmailBackend",
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Invoice Assistant <noreply@localhost>")
# The language of e-mails and WeChat messages.
NOTIFY_LANGUAGE = env.str("NOTIFY_LANGUAGE", default=LANGUAGE_CODE)
# A failed delivery is retried with exponential backoff (this many seconds, doubling,
# with jitter, at most an hour apart) this many times, then left marked failed.
NOTIFY_MAX_RETRIES = env_int("NOTIFY_MAX_RETRIES", 6, minimum=0)
NOTIFY_RETRY_BACKOFF_S = env_int("NOTIFY_RETRY_BACKOFF_S", 30, minimum=1)
CELERY_IMPORTS = (*CELERY_IMPORTS, "reimbursements.notify.tasks")
# A delivery still untried after this long lost its message (broker down at commit): Celery
# beat enqueues it again (within a day of the event).
NOTIFY_STALLED_AFTER_S = env_int("NOTIFY_STALLED_AFTER_S", 600, minimum=60)
CELERY_BEAT_SCHEDULE["resend-stalled-notifications"] = {
    "task": "reimbursements.notify.tasks.resend_stalled_notifications",
    "schedule": float(NOTIFY_STALLED_AFTER_S) / 2,
    "options": {"queue": "default", "expires": float(NOTIFY_STALLED_AFTER_S) / 2},
}
CELERY_TASK_ROUTES["reimbursements.notify.tasks.*"] = {"queue": "default"}
# Subscribe messages: the template the mini-program asks users to accept, and which of
# its keys carry our title, status, time and note (their types bound the lengths).
WECHAT_SUBSCRIBE_TEMPLATE_ID = env.str("WECHAT_SUBSCRIBE_TEMPLATE_ID", default="")
WECHAT_SUBSCRIBE_FIELDS: dict[str, str] = env_json(
    "WECHAT_SUBSCRIBE_FIELDS",
    {"title": "thing1", "status": "phrase2", "time": "time3", "note": "thing4"},
)
if not isinstance(WECHAT_SUBSCRIBE_FIELDS, dict) or not set(WECHAT_SUBSCRIBE_FIELDS) <= {
    "title",
    "status",
    "time",
    "note",
}:
    raise ImproperlyConfigured(
        "WECHAT_SUBSCRIBE_FIELDS must map some of title, status, time, note to template keys"
    )
WECHAT_MINIPROGRAM_STATE = env.str("WECHAT_MINIPROGRAM_STATE", default="formal")
if WECHAT_MINIPROGRAM_STATE not in {"developer", "trial", "formal"}:
    raise ImproperlyConfigured("WECHAT_MINIPROGRAM_STATE must be developer, trial or formal")
