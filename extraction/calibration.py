"""Field confidence as a measured probability: evidence classes -> share found right.

Validation (``extraction.validation``) records, for every present field, *how* its value
is supported (:class:`FieldEvidence`): where it came from (the issuer's machine-readable
data, a PDF text layer, or a reading of pixels), which independent cross-checks it passed
(GB 32100 checksum, 大写 = 小写, 金额 + 税额 = 价税合计, line items), whether a check
failed, whether it was repaired or computed, whether a second independent reading agreed,
how many distinct candidates the parser had, and the reader's own score. The evidence is
reduced to a class (:func:`class_keys`, from the most specific to the least), and the
confidence reported for the field is the share of fields of that class that were right
on the documents the rules were developed on (``calibration_table.json``, refitted by
``bench/calibrate.py``; never fitted on held-out families or the dev sets).

Estimate: counts are pooled up a hierarchy of coarser classes (up to the tier of support:
machine data, two readings, cross-checks, checksum, none, failed...) and every level is
shrunk towards its parent (a Beta prior of weight ``prior_weight`` centred on the parent's
probability), so a rare class borrows from its neighbours instead of reporting 1.0 after
three lucky documents. The table also holds, per class, the lowest share found right in
any one developed sub-population (a document type or layout family): the reported
probability is the smaller of the pooled estimate and that worst group's (for the two most
specific class levels), because a new layout is more like an unseen family than like the
average of the seen ones.

Machine-readable values (QR, OFD, XML) are the issuer's own data: confidence 1.0.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from extraction.schema import (
    MACHINE_READABLE_SOURCES,
    DocumentType,
    ExtractionResult,
    FieldSource,
)

TABLE_PATH = Path(__file__).with_name("calibration_table.json")
TABLE_VERSION = 1

# Cross-checks an independent part of the document passes (a misread value rarely does).
CHECKSUM = "checksum"  # GB 32100 / GB 11643 check character
WORDS = "words"  # 大写 = 小写
ARITHMETIC = "arithmetic"  # 金额 + 税额 = 价税合计 (a receipt's, an itinerary's own sums)
LINES = "lines"  # line items sum to the totals
TENDER = "tender"  # a receipt's cash tendered - change given (change > 0) = its total
FORMAT = "format"  # right length and digits for the document type (weak)
# A second OCR model, reading the value's own lines again from a wider crop, read the same
# letters (``extraction.cross_reading``): the same pixels, not another part of the document.
REREAD = "reread"
# ... or it read them otherwise, or the lines could not be read again: the value stands
# on its first reading alone, among values a second model doubted.
UNCONFIRMED = "reread_unconfirmed"
CROSS_CHECKS = frozenset({WORDS, ARITHMETIC, LINES, TENDER})
# Checks a layout parser makes itself, on rows that are no fields (cash, change, service
# charge, rounding, an itinerary's charges): a receipt's subtotal + charges + tax (+/-
# rounding) = total and an itinerary's 票价 + charges = 合计 are ARITHMETIC. Validation
# records them from the engine's evidence, and the engine's second reading (REREAD) too.
PARSER_CHECKS = frozenset({ARITHMETIC, TENDER, REREAD, UNCONFIRMED})

ORIGIN_MACHINE = "machine"  # QR / OFD / XML
ORIGIN_TEXT = "text"  # a PDF text layer: exact characters, guessed structure
ORIGIN_READ = "read"  # OCR, a VLM or a remote engine read the pixels
ORIGIN_EDITED = "edited"  # a person typed it

FIELD_GROUPS: dict[str, str] = {
    "issue_date": "date",
    "seller_name": "name",
    "buyer_name": "name",
    "seller_tax_id": "tax_id",
    "buyer_tax_id": "tax_id",
    "total_amount": "total",
    "amount_excluding_tax": "amount",
    "tax_amount": "amount",
    "invoice_code": "code",
    "invoice_number": "code",
    "check_code": "code",
    "total_in_words": "words",
    "currency": "currency",
}


_VAT = frozenset(
    {
        DocumentType.VAT_SPECIAL.value,
        DocumentType.VAT_GENERAL.value,
        DocumentType.VAT_ELECTRONIC.value,
        DocumentType.DIGITAL_INVOICE.value,
    }
)
_RECEIPT = frozenset({DocumentType.RECEIPT.value, DocumentType.OTHER.value})

# Warnings added after validation (``extraction.reconcile``) that speak about one field.
_REPAIRED_LATER = frozenset({"reconciled_from_ocr"})
_FAILED_LATER = frozenset({"vlm_ocr_disagree"})


def document_kind(document_type: str) -> str:
    """``vat`` (the four VAT forms), ``receipt`` (receipts, other) or ``ticket``."""
    if document_type in _VAT:
        return "vat"
    if document_type in _RECEIPT:
        return "receipt"
    return "ticket"


def origin_of(source: str | FieldSource | None) -> str:
    if source is None or source == "":
        return ORIGIN_READ
    try:
        own = FieldSource(source)
    except ValueError:
        return ORIGIN_READ
    if own in MACHINE_READABLE_SOURCES:
        return ORIGIN_MACHINE
    if own is FieldSource.PDF_TEXT:
        return ORIGIN_TEXT
    if own is FieldSource.EMPLOYEE:
        return ORIGIN_EDITED
    return ORIGIN_READ


@dataclass(frozen=True)
class FieldEvidence:
    """How one field's value is supported (what calibration turns into a probability)."""

    field: str
    origin: str = ORIGIN_READ
    raw: float = 0.0  # the reader's own score (OCR box score, 1.0 for a text layer)
    checks: tuple[str, ...] = ()  # cross-checks passed, sorted
    failed: int = 0  # cross-checks that failed against this value
    format_failed: int = 0  # format checks (length, digits) that failed: weak evidence
    repaired: bool = False  # changed by validation (look-alike repair, 大写 over 小写)
    computed: bool = False  # not read: computed from other fields
    agreeing: bool = False  # a second, independent reading holds the same value
    candidates: int = 1  # distinct values the parser found for it
    kind: str = "vat"  # document kind: vat | ticket | receipt
    heuristic: float = 0.0  # the pre-calibration score, kept for comparison
    # The lowest probability the recogniser gave one of the value's characters
    # (``extraction.glyphs``); None where the reader cannot tell (another OCR model, a
    # text layer, a model's answer).
    glyph: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["checks"] = list(self.checks)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FieldEvidence:
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        values["checks"] = tuple(sorted(values.get("checks") or ()))
        return cls(**values)


