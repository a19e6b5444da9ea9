"""Export pages for accounting, and their acknowledgement."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import serializers

from extraction.provenance import FieldStatus
from extraction.schema import FieldSource
from reimbursements.exports.items import PROVENANCE_FIELDS

EXPORT_FORMATS = ("json", "csv", "xlsx", "voucher")


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
