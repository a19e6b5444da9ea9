"""The PII step of the pipeline: engines and reviewers only ever see masked documents.

One OCR pass locates personal numbers (ID cards, bank cards, phones, e-mails) on the
first page; their boxes are blacked out in the image, their text is masked in the OCR
lines, and those lines are handed to the OCR engine so it does not read the page twice.
A PDF's text layer is masked as text. Other pages of a multi-page PDF are masked the
same way, each with its own OCR pass. OFD and XML e-invoices carry their text exactly:
no OCR runs for them.
"""

from __future__ import annotations

import dataclasses
import io
import time

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from extraction.engines.base import PreparedDocument, registry
from extraction.machine import MachineReading
from extraction.machine.ofd_render import render_fields_page
from extraction.pii import mask_document_image, mask_text
from extraction.result_masking import mask_result
from extraction.schema import DocumentType, ExtractionResult, FieldSource
from reimbursements.engine_context import build_engine_context, load_engines
from reimbursements.models import Document


def _ocr() -> object:
    load_engines()
    return registry.get(build_engine_context(), "ocr")


def mask_prepared_document(prepared: PreparedDocument) -> PreparedDocument:
    complete = next((reading for reading in prepared.machine if reading.complete), None)
    if complete is not None:
        return _mask_machine_document(prepared, complete)
    started = time.perf_counter()
    engine = _ocr()
    pages = list(prepared.pages)
    lines = prepared.ocr_lines
    for index, page in enumerate(pages):
        if index == 0 and prepared.text_layer:
            # A text-layer PDF is read from its text; the page image is only for people.
            found = engine.ocr_lines(page)  # type: ignore[attr-defined]
            pages[0] = mask_document_image(page, found).image
            continue
        found = engine.ocr_lines(page)  # type: ignore[attr-defined]
        report = mask_document_image(page, found)
        pages[index] = report.image
        if index == 0:
            lines = report.lines
    text_layer = [mask_text(text) for text in prepared.text_layer] if prepared.text_layer else None
    timings = dict(prepared.timings)
    timings["mask"] = (time.perf_counter() - started) * 1000
    return dataclasses.replace(
        prepared, pages=pages, ocr_lines=lines, text_layer=text_layer, timings=timings
    )


def _mask_machine_document(prepared: PreparedDocument, reading: MachineReading) -> PreparedDocument:
    """An OFD or XML e-invoice: its text is known exactly, so no OCR pass runs. An OFD's
    pages are masked over their own text objects; an XML's page, which we drew from its
    fields, is drawn again from the masked fields."""
    started = time.perf_counter()
    pages = list(prepared.pages)
    lines = prepared.ocr_lines
    if prepared.page_lines is not None:
        for index, page_lines in enumerate(prepared.page_lines[: len(pages)]):
            report = mask_document_image(pages[index], page_lines)
            pages[index] = report.image
            if index == 0:
                lines = report.lines
    elif reading.source == FieldSource.XML:
        masked = mask_result(
            ExtractionResult(document_type=DocumentType.OTHER, fields=reading.fields)
        )
        pages = [render_fields_page(masked.fields)]
    timings = dict(prepared.timings)
    timings["mask"] = (time.perf_counter() - started) * 1000
    return dataclasses.replace(prepared, pages=pages, ocr_lines=lines, timings=timings)


def store_masked_copy(*, document_id: int, prepared: PreparedDocument) -> None:
    """Save the masked first page as the copy reviewers see (idempotent)."""
    if not prepared.pages:
        return
    out = io.BytesIO()
    prepared.pages[0].convert("RGB").save(out, format="JPEG", quality=90)
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document_id)
        if document.masked_file:
            return
        # A fixed name per document: a worker killed between writing the file and
        # committing leaves a file the retry overwrites, never an orphan.
        name = f"masked/{document.pk}-{document.sha256[:16]}.jpg"
        if default_storage.exists(name):
            default_storage.delete(name)
        document.masked_file.name = default_storage.save(name, ContentFile(out.getvalue()))
        document.save(update_fields=["masked_file", "updated_at"])
