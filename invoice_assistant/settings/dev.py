"""Local development: the embedded defaults, DEBUG on."""

from invoice_assistant.settings.base import *  # noqa: F403
from invoice_assistant.settings.base import CLAMD_CONFIGURED, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
LOG_JSON = env.bool("LOG_JSON", default=False)
LOGGING["handlers"]["console"]["formatter"] = "json" if LOG_JSON else "plain"  # noqa: F405

# The one-command demo has no clamd: documents pass through marked 'not_scanned' and
# the API/UI say so loudly. Configure CLAMD_SOCKET or CLAMD_HOST to scan for real.
SCAN_REQUIRED = env.bool("SCAN_REQUIRED", default=CLAMD_CONFIGURED)
