"""Limits on failed sign-ins, through django-axes, for every way in.

Axes counts failures per lockout parameter set (settings.AXES_LOCKOUT_PARAMETERS, in this
order: account+address, account, address) and compares the largest count with one limit.
One limit does not fit all three: an office behind one NAT address needs more room than
one account from one address. ``LoginFailureHandler`` keeps axes' storage and bookkeeping
and gives each set its own limit.
"""

from __future__ import annotations

import math
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext
from rest_framework import exceptions


def _limits() -> list[int]:
    """Each lockout parameter set's limit, in settings.AXES_LOCKOUT_PARAMETERS order (0: none)."""
    return [
        settings.LOGIN_FAILURE_LIMIT,
        settings.LOGIN_ACCOUNT_FAILURE_LIMIT,
        settings.LOGIN_ADDRESS_FAILURE_LIMIT,
    ]


class LoginFailureHandler(AxesDatabaseHandler):
    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """Failures on the scale of AXES_FAILURE_LIMIT, which they reach when any set's do.

        A set with limit L and n failures counts as floor(n * AXES_FAILURE_LIMIT / L), which
        reaches AXES_FAILURE_LIMIT exactly when n reaches L.
        """
        scale: int = settings.AXES_FAILURE_LIMIT
        worst = 0
        attempts = self.get_user_attempts(request, credentials)
        for queryset, limit in zip(attempts, _limits(), strict=True):
            if limit == 0:
                continue
            failures = queryset.aggregate(n=Sum("failures_since_start"))["n"] or 0
            worst = max(worst, math.floor(failures * scale / limit))
        return worst


def _retry_after_s(request: HttpRequest) -> int:
    cool_off = get_cool_off(request)
    return int(cool_off.total_seconds()) if cool_off else 0


def lockout_message(retry_after_s: int) -> str:
    minutes = max(1, math.ceil(retry_after_s / 60))
    return gettext("Too many failed sign-ins. Try again in %(minutes)d minutes.") % {
        "minutes": minutes
    }


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any
) -> HttpResponse:
    """Axes' answer to a locked-out attempt: the API's error JSON, or the sign-in page."""
    retry_after_s = _retry_after_s(request)
    message = lockout_message(retry_after_s)
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "error": {
                    "code": "locked_out",
                    "message": message,
                    "details": {"retry_after_s": retry_after_s},
                }
            },
            status=429,
        )
    else:
        response = render(request, "login.html", {"error": message}, status=429)
    response["Retry-After"] = str(retry_after_s)
    return response


def is_locked_out(request: HttpRequest, *, username: str) -> bool:
    """For a sign-in that does not go through ``authenticate()`` (WeChat binding)."""
    return bool(AxesProxyHandler.is_locked(request, {"username": username}))


def record_failed_sign_in(request: HttpRequest, *, username: str) -> None:
    """Counts a failure the way ``authenticate()`` does, so the same limits apply."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


class SignInLockedOut(exceptions.Throttled):
    """A sign-in refused before it is tried: the API's 429 with the cool-off left."""

    default_code = "locked_out"

    def __init__(self, request: HttpRequest) -> None:
        wait = _retry_after_s(request)
        super().__init__(detail=lockout_message(wait), code="locked_out")
        self.wait = wait
