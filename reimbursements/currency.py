"""Claims in one currency, documents in any: conversion at finance's exchange rates.

A document counts in its claim's currency at the rate of its pair on its invoice date
(the latest rate dated on or before it; the upload date when the invoice has none). A
document whose currency has no such rate is not added to the total (totals never mix
currencies) and blocks the submit (``policy.NO_EXCHANGE_RATE``). Amounts are Decimal
throughout; only the end results (a claim's total, one item's converted amount) are
rounded, half up, to cents.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reimbursements.models import Claim, Document, ExchangeRate, Extraction, Role
from reimbursements.roles import has_role
from reimbursements.services import ServiceError

CENT = Decimal("0.01")
RATE_PLACES = 8
RATE_MAX = Decimal("1000000000")

# ISO 4217 codes of currencies in circulation (funds, metals and test codes left out).
ISO_4217: frozenset[str] = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN
    BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR
    FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD
    JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT
    MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG
    QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS
    TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VED VND VUV WST XAF XCD XCG XOF XPF
    YER ZAR ZMW ZWG
    """.split()  # noqa: SIM905  (a table is easier to check than a list literal)
)
# Finance's rates apply only to claims still on their way; a finance-approved claim
# keeps the amounts its export items were frozen with.
RECONVERTED_STATES = (
    Claim.Status.DRAFT,
    Claim.Status.RETURNED,
    Claim.Status.SUBMITTED,
    Claim.Status.MANAGER_APPROVED,
)


def is_currency(code: str) -> bool:
    return code in ISO_4217


def round_money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Conversion:
    """One document's amount in its claim's currency."""

    document: int
    amount: Decimal | None
    currency: str
    to_currency: str
    on: dt.date  # the date whose rate applies
    rate: Decimal | None = None  # None: same currency, or no rate
    rate_date: dt.date | None = None
    rate_source: str = ""
    converted: Decimal | None = None  # amount x rate, not rounded

    @property
    def foreign(self) -> bool:
        return self.currency != self.to_currency

    @property
    def missing_rate(self) -> bool:
        return self.foreign and self.rate is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "amount": None if self.amount is None else str(self.amount),
            "currency": self.currency,
            "claim_currency": self.to_currency,
            "rate": None if self.rate is None else str(self.rate.normalize()),
            "rate_date": None if self.rate_date is None else self.rate_date.isoformat(),
            "rate_source": self.rate_source or None,
            "converted_amount": (
                None if self.converted is None else str(round_money(self.converted))
            ),
            "missing_rate": self.missing_rate,
        }


def rate_on(*, from_currency: str, to_currency: str, day: dt.date) -> ExchangeRate | None:
    """The pair's latest rate dated on or before ``day``."""
    return (
        ExchangeRate.objects.filter(
            from_currency=from_currency, to_currency=to_currency, date__lte=day
        )
        .order_by("-date")
        .first()
    )


def _extraction(document: Document) -> Extraction | None:
    from reimbursements.policy import extraction_of

    return extraction_of(document)


def document_conversion(document: Document, *, claim_currency: str) -> Conversion | None:
    """None for a document with nothing read yet."""
    extraction = _extraction(document)
    if extraction is None:
        return None
    currency = extraction.currency or claim_currency
    amount = extraction.total_amount
    on = extraction.issue_date or timezone.localdate(document.created_at)
    if currency == claim_currency:
        return Conversion(document.pk, amount, currency, claim_currency, on, converted=amount)
    rate = rate_on(from_currency=currency, to_currency=claim_currency, day=on)
    if rate is None:
        return Conversion(document.pk, amount, currency, claim_currency, on)
    return Conversion(
        document.pk,
        amount,
        currency,
        claim_currency,
        on,
        rate=rate.rate,
        rate_date=rate.date,
        rate_source=rate.source,
        converted=None if amount is None else amount * rate.rate,
    )


def claim_conversions(
    claim: Claim, documents: Iterable[Document] | None = None
) -> list[Conversion]:
    """Each invoice of the claim once (see ``policy.invoice_representatives``)."""
    from reimbursements.policy import invoice_representatives

    if documents is None:
        documents = claim.documents.select_related("extraction")
    out = []
    for document in invoice_representatives(documents):
        conversion = document_conversion(document, claim_currency=claim.currency)
        if conversion is not None:
            out.append(conversion)
    return out


def claim_total(conversions: Iterable[Conversion]) -> Decimal:
    """The sum in the claim's currency of what converts; rounded once, at the end."""
    return round_money(
        sum((c.converted for c in conversions if c.converted is not None), Decimal("0"))
    )


# --- finance's rate table (writes) ------------------------------------------------------


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
    if not has_role(actor, Role.FINANCE, Role.ADMIN):
        raise ServiceError(
            "not_finance", _("Only finance can change exchange rates."), status_code=403
        )


def _check_currency(code: str) -> str:
    code = code.strip().upper()
    if not is_currency(code):
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
    from reimbursements.services import audit

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
    from reimbursements.services import audit

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
    from reimbursements.workflow import claim_recompute_total

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
