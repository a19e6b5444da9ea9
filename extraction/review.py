"""Whether a person must look at an extraction: the straight-through rule.

One pure function over what the Extraction row stores (the contract's warnings and
confidence, the per-field sources and agreeing readings), so the worker, a cache hit and
the accuracy benchmark decide alike. A document goes straight through (``extracted``)
only when all of these hold; otherwise it ``needs_review``:

* it is not a duplicate;
* no warning holds it back. Every warning does, with one class of exceptions: a warning
  that only says a value is *implausible* (``PLAUSIBILITY_ONLY``), not that two readings
  or two parts of the document disagree, does not hold back a field that is verified
  (the issuer's own QR/OFD/XML data, or two independent readings of the same value): the
  value is what the issuer wrote, so there is no reading for a person to correct. How old
  an invoice may be to be reimbursed is the claim policy's rule
  (``CLAIM_MAX_INVOICE_AGE_DAYS``, checked when the claim is submitted);
* every key field is **verified**: the issuer's own machine-readable data (QR, OFD, XML),
  two independent readings of the same value (``agreeing``), or a cross-check of the
  document itself that the value passed with nothing failing against it
  (``VERIFYING_CHECKS``: 大写 = 小写, 金额 + 税额 = 价税合计 or the line items for the
  total; the GB 32100 checksum for the tax ID). A date or a name read once from the
  pixels has no such check (a checksum-valid tax ID says nothing about the name next to
  it), so it is looked at. A value a person typed is settled. Date, seller and total must
  be there; the seller's tax ID must be there on the VAT forms that always print it.

A confidence, even calibrated (``extraction.calibration``), is a probability: a value read
once at 0.95 is wrong one time in twenty. The rule therefore asks for verification, and
``bench/accuracy.py`` measures the silent errors of the documents it lets through.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from extraction import calibration, validation
from extraction.provenance import FieldStatus, field_status
from extraction.schema import DocumentType

# Cross-checks (``extraction.calibration`` names) that verify a key field read once.
VERIFYING_CHECKS: dict[str, frozenset[str]] = {
    "total_amount": frozenset({calibration.WORDS, calibration.ARITHMETIC, calibration.LINES}),
    "seller_tax_id": frozenset({calibration.CHECKSUM}),
}
KEY_FIELDS = ("issue_date", "seller_name", "seller_tax_id", "total_amount")
# Key fields every document must have to go straight through.
REQUIRED_KEY_FIELDS = ("issue_date", "seller_name", "total_amount")
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

DUPLICATE = "duplicate"
WARNING = "warning"
MISSING = "missing"
UNVERIFIED = "unverified"


def review_reasons(
    *,
    document_type: str,
    warnings: Sequence[Mapping[str, Any]],
    confidence: Mapping[str, float],
    sources: Mapping[str, str],
    agreeing: Mapping[str, Collection[str]] | None,
    duplicate: bool,
    evidence: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[str]:
    """Why a person must look (empty: the document goes straight through).

    Reasons: ``duplicate``, ``warning:<code>``, ``missing:<field>``,
    ``unverified:<field>``. ``evidence`` is the stored ``FieldEvidence`` per field (which
    cross-checks each value passed).
    """
    agreeing = agreeing or {}
    evidence = evidence or {}

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
        return (
            bool(checks & VERIFYING_CHECKS.get(name, frozenset()))
            and not found.get("failed")
            and not found.get("repaired")
        )

    reasons: list[str] = [DUPLICATE] if duplicate else []
    for warning in warnings:
        code = str(warning.get("code", ""))
        if code in PLAUSIBILITY_ONLY and verified(warning.get("field")):
            continue
        reasons.append(f"{WARNING}:{code}")
    required = (
        *REQUIRED_KEY_FIELDS,
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
        )
    )
