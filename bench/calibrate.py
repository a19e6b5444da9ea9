"""Refit the confidence calibration (``extraction/calibration_table.json``) reproducibly.

    .venv/bin/python bench/calibrate.py [--reuse] [--write] [--synthetic-n 240]
                                        [--families-n 20] [--ticket-families-n 6]
                                        [--receipt-families-n 6] [--seed 1] [--sroie-n N]

Runs ``manage.py extract --engine ocr --jsonl --evidence`` over the benchmark's suites
(``bench.accuracy`` loaders: synthetic documents of every type, the VAT, ticket and
till-receipt layout families, generated e-invoice PDFs, the SROIE and Chinese dev sets)
and keeps every answer under
``bench/_data/calibration/`` (``--reuse`` reads them back instead of running OCR again).

The table is fitted ONLY on what the rules were developed on: the ``synthetic`` suite,
the generated e-invoice PDFs, the developed layout families (``synth.DEVELOPED_ON``,
``TICKET_DEVELOPED_ON``, ``RECEIPT_DEVELOPED_ON``) and the SROIE
tune half (receipts [100:], ``bench.accuracy.SROIE_REPORT_N``: real receipts, the only
real population the receipt classes can be measured on; the receipt rules were tuned on the
same half). The held-out families, the SROIE report half (receipts [:100]) and the Chinese
invoices are only measured:
the reliability table per set before (the old heuristic score, kept in the evidence) and
after (the refitted table), with the straight-through and silent-error rates of the
product's rule (``extraction.review``) under the new confidences, and that rule's
straight-through and silent errors for each candidate confidence threshold. ``--write``
stores the table; without it the run only reports.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench import accuracy, reliability  # noqa: E402
from bench import straight_through as bench_stp  # noqa: E402
from extraction import calibration, review, validation  # noqa: E402
from extraction.schema import SCALAR_FIELDS  # noqa: E402

SUITES = ("families", "synthetic", "cn", "sroie", "einvoice_pdf", "tickets", "receipts")
FITTED_SUITES = ("synthetic", "einvoice_pdf")  # plus the developed families
SCORED = tuple(f for f in SCALAR_FIELDS if f not in ("currency",))


def keep_generated(data_dir: Path) -> None:
    """``--reuse``: documents already generated (and read) are measured as they are, even
    when the generator changed since; their stamp is brought up to date so the loader keeps
    them instead of writing new ones under the stored answers."""
    stamp = data_dir / ".fingerprint"
    if stamp.exists() and (data_dir / "labels.jsonl").exists():
        old = stamp.read_text()
        stamp.write_text(accuracy._generator_fingerprint() + old[old.index(" ") :])


def load_samples(args: argparse.Namespace, suites: Sequence[str]) -> list[accuracy.Sample]:
    shared = accuracy.shared_data_dir()
    data = REPO / "bench" / "_data"
    if args.reuse:
        for generated in data.glob("*families-n*"):
            keep_generated(generated)
        keep_generated(data / f"synthetic-n{args.synthetic_n}-s{args.seed}")
    samples: list[accuracy.Sample] = []
    if "synthetic" in suites:
        samples += accuracy.load_synthetic(
            data / f"synthetic-n{args.synthetic_n}-s{args.seed}", args.synthetic_n, args.seed
        )
    if "einvoice_pdf" in suites:
        pdf_dir = data / f"einvoice-pdf-n{args.einvoice_pdf_n}-s{args.seed}"
        for path, truth in bench_stp.write_einvoice_pdfs(pdf_dir, args.einvoice_pdf_n, args.seed):
            expected = {name: truth["fields"].get(name) for name in SCALAR_FIELDS}
            samples.append(
                accuracy.Sample(
                    path, "einvoice_pdf", truth["document_type"], expected, SCALAR_FIELDS
                )
            )
    if "families" in suites:
        samples += accuracy.load_families(
            data / f"families-n{args.families_n}-s{args.seed}", args.families_n, args.seed
        )
    # Ticket and till-receipt families: a suite of their own each (VAT families are
    # "families"), generated into ``ticket-families-n6-s1`` and the like.
    for suite, load, per_family in (
        ("tickets", accuracy.load_ticket_families, args.ticket_families_n),
        ("receipts", accuracy.load_receipt_families, args.receipt_families_n),
    ):
        if suite in suites:
            folder = data / f"{suite[:-1]}-families-n{per_family}-s{args.seed}"
            loaded = load(folder, per_family, args.seed)
            samples += [dataclasses.replace(sample, suite=suite) for sample in loaded]
    if "sroie" in suites:
        samples += accuracy.load_sroie(shared / "sroie-dev")[: args.sroie_n]
    if "cn" in suites:
        samples += accuracy.load_cn(shared / "cn-invoices-dev")
    return samples


def answers(
    samples: Sequence[accuracy.Sample], suites: Sequence[str], args: argparse.Namespace
) -> dict[Path, dict[str, Any]]:
    """The CLI's answers with evidence, run now or (``--reuse``) read from the cache."""
    cache = REPO / "bench" / "_data" / "calibration"
    cache.mkdir(parents=True, exist_ok=True)
    out: dict[Path, dict[str, Any]] = {}
    for suite in suites:
        files = [s.file for s in samples if s.suite == suite]
        stored = cache / f"{suite}.jsonl"
        kept: dict[Path, dict[str, Any]] = {}
        if args.reuse and stored.exists():
            for line in stored.read_text(encoding="utf-8").splitlines():
                record = json.loads(line)
                if "error" not in record:  # a file that failed is read again
                    kept[Path(record["_path"])] = record
        missing = [] if args.cached_only else [path for path in files if path not in kept]
        if missing:
            print(f"{suite}: {len(missing)} files")
        # Batch by batch, each kept at once: a long run that stops loses one batch only.
        for offset in range(0, len(missing), args.batch_size):
            batch = missing[offset : offset + args.batch_size]
            run = accuracy.run_cli(
                batch, python=args.python, batch_size=len(batch), extra=("--evidence",)
            )
            kept.update(run.predictions)
            with stored.open("w", encoding="utf-8") as handle:
                for path, record in kept.items():
                    line = json.dumps(record | {"_path": str(path)}, ensure_ascii=False)
                    handle.write(line + "\n")
        out.update({path: record for path, record in kept.items() if path in set(files)})
    return out


