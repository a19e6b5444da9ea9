"""OCR model generations side by side: PP-OCRv6 (rapidocr 3.x) against PP-OCRv4
(rapidocr-onnxruntime 1.4.4), on the same files in one run.

    .venv/bin/python bench/ocr_models.py [--only sroie|cn|families ...] [--families-n 6]
                                         [--sroie-n N] [--batch-size 20]
                                         [--out bench/results/ocr_models.json]

Every suite of ``bench/accuracy.py`` that reads pixels (SROIE dev, the Chinese dev set,
the VAT layout families) goes through the real ``extract`` CLI once per model
(``OCR_MODEL=v6|v4`` in its environment). The models take turns batch by batch, so a
shared machine's drifting speed weighs on both alike; the first file of each process
is cold and left out of latency. Prints per suite and model: each field's accuracy,
key fields all correct, and warm p50/p95 latency with the v6/v4 ratio, and the median
of the per-file ratios over the files both models read warm (each file against
itself: steadier than a ratio of two p50s on a few files of unequal size). ``v4`` is the
baseline ("today's" model): PP-OCRv4 as configured before PP-OCRv6 became the default;
the speed-ups since (``REC_MIN_WIDTH`` and ``DET_SIDES`` in ``extraction/engines/ocr.py``)
touch only v6.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: make ``synth`` importable
    sys.path.insert(0, str(REPO))

from bench import accuracy, machine  # noqa: E402

MODELS = ("v4", "v6")
SUITES = ("sroie", "cn", "families")


def load(suites: Sequence[str], args: argparse.Namespace) -> list[accuracy.Sample]:
    shared = accuracy.shared_data_dir()
    samples: list[accuracy.Sample] = []
    if "sroie" in suites:
        samples += accuracy.load_sroie(shared / "sroie-dev")[: args.sroie_n]
    if "cn" in suites:
        samples += accuracy.load_cn(shared / "cn-invoices-dev")
    if "families" in suites:
        folder = REPO / "bench" / "_data" / f"families-n{args.families_n}-s{args.seed}"
        samples += accuracy.load_families(folder, args.families_n, args.seed)
    return samples


def run_models(
    files: Sequence[Path],
    models: Sequence[str],
    *,
    python: str,
    batch_size: int,
    predictions: dict[str, dict[Path, dict[str, Any]]],
    after_batch: Callable[[], None] = lambda: None,
) -> None:
    """Each model's CLI answers for ``files`` into ``predictions``, the models alternating
    batch by batch; ``after_batch`` runs when every model has read a batch."""
    saved = os.environ.get("OCR_MODEL")
    try:
        for offset in range(0, len(files), batch_size):
            batch = files[offset : offset + batch_size]
            # Who goes first alternates too: the second reads files the first just loaded.
            order = models if (offset // batch_size) % 2 == 0 else list(reversed(models))
            for model in order:
                os.environ["OCR_MODEL"] = model
                print(f"  {model}:", end="")
                run = accuracy.run_cli(batch, python=python, batch_size=len(batch))
                predictions[model].update(run.predictions)
            after_batch()
    finally:
        if saved is None:
            os.environ.pop("OCR_MODEL", None)
        else:
            os.environ["OCR_MODEL"] = saved


def _acc(entry: dict[str, Any] | None) -> str:
    if not entry:
        return "     n/a"
    return f"{accuracy._pct(entry['accuracy'])} {entry['correct']:>3}/{entry['total']:<3}"


def format_table(report: dict[str, Any], models: Sequence[str]) -> list[str]:
    lines = []
    for suite in report["suites"]:
        per_model = {m: report["models"][m]["suites"].get(suite) or {} for m in models}
        names: list[str] = []
        for entry in per_model.values():
            names += [n for n in entry.get("fields", {}) if n not in names]
        docs = max((entry.get("documents", 0) for entry in per_model.values()), default=0)
        lines.append(f"\n== {suite}: {docs} documents")
        lines.append(f"{'field':24}" + "".join(f" {m:>16}" for m in models))
        for name in names:
            row = f"{name:24}"
            for model in models:
                row += f" {_acc(per_model[model].get('fields', {}).get(name)):>16}"
            lines.append(row)
        row = f"{'key fields all correct':24}"
        for model in models:
            row += f" {accuracy._pct(per_model[model].get('key_fields_all_correct')):>16}"
        lines.append(row)
        for pct in ("p50", "p95"):
            row = f"{'latency ' + pct + ' (ms)':24}"
            values: dict[str, float | None] = {}
            for model in models:
                latency = report["models"][model]["latency_ms"].get(suite) or {}
                values[model] = latency.get(pct)
                row += f" {values[model] if values[model] is not None else 'n/a':>16}"
            first, second = (values.get(m) for m in (*models, "", "")[:2])
            if len(models) == 2 and first and second:
                row += f"   {models[1]}/{models[0]} = {second / first:.2f}"
            lines.append(row)
        paired = (report.get("paired") or {}).get(suite)
        if paired:
            label = f"per-file {models[1]}/{models[0]}"
            lines.append(f"{label:24} median {paired['median_ratio']:.2f} over {paired['n']} files")
    return lines


def paired_ratios(
    samples: Sequence[accuracy.Sample],
    predictions: dict[str, dict[Path, dict[str, Any]]],
    models: Sequence[str],
) -> dict[str, dict[str, Any]]:
    """Per suite, the median over files of the second model's warm latency over the
    first's, counting only files both read warm."""
    first, second = models
    ratios: dict[str, list[float]] = {}
    for sample in samples:
        a, b = (accuracy.warm_ms(predictions[m].get(sample.file)) for m in (first, second))
        if a and b:  # neither cold, nor 0 ms
            ratios.setdefault(sample.suite, []).append(b / a)
    return {
        suite: {"n": len(values), "median_ratio": round(statistics.median(values), 3)}
        for suite, values in ratios.items()
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--only", choices=SUITES, action="append")
    parser.add_argument("--model", choices=MODELS, action="append", help="default: both")
    parser.add_argument("--families-n", type=int, default=6, help="documents per VAT family")
    parser.add_argument("--sroie-n", type=int, default=None, help="only the first N receipts")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=20)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "ocr_models.json")
    args = parser.parse_args(argv)
    suites = args.only or list(SUITES)
    models = args.model or list(MODELS)
    samples = load(suites, args)
    predictions: dict[str, dict[Path, dict[str, Any]]] = {model: {} for model in models}
    report: dict[str, Any] = {}
    for done, suite in enumerate(suites, 1):
        files = [sample.file for sample in samples if sample.suite == suite]
        print(f"{suite}: {len(files)} files x {len(models)} models")

        def write(done: int = done, files: Sequence[Path] = files) -> None:
            # Written after every batch: a long run that is stopped keeps what it measured
            # (the files every model has read so far).
            nonlocal report
            read = set(files).intersection(*(predictions[m] for m in models))
            finished = [s for s in samples if s.suite in suites[: done - 1] or s.file in read]
            report = build_report(suites[:done], models, finished, predictions, argv)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")

        run_models(
            files,
            models,
            python=args.python,
            batch_size=args.batch_size,
            predictions=predictions,
            after_batch=write,
        )
    print("\n".join(format_table(report, models)))
    print(f"\nfull report: {args.out}")
    return 0 if any(predictions[m] for m in models) else 2


def build_report(
    suites: Sequence[str],
    models: Sequence[str],
    samples: Sequence[accuracy.Sample],
    predictions: dict[str, dict[Path, dict[str, Any]]],
    argv: Sequence[str] | None,
) -> dict[str, Any]:
    report: dict[str, Any] = {"suites": list(suites), "models": {}}
    for model in models:
        scored = accuracy.score(samples, predictions[model])
        report["models"][model] = {
            "suites": {
                suite: {k: v for k, v in entry.items() if not k.startswith("by_")}
                for suite, entry in scored["suites"].items()
            },
            "by_family": (scored["suites"].get("families") or {}).get("by_family"),
            "latency_ms": scored["latency_ms"],
            "misses": scored["misses"],
            "errors": scored["errors"],
        }
    if len(models) == 2:
        report["paired"] = paired_ratios(samples, predictions, models)
    report["command"] = " ".join(["bench/ocr_models.py", *(argv or sys.argv[1:])])
    report["machine"] = machine.describe()
    report["created"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return report


if __name__ == "__main__":
    sys.exit(main())
