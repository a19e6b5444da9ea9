"""Approved items for accounting (JSON, CSV, XLSX, voucher) and their acknowledgement."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from reimbursements.api.base import ScanningHeaderMixin, current_user
from reimbursements.api.exports.serializers import (
    AcknowledgeResultSerializer,
    AcknowledgeSerializer,
    ExportPageSerializer,
    ExportQuerySerializer,
)
from reimbursements.api.long_requests import LongRequestLimitMixin
from reimbursements.exports import cursor as export_cursor
from reimbursements.exports.acknowledge import export_items_acknowledge
from reimbursements.exports.selectors import can_export, export_page, item_row
from reimbursements.exports.voucher import to_voucher_xlsx
from reimbursements.exports.writers import XLSX_MIME, to_csv, to_xlsx


class CanExport(BasePermission):
    message = gettext_lazy("Exporting needs the finance role or the export_approved permission.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return can_export(request.user)


class ExportApprovedView(LongRequestLimitMixin, ScanningHeaderMixin, APIView):
    permission_classes = [IsAuthenticated, CanExport]
    long_request_methods = frozenset({"GET"})

    def perform_content_negotiation(
        self, request: Request, force: bool = False
    ) -> tuple[BaseRenderer, str]:
        # ?format= picks our file layout here, not a DRF renderer: answers are JSON
        # (errors included) unless the handler returns a file itself.
        renderer = JSONRenderer()
        return renderer, renderer.media_type

    @extend_schema(
        parameters=[
            OpenApiParameter("cursor", str, description="next_cursor of the previous page."),
            OpenApiParameter("format", str, enum=["json", "csv", "xlsx", "voucher"]),
            OpenApiParameter(
                "limit",
                int,
                description="Items per page (1-1000, default 100), exactly; the voucher "
                "layout adds the rest of the page's last claim, so each voucher balances.",
            ),
            OpenApiParameter(
                "include_acknowledged", bool, description="Also list acknowledged items."
            ),
        ],
        responses={
            (200, "application/json"): ExportPageSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
            (200, XLSX_MIME): OpenApiTypes.BINARY,
        },
    )
    def get(self, request: Request) -> Any:
        query = ExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        page = export_page(
            after=export_cursor.decode(params.get("cursor")),
            limit=params["limit"],
            include_acknowledged=params["include_acknowledged"],
            whole_claims=params["format"] == "voucher",
        )
        rows = [item_row(item) for item in page.items]
        next_cursor = export_cursor.encode(page.position)
        kind = params["format"]
        if kind == "json":
            return Response({"items": rows, "next_cursor": next_cursor, "has_more": page.has_more})
        if kind == "csv":
            response = HttpResponse(to_csv(rows), content_type="text/csv; charset=utf-8")
            suffix = "csv"
        elif kind == "xlsx":
            response = HttpResponse(to_xlsx(rows), content_type=XLSX_MIME)
            suffix = "xlsx"
        else:
            response = HttpResponse(to_voucher_xlsx(rows), content_type=XLSX_MIME)
            suffix = "voucher.xlsx"
        response["Content-Disposition"] = (
            f'attachment; filename="approved-{page.position}.{suffix}"'
        )
        response["X-Next-Cursor"] = next_cursor
        response["X-Has-More"] = "true" if page.has_more else "false"
        response["Cache-Control"] = "private, no-store"
        return response


class ExportAcknowledgeView(ScanningHeaderMixin, APIView):
    permission_classes = [IsAuthenticated, CanExport]
    parser_classes = [JSONParser]

    @extend_schema(request=AcknowledgeSerializer, responses={200: AcknowledgeResultSerializer})
    def post(self, request: Request) -> Response:
        serializer = AcknowledgeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        outcome = export_items_acknowledge(
            actor=current_user(request), keys=serializer.validated_data["ids"]
        )
        return Response(
            {
                "acknowledged": outcome.acknowledged,
                "already_acknowledged": outcome.already_acknowledged,
                "unknown": outcome.unknown,
                "exported_claims": outcome.exported_claims,
            }
        )
