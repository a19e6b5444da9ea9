"""Approved spend, totalled in the database: by currency, category and month.

Read from the export items (one per approved document, frozen at finance approval), so
the dashboard shows exactly what accounting receives. Totals never mix currencies: the
category and month totals are for one currency, the others are listed with their own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DateField, DecimalField, QuerySet, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, TruncDate, TruncMonth

from reimbursements.models import ExportItem


@dataclass(frozen=True)
class SpendFilter:
    date_from: dt.date | None = None  # the spend date: the issue date, else the approval's
    date_to: dt.date | None = None
    category: str | None = None
    currency: str | None = None  # None: the currency with the most items


_BY_CURRENCY: tuple[str, ...] = ("cur",)
_BY_CATEGORY: tuple[str, ...] = ("cat",)


# The annotations are named in filters through dicts: django-stubs only knows model fields.
def _items() -> QuerySet[ExportItem]:
    return ExportItem.objects.annotate(
        amount=Cast(
            KeyTextTransform("total_amount", "payload"),
            DecimalField(max_digits=14, decimal_places=2),
        ),
        cur=KeyTextTransform("currency", "payload"),
        cat=KeyTextTransform("category", "payload"),
        spent_on=Coalesce(
            Cast(KeyTextTransform("issue_date", "payload"), DateField()),
            TruncDate("approved_at"),
        ),
    ).filter(amount__isnull=False)


def _money(value: Decimal | None) -> str:
    return str((value or Decimal("0")).quantize(Decimal("0.01")))


def spend_summary(*, filters: SpendFilter) -> dict[str, Any]:
    items = _items()
    if filters.date_from is not None:
        items = items.filter(**{"spent_on__gte": filters.date_from})
    if filters.date_to is not None:
        items = items.filter(**{"spent_on__lte": filters.date_to})
    if filters.category:
        items = items.filter(**{"cat": filters.category})
    currencies = [
        {"currency": row["cur"] or "", "total": _money(row["total"]), "count": row["count"]}
        for row in items.values(*_BY_CURRENCY)
        .annotate(total=Sum("amount"), count=Count("id"))
        .order_by("-count", "cur")
    ]
    currency = filters.currency or (currencies[0]["currency"] if currencies else "CNY")
    chosen = items.filter(**{"cur": currency})
    by_category = [
        {"category": row["cat"] or "other", "total": _money(row["total"]), "count": row["count"]}
        for row in chosen.values(*_BY_CATEGORY)
        .annotate(total=Sum("amount"), count=Count("id"))
        .order_by("-total", "cat")
    ]
    by_month = [
        {
            "month": row["month"].strftime("%Y-%m"),
            "total": _money(row["total"]),
            "count": row["count"],
        }
        for row in chosen.annotate(month=TruncMonth("spent_on"))
        .values("month")
        .annotate(total=Sum("amount"), count=Count("id"))
        .order_by("month")
    ]
    totals = chosen.aggregate(total=Sum("amount"), count=Count("id"))
    return {
        "currency": currency,
        "total": _money(totals["total"]),
        "count": totals["count"],
        "currencies": currencies,
        "by_category": by_category,
        "by_month": by_month,
    }
