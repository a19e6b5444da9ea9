"""The ``extract`` CLI contract: shape, nulls, error lines, exit status, progress bar."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from extraction import cli
from extraction.engines.base import EngineContext
from extraction.schema import SCALAR_FIELDS
from tests.extraction.machine.qr_images import E_INVOICE, page_with_qr

REPO = Path(__file__).resolve().parents[2]
CONTRACT_KEYS = {
    "file",
    "document_type",
    "fields",
    "sources",
    "confidence",
    "warnings",
    "engine",
    "elapsed_ms",
}


def receipt_pdf() -> bytes:
    lines = [
        "GOLDEN SPOON SDN BHD",
        "DATE: 05/03/2018 14:22",
        "TOTAL RM                      37.95",
        "CASH                          50.00",
        "CHANGE                        12.05",
    ]
    ops = [f"BT /F1 10 Tf 40 {760 - 16 * i} Td ({text}) Tj ET" for i, text in enumerate(lines)]
    content = "\n".join(ops).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 800] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    good = tmp_path / "receipt.pdf"
    good.write_bytes(receipt_pdf())
    text = tmp_path / "notes.txt"
    text.write_text("not an invoice")
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    return {
        "good": str(good),
        "text": str(text),
        "empty": str(empty),
        "missing": str(tmp_path / "missing.png"),
    }


def run(paths: list[str], *, jsonl: bool = True) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = cli.run(paths, "ocr", EngineContext(ocr_threads=1), out, err, jsonl=jsonl)
    return status, out.getvalue(), err.getvalue()


def test_one_json_object_per_file_with_the_contract_shape(files: dict[str, str]) -> None:
    # given one readable PDF
    status, out, err = run([files["good"]])
    # when the CLI runs / then one line with exactly the contract keys, nulls included
    assert status == 0
    (line,) = out.splitlines()
    record = json.loads(line)
    assert set(record) == CONTRACT_KEYS
    assert record["file"] == files["good"]
    assert list(record["fields"]) == [*SCALAR_FIELDS, "line_items"]
    assert record["fields"]["total_amount"] == "37.95"
    assert record["fields"]["issue_date"] == "2018-03-05"
    assert record["fields"]["invoice_code"] is None
    assert record["engine"] == "ocr"
    assert isinstance(record["elapsed_ms"], float)
    assert err == ""  # no progress bar for a single file


def test_sources_name_the_text_layer_and_the_qr_code(tmp_path: Path) -> None:
    # Given a text-layer PDF receipt and an image whose only content is an invoice QR code
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(receipt_pdf())
    image = tmp_path / "qr.png"
    page_with_qr(E_INVOICE, size=(1200, 800)).save(image)
    # When the CLI runs
    status, out, _ = run([str(pdf), str(image)])
    # Then each field names where it came from
    receipt, invoice = (json.loads(line) for line in out.splitlines())
    assert receipt["sources"]["total_amount"] == "pdf_text"
    assert invoice["sources"]["invoice_number"] == "qr"
    assert invoice["fields"]["check_code"] == "76939056883466677916"
    assert invoice["confidence"]["invoice_number"] == 1.0
    assert status == 0


def test_unreadable_files_give_error_lines_and_a_failing_status(files: dict[str, str]) -> None:
    # given a batch mixing readable and unreadable files
    paths = [files["missing"], files["good"], files["text"], files["empty"]]
    # when the CLI runs
    status, out, _ = run(paths)
    records = [json.loads(line) for line in out.splitlines()]
    # then every file has its line, in order; failures say why; the status is non-zero
    assert [r["file"] for r in records] == paths
    assert records[0] == {"file": files["missing"], "error": "file not found"}
    assert "fields" in records[1]
    assert set(records[2]) == {"file", "error"}
    assert "not a supported document" in records[2]["error"]
    assert records[3]["error"] == "the file is empty"
    assert status == 1


def test_batches_show_a_progress_bar_on_stderr(files: dict[str, str]) -> None:
    # given two files / when run / then stdout holds only JSON and stderr the progress
    status, out, err = run([files["good"], files["good"]])
    assert status == 0
    assert len(out.splitlines()) == 2
    assert "extract" in err


def test_without_jsonl_each_object_is_indented(files: dict[str, str]) -> None:
    # given pretty output / when run / then the object spans lines, indented by two
    _, out, _ = run([files["good"]], jsonl=False)
    assert out.startswith('{\n  "file": ')
    assert json.loads(out)["document_type"] == "receipt"


@pytest.mark.slow
def test_manage_py_extract_honours_the_contract(files: dict[str, str]) -> None:
    # given the real Django command in a subprocess
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "invoice_assistant.settings.test"}
    command = [sys.executable, "manage.py", "extract", "--engine", "ocr", "--jsonl"]
    completed = subprocess.run(
        [*command, files["good"], files["missing"]],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # when it finishes / then one JSON line per file, an error line, exit status 1
    records = [json.loads(line) for line in completed.stdout.splitlines()]
    assert [r["file"] for r in records] == [files["good"], files["missing"]]
    assert set(records[0]) == CONTRACT_KEYS
    assert records[0]["fields"]["seller_name"] == "GOLDEN SPOON SDN BHD"
    assert records[1] == {"file": files["missing"], "error": "file not found"}
    assert completed.returncode == 1, completed.stderr
