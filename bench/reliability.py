"""Is a field's confidence a probability? Reliability tables and straight-through per set.

For every field an answer holds and the set's truth can judge (a value where the truth
has none is wrong), the reported confidence is put into a band and the share of right
values per band is counted: a calibrated confidence of 0.9 is right nine times in ten.
The product's promise is on the top bands: fields reported >= 0.9 are right >= 99% of the
time (``TARGET_TOP_SHARE``).

Per set, documents are also judged by the product's straight-through rule
(``extraction.review``): the share that goes straight through, and among those the
silent errors (a key field that differs from the truth while nobody is asked to look).

Sets: every suite on its own, the synthetic layout families split into those the rules
were developed on and the held-out ones, SROIE split into the half the receipt rules were
tuned and the calibration fitted on (``sroie tune half``) and the report half
(``sroie``), and the held-out documents pooled (held-out families, the SROIE report half
and the Chinese invoices): what calibration was never fitted on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from bench.sample import SampleLike
from extraction.review import KEY_FIELDS, review_reasons
from extraction.schema import SCALAR_FIELDS

BANDS: tuple[tuple[float, float], ...] = (
    (0.0, 0.5),
    (0.5, 0.8),
    (0.8, 0.9),
    (0.9, 0.97),
    (0.97, 1.0),
)
TOP = 0.9
TARGET_TOP_SHARE = 0.99
TARGET_STRAIGHT = 0.60
TARGET_SILENT = 0.01
# Candidate thresholds of the straight-through rule's calibrated confidence.
SWEEP: tuple[float, ...] = (0.9, 0.95, 0.97, 0.98, 0.985, 0.99, 0.995, 0.999, 1.01)
HELD_OUT_SUITES = ("sroie", "cn")
# Suites of layout families, each split into developed-on and held-out families.
FAMILY_SUITES = ("families", "tickets", "receipts")
JUDGED = frozenset(SCALAR_FIELDS) - {"currency"}

Normalise = Callable[..., Any]
Confidence = Callable[[dict[str, Any], str], float | None]


def band_of(value: float) -> int:
    for index, (_, high) in enumerate(BANDS):
        if value < high:
            return index
    return len(BANDS) - 1


def reported_confidence(record: dict[str, Any], name: str) -> float | None:
    value = (record.get("confidence") or {}).get(name)
    return float(value) if isinstance(value, int | float) else None


def field_rows(
    sample: SampleLike,
    record: dict[str, Any] | None,
    normalise: Normalise,
    *,
    scored: Iterable[str],
    confidence: Confidence = reported_confidence,
) -> list[tuple[str, float, bool]]:
    """(field, confidence, right) for each judged field the answer holds."""
    if not record or "error" in record:
        return []
    fields = record.get("fields") or {}
    loose = sample.suite == "sroie"
    out = []
    for name in scored:
        got = fields.get(name)
        if not isinstance(got, str | int | float) or got in ("", None):
            continue
        value = confidence(record, name)
        if value is None:
            continue
        expected = normalise(name, sample.truth.get(name), loose_names=loose)
        right = expected is not None and expected == normalise(name, got, loose_names=loose)
        out.append((name, value, right))
    return out


def table(rows: Iterable[tuple[str, float, bool]]) -> dict[str, Any]:
    """Count and share right per band, and over the top bands (>= ``TOP``)."""
    counts = [[0, 0] for _ in BANDS]
    for _, value, right in rows:
        cell = counts[band_of(value)]
        cell[0] += int(right)
        cell[1] += 1
    top = [
        sum(c[i] for c, (low, _) in zip(counts, BANDS, strict=True) if low >= TOP) for i in (0, 1)
    ]
    return {
        "bands": [
            {"band": _band_name(i), "fields": c[1], "right": c[0], "share": _ratio(c[0], c[1])}
            for i, c in enumerate(counts)
        ],
        "top": {"fields": top[1], "right": top[0], "share": _ratio(top[0], top[1])},
    }


def straight_through(
    sample: SampleLike,
    record: dict[str, Any] | None,
    normalise: Normalise,
    *,
    min_confidence: float | None = None,
) -> tuple[bool, list[str], list[str]]:
    """(goes straight through, review reasons, key fields wrong); ``min_confidence``: the
    rule's threshold (``extraction.review.DEFAULT_MIN_CONFIDENCE`` when not given)."""
    if not record or "error" in record:
        return False, ["no answer"], []
    reasons = review_reasons(
        document_type=str(record.get("document_type") or ""),
        warnings=record.get("warnings") or [],
        confidence=record.get("confidence") or {},
        sources=record.get("sources") or {},
        agreeing=record.get("agreeing") or {},
        duplicate=False,
        evidence=record.get("evidence") or {},
        min_confidence=min_confidence,
    )
    fields = record.get("fields") or {}
    loose = sample.suite == "sroie"
    wrong = [
        name
        for name in KEY_FIELDS
        if sample.truth.get(name) is not None
        and normalise(name, sample.truth[name], loose_names=loose)
        != normalise(name, fields.get(name), loose_names=loose)
    ]
    return not reasons, reasons, wrong