def tier(evidence: FieldEvidence) -> str:
    """The strongest kind of support the value has (failures first: they override)."""
    if evidence.origin == ORIGIN_MACHINE:
        return "machine"
    if evidence.origin == ORIGIN_EDITED:
        return "edited"
    if evidence.failed:
        return "failed"
    if evidence.format_failed:
        return "format_failed"
    if evidence.repaired:
        return "repaired"
    if evidence.agreeing:
        return "agreeing"
    cross = CROSS_CHECKS.intersection(evidence.checks)
    if len(cross) >= 2:
        return "cross2"
    if cross:
        return "cross"
    if CHECKSUM in evidence.checks:
        return "checksum"
    if evidence.computed:
        return "computed"
    if FORMAT in evidence.checks:
        return "format"
    return "none"


# Bands of a reading's score and of its weakest glyph: (lowest value, name), surest first;
# a value under the last is in the bottom band.
_SCORE_BANDS = ((0.97, "s97"), (0.9, "s90"), (0.75, "s75"))
_GLYPH_BANDS = ((0.95, "g95"), (0.8, "g80"), (0.6, "g60"))


def _band(value: float, bands: tuple[tuple[float, str], ...], bottom: str) -> str:
    return next((name for lowest, name in bands if value >= lowest), bottom)


def _band_above(bands: tuple[tuple[float, str], ...], bottom: str) -> dict[str, float]:
    """Each band but the surest -> the lowest value of the band above it."""
    names = [name for _, name in bands] + [bottom]
    return {names[i + 1]: lowest for i, (lowest, _) in enumerate(bands)}


def score_band(raw: float) -> str:
    return _band(raw, _SCORE_BANDS, "low")


# The lowest reader score of the next surer band (see ``score_band``).
_BAND_ABOVE: dict[str, float] = _band_above(_SCORE_BANDS, "low")


def glyph_band(glyph: float) -> str:
    """The weakest character's band: a misread letter scores low even in a line whose
    mean is high (on the SROIE tune half, 2 of the 6 wrong receipt names had their
    weakest letter under 0.5, no right one under 0.54)."""
    return _band(glyph, _GLYPH_BANDS, "glow")


# The lowest weakest-glyph probability of the next surer band (see ``glyph_band``).
_GLYPH_ABOVE: dict[str, float] = _band_above(_GLYPH_BANDS, "glow")


