"""Local development and ``make run``: the embedded defaults.

DEBUG is on for ``manage.py runserver``; ``make run`` turns it off (scripts/run.sh).
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

from invoice_assistant.settings.base import *  # noqa: F403
from invoice_assistant.settings.base import CLAMD_CONFIGURED, VAR_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)


def persistent_secret_key(path: Path) -> str:
    """A random key made on first start and kept in ``path`` (0600).

    A fixed default would let anyone who read the source forge sessions and password
    reset links on every install; a key made per start would sign everyone out on
    each restart. The web server and the worker may start together: the key is
    written to a private temporary file and linked into place, so exactly one key wins
    and nobody reads a half-written file.
    """
    try:
        key = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(get_random_secret_key())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
        key = path.read_text(encoding="ascii").strip()
    if len(key) < 50:
        raise ImproperlyConfigured(f"{path} holds no usable secret key: delete it to make one")
    return key


SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or persistent_secret_key(
    VAR_DIR / "secret_key"
)
LOG_JSON = env.bool("LOG_JSON", default=False)
LOGGING["handlers"]["console"]["formatter"] = "json" if LOG_JSON else "plain"  # noqa: F405

# The one-command demo has no clamd: documents pass through marked 'not_scanned' and
# the API/UI say so loudly. Configure CLAMD_SOCKET or CLAMD_HOST to scan for real.
SCAN_REQUIRED = env.bool("SCAN_REQUIRED", default=CLAMD_CONFIGURED)
