"""A document's extraction as the API shows it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from rest_framework import serializers
from rest_framework.request import Request

from extraction.provenance import FieldStatus, field_statuses
from extraction.review import review_reasons
from extraction.schema import FieldSource
from reimbursements.field_history import extraction_edits
from reimbursements.models import Document
from reimbursements.warning_messages import translated_warnings


class ExtractionSchemaSerializer(serializers.Serializer[Any]):
    """Schema only: what :func:`extraction_representation` returns."""

    document_type = serializers.CharField()
    sources = serializers.DictField(
        child=serializers.ChoiceField(choices=[(s.value, s.name) for s in FieldSource]),
        help_text="Field name -> where its value came from; 'employee' once a person "
        "changed it (the correction history keeps the reading before the edit).",
    )
    agreeing = serializers.DictField(
        child=serializers.ListField(
            child=serializers.ChoiceField(choices=[(s.value, s.name) for s in FieldSource])
        ),
        help_text="Field name -> the other sources that read the same value (the print "
        "read like its QR code, OCR read like the model): such a field is 'verified'.",
    )
    status = serializers.DictField(
        child=serializers.ChoiceField(choices=[(s.value, s.name) for s in FieldStatus]),
        help_text="Field name -> 'verified' (the invoice's own QR/OFD/XML data, or two "
        "independent readings agree), 'read' (one engine read it) or 'edited' (a person).",
    )
    confidence = serializers.DictField(
        child=serializers.FloatField(),
        help_text="Field name -> the engine's confidence; a field a person changed has "
        "none (see 'edits').",
    )
    edits = serializers.DictField(
        child=serializers.DictField(),
        help_text="Field name -> {original, original_source, made_up, cleared, "
        "original_warnings, edited_by, edited_by_username, edited_at, edit_count} for "
        "each field whose value a person gave: what the document was read as, and who "
        "changed it when. made_up: the reading had no value.",
    )
    regions = serializers.DictField(
        child=serializers.DictField(),
        help_text="Field name -> {page, box: [x0, y0, x1, y1]}: where on the page (0 = "
        "first) the value was read, as fractions (0..1) of the page's width and height of "
        "the image 'file_url' shows. Only fields OCR read from the pixels have one.",
    )
    review_reasons = serializers.ListField(
        child=serializers.CharField(),
        help_text="Why a person must look: 'duplicate', 'warning:<code>', "
        "'missing:<field>', 'unverified:<field>' (a key field read once that no machine "
        "data, second reading or passed cross-check confirms); empty: nothing holds it back.",
    )
    warnings = serializers.ListField(
        child=serializers.DictField(),
        help_text="Each {code, field, params, message}: code (stable) and params (the values "
        "it names) for programs; message in the reader's language (the user's setting, "
        "else Accept-Language).",
    )
    engine = serializers.CharField()
    engine_version = serializers.CharField(allow_blank=True)
    model_version = serializers.CharField(allow_blank=True)
    prompt_version = serializers.CharField(allow_blank=True)
    from_cache = serializers.BooleanField()
    timings = serializers.DictField(child=serializers.FloatField())
    created_at = serializers.DateTimeField()

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # "fields" names a Serializer attribute, so it cannot be declared as one.
        fields = super().get_fields()
        fields["fields"] = serializers.DictField(
            help_text="The extracted fields (the extract contract)."
        )
        return fields


def extraction_representation(document: Document, request: Request | None) -> dict[str, Any] | None:
    try:
        extraction = document.extraction
    except ObjectDoesNotExist:
        return None
    edits = extraction_edits(extraction)
    return {
        "document_type": extraction.document_type,
        "fields": extraction.fields,
        "sources": extraction.sources,
        "agreeing": extraction.agreeing,
        "status": field_statuses(extraction.sources, agreeing=extraction.agreeing),
        # A person's value has no engine confidence: never a "100%" beside an edit.
        "confidence": {
            name: value
            for name, value in (extraction.confidence or {}).items()
            if (extraction.sources or {}).get(name) != FieldSource.EMPLOYEE.value
        },
        "edits": {name: _shown_edit(edit.to_dict()) for name, edit in edits.items()},
        "regions": extraction.regions or {},
        "review_reasons": review_reasons(
            document_type=extraction.document_type,
            warnings=extraction.warnings or [],
            confidence=extraction.confidence or {},
            sources=extraction.sources or {},
            agreeing=extraction.agreeing,
            duplicate=document.duplicate_of_id is not None and not document.duplicate_resolved,
            evidence=extraction.evidence,
            min_confidence=settings.STRAIGHT_THROUGH_MIN_CONFIDENCE,
        ),
        "warnings": translated_warnings(extraction.warnings),
        "engine": extraction.engine,
        "engine_version": extraction.engine_version,
        "model_version": extraction.model_version,
        "prompt_version": extraction.prompt_version,
        "from_cache": extraction.from_cache,
        "timings": extraction.timings,
        "created_at": extraction.created_at.isoformat(),
    }


def _shown_edit(edit: dict[str, Any]) -> dict[str, Any]:
    """An edit as the API shows it: the warnings the edit made go away, translated."""
    edit["original_warnings"] = translated_warnings(edit.get("original_warnings"))
    return edit


def duplicate_of(document: Document) -> int | None:
    return document.duplicate_of_id if not document.duplicate_resolved else None