def class_keys(evidence: FieldEvidence) -> list[str]:
    """The evidence's classes, most specific first; the last is its tier alone.

    The reader's score band is kept on every level below the tier: across field groups a
    low OCR score means the same thing (a doubtful glyph), so a rare class borrows from
    values of its tier *and* band rather than from the sure readings of its field group.
    The weakest glyph's band refines the score band where it is known; a value without
    one (a reader that gives no character probabilities: a model, the older OCR model)
    falls into the classes of its score band alone, which every reading is counted in.
    """
    group = FIELD_GROUPS.get(evidence.field, "other")
    level = tier(evidence)
    # The weakest glyph's band goes with the score band: a doubtful letter means the same
    # in any field group (a value without one is judged by every reading's classes).
    band = score_band(evidence.raw)
    if evidence.glyph is not None:
        band = f"{band}|{glyph_band(evidence.glyph)}"
    contested = "contested" if evidence.candidates > 1 else "single"
    # A second model's reading of the same pixels (``extraction.cross_reading``) splits
    # the two most specific classes, those of the field group and document kind; the
    # coarser ones pool values read once whatever a second model would have said, as
    # they did before any was asked.
    again = _second_reading(evidence)
    return [
        f"{group}|{evidence.kind}|{evidence.origin}|{level}|{band}|{contested}{again}",
        f"{group}|{evidence.kind}|{evidence.origin}|{level}|{band}{again}",
        f"{group}|{evidence.origin}|{level}|{band}",
        f"{level}|{band}",
        level,
    ]


def _second_reading(evidence: FieldEvidence) -> str:
    """``|again`` (a second model read the same), ``|doubted`` (it did not), or nothing
    (no second reading was made)."""
    if REREAD in evidence.checks:
        return "|again"
    if UNCONFIRMED in evidence.checks:
        return "|doubted"
    return ""


@dataclass
class Table:
    """Counts per evidence class, fitted on developed-on documents."""

    counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # key -> (right, all)
    worst: dict[str, float] = field(default_factory=dict)  # key -> worst group's share
    prior_weight: float = 20.0
    fitted_on: list[str] = field(default_factory=list)
    version: int = TABLE_VERSION

    def to_json(self) -> str:
        data = {
            "version": self.version,
            "fitted_on": self.fitted_on,
            "prior_weight": self.prior_weight,
            "counts": {k: list(v) for k, v in sorted(self.counts.items())},
            "worst": {k: round(v, 4) for k, v in sorted(self.worst.items())},
        }
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Table:
        data = json.loads(text)
        return cls(
            counts={k: (int(v[0]), int(v[1])) for k, v in data.get("counts", {}).items()},
            worst={k: float(v) for k, v in data.get("worst", {}).items()},
            prior_weight=float(data.get("prior_weight", 20.0)),
            fitted_on=list(data.get("fitted_on", [])),
            version=int(data.get("version", TABLE_VERSION)),
        )

    def probability(self, evidence: FieldEvidence) -> float:
        """P(the value is right | its evidence class), never above the same evidence read
        with a surer score (``_BAND_ABOVE``) or a surer weakest glyph (``_GLYPH_ABOVE``):
        the bands are ordered, and a few lucky values in a rare lower band must not
        outrank the many of the band above (a name at OCR 0.93 was reported 0.9953, the
        same name at 0.99 0.9924)."""
        p = self._probability(evidence)
        if evidence.origin == ORIGIN_MACHINE:
            return p
        above = _BAND_ABOVE.get(score_band(evidence.raw))
        if above is not None:
            p = min(p, self.probability(dataclasses.replace(evidence, raw=above)))
        # Likewise the weakest glyph: a doubtful letter never makes a value surer, and a
        # value without one is no surer than one whose every letter was sure.
        if evidence.glyph is None:
            surer: float | None = 1.0
        else:
            surer = _GLYPH_ABOVE.get(glyph_band(evidence.glyph))
        if surer is not None:
            p = min(p, self.probability(dataclasses.replace(evidence, glyph=surer)))
        # A value a second model read otherwise is no surer than one nobody read again.
        if UNCONFIRMED in evidence.checks:
            p = min(p, self.probability(_read_once(evidence)))
        return p

    def _probability(self, evidence: FieldEvidence) -> float:
        if evidence.origin == ORIGIN_MACHINE:
            return 1.0
        keys = list(reversed(class_keys(evidence)))  # the tier first
        # Tiers share no root: a failed check and a passed one are different evidence.
        right, total = self.counts.get(keys[0], (0, 0))
        p = (right + 1) / (total + 2)
        for key in keys[1:]:
            right, total = self.counts.get(key, (0, 0))
            p = (right + self.prior_weight * p) / (total + self.prior_weight)
        for key in class_keys(evidence)[:WORST_LEVELS]:
            if key in self.worst:
                p = min(p, self.worst[key])
        return round(min(max(p, 0.0), 1.0), 4)


MIN_GROUP = 10  # a sub-population's share counts towards ``worst`` from this many fields
# ``worst`` is kept for the most specific classes only (they still name the field group
# and the document kind): a coarse class mixes kinds whose worst says nothing of the others.
WORST_LEVELS = 2


