"""Bad cases and fine-tuning data: the correction loop's exports.

Bad cases are documents the system got wrong or could not trust: extraction failed,
cross-checks warned, or a reviewer corrected a field. Reviewer-corrected extractions
become chat-format training examples (masked image + prompt + corrected JSON).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db.models import Count, Q, QuerySet

from extraction.finetune.dataset import TrainingExample, example_for, write_jsonl
from extraction.pii import mask_text
from reimbursements.corrections import stored_result
from reimbursements.models import Document, Extraction
from reimbursements.pipeline import prepare


@dataclass(frozen=True)
class BadCase:
    document_id: int
    reasons: tuple[str, ...]
    status: str
    engine: str
    warnings: list[dict[str, object]]
    corrected_fields: tuple[str, ...]
    error: str


def bad_cases() -> QuerySet[Document]:
    """Documents worth learning from: failed, warned about, or corrected by a reviewer."""
    return (
        Document.objects.filter(
            Q(status=Document.Status.FAILED)
            | Q(extraction__corrections__isnull=False)
            | ~Q(extraction__warnings=[])
        )
        .exclude(status__in=[Document.Status.INFECTED, Document.Status.REJECTED])
        .select_related("extraction")
        .annotate(corrections_count=Count("extraction__corrections"))
        .distinct()
        .order_by("pk")
    )


def describe(document: Document) -> BadCase:
    extraction: Extraction | None = getattr(document, "extraction", None)
    corrected = (
        tuple(sorted(set(extraction.corrections.values_list("field", flat=True))))
        if extraction
        else ()
    )
    reasons = []
    if document.status == Document.Status.FAILED:
        reasons.append("failed")
    if extraction and extraction.warnings:
        reasons.append("validation_warnings")
    if corrected:
        reasons.append("reviewer_corrected")
    return BadCase(
        document_id=document.pk,
        reasons=tuple(reasons),
        status=document.status,
        engine=extraction.engine if extraction else "",
        warnings=list(extraction.warnings) if extraction else [],
        corrected_fields=corrected,
        error=mask_text(document.error),
    )


def export_bad_cases(path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for document in bad_cases().iterator():
            case = describe(document)
            handle.write(json.dumps(case.__dict__, ensure_ascii=False) + "\n")
            count += 1
    return count


def corrected_extractions() -> QuerySet[Extraction]:
    return (
        Extraction.objects.filter(corrections__isnull=False)
        .exclude(document__file="")
        .select_related("document")
        .distinct()
        .order_by("pk")
    )


def training_examples(out_dir: Path) -> Iterator[TrainingExample]:
    """One example per corrected extraction; images are written masked into ``out_dir``."""
    images = out_dir / "images"
    images.mkdir(parents=True, exist_ok=True)
    for extraction in corrected_extractions().iterator():
        prepared = prepare(extraction.document.file.name)  # masked, like inference
        if not prepared.pages:
            continue
        relative = f"images/document-{extraction.document_id}.png"
        prepared.pages[0].convert("RGB").save(out_dir / relative)
        result = stored_result(extraction)
        yield example_for(
            relative,
            result.fields,
            result.document_type,
            example_id=f"document-{extraction.document_id}",
        )


def export_training_data(out_dir: Path) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    return write_jsonl(training_examples(out_dir), out_dir / "train.jsonl")
