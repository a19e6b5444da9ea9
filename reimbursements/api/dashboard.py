"""Spend totals for finance and managers."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from reimbursements.api.base import ScanningHeaderMixin
from reimbursements.exports.spend import SpendFilter, spend_summary
from reimbursements.models import ExpenseCategory
from reimbursements.permissions import sees_spend


class SpendQuerySerializer(serializers.Serializer[Any]):
    date_from = serializers.DateField(
        required=False, help_text="From this spend date (issue date, else approval date)."
    )
    date_to = serializers.DateField(required=False, help_text="Up to this spend date.")
    category = serializers.ChoiceField(choices=ExpenseCategory.choices, required=False)
    currency = serializers.RegexField(
        r"^[A-Z]{3}$", required=False, help_text="Default: the currency with most items."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and start > end:
            raise serializers.ValidationError(
                {"date_to": gettext_lazy("must not be before the start date.")}
            )
        return attrs


class SpendBucketSerializer(serializers.Serializer[Any]):
    total = serializers.DecimalField(max_digits=16, decimal_places=2)
    count = serializers.IntegerField()


class SpendSerializer(serializers.Serializer[Any]):
    """Schema only: the answer of the spend dashboard."""

    currency = serializers.CharField(help_text="The currency of every total below.")
    total = serializers.DecimalField(max_digits=16, decimal_places=2)
    count = serializers.IntegerField()
    currencies = serializers.ListField(
        child=serializers.DictField(), help_text="[{currency, total, count}] per currency."
    )
    by_category = serializers.ListField(child=serializers.DictField())
    by_month = serializers.ListField(child=serializers.DictField())


class SeesSpend(BasePermission):
    message = gettext_lazy("The spend dashboard is for finance.")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return isinstance(user, User) and sees_spend(user)


class SpendView(ScanningHeaderMixin, APIView):
    permission_classes = [IsAuthenticated, SeesSpend]

    @extend_schema(
        parameters=[SpendQuerySerializer],
        responses={200: SpendSerializer},
        description="Approved spend (what accounting receives) totalled by category and "
        "by month in one currency; the other currencies are listed with their own totals.",
    )
    def get(self, request: Request) -> Response:
        query = SpendQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        summary = spend_summary(
            filters=SpendFilter(
                date_from=params.get("date_from"),
                date_to=params.get("date_to"),
                category=params.get("category"),
                currency=params.get("currency"),
            )
        )
        return Response(summary)
