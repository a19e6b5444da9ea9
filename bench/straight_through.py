"""Straight-through processing of e-invoices in the accuracy benchmark.

Each CLI answer is judged by the product's own rule (``extraction.review``, what the
worker applies before a document becomes ``extracted`` or ``needs_review``), on:

* ``ofd`` / ``xml``: the generated 数电票 OFD and XML files (``einvoice`` suite);
* ``ofd (real)``: the real 数电票 OFD in the shared data;
* ``pdf``: generated e-invoice PDFs (text layer and a real QR code, ``einvoice_pdf``);
* ``photo with QR``: dev photos and scans (``cn`` suite) whose invoice QR code decodes.

Reported per kind: documents, straight through, and among those the silent errors -- a
key field (date, seller, seller tax ID, total) that differs from the truth while nobody
was asked to look -- with the reasons that sent the others to review. The benchmark runs
the CLI with ``--evidence`` (agreeing readings, the cross-checks each value passed), so the
rule judges as the worker does; answers without it can only be judged more strictly.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.sample import SampleLike
from extraction.review import KEY_FIELDS, review_reasons

TARGET = 0.95
TARGET_KINDS = ("ofd", "xml", "ofd (real)", "pdf", "photo with QR")


def write_einvoice_pdfs(data_dir: Path, n: int, seed: int) -> list[tuple[Path, dict[str, Any]]]:
    """``n`` generated e-invoice PDFs (电子普票 and 数电票 in turn, ``synth``) with
    their truth (the contract), written afresh: the generator may have changed."""
    from synth.einvoice_pdf import EINVOICE_TYPES, einvoice_pdf

    data_dir.mkdir(parents=True, exist_ok=True)
    out = []
    for index in range(n):
        doc_type = EINVOICE_TYPES[index % len(EINVOICE_TYPES)]
        path = data_dir / f"{index:03d}-{doc_type}.pdf"
        data, truth = einvoice_pdf(doc_type, seed * 1_000_003 + index)
        path.write_bytes(data)
        path.with_suffix(".json").write_text(json.dumps(truth, ensure_ascii=False), "utf-8")
        out.append((path, truth))
    return out


def kind_of(sample: SampleLike, has_qr: bool) -> str | None:
    """The e-invoice kind a sample counts as, or ``None`` when it is not one."""
    if sample.suite == "einvoice":
        if sample.variant == "real-ofd":
            return "ofd (real)"
        return sample.variant.split(":", 1)[0]
    if sample.suite == "einvoice_pdf":
        return "pdf"
    if sample.suite == "cn" and has_qr:
        return "photo with QR"
    return None


def decide(record: dict[str, Any]) -> list[str]:
    """Why the worker would send this CLI answer to review (empty: straight through)."""
    return review_reasons(
        document_type=str(record.get("document_type") or ""),
        warnings=record.get("warnings") or [],
        confidence=record.get("confidence") or {},
        sources=record.get("sources") or {},
        agreeing=record.get("agreeing") or {},
        duplicate=False,
        evidence=record.get("evidence") or {},
    )


def wrong_key_fields(
    sample: SampleLike, record: dict[str, Any], normalise: Callable[[str, Any], Any]
) -> list[str]:
    fields = record.get("fields") or {}
    return [
        name
        for name in KEY_FIELDS
        if name in sample.truth
        and normalise(name, sample.truth[name]) != normalise(name, fields.get(name))
    ]


def report(
    samples: Sequence[SampleLike],
    predictions: dict[Path, dict[str, Any]],
    readings: dict[Path, list[Any]],
    normalise: Callable[[str, Any], Any],
) -> dict[str, Any]:
    """Per kind and pooled: documents, straight through, silent errors, review reasons."""
    rows: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"documents": 0, "straight": 0, "silent_errors": 0, "reasons": Counter()}
    )
    examples: list[dict[str, Any]] = []
    for sample in samples:
        kind = kind_of(sample, bool(readings.get(sample.file)))
        if kind is None:
            continue
        record = predictions.get(sample.file)
        for name in (kind, "all"):
            rows[name]["documents"] += 1
        if record is None or "error" in record:
            for name in (kind, "all"):
                rows[name]["reasons"]["no answer"] += 1
            continue
        reasons = decide(record)
        if reasons:
            for name in (kind, "all"):
                rows[name]["reasons"].update(reasons)
            examples.append({"file": str(sample.file), "kind": kind, "reasons": reasons})
            continue
        wrong = wrong_key_fields(sample, record, normalise)
        for name in (kind, "all"):
            rows[name]["straight"] += 1
            rows[name]["silent_errors"] += bool(wrong)
        if wrong:
            examples.append({"file": str(sample.file), "kind": kind, "silent_error": wrong})
    out: dict[str, Any] = {}
    for name, row in sorted(rows.items(), key=lambda item: _order(item[0])):
        out[name] = {
            "documents": row["documents"],
            "straight_through": row["straight"],
            "rate": _ratio(row["straight"], row["documents"]),
            "silent_errors": row["silent_errors"],
            "silent_error_rate": _ratio(row["silent_errors"], row["straight"]),
            "review_reasons": dict(row["reasons"].most_common()),
        }
    return {"kinds": out, "examples": examples[:50]}


def rate(section: dict[str, Any]) -> float | None:
    every = (section.get("kinds") or {}).get("all") or {}
    value = every.get("rate")
    return float(value) if value is not None else None


def format_summary(section: dict[str, Any]) -> list[str]:
    kinds = section.get("kinds") or {}
    if not kinds:
        return []
    lines = [
        "",
        "straight-through e-invoices (extraction.review; silent error = a wrong key field)",
        f"{'kind':16} {'docs':>5} {'straight':>9} {'rate':>7} {'silent':>7}  review reasons",
    ]
    for name, row in kinds.items():
        shown = ", ".join(f"{r} {n}" for r, n in list(row["review_reasons"].items())[:4])
        rate_text = "-" if row["rate"] is None else f"{row['rate']:.1%}"
        lines.append(
            f"{name:16} {row['documents']:5} {row['straight_through']:9} {rate_text:>7} "
            f"{row['silent_errors']:7}  {shown}"
        )
    return lines


def _order(name: str) -> int:
    return TARGET_KINDS.index(name) if name in TARGET_KINDS else len(TARGET_KINDS)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
