"""Finance's exchange-rate table and the currencies a claim may use."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from reimbursements import currency, exchange_rates
from reimbursements.api.base import ScanningHeaderMixin, current_user
from reimbursements.api.pagination import ListPagination
from reimbursements.models import ExchangeRate


class ExchangeRateSerializer(serializers.ModelSerializer[ExchangeRate]):
    rate = serializers.DecimalField(max_digits=20, decimal_places=8, coerce_to_string=True)
    created_by = serializers.SerializerMethodField()

    class Meta:
        model = ExchangeRate
        fields = (
            "id",
            "from_currency",
            "to_currency",
            "rate",
            "date",
            "source",
            "created_by",
            "created_at",
        )
        read_only_fields = fields

    def get_created_by(self, row: ExchangeRate) -> str | None:
        return row.created_by.get_username() if row.created_by else None


class ExchangeRateWriteSerializer(serializers.Serializer[Any]):
    from_currency = serializers.CharField(
        max_length=3, help_text="ISO 4217 code of the document's currency, e.g. MYR."
    )
    to_currency = serializers.CharField(
        max_length=3, help_text="ISO 4217 code of the claim's currency, e.g. CNY."
    )
    rate = serializers.CharField(
        max_length=40,
        help_text="Units of to_currency for one unit of from_currency, as a decimal string "
        "(at most 8 decimal places), e.g. '1.5432'.",
    )
    date = serializers.DateField(help_text="The rate applies from this date on (ISO).")
    # A field named "source" shadows Field.source in the type stubs only.
    source = serializers.CharField(  # type: ignore[assignment]
        max_length=200, help_text="Where it comes from, e.g. 'PBOC central parity'."
    )


@extend_schema(
    parameters=[
        OpenApiParameter("from_currency", str, description="Only this document currency."),
        OpenApiParameter("to_currency", str, description="Only this claim currency."),
    ]
)
class ExchangeRateListView(ScanningHeaderMixin, generics.ListCreateAPIView[ExchangeRate]):
    """Finance's rates (everyone signed in may read them; finance adds and deletes)."""

    serializer_class = ExchangeRateSerializer
    pagination_class = ListPagination
    parser_classes = [JSONParser, FormParser]

    def get_queryset(self) -> QuerySet[ExchangeRate]:
        rows = ExchangeRate.objects.select_related("created_by").order_by(
            "from_currency", "to_currency", "-date", "-pk"
        )
        for name in ("from_currency", "to_currency"):
            value = (self.request.query_params.get(name) or "").strip().upper()
            if value:
                rows = rows.filter(**{name: value})
        return rows

    @extend_schema(request=ExchangeRateWriteSerializer, responses={201: ExchangeRateSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ExchangeRateWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        date: dt.date = data["date"]
        row = exchange_rates.exchange_rate_create(
            actor=current_user(request),
            from_currency=data["from_currency"],
            to_currency=data["to_currency"],
            rate=data["rate"],
            date=date,
            source=data["source"],
        )
        return Response(ExchangeRateSerializer(row).data, status=status.HTTP_201_CREATED)


class ExchangeRateDetailView(ScanningHeaderMixin, APIView):
    @extend_schema(request=None, responses={204: None}, description="Delete a rate (finance).")
    def delete(self, request: Request, pk: int) -> Response:
        exchange_rates.exchange_rate_delete(actor=current_user(request), rate_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CurrencyListView(ScanningHeaderMixin, APIView):
    @extend_schema(
        responses=serializers.ListSerializer(child=serializers.CharField()),
        description="The ISO 4217 codes a claim, a document or a rate may use.",
    )
    def get(self, request: Request) -> Response:
        return Response(sorted(currency.ISO_4217))
