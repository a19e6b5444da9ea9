"""Claims as the API shows them, and what their endpoints take."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reimbursements.api.fields import IS_TERMINAL_HELP, actions_field, asking_user
from reimbursements.currency import claim_conversions, is_currency
from reimbursements.models import AuditEvent, Claim
from reimbursements.permissions import CLAIM_ACTION_NAMES, claim_allowed_actions, claim_is_terminal
from reimbursements.selectors import audit_events_for


class AuditEventSerializer(serializers.ModelSerializer[AuditEvent]):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = ("action", "actor", "created_at", "comment", "before", "after")

    def get_actor(self, event: AuditEvent) -> str | None:
        return event.actor.get_username() if event.actor else None


class ClaimSerializer(serializers.ModelSerializer[Claim]):
    documents = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    owner = serializers.SerializerMethodField()
    owner_name = serializers.SerializerMethodField()
    conversions = serializers.SerializerMethodField()
    is_terminal = serializers.SerializerMethodField(help_text=IS_TERMINAL_HELP)
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Claim
        fields = (
            "id",
            "title",
            "status",
            "currency",
            "total",
            "conversions",
            "owner",
            "owner_name",
            "documents",
            "events",
            "created_at",
            "updated_at",
            "is_terminal",
            "allowed_actions",
        )
        read_only_fields = (
            "id",
            "status",
            "total",
            "conversions",
            "owner",
            "owner_name",
            "documents",
            "events",
            "is_terminal",
            "allowed_actions",
        )

    def get_is_terminal(self, claim: Claim) -> bool:
        return claim_is_terminal(claim)

    @extend_schema_field(actions_field(CLAIM_ACTION_NAMES, "claim"))
    def get_allowed_actions(self, claim: Claim) -> list[str]:
        user = asking_user(self.context)
        return [] if user is None else claim_allowed_actions(actor=user, claim=claim)

    def get_owner(self, claim: Claim) -> str:
        return claim.owner.get_username()

    def get_owner_name(self, claim: Claim) -> str:
        """The owner as people know them: full name, else the username."""
        full: str = claim.owner.get_full_name()
        return full or claim.owner.get_username()

    def get_documents(self, claim: Claim) -> list[int]:
        return [d.pk for d in claim.documents.all()]

    def get_conversions(self, claim: Claim) -> list[dict[str, Any]]:
        """Each counted invoice in the claim's currency: amount, rate, its date and source."""
        documents = claim.documents.select_related("extraction")
        return [c.to_dict() for c in claim_conversions(claim, documents)]

    def get_events(self, claim: Claim) -> list[dict[str, Any]]:
        events = audit_events_for(object_type="claim", object_id=claim.pk).select_related("actor")
        return list(AuditEventSerializer(events, many=True).data)


def _iso_currency(value: str) -> None:

    if not is_currency(value):
        raise serializers.ValidationError(
            _("%(code)s is not an ISO 4217 currency code (e.g. CNY, USD, MYR).") % {"code": value}
        )


class ClaimWriteSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    currency = serializers.RegexField(
        r"^[A-Z]{3}$", required=False, default="CNY", validators=[_iso_currency]
    )


class ClaimPatchSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200, required=False)
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False, validators=[_iso_currency])


class ClaimAddDocumentSerializer(serializers.Serializer[Any]):
    document = serializers.IntegerField(min_value=1)


class PaginatedClaimListSerializer(serializers.Serializer[Any]):
    """Schema only: one page of the claim list (PageNumberPagination's envelope)."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ClaimSerializer(many=True)


class MoveDocumentSerializer(serializers.Serializer[Any]):
    claim = serializers.IntegerField(
        min_value=1, help_text="The owner's draft (or returned) claim to move it to."
    )


class ClaimCommentSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=2000)


class BulkApproveSerializer(serializers.Serializer[Any]):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=200
    )
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class BulkFailureSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()


class BulkApproveResultSerializer(serializers.Serializer[Any]):
    approved = serializers.ListField(child=serializers.IntegerField())
    failed = BulkFailureSerializer(many=True)
