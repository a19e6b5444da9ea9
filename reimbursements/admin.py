from django.contrib import admin

from reimbursements.models import (
    AuditEvent,
    Claim,
    Document,
    ExportItem,
    Extraction,
    FieldCorrection,
    ScanResult,
    Team,
    WebhookDelivery,
    WeChatIdentity,
)


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