def current_evidence(record: dict[str, Any]) -> dict[str, calibration.FieldEvidence]:
    """A kept answer's evidence as this version records it: answers kept before an old
    date stopped counting as a failed check (it is implausible, not contradicted) and a
    failed format check was counted apart (weak evidence) are read as this version would
    have recorded them."""
    evidence = {
        name: calibration.FieldEvidence.from_dict(found)
        for name, found in (record.get("evidence") or {}).items()
    }
    for name, found in evidence.items():
        codes = [
            str(warning.get("code"))
            for warning in record.get("warnings") or []
            if warning.get("field") == name
        ]
        too_old = sum(code in validation.PLAUSIBILITY_CODES for code in codes)
        misformatted = sum(code in validation.FORMAT_CODES for code in codes)
        if found.format_failed or found.failed < too_old + misformatted:
            continue  # recorded by this version already
        evidence[name] = dataclasses.replace(
            found, failed=found.failed - too_old - misformatted, format_failed=misformatted
        )
    return evidence


def developed(sample: accuracy.Sample) -> bool:
    """Fitted on: synthetic documents, generated e-invoice PDFs, the developed layout
    families and the SROIE tune half (real receipts the receipt rules were tuned on)."""
    if sample.suite in reliability.FAMILY_SUITES:
        return reliability.developed_family(sample.variant)
    if sample.suite == "sroie":
        return not reliability.held_out(sample)
    return sample.suite in FITTED_SUITES


