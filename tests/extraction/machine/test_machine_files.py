"""OFD and XML e-invoices through the pipeline and the ``extract`` CLI: no engine runs."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from extraction import cli, pipeline
from extraction.engines.base import EngineContext
from extraction.machine.files import open_machine_file, sniff_machine_file
from tests.extraction.machine.einvoice_files import (
    DEFAULT,
    EXEMPT,
    einvoice_xml,
    ofd_package,
    real_ofd_path,
    zip_bytes,
)

REPO = Path(__file__).resolve().parents[3]
# An engine that is not configured here: asking the registry for it would raise.
UNCONFIGURED = "vlm"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (ofd_package(DEFAULT), "OFD"),
        (ofd_package(DEFAULT, namespace="none"), "OFD"),
        (einvoice_xml(DEFAULT), "XML"),
        (b"\xef\xbb\xbf  \n" + einvoice_xml(DEFAULT, namespace="urn:x", prefix="e"), "XML"),
        (zip_bytes({"Doc_0/Document.xml": b"<Document/>"}), None),
        (b"<?xml version='1.0'?><Invoice/>", None),
        (b"<html><body>invoice</body></html>", None),
        (b"EInvoice OFD.xml", None),
    ],
    ids=["ofd", "ofd-no-ns", "xml", "xml-bom-ns", "zip", "other-xml", "html", "text"],
)
def test_e_invoices_are_sniffed_by_structure(data: bytes, kind: str | None) -> None:
    assert pipeline.sniff(data) == kind
    assert sniff_machine_file(data) == kind


def test_an_ofd_is_loaded_with_its_rendered_page_and_complete_reading() -> None:
    # Given an OFD 数电票
    document = pipeline.load_document(ofd_package(DEFAULT), name="invoice.bin")
    # Then the page is drawn and the reading is complete, with the text boxes for masking
    (page,) = document.pages
    assert page.size == (1654, 1102)
    (reading,) = document.machine
    assert reading.complete and reading.fields.invoice_number == DEFAULT.number
    assert document.ocr_lines and any(line.text == DEFAULT.number for line in document.ocr_lines)
    assert "prepare" in document.timings


@pytest.mark.parametrize(
    ("data", "engine"),
    [(ofd_package(DEFAULT), "ofd"), (einvoice_xml(DEFAULT, words=True), "xml")],
    ids=["ofd", "xml"],
)
def test_extract_takes_every_field_from_the_file_without_an_engine(
    data: bytes, engine: str
) -> None:
    # Given an e-invoice and an engine that cannot run here
    document = pipeline.load_document(data, name="e-invoice")
    # When extracted
    result = pipeline.extract(document, ctx=EngineContext(), engine=UNCONFIGURED)
    # Then the file is the answer: exact fields, each at 1.0 with the file's source
    fields = result.to_contract()["fields"]
    fields.pop("line_items")
    assert fields == DEFAULT.expected()
    assert result.engine == engine
    assert set(result.sources.values()) == {engine}
    assert set(result.sources) == set(result.fields.present())
    assert set(result.confidence.values()) == {1.0}
    assert result.warnings == []


def test_validation_still_reports_what_the_issuers_data_gets_wrong() -> None:
    # Given an XML whose total is not 金额 + 税额 and whose seller tax ID fails its checksum
    data = einvoice_xml(DEFAULT).replace(b">1348.15<", b">1349.15<")
    data = data.replace(DEFAULT.seller_tax_id.encode(), b"91440300MA5EJRPEX1")
    # When extracted
    result = pipeline.extract(
        pipeline.load_document(data, name="x.xml"), ctx=EngineContext(), engine=UNCONFIGURED
    )
    # Then both cross-checks are reported (and the document will go to review)
    codes = {w.code for w in result.warnings}
    assert {"arithmetic_mismatch", "uscc_checksum"} <= codes


def test_parts_of_an_ofd_that_disagree_reach_the_result_as_a_warning() -> None:
    data = ofd_package(DEFAULT, custom_overrides={"发票号码": "25442000000123450000"})
    result = pipeline.extract(
        pipeline.load_document(data, name="x.ofd"), ctx=EngineContext(), engine=UNCONFIGURED
    )
    assert [w.code for w in result.warnings] == ["ofd_parts_disagree"]
    assert result.fields.invoice_number == DEFAULT.number


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "c">]><EInvoice>&b;</EInvoice>',
            "declares a DTD or entities",
        ),
        (zip_bytes({"OFD.xml": b"<OFD/>", "../x": b"1"}), "'..' path component"),
        (b"<?xml version='1.0'?><Invoice/>", "expected <EInvoice>"),
    ],
    ids=["xml-entities", "ofd-traversal", "other-xml"],
)
def test_unsafe_or_foreign_files_are_refused_with_the_reason(data: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        pipeline.load_document(data, name="upload")


def test_an_xml_file_gets_a_page_listing_its_fields() -> None:
    document = pipeline.load_document(einvoice_xml(EXEMPT), name="x.xml")
    (page,) = document.pages
    darkest, _ = page.convert("L").getextrema()
    assert isinstance(darkest, int) and darkest < 100
    assert open_machine_file(einvoice_xml(EXEMPT)).page_count == 1


# --- the extract CLI ---------------------------------------------------------------------


def run(paths: list[str]) -> tuple[int, list[dict[str, Any]]]:
    out, err = io.StringIO(), io.StringIO()
    status = cli.run(paths, "auto", EngineContext(ocr_threads=1), out, err, jsonl=True)
    return status, [json.loads(line) for line in out.getvalue().splitlines()]


def test_the_cli_prints_exact_fields_and_sources_for_ofd_and_xml(tmp_path: Path) -> None:
    # Given an OFD and an XML file (named anything)
    ofd, xml = tmp_path / "a.ofd", tmp_path / "b.dat"
    ofd.write_bytes(ofd_package(EXEMPT, tags=False))
    xml.write_bytes(einvoice_xml(DEFAULT, words=True))
    # When the CLI runs
    status, (first, second) = run([str(ofd), str(xml)])
    # Then each prints its exact fields and where they came from
    assert status == 0
    assert first["engine"] == "ofd" and second["engine"] == "xml"
    for record, spec, source in ((first, EXEMPT, "ofd"), (second, DEFAULT, "xml")):
        fields = dict(record["fields"])
        fields.pop("line_items")
        assert fields == spec.expected()
        assert set(record["sources"].values()) == {source}
        assert record["warnings"] == []


def test_manage_py_extract_reads_the_real_ofd(tmp_path: Path) -> None:
    # Given the real OFD (or, without the shared data, a generated one) and an XML
    path = real_ofd_path()
    if not path.is_file():
        path = tmp_path / "generated.ofd"
        path.write_bytes(ofd_package(DEFAULT))
    xml = tmp_path / "invoice.xml"
    xml.write_bytes(einvoice_xml(DEFAULT))
    # When the real Django command runs on both
    completed = subprocess.run(
        [sys.executable, "manage.py", "extract", "--jsonl", str(path), str(xml)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # Then it succeeds with one contract object each, sourced from the files themselves
    assert completed.returncode == 0, completed.stderr
    records = [json.loads(line) for line in completed.stdout.splitlines()]
    assert [r["engine"] for r in records] == ["ofd", "xml"]
    assert records[1]["fields"]["invoice_number"] == DEFAULT.number
    assert records[0]["sources"]["total_amount"] == "ofd"
    assert records[0]["fields"]["total_amount"] in ("20000.00", str(DEFAULT.total))
