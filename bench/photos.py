"""Big phone photos and long strips: time and peak memory of one worker read.

    .venv/bin/python -m bench.photos            (make bench-photos)

Generates a synthetic invoice, enlarges it to a 108 MP JPEG (13290x8125) and to the same
page at 12 MP (4440x2715), and reads each in a fresh process as the worker does
(``load_document`` + the OCR engine, PII masking aside), after one warm-up read in that
process so the engine's load is not counted. Reports wall time per read, the
108/12 MP time ratio (target <= 3x), each process's peak RSS (target <= 1.5 GB for
108 MP), and the time until a 65500x700 PNG is finished, read or refused (target <= 10 s).

Several documents in one photo (``--table-n``, 20 by default): generated photos of 2-4
tickets and receipts side by side on a table in perspective (``synth/table.py``),
split as the worker splits them (``extraction.photo_split``) and each part read with the
OCR engine. A photo counts as right when it splits into exactly its documents (each
region overlapping its sheet, IoU > 0.7) and every part's total is right (target >= 90%).
``--page-n N`` (0 by default) measures the same on N generated scans of 2-4 documents
pasted on one white page (``synth/page.py``, ``extraction.page_split``): each part
must lie on its document and hold most of it (its blank paper is not seen on a white page).
Single documents must not split: ``--single-n`` generated documents of every type, as
flat scans and as photos on a table, are checked for false splits (target 0).

``--rss-n N`` (0 by default: it takes ~1 s a document) reads N mixed generated documents
(every type, clean and photographed, every tenth a photo of several documents split into
its parts) in one fresh process as a worker would, and reports its resident memory after
the last one and its peak (target: <= 1.5 GB after 500).
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

_READER = """
import json, sys, time


def peak_mb():
    # VmHWM is this process's own peak: ru_maxrss would also count the parent's resident
    # size at the fork, which exec carries over (a 2.5 GB pytest reads as 2.5 GB here).
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0

from extraction import pipeline
from extraction.engines.base import EngineContext
ctx = EngineContext(ocr_threads=int(sys.argv[3]))
warm = open(sys.argv[2], "rb").read()
pipeline.extract(pipeline.load_document(warm, name="warm.jpg"), ctx=ctx, engine="ocr")
data = open(sys.argv[1], "rb").read()
started = time.perf_counter()
document = pipeline.load_document(data, name="photo.jpg")
result = pipeline.extract(document, ctx=ctx, engine="ocr")
print(json.dumps({
    "seconds": time.perf_counter() - started,
    "page": list(document.pages[0].size),
    "invoice_number": result.fields.invoice_number,
    "total": str(result.fields.total_amount),
    "peak_mb": peak_mb(),
}))
"""


def _jpeg(page: np.ndarray, size: tuple[int, int], path: Path) -> None:
    big = cv2.resize(page, size, interpolation=cv2.INTER_LINEAR)
    ok, encoded = cv2.imencode(".jpg", big[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 85])
    assert ok
    path.write_bytes(encoded.tobytes())


def _read(path: Path, warm: Path, threads: int) -> dict[str, object]:
    run = subprocess.run(
        [sys.executable, "-c", _READER, str(path), str(warm), str(threads)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    report: dict[str, object] = json.loads(run.stdout.strip().splitlines()[-1])
    return report


def _strip_seconds() -> tuple[float, str]:
    from extraction import pipeline

    out = io.BytesIO()
    Image.new("L", (65500, 700), 255).save(out, format="PNG", compress_level=1)
    started = time.perf_counter()
    try:
        pipeline.load_document(out.getvalue(), name="strip.png")
        outcome = "read"
    except ValueError as exc:
        outcome = f"refused: {exc}"
    return time.perf_counter() - started, outcome


_WORKER = """
import json, sys

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) / 1024
    return 0.0

