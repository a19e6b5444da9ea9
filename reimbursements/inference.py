"""Free-form questions about an image (POST /api/v1/inference) on the VLM or remote engine."""

from __future__ import annotations

import io

from django.utils.translation import gettext
from PIL import Image
from rest_framework.response import Response

from reimbursements.api.errors import error_response
from reimbursements.engine_context import build_engine_context, question_engine


def answer_question(*, image_bytes: bytes, text: str) -> Response:
    engine = question_engine(build_engine_context())
    if engine is None:
        return error_response(
            "inference_unavailable",
            gettext(
                "No vision-language model is configured on this server: set VLM_MODEL_PATH "
                "(a local model directory) or REMOTE_VLM_BASE_URL (an OpenAI-compatible "
                "endpoint). Document extraction keeps working with the OCR engine."
            ),
            503,
        )
    with Image.open(io.BytesIO(image_bytes)) as image:
        result = engine.answer(image.convert("RGB"), text)  # type: ignore[attr-defined]
    return Response({"result": result})
