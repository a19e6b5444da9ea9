"""The straight-through part of the accuracy benchmark: per kind, with silent errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench import straight_through
from bench.accuracy import Sample, normalise

TRUTH = {
    "issue_date": "2019-05-08",
    "seller_name": "天津某某有限公司",
    "seller_tax_id": "91110000600037341L",
    "total_amount": "48.02",
}
SURE = dict.fromkeys(TRUTH, 0.99)


def _answer(**fields: Any) -> dict[str, Any]:
    return {
        "document_type": "vat_electronic",
        "fields": dict(TRUTH) | fields,
        "sources": dict.fromkeys(TRUTH, "ocr") | {"issue_date": "qr"},
        "confidence": dict(SURE),
        "warnings": [],
        # the seller read alike by a second engine; tax ID and total passed their checks
        "agreeing": {"seller_name": ["vlm"]},
        "evidence": {
            "seller_tax_id": {"checks": ["checksum"], "failed": 0},
            "total_amount": {"checks": ["arithmetic"], "failed": 0},
        },
    }


def test_each_kind_counts_straight_through_and_silent_errors() -> None:
    # Given a photo with a decodable QR code answered right, one answered with a wrong
    # total nobody is asked about, one held back by a warning, an XML, and a photo
    # whose code did not decode (no e-invoice, not counted)
    photos = [
        Sample(Path(f"p{i}.jpg"), "cn", "vat_electronic", TRUTH, tuple(TRUTH)) for i in range(4)
    ]
    xml = Sample(Path("x.bin"), "einvoice", "digital_invoice", TRUTH, tuple(TRUTH), "xml:plain")
    warning = {"code": "arithmetic_mismatch", "field": "total_amount", "message": "…"}
    predictions = {
        photos[0].file: _answer(),
        photos[1].file: _answer(total_amount="84.02"),
        photos[2].file: _answer() | {"warnings": [warning]},
        photos[3].file: _answer(),
        xml.file: _answer() | {"sources": dict.fromkeys(TRUTH, "xml")},
    }
    readings: dict[Path, list[Any]] = {p.file: ["code"] for p in photos[:3]}
    # When reported
    kinds = straight_through.report([*photos, xml], predictions, readings, normalise)["kinds"]
    # Then each kind has its rate, its silent errors and what held documents back
    photo = kinds["photo with QR"]
    assert (photo["documents"], photo["straight_through"], photo["silent_errors"]) == (3, 2, 1)
    assert photo["review_reasons"] == {"warning:arithmetic_mismatch": 1}
    assert (kinds["xml"]["documents"], kinds["xml"]["rate"]) == (1, 1.0)
    assert kinds["all"]["documents"] == 4
    assert kinds["all"]["silent_error_rate"] == round(1 / 3, 4)


def test_a_generated_e_invoice_pdf_has_a_text_layer_and_its_qr_code(tmp_path: Path) -> None:
    # When two e-invoice PDFs are written (电子普票, 数电票)
    written = straight_through.write_einvoice_pdfs(tmp_path, 2, seed=1)
    # Then each has its number in the text layer and a QR code carrying it on the page
    from extraction.machine import qr
    from extraction.pdf import load_pdf

    for path, truth in written:
        pdf = load_pdf(path.read_bytes())
        number = truth["fields"]["invoice_number"]
        assert pdf.text_layer is not None and number in pdf.text_layer[0]
        [reading] = qr.read_pages(pdf.images)
        assert reading.fields.invoice_number == number
    assert [truth["document_type"] for _, truth in written] == ["vat_electronic", "digital_invoice"]