from extraction import photo_split, pipeline
from extraction.engines.base import EngineContext
ctx = EngineContext(ocr_threads=int(sys.argv[2]))
read = 0
for path in sys.argv[3:]:
    data = open(path, "rb").read()
    document = pipeline.load_document(data, name=path)
    parts = photo_split.document_parts(document)
    for prepared in [photo_split.part_document(p, source=path) for p in parts] or [document]:
        pipeline.extract(prepared, ctx=ctx, engine="ocr")
        read += 1
        if read == 1:
            first = status("VmRSS:")
print(json.dumps({"read": read, "first_mb": first, "rss_mb": status("VmRSS:"),
                  "peak_mb": status("VmHWM:")}))
"""


def worker_rss(n: int, threads: int) -> None:
    """Resident memory of one process after reading ``n`` mixed documents."""
    from synth import plan
    from synth.dataset import generate_document
    from synth.table import generate_table_photo

    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for index, (doc_type, seed, photo) in enumerate(plan(n, seed=5)):
            if index % 10 == 9:
                data, suffix = generate_table_photo(seed).jpeg, ".jpg"
            else:
                synth = generate_document(doc_type, seed, photo)
                data, suffix = synth.image_bytes, synth.suffix
            path = Path(folder) / f"{index:04d}{suffix}"
            path.write_bytes(data)
            paths.append(str(path))
        started = time.perf_counter()
        run = subprocess.run(
            [sys.executable, "-c", _WORKER, "-", str(threads), *paths],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        seconds = time.perf_counter() - started
    report = json.loads(run.stdout.strip().splitlines()[-1])
    print(
        f"worker after {n} mixed uploads ({report['read']} documents read, {seconds:.0f} s): "
        f"RSS {report['rss_mb']:.0f} MB (after the first: {report['first_mb']:.0f} MB), "
        f"peak {report['peak_mb']:.0f} MB (target <= 1536 MB after 500)"
    )


def _iou(a: tuple[int, ...] | list[int], b: tuple[int, ...] | list[int]) -> float:
    x0, y0, x1, y1 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    inter = max(0, x1 - x0) * max(0, y1 - y0)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union else 0.0


def _on_document(region: tuple[int, ...] | list[int], truth: tuple[int, ...] | list[int]) -> bool:
    """A part found on a white page lies on its document and holds most of it (the
    document's blank paper around its print is not seen on a white page)."""
    x0, y0 = max(region[0], truth[0]), max(region[1], truth[1])
    x1, y1 = min(region[2], truth[2]), min(region[3], truth[3])
    inter = max(0, x1 - x0) * max(0, y1 - y0)
    own = (region[2] - region[0]) * (region[3] - region[1])
    whole = (truth[2] - truth[0]) * (truth[3] - truth[1])
    return inter >= 0.85 * own and inter >= 0.6 * whole


def table_photos(n: int, threads: int, *, page: bool = False) -> None:
    """Split accuracy on ``n`` generated photos of 2-4 documents side by side on a
    table, or (``page``) scans of 2-4 documents pasted on one white page."""
    from decimal import Decimal

    from extraction import photo_split, pipeline
    from extraction.engines.base import EngineContext
    from synth.page import generate_page_scan
    from synth.table import generate_table_photo

    generate = generate_page_scan if page else generate_table_photo
    ctx = EngineContext(ocr_threads=threads)
    right = split_right = parts_right = parts_total = 0
    by_count: dict[int, list[int]] = {}
    split_ms: list[float] = []
    for seed in range(n):
        shot = generate(seed)
        document = pipeline.load_document(shot.jpeg, name="table.jpg")
        started = time.perf_counter()
        parts = photo_split.document_parts(document)
        split_ms.append((time.perf_counter() - started) * 1000)
        geometry = len(parts) == len(shot.parts) and all(
            _on_document(part.region, truth.box) if page else _iou(part.region, truth.box) > 0.7
            for part, truth in zip(parts, shot.parts, strict=False)
        )
        totals = 0
        for part, truth in zip(parts, shot.parts, strict=False):
            prepared = photo_split.part_document(part, source="table.jpg")
            total = pipeline.extract(prepared, ctx=ctx, engine="ocr").fields.total_amount
            totals += total == Decimal(truth.truth["fields"]["total_amount"])
        parts_right += totals if geometry else 0
        parts_total += len(shot.parts)
        good = geometry and totals == len(shot.parts)
        split_right += geometry
        right += good
        tally = by_count.setdefault(len(shot.parts), [0, 0])
        tally[0] += good
        tally[1] += 1
    split_ms.sort()
    print(
        f"{'white pages' if page else 'table photos'}: {right}/{n} = {right / max(n, 1):.0%} "
        "split into the right documents "
        f"with correct totals (target >= 90%); {split_right}/{n} split right; parts with the "
        f"right total {parts_right}/{parts_total}; finding the parts "
        f"{split_ms[len(split_ms) // 2]:.0f} ms p50"
    )
    print(
        "  by documents per photo: "
        + ", ".join(f"{k}: {v[0]}/{v[1]}" for k, v in sorted(by_count.items()))
    )


def single_documents(per_type: int) -> None:
    """False splits among generated single documents (flat scans and photos)."""
    from extraction import photo_split, pipeline
    from synth import DOCUMENT_TYPES, generate_document

    checked = 0
    split: list[str] = []
    for doc_type in DOCUMENT_TYPES:
        for seed in range(per_type):
            for photo in (False, True):
                synth = generate_document(doc_type, seed=seed, photo=photo)
                document = pipeline.load_document(synth.image_bytes, name="one", read_qr=False)
                checked += 1
                if photo_split.document_parts(document):
                    split.append(f"{doc_type}/{seed}/{'photo' if photo else 'clean'}")
    print(f"single documents split by mistake: {len(split)}/{checked} (target 0) {split or ''}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2, help="OCR threads per read")
    parser.add_argument("--table-n", type=int, default=20, help="photos of 2-4 documents")
    parser.add_argument(
        "--page-n", type=int, default=0, help="white pages with 2-4 documents pasted on"
    )
    parser.add_argument("--single-n", type=int, default=4, help="single documents per type")
    parser.add_argument(
        "--only-table", action="store_true", help="only the several-documents measures"
    )
    parser.add_argument("--rss-n", type=int, default=0, help="mixed documents for worker RSS")
    args = parser.parse_args()
    if args.table_n:
        table_photos(args.table_n, args.threads)
    if args.page_n:
        table_photos(args.page_n, args.threads, page=True)
    if args.single_n:
        single_documents(args.single_n)
    if args.rss_n:
        worker_rss(args.rss_n, args.threads)
    if args.only_table:
        return
    from synth import generate_document

    document = generate_document("vat_special", seed=11, photo=False)
    page = np.asarray(document.image().convert("RGB"))
    truth = document.truth["fields"]
    with tempfile.TemporaryDirectory() as folder:
        big, small = Path(folder) / "108mp.jpg", Path(folder) / "12mp.jpg"
        _jpeg(page, (13290, 8125), big)
        _jpeg(page, (4440, 2715), small)
        print(
            f"108 MP JPEG: {big.stat().st_size / 1e6:.1f} MB; "
            f"12 MP: {small.stat().st_size / 1e6:.1f} MB"
        )
        reports = {
            "12 MP": _read(small, small, args.threads),
            "108 MP": _read(big, small, args.threads),
        }
    for label, report in reports.items():
        right = (
            report["invoice_number"] == truth["invoice_number"]
            and report["total"] == truth["total_amount"]
        )
        print(
            f"{label:>7}: {report['seconds']:.2f} s, page {report['page']}, peak RSS "
            f"{report['peak_mb']:.0f} MB, number+total {'right' if right else 'WRONG'}"
        )
    ratio = float(str(reports["108 MP"]["seconds"])) / float(str(reports["12 MP"]["seconds"]))
    print(f"time ratio 108/12 MP: {ratio:.2f}x (target <= 3x)")
    peak = float(str(reports["108 MP"]["peak_mb"]))
    print(f"peak RSS at 108 MP: {peak:.0f} MB (target <= 1536 MB)")
    seconds, outcome = _strip_seconds()
    print(f"65500x700 PNG: {seconds:.2f} s, {outcome} (target <= 10 s)")


if __name__ == "__main__":
    main()