def developed_family(variant: str) -> bool:
    """Whether a layout family (``family``, ``kind/family`` for tickets, ``receipt/family``
    for till receipts) is one the rules were developed on (``synth.DEVELOPED_ON``,
    ``TICKET_DEVELOPED_ON``, ``RECEIPT_DEVELOPED_ON``)."""
    from synth import DEVELOPED_ON, TICKET_DEVELOPED_ON
    from synth.receipt_families import RECEIPT_DEVELOPED_ON

    if variant.startswith("receipt/"):
        return variant.split("/", 1)[1] in RECEIPT_DEVELOPED_ON
    if "/" in variant:
        return variant.split("/", 1)[1] in TICKET_DEVELOPED_ON
    return variant in DEVELOPED_ON


# The SROIE half the receipt rules were tuned and the calibration fitted on (``variant``
# of ``bench.accuracy.load_sroie``): measured, but never counted as held out.
SROIE_TUNE = "tune"


def set_name(sample: SampleLike, developed: Callable[[str], bool] = developed_family) -> str:
    if sample.suite in FAMILY_SUITES:
        role = "developed" if developed(sample.variant) else "held out"
        return f"{sample.suite} {role}"
    if sample.suite == "sroie" and sample.variant == SROIE_TUNE:
        return "sroie tune half"
    return sample.suite


def held_out(sample: SampleLike, developed: Callable[[str], bool] = developed_family) -> bool:
    """Whether nothing was tuned or fitted on ``sample``: a held-out layout family, the
    SROIE report half or the Chinese dev set."""
    name = set_name(sample, developed)
    return name.endswith("held out") or (
        sample.suite in HELD_OUT_SUITES and name != "sroie tune half"
    )


def scored_fields(sample: Any) -> list[str]:
    """The fields a sample's truth can judge, but the currency (one per set, never read)."""
    return [name for name in getattr(sample, "scored", ()) if name in JUDGED]


def report(
    samples: Sequence[SampleLike],
    predictions: Mapping[Path, dict[str, Any]],
    normalise: Normalise,
    *,
    scored: Callable[[SampleLike], Iterable[str]] = scored_fields,
    developed: Callable[[str], bool] = developed_family,
    confidence: Confidence = reported_confidence,
) -> dict[str, Any]:
    """Per set, held-out pooled and all pooled: the reliability table, straight-through
    rate and silent-error rate, with the reasons that held documents back."""
    rows: dict[str, list[tuple[str, float, bool]]] = {}
    # set -> [documents, straight, silent errors, key fields all right]
    docs: dict[str, list[int]] = {}
    reasons: dict[str, Counter[str]] = {}
    for sample in samples:
        record = predictions.get(sample.file)
        name = set_name(sample, developed)
        held = held_out(sample, developed)
        groups = [name, "held out (pooled)" if held else "developed (pooled)", "all"]
        found = field_rows(sample, record, normalise, scored=scored(sample), confidence=confidence)
        straight, why, wrong = straight_through(sample, record, normalise)
        for group in groups:
            rows.setdefault(group, []).extend(found)
            tally = docs.setdefault(group, [0, 0, 0, 0])
            tally[0] += 1
            tally[1] += int(straight)
            tally[2] += int(straight and bool(wrong))
            tally[3] += int(bool(record) and "error" not in (record or {}) and not wrong)
            reasons.setdefault(group, Counter()).update(why)
    out: dict[str, Any] = {}
    for group in sorted(rows, key=_order):
        documents, passed, silent, all_right = docs[group]
        out[group] = table(rows[group]) | {
            "documents": documents,
            "key_fields_all_right": all_right,
            "key_fields_all_right_rate": _ratio(all_right, documents),
            "straight_through": passed,
            "straight_rate": _ratio(passed, documents),
            "silent_errors": silent,
            "silent_rate": _ratio(silent, passed),
            "review_reasons": dict(reasons[group].most_common(6)),
        }
    return out


