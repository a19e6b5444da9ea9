"""Start-up checks: say loudly when uploads are not virus-scanned."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Warning as CheckWarning
from django.core.checks import register


@register()
def scanning_configured(app_configs: Any, **kwargs: Any) -> list[CheckWarning]:
    if settings.CLAMD_CONFIGURED:
        return []
    return [
        CheckWarning(
            "Virus scanning is unavailable: CLAMD_SOCKET / CLAMD_HOST is not set.",
            hint=(
                "Uploads are marked 'not_scanned' in dev mode; production refuses to start. "
                "Start clamd and set CLAMD_SOCKET (or CLAMD_HOST and CLAMD_PORT)."
            ),
            id="reimbursements.W001",
        )
    ]
