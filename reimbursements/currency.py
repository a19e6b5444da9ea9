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
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone

from reimbursements.invoices import extraction_of, invoice_representatives
from reimbursements.models import Claim, Document, ExchangeRate

CENT = Decimal("0.01")

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


def document_conversion(document: Document, *, claim_currency: str) -> Conversion | None:
    """None for a document with nothing read yet."""
    extraction = extraction_of(document)
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
    """Each invoice of the claim once (see ``invoices.invoice_representatives``)."""
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
