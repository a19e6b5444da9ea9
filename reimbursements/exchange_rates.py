"""Finance's exchange-rate table: a rate is added or deleted, and the totals of the
claims still on their way follow it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from reimbursements import currency
from reimbursements.models import Claim, ExchangeRate
from reimbursements.roles import manages_exchange_rates
from reimbursements.services import ServiceError, audit
from reimbursements.workflow import claim_recompute_total

RATE_PLACES = 8
RATE_MAX = Decimal("1000000000")
# Finance's rates apply only to claims still on their way; a finance-approved claim
# keeps the amounts its export items were frozen with.
RECONVERTED_STATES = (
    Claim.Status.DRAFT,
    Claim.Status.RETURNED,
    Claim.Status.SUBMITTED,
    Claim.Status.MANAGER_APPROVED,
)


def parse_rate(value: Any) -> Decimal:
    try:
        rate = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ServiceError("invalid_rate", _("The rate must be a number, e.g. 0.6512.")) from exc
    if not rate.is_finite() or rate <= 0 or rate >= RATE_MAX:
        raise ServiceError("invalid_rate", _("The rate must be a positive number."))
    if rate != rate.quantize(Decimal(1).scaleb(-RATE_PLACES)):
        raise ServiceError(
            "invalid_rate",
            _("The rate may have at most %(places)d decimal places.") % {"places": RATE_PLACES},
        )
    return rate


def _check_finance(actor: User) -> None:
    if not manages_exchange_rates(actor):
        raise ServiceError(
            "not_finance", _("Only finance can change exchange rates."), status_code=403
        )


def _check_currency(code: str) -> str:
    code = code.strip().upper()
    if not currency.is_currency(code):
        raise ServiceError(
            "invalid_currency",
            _("%(code)s is not an ISO 4217 currency code (e.g. CNY, USD, MYR).") % {"code": code},
        )
    return code


def validate_rate(
    *, from_currency: str, to_currency: str, rate: Any, source: str
) -> tuple[str, str, Decimal, str]:
    """The pair, the rate and its source as stored, or a ServiceError saying what is wrong."""
    base, quote = _check_currency(from_currency), _check_currency(to_currency)
    if base == quote:
        raise ServiceError("same_currency", _("Choose two different currencies."))
    value = parse_rate(rate)
    text = source.strip()
    if not text:
        raise ServiceError("source_required", _("Say where the rate comes from (its source)."))
    return base, quote, value, text


@transaction.atomic
def exchange_rate_create(
    *,
    actor: User,
    from_currency: str,
    to_currency: str,
    rate: Any,
    date: dt.date,
    source: str,
) -> ExchangeRate:
    """A new rate of a pair; the totals of claims not yet finance-approved follow it."""
    _check_finance(actor)
    base, quote, value, text = validate_rate(
        from_currency=from_currency, to_currency=to_currency, rate=rate, source=source
    )
    try:
        with transaction.atomic():
            row = ExchangeRate.objects.create(
                from_currency=base,
                to_currency=quote,
                rate=value,
                date=date,
                source=text[:200],
                created_by=actor,
            )
    except IntegrityError as exc:
        raise ServiceError(
            "rate_exists",
            _("There is already a %(pair)s rate for %(date)s; delete it first to change it.")
            % {"pair": f"{base}/{quote}", "date": date.isoformat()},
            status_code=409,
        ) from exc
    audit(
        actor=actor,
        action="exchange_rate.created",
        obj=row,  # type: ignore[arg-type]
        after={"pair": f"{base}/{quote}", "rate": str(value), "date": date.isoformat()},
        comment=text,
    )
    _reconvert(from_currency=base, to_currency=quote)
    return row


@transaction.atomic
def exchange_rate_delete(*, actor: User, rate_id: int) -> None:
    _check_finance(actor)
    row = ExchangeRate.objects.select_for_update().filter(pk=rate_id).first()
    if row is None:
        raise ServiceError("not_found", _("Not found."), status_code=404)
    audit(
        actor=actor,
        action="exchange_rate.deleted",
        obj=row,  # type: ignore[arg-type]
        before={"pair": f"{row.from_currency}/{row.to_currency}", "rate": str(row.rate)},
    )
    row.delete()
    _reconvert(from_currency=row.from_currency, to_currency=row.to_currency)


def _reconvert(*, from_currency: str, to_currency: str) -> None:
    ids = (
        Claim.objects.filter(
            status__in=RECONVERTED_STATES,
            currency=to_currency,
            documents__extraction__currency=from_currency,
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    for claim in Claim.objects.select_for_update().filter(pk__in=list(ids)).order_by("pk"):
        claim_recompute_total(claim=claim)
