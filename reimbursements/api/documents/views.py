"""Documents: upload, list, read, the stored file, retry, field corrections, duplicates."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from invoice_assistant.chunked import file_too_large_message
from reimbursements import corrections, permissions, selectors, services, uploads, workflow
from reimbursements.api.base import SCOPES, ScanningHeaderMixin, current_user
from reimbursements.api.documents.serializers import (
    BatchUploadResponseSerializer,
    DocumentSerializer,
    DocumentUploadSerializer,
    FieldCorrectionRequestSerializer,
    FieldCorrectionSerializer,
    ReviewDocumentSerializer,
)
from reimbursements.api.fields import OptionalCommentSerializer
from reimbursements.api.long_requests import LongRequestLimitMixin
from reimbursements.api.params import choice_param, choices_param, flag_param, id_param
from reimbursements.documents import lifecycle
from reimbursements.intake import IntakeError
from reimbursements.models import Document
from reimbursements.workflow import refuse


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter("scope", str, enum=SCOPES, description="'all': every visible one."),
            OpenApiParameter("status", str, description="Comma-separated document statuses."),
            OpenApiParameter("claim", int, description="Only the documents of this claim."),
        ]
    )
)
class DocumentListView(LongRequestLimitMixin, ScanningHeaderMixin, generics.ListAPIView[Document]):
    serializer_class = DocumentSerializer
    parser_classes = [MultiPartParser, FormParser]
    throttle_scope = "upload"

    def get_queryset(self) -> Any:
        params = self.request.query_params
        queryset = selectors.document_list(user=self.request.user)
        if choice_param(params, "scope", SCOPES) != "all":
            # Even finance sees only their own uploads here unless they ask for all.
            queryset = queryset.filter(owner=current_user(self.request))
        statuses = choices_param(params, "status", Document.Status.values)
        if statuses:
            queryset = queryset.filter(status__in=statuses)
        claim_id = id_param(params, "claim")
        if claim_id is not None:
            queryset = queryset.filter(claim_id=claim_id)
        return queryset.select_related("extraction")

    def get_throttles(self) -> list[Any]:
        if self.request.method == "POST":
            return [ScopedRateThrottle()]
        return super().get_throttles()

    @extend_schema(
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={
            201: PolymorphicProxySerializer(
                component_name="UploadResponse",
                serializers=[DocumentSerializer, BatchUploadResponseSerializer],
                resource_type_field_name=None,
            )
        },
        description="One file answers the document; a zip, or a PDF holding several "
        "invoices, answers {batch, documents}. Nothing is stored when any part is refused.",
    )
    def post(self, request: Request) -> Response:
        files = request.FILES
        if getattr(request._request, "upload_too_large", False):
            raise IntakeError("file_too_large", file_too_large_message(), status_code=413)
        if "file" not in files:
            raise IntakeError("file_missing", _("Attach the document as multipart field 'file'."))
        claim_raw = request.data.get("claim") or None
        serializer = DocumentUploadSerializer(data={"file": files["file"], "claim": claim_raw})
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        outcome = uploads.document_upload(
            owner=current_user(request),
            data=upload.read(),
            name=upload.name or "upload",
            claim_id=serializer.validated_data.get("claim"),
        )
        batch, documents = outcome.batch, outcome.documents
        context = {"request": request}
        if batch is None:
            return Response(
                DocumentSerializer(documents[0], context=context).data,
                status=status.HTTP_201_CREATED,
            )
        return Response(
            {
                "batch": {
                    "id": batch.pk,
                    "kind": batch.kind,
                    "original_filename": batch.original_filename,
                    "document_count": len(documents),
                },
                "documents": DocumentSerializer(documents, many=True, context=context).data,
            },
            status=status.HTTP_201_CREATED,
        )


class DocumentDetailView(ScanningHeaderMixin, APIView):
    @extend_schema(responses=DocumentSerializer)
    def get(self, request: Request, pk: int) -> Response:
        document = selectors.document_get(user=request.user, document_id=pk)
        return Response(DocumentSerializer(document, context={"request": request}).data)


class DocumentRetryView(ScanningHeaderMixin, APIView):
    @extend_schema(request=None, responses=DocumentSerializer)
    def post(self, request: Request, pk: int) -> Response:
        document = selectors.document_get(user=request.user, document_id=pk)
        user = current_user(request)
        refuse(permissions.retry_refusal(user, document))
        lifecycle.document_retry(actor=user, document_id=pk)
        document = selectors.document_get(user=request.user, document_id=pk)
        return Response(DocumentSerializer(document, context={"request": request}).data)


class DocumentFileView(LongRequestLimitMixin, APIView):
    """The only way to a stored file: authorised, as an attachment, never sniffed.

    Everyone who may see the document gets the masked copy (personal numbers blacked
    out). The original is for its owner and holders of ``view_personal_data`` only,
    with ``?original=1``; every such access is audited.
    """

    long_request_methods = frozenset({"GET"})

    @extend_schema(
        parameters=[OpenApiParameter("original", bool, required=False)],
        responses={(200, "application/octet-stream"): bytes},
    )
    def get(self, request: Request, pk: int) -> Any:
        wants_original = flag_param(request.query_params, "original")
        document = selectors.document_get(user=request.user, document_id=pk)
        user = current_user(request)
        kind = permissions.file_copy(actor=user, document=document, original=wants_original)
        if kind == "original":
            services.audit(actor=user, action="document.original_viewed", obj=document)
            handle, mime = document.file.open("rb"), document.mime_type
        else:
            handle, mime = document.masked_file.open("rb"), "image/jpeg"
        suffix = {
            "image/jpeg": "jpg",
            "image/png": "png",
            "application/pdf": "pdf",
            "application/ofd": "ofd",
            "application/xml": "xml",
        }.get(mime, "bin")
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=f"document-{document.pk}-{kind}.{suffix}",
            content_type=mime,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["X-Document-Copy"] = kind
        return response


class _ReviewedDocumentView(ScanningHeaderMixin, APIView):
    """A reviewer's write on a document: answers the document as reviewers see it."""

    parser_classes = [JSONParser, FormParser]

    def document(self, request: Request, pk: int) -> Document:
        """404 for documents the user may not see; the service checks what they may do."""
        return selectors.document_get(user=request.user, document_id=pk)

    def document_response(self, request: Request, pk: int) -> Response:
        document = (
            selectors.document_list(user=request.user).select_related("extraction").get(pk=pk)
        )
        return Response(ReviewDocumentSerializer(document, context={"request": request}).data)


class DocumentFieldsView(_ReviewedDocumentView):
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


class DocumentCorrectionsView(_ReviewedDocumentView):
    @extend_schema(responses=FieldCorrectionSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        document = self.document(request, pk)
        rows = corrections.corrections_for(document=document)
        return Response(FieldCorrectionSerializer(rows, many=True).data)


class DocumentResolveDuplicateView(_ReviewedDocumentView):
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
