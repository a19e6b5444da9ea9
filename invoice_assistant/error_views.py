"""Django's error pages, answered as JSON under /api/ and as HTML everywhere else.

DRF shapes the errors its views raise; these cover what happens outside them: a path
no route matches, a body over Django's size limit, an unhandled exception. API clients
then always get ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext
from django.views import defaults

API_PREFIX = "/api/"


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def json_error(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        # Django answers every oversized body with a plain 400; the truth is a 413.
        return json_error("request_too_large", gettext("The request body is too large."), 413)
    return json_error("bad_request", gettext("The request could not be understood."), 400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return json_error(
            "permission_denied", gettext("You do not have permission to perform this action."), 403
        )
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return json_error("not_found", gettext("Not found."), 404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api(request):
        return json_error(
            "server_error", gettext("Something went wrong on our side; it has been logged."), 500
        )
    return defaults.server_error(request)
