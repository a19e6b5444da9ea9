"""Workflow, review and export endpoints: authorise through selectors, call a service."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from reimbursements import corrections, permissions, selectors, workflow, workflow_selectors
from reimbursements.api.errors import error_response
from reimbursements.api.long_requests import LongRequestLimitMixin
from reimbursements.api.pagination import ListPagination
from reimbursements.api.params import choice_param, choices_param, parse_id, text_param
from reimbursements.api.serializers import ClaimSerializer
from reimbursements.api.views import ScanningHeaderMixin, current_user
from reimbursements.api.workflow_serializers import (
    AcknowledgeResultSerializer,
    AcknowledgeSerializer,
    BulkApproveResultSerializer,
    BulkApproveSerializer,
    ClaimCommentSerializer,
    ExportPageSerializer,
    ExportQuerySerializer,
    FieldCorrectionRequestSerializer,
    FieldCorrectionSerializer,
    OptionalCommentSerializer,
    RequiredCommentSerializer,
    ReviewClaimSerializer,
    ReviewDocumentSerializer,
)
from reimbursements.exports import cursor as export_cursor
from reimbursements.exports.acknowledge import export_items_acknowledge
from reimbursements.exports.selectors import can_export, export_page, item_row
from reimbursements.exports.voucher import to_voucher_xlsx
from reimbursements.exports.writers import XLSX_MIME, to_csv, to_xlsx
from reimbursements.models import Claim, Document

CLAIM_RESPONSES = {200: ClaimSerializer}


class _WorkflowView(ScanningHeaderMixin, APIView):
    parser_classes = [JSONParser, FormParser]

    def claim(self, request: Request, pk: int) -> Claim:
        """404 for claims the user may not see; the service checks what they may do."""
        return selectors.claim_get(user=request.user, claim_id=pk)

    def document(self, request: Request, pk: int) -> Document:
        return selectors.document_get(user=request.user, document_id=pk)

    def claim_response(self, request: Request, pk: int, code: int = 200) -> Response:
        claim = selectors.claim_get(user=request.user, claim_id=pk)
        return Response(ClaimSerializer(claim, context={"request": request}).data, status=code)

    def document_response(self, request: Request, pk: int) -> Response:
        document = (
            selectors.document_list(user=request.user).select_related("extraction").get(pk=pk)
        )
        return Response(ReviewDocumentSerializer(document, context={"request": request}).data)


# --- claim transitions ------------------------------------------------------------------


class ClaimSubmitView(_WorkflowView):
    @extend_schema(
        request=None,
        responses={
            200: ClaimSerializer,
            400: OpenApiResponse(
                description="policy_violation: details.violations lists "
                "{code, message, document} for every broken rule."
            ),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        self.claim(request, pk)
        try:
            workflow.claim_submit(actor=current_user(request), claim_id=pk)
        except workflow.PolicyViolation as exc:
            return error_response(exc.code, exc.message, exc.status_code, exc.details)
        return self.claim_response(request, pk)


class ClaimApproveView(_WorkflowView):
    @extend_schema(request=OptionalCommentSerializer, responses=CLAIM_RESPONSES)
    def post(self, request: Request, pk: int) -> Response:
        self.claim(request, pk)
        serializer = OptionalCommentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        workflow.claim_approve(
            actor=current_user(request), claim_id=pk, comment=serializer.validated_data["comment"]
        )
        return self.claim_response(request, pk)


class ClaimReturnView(_WorkflowView):
    @extend_schema(request=RequiredCommentSerializer, responses=CLAIM_RESPONSES)
    def post(self, request: Request, pk: int) -> Response:
        self.claim(request, pk)
        serializer = RequiredCommentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        workflow.claim_return(
            actor=current_user(request), claim_id=pk, comment=serializer.validated_data["comment"]
        )
        return self.claim_response(request, pk)


class ClaimRejectView(_WorkflowView):
    @extend_schema(request=RequiredCommentSerializer, responses=CLAIM_RESPONSES)
    def post(self, request: Request, pk: int) -> Response:
        self.claim(request, pk)
        serializer = RequiredCommentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        workflow.claim_reject(
            actor=current_user(request), claim_id=pk, comment=serializer.validated_data["comment"]
        )
        return self.claim_response(request, pk)


class ClaimMarkPaidView(_WorkflowView):
    @extend_schema(request=None, responses=CLAIM_RESPONSES)
    def post(self, request: Request, pk: int) -> Response:
        self.claim(request, pk)
        workflow.claim_mark_paid(actor=current_user(request), claim_id=pk)
        return self.claim_response(request, pk)


class ClaimBulkApproveView(_WorkflowView):
    @extend_schema(request=BulkApproveSerializer, responses={200: BulkApproveResultSerializer})
    def post(self, request: Request) -> Response:
        serializer = BulkApproveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        outcome = workflow.claims_bulk_approve(
            actor=current_user(request),
            claim_ids=serializer.validated_data["ids"],
            comment=serializer.validated_data["comment"],
        )
        return Response({"approved": outcome.approved, "failed": outcome.failed})


class ClaimCommentsView(_WorkflowView):
    @extend_schema(request=ClaimCommentSerializer, responses={201: ClaimSerializer})
    def post(self, request: Request, pk: int) -> Response:
        self.claim(request, pk)
        serializer = ClaimCommentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        workflow.claim_comment(
            actor=current_user(request), claim_id=pk, text=serializer.validated_data["text"]
        )
        return self.claim_response(request, pk, status.HTTP_201_CREATED)


# --- review queue -----------------------------------------------------------------------


class QueuePagination(ListPagination):
    page_size = 50


ORDERING_CHOICES = [
    prefix + key for key in workflow_selectors.QUEUE_ORDERINGS for prefix in ("", "-")
]


@extend_schema(
    parameters=[
        OpenApiParameter("status", str, description="Comma-separated claim statuses."),
        OpenApiParameter("owner", str, description="Owner username (or id)."),
        OpenApiParameter("search", str, description="Claim title, owner name or seller."),
        OpenApiParameter("ordering", str, enum=ORDERING_CHOICES, description="'-' = desc."),
    ]
)
class ReviewQueueView(ScanningHeaderMixin, generics.ListAPIView[Claim]):
    serializer_class = ReviewClaimSerializer
    pagination_class = QueuePagination

    def get_queryset(self) -> Any:
        params = self.request.query_params
        queryset = workflow_selectors.review_queue(user=self.request.user)
        owner = text_param(params, "owner", max_length=150)
        search = text_param(params, "search", max_length=1000)
        return workflow_selectors.filter_queue(
            queryset,
            statuses=choices_param(params, "status", Claim.Status.values),
            owner=owner,
            owner_id=parse_id(owner) if owner else None,
            search=search[:200] if search else None,
            ordering=choice_param(params, "ordering", ORDERING_CHOICES),
        )


# --- documents --------------------------------------------------------------------------


class DocumentFieldsView(_WorkflowView):
    @extend_schema(request=FieldCorrectionRequestSerializer, responses=ReviewDocumentSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        self.document(request, pk)
        serializer = FieldCorrectionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        corrections.document_correct_field(
            actor=current_user(request),
            document_id=pk,
            field=serializer.validated_data["field"],
            value=serializer.validated_data.get("value"),
        )
        return self.document_response(request, pk)

    @extend_schema(
        request=FieldCorrectionRequestSerializer,
        responses=ReviewDocumentSerializer,
        description="Same as PATCH, for clients that cannot send PATCH (wx.request).",
    )
    def put(self, request: Request, pk: int) -> Response:
        return self.patch(request, pk)


class DocumentCorrectionsView(_WorkflowView):
    @extend_schema(responses=FieldCorrectionSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        document = self.document(request, pk)
        rows = corrections.corrections_for(document=document)
        return Response(FieldCorrectionSerializer(rows, many=True).data)


class DocumentResolveDuplicateView(_WorkflowView):
    @extend_schema(request=OptionalCommentSerializer, responses=ReviewDocumentSerializer)
    def post(self, request: Request, pk: int) -> Response:
        document = self.document(request, pk)
        workflow.refuse(permissions.resolve_duplicate_refusal(current_user(request), document))
        serializer = OptionalCommentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        corrections.document_resolve_duplicate(
            actor=current_user(request),
            document_id=pk,
            comment=serializer.validated_data["comment"],
        )
        return self.document_response(request, pk)


# --- export -----------------------------------------------------------------------------


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
