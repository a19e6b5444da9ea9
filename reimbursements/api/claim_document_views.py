"""An employee fixes a draft claim: removes a document or moves it to another claim."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from reimbursements import claim_documents, selectors
from reimbursements.api.serializers import ClaimSerializer
from reimbursements.api.views import ScanningHeaderMixin, current_user


class MoveDocumentSerializer(serializers.Serializer[Any]):
    claim = serializers.IntegerField(
        min_value=1, help_text="The owner's draft (or returned) claim to move it to."
    )


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
        claim = claim_documents.claim_remove_document(
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
        target = claim_documents.claim_move_document(
            actor=current_user(request),
            claim_id=pk,
            document_id=document_id,
            to_claim_id=serializer.validated_data["claim"],
        )
        return Response(ClaimSerializer(target, context={"request": request}).data)
