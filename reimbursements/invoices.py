"""Which documents are one invoice: the files of one invoice (photo, PDF, OFD, XML) are
counted once in the total, the policy checks and the export."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ObjectDoesNotExist

from reimbursements.models import Document, Extraction


def extraction_of(document: Document) -> Extraction | None:
    try:
        return document.extraction
    except ObjectDoesNotExist:
        return None


def invoice_group(document: Document) -> int:
    """The id all files of one invoice share (photo, PDF, OFD, XML): its earliest file's."""
    return document.same_invoice_as_id or document.pk


def read_exactly(document: Document) -> bool:
    extraction = extraction_of(document)
    return extraction is not None and extraction.engine in {"ofd", "xml"}


def invoice_representatives(documents: Iterable[Document]) -> list[Document]:
    """One document per invoice: several files of one invoice count once (in the total,
    the checks and the export). The file read exactly (OFD/XML) when there is one, else
    the earliest."""
    chosen: dict[int, Document] = {}
    for document in sorted(documents, key=lambda d: d.pk):
        group = invoice_group(document)
        current = chosen.get(group)
        if current is None or (read_exactly(document) and not read_exactly(current)):
            chosen[group] = document
    return sorted(chosen.values(), key=lambda d: d.pk)
