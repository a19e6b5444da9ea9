"""What every API view shares: the signed-in user, the scanning header, scopes."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from reimbursements.scanning import scanner_configured

# ?scope=all: everything the user may see (approvers, finance); the default is their own.
SCOPES = ("mine", "all")


def current_user(request: Request) -> User:
    """The authenticated user (every view here requires authentication)."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user


class ScanningHeaderMixin:
    """Every answer says loudly when uploads are not being virus-scanned (dev only)."""

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if not scanner_configured():
            response["X-Virus-Scanning"] = "unavailable"
        return response
