"""The language the server speaks to a person: their own choice, else the browser's.

``LocaleMiddleware`` picks the language from ``Accept-Language`` (the mini-program and the
web app send their UI language there); a person's saved choice (``Profile.language``)
wins once they are known: for a browser session in :class:`UserLanguageMiddleware`, for
an API token in the token authentication, which reads the choice in its one statement.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from reimbursements.models import Profile

# Set on a user object once its choice is read ("" = none), so one request reads it once.
CACHED_ATTRIBUTE = "_ia_language"
SUPPORTED = frozenset(code for code, _name in settings.LANGUAGES)


def user_language(user: Any) -> str:
    """The person's chosen language code, or "" when they follow their browser."""
    if user is None or not getattr(user, "is_authenticated", False) or user.pk is None:
        return ""
    cached = getattr(user, CACHED_ATTRIBUTE, None)
    if cached is None:
        cached = (
            Profile.objects.filter(user_id=user.pk).values_list("language", flat=True).first() or ""
        )
        setattr(user, CACHED_ATTRIBUTE, cached)
    return str(cached) if cached in SUPPORTED else ""


def activate_user_language(request: HttpRequest, user: Any) -> None:
    """Speak the person's chosen language for the rest of this request (when they chose)."""
    language = user_language(user)
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = language


def profile_set_language(*, user: Any, language: str) -> str:
    """Save the person's language ("" = follow the browser); returns what was saved."""
    if language and language not in SUPPORTED:
        raise ValueError(f"unsupported language {language!r}")
    with transaction.atomic():
        Profile.objects.update_or_create(user=user, defaults={"language": language})
    setattr(user, CACHED_ATTRIBUTE, language)
    return language


class UserLanguageMiddleware:
    """After authentication: a signed-in browser session speaks the person's language.

    Only requests that carry a session cookie are looked at: health probes, metrics and
    token clients never load a session here (the token authentication handles those).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            activate_user_language(request, getattr(request, "user", None))
        return self.get_response(request)
