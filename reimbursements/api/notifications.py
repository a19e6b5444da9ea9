"""The inbox: notifications, unread and queue counts, channel choice."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from reimbursements.api.base import ScanningHeaderMixin, current_user
from reimbursements.api.pagination import ListPagination
from reimbursements.api.params import flag_param
from reimbursements.models import Notification, NotificationPreference
from reimbursements.notify import selectors as notify_selectors
from reimbursements.notify import services as notify
from reimbursements.notify.messages import render
from reimbursements.notify.wechat import wechat_configured


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    title = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    route = serializers.SerializerMethodField(
        help_text="The web app's route to open (hash path, e.g. /claims/12)."
    )
    miniprogram_page = serializers.SerializerMethodField()
    actor = serializers.SerializerMethodField()
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = (
            "id",
            "kind",
            "status",
            "title",
            "body",
            "route",
            "miniprogram_page",
            "claim",
            "document",
            "actor",
            "created_at",
            "read_at",
            "unread",
            "email_status",
            "wechat_status",
        )
        read_only_fields = fields

    def get_title(self, row: Notification) -> str:
        return render(row).title

    def get_body(self, row: Notification) -> str:
        return render(row).body

    def get_route(self, row: Notification) -> str:
        return render(row).route

    def get_miniprogram_page(self, row: Notification) -> str:
        return render(row).miniprogram_page

    def get_actor(self, row: Notification) -> str | None:
        if row.actor is None:
            return None
        return row.actor.get_full_name() or row.actor.get_username()

    def get_unread(self, row: Notification) -> bool:
        return row.read_at is None


class SummarySerializer(serializers.Serializer[Any]):
    unread = serializers.IntegerField(help_text="Unread notifications.")
    review_pending = serializers.IntegerField(help_text="Claims waiting for your review.")
    wechat_template_id = serializers.CharField(
        allow_null=True, help_text="For wx.requestSubscribeMessage; null when not configured."
    )


class PreferenceSerializer(serializers.Serializer[Any]):
    email = serializers.BooleanField(required=False)
    wechat = serializers.BooleanField(required=False)


class MarkedSerializer(serializers.Serializer[Any]):
    marked = serializers.IntegerField()


@extend_schema(
    parameters=[OpenApiParameter("unread", bool, description="Only unread notifications.")]
)
class NotificationListView(ScanningHeaderMixin, generics.ListAPIView[Notification]):
    """Your notifications, newest first."""

    serializer_class = NotificationSerializer
    pagination_class = ListPagination

    def get_queryset(self) -> QuerySet[Notification]:
        rows = notify_selectors.inbox(user=current_user(self.request))
        if flag_param(self.request.query_params, "unread"):
            rows = rows.filter(read_at__isnull=True)
        return rows


class NotificationSummaryView(ScanningHeaderMixin, APIView):
    @extend_schema(
        responses=SummarySerializer,
        description="The counts for the badges: unread notifications and claims waiting for "
        "the user's review (approvers: their teams' submitted claims; finance: "
        "manager-approved ones).",
    )
    def get(self, request: Request) -> Response:
        user = current_user(request)
        return Response(
            {
                "unread": notify_selectors.unread_count(user=user),
                "review_pending": notify_selectors.review_pending_count(user=user),
                "wechat_template_id": (
                    settings.WECHAT_SUBSCRIBE_TEMPLATE_ID if wechat_configured() else None
                ),
            }
        )


class NotificationReadView(ScanningHeaderMixin, APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(request=None, responses=NotificationSerializer, description="Mark one read.")
    def post(self, request: Request, pk: int) -> Response:
        row = notify.notification_mark_read(user=current_user(request), notification_id=pk)
        return Response(NotificationSerializer(row).data)


class NotificationReadAllView(ScanningHeaderMixin, APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(request=None, responses=MarkedSerializer, description="Mark all read.")
    def post(self, request: Request) -> Response:
        return Response({"marked": notify.notifications_mark_all_read(user=current_user(request))})


class NotificationPreferenceView(ScanningHeaderMixin, APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        responses=PreferenceSerializer,
        description="Which channels send your notifications besides the inbox (both on "
        "until you turn one off).",
    )
    def get(self, request: Request) -> Response:
        row = NotificationPreference.objects.filter(user=current_user(request)).first()
        return Response(
            {"email": row.email if row else True, "wechat": row.wechat if row else True}
        )

    @extend_schema(request=PreferenceSerializer, responses=PreferenceSerializer)
    def patch(self, request: Request) -> Response:
        serializer = PreferenceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = notify.notification_preference_set(
            user=current_user(request),
            email=serializer.validated_data.get("email"),
            wechat=serializer.validated_data.get("wechat"),
        )
        return Response({"email": row.email, "wechat": row.wechat})

    @extend_schema(
        request=PreferenceSerializer,
        responses=PreferenceSerializer,
        description="Same as PATCH, for clients that cannot send PATCH (wx.request).",
    )
    def put(self, request: Request) -> Response:
        return self.patch(request)