def fit(
    rows: Iterable[tuple[FieldEvidence, bool, str]],
    *,
    fitted_on: Iterable[str] = (),
    prior_weight: float = 20.0,
) -> Table:
    """Count (evidence, right, group) rows into a table. ``group`` names the developed
    sub-population a row comes from (document type or layout family)."""
    counts: dict[str, list[int]] = {}
    by_group: dict[tuple[str, str], list[int]] = {}
    rows_kept = [row for row in rows if row[0].origin != ORIGIN_MACHINE]
    for evidence, right, group in rows_kept:
        for key in _counted_keys(evidence):
            entry = counts.setdefault(key, [0, 0])
            entry[0] += int(right)
            entry[1] += 1
            cell = by_group.setdefault((key, group), [0, 0])
            cell[0] += int(right)
            cell[1] += 1
    table = Table(
        counts={k: (v[0], v[1]) for k, v in counts.items()},
        prior_weight=prior_weight,
        fitted_on=sorted(set(fitted_on)),
    )
    worst: dict[str, float] = {}
    specific = {
        key
        for evidence, _, _ in rows_kept
        for variant in _fitted_as(evidence)
        for key in class_keys(variant)[:WORST_LEVELS]
    }
    for (key, _group), (found_right, found) in by_group.items():
        if key not in specific or found < MIN_GROUP:
            continue
        # The group's share, shrunk towards the class's pooled share like a class towards
        # its parent: 10 of 10 right proves less than 500 of 500.
        pooled_right, pooled = table.counts[key]
        centre = (pooled_right + 1) / (pooled + 2)
        share = (found_right + prior_weight * centre) / (found + prior_weight)
        if share < centre:
            worst[key] = min(worst.get(key, 1.0), share)
    table.worst = worst
    return table


def _fitted_as(evidence: FieldEvidence) -> tuple[FieldEvidence, ...]:
    """The evidence a fitted row counts as: its own, and where it has a weakest glyph also
    the same evidence without one, so that a value whose reader gives none is judged by
    every reading of its kind, not by the few found without a glyph. Likewise a value a
    second model read again (or doubted) counts among the values read once: an engine
    that makes no second reading is judged by all of them."""
    variants = [evidence]
    if evidence.glyph is not None:
        variants.append(dataclasses.replace(evidence, glyph=None))
    if _second_reading(evidence):
        variants += [_read_once(variant) for variant in variants]
    return tuple(variants)


def _read_once(evidence: FieldEvidence) -> FieldEvidence:
    """The same evidence without a second model's reading."""
    checks = tuple(c for c in evidence.checks if c not in (REREAD, UNCONFIRMED))
    return dataclasses.replace(evidence, checks=checks)


def _counted_keys(evidence: FieldEvidence) -> list[str]:
    """The classes a fitted row counts in, each once (see ``_fitted_as``)."""
    return list(
        dict.fromkeys(key for variant in _fitted_as(evidence) for key in class_keys(variant))
    )


@functools.lru_cache(maxsize=1)
def default_table() -> Table:
    """The table shipped with the code (an empty table when it is missing)."""
    try:
        return Table.from_json(TABLE_PATH.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Table()


def probability(evidence: FieldEvidence, table: Table | None = None) -> float:
    return (table or default_table()).probability(evidence)


def calibrate(result: ExtractionResult, table: Table | None = None) -> ExtractionResult:
    """``result`` with each field's confidence replaced by its calibrated probability.

    The evidence validation recorded is completed with what is known only at the end:
    the field's final source (machine data, a text layer or a reading), whether another
    source agreed (``agreeing``), and reconciliation's warnings. Fields without evidence
    (an engine that skipped validation) keep the confidence they have.
    """
    table = table or default_table()
    if not result.evidence or not table.counts:
        return result  # nothing to go on: the scores stay as validation left them
    evidence: dict[str, FieldEvidence] = {}
    confidence = dict(result.confidence)
    later: dict[str, set[str]] = {}
    for warning in result.warnings:
        if warning.field:
            later.setdefault(warning.field, set()).add(warning.code)
    for name in result.fields.present():
        found = result.evidence.get(name)
        if found is None:
            continue
        own = result.sources.get(name)
        others = {FieldSource(s) for s in result.agreeing.get(name, ())} - {
            FieldSource.EMPLOYEE,
            *((FieldSource(own),) if own else ()),
        }
        codes = later.get(name, set())
        origin = origin_of(own) if own else found.origin
        updated = dataclasses.replace(
            found,
            origin=origin,
            raw=1.0 if origin == ORIGIN_TEXT else found.raw,
            # The weakest glyph speaks of the pixels OCR read, nothing else.
            glyph=result.glyphs.get(name, found.glyph) if origin == ORIGIN_READ else None,
            agreeing=bool(others),
            repaired=found.repaired or bool(codes & _REPAIRED_LATER),
            failed=found.failed + len(codes & _FAILED_LATER),
        )
        evidence[name] = updated
        confidence[name] = table.probability(updated)
    return result.replace(evidence=evidence, confidence=confidence)
