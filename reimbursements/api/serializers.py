"""Representation only: no business rules here (they live in services)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, User
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reimbursements.api.extraction_repr import ExtractionSchemaSerializer
from reimbursements.language import user_language
from reimbursements.models import AuditEvent, Claim, Document
from reimbursements.permissions import (
    CLAIM_ACTION_NAMES,
    DOCUMENT_ACTION_NAMES,
    claim_allowed_actions,
    claim_is_terminal,
    document_allowed_actions,
    document_is_terminal,
)
from reimbursements.roles import user_roles
from reimbursements.scanning import scanner_configured
from reimbursements.warning_messages import document_error_text


class UserSerializer(serializers.Serializer[AbstractBaseUser]):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    display_name = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()
    scanning_available = serializers.SerializerMethodField()
    language = serializers.SerializerMethodField(
        help_text="The language the server speaks to this user: 'zh-hans' or 'en' as they "
        "chose it, '' to follow the client's Accept-Language."
    )

    def get_display_name(self, user: Any) -> str:
        full: str = user.get_full_name()
        return full or user.get_username()

    def get_roles(self, user: AbstractBaseUser) -> list[str]:
        return sorted(user_roles(user))

    def get_scanning_available(self, user: AbstractBaseUser) -> bool:
        return scanner_configured()

    def get_language(self, user: AbstractBaseUser) -> str:
        return user_language(user)


class MeUpdateSerializer(serializers.Serializer[Any]):
    language = serializers.ChoiceField(
        choices=[("", "follow the client"), *settings.LANGUAGES],
        allow_blank=True,
        help_text="'zh-hans', 'en', or '' to follow the client's Accept-Language.",
    )


_DATETIME = serializers.DateTimeField(read_only=True)


def _when(value: Any) -> str | None:
    return None if value is None else str(_DATETIME.to_representation(value))


def _asking_user(context: dict[str, Any]) -> User | None:
    user = getattr(context.get("request"), "user", None)
    return user if isinstance(user, User) and user.is_authenticated else None


def _actions_field(names: Any, what: str) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices=list(names)),
        read_only=True,
        help_text=f"What the asking user may do with this {what} now: each action named "
        "here is accepted by its endpoint, every other one is refused. Show a button "
        "exactly when its action is listed.",
    )


IS_TERMINAL_HELP = "True when nothing more happens to it by itself (stop polling)."


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
            "created_at": _when(document.created_at),
            "updated_at": _when(document.updated_at),
            "status_changed_at": _when(document.status_changed_at),
            "scanned_at": _when(document.scanned_at),
            "processing_started_at": _when(document.processing_started_at),
            "completed_at": _when(document.completed_at),
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
            "can_edit": self.get_can_edit(document),
            "policy": self.get_policy(document),
            "is_terminal": self.get_is_terminal(document),
            "allowed_actions": self.get_allowed_actions(document),
        }

    def get_is_terminal(self, document: Document) -> bool:
        return document_is_terminal(document)

    @extend_schema_field(_actions_field(DOCUMENT_ACTION_NAMES, "document"))
    def get_allowed_actions(self, document: Document) -> list[str]:
        user = _asking_user(self.context)
        return [] if user is None else document_allowed_actions(actor=user, document=document)

    def get_claim_status(self, document: Document) -> str | None:
        """The status of the claim the document is in (a locked claim locks it too)."""
        return document.claim.status if document.claim_id and document.claim else None

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_can_edit(self, document: Document) -> bool | None:
        """Whether the asking user may change its fields now (null: nobody asked)."""
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        from reimbursements.corrections import may_edit

        return may_edit(user, document)

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_policy(self, document: Document) -> list[dict[str, Any]]:
        """What the expense policy will say at submit: [{code, message}], checked against
        its claim (or, before it is in one, a claim in its own currency)."""
        from reimbursements.policy import document_violations

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
        from reimbursements.selectors import document_queue_position

        return document_queue_position(document=document)

    def get_category(self, document: Document) -> str:
        from reimbursements.policy import effective_category

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
        from reimbursements.api.extraction_repr import extraction_representation

        return extraction_representation(document, self.context.get("request"))

    def get_duplicate_of(self, document: Document) -> int | None:
        from reimbursements.api.extraction_repr import duplicate_of

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

    @extend_schema_field(_actions_field(CLAIM_ACTION_NAMES, "claim"))
    def get_allowed_actions(self, claim: Claim) -> list[str]:
        user = _asking_user(self.context)
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
        from reimbursements.currency import claim_conversions

        documents = claim.documents.select_related("extraction")
        return [c.to_dict() for c in claim_conversions(claim, documents)]

    def get_events(self, claim: Claim) -> list[dict[str, Any]]:
        from reimbursements.selectors import audit_events_for

        events = audit_events_for(object_type="claim", object_id=claim.pk).select_related("actor")
        return list(AuditEventSerializer(events, many=True).data)


def _iso_currency(value: str) -> None:
    from django.utils.translation import gettext as _

    from reimbursements.currency import is_currency

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


class TokenRequestSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)


class TokenResponseSerializer(serializers.Serializer[Any]):
    """Schema only: a new API token for this device, shown once."""

    token = serializers.CharField(help_text="send as `Authorization: Token <token>`")
    expiry = serializers.DateTimeField(help_text="after this the token answers 401")


class WeChatTokenResponseSerializer(TokenResponseSerializer):
    """Schema only: the token, and the account the WeChat identity is bound to."""

    user = UserSerializer()


class InferenceRequestSerializer(serializers.Serializer[Any]):
    image = serializers.CharField(help_text="base64-encoded image (JPEG, PNG or WebP)")
    text = serializers.CharField(max_length=4000, help_text="the question or instruction")


class WeChatSignInSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=128)
    binding_code = serializers.CharField(max_length=32, required=False, allow_blank=True)


class PaginatedClaimListSerializer(serializers.Serializer[Any]):
    """Schema only: one page of the claim list (PageNumberPagination's envelope)."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ClaimSerializer(many=True)
