"""The source article's contract: {image, text} -> {result}."""

from __future__ import annotations

import base64
import binascii
import math
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from invoice_assistant.chunked import size_text
from reimbursements.api.base import ScanningHeaderMixin
from reimbursements.api.errors import error_response
from reimbursements.api.long_requests import LongRequestLimitMixin
from reimbursements.api.parsers import LimitedJSONParser
from reimbursements.inference import answer_question
from reimbursements.intake import sniff_mime, validate_upload


class InferenceRequestSerializer(serializers.Serializer[Any]):
    image = serializers.CharField(help_text="base64-encoded image (JPEG, PNG or WebP)")
    text = serializers.CharField(max_length=4000, help_text="the question or instruction")


class InferenceView(LongRequestLimitMixin, ScanningHeaderMixin, APIView):
    """The source article's contract: {"image": base64, "text": prompt} -> {"result": ...}."""

    parser_classes = [LimitedJSONParser]

    def max_body_bytes(self) -> int:
        """Room for an image as large as a multipart upload may be, as base64.

        base64 is 4 bytes per 3; the rest covers a data: prefix, the prompt, the JSON
        around them, and encoders that escape "/" as "\\/".
        """
        encoded = 4 * math.ceil(settings.UPLOAD_MAX_BYTES / 3)
        return encoded + encoded // 16 + 64 * 1024

    def body_too_large_message(self) -> str:
        return _("The image is larger than the %(limit)s limit.") % {
            "limit": size_text(settings.UPLOAD_MAX_BYTES)
        }

    @extend_schema(request=InferenceRequestSerializer, responses={200: dict, 503: dict})
    def post(self, request: Request) -> Response:
        serializer = InferenceRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        raw = serializer.validated_data["image"]
        if raw.startswith("data:"):
            raw = raw.split(",", 1)[-1]
        try:
            image_bytes = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            return error_response(
                "invalid_base64", _("'image' must be base64-encoded image bytes."), 400
            )
        if sniff_mime(image_bytes[:32]) not in {"image/jpeg", "image/png", "image/webp"}:
            return error_response(
                "unsupported_type", _("'image' must be a JPEG, PNG or WebP image."), 415
            )
        validate_upload(image_bytes, name="inference")
        return answer_question(image_bytes=image_bytes, text=serializer.validated_data["text"])
