"""Personal data (PII) protection: detect and mask IDs, bank cards, phones and e-mails
in text and in document images (via OCR boxes). Pure Python, no Django."""

from extraction.pii.detect import PiiKind, PiiMatch, contains_pii, detect
from extraction.pii.image import MaskReport, Region, mask_document_image, mask_image, pii_regions
from extraction.pii.text import (
    apply_masks,
    mask_tax_id,
    mask_text,
    mask_value,
    mask_warning,
    mask_warning_contract,
)

__all__ = [
    "MaskReport",
    "PiiKind",
    "PiiMatch",
    "Region",
    "apply_masks",
    "contains_pii",
    "detect",
    "mask_document_image",
    "mask_image",
    "mask_tax_id",
    "mask_text",
    "mask_value",
    "mask_warning",
    "mask_warning_contract",
    "pii_regions",
]