def threshold_sweep(
    samples: Sequence[SampleLike],
    predictions: Mapping[Path, dict[str, Any]],
    normalise: Normalise,
    thresholds: Sequence[float] = SWEEP,
    *,
    developed: Callable[[str], bool] = developed_family,
) -> dict[str, list[dict[str, Any]]]:
    """Per pooled set (developed, held out, all), for each candidate threshold of the
    straight-through rule: documents, straight through and silent errors."""
    out: dict[str, list[dict[str, Any]]] = {}
    for threshold in thresholds:
        tally: dict[str, list[int]] = {}
        for sample in samples:
            held = held_out(sample, developed)
            straight, _, wrong = straight_through(
                sample, predictions.get(sample.file), normalise, min_confidence=threshold
            )
            for group in ("held out (pooled)" if held else "developed (pooled)", "all"):
                cell = tally.setdefault(group, [0, 0, 0])
                cell[0] += 1
                cell[1] += int(straight)
                cell[2] += int(straight and bool(wrong))
        for group, (documents, passed, silent) in tally.items():
            out.setdefault(group, []).append(
                {
                    "threshold": threshold,
                    "documents": documents,
                    "straight_through": passed,
                    "straight_rate": _ratio(passed, documents),
                    "silent_errors": silent,
                    "silent_rate": _ratio(silent, passed),
                }
            )
    return dict(sorted(out.items(), key=lambda item: _order(item[0])))


def smallest_safe_threshold(
    sweep: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    group: str = "held out (pooled)",
    silent_at_most: float = TARGET_SILENT / 2,
) -> float | None:
    """The smallest threshold from which on every higher one keeps ``group``'s silent-error
    rate at or under ``silent_at_most`` (half the target: the margin)."""
    rows = sorted(sweep.get(group, ()), key=lambda row: row["threshold"])
    safe: float | None = None
    for row in reversed(rows):
        if (row["silent_rate"] or 0.0) > silent_at_most:
            break
        safe = row["threshold"]
    return safe


def format_sweep(sweep: Mapping[str, Sequence[Mapping[str, Any]]]) -> list[str]:
    if not sweep:
        return []
    lines = ["", "straight-through rule by confidence threshold (straight through; silent)"]
    thresholds = [row["threshold"] for row in next(iter(sweep.values()))]
    lines.append(f"{'set':20}" + "".join(f" {t:>20g}" for t in thresholds))
    for group, rows in sweep.items():
        cells = [
            f"{_pct(r['straight_rate'])} ({r['straight_through']}/{r['documents']});"
            f"{r['silent_errors']}"
            for r in rows
        ]
        lines.append(f"{group:20}" + "".join(f" {c:>20}" for c in cells))
    return lines


def format_summary(section: Mapping[str, Any], title: str = "") -> list[str]:
    if not section:
        return []
    names = [_band_name(i) for i in range(len(BANDS))]
    lines = [
        "",
        title or "reliability (share of fields right per confidence band; n in brackets)",
        f"{'set':20}" + "".join(f" {n:>16}" for n in names) + f" {'>=0.9':>16}"
        f" {'straight':>14} {'silent':>10} {'keys right':>16}",
    ]
    for group, entry in section.items():
        cells = [_cell(b["share"], b["fields"]) for b in entry["bands"]]
        cells.append(_cell(entry["top"]["share"], entry["top"]["fields"]))
        straight = (
            f"{_pct(entry['straight_rate'])} ({entry['straight_through']}/{entry['documents']})"
        )
        silent = f"{_pct(entry['silent_rate'])} ({entry['silent_errors']})"
        keys = _cell(entry.get("key_fields_all_right_rate"), entry.get("key_fields_all_right", 0))
        lines.append(
            f"{group:20}"
            + "".join(f" {c:>16}" for c in cells)
            + f" {straight:>14} {silent:>10} {keys:>16}"
        )
    return lines


def _cell(share: float | None, n: int) -> str:
    return f"{_pct(share)} ({n})"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _band_name(index: int) -> str:
    low, high = BANDS[index]
    close = "]" if index == len(BANDS) - 1 else ")"
    return f"[{low:g},{high:g}{close}"


def _order(name: str) -> tuple[int, str]:
    first = (
        "synthetic",
        "einvoice_pdf",
        "families developed",
        "tickets developed",
        "developed (pooled)",
    )
    last = (
        "sroie tune half",
        "families held out",
        "tickets held out",
        "sroie",
        "cn",
        "held out (pooled)",
        "all",
    )
    if name in first:
        return (first.index(name), name)
    if name in last:
        return (100 + last.index(name), name)
    return (50, name)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
