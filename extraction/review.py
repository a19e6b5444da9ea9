"""Whether a person must look at an extraction: the straight-through rule.

One pure function over what the Extraction row stores (the contract's warnings and
confidence, the per-field sources, agreeing readings and evidence), so the worker, the
API, a cache hit and the accuracy benchmark decide alike. A document goes straight
through (``extracted``) only when all of these hold; otherwise it ``needs_review``:

* it is not a duplicate;
* no warning holds it back. Every warning does, with one class of exceptions: a warning
  that only says a value is *implausible* (``PLAUSIBILITY_ONLY``), not that two readings
  or two parts of the document disagree, does not hold back a field that is the issuer's
  own QR/OFD/XML data or that two independent readings agree on: there is no reading for
  a person to correct. How old an invoice may be to be reimbursed is the claim policy's
  rule (``CLAIM_MAX_INVOICE_AGE_DAYS``, checked when the claim is submitted). A date read
  once that is implausible stays held back whatever its confidence: the confidence was
  measured on dates in general, and among the dates that look five years old a misread
  year is far more common than among the others;
* every key field is **verified**, by one of:

  - the issuer's own machine-readable data (QR, OFD, XML), or two independent readings
    of the same value (``agreeing``); a value a person typed is settled;
  - a cross-check of the document itself that the value passed with nothing failing
    against it (``VERIFYING_CHECKS``: 大写 = 小写, 金额 + 税额 = 价税合计 (on a receipt
    subtotal + charges + tax, +/- its rounding; on an air itinerary 票价 + 燃油附加费 +
    民航发展基金 + 其他税费 = 合计), the line items, or a receipt's cash
    tendered less the change given for the total; the GB 32100 checksum for the tax ID);
  - for the seller's name on a VAT form, the issuer's own text: name and tax ID both
    from the PDF's text layer (the characters the issuer's software wrote, not a reading
    of pixels), both placed in the seller block by the party parser's geometry (on the
    VAT forms nothing else sets them), the tax ID passing its checksum, and nothing
    failed or repaired on either (``issuer_text_seller``). A checksum-valid tax ID next
    to a name read from pixels says nothing about the name's characters;
  - a calibrated confidence (``extraction.calibration``: the share of fields with the
    same evidence found right on documents the rules were developed on) of at least
    ``min_confidence`` (the ``STRAIGHT_THROUGH_MIN_CONFIDENCE`` setting; default
    ``DEFAULT_MIN_CONFIDENCE``, the smallest threshold that kept the silent errors of
    held-out sets well under 1%, ``bench/calibrate.py``). Only a field whose evidence is
    stored has a calibrated confidence; a row without it is judged on the rest.

  Date, seller and total must be there, but on forms that do not print them
  (``NOT_PRINTED``: no date on a 定额发票, no seller on a train ticket or a taxi
  receipt); the seller's tax ID must be there on the VAT forms that always print it. A
  required key field none of these settles is ``unverified``.

``bench/accuracy.py`` and ``bench/calibrate.py`` measure the silent errors (a key field
wrong while nobody is asked to look) of the documents the rule lets through.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from extraction import calibration, validation
from extraction.provenance import FieldStatus, field_status
from extraction.schema import DocumentType, FieldSource

# Cross-checks (``extraction.calibration`` names) that verify a key field read once.
VERIFYING_CHECKS: dict[str, frozenset[str]] = {
    "total_amount": frozenset(
        {calibration.WORDS, calibration.ARITHMETIC, calibration.LINES, calibration.TENDER}
    ),
    "seller_tax_id": frozenset({calibration.CHECKSUM}),
}
KEY_FIELDS = ("issue_date", "seller_name", "seller_tax_id", "total_amount")
# Key fields every document must have to go straight through, but where its form does
# not print them (``NOT_PRINTED``).
REQUIRED_KEY_FIELDS = ("issue_date", "seller_name", "total_amount")
# Forms without the field: a 定额发票 prints no date (nor does validation ask for one); a
# train ticket names no seller, a taxi receipt only on some cities' forms. A value read
# there anyway is still reported; a missing one is not a reason to look.
NOT_PRINTED: dict[str, frozenset[str]] = {
    "issue_date": frozenset({DocumentType.QUOTA_INVOICE.value}),
    "seller_name": frozenset({DocumentType.TRAIN_TICKET.value, DocumentType.TAXI_RECEIPT.value}),
}
# Forms that always print the seller's 纳税人识别号: without it the reading missed it.
TAX_ID_PRINTED: frozenset[str] = frozenset(
    {
        DocumentType.VAT_SPECIAL.value,
        DocumentType.VAT_GENERAL.value,
        DocumentType.VAT_ELECTRONIC.value,
        DocumentType.DIGITAL_INVOICE.value,
    }
)
# Warnings about how plausible a value is, not about a disagreement or a failed check.
PLAUSIBILITY_ONLY: frozenset[str] = validation.PLAUSIBILITY_CODES

# A calibrated confidence at or above this settles a key field (see the module docstring).
# One step above the sweep's smallest safe threshold, where the figures are the same.
DEFAULT_MIN_CONFIDENCE = 0.98

DUPLICATE = "duplicate"
WARNING = "warning"
MISSING = "missing"
UNVERIFIED = "unverified"


def issuer_text_seller(
    *,
    document_type: str,
    sources: Mapping[str, str],
    evidence: Mapping[str, Mapping[str, Any]],
) -> bool:
    """The seller's name is the issuer's own text: on a VAT form, name and tax ID both from
    the PDF text layer (seller block by geometry), the tax ID passing its checksum, nothing
    failed or repaired on either."""
    if document_type not in TAX_ID_PRINTED:
        return False
    text = FieldSource.PDF_TEXT.value
    if sources.get("seller_name") != text or sources.get("seller_tax_id") != text:
        return False
    name = evidence.get("seller_name") or {}
    tax_id = evidence.get("seller_tax_id") or {}
    return (
        bool(name)
        and calibration.CHECKSUM in set(tax_id.get("checks") or ())
        and not any(found.get(key) for found in (name, tax_id) for key in _DOUBTS)
    )


# Evidence that something spoke against a value (counts or flags).
_DOUBTS = ("failed", "format_failed", "repaired", "computed")


def review_reasons(
    *,
    document_type: str,
    warnings: Sequence[Mapping[str, Any]],
    confidence: Mapping[str, float],
    sources: Mapping[str, str],
    agreeing: Mapping[str, Collection[str]] | None,
    duplicate: bool,
    evidence: Mapping[str, Mapping[str, Any]] | None = None,
    min_confidence: float | None = None,
) -> list[str]:
    """Why a person must look (empty: the document goes straight through).

    Reasons: ``duplicate``, ``warning:<code>``, ``missing:<field>``,
    ``unverified:<field>``. ``evidence`` is the stored ``FieldEvidence`` per field (which
    cross-checks each value passed); ``min_confidence`` the calibrated confidence that
    settles a field (``DEFAULT_MIN_CONFIDENCE`` when not given).
    """
    agreeing = agreeing or {}
    evidence = evidence or {}
    threshold = DEFAULT_MIN_CONFIDENCE if min_confidence is None else min_confidence

    def verified(name: str | None) -> bool:
        if not name:
            return False
        status = field_status(sources.get(name), agreeing=agreeing.get(name, ()))
        return status is FieldStatus.VERIFIED

    def settled(name: str) -> bool:
        status = field_status(sources.get(name), agreeing=agreeing.get(name, ()))
        if status in (FieldStatus.VERIFIED, FieldStatus.EDITED):
            return True
        found = evidence.get(name) or {}
        checks = set(found.get("checks") or ())
        if (
            checks & VERIFYING_CHECKS.get(name, frozenset())
            and not found.get("failed")
            and not found.get("repaired")
        ):
            return True
        if name == "seller_name" and issuer_text_seller(
            document_type=document_type, sources=sources, evidence=evidence
        ):
            return True
        # A calibrated probability (only a field with stored evidence has one).
        value = confidence.get(name)
        return bool(found) and isinstance(value, int | float) and value >= threshold

    reasons: list[str] = [DUPLICATE] if duplicate else []
    for warning in warnings:
        code = str(warning.get("code", ""))
        if code in PLAUSIBILITY_ONLY and verified(warning.get("field")):
            continue
        reasons.append(f"{WARNING}:{code}")
    required = (
        *(name for name in REQUIRED_KEY_FIELDS if document_type not in NOT_PRINTED.get(name, ())),
        *(("seller_tax_id",) if document_type in TAX_ID_PRINTED else ()),
    )
    for name in KEY_FIELDS:
        if name not in confidence and name not in sources:
            if name in required:
                reasons.append(f"{MISSING}:{name}")
            continue
        if name in required and not settled(name):
            reasons.append(f"{UNVERIFIED}:{name}")
    return reasons


def review_needed(
    *,
    document_type: str,
    warnings: Sequence[Mapping[str, Any]],
    confidence: Mapping[str, float],
    sources: Mapping[str, str],
    agreeing: Mapping[str, Collection[str]] | None,
    duplicate: bool,
    evidence: Mapping[str, Mapping[str, Any]] | None = None,
    min_confidence: float | None = None,
) -> bool:
    """A human must look: see :func:`review_reasons`."""
    return bool(
        review_reasons(
            document_type=document_type,
            warnings=warnings,
            confidence=confidence,
            sources=sources,
            agreeing=agreeing,
            duplicate=duplicate,
            evidence=evidence,
            min_confidence=min_confidence,
        )
    )
