"""Scoring logic of bench/accuracy.py, on hand-made truths and predictions."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.accuracy import (
    LINE_ITEMS,
    LINE_ITEMS_EXACT,
    TICKET_KEY_FIELDS,
    Sample,
    Target,
    evaluate_targets,
    family_selected,
    format_summary,
    load_cn,
    load_einvoices,
    load_sroie,
    load_ticket_families,
    normalise,
    parse_cli_output,
    percentile,
    run_cli,
    score,
    shared_data_dir,
    sroie_date_to_iso,
    sroie_total,
)


def _sample(name: str, truth: dict[str, Any], **kw: Any) -> Sample:
    kw.setdefault("suite", "synthetic")
    kw.setdefault("document_type", "vat_special")
    kw.setdefault("variant", "clean")
    return Sample(
        Path(f"/data/{name}"),
        kw["suite"],
        kw["document_type"],
        truth,
        tuple(truth),
        kw["variant"],
    )


def _prediction(fields: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return {
        "fields": fields,
        "document_type": kw.get("document_type", "vat_special"),
        "elapsed_ms": kw.get("elapsed_ms", 1000.0),
        "_cold": kw.get("cold", False),
    }


# --- normalisation -------------------------------------------------------------------


def test_chinese_names_match_across_full_width_brackets_and_spaces() -> None:
    assert normalise("seller_name", "华信科技（上海） 有限公司") == normalise(
        "seller_name", "华信科技(上海)有限公司"
    )


def test_english_names_are_case_blind_but_keep_punctuation_by_default() -> None:
    assert normalise("seller_name", "Golden Leaf Cafe") == normalise(
        "seller_name", "GOLDEN LEAF CAFE"
    )
    assert normalise("seller_name", "SDN. BHD.") != normalise("seller_name", "SDN BHD")


def test_loose_names_drop_punctuation_for_sroie() -> None:
    assert normalise("seller_name", "MR. D.I.Y. (M) SDN BHD", loose_names=True) == normalise(
        "seller_name", "MR D.I.Y (M) SDN. BHD.", loose_names=True
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1130.00", "1130.00"), ("¥1,130.0", "1130.00"), ("RM 8.2", "8.20"), ("￥20", "20.00")],
)
def test_money_is_compared_as_two_decimal_amounts(raw: str, expected: str) -> None:
    assert normalise("total_amount", raw) == expected


def test_unparseable_money_stays_text_and_cannot_match_a_number() -> None:
    assert normalise("total_amount", "壹佰元") != normalise("total_amount", "100.00")


def test_empty_values_count_as_absent() -> None:
    assert normalise("invoice_number", "  ") is None
    assert normalise("invoice_number", None) is None


def test_yuan_spellings_in_words_are_equivalent() -> None:
    assert normalise("total_in_words", "贰佰玖拾柒圆整") == normalise(
        "total_in_words", "贰佰玖拾柒元整"
    )


def test_dates_are_compared_exactly_after_trimming() -> None:
    assert normalise("issue_date", " 2024-05-01 ") == "2024-05-01"
    assert normalise("issue_date", "2024年05月01日") != "2024-05-01"


# --- SROIE keys ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "iso"),
    [
        ("18-11-18", "2018-11-18"),
        ("18/03/18", "2018-03-18"),
        ("18/01/2018", "2018-01-18"),
        ("12 MAR 2018", "2018-03-12"),
        ("30 DEC 17", "2017-12-30"),
        ("15/APR/2017", "2017-04-15"),
        ("05-JAN-2017", "2017-01-05"),
        ("OCT 3, 2016", "2016-10-03"),
        ("(06/12/2016)", "2016-12-06"),
        ("12/13/2016", "2016-12-13"),
        ("2016-07-31", "2016-07-31"),
        ("6/1/2018", "2018-01-06"),
    ],
)
def test_sroie_dates_become_iso(printed: str, iso: str) -> None:
    assert sroie_date_to_iso(printed) == iso


def test_an_sroie_date_that_is_not_a_date_gives_none() -> None:
    assert sroie_date_to_iso("TABLE 12") is None


@pytest.mark.parametrize(
    ("printed", "amount"),
    [
        ("30.90", "30.90"),
        ("RM 29.70", "29.70"),
        ("$8.20", "8.20"),
        ("RM3.00", "3.00"),
        ("-1.73", "-1.73"),
    ],
)
def test_sroie_totals_become_two_decimal_strings(printed: str, amount: str) -> None:
    assert sroie_total(printed) == amount


# --- CLI output ----------------------------------------------------------------------


def test_cli_lines_match_files_given_as_path_or_name_and_the_first_is_cold() -> None:
    batch = [Path("/data/0001.png"), Path("/data/0002.jpg"), Path("/data/0003.png")]
    stdout = "\n".join(
        [
            "Loading model...",
            json.dumps({"file": "/data/0002.jpg", "fields": {}, "elapsed_ms": 900}),
            json.dumps({"file": "0001.png", "fields": {}, "elapsed_ms": 800}),
            json.dumps({"file": "/elsewhere/9999.png", "fields": {}}),
            "{not json",
        ]
    )
    matched, stray = parse_cli_output(stdout, batch)
    assert set(matched) == {batch[0], batch[1]}
    assert matched[batch[1]]["_cold"] is True
    assert matched[batch[0]]["_cold"] is False
    assert len(stray) == 3


# --- scoring -------------------------------------------------------------------------


def test_exact_hits_misses_and_false_positives_are_counted_apart() -> None:
    # given two documents; the second has no buyer tax id printed
    samples = [
        _sample("a.png", {"total_amount": "1130.00", "buyer_tax_id": "91110000600037341L"}),
        _sample("b.png", {"total_amount": "20.00", "buyer_tax_id": None}),
    ]
    predictions = {
        samples[0].file: _prediction(
            {"total_amount": "1130.00", "buyer_tax_id": "91110000600037341"}
        ),
        samples[1].file: _prediction(
            {"total_amount": "20.00", "buyer_tax_id": "91440300MA5EJRPEXF"}
        ),
    }
    # when scored
    report = score(samples, predictions)
    fields = report["suites"]["synthetic"]["fields"]
    # then the total is 2/2, the tax id 0/1 with one miss, and b's tax id is a false positive
    assert fields["total_amount"] == {"correct": 2, "total": 2, "accuracy": 1.0}
    assert fields["buyer_tax_id"] == {"correct": 0, "total": 1, "accuracy": 0.0}
    assert report["misses"] == [
        {
            "file": "/data/a.png",
            "suite": "synthetic",
            "document_type": "vat_special",
            "variant": "clean",
            "field": "buyer_tax_id",
            "expected": "91110000600037341L",
            "got": "91110000600037341",
        }
    ]
    assert report["suites"]["synthetic"]["false_positives"] == {"buyer_tax_id": 1}
    assert report["false_positives"][0]["file"] == "/data/b.png"


def test_a_null_prediction_for_a_null_truth_is_neither_hit_nor_false_positive() -> None:
    samples = [_sample("a.png", {"invoice_code": None})]
    report = score(samples, {samples[0].file: _prediction({"invoice_code": None})})
    assert report["suites"]["synthetic"]["fields"] == {}
    assert report["false_positives"] == []


def test_missing_and_error_results_miss_every_field_and_are_listed() -> None:
    samples = [
        _sample("a.png", {"total_amount": "1.00"}),
        _sample("b.png", {"total_amount": "2.00"}),
    ]
    report = score(samples, {samples[1].file: {"file": "b.png", "error": "unreadable image"}})
    assert report["suites"]["synthetic"]["fields"]["total_amount"]["correct"] == 0
    assert [e["error"] for e in report["errors"]] == ["no result", "unreadable image"]
    assert len(report["misses"]) == 2


def test_clean_and_photo_and_types_are_reported_separately() -> None:
    samples = [
        _sample("c.png", {"total_amount": "5.00"}, variant="clean"),
        _sample("p.jpg", {"total_amount": "5.00"}, variant="photo", document_type="receipt"),
    ]
    predictions = {
        samples[0].file: _prediction({"total_amount": "5.00"}),
        samples[1].file: _prediction({"total_amount": "6.00"}, document_type="receipt"),
    }
    suite = score(samples, predictions)["suites"]["synthetic"]
    assert suite["by_variant"]["clean"]["fields"]["total_amount"]["accuracy"] == 1.0
    assert suite["by_variant"]["photo"]["fields"]["total_amount"]["accuracy"] == 0.0
    assert suite["by_type"]["receipt"]["documents"] == 1
    assert suite["fields"]["total_amount"]["accuracy"] == 0.5


def test_document_type_accuracy_compares_the_predicted_type() -> None:
    samples = [_sample("a.png", {}), _sample("b.png", {})]
    predictions = {
        samples[0].file: _prediction({}, document_type="vat_special"),
        samples[1].file: _prediction({}, document_type="vat_general"),
    }
    suite = score(samples, predictions)["suites"]["synthetic"]
    assert suite["document_type_accuracy"] == 0.5


def test_latency_excludes_the_cold_first_file_of_each_process() -> None:
    samples = [_sample(f"{i}.png", {}) for i in range(3)]
    predictions = {
        samples[0].file: _prediction({}, elapsed_ms=9000.0, cold=True),
        samples[1].file: _prediction({}, elapsed_ms=1000.0),
        samples[2].file: _prediction({}, elapsed_ms=2000.0),
    }
    latency = score(samples, predictions)["latency_ms"]["all"]
    assert latency == {"n": 2, "p50": 1500.0, "p95": 1950.0}


def test_line_item_amounts_match_regardless_of_order() -> None:
    samples = [_sample("a.png", {LINE_ITEMS: ["10.00", "2.50"]})]
    items = [{"amount": "2.5"}, {"amount": "10.00"}]
    report = score(samples, {samples[0].file: _prediction({"line_items": items})})
    assert report["suites"]["synthetic"]["fields"][LINE_ITEMS]["accuracy"] == 1.0


def test_sroie_company_names_are_compared_loosely() -> None:
    samples = [
        _sample(
            "s.jpg",
            {"seller_name": "MR. D.I.Y. (M) SDN BHD"},
            suite="sroie",
            document_type="receipt",
        )
    ]
    prediction = _prediction({"seller_name": "Mr D.I.Y (M) Sdn. Bhd."}, document_type="receipt")
    report = score(samples, {samples[0].file: prediction})
    assert report["suites"]["sroie"]["fields"]["seller_name"]["accuracy"] == 1.0


def test_percentile_interpolates() -> None:
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50) == 3.0
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 95) == pytest.approx(4.8)
    assert percentile([], 50) is None


# --- targets -------------------------------------------------------------------------


def test_targets_are_met_missed_or_not_measured() -> None:
    samples = [
        _sample("c.png", {"issue_date": "2024-05-01"}, variant="clean"),
        _sample("s.jpg", {"total_amount": "9.00"}, suite="sroie", document_type="receipt"),
    ]
    predictions = {
        samples[0].file: _prediction({"issue_date": "2024-05-01"}, elapsed_ms=1200.0),
        samples[1].file: _prediction({"total_amount": "8.00"}, elapsed_ms=1800.0),
    }
    targets = {t.name: t for t in evaluate_targets(score(samples, predictions))}
    assert targets["synthetic clean issue_date"].met is True
    assert targets["sroie total_amount"].met is False
    assert targets["synthetic photo issue_date"].met is None
    assert targets["latency p50 (s)"].value == pytest.approx(1.5)
    assert targets["latency p50 (s)"].met is True


def test_a_lower_is_better_target_fails_above_its_threshold() -> None:
    assert Target("latency", 1.6, 1.5, higher_is_better=False).met is False


def test_summary_names_each_target_with_its_verdict() -> None:
    samples = [_sample("c.png", {"issue_date": "2024-05-01"})]
    report = score(samples, {samples[0].file: _prediction({"issue_date": "2024-05-02"})})
    text = format_summary(report, evaluate_targets(report))
    assert "[MISS] synthetic clean issue_date" in text
    assert "[n/a ] sroie seller_name" in text


# --- loaders -------------------------------------------------------------------------


def test_sroie_keys_map_to_contract_fields(tmp_path: Path) -> None:
    (tmp_path / "img").mkdir()
    (tmp_path / "key").mkdir()
    (tmp_path / "img" / "004.jpg").write_bytes(b"")
    key = {
        "company": "MR D.I.Y. (M) SDN BHD",
        "date": "18-11-18",
        "address": "X",
        "total": "RM 30.90",
    }
    (tmp_path / "key" / "004.json").write_text(json.dumps(key))
    (tmp_path / "key" / "005.json").write_text(json.dumps(key))  # no image: skipped
    [sample] = load_sroie(tmp_path)
    assert sample.truth == {
        "seller_name": "MR D.I.Y. (M) SDN BHD",
        "issue_date": "2018-11-18",
        "total_amount": "30.90",
        "currency": "MYR",
    }
    assert sample.document_type == "receipt" and sample.suite == "sroie"


def test_cn_labels_keep_nulls_and_ignore_notes(tmp_path: Path) -> None:
    record = {
        "file": "a.jpg",
        "document_type": "quota_invoice",
        "invoice_code": "143001635517",
        "issue_date": None,
        "total_amount": "10.00",
        "multi": False,
        "notes": "x",
    }
    (tmp_path / "labels.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n")
    [sample] = load_cn(tmp_path)
    assert sample.truth == {
        "invoice_code": "143001635517",
        "issue_date": None,
        "total_amount": "10.00",
    }
    assert sample.file == tmp_path / "a.jpg"


def test_shared_data_location_can_be_overridden(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("IA_SHARED_DATA", str(tmp_path))
    assert shared_data_dir() == tmp_path
    monkeypatch.delenv("IA_SHARED_DATA")
    assert shared_data_dir().parts[-2:] == ("shared", "data")


def test_photo_damage_kinds_are_tallied_without_their_parameters() -> None:
    samples = [
        Sample(
            Path("/d/a.jpg"),
            "synthetic",
            "receipt",
            {"total_amount": "1.00"},
            ("total_amount",),
            "photo",
            ("blur:1.2", "jpeg:50"),
        ),
        Sample(
            Path("/d/b.jpg"),
            "synthetic",
            "receipt",
            {"total_amount": "1.00"},
            ("total_amount",),
            "photo",
            ("blur:0.6",),
        ),
    ]
    predictions = {
        samples[0].file: _prediction({"total_amount": "1.00"}),
        samples[1].file: _prediction({"total_amount": "7.00"}),
    }
    by_damage = score(samples, predictions)["suites"]["synthetic"]["by_degradation"]
    assert by_damage["blur"]["fields"]["total_amount"] == {
        "correct": 1,
        "total": 2,
        "accuracy": 0.5,
    }
    assert by_damage["jpeg"]["documents"] == 1


# --- running a CLI -------------------------------------------------------------------

_STUB_CLI = """#!{python}
import json, sys
files = sys.argv[sys.argv.index("--jsonl") + 1:]
for name in files:
    if "crash" in name:
        sys.exit(3)
    print(json.dumps({{"file": name, "fields": {{}}, "elapsed_ms": 5.0}}), flush=True)
