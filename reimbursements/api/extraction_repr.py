"""How an extraction appears in API answers (shared by the document views)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from rest_framework.request import Request

from reimbursements.models import Document


def extraction_representation(document: Document, request: Request | None) -> dict[str, Any] | None:
    try:
        extraction = document.extraction
    except ObjectDoesNotExist:
        return None
    return {
        "document_type": extraction.document_type,
        "fields": extraction.fields,
        "confidence": extraction.confidence,
        "warnings": extraction.warnings,
        "engine": extraction.engine,
        "engine_version": extraction.engine_version,
        "model_version": extraction.model_version,
        "prompt_version": extraction.prompt_version,
        "from_cache": extraction.from_cache,
        "timings": extraction.timings,
        "created_at": extraction.created_at.isoformat(),
    }


def duplicate_of(document: Document) -> int | None:
    return document.duplicate_of_id if not document.duplicate_resolved else None


def duplicate_link(document: Document) -> str | None:
    if document.duplicate_of_id is None:
        return None
    return reverse("api:document-detail", args=[document.duplicate_of_id])
