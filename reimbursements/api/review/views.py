"""The review queue: claims waiting for the requesting user's decision."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics

from reimbursements import selectors
from reimbursements.api.base import ScanningHeaderMixin
from reimbursements.api.pagination import ListPagination
from reimbursements.api.params import choice_param, choices_param, parse_id, text_param
from reimbursements.api.review.serializers import ReviewClaimSerializer
from reimbursements.models import Claim


class QueuePagination(ListPagination):
    page_size = 50


ORDERING_CHOICES = [prefix + key for key in selectors.QUEUE_ORDERINGS for prefix in ("", "-")]


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
        queryset = selectors.review_queue(user=self.request.user)
        owner = text_param(params, "owner", max_length=150)
        search = text_param(params, "search", max_length=1000)
        return selectors.filter_queue(
            queryset,
            statuses=choices_param(params, "status", Claim.Status.values),
            owner=owner,
            owner_id=parse_id(owner) if owner else None,
            search=search[:200] if search else None,
            ordering=choice_param(params, "ordering", ORDERING_CHOICES),
        )
