"""Documents as the API shows them, and what their endpoints take."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reimbursements.api.documents.extraction import (
    ExtractionSchemaSerializer,
    duplicate_of,
    extraction_representation,
)
from reimbursements.api.fields import IS_TERMINAL_HELP, actions_field, asking_user, when
from reimbursements.corrections import may_edit
from reimbursements.field_history import display_name
from reimbursements.models import Document, FieldCorrection
from reimbursements.permissions import (
    DOCUMENT_ACTION_NAMES,
    document_allowed_actions,
    document_is_terminal,
)
from reimbursements.policy import document_violations, effective_category
from reimbursements.selectors import document_queue_position
from reimbursements.warning_messages import document_error_text, translated_warnings


class DocumentPartSerializer(serializers.Serializer[Any]):
    """Schema only: one of the documents found side by side in a photo."""

    id = serializers.IntegerField()
    url = serializers.CharField()
    part_index = serializers.IntegerField(help_text="1-based, in reading order")
    region = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="[x0, y0, x1, y1]: where it lies in the photo (upright, in pixels)",
    )
    status = serializers.CharField()


class DocumentSerializer(serializers.ModelSerializer[Document]):
    """The document as the API shows it. The declared fields describe it (OpenAPI schema,
    browsable API); :meth:`to_representation` builds the same dictionary by hand, because
    DRF rebuilds a model serializer's fields for every instance and that was a fifth of a
    cache-hit answer. ``tests/reimbursements/test_document_representation.py`` pins the
    two to each other."""

    url = serializers.SerializerMethodField()
    file_url = serializers.SerializerMethodField()
    scan = serializers.SerializerMethodField()
    extraction = serializers.SerializerMethodField()
    duplicate_of = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField()
    category = serializers.SerializerMethodField()
    queue_position = serializers.SerializerMethodField()
    parts = serializers.SerializerMethodField()
    claim_status = serializers.SerializerMethodField()
    can_edit = serializers.SerializerMethodField()
    policy = serializers.SerializerMethodField()
    is_terminal = serializers.SerializerMethodField(help_text=IS_TERMINAL_HELP)
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = (
            "id",
            "url",
            "status",
            "original_filename",
            "mime_type",
            "size",
            "page_count",
            "sha256",
            "claim",
            "created_at",
            "updated_at",
            "status_changed_at",
            "scanned_at",
            "processing_started_at",
            "completed_at",
            "error",
            "scan",
            "extraction",
            "duplicate_of",
            "same_invoice_as",
            "batch",
            "parent",
            "part_index",
            "region",
            "parts",
            "category",
            "file_url",
            "queue_position",
            "claim_status",
            "can_edit",
            "policy",
            "is_terminal",
            "allowed_actions",
        )
        read_only_fields = fields

    def to_representation(self, instance: Document) -> dict[str, Any]:
        if self.Meta.fields is not DocumentSerializer.Meta.fields:
            # A subclass that shows more (the reviewers' view) takes DRF's generic walk.
            return dict(super().to_representation(instance))
        document = instance
        # can_edit is the 'edit' action: one check answers both.
        actions = self.get_allowed_actions(document)
        asked = asking_user(self.context) is not None
        return {
            "id": document.pk,
            "url": self.get_url(document),
            "status": document.status,
            "original_filename": document.original_filename,
            "mime_type": document.mime_type,
            "size": document.size,
            "page_count": document.page_count,
            "sha256": document.sha256,
            "claim": document.claim_id,
            "created_at": when(document.created_at),
            "updated_at": when(document.updated_at),
            "status_changed_at": when(document.status_changed_at),
            "scanned_at": when(document.scanned_at),
            "processing_started_at": when(document.processing_started_at),
            "completed_at": when(document.completed_at),
            "error": self.get_error(document),
            "scan": self.get_scan(document),
            "extraction": self.get_extraction(document),
            "duplicate_of": self.get_duplicate_of(document),
            "same_invoice_as": document.same_invoice_as_id,
            "batch": document.batch_id,
            "parent": document.parent_id,
            "part_index": document.part_index,
            "region": document.region,
            "parts": self.get_parts(document),
            "category": self.get_category(document),
            "file_url": self.get_file_url(document),
            "queue_position": self.get_queue_position(document),
            "claim_status": self.get_claim_status(document),
            "can_edit": ("edit" in actions) if asked else None,
            "policy": self.get_policy(document),
            "is_terminal": self.get_is_terminal(document),
            "allowed_actions": actions,
        }

    def get_is_terminal(self, document: Document) -> bool:
        return document_is_terminal(document)

    @extend_schema_field(actions_field(DOCUMENT_ACTION_NAMES, "document"))
    def get_allowed_actions(self, document: Document) -> list[str]:
        user = asking_user(self.context)
        return [] if user is None else document_allowed_actions(actor=user, document=document)

    def get_claim_status(self, document: Document) -> str | None:
        """The status of the claim the document is in (a locked claim locks it too)."""
        return document.claim.status if document.claim_id and document.claim else None

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_can_edit(self, document: Document) -> bool | None:
        """Whether the asking user may change its fields now (null: nobody asked); the
        same as 'edit' in allowed_actions."""
        user = asking_user(self.context)
        return None if user is None else may_edit(user, document)

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_policy(self, document: Document) -> list[dict[str, Any]]:
        """What the expense policy will say at submit: [{code, message}], checked against
        its claim (or, before it is in one, a claim in its own currency)."""
        return [{"code": v.code, "message": v.message} for v in document_violations(document)]

    @extend_schema_field(DocumentPartSerializer(many=True))
    def get_parts(self, document: Document) -> list[dict[str, Any]]:
        """The documents found side by side in this photo, in reading order (empty unless
        it was split)."""
        if document.status != Document.Status.SPLIT:
            return []  # only a split photo has parts: no query for every other document
        return [
            {
                "id": part.pk,
                "url": reverse("api:document-detail", args=[part.pk]),
                "part_index": part.part_index,
                "region": part.region,
                "status": part.status,
            }
            for part in document.parts.order_by("part_index", "pk")
        ]

    def get_queue_position(self, document: Document) -> int | None:
        """Documents ahead of it while it waits for a worker (``None`` once read)."""
        return document_queue_position(document=document)

    def get_category(self, document: Document) -> str:
        return effective_category(document)

    def get_url(self, document: Document) -> str:
        return reverse("api:document-detail", args=[document.pk])

    def get_file_url(self, document: Document) -> str | None:
        if not document.file:
            return None
        return reverse("api:document-file", args=[document.pk])

    def get_error(self, document: Document) -> str | None:
        return document_error_text(document.error) if document.error else None

    def get_scan(self, document: Document) -> dict[str, Any] | None:
        scans = list(document.scans.all())
        if not scans:
            return None
        latest = max(scans, key=lambda s: s.scanned_at)
        return {
            "verdict": latest.verdict,
            "signature": latest.signature or None,
            "scanner_version": latest.scanner_version,
            "scanned_at": latest.scanned_at.isoformat(),
        }

    @extend_schema_field(ExtractionSchemaSerializer(allow_null=True))
    def get_extraction(self, document: Document) -> dict[str, Any] | None:
        return extraction_representation(document, self.context.get("request"))

    def get_duplicate_of(self, document: Document) -> int | None:
        return duplicate_of(document)


class DocumentUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(
        allow_empty_file=True,
        use_url=False,
        help_text="An image, PDF, OFD or 数电票 XML (one document, or one per invoice when "
        "a PDF holds several), or a zip of them (one document per member).",
    )
    claim = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class UploadBatchSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(
        choices=["archive", "pdf"],
        help_text="'archive': a zip, one document per member; 'pdf': one PDF holding "
        "several invoices, one document per invoice.",
    )
    original_filename = serializers.CharField()
    document_count = serializers.IntegerField()


class BatchUploadResponseSerializer(serializers.Serializer[Any]):
    """Schema only: the answer to an upload that became several documents."""

    batch = UploadBatchSerializer()
    documents = DocumentSerializer(many=True)


class FieldCorrectionRequestSerializer(serializers.Serializer[Any]):
    field = serializers.CharField(
        max_length=64,
        help_text="An extracted field (e.g. total_amount, issue_date, seller_tax_id) or "
        "'category' (travel, lodging, meals, transport, office, other; empty = derived).",
    )
    value = serializers.JSONField(
        allow_null=True, help_text="The new value as a string (money '12.30', dates ISO)."
    )


class FieldCorrectionSerializer(serializers.ModelSerializer[FieldCorrection]):
    actor = serializers.SerializerMethodField()
    actor_name = serializers.SerializerMethodField()
    old_value = serializers.JSONField(allow_null=True)
    new_value = serializers.JSONField(allow_null=True)
    old_warnings = serializers.SerializerMethodField(
        help_text="The warnings this edit made go away ({code, field, params, message}; "
        "message in the reader's language)."
    )

    class Meta:
        model = FieldCorrection
        fields = (
            "id",
            "field",
            "old_value",
            "old_source",
            "old_warnings",
            "new_value",
            "actor",
            "actor_name",
            "created_at",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_old_warnings(self, correction: FieldCorrection) -> list[dict[str, Any]]:
        return translated_warnings(correction.old_warnings)

    def get_actor(self, correction: FieldCorrection) -> str | None:
        return correction.actor.get_username() if correction.actor else None

    def get_actor_name(self, correction: FieldCorrection) -> str | None:
        return display_name(correction.actor)


class ReviewDocumentSerializer(DocumentSerializer):
    """A document as reviewers see it: with its category and duplicate state."""

    category = serializers.SerializerMethodField()
    category_chosen = serializers.SerializerMethodField()
    duplicate_reason = serializers.CharField(read_only=True)
    duplicate_resolved = serializers.BooleanField(read_only=True)
    duplicate_flagged = serializers.SerializerMethodField()
    warnings_count = serializers.SerializerMethodField()

    class Meta(DocumentSerializer.Meta):
        fields: tuple[str, ...] = (  # type: ignore[assignment]
            *DocumentSerializer.Meta.fields,
            "category",
            "category_chosen",
            "duplicate_flagged",
            "duplicate_reason",
            "duplicate_resolved",
            "warnings_count",
        )
        read_only_fields = fields  # type: ignore[assignment]

    def get_category(self, document: Document) -> str:
        return effective_category(document)

    def get_category_chosen(self, document: Document) -> bool:
        return bool(document.category)

    def get_duplicate_flagged(self, document: Document) -> int | None:
        """The document this one duplicates, also after finance resolved the flag."""
        return document.duplicate_of_id

    def get_warnings_count(self, document: Document) -> int:
        return document_warnings_count(document)


def document_warnings_count(document: Document) -> int:
    try:
        count = len(document.extraction.warnings or [])
    except ObjectDoesNotExist:
        count = 0
    if document.duplicate_of_id is not None and not document.duplicate_resolved:
        count += 1
    return count
