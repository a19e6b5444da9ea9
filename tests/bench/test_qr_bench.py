"""The QR part of the accuracy benchmark: decode rate, exactness, overhead ratio."""

from __future__ import annotations

from pathlib import Path

from bench import qr as bench_qr
from bench.accuracy import Sample, normalise, score
from tests.extraction.machine.qr_images import E_INVOICE, page_with_qr

TRUTH = {
    "invoice_code": "012001800311",
    "invoice_number": "33207675",
    "issue_date": "2019-05-08",
    "check_code": "76939056883466677916",
    "amount_excluding_tax": "46.62",
    "seller_name": "天津某某有限公司",
}


def _sample(path: Path) -> Sample:
    return Sample(path, "cn", "vat_electronic", dict(TRUTH), tuple(TRUTH))


def test_decode_rate_counts_pages_with_an_invoice_code(tmp_path: Path) -> None:
    # Given one page with a code and one without
    with_code, blank = tmp_path / "a.png", tmp_path / "b.png"
    page_with_qr(E_INVOICE, size=(900, 600)).save(with_code)
    page_with_qr("not an invoice", size=(900, 600)).save(blank)
    # When measured
    decode, readings = bench_qr.measure([_sample(with_code), _sample(blank)])
    # Then half the pages had one, each timed
    assert decode["cn"]["pages"] == 2
    assert decode["cn"]["decode_rate"] == 0.5
    assert decode["all"]["ms_p50"] is not None
    assert [r.raw for r in readings[with_code]] == [E_INVOICE]


def test_a_qr_field_that_differs_in_the_result_is_a_miss(tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    page_with_qr(E_INVOICE, size=(900, 600)).save(path)
    sample = _sample(path)
    _, readings = bench_qr.measure([sample])
    fields = dict(TRUTH) | {"invoice_number": "33207676"}
    report = bench_qr.exactness([sample], readings, {path: {"fields": fields}}, normalise)
    assert report["documents_with_qr"] == 1
    assert report["qr_fields_exact"] == 0
    assert [m["field"] for m in report["misses"]] == ["invoice_number"]


def test_overhead_is_the_ratio_of_the_medians() -> None:
    report = bench_qr.overhead([110.0, 120.0, 130.0], [100.0, 100.0, 100.0])
    assert report["p50_ratio"] == 1.2


def test_accuracy_is_reported_by_source(tmp_path: Path) -> None:
    sample = _sample(tmp_path / "a.png")
    sources = {"invoice_number": "qr", "seller_name": "ocr"}
    fields = dict(TRUTH) | {"seller_name": "别的公司"}
    report = score([sample], {sample.file: {"fields": fields, "sources": sources}})
    by_source = report["accuracy_by_source"]["cn"]
    assert by_source["qr"] == {"correct": 1, "total": 1, "accuracy": 1.0}
    assert by_source["ocr"]["correct"] == 0
