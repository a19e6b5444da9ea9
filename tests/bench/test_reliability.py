"""The benchmark's reliability table and straight-through rates per set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench import reliability
from bench.accuracy import SROIE_REPORT_N, Sample, load_sroie, normalise

TRUTH = {
    "issue_date": "2026-03-05",
    "seller_name": "北京某某科技有限公司",
    "seller_tax_id": "91110000600037341L",
    "total_amount": "113.00",
}
CHECKED = {
    "seller_tax_id": {"checks": ["checksum"], "failed": 0},
    "total_amount": {"checks": ["arithmetic", "words"], "failed": 0},
}


def answer(confidence: float, *, agreed: bool, **fields: Any) -> dict[str, Any]:
    return {
        "document_type": "vat_special",
        "fields": dict(TRUTH) | fields,
        "sources": dict.fromkeys(TRUTH, "ocr"),
        "confidence": dict.fromkeys(TRUTH | fields, confidence),
        "warnings": [],
        "agreeing": {"issue_date": ["vlm"], "seller_name": ["vlm"]} if agreed else {},
        "evidence": CHECKED,
    }


def sample(name: str, suite: str = "cn", variant: str = "real") -> Sample:
    return Sample(Path(name), suite, "vat_special", TRUTH, tuple(TRUTH), variant)


def test_each_band_counts_its_fields_and_the_share_found_right() -> None:
    # Given two answers at 0.99 (one with a wrong seller) and one at 0.6, all right
    samples = [sample("a"), sample("b"), sample("c")]
    predictions = {
        Path("a"): answer(0.99, agreed=True),
        Path("b"): answer(0.99, agreed=True, seller_name="北京某某购买方有限公司"),
        Path("c"): answer(0.6, agreed=False),
    }
    # When reported
    section = reliability.report(samples, predictions, normalise)
    cn = section["cn"]
    # Then the top band holds 8 fields, 7 right, and the [0.5,0.8) band 4 of 4
    bands = {b["band"]: (b["right"], b["fields"]) for b in cn["bands"]}
    assert bands["[0.97,1]"] == (7, 8)
    assert bands["[0.5,0.8)"] == (4, 4)
    assert cn["top"] == {"fields": 8, "right": 7, "share": 0.875}
    # and the documents are judged by the product's rule: two go straight through (their
    # date and seller read alike twice), one of them with a wrong seller nobody looks at
    assert (cn["documents"], cn["straight_through"], cn["silent_errors"]) == (3, 2, 1)
    assert cn["review_reasons"] == {"unverified:issue_date": 1, "unverified:seller_name": 1}
    assert section["held out (pooled)"]["documents"] == 3


def test_each_set_counts_the_documents_whose_key_fields_are_all_right() -> None:
    # Given two answers, one with a wrong seller
    samples = [sample("a"), sample("b")]
    predictions = {
        Path("a"): answer(0.99, agreed=True),
        Path("b"): answer(0.99, agreed=True, seller_name="北京某某购买方有限公司"),
    }
    # When reported
    cn = reliability.report(samples, predictions, normalise)["cn"]
    # Then one of the two has every key field right
    assert (cn["key_fields_all_right"], cn["key_fields_all_right_rate"]) == (1, 0.5)


def test_families_are_split_into_developed_and_held_out() -> None:
    samples = [
        sample("x", "families", "classic"),
        sample("y", "families", "wide_columns"),
        sample("z", "families", "taxi/thermal"),
    ]
    predictions = {Path(n): answer(0.95, agreed=False) for n in "xyz"}
    section = reliability.report(samples, predictions, normalise)
    assert section["families developed"]["documents"] == 1
    assert section["families held out"]["documents"] == 2
    assert section["developed (pooled)"]["documents"] == 1


def test_till_receipt_families_are_split_into_developed_and_held_out() -> None:
    # Given a till receipt of a developed family and one of a held-out family
    developed = sample("r1", "receipts", "receipt/classic")
    unseen = sample("r2", "receipts", "receipt/us_tenders")
    # When each is placed / Then only the held-out family's counts as held out
    assert reliability.set_name(developed) == "receipts developed"
    assert not reliability.held_out(developed)
    assert reliability.held_out(unseen)


def test_the_sroie_tune_half_counts_as_developed_and_the_report_half_as_held_out() -> None:
    # Given a receipt of each SROIE half
    samples = [sample("r", "sroie", "report"), sample("t", "sroie", "tune")]
    predictions = {Path(n): answer(0.95, agreed=False) for n in "rt"}
    # When reported
    section = reliability.report(samples, predictions, normalise)
    # Then only the report half is pooled with the held-out sets
    assert section["sroie"]["documents"] == 1
    assert section["sroie tune half"]["documents"] == 1
    assert section["held out (pooled)"]["documents"] == 1
    assert section["developed (pooled)"]["documents"] == 1


def test_sroie_dev_is_split_in_file_order_into_report_and_tune_halves(tmp_path: Path) -> None:
    # Given a SROIE-shaped folder of 103 receipts
    (tmp_path / "key").mkdir()
    (tmp_path / "img").mkdir()
    for index in range(103):
        key = {"company": "A SDN BHD", "date": "01/02/2018", "total": "1.00"}
        (tmp_path / "key" / f"x{index:03}.json").write_text(json.dumps(key))
        (tmp_path / "img" / f"x{index:03}.jpg").write_bytes(b"")
    # When loaded
    samples = load_sroie(tmp_path)
    # Then the first SROIE_REPORT_N are the report half, the rest the tune half
    halves = [s.variant for s in samples]
    assert halves[:SROIE_REPORT_N] == ["report"] * SROIE_REPORT_N
    assert halves[SROIE_REPORT_N:] == ["tune"] * (103 - SROIE_REPORT_N)


def test_a_value_where_the_truth_has_none_is_a_wrong_field() -> None:
    record = answer(0.99, agreed=True, buyer_name="某某")
    truth = Sample(
        Path("a"), "cn", "vat_special", TRUTH | {"buyer_name": None}, (*TRUTH, "buyer_name")
    )
    rows = reliability.field_rows(truth, record, normalise, scored=truth.scored)
    assert ("buyer_name", 0.99, False) in rows


def test_the_summary_prints_one_row_per_set() -> None:
    section = reliability.report([sample("a")], {Path("a"): answer(0.99, agreed=True)}, normalise)
    lines = reliability.format_summary(section)
    assert any(line.startswith("cn") and "100.0% (4)" in line for line in lines)


def calibrated(confidence: float, **fields: Any) -> dict[str, Any]:
    """An answer whose date and seller were read once, with evidence and calibrated."""
    record = answer(confidence, agreed=False, **fields)
    read_once = {"origin": "read", "checks": [], "failed": 0}
    record["evidence"] = CHECKED | {"issue_date": read_once, "seller_name": read_once}
    return record


def test_the_sweep_counts_straight_through_and_silent_errors_per_threshold() -> None:
    # Given held-out answers calibrated at 0.999 (right), 0.98 (wrong seller) and 0.9
    samples = [sample("a"), sample("b"), sample("c")]
    predictions = {
        Path("a"): calibrated(0.999),
        Path("b"): calibrated(0.98, seller_name="北京某某购买方有限公司"),
        Path("c"): calibrated(0.9),
    }
    # When swept over thresholds
    sweep = reliability.threshold_sweep(samples, predictions, normalise, (0.9, 0.98, 0.99))
    held = {row["threshold"]: row for row in sweep["held out (pooled)"]}
    # Then each threshold lets through the answers at or above it, the wrong one counted
    assert [(held[t]["straight_through"], held[t]["silent_errors"]) for t in (0.9, 0.98, 0.99)] == [
        (3, 1),
        (2, 1),
        (1, 0),
    ]
    # and the smallest threshold whose silent errors stay within the margin is 0.99
    assert reliability.smallest_safe_threshold(sweep) == 0.99
    assert any(line.startswith("held out (pooled)") for line in reliability.format_sweep(sweep))
