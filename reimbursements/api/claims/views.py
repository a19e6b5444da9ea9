"""Claims: create, list, read, edit, delete, their documents, and the workflow
transitions (submit, approve, return, reject, mark paid, bulk approve, comments)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from reimbursements import selectors, workflow
from reimbursements.api.base import SCOPES, ScanningHeaderMixin, current_user
from reimbursements.api.claims.serializers import (
    BulkApproveResultSerializer,
    BulkApproveSerializer,
    ClaimAddDocumentSerializer,
    ClaimCommentSerializer,
    ClaimPatchSerializer,
    ClaimSerializer,
    ClaimWriteSerializer,
    MoveDocumentSerializer,
    PaginatedClaimListSerializer,
)
from reimbursements.api.errors import error_response
from reimbursements.api.fields import OptionalCommentSerializer, RequiredCommentSerializer
from reimbursements.api.pagination import LIMIT_DESCRIPTION, ListPagination
from reimbursements.api.params import choice_param
from reimbursements.models import Claim
from reimbursements.workflow import refuse


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
        claim = workflow.claim_create(
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
        claim = workflow.claim_update(
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
        workflow.claim_delete(actor=current_user(request), claim_id=pk)
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
        claim = workflow.claim_add_document(
            actor=current_user(request),
            claim_id=pk,
            document_id=serializer.validated_data["document"],
        )
        return Response(ClaimSerializer(claim, context={"request": request}).data)


class ClaimDocumentView(ScanningHeaderMixin, APIView):
    @extend_schema(
        request=None,
        responses={200: ClaimSerializer},
        description="Remove the document from the claim (it stays among the owner's "
        "documents). Owner only, while the claim is a draft or returned; 409 "
        "claim_locked once it is approved, exported, paid or rejected.",
    )
    def delete(self, request: Request, pk: int, document_id: int) -> Response:
        selectors.claim_get(user=request.user, claim_id=pk)
        claim = workflow.claim_remove_document(
            actor=current_user(request), claim_id=pk, document_id=document_id
        )
        return Response(ClaimSerializer(claim, context={"request": request}).data)


class ClaimDocumentMoveView(ScanningHeaderMixin, APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        request=MoveDocumentSerializer,
        responses={200: ClaimSerializer},
        description="Move the document to another of the owner's claims; answers the "
        "claim it moved to. Both claims must be drafts or returned.",
    )
    def post(self, request: Request, pk: int, document_id: int) -> Response:
        selectors.claim_get(user=request.user, claim_id=pk)
        serializer = MoveDocumentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        target = workflow.claim_move_document(
            actor=current_user(request),
            claim_id=pk,
            document_id=document_id,
            to_claim_id=serializer.validated_data["claim"],
        )
        return Response(ClaimSerializer(target, context={"request": request}).data)


CLAIM_RESPONSES = {200: ClaimSerializer}


class _ClaimActionView(ScanningHeaderMixin, APIView):
    parser_classes = [JSONParser, FormParser]

    def claim(self, request: Request, pk: int) -> Claim:
        """404 for claims the user may not see; the service checks what they may do."""
        return selectors.claim_get(user=request.user, claim_id=pk)

    def claim_response(self, request: Request, pk: int, code: int = 200) -> Response:
        claim = selectors.claim_get(user=request.user, claim_id=pk)
        return Response(ClaimSerializer(claim, context={"request": request}).data, status=code)

    def decide(
        self,
        request: Request,
        pk: int,
        transition: Callable[..., object],
        comment: type[serializers.Serializer[Any]],
    ) -> Response:
        """An approver's decision: the comment checked by ``comment``, then ``transition``."""
        self.claim(request, pk)
        serializer = comment(data=request.data)
        serializer.is_valid(raise_exception=True)
        transition(
            actor=current_user(request), claim_id=pk, comment=serializer.validated_data["comment"]
        )
        return self.claim_response(request, pk)


class ClaimSubmitView(_ClaimActionView):
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


class ClaimApproveView(_ClaimActionView):
    @extend_schema(request=OptionalCommentSerializer, responses=CLAIM_RESPONSES)
    def post(self, request: Request, pk: int) -> Response:
        return self.decide(request, pk, workflow.claim_approve, OptionalCommentSerializer)


class ClaimReturnView(_ClaimActionView):
    @extend_schema(request=RequiredCommentSerializer, responses=CLAIM_RESPONSES)
    def post(self, request: Request, pk: int) -> Response:
        return self.decide(request, pk, workflow.claim_return, RequiredCommentSerializer)


class ClaimRejectView(_ClaimActionView):
    @extend_schema(request=RequiredCommentSerializer, responses=CLAIM_RESPONSES)
    def post(self, request: Request, pk: int) -> Response:
        return self.decide(request, pk, workflow.claim_reject, RequiredCommentSerializer)


class ClaimMarkPaidView(_ClaimActionView):
    @extend_schema(request=None, responses=CLAIM_RESPONSES)
    def post(self, request: Request, pk: int) -> Response:
        self.claim(request, pk)
        workflow.claim_mark_paid(actor=current_user(request), claim_id=pk)
        return self.claim_response(request, pk)


class ClaimBulkApproveView(_ClaimActionView):
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


class ClaimCommentsView(_ClaimActionView):
    @extend_schema(request=ClaimCommentSerializer, responses={201: ClaimSerializer})
    def post(self, request: Request, pk: int) -> Response:
        self.claim(request, pk)
        serializer = ClaimCommentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        workflow.claim_comment(
            actor=current_user(request), claim_id=pk, text=serializer.validated_data["text"]
        )
        return self.claim_response(request, pk, status.HTTP_201_CREATED)
