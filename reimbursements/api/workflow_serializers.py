"""Representation of the workflow, review and export endpoints (no business rules)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from extraction.provenance import FieldStatus
from extraction.schema import FieldSource
from reimbursements.api.serializers import ClaimSerializer, DocumentSerializer
from reimbursements.exports.items import PROVENANCE_FIELDS
from reimbursements.models import Claim, Document, FieldCorrection
from reimbursements.policy import effective_category
from reimbursements.warning_messages import translated_warnings

EXPORT_FORMATS = ("json", "csv", "xlsx", "voucher")


# --- requests ---------------------------------------------------------------------------


class OptionalCommentSerializer(serializers.Serializer[Any]):
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RequiredCommentSerializer(serializers.Serializer[Any]):
    comment = serializers.CharField(max_length=2000, help_text="Why: shown to the owner.")


class BulkApproveSerializer(serializers.Serializer[Any]):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=200
    )
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ClaimCommentSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=2000)


class FieldCorrectionRequestSerializer(serializers.Serializer[Any]):
    field = serializers.CharField(
        max_length=64,
        help_text="An extracted field (e.g. total_amount, issue_date, seller_tax_id) or "
        "'category' (travel, lodging, meals, transport, office, other; empty = derived).",
    )
    value = serializers.JSONField(
        allow_null=True, help_text="The new value as a string (money '12.30', dates ISO)."
    )


class ExportQuerySerializer(serializers.Serializer[Any]):
    cursor = serializers.CharField(required=False, allow_blank=True, max_length=200)
    format = serializers.ChoiceField(choices=EXPORT_FORMATS, required=False, default="json")
    limit = serializers.IntegerField(
        required=False, default=100, min_value=1, max_value=settings.EXPORT_PAGE_MAX
    )
    include_acknowledged = serializers.BooleanField(required=False, default=False)


class AcknowledgeSerializer(serializers.Serializer[Any]):
    ids = serializers.ListField(
        child=serializers.CharField(max_length=40), allow_empty=False, max_length=1000
    )


# --- responses --------------------------------------------------------------------------


class BulkFailureSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()


class BulkApproveResultSerializer(serializers.Serializer[Any]):
    approved = serializers.ListField(child=serializers.IntegerField())
    failed = BulkFailureSerializer(many=True)


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


class ReviewClaimSerializer(ClaimSerializer):
    documents_detail = serializers.SerializerMethodField()
    warnings_count = serializers.SerializerMethodField()

    class Meta(ClaimSerializer.Meta):
        fields: tuple[str, ...] = (  # type: ignore[assignment]
            *ClaimSerializer.Meta.fields,
            "submitted_at",
            "manager_approved_at",
            "finance_approved_at",
            "documents_detail",
            "warnings_count",
        )
        read_only_fields = fields  # type: ignore[assignment]

    def get_documents_detail(self, claim: Claim) -> list[dict[str, Any]]:
        documents = sorted(claim.documents.all(), key=lambda d: d.pk)
        return list(ReviewDocumentSerializer(documents, many=True, context=self.context).data)

    def get_warnings_count(self, claim: Claim) -> int:
        return sum(document_warnings_count(d) for d in claim.documents.all())


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
        from reimbursements.field_history import display_name

        return display_name(correction.actor)


class ExportItemSerializer(serializers.Serializer[Any]):
    """Schema of one export item (the view returns the frozen payload as is)."""

    id = serializers.CharField(help_text="Stable item id, 'doc-<document id>'.")
    claim = serializers.IntegerField()
    claim_title = serializers.CharField()
    document = serializers.IntegerField()
    employee = serializers.CharField(help_text="The claim owner's username.")
    employee_name = serializers.CharField()
    category = serializers.CharField()
    document_type = serializers.CharField(allow_blank=True)
    issue_date = serializers.DateField(allow_null=True)
    seller_name = serializers.CharField(allow_blank=True)
    seller_tax_id = serializers.CharField(allow_blank=True)
    invoice_code = serializers.CharField(allow_blank=True)
    invoice_number = serializers.CharField(allow_blank=True)
    amount_excluding_tax = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True
    )
    tax_amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    total_amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    currency = serializers.CharField()
    approved_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    claim_currency = serializers.CharField(allow_null=True)
    exchange_rate = serializers.DecimalField(
        max_digits=20,
        decimal_places=8,
        allow_null=True,
        help_text="One unit of 'currency' in 'claim_currency'; null when they are the same.",
    )
    exchange_rate_date = serializers.DateField(allow_null=True)
    exchange_rate_source = serializers.CharField(allow_null=True)
    amount_in_claim_currency = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        allow_null=True,
        help_text="total_amount x exchange_rate, rounded half up to cents.",
    )

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        for name in PROVENANCE_FIELDS:
            fields[f"{name}_source"] = serializers.ChoiceField(
                choices=[(s.value, s.name) for s in FieldSource],
                allow_null=True,
                help_text=f"Where {name} came from (null: no value, or approved before "
                "sources were recorded).",
            )
            fields[f"{name}_status"] = serializers.ChoiceField(
                choices=[(s.value, s.name) for s in FieldStatus],
                allow_null=True,
                help_text=f"{name}: verified (QR/OFD/XML, or two readings agree), read "
                "(one engine) or edited (changed by a person).",
            )
        for name in PROVENANCE_FIELDS:
            fields[f"{name}_original"] = serializers.JSONField(
                allow_null=True,
                help_text=f"What {name} was read as before a person changed it (null: not "
                "edited; empty: the document had no value and a person supplied one).",
            )
        fields["edited_fields"] = serializers.CharField(
            allow_null=True, help_text="Comma-separated fields a person changed."
        )
        fields["edited_by"] = serializers.CharField(
            allow_null=True, help_text="Who changed them (display names)."
        )
        fields["edited_at"] = serializers.DateTimeField(
            allow_null=True, help_text="When the last change was made."
        )
        return fields


class ExportPageSerializer(serializers.Serializer[Any]):
    items = ExportItemSerializer(many=True)
    next_cursor = serializers.CharField(help_text="Pass back as ?cursor= for the next page.")
    has_more = serializers.BooleanField()


class AcknowledgeResultSerializer(serializers.Serializer[Any]):
    acknowledged = serializers.ListField(child=serializers.CharField())
    already_acknowledged = serializers.ListField(child=serializers.CharField())
    unknown = serializers.ListField(child=serializers.CharField())
    exported_claims = serializers.ListField(child=serializers.IntegerField())
