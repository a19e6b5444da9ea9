"""Claims as reviewers see them in their queue."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from reimbursements.api.claims.serializers import ClaimSerializer
from reimbursements.api.documents.serializers import (
    ReviewDocumentSerializer,
    document_warnings_count,
)
from reimbursements.models import Claim


class ReviewClaimSerializer(ClaimSerializer):
    documents_detail = serializers.SerializerMethodField()
    warnings_count = serializers.SerializerMethodField()

    class Meta(ClaimSerializer.Meta):
        fields: tuple[str, ...] = (  # type: ignore[assignment]
            *ClaimSerializer.Meta.fields,
            "submitted_at",
            "manager_approved_at",
            "finance_approved_at",
            "documents_detail",
            "warnings_count",
        )
        read_only_fields = fields  # type: ignore[assignment]

    def get_documents_detail(self, claim: Claim) -> list[dict[str, Any]]:
        documents = sorted(claim.documents.all(), key=lambda d: d.pk)
        return list(ReviewDocumentSerializer(documents, many=True, context=self.context).data)

    def get_warnings_count(self, claim: Claim) -> int:
        return sum(document_warnings_count(d) for d in claim.documents.all())
