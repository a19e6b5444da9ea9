from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from reimbursements import exchange_rates
from reimbursements.models import (
    AuditEvent,
    Claim,
    Document,
    ExchangeRate,
    ExportItem,
    Extraction,
    FieldCorrection,
    Notification,
    ScanResult,
    Team,
    WebhookDelivery,
    WeChatIdentity,
)
from reimbursements.services import ServiceError


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ("name", "manager")
    filter_horizontal = ("members",)


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin[Claim]):
    list_display = ("id", "title", "owner", "status", "total", "currency", "created_at")
    list_filter = ("status",)
    search_fields = ("title", "owner__username")


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin[Document]):
    list_display = ("id", "owner", "status", "mime_type", "size", "created_at")
    list_filter = ("status", "mime_type")
    readonly_fields = ("sha256", "file", "size", "mime_type")
    exclude = ("file",)


@admin.register(ScanResult)
class ScanResultAdmin(admin.ModelAdmin[ScanResult]):
    list_display = ("document", "verdict", "signature", "scanned_at")


@admin.register(Extraction)
class ExtractionAdmin(admin.ModelAdmin[Extraction]):
    list_display = ("document", "engine", "document_type", "seller_name", "total_amount")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ("created_at", "actor", "action", "object_type", "object_id")
    list_filter = ("action",)


@admin.register(FieldCorrection)
class FieldCorrectionAdmin(admin.ModelAdmin[FieldCorrection]):
    list_display = ("created_at", "extraction", "field", "actor")


@admin.register(ExportItem)
class ExportItemAdmin(admin.ModelAdmin[ExportItem]):
    list_display = ("id", "claim", "document", "approved_at", "acknowledged_at")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin[WebhookDelivery]):
    list_display = ("id", "created_at")


@admin.register(WeChatIdentity)
class WeChatIdentityAdmin(admin.ModelAdmin[WeChatIdentity]):
    list_display = ("user", "created_at")


class ExchangeRateForm(forms.ModelForm[ExchangeRate]):
    class Meta:
        model = ExchangeRate
        fields = ("from_currency", "to_currency", "rate", "date", "source")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            exchange_rates.validate_rate(
                from_currency=str(data.get("from_currency") or ""),
                to_currency=str(data.get("to_currency") or ""),
                rate=data.get("rate"),
                source=str(data.get("source") or ""),
            )
        except ServiceError as exc:
            raise forms.ValidationError(exc.message) from exc
        return data


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin[ExchangeRate]):
    """Through the same service as the API: validated, audited, and the totals of claims
    not yet finance-approved follow. A rate is never edited: delete it and add another."""

    form = ExchangeRateForm
    list_display = ("from_currency", "to_currency", "rate", "date", "source", "created_by")
    list_filter = ("from_currency", "to_currency")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: ExchangeRate, form: Any, change: bool) -> None:
        created = exchange_rates.exchange_rate_create(
            actor=request.user,  # type: ignore[arg-type]
            from_currency=obj.from_currency,
            to_currency=obj.to_currency,
            rate=obj.rate,
            date=obj.date,
            source=obj.source,
        )
        obj.pk = created.pk

    def delete_model(self, request: HttpRequest, obj: ExchangeRate) -> None:
        exchange_rates.exchange_rate_delete(actor=request.user, rate_id=obj.pk)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ExchangeRate]) -> None:
        for row in queryset:
            self.delete_model(request, row)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ("created_at", "recipient", "kind", "read_at", "email_status", "wechat_status")
    list_filter = ("kind", "email_status", "wechat_status")
    readonly_fields = [f.name for f in Notification._meta.fields]
