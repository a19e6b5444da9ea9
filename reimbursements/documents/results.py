"""A document's stored reading: the Extraction row's columns and the review rule on them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from extraction import review
from extraction.calibration import calibrate
from extraction.identity import business_key
from extraction.provenance import agreeing_sources, field_regions, with_default_sources
from extraction.result_masking import mask_result
from extraction.schema import ExtractionResult
from reimbursements.models import Extraction


def store_extraction(
    *, document_id: int, result: ExtractionResult, from_cache: bool
) -> dict[str, Any] | None:
    """Create the Extraction row and return its (masked) columns; ``None`` when one
    already exists (a duplicate run)."""
    columns = extraction_columns(result)
    try:
        with transaction.atomic():
            Extraction.objects.create(document_id=document_id, from_cache=from_cache, **columns)
    except IntegrityError:
        return None
    return columns


def extraction_columns(result: ExtractionResult) -> dict[str, Any]:
    """The Extraction row's values for a result, personal numbers masked (last 4 kept)."""
    # Every engine's path ends here: confidence as a measured probability (idempotent).
    result = calibrate(with_default_sources(mask_result(result)))
    contract = result.to_contract()
    fields = result.fields
    return {
        "engine": result.engine,
        "engine_version": result.engine_version[:200],
        "model_version": result.model_version[:200],
        "prompt_version": result.prompt_version[:64],
        "document_type": result.document_type.value,
        "invoice_code": fields.invoice_code or "",
        "invoice_number": fields.invoice_number or "",
        "issue_date": fields.issue_date,
        "seller_name": (fields.seller_name or "")[:200],
        "seller_tax_id": fields.seller_tax_id or "",
        "buyer_name": (fields.buyer_name or "")[:200],
        "buyer_tax_id": fields.buyer_tax_id or "",
        "amount_excluding_tax": fields.amount_excluding_tax,
        "tax_amount": fields.tax_amount,
        "total_amount": fields.total_amount,
        "currency": fields.currency or "",
        "business_key": business_key(result),
        "fields": contract["fields"],
        "sources": contract["sources"],
        "agreeing": agreeing_sources(result),
        "regions": field_regions(result),
        "evidence": {name: found.to_dict() for name, found in sorted(result.evidence.items())},
        "confidence": contract["confidence"],
        "warnings": contract["warnings"],
        "raw_output": result.raw_output,
        "timings": {k: round(v, 1) for k, v in result.timings.items()},
    }


def review_needed(columns: dict[str, Any], *, duplicate: bool) -> bool:
    """A human must look (``extraction.review``), judged on an Extraction row's columns."""
    return review.review_needed(
        document_type=columns["document_type"],
        warnings=columns["warnings"],
        confidence=columns["confidence"],
        sources=columns.get("sources") or {},
        agreeing=columns.get("agreeing") or {},
        duplicate=duplicate,
        evidence=columns.get("evidence") or {},
        min_confidence=settings.STRAIGHT_THROUGH_MIN_CONFIDENCE,
    )
