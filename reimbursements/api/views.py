"""REST API v1 views: parse, authorise through selectors, call a service, serialise."""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import math
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in
from django.contrib.auth.models import User
from django.http import FileResponse
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from invoice_assistant import metrics
from invoice_assistant.chunked import file_too_large_message, size_text
from reimbursements import permissions, selectors, services, workflow
from reimbursements.api.authentication import TokenAuthentication
from reimbursements.api.errors import error_response
from reimbursements.api.long_requests import LongRequestLimitMixin
from reimbursements.api.pagination import LIMIT_DESCRIPTION, ListPagination
from reimbursements.api.params import choice_param, choices_param, flag_param, id_param
from reimbursements.api.parsers import LimitedJSONParser
from reimbursements.api.serializers import (
    BatchUploadResponseSerializer,
    ClaimAddDocumentSerializer,
    ClaimPatchSerializer,
    ClaimSerializer,
    ClaimWriteSerializer,
    DocumentSerializer,
    DocumentUploadSerializer,
    InferenceRequestSerializer,
    MeUpdateSerializer,
    PaginatedClaimListSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
    UserSerializer,
    WeChatSignInSerializer,
    WeChatTokenResponseSerializer,
)
from reimbursements.documents import cache_hit, lifecycle
from reimbursements.documents.upload import documents_create, prime_relations
from reimbursements.intake import (
    IntakeError,
    accept_upload,
    sniff_mime,
    sniff_type,
    validate_upload,
)
from reimbursements.language import profile_set_language
from reimbursements.login_protection import (
    SignInLockedOut,
    is_locked_out,
    record_failed_sign_in,
)
from reimbursements.models import Document
from reimbursements.scanning import scanner_configured
from reimbursements.tokens import auth_token_issue, auth_token_revoke, auth_tokens_revoke_all
from reimbursements.workflow import refuse

log = logging.getLogger(__name__)

# ?scope=all: everything the user may see (approvers, finance); the default is their own.
SCOPES = ("mine", "all")