def group_of(sample: accuracy.Sample) -> str:
    """The developed sub-population a row belongs to (for the worst-group share)."""
    if sample.suite in reliability.FAMILY_SUITES:
        return f"family:{sample.variant}"
    if sample.suite == "sroie":
        return f"sroie:{sample.variant}"  # the tune half
    return f"{sample.suite}:{sample.document_type}:{sample.variant}"


def evidence_rows(
    samples: Sequence[accuracy.Sample], predictions: dict[Path, dict[str, Any]]
) -> list[tuple[calibration.FieldEvidence, bool, str]]:
    rows = []
    for sample in samples:
        record = predictions.get(sample.file)
        scored = [f for f in sample.scored if f in SCORED]
        for name, _, right in reliability.field_rows(
            sample, record, accuracy.normalise, scored=scored, confidence=lambda r, n: 0.0
        ):
            found = current_evidence(record or {}).get(name)
            if found is not None:
                rows.append((found, right, group_of(sample)))
    return rows


def recalibrated(
    predictions: dict[Path, dict[str, Any]], table: calibration.Table, *, before: bool
) -> dict[Path, dict[str, Any]]:
    """Answers with each field's confidence from ``table`` (or the old heuristic)."""
    out = {}
    for path, record in predictions.items():
        evidence = current_evidence(record)
        confidence = dict(record.get("confidence") or {})
        for name, found in evidence.items():
            confidence[name] = found.heuristic if before else table.probability(found)
        out[path] = record | {
            "confidence": confidence,
            "evidence": {name: found.to_dict() for name, found in evidence.items()},
        }
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--synthetic-n", type=int, default=120)
    parser.add_argument("--families-n", type=int, default=8, help="VAT documents per family")
    parser.add_argument("--ticket-families-n", type=int, default=6, help="tickets per family")
    parser.add_argument(
        "--receipt-families-n", type=int, default=6, help="till receipts per receipt family"
    )
    parser.add_argument("--einvoice-pdf-n", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sroie-n", type=int, default=None, help="only the first N receipts")
    parser.add_argument("--only", choices=SUITES, action="append")
    parser.add_argument("--reuse", action="store_true", help="reuse the stored CLI answers")
    parser.add_argument("--write", action="store_true", help="store the refitted table")
    parser.add_argument(
        "--cached-only", action="store_true", help="with --reuse: run nothing, use what is kept"
    )
    parser.add_argument("--prior-weight", type=float, default=20.0)
    parser.add_argument("--batch-size", type=int, default=40)
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args(argv)
    suites = args.only or list(SUITES)
    samples = load_samples(args, suites)
    predictions = answers(samples, suites, args)
    samples = [s for s in samples if s.file in predictions]
    fit_samples = [s for s in samples if developed(s)]
    rows = evidence_rows(fit_samples, predictions)
    table = calibration.fit(
        rows,
        fitted_on=[group_of(s) for s in fit_samples],
        prior_weight=args.prior_weight,
    )
    table.fitted_on = sorted({g.split(":")[0] + ":" + g.split(":")[1] for g in table.fitted_on})
    print(f"fitted on {len(rows)} fields of {len(fit_samples)} developed documents")

    for label, before in (("before (heuristic score)", True), ("after (calibrated)", False)):
        section = reliability.report(
            samples,
            recalibrated(predictions, table, before=before),
            accuracy.normalise,
        )
        print("\n".join(reliability.format_summary(section, f"reliability {label}")))
    sweep = reliability.threshold_sweep(
        samples, recalibrated(predictions, table, before=False), accuracy.normalise
    )
    print("\n".join(reliability.format_sweep(sweep)))
    print(
        "smallest threshold keeping held-out silent errors <= "
        f"{reliability.TARGET_SILENT / 2:.1%}: {reliability.smallest_safe_threshold(sweep)}"
        f" (the rule's default: {review.DEFAULT_MIN_CONFIDENCE})"
    )
    if args.write:
        calibration.TABLE_PATH.write_text(table.to_json(), encoding="utf-8")
        print(f"\nwrote {calibration.TABLE_PATH.relative_to(REPO)} ({len(table.counts)} classes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
