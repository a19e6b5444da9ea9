"""A JSON parser with its own body-size limit, for the one endpoint that takes images as JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import IO, Any

from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import BaseParser


class BodyTooLarge(APIException):
    status_code = 413
    default_code = "file_too_large"
    default_detail = "The request body is too large."


class LimitedJSONParser(BaseParser):
    """JSON read from the request stream up to the view's ``max_body_bytes()``.

    Django caps request bodies at DATA_UPLOAD_MAX_MEMORY_SIZE for the whole site and
    DRF reads JSON through that cap (``request.body``) for its own JSONParser. This
    class is deliberately not a JSONParser subclass, so DRF hands it the raw stream
    and the limit is the view's: an image sent as base64 may be as large as a
    multipart upload, while every other JSON endpoint keeps the small global limit.
    """

    media_type = "application/json"

    def parse(
        self,
        stream: IO[Any] | None,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        context = parser_context or {}
        view, request = context["view"], context["request"]
        limit: int = view.max_body_bytes()
        too_large = BodyTooLarge(view.body_too_large_message())
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            # Refused before a byte of it is read.
            raise too_large
        if stream is None:
            return {}
        body = stream.read(limit + 1)
        if len(body) > limit:
            raise too_large
        try:
            return json.loads(body)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
