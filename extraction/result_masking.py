"""A result with its personal data masked: what is stored, cached and shown."""

from __future__ import annotations

import dataclasses

from extraction.pii import mask_tax_id, mask_text, mask_warning
from extraction.schema import ExtractionResult


def mask_result(result: ExtractionResult) -> ExtractionResult:
    """A copy with every text field and warning passed through the PII masker (USCCs
    stay readable)."""

    def masked(value: str | None) -> str | None:
        return mask_text(value) if value else value

    def masked_tax_id(value: str | None) -> str | None:
        return mask_tax_id(value) if value else value

    f = result.fields
    items = [dataclasses.replace(item, name=masked(item.name)) for item in f.line_items]
    fields = dataclasses.replace(
        f,
        seller_name=masked(f.seller_name),
        buyer_name=masked(f.buyer_name),
        seller_tax_id=masked_tax_id(f.seller_tax_id),
        buyer_tax_id=masked_tax_id(f.buyer_tax_id),
        line_items=items,
    )
    return result.replace(
        fields=fields,
        raw_output=mask_text(result.raw_output),
        # Checks ran on the values as read: a warning may quote a buyer's resident ID.
        warnings=[mask_warning(warning) for warning in result.warnings],
    )