def current_user(request: Request) -> User:
    """The authenticated user (every view here requires authentication)."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user


class ScanningHeaderMixin:
    """Every answer says loudly when uploads are not being virus-scanned (dev only)."""

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if not scanner_configured():
            response["X-Virus-Scanning"] = "unavailable"
        return response


class TokenView(ScanningHeaderMixin, APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    throttle_scope = "login"
    throttle_classes = [ScopedRateThrottle]

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenResponseSerializer})
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # A failure is counted by axes (its backend and signal handler); once a limit is
        # reached, its middleware answers 429 instead of this view's 400.
        user = authenticate(
            request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None or not user.is_active:
            return error_response(
                "invalid_credentials",
                _("Wrong username or password."),
                status.HTTP_400_BAD_REQUEST,
            )
        token = auth_token_issue(user=user)
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        return Response({"token": token.key, "expiry": token.expiry})


class SignOutView(ScanningHeaderMixin, APIView):
    """Revokes the token this request carries: this device is signed out."""

    authentication_classes = [TokenAuthentication]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        current_user(request)
        auth_token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SignOutEverywhereView(ScanningHeaderMixin, APIView):
    """Revokes every API token of the user (a lost phone, a leaked key)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        auth_tokens_revoke_all(user=current_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WeChatSignInView(ScanningHeaderMixin, APIView):
    """wx.login code (+ one-time binding code on first use) -> our API token."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    throttle_scope = "login"
    throttle_classes = [ScopedRateThrottle]

    @extend_schema(request=WeChatSignInSerializer, responses={200: WeChatTokenResponseSerializer})
    def post(self, request: Request) -> Response:
        from reimbursements.wechat import WeChatClient, WeChatError, wechat_sign_in

        serializer = WeChatSignInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = WeChatClient.from_settings().code2session(serializer.validated_data["code"])
        # A wrong binding code is a guess at a secret: limited like a wrong password, per
        # WeChat identity and address (axes' middleware answers 429 at the limit).
        account = f"wechat:{session.openid}"
        if is_locked_out(request._request, username=account):
            raise SignInLockedOut(request._request)
        try:
            user, token = wechat_sign_in(
                session=session,
                binding_code=serializer.validated_data.get("binding_code") or None,
            )
        except WeChatError as exc:
            if exc.code == "invalid_binding_code":
                record_failed_sign_in(request._request, username=account)
            raise
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        return Response(
            {"token": token.key, "expiry": token.expiry, "user": UserSerializer(user).data}
        )


class MeView(ScanningHeaderMixin, APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        responses=UserSerializer,
        description="The signed-in user: name, roles, and the language they chose.",
    )
    def get(self, request: Request) -> Response:
        return Response(UserSerializer(current_user(request)).data)

    @extend_schema(
        request=MeUpdateSerializer,
        responses=UserSerializer,
        description="Saves the user's language: every message of the server (errors, "
        "warnings, policy problems) is then in it, on every device; '' follows the "
        "client's Accept-Language again.",
    )
    def patch(self, request: Request) -> Response:
        serializer = MeUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = current_user(request)
        language = profile_set_language(user=user, language=serializer.validated_data["language"])
        # This answer already speaks the new choice (or the client's language again).
        language = language or translation.get_language_from_request(request._request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        return Response(UserSerializer(user).data)

    @extend_schema(
        request=MeUpdateSerializer,
        responses=UserSerializer,
        description="Saves the user's language, like PATCH, for clients that cannot send "
        "PATCH (the mini-program's wx.request).",
    )
    def put(self, request: Request) -> Response:
        return self.patch(request)


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
        data = upload.read()
        claim_id = serializer.validated_data.get("claim")
        mime_type = sniff_type(data) if data else None
        if data and mime_type != "application/zip":
            cached = cache_hit.answer_from_cache(
                owner=current_user(request),
                sha256=hashlib.sha256(data).hexdigest(),
                name=upload.name or "upload",
                claim_id=claim_id,
                mime_type=mime_type,
            )
            if cached is not None:
                return Response(
                    DocumentSerializer(cached, context={"request": request}).data,
                    status=status.HTTP_201_CREATED,
                )
        accepted = accept_upload(data, name=upload.name or "upload")
        metrics.UPLOAD_BYTES.observe(len(data))
        log.info(
            "upload accepted",
            extra={"upload_name": accepted.original_name, "documents": len(accepted.files)},
        )
        batch, documents = documents_create(
            owner=current_user(request),
            upload=accepted,
            claim_id=claim_id,
        )
        for document in documents:
            # The uploader owns them and nothing else has touched them yet: no read-back.
            prime_relations(document, scans=[], extraction=None)
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


class ClaimListView(ScanningHeaderMixin, APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        operation_id="v1_claims_list",
        parameters=[
            OpenApiParameter("scope", str, enum=SCOPES, description="'all': every visible one."),
            OpenApiParameter("page", int, description="Page number (from 1)."),
            OpenApiParameter("limit", int, description=LIMIT_DESCRIPTION),
        ],
        responses=PaginatedClaimListSerializer,
    )
    def get(self, request: Request) -> Response:
        queryset = selectors.claim_list(user=request.user)
        if choice_param(request.query_params, "scope", SCOPES) != "all":
            queryset = queryset.filter(owner=current_user(request))
        paginator = ListPagination()
        page = paginator.paginate_queryset(
            queryset.prefetch_related("documents"), request, view=self
        )
        data = ClaimSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(request=ClaimWriteSerializer, responses={201: ClaimSerializer})
    def post(self, request: Request) -> Response:
        serializer = ClaimWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claim = services.claim_create(
            owner=current_user(request),
            title=serializer.validated_data["title"],
            currency=serializer.validated_data["currency"],
        )
        return Response(
            ClaimSerializer(claim, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class ClaimDetailView(ScanningHeaderMixin, APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(responses=ClaimSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(
            ClaimSerializer(
                selectors.claim_get(user=request.user, claim_id=pk), context={"request": request}
            ).data
        )

    @extend_schema(request=ClaimPatchSerializer, responses=ClaimSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        claim = selectors.claim_get(user=request.user, claim_id=pk)
        refuse(workflow.edit_refusal(current_user(request), claim))
        serializer = ClaimPatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claim = services.claim_update(
            actor=current_user(request),
            claim_id=pk,
            title=serializer.validated_data.get("title"),
            currency=serializer.validated_data.get("currency"),
        )
        return Response(ClaimSerializer(claim, context={"request": request}).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        claim = selectors.claim_get(user=request.user, claim_id=pk)
        refuse(workflow.delete_refusal(current_user(request), claim))
        services.claim_delete(actor=current_user(request), claim_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ClaimDocumentsView(ScanningHeaderMixin, APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(request=ClaimAddDocumentSerializer, responses=ClaimSerializer)
    def post(self, request: Request, pk: int) -> Response:
        claim = selectors.claim_get(user=request.user, claim_id=pk)
        refuse(workflow.add_documents_refusal(current_user(request), claim))
        serializer = ClaimAddDocumentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        selectors.document_get(user=request.user, document_id=serializer.validated_data["document"])
        claim = services.claim_add_document(
            actor=current_user(request),
            claim_id=pk,
            document_id=serializer.validated_data["document"],
        )
        return Response(ClaimSerializer(claim, context={"request": request}).data)


class InferenceView(LongRequestLimitMixin, ScanningHeaderMixin, APIView):
    """The source article's contract: {"image": base64, "text": prompt} -> {"result": ...}."""

    parser_classes = [LimitedJSONParser]

    def max_body_bytes(self) -> int:
        """Room for an image as large as a multipart upload may be, as base64.

        base64 is 4 bytes per 3; the rest covers a data: prefix, the prompt, the JSON
        around them, and encoders that escape "/" as "\\/".
        """
        encoded = 4 * math.ceil(settings.UPLOAD_MAX_BYTES / 3)
        return encoded + encoded // 16 + 64 * 1024

    def body_too_large_message(self) -> str:
        return _("The image is larger than the %(limit)s limit.") % {
            "limit": size_text(settings.UPLOAD_MAX_BYTES)
        }

    @extend_schema(request=InferenceRequestSerializer, responses={200: dict, 503: dict})
    def post(self, request: Request) -> Response:
        serializer = InferenceRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        raw = serializer.validated_data["image"]
        if raw.startswith("data:"):
            raw = raw.split(",", 1)[-1]
        try:
            image_bytes = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            return error_response(
                "invalid_base64", _("'image' must be base64-encoded image bytes."), 400
            )
        if sniff_mime(image_bytes[:32]) not in {"image/jpeg", "image/png", "image/webp"}:
            return error_response(
                "unsupported_type", _("'image' must be a JPEG, PNG or WebP image."), 415
            )
        validate_upload(image_bytes, name="inference")
        from reimbursements.inference import answer_question

        return answer_question(image_bytes=image_bytes, text=serializer.validated_data["text"])
