"""One error shape for every API failure: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from reimbursements.intake import IntakeError
from reimbursements.services import ServiceError
from reimbursements.warning_messages import field_label


def error_response(
    code: str, message: str, status_code: int, details: dict[str, Any] | None = None
) -> Response:
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    if details:
        body["error"]["details"] = details
    return Response(body, status=status_code)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, IntakeError | ServiceError):
        details = exc.details if isinstance(exc, IntakeError) else None
        return error_response(exc.code, exc.message, exc.status_code, details)
    if isinstance(exc, ObjectDoesNotExist | Http404):
        return error_response("not_found", _("Not found."), status.HTTP_404_NOT_FOUND)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        return error_response(
            "invalid", _first_message(exc.detail), response.status_code, {"fields": exc.detail}
        )
    if isinstance(exc, exceptions.APIException):
        code = exc.default_code if isinstance(exc.default_code, str) else "error"
        codes = exc.get_codes()
        if isinstance(codes, str):
            code = codes
        response.data = {"error": {"code": code, "message": str(exc.detail)}}
        wait = getattr(exc, "wait", None)
        if isinstance(exc, exceptions.Throttled) and wait is not None:
            response.data["error"]["details"] = {"retry_after_s": wait}
    return response


def _first_message(detail: Any) -> str:
    """The first problem as a sentence: the field's name in words, never its key."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            inner = _first_message(value)
            if key == "non_field_errors" or str(key).isdigit():
                # The whole request, or an item of a list: the field around it names it.
                return inner
            return _("%(field)s: %(message)s") % {"field": _capitalised(key), "message": inner}
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


def _capitalised(key: Any) -> str:
    label = field_label(str(key))
    return label[:1].upper() + label[1:]
