"""Accuracy benchmark of the CPU OCR extractor, through the real ``extract`` CLI.

    .venv/bin/python bench/accuracy.py [--synthetic-n 240] [--only synthetic|sroie|cn]
                                       [--out bench/results/accuracy.json]
                                       [--sroie-n N] [--qr-overhead]

Three suites: synthetic documents of every type (``synth``, clean and photo),
the SROIE dev receipts and the hand-labelled Chinese invoices in the shared data folder
(``$IA_SHARED_DATA``, default ``<repo>/../shared/data``). Files go to
``manage.py extract --engine ocr --jsonl`` in batches, so each process loads the OCR
model once; the first file of each process is excluded from latency as cold.

A ``families`` suite (``--families-n`` clean documents per family, 20 by default)
renders the classic-frame VAT invoices in every layout family of
``synth.vat.VAT_FAMILIES`` (letter-spaced labels, spread vertical captions, other
wording, seller block on top, a seal over the name, other column widths) and reports
key fields all correct (date, seller, seller tax ID, total) per family, marking the
families the layout rules were developed against (``DEVELOPED_ON``) and pooling the
held-out ones: the leave-one-family-out view of generalisation. The same suite renders
``--ticket-families-n`` clean tickets per kind and family (``synth.ticket_families``:
air itinerary, paper and 数电 train tickets, taxi, toll, bus, 定额发票; caption spacing and
wording, fonts, block order, dot-matrix offsets, seals over values, thermal print, vertical
captions), scored on their key fields (those plus invoice code and number, and the buyer
where printed) per kind and family, developed-on (``TICKET_DEVELOPED_ON``) and held out.
Till receipts come in ``--families-n`` per receipt family (``synth.receipt_families``:
other countries' wording, currencies and date formats, 58 mm thermal print, a brand line
above the registered name, rounding and tenders, wide columns), variant "receipt/family",
with their own developed-on (``RECEIPT_DEVELOPED_ON``) / held-out table.

Straight-through processing (``bench.straight_through``): the product's review rule
(``extraction.review``) applied to every e-invoice answer -- the generated and the real
OFD/XML, ``--einvoice-pdf-n`` generated e-invoice PDFs with a text layer and a real QR
code (suite ``einvoice_pdf``), and the ``cn`` photos whose QR code decodes -- with the
silent errors (a wrong key field in a document nobody is asked to look at).

Exit status: 0 whenever the benchmark ran (targets met or not); 2 if the CLI produced
no result at all (it crashed or does not exist).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: make ``synth`` importable
    sys.path.insert(0, str(REPO))

from bench import machine, reliability  # noqa: E402
from bench import qr as bench_qr  # noqa: E402
from bench import straight_through as bench_stp  # noqa: E402
from extraction.schema import SCALAR_FIELDS  # noqa: E402

MONEY_FIELDS = frozenset({"amount_excluding_tax", "tax_amount", "total_amount"})
NAME_FIELDS = frozenset({"seller_name", "buyer_name"})
ID_FIELDS = frozenset(
    {"invoice_code", "invoice_number", "check_code", "seller_tax_id", "buyer_tax_id", "currency"}
)
LINE_ITEMS = "line_item_amounts"  # pseudo-field: the multiset of line amounts
# pseudo-field of e-invoices: every line item whole (name, quantity, price, amount, rate, tax)
LINE_ITEMS_EXACT = "line_items_exact"
TARGET_FIELDS = ("issue_date", "seller_name", "seller_tax_id", "total_amount", "invoice_number")
SROIE_FIELDS = ("seller_name", "issue_date", "total_amount", "currency")
# A document counts as right only if all of these (where its truth has them) are right.
KEY_FIELDS = ("issue_date", "seller_name", "seller_tax_id", "total_amount")
# Tickets are claimed on their number too, and a 数电 train ticket names its buyer.
TICKET_KEY_FIELDS = (*KEY_FIELDS, "invoice_code", "invoice_number", "buyer_name", "buyer_tax_id")
CENT = Decimal("0.01")
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
    )
}


def shared_data_dir() -> Path:
    override = os.environ.get("IA_SHARED_DATA")
    return Path(override) if override else REPO.parent / "shared" / "data"


@dataclass(frozen=True)
class Sample:
    file: Path
    suite: str  # "synthetic" | "sroie" | "cn"
    document_type: str | None
    truth: dict[str, Any]  # contract field name -> expected value (None = not printed)
    scored: tuple[str, ...]  # the fields this suite's labels can judge
    variant: str = "real"  # "clean" | "photo" for synthetic
    degradations: tuple[str, ...] = ()
    key_fields: tuple[str, ...] = KEY_FIELDS  # all right (where printed) = document right


# --- normalisation ------------------------------------------------------------------


def normalise(field_name: str, value: Any, *, loose_names: bool = False) -> str | None:
    """Light normalisation before exact comparison: NFKC, no whitespace, case-blind names.

    ``loose_names`` also drops punctuation from names (SROIE company names differ from
    what is printed in dots and brackets: "SDN. BHD." vs "SDN BHD").
    """
    if value is None:
        return None
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
    if not text:
        return None
    if field_name in MONEY_FIELDS:
        cleaned = re.sub(r"(?i)(rm|cny|myr|usd|sgd|[¥$,元])", "", text)
        try:
            return str(Decimal(cleaned).quantize(CENT))
        except InvalidOperation:
            return text
    if field_name in NAME_FIELDS:
        text = text.casefold()
        return re.sub(r"[\W_]+", "", text) if loose_names else text
    if field_name == "total_in_words":
        return text.replace("圆", "元")  # both are printed for the same unit
    if field_name in ID_FIELDS:
        return text.upper()
    return text


def sroie_date_to_iso(text: str) -> str | None:
    """SROIE dates as printed ("18-11-18", "12 MAR 2018", "OCT 3, 2016") -> ISO.

    Day-first, as in Malaysia, unless the second number cannot be a month.
    """
    text = text.strip().strip("()").upper()
    if m := re.search(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b", text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := re.search(r"\b(\d{1,2})[-/. ]*([A-Z]{3})[A-Z]*[-/., ]*(\d{2,4})\b", text):
        day, month, year = int(m[1]), _MONTHS.get(m[2], 0), int(m[3])
    elif m := re.search(r"\b([A-Z]{3})[A-Z]*[ .]+(\d{1,2}),?\s*(\d{2,4})\b", text):
        month, day, year = _MONTHS.get(m[1], 0), int(m[2]), int(m[3])
    elif m := re.search(r"\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{2,4})\b", text):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
        if month > 12 >= day:
            day, month = month, day
    else:
        return None
    if year < 100:
        year += 2000
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def sroie_total(text: str) -> str | None:
    cleaned = re.sub(r"(?i)(rm|\$|\s|,)", "", text)
    try:
        return str(Decimal(cleaned).quantize(CENT))
    except InvalidOperation:
        return None


# --- loading ground truth -----------------------------------------------------------


def _generator_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted((REPO / "synth").glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def load_synthetic(data_dir: Path, n: int, seed: int) -> list[Sample]:
    """Generate (or reuse, if the generator is unchanged) ``n`` documents in ``data_dir``."""
    from synth import generate_dataset

    stamp = data_dir / ".fingerprint"
    wanted = f"{_generator_fingerprint()} n={n} seed={seed}"
    if not (
        stamp.exists() and stamp.read_text() == wanted and (data_dir / "labels.jsonl").exists()
    ):
        started = time.perf_counter()
        generate_dataset(data_dir, n, seed)
        stamp.write_text(wanted)
        print(f"generated {n} synthetic documents in {time.perf_counter() - started:.0f} s")
    samples = []
    for line in (data_dir / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        fields = record["fields"]
        truth = {name: fields.get(name) for name in SCALAR_FIELDS}
        scored: tuple[str, ...] = SCALAR_FIELDS
        if fields.get("line_items"):
            truth[LINE_ITEMS] = [item["amount"] for item in fields["line_items"]]
            scored = (*SCALAR_FIELDS, LINE_ITEMS)
        samples.append(
            Sample(
                data_dir / record["file"],
                "synthetic",
                record["document_type"],
                truth,
                scored,
                record["variant"],
                tuple(record.get("degradations", ())),
            )
        )
    return samples


# SROIE dev is split in two halves by file order: the receipt rules were tuned and the
# calibration table fitted on the second (``tune``, receipts [100:]); the first
# (``report``, receipts [:100]) is only ever measured, as a held-out set of real receipts.
SROIE_REPORT_N = 100
SROIE_REPORT = "report"
SROIE_TUNE = "tune"


def load_sroie(root: Path) -> list[Sample]:
    samples: list[Sample] = []
    for key_path in sorted((root / "key").glob("*.json")):
        image = root / "img" / f"{key_path.stem}.jpg"
        if not image.exists():
            continue
        key = json.loads(key_path.read_text(encoding="utf-8"))
        truth = {
            "seller_name": key.get("company"),
            "issue_date": sroie_date_to_iso(key.get("date", "")),
            "total_amount": sroie_total(key.get("total", "")),
            "currency": "MYR",
        }
        scored = tuple(f for f in SROIE_FIELDS if truth[f] is not None)
        half = SROIE_REPORT if len(samples) < SROIE_REPORT_N else SROIE_TUNE
        samples.append(Sample(image, "sroie", "receipt", truth, scored, variant=half))
    return samples


def load_cn(root: Path) -> list[Sample]:
    samples = []
    labels = root / "labels.jsonl"
    for line in labels.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        truth = {name: record.get(name) for name in SCALAR_FIELDS if name in record}
        samples.append(
            Sample(root / record["file"], "cn", record.get("document_type"), truth, tuple(truth))
        )
    return samples


# --- e-invoices: OFD and 数电票 XML, read as data (no OCR) ---------------------------

# OFD layouts issuers produce (see tests/extraction/machine/einvoice_files.py).
EINVOICE_OFD_LAYOUTS: dict[str, dict[str, Any]] = {
    "tags+customdata": {},
    "tags": {"custom_data": False},
    "customdata": {"tags": False},
    "text-only": {"tags": False, "custom_data": False},
    "embedded-xml": {"embedded_xml": True},
    "default-namespace": {"namespace": "default"},
    "no-namespace": {"namespace": "none", "absolute_paths": True},
}
EINVOICE_XML_LAYOUTS: dict[str, dict[str, Any]] = {
    "plain": {},
    "words": {"words": True},
    "namespaced": {"namespace": "urn:einvoice", "prefix": "e"},
    "gbk": {"encoding": "GBK"},
}


def load_einvoices(data_dir: Path, shared: Path, n: int, seed: int) -> list[Sample]:
    """``n`` generated 数电票, each written in every OFD layout and as XML, plus the real
    OFD in the shared data when it is there. Every field and line item must be exact."""
    import random

    from tests.extraction.machine.einvoice_files import (
        REAL_OFD_EXPECTED,
        einvoice_xml,
        ofd_package,
        random_spec,
    )

    data_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    scored = (*SCALAR_FIELDS, LINE_ITEMS, LINE_ITEMS_EXACT)
    samples = []
    for index in range(n):
        spec = random_spec(rng)
        truth: dict[str, Any] = dict(spec.expected())
        truth[LINE_ITEMS] = [item["amount"] for item in spec.expected_items()]
        truth[LINE_ITEMS_EXACT] = spec.expected_items()
        variants = [(f"ofd:{k}", ofd_package(spec, **v)) for k, v in EINVOICE_OFD_LAYOUTS.items()]
        variants += [(f"xml:{k}", einvoice_xml(spec, **v)) for k, v in EINVOICE_XML_LAYOUTS.items()]
        for variant, data in variants:
            path = data_dir / f"{index:03d}-{variant.replace(':', '-')}.bin"
            path.write_bytes(data)
            # An XML carries the 大写 total only when it has the element for it.
            expected = dict(truth)
            if variant.startswith("xml:") and variant != "xml:words":
                expected["total_in_words"] = None
            samples.append(Sample(path, "einvoice", "digital_invoice", expected, scored, variant))
    real = shared / "einvoices-dev" / "24322000000489101796.ofd"
    if real.is_file():
        truth = dict(REAL_OFD_EXPECTED) | {
            LINE_ITEMS: ["17699.12"],
            LINE_ITEMS_EXACT: [
                {
                    "name": "*劳务*维护保养-调压站",
                    "quantity": "2",
                    "unit_price": "8849.55752212389",
                    "amount": "17699.12",
                    "tax_rate": "13%",
                    "tax_amount": "2300.88",
                }
            ],
        }
        samples.append(Sample(real, "einvoice", "digital_invoice", truth, scored, "real-ofd"))
    return samples


def _line_items_exact(expected: Any, got: Any) -> tuple[Any, Any, str | None, str | None]:
    """Whole line items compared after NFKC and without whitespace (as names are)."""

    def key(items: Any) -> str | None:
        if not items:
            return None
        rows = [
            {
                k: None if v is None else re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(v)))
                for k, v in item.items()
            }
            for item in items
        ]
        return json.dumps(rows, ensure_ascii=False, sort_keys=True)

    return expected, got, key(expected), key(got)


def einvoice_targets(suites: dict[str, Any]) -> list[Target]:
    """OFD/XML fields 100% exact: pooled over every scored field, and the real OFD alone."""
    suite = suites.get("einvoice")
    if not suite:
        return []

    def pooled(node: dict[str, Any] | None) -> float | None:
        fields = (node or {}).get("fields") or {}
        correct = sum(entry["correct"] for entry in fields.values())
        total = sum(entry["total"] for entry in fields.values())
        return _ratio(correct, total)

    targets = [Target("einvoice OFD/XML fields exact", pooled(suite), 1.0)]
    real = suite["by_variant"].get("real-ofd")
    if real:
        targets.append(Target("einvoice real OFD fields exact", pooled(real), 1.0))
    return targets


def load_families(data_dir: Path, per_family: int, seed: int) -> list[Sample]:
    """Generate (or reuse) ``per_family`` clean documents of every VAT layout family."""
    from synth import generate_family_dataset

    stamp = data_dir / ".fingerprint"
    wanted = f"{_generator_fingerprint()} families per={per_family} seed={seed}"
    if not (
        stamp.exists() and stamp.read_text() == wanted and (data_dir / "labels.jsonl").exists()
    ):
        generate_family_dataset(data_dir, per_family, seed)
        stamp.write_text(wanted)
    samples = []
    for line in (data_dir / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        fields = record["fields"]
        truth = {name: fields.get(name) for name in SCALAR_FIELDS}
        samples.append(
            Sample(
                data_dir / record["file"],
                "families",
                record["document_type"],
                truth,
                SCALAR_FIELDS,
                record["family"],
            )
        )
    return samples


def load_ticket_families(data_dir: Path, per_family: int, seed: int) -> list[Sample]:
    """Generate (or reuse) ``per_family`` clean tickets of every kind and layout family;
    a sample's variant is "kind/family" (``air/dot_matrix``)."""
    from synth import generate_ticket_family_dataset

    stamp = data_dir / ".fingerprint"
    wanted = f"{_generator_fingerprint()} ticket families per={per_family} seed={seed}"
    if not (
        stamp.exists() and stamp.read_text() == wanted and (data_dir / "labels.jsonl").exists()
    ):
        generate_ticket_family_dataset(data_dir, per_family, seed)
        stamp.write_text(wanted)
    samples = []
    for line in (data_dir / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        fields = record["fields"]
        samples.append(
            Sample(
                data_dir / record["file"],
                "families",
                record["document_type"],
                {name: fields.get(name) for name in SCALAR_FIELDS},
                SCALAR_FIELDS,
                f"{record['kind']}/{record['family']}",
                key_fields=TICKET_KEY_FIELDS,
            )
        )
    return samples


def load_receipt_families(data_dir: Path, per_family: int, seed: int) -> list[Sample]:
    """Generate (or reuse) ``per_family`` clean till receipts of every receipt layout
    family (``synth.receipt_families``); a sample's variant is "receipt/family"."""
    from synth.receipt_families import generate_receipt_family_dataset

    stamp = data_dir / ".fingerprint"
    wanted = f"{_generator_fingerprint()} receipt families per={per_family} seed={seed}"
    if not (
        stamp.exists() and stamp.read_text() == wanted and (data_dir / "labels.jsonl").exists()
    ):
        generate_receipt_family_dataset(data_dir, per_family, seed)
        stamp.write_text(wanted)
    samples = []
    for line in (data_dir / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        truth = {name: record["fields"].get(name) for name in SCALAR_FIELDS}
        variant = f"receipt/{record['family']}"
        samples.append(
            Sample(data_dir / record["file"], "families", "receipt", truth, SROIE_FIELDS, variant)
        )
    return samples


def family_selected(variant: str, wanted: Sequence[str] | None) -> bool:
    """``--family`` names a family (``dot_matrix``), a ticket kind (``taxi``) or both
    (``taxi/thermal``)."""
    return wanted is None or any(w == variant or w in variant.split("/") for w in wanted)


# --- running the CLI ----------------------------------------------------------------


@dataclass
class CliRun:
    predictions: dict[Path, dict[str, Any]] = field(default_factory=dict)
    stray_lines: list[str] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)  # per process
    wall_s: float = 0.0


def parse_cli_output(
    stdout: str, batch: Sequence[Path]
) -> tuple[dict[Path, dict[str, Any]], list[str]]:
    """Match JSON lines to the batch's files by their "file" value; flag the first as cold.

    The CLI may echo the path as given, resolved, or just the name: all three match.
    """
    keys: dict[str, Path] = {}
    for path in batch:
        keys[str(path)] = path
        keys[str(path.resolve())] = path
        keys.setdefault(path.name, path)
    matched: dict[Path, dict[str, Any]] = {}
    stray = []
    for line in stdout.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            if line:
                stray.append(line)
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            stray.append(line)
            continue
        name = str(record.get("file", ""))
        found = keys.get(name) or keys.get(str(Path(name).resolve())) or keys.get(Path(name).name)
        if found is None:
            stray.append(line)
            continue
        record["_cold"] = not matched
        matched[found] = record
    return matched, stray


def _run_batch(
    batch: Sequence[Path], python: str, extra: Sequence[str] = ()
) -> tuple[str, str, int]:
    command = [python, "manage.py", "extract", "--engine", "ocr", "--jsonl", *extra]
    command += map(str, batch)
    # Unbuffered, so the lines printed before a crash or a timeout are not lost.
    env = os.environ | {"PYTHONUNBUFFERED": "1"}
    try:
        proc = subprocess.run(
            command,
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=120 + 60 * len(batch),  # generous: CI machines are shared
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        return out, "timeout", -1
    return proc.stdout, proc.stderr, proc.returncode


def run_cli(
    files: Sequence[Path], *, python: str, batch_size: int, extra: Sequence[str] = ()
) -> CliRun:
    """Run the CLI over ``files`` in batches.

    A process that dies mid-batch is restarted on the files it had not reached (skipping
    the file it died on); a CLI that never produced a result is not retried.
    """
    run = CliRun()
    started = time.perf_counter()
    for offset in range(0, len(files), batch_size):
        pending = list(files[offset : offset + batch_size])
        while pending:
            t0 = time.perf_counter()
            stdout, stderr, code = _run_batch(pending, python, extra)
            matched, stray = parse_cli_output(stdout, pending)
            run.predictions.update(matched)
            run.stray_lines.extend(stray)
            seconds = time.perf_counter() - t0
            print(f"  {len(pending)} files: {len(matched)} results, exit {code}, {seconds:.0f} s")
            # Exit 1 only says some file got an error record; that is a normal outcome.
            if code not in (0, 1) or len(matched) < len(pending):
                run.failures.append(
                    {
                        "files": len(pending),
                        "results": len(matched),
                        "exit": code,
                        "stderr": stderr[-2000:],
                    }
                )
            rest = [path for path in pending if path not in matched]
            if not matched and run.predictions:
                # The CLI works but died on this very file: skip it, go on with the rest.
                rest = rest[1:]
            pending = rest if (matched or run.predictions) and code not in (0, 1) else []
    run.wall_s = time.perf_counter() - started
    return run


# --- scoring ------------------------------------------------------------------------


def _expected_and_got(
    sample: Sample, name: str, prediction: dict[str, Any] | None
) -> tuple[Any, Any, str | None, str | None]:
    fields = (prediction or {}).get("fields") or {}
    expected = sample.truth.get(name)
    if name == LINE_ITEMS_EXACT:
        return _line_items_exact(expected, fields.get("line_items"))
    if name == LINE_ITEMS:
        got_items = fields.get("line_items") or []
        got = [item.get("amount") for item in got_items] if got_items else None
        norm_e = _amounts_key(expected)
        norm_g = _amounts_key(got)
        return expected, got, norm_e, norm_g
    got = fields.get(name)
    loose = sample.suite == "sroie"
    return (
        expected,
        got,
        normalise(name, expected, loose_names=loose),
        normalise(name, got, loose_names=loose),
    )


def _amounts_key(amounts: Iterable[Any] | None) -> str | None:
    if not amounts:
        return None
    return "|".join(sorted(normalise("total_amount", a) or "?" for a in amounts))


class Tally:
    """correct / total per field, with false positives kept apart."""

    def __init__(self) -> None:
        self.correct: dict[str, int] = defaultdict(int)
        self.total: dict[str, int] = defaultdict(int)
        self.false_positives: dict[str, int] = defaultdict(int)
        self.docs = 0
        self.type_correct = 0
        self.type_total = 0
        self.key_correct = 0  # documents with every KEY_FIELDS entry right
        self.key_total = 0

    def as_dict(self) -> dict[str, Any]:
        fields = {
            name: {
                "correct": self.correct[name],
                "total": self.total[name],
                "accuracy": _ratio(self.correct[name], self.total[name]),
            }
            for name in sorted(self.total, key=_field_order)
        }
        targets = [f for f in TARGET_FIELDS if self.total[f]]
        pooled_c = sum(self.correct[f] for f in targets)
        pooled_t = sum(self.total[f] for f in targets)
        return {
            "documents": self.docs,
            "fields": fields,
            "target_fields_accuracy": _ratio(pooled_c, pooled_t),
            "document_type_accuracy": _ratio(self.type_correct, self.type_total),
            "key_fields_all_correct": _ratio(self.key_correct, self.key_total),
            "false_positives": dict(sorted(self.false_positives.items())),
        }


def _suite_order(name: str) -> int:
    order = ("synthetic", "families", "sroie", "cn")
    return order.index(name) if name in order else len(order)


def _field_order(name: str) -> int:
    order = (*SCALAR_FIELDS, LINE_ITEMS, LINE_ITEMS_EXACT)
    return order.index(name) if name in order else len(order)


def _ratio(correct: int, total: int) -> float | None:
    return round(correct / total, 4) if total else None


def percentile(values: Sequence[float], pct: float) -> float | None:
    """Linear-interpolated percentile (pct in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def score(samples: Sequence[Sample], predictions: dict[Path, dict[str, Any]]) -> dict[str, Any]:
    """Exact-match accuracy per field over documents whose truth has the field.

    A value predicted where the truth is null counts as a false positive, not as a miss;
    a file with no result or an error result misses every field it has.
    """
    tallies: dict[tuple[str, ...], Tally] = defaultdict(Tally)
    misses: list[dict[str, Any]] = []
    false_positives: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    latencies: dict[str, list[float]] = defaultdict(list)
    # (suite, source) -> [correct, total]: how exact each source's values are
    by_source: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for sample in samples:
        prediction = predictions.get(sample.file)
        if prediction is None or "error" in prediction:
            reason = "no result" if prediction is None else str(prediction["error"])
            errors.append({"file": str(sample.file), "suite": sample.suite, "error": reason})
            prediction = None
        groups = [(sample.suite,), (sample.suite, "variant", sample.variant)]
        if sample.suite == "families":
            groups.append((sample.suite, "family", sample.variant))
        if sample.document_type:
            groups.append((sample.suite, "type", sample.document_type))
        # "blur:1.2" and "blur:0.6" are one kind of damage.
        for tag in sorted({d.split(":", 1)[0] for d in sample.degradations}):
            groups.append((sample.suite, "degradation", tag))
        for key in groups:
            tallies[key].docs += 1
        if sample.document_type:
            got_type = (prediction or {}).get("document_type")
            for key in groups:
                tallies[key].type_total += 1
                tallies[key].type_correct += int(got_type == sample.document_type)
        elapsed = warm_ms(prediction)
        if elapsed is not None:
            latencies[sample.suite].append(elapsed)
        keys = [
            _expected_and_got(sample, name, prediction)
            for name in sample.key_fields
            if name in sample.scored and sample.truth.get(name) is not None
        ]
        if keys:
            all_right = all(norm_e == norm_g for _, _, norm_e, norm_g in keys)
            for key in groups:
                tallies[key].key_total += 1
                tallies[key].key_correct += int(all_right)
        for name in sample.scored:
            expected, got, norm_e, norm_g = _expected_and_got(sample, name, prediction)
            if norm_e is None:
                if norm_g is not None:
                    for key in groups:
                        tallies[key].false_positives[name] += 1
                    false_positives.append(
                        {"file": str(sample.file), "suite": sample.suite, "field": name, "got": got}
                    )
                continue
            hit = norm_e == norm_g
            source = ((prediction or {}).get("sources") or {}).get(name) or "none"
            by_source[(sample.suite, source)][0] += int(hit)
            by_source[(sample.suite, source)][1] += 1
            for key in groups:
                tallies[key].total[name] += 1
                tallies[key].correct[name] += int(hit)
            if not hit:
                misses.append(
                    {
                        "file": str(sample.file),
                        "suite": sample.suite,
                        "document_type": sample.document_type,
                        "variant": sample.variant,
                        "field": name,
                        "expected": expected,
                        "got": got,
                    }
                )
    suites: dict[str, Any] = {}
    for key, tally in sorted(tallies.items(), key=lambda kv: (_suite_order(kv[0][0]), kv[0])):
        suite = suites.setdefault(
            key[0], {"by_variant": {}, "by_type": {}, "by_degradation": {}, "by_family": {}}
        )
        if len(key) == 1:
            suite.update(tally.as_dict())
        else:
            suite[f"by_{key[1]}"][key[2]] = tally.as_dict()
    # "all" is the OCR engine's latency: e-invoices are read as data, in a few ms.
    # E-invoices are read as data or text, not pixels: they would flatter the latency.
    all_latency = [
        v
        for suite, values in latencies.items()
        if suite not in ("einvoice", "einvoice_pdf")
        for v in values
    ]
    latency = {suite: _latency_summary(values) for suite, values in sorted(latencies.items())} | {
        "all": _latency_summary(all_latency)
    }
    return {
        "suites": suites,
        "latency_ms": latency,
        "misses": misses,
        "false_positives": false_positives,
        "errors": errors,
        "accuracy_by_source": {
            suite: {
                source: {"correct": c, "total": t, "accuracy": _ratio(c, t)}
                for (s, source), (c, t) in sorted(by_source.items())
                if s == suite
            }
            for suite in sorted({s for s, _ in by_source}, key=_suite_order)
        },
    }


def _latency_summary(values: Sequence[float]) -> dict[str, Any]:
    p50, p95 = percentile(values, 50), percentile(values, 95)
    return {
        "n": len(values),
        "p50": None if p50 is None else round(p50, 1),
        "p95": None if p95 is None else round(p95, 1),
    }


@dataclass(frozen=True)
class Target:
    name: str
    value: float | None
    threshold: float
    higher_is_better: bool = True

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        if self.higher_is_better:
            return self.value >= self.threshold
        return self.value <= self.threshold


def evaluate_targets(report: dict[str, Any]) -> list[Target]:
    suites = report["suites"]

    def field_acc(*path: str, name: str) -> float | None:
        node: Any = suites
        for step in path:
            node = (node or {}).get(step)
        entry = ((node or {}).get("fields") or {}).get(name)
        return None if entry is None else entry["accuracy"]

    targets = []
    for variant, threshold in (("clean", 0.99), ("photo", 0.95)):
        for name in TARGET_FIELDS:
            value = field_acc("synthetic", "by_variant", variant, name=name)
            targets.append(Target(f"synthetic {variant} {name}", value, threshold))
    for name, threshold in (("total_amount", 0.9), ("issue_date", 0.9), ("seller_name", 0.8)):
        targets.append(Target(f"sroie {name}", field_acc("sroie", name=name), threshold))
    p50 = report["latency_ms"]["all"]["p50"]
    targets.append(Target("latency p50 (s)", None if p50 is None else p50 / 1000, 1.5, False))
    targets += einvoice_targets(suites)
    if report.get("straight_through", {}).get("kinds"):
        value = bench_stp.rate(report["straight_through"])
        targets.append(Target("e-invoices straight through", value, bench_stp.TARGET))
    return targets


# --- output -------------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "   n/a" if value is None else f"{value * 100:5.1f}%"


def format_summary(report: dict[str, Any], targets: Sequence[Target]) -> str:
    lines: list[str] = []
    for suite_name, suite in report["suites"].items():
        lines.append(
            f"\n== {suite_name}: {suite['documents']} documents; "
            f"document type {_pct(suite['document_type_accuracy'])}"
        )
        variants = sorted(suite["by_variant"]) if suite_name in ("synthetic", "sroie") else []
        header = f"{'field':24} {'all':>16}" + "".join(f" {v:>16}" for v in variants) + "  FP"
        lines.append(header)
        for name, entry in suite["fields"].items():
            row = f"{name:24} {_pct(entry['accuracy'])} {entry['correct']:4}/{entry['total']:<4}"
            for variant in variants:
                ventry = suite["by_variant"][variant]["fields"].get(name)
                row += (
                    f" {_pct(ventry['accuracy'])} {ventry['correct']:4}/{ventry['total']:<4}"
                    if ventry
                    else " " * 17
                )
            row += f"  {suite['false_positives'].get(name, 0)}"
            lines.append(row)
        for breakdown in ("type", "degradation"):
            entries = suite[f"by_{breakdown}"]
            if len(entries) <= 1:
                continue
            lines.append(f"{'by ' + breakdown:24} {'target fields':>14} {'doc type':>9} {'n':>4}")
            for type_name, entry in entries.items():
                lines.append(
                    f"{type_name:24} {_pct(entry['target_fields_accuracy']):>14} "
                    f"{_pct(entry['document_type_accuracy']):>9} {entry['documents']:>4}"
                )
    if "families" in report["suites"]:
        lines.extend(format_families(report["suites"]["families"]))
    lines.append("\n== latency (warm, elapsed_ms from the CLI)")
    for suite_name, entry in report["latency_ms"].items():
        lines.append(
            f"{suite_name:10} n={entry['n']:<4} p50={entry['p50']} ms  p95={entry['p95']} ms"
        )
    if report["errors"]:
        lines.append(f"\n{len(report['errors'])} files without a result")
    lines.append("\n== targets")
    for target in targets:
        mark = {True: "MET ", False: "MISS", None: "n/a "}[target.met]
        sign = ">=" if target.higher_is_better else "<="
        value = "n/a" if target.value is None else f"{target.value:.4f}"
        lines.append(f"[{mark}] {target.name:34} {value:>8} {sign} {target.threshold}")
    return "\n".join(lines)


def format_families(suite: dict[str, Any]) -> list[str]:
    """Per layout family: key fields all correct, seller name and tax ID; the families the
    rules were developed on are marked, the held-out ones pooled. Ticket families
    ("kind/family") follow in their own table."""
    from synth import DEVELOPED_ON

    vat = {k: v for k, v in suite["by_family"].items() if "/" not in k}
    tickets = {k: v for k, v in suite["by_family"].items() if "/" in k and "receipt/" not in k}
    receipts = {k: v for k, v in suite["by_family"].items() if k.startswith("receipt/")}
    lines: list[str] = []
    if vat:
        lines += [
            "\n== layout families (leave-one-family-out: 'held out' = never used to develop rules)",
            f"{'family':18} {'role':9} {'key fields all':>15} {'seller_name':>12} "
            f"{'seller_tax_id':>14} {'n':>4}",
        ]
        held = [0, 0]
        for family, entry in sorted(vat.items()):
            role = "developed" if family in DEVELOPED_ON else "held out"
            fields = entry["fields"]

            def acc(name: str, fields: dict[str, Any] = fields) -> str:
                return _pct(fields[name]["accuracy"]) if name in fields else "   n/a"

            lines.append(
                f"{family:18} {role:9} {_pct(entry['key_fields_all_correct']):>15} "
                f"{acc('seller_name'):>12} {acc('seller_tax_id'):>14} {entry['documents']:>4}"
            )
            if role == "held out" and entry["key_fields_all_correct"] is not None:
                held[0] += round(entry["key_fields_all_correct"] * entry["documents"])
                held[1] += entry["documents"]
        lines.append(f"{'held-out pooled':18} {'':9} {_pct(_ratio(held[0], held[1])):>15}")
    if tickets:
        lines += format_ticket_families(tickets)
    if receipts:
        lines += format_receipt_families(receipts)
    return lines


def format_ticket_families(by_family: dict[str, Any]) -> list[str]:
    """Ticket families per kind ("kind/family"), then key fields all correct pooled per
    kind and over all kinds, developed-on and held-out families apart."""
    from synth import TICKET_DEVELOPED_ON, TICKET_KINDS

    shown = ("issue_date", "seller_name", "total_amount", "invoice_number")
    lines = [
        "\n== ticket layout families (key fields: date, seller and total where printed, "
        "invoice code/number, 数电 buyer)",
        f"{'kind/family':26} {'role':9} {'key fields all':>15}"
        + "".join(f" {name[:12]:>12}" for name in shown)
        + f" {'n':>4}",
    ]
    pooled: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    order = {kind: i for i, kind in enumerate(TICKET_KINDS)}
    for variant, entry in sorted(
        by_family.items(), key=lambda kv: (order.get(kv[0].split("/")[0], 99), kv[0])
    ):
        kind, family = variant.split("/", 1)
        role = "developed" if family in TICKET_DEVELOPED_ON else "held out"
        fields = entry["fields"]
        cells = "".join(
            f" {_pct(fields[name]['accuracy']) if name in fields else '   n/a':>12}"
            for name in shown
        )
        lines.append(
            f"{variant:26} {role:9} {_pct(entry['key_fields_all_correct']):>15}{cells}"
            f" {entry['documents']:>4}"
        )
        if entry["key_fields_all_correct"] is not None:
            right = round(entry["key_fields_all_correct"] * entry["documents"])
            for key in ((kind, role), ("all kinds", role)):
                pooled[key][0] += right
                pooled[key][1] += entry["documents"]
    lines.append(f"{'pooled per kind':26} {'developed':>17} {'held out':>17}")
    for kind in [*TICKET_KINDS, "all kinds"]:
        dev, held = pooled[(kind, "developed")], pooled[(kind, "held out")]
        if dev[1] or held[1]:
            lines.append(
                f"{kind:26} {_pct(_ratio(*dev)):>8} {dev[0]:3}/{dev[1]:<4} "
                f"{_pct(_ratio(*held)):>8} {held[0]:3}/{held[1]:<4}"
            )
    return lines


def format_receipt_families(by_family: dict[str, Any]) -> list[str]:
    """Receipt families ("receipt/family"): key fields all correct and each receipt field,
    developed-on (``RECEIPT_DEVELOPED_ON``) and held-out families pooled apart."""
    from synth.receipt_families import RECEIPT_DEVELOPED_ON

    shown = ("seller_name", "issue_date", "total_amount", "currency")
    lines = [
        "\n== receipt layout families (countries, thermal, columns, brand line, tenders)",
        f"{'family':18} {'role':9} {'key fields all':>15}"
        + "".join(f" {name[:12]:>12}" for name in shown)
        + f" {'n':>4}",
    ]
    pooled: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for variant, entry in sorted(by_family.items()):
        family = variant.split("/", 1)[1]
        role = "developed" if family in RECEIPT_DEVELOPED_ON else "held out"
        fields = entry["fields"]
        cells = "".join(
            f" {_pct(fields[name]['accuracy']) if name in fields else '   n/a':>12}"
            for name in shown
        )
        lines.append(
            f"{family:18} {role:9} {_pct(entry['key_fields_all_correct']):>15}{cells}"
            f" {entry['documents']:>4}"
        )
        if entry["key_fields_all_correct"] is not None:
            pooled[role][0] += round(entry["key_fields_all_correct"] * entry["documents"])
            pooled[role][1] += entry["documents"]
    for role in ("developed", "held out"):
        right, total = pooled[role]
        lines.append(
            f"{role + ' pooled':18} {'':9} {_pct(_ratio(right, total)):>15} {right}/{total}"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--synthetic-n", type=int, default=240)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--only",
        choices=("synthetic", "families", "sroie", "cn", "einvoice", "einvoice_pdf"),
        action="append",
    )
    parser.add_argument("--families-n", type=int, default=20, help="documents per VAT family")
    parser.add_argument(
        "--ticket-families-n", type=int, default=5, help="tickets per kind and layout family"
    )
    parser.add_argument(
        "--family",
        action="append",
        default=None,
        help="only this layout family, ticket kind or kind/family (repeatable)",
    )
    parser.add_argument("--einvoice-n", type=int, default=30, help="generated OFD/XML invoices")
    parser.add_argument("--einvoice-pdf-n", type=int, default=20, help="generated e-invoice PDFs")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "accuracy.json")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="where synthetic documents are written (default bench/_data/...)",
    )
    parser.add_argument("--batch-size", type=int, default=60)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--sroie-n", type=int, default=None, help="only the first N receipts")
    parser.add_argument(
        "--qr-overhead",
        action="store_true",
        help="run the CLI a second time with --no-qr on the same files: p50 with/without",
    )
    args = parser.parse_args(argv)
    suites = args.only or ["synthetic", "families", "sroie", "cn", "einvoice", "einvoice_pdf"]
    shared = shared_data_dir()
    samples: list[Sample] = []
    if "synthetic" in suites:
        data_dir = (
            args.data_dir
            or REPO / "bench" / "_data" / f"synthetic-n{args.synthetic_n}-s{args.seed}"
        )
        samples += load_synthetic(data_dir, args.synthetic_n, args.seed)
    if "families" in suites:
        families_dir = REPO / "bench" / "_data" / f"families-n{args.families_n}-s{args.seed}"
        tickets_dir = (
            REPO / "bench" / "_data" / f"ticket-families-n{args.ticket_families_n}-s{args.seed}"
        )
        samples += [
            sample
            for sample in [
                *load_families(families_dir, args.families_n, args.seed),
                *load_ticket_families(tickets_dir, args.ticket_families_n, args.seed),
                *load_receipt_families(
                    REPO / "bench" / "_data" / f"receipt-families-n{args.families_n}-s{args.seed}",
                    args.families_n,
                    args.seed,
                ),
            ]
            if family_selected(sample.variant, args.family)
        ]
    if "sroie" in suites:
        samples += load_sroie(shared / "sroie-dev")[: args.sroie_n]
    if "cn" in suites:
        samples += load_cn(shared / "cn-invoices-dev")
    if "einvoice" in suites:
        einvoice_dir = REPO / "bench" / "_data" / f"einvoice-n{args.einvoice_n}-s{args.seed}"
        samples += load_einvoices(einvoice_dir, shared, args.einvoice_n, args.seed)
    if "einvoice_pdf" in suites:
        pdf_dir = REPO / "bench" / "_data" / f"einvoice-pdf-n{args.einvoice_pdf_n}-s{args.seed}"
        for path, truth in bench_stp.write_einvoice_pdfs(pdf_dir, args.einvoice_pdf_n, args.seed):
            expected = {name: truth["fields"].get(name) for name in SCALAR_FIELDS}
            samples.append(
                Sample(path, "einvoice_pdf", truth["document_type"], expected, SCALAR_FIELDS)
            )
    predictions: dict[Path, dict[str, Any]] = {}
    runs: dict[str, Any] = {}
    for suite in suites:
        files = [s.file for s in samples if s.suite == suite]
        print(f"{suite}: {len(files)} files")
        # --evidence: agreeing readings and passed cross-checks, as the review rule sees them
        run = run_cli(files, python=args.python, batch_size=args.batch_size, extra=("--evidence",))
        predictions.update(run.predictions)
        runs[suite] = {
            "files": len(files),
            "results": len(run.predictions),
            "wall_s": round(run.wall_s, 1),
            "failures": run.failures,
            "stray_lines": run.stray_lines[:50],
        }
    report = score(samples, predictions)
    report["qr"], qr_readings = _qr_report(samples, predictions, args) if samples else ({}, {})
    report["straight_through"] = bench_stp.report(samples, predictions, qr_readings, normalise)
    report["reliability"] = reliability.report(samples, predictions, normalise)
    targets = evaluate_targets(report)
    report["targets"] = [
        {"name": t.name, "value": t.value, "threshold": t.threshold, "met": t.met} for t in targets
    ]
    report["runs"] = runs
    report["command"] = " ".join(["bench/accuracy.py", *(argv or sys.argv[1:])])
    report["shared_data"] = str(shared)
    report["machine"] = machine.describe()
    report["created"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(format_summary(report, targets))
    print("\n".join(bench_qr.format_summary(report["qr"])))
    print("\n".join(bench_stp.format_summary(report["straight_through"])))
    print("\n".join(reliability.format_summary(report["reliability"])))
    print(f"\nfull report: {args.out}")
    if samples and not predictions:
        print("the extract CLI produced no result at all", file=sys.stderr)
        for suite in runs.values():
            for failure in suite["failures"][:1]:
                print(failure["stderr"], file=sys.stderr)
        return 2
    return 0


QR_OVERHEAD_BATCH = 13


def _qr_report(
    samples: Sequence[Sample], predictions: dict[Path, dict[str, Any]], args: argparse.Namespace
) -> tuple[dict[str, Any], dict[Path, list[Any]]]:
    """Decode rate and ms per page, exactness of QR fields, and (``--qr-overhead``) the
    CLI's warm p50 with and without QR reading on the same files; and the readings."""
    decode, readings = bench_qr.measure(samples)
    report: dict[str, Any] = {
        "decode": decode,
        "exactness": bench_qr.exactness(samples, readings, predictions, normalise),
    }
    if args.qr_overhead:
        # Alternating small batches with and without QR reading: a shared machine's speed
        # drifts over minutes, and both sides must see the same drift.
        files = [s.file for s in samples if s.suite != "einvoice"]
        print(f"QR overhead: {len(files)} files, with and without QR reading, alternating")
        with_ms: list[float] = []
        without_ms: list[float] = []
        for offset in range(0, len(files), QR_OVERHEAD_BATCH):
            part = files[offset : offset + QR_OVERHEAD_BATCH]
            for extra, into in (((), with_ms), (("--no-qr",), without_ms)):
                run = run_cli(part, python=args.python, batch_size=len(part), extra=extra)
                into += _warm_ms(run.predictions, part)
        report["overhead"] = bench_qr.overhead(with_ms, without_ms)
    return report, readings


def warm_ms(record: dict[str, Any] | None) -> float | None:
    """The CLI's ``elapsed_ms`` for one answer, unless it was its process's cold first."""
    if not record or record.get("_cold"):
        return None
    elapsed = record.get("elapsed_ms")
    return float(elapsed) if isinstance(elapsed, int | float) else None


def _warm_ms(predictions: dict[Path, dict[str, Any]], files: Sequence[Path]) -> list[float]:
    found = (warm_ms(predictions.get(path)) for path in files)
    return [elapsed for elapsed in found if elapsed is not None]


if __name__ == "__main__":
    sys.exit(main())