"""


def test_a_cli_that_dies_on_one_file_is_restarted_on_the_rest(tmp_path: Path) -> None:
    # given a stand-in CLI that exits when it reaches a file named "crash"
    stub = tmp_path / "python"
    stub.write_text(_STUB_CLI.format(python=sys.executable))
    stub.chmod(0o755)
    files = [Path(f"/d/{name}") for name in ("a.png", "b.png", "crash.png", "c.png", "d.png")]
    # when the harness runs it over one batch
    run = run_cli(files, python=str(stub), batch_size=10)
    # then every other file has a result, and the first after the restart is cold again
    assert set(run.predictions) == set(files) - {files[2]}
    assert run.predictions[files[3]]["_cold"] is True
    assert run.failures and run.failures[0]["exit"] == 3


def test_a_cli_that_never_answers_is_not_retried_file_by_file(tmp_path: Path) -> None:
    stub = tmp_path / "python"
    stub.write_text(f"#!{sys.executable}\nimport sys\nsys.exit(2)\n")
    stub.chmod(0o755)
    run = run_cli([Path("/d/a.png"), Path("/d/b.png")], python=str(stub), batch_size=10)
    assert run.predictions == {}
    assert len(run.failures) == 1


# --- e-invoices (OFD / XML) ---------------------------------------------------------------

_LINE = {
    "name": "*纸制品*复印纸（A4）",
    "quantity": "2",
    "unit_price": "25.5",
    "amount": "51.00",
    "tax_rate": "13%",
    "tax_amount": "6.63",
}


def test_whole_line_items_must_match_field_by_field() -> None:
    # Given an e-invoice whose truth has one whole line item
    sample = _sample("e.ofd", {LINE_ITEMS_EXACT: [_LINE]}, suite="einvoice")
    same = {**_LINE, "name": "*纸制品*复印纸(A4)"}  # NFKC spelling of the same name
    wrong = {**_LINE, "unit_price": "25.50001"}
    # When the same line is predicted, and then one with another unit price
    hit = score([sample], {sample.file: _prediction({"line_items": [same]})})
    miss = score([sample], {sample.file: _prediction({"line_items": [wrong]})})
    # Then the first is exact and the second is not
    assert hit["suites"]["einvoice"]["fields"][LINE_ITEMS_EXACT]["accuracy"] == 1.0
    assert miss["suites"]["einvoice"]["fields"][LINE_ITEMS_EXACT]["accuracy"] == 0.0


def test_einvoice_targets_pool_every_field_and_stay_out_of_the_ocr_latency() -> None:
    # Given one e-invoice read exactly in 5 ms and one OCR document read in 1.2 s
    einvoice = _sample("e.ofd", {"total_amount": "1.00", "invoice_number": "1"}, suite="einvoice")
    photo = _sample("p.jpg", {"total_amount": "2.00"})
    report = score(
        [einvoice, photo],
        {
            einvoice.file: _prediction(
                {"total_amount": "1.00", "invoice_number": "2"}, elapsed_ms=5.0
            ),
            photo.file: _prediction({"total_amount": "2.00"}, elapsed_ms=1200.0),
        },
    )
    targets = {t.name: t for t in evaluate_targets(report)}
    # Then one of two e-invoice fields is exact (a miss), and "all" latency is OCR's alone
    assert targets["einvoice OFD/XML fields exact"].value == 0.5
    assert targets["einvoice OFD/XML fields exact"].met is False
    assert report["latency_ms"]["all"]["p50"] == 1200.0


def test_einvoice_samples_cover_every_layout_with_exact_truths(tmp_path: Path) -> None:
    # Given two generated invoices and no shared data
    samples = load_einvoices(tmp_path, tmp_path / "no-shared", 2, seed=3)
    # Then each is written once per OFD and XML layout, with its whole truth
    variants = {s.variant for s in samples}
    assert len(samples) == 2 * len(variants)
    assert {"ofd:tags+customdata", "ofd:text-only", "xml:plain", "xml:words"} <= variants
    plain = next(s for s in samples if s.variant == "xml:plain")
    assert plain.truth["total_in_words"] is None
    assert all(s.file.is_file() and s.truth[LINE_ITEMS_EXACT] for s in samples)


# --- layout families: key fields all correct, per family -----------------------------------


def test_key_fields_all_correct_needs_every_key_field_of_the_document() -> None:
    # given two documents: one with every key field right, one with a wrong seller tax ID
    truth = {
        "issue_date": "2024-01-02",
        "seller_name": "甲公司",
        "seller_tax_id": "X1",
        "total_amount": "10.00",
        "invoice_code": "1",
    }
    samples = [
        _sample("a.png", truth, suite="families", variant="classic"),
        _sample("b.png", truth, suite="families", variant="seller_on_top"),
    ]
    right = dict(truth, invoice_code="2")  # a non-key field wrong does not count
    predictions = {
        samples[0].file: _prediction(right),
        samples[1].file: _prediction(dict(truth, seller_tax_id="X2")),
    }
    # when scored
    report = score(samples, predictions)
    families = report["suites"]["families"]
    # then the suite counts 1 of 2, and each family is reported on its own
    assert families["key_fields_all_correct"] == 0.5
    assert families["by_family"]["classic"]["key_fields_all_correct"] == 1.0
    assert families["by_family"]["seller_on_top"]["key_fields_all_correct"] == 0.0


def test_family_summary_marks_developed_and_held_out_families() -> None:
    # given one right document in a developed family and one wrong in a held-out family
    truth = {"seller_name": "甲公司", "total_amount": "10.00"}
    samples = [
        _sample("a.png", truth, suite="families", variant="classic"),
        _sample("b.png", truth, suite="families", variant="seal_over_name"),
    ]
    predictions = {
        samples[0].file: _prediction(truth),
        samples[1].file: _prediction(dict(truth, seller_name="乙公司")),
    }
    report = score(samples, predictions)
    # when summarised
    text = format_summary(report, [])
    # then each family has its role and the held-out ones are pooled
    assert "classic            developed" in text
    assert "seal_over_name     held out" in text
    assert "held-out pooled" in text and "0.0%" in text.split("held-out pooled")[1]


# --- ticket layout families ------------------------------------------------------------------


def _ticket(name: str, truth: dict[str, Any], variant: str) -> Sample:
    return Sample(
        Path(f"/data/{name}"),
        "families",
        "taxi_receipt",
        truth,
        tuple(truth),
        variant,
        key_fields=TICKET_KEY_FIELDS,
    )


def test_a_tickets_number_is_one_of_its_key_fields() -> None:
    # given two taxi receipts, one with a wrong invoice number
    truth = {"issue_date": "2025-01-05", "total_amount": "46.00", "invoice_number": "00123456"}
    samples = [
        _ticket("a.png", truth, "taxi/classic"),
        _ticket("b.png", truth, "taxi/thermal"),
    ]
    predictions = {
        samples[0].file: _prediction(truth),
        samples[1].file: _prediction(dict(truth, invoice_number="00123457")),
    }
    # when scored
    by_family = score(samples, predictions)["suites"]["families"]["by_family"]
    # then the wrong number makes that document wrong
    assert by_family["taxi/classic"]["key_fields_all_correct"] == 1.0
    assert by_family["taxi/thermal"]["key_fields_all_correct"] == 0.0


def test_ticket_family_summary_pools_developed_and_held_out_per_kind() -> None:
    # given a right developed-on taxi, a wrong held-out taxi and a right held-out toll
    truth = {"total_amount": "46.00"}
    samples = [
        _ticket("a.png", truth, "taxi/classic"),
        _ticket("b.png", truth, "taxi/thermal"),
        _ticket("c.png", truth, "toll/reordered"),
    ]
    predictions = {
        samples[0].file: _prediction(truth),
        samples[1].file: _prediction({"total_amount": "2.30"}),
        samples[2].file: _prediction(truth),
    }
    # when summarised
    text = format_summary(score(samples, predictions), [])
    # then each kind/family has its role, and kinds and all kinds are pooled apart
    assert "taxi/thermal               held out" in text
    pooled = text.split("pooled per kind")[1]
    taxi = next(line for line in pooled.splitlines() if line.startswith("taxi"))
    every = next(line for line in pooled.splitlines() if line.startswith("all kinds"))
    assert "1/1" in taxi and "0/1" in taxi
    assert "1/1" in every and "1/2" in every


def test_family_filter_names_a_family_a_kind_or_both() -> None:
    assert family_selected("taxi/thermal", ["thermal"])
    assert family_selected("taxi/thermal", ["taxi"])
    assert family_selected("taxi/thermal", ["taxi/thermal"])
    assert family_selected("classic", None)
    assert not family_selected("toll/thermal", ["taxi/thermal"])
    assert not family_selected("seal_over_name", ["classic"])


def test_ticket_families_load_with_kind_and_family(tmp_path: Path) -> None:
    # given the ticket families generated once (one document per kind and family)
    samples = load_ticket_families(tmp_path, 1, seed=5)
    # then every kind has its families, tickets are judged on their key fields
    kinds = {s.variant.split("/")[0] for s in samples}
    assert kinds == {"air", "train", "train_e", "taxi", "toll", "bus", "quota"}
    assert all(s.key_fields == TICKET_KEY_FIELDS and s.file.is_file() for s in samples)
    assert load_ticket_families(tmp_path, 1, seed=5) == samples  # reused, not redrawn
