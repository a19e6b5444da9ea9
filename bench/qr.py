"""QR codes in the accuracy benchmark: decode rate, latency per page, exactness.

Decoding is timed in-process, page by page (``extraction.machine.qr.read_page`` on the
pixels as decoded, as ``load_document`` does), separately from the CLI run. Exactness is
judged on the CLI's answers: for every document with a decodable invoice QR code, each
field the code carries must equal the hand label in the stored result (the CLI output).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PIL import Image

from bench.sample import SampleLike

QR_FIELDS = (
    "invoice_code",
    "invoice_number",
    "issue_date",
    "check_code",
    "amount_excluding_tax",
    "total_amount",
)


def _pages(path: Path) -> list[Image.Image]:
    data = path.read_bytes()
    from extraction.pdf import is_pdf, load_pdf

    if is_pdf(data):
        return load_pdf(data).images
    try:
        with Image.open(path) as image:
            image.load()
            return [image.copy()]
    except OSError:
        return []  # OFD/XML and anything else that is no picture: no QR pass


def measure(samples: Sequence[SampleLike]) -> tuple[dict[str, Any], dict[Path, list[Any]]]:
    """Per suite: pages, pages with an invoice QR code, decode rate, ms per page."""
    from extraction.machine import qr

    latencies: dict[str, list[float]] = defaultdict(list)
    found: dict[str, int] = defaultdict(int)
    readings: dict[Path, list[Any]] = {}
    for sample in samples:
        pages = _pages(sample.file)
        got: list[Any] = []
        for index, page in enumerate(pages):
            started = time.perf_counter()
            page_readings = qr.read_page(page, page=index)
            latencies[sample.suite].append((time.perf_counter() - started) * 1000)
            found[sample.suite] += bool(page_readings)
            got += page_readings
        readings[sample.file] = got
    report: dict[str, Any] = {}
    every = [ms for values in latencies.values() for ms in values]
    for suite, values in [*sorted(latencies.items()), ("all", every)]:
        pages_with = sum(found.values()) if suite == "all" else found[suite]
        report[suite] = {
            "pages": len(values),
            "pages_with_qr": pages_with,
            "decode_rate": round(pages_with / len(values), 4) if values else None,
            "ms_p50": _pct(values, 50),
            "ms_p95": _pct(values, 95),
        }
    return report, readings


def exactness(
    samples: Sequence[SampleLike],
    readings: dict[Path, list[Any]],
    predictions: dict[Path, dict[str, Any]],
    normalise: Any,
) -> dict[str, Any]:
    """Documents with a decodable QR code whose QR fields are all exact in the result."""
    documents = exact = 0
    misses: list[dict[str, Any]] = []
    for sample in samples:
        if not readings.get(sample.file):
            continue
        carried = {n for r in readings[sample.file] for n in r.fields.present()}
        fields = (predictions.get(sample.file) or {}).get("fields") or {}
        wrong = [
            name
            for name in QR_FIELDS
            if name in carried
            and name in sample.truth
            and normalise(name, sample.truth[name]) != normalise(name, fields.get(name))
        ]
        documents += 1
        exact += not wrong
        for name in wrong:
            misses.append(
                {
                    "file": str(sample.file),
                    "field": name,
                    "expected": sample.truth[name],
                    "got": fields.get(name),
                }
            )
    return {
        "documents_with_qr": documents,
        "qr_fields_exact": exact,
        "rate": round(exact / documents, 4) if documents else None,
        "misses": misses,
    }


def overhead(with_qr: Sequence[float], without_qr: Sequence[float]) -> dict[str, Any]:
    """Warm CLI latency with and without QR reading, on the same files in one run."""
    p50_with, p50_without = _pct(with_qr, 50), _pct(without_qr, 50)
    ratio = round(p50_with / p50_without, 4) if p50_with is not None and p50_without else None
    return {
        "n": len(with_qr),
        "p50_with_qr_ms": p50_with,
        "p50_without_qr_ms": p50_without,
        "p50_ratio": ratio,
    }


def format_summary(report: dict[str, Any]) -> list[str]:
    lines = ["\n== QR codes (decoded in-process, per page)"]
    for suite, entry in report.get("decode", {}).items():
        rate = entry["decode_rate"]
        shown = "n/a" if rate is None else f"{rate * 100:.1f}%"
        lines.append(
            f"{suite:10} pages={entry['pages']:<4} with QR={entry['pages_with_qr']:<4} "
            f"rate={shown:>6}  p50={entry['ms_p50']} ms  p95={entry['ms_p95']} ms"
        )
    exact = report.get("exactness")
    if exact:
        lines.append(
            f"documents with a decodable QR: {exact['documents_with_qr']}, QR fields exact "
            f"in the result: {exact['qr_fields_exact']}"
        )
        for miss in exact["misses"]:
            lines.append(f"  QR MISS {miss['file']} {miss['field']}: {miss['got']!r}")
    cost = report.get("overhead")
    if cost:
        lines.append(
            f"CLI p50 with QR {cost['p50_with_qr_ms']} ms, without {cost['p50_without_qr_ms']}"
            f" ms (n={cost['n']}): ratio {cost['p50_ratio']}"
        )
    return lines


def _pct(values: Sequence[float], pct: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (rank - low), 1)
