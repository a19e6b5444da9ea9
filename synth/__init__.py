"""Synthetic Chinese invoices, tickets and receipts with exact ground truth.

    from synth import generate_document, generate_dataset
    doc = generate_document("vat_special", seed=7, photo=True)
    doc.image_bytes, doc.suffix, doc.truth   # truth in the ``extract`` CLI contract

CLI: ``python -m synth OUT_DIR --n 240 --seed 1``. Needs the WenQuanYi fonts
(apt: fonts-wqy-microhei fonts-wqy-zenhei).
"""

from .dataset import (
    DOCUMENT_TYPES,
    SynthDocument,
    generate_dataset,
    generate_document,
    generate_family_dataset,
    generate_ticket,
    generate_ticket_family_dataset,
    plan,
    plan_families,
    plan_ticket_families,
)
from .ticket_families import TICKET_DEVELOPED_ON, TICKET_FAMILIES, TICKET_KINDS
from .vat import DEVELOPED_ON, VAT_FAMILIES

__all__ = [
    "DEVELOPED_ON",
    "DOCUMENT_TYPES",
    "TICKET_DEVELOPED_ON",
    "TICKET_FAMILIES",
    "TICKET_KINDS",
    "VAT_FAMILIES",
    "SynthDocument",
    "generate_dataset",
    "generate_document",
    "generate_family_dataset",
    "generate_ticket",
    "generate_ticket_family_dataset",
    "plan",
    "plan_families",
    "plan_ticket_families",
]
