"""The ``extract`` command's logic (the Django command is a thin wrapper around ``run``).

Contract, relied on by other tools -- keep it exactly:

    python manage.py extract [--engine auto|ocr|vlm|remote] [--jsonl] FILE...

One JSON object per input file, in input order (per document: a photo of several documents
side by side gives one per part, in reading order, each also with ``"part"``, 1-based, and
``"region"``, ``[x0, y0, x1, y1]`` in the upright picture's pixels): ``{"file": <path as given>,
"document_type", "fields", "sources", "confidence", "warnings", "engine", "elapsed_ms"}``
(see ``ExtractionResult.to_contract``; ``sources`` names where each field came from:
qr, xml, ofd, pdf_text, ocr, vlm, remote), ``null`` for what is not on the document. With
``--jsonl`` one object per line, otherwise pretty-printed (indent 2). ``--no-qr`` skips
reading QR codes (to measure what that costs); ``--evidence`` adds ``"evidence"`` (field ->
what supports its value, ``extraction.calibration.FieldEvidence``) and ``"agreeing"`` (field
-> the other sources that read the same value), for fitting the calibration; ``--regions``
adds ``"regions"`` (field -> ``{"page", "box": [x0, y0, x1, y1]}``, where on the page -- the
part, for a photo of several documents -- OCR read the value, as fractions of its width and
height; fields not read from the pixels have none). A file that
cannot be read or extracted gives
``{"file": ..., "error": "<clear message>"}`` and the batch goes on; the exit status is
then 1 (0 when every file succeeded). Models load once per process; a progress bar goes
to stderr when there is more than one file.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from typing import Any, TextIO

from tqdm import tqdm

from extraction import photo_split, pipeline
from extraction.engines.base import EngineContext, EngineUnavailable, PreparedDocument
from extraction.provenance import agreeing_sources, field_regions

ENGINE_CHOICES = ("auto", "ocr", "vlm", "remote")
EXIT_OK = 0
EXIT_SOME_FAILED = 1

logger = logging.getLogger(__name__)


def run(
    files: Sequence[str],
    engine: str,
    ctx: EngineContext,
    out: TextIO,
    err: TextIO,
    *,
    jsonl: bool = False,
    max_pdf_pages: int = 20,
    read_qr: bool = True,
    evidence: bool = False,
    regions: bool = False,
) -> int:
    """Extract every file, print one JSON object per file; return the exit status."""
    failures = 0
    progress = tqdm(
        files, file=err, disable=len(files) <= 1, unit="file", desc="extract", leave=False
    )
    for path in progress:
        for record in extract_records(
            path,
            engine=engine,
            ctx=ctx,
            max_pdf_pages=max_pdf_pages,
            read_qr=read_qr,
            evidence=evidence,
            regions=regions,
        ):
            if "error" in record:
                failures += 1
            _write(out, record, jsonl=jsonl)
    progress.close()
    return EXIT_SOME_FAILED if failures else EXIT_OK


def extract_records(
    path: str,
    *,
    engine: str,
    ctx: EngineContext,
    max_pdf_pages: int = 20,
    read_qr: bool = True,
    evidence: bool = False,
    regions: bool = False,
) -> list[dict[str, Any]]:
    """The contract object of each document in one file: one, or one per part of a photo
    showing several documents side by side (``extraction.photo_split``), in reading
    order, each with ``"part"`` (1-based) and ``"region"`` ([x0, y0, x1, y1] in the
    upright picture's pixels). Never raises."""

    def whole() -> list[dict[str, Any]]:  # read again only to say why it cannot be read
        return [
            extract_file(
                path,
                engine=engine,
                ctx=ctx,
                max_pdf_pages=max_pdf_pages,
                read_qr=read_qr,
                evidence=evidence,
                regions=regions,
            )
        ]

    try:
        with open(path, "rb") as handle:
            data = handle.read()
        document = pipeline.load_document(
            data, name=os.path.basename(path), max_pdf_pages=max_pdf_pages, read_qr=read_qr
        )
    except (OSError, ValueError):
        return whole()
    parts = photo_split.document_parts(document, picture_size=photo_split.upright_size(data))
    if not parts:
        return [
            _extracted(path, document, engine=engine, ctx=ctx, evidence=evidence, regions=regions)
        ]
    records = []
    for part in parts:
        prepared = photo_split.part_document(part, source=document.source, read_qr=read_qr)
        record = _extracted(
            path, prepared, engine=engine, ctx=ctx, evidence=evidence, regions=regions
        )
        records.append({**record, "part": part.index, "region": list(part.region)})
    return records


def extract_file(
    path: str,
    *,
    engine: str,
    ctx: EngineContext,
    max_pdf_pages: int = 20,
    read_qr: bool = True,
    evidence: bool = False,
    regions: bool = False,
) -> dict[str, Any]:
    """The contract object for one file read as one document; never raises."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return {"file": path, "error": "file not found"}
    except IsADirectoryError:
        return {"file": path, "error": "is a directory, not a file"}
    except OSError as exc:
        return {"file": path, "error": f"cannot read the file: {exc.strerror or exc}"}
    if not data:
        return {"file": path, "error": "the file is empty"}
    try:
        document = pipeline.load_document(
            data, name=os.path.basename(path), max_pdf_pages=max_pdf_pages, read_qr=read_qr
        )
    except ValueError as exc:
        return {"file": path, "error": str(exc)}
    return _extracted(path, document, engine=engine, ctx=ctx, evidence=evidence, regions=regions)


def _extracted(
    path: str,
    document: PreparedDocument,
    *,
    engine: str,
    ctx: EngineContext,
    evidence: bool,
    regions: bool = False,
) -> dict[str, Any]:
    try:
        result = pipeline.extract(document, ctx=ctx, engine=engine)
    except EngineUnavailable as exc:
        return {"file": path, "error": f"engine unavailable: {exc}"}
    except Exception as exc:  # one bad document must not end the batch
        logger.exception("extraction failed for %s", path)
        return {"file": path, "error": f"extraction failed: {type(exc).__name__}: {exc}"}
    record = {"file": path, **result.to_contract()}
    if evidence:
        record["evidence"] = {name: ev.to_dict() for name, ev in sorted(result.evidence.items())}
        record["agreeing"] = agreeing_sources(result)
    if regions:
        record["regions"] = field_regions(result)
    return record


def _write(out: TextIO, record: dict[str, Any], *, jsonl: bool) -> None:
    if jsonl:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    else:
        out.write(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    out.flush()
