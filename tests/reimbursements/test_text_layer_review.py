"""An e-invoice PDF's seller name is the issuer's own text: it goes straight through."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import straight_through
from bench.accuracy import normalise
from extraction import pipeline
from extraction.engines.base import EngineContext
from extraction.review import review_reasons
from reimbursements.documents.results import extraction_columns


@pytest.mark.django_db
@pytest.mark.parametrize("index", [0, 1])  # 电子普票, 数电票
def test_a_generated_e_invoice_pdf_goes_straight_through(tmp_path: Path, index: int) -> None:
    # Given a generated e-invoice PDF (text layer and its QR code)
    path, truth = straight_through.write_einvoice_pdfs(tmp_path, 2, seed=3)[index]
    document = pipeline.load_document(path.read_bytes(), name=path.name)
    # When it is read and stored as the worker stores it
    result = pipeline.extract(document, ctx=EngineContext(ocr_threads=1), engine="ocr")
    columns = extraction_columns(result)
    # Then the seller was read from the text layer next to a checksum-valid tax ID
    assert columns["sources"]["seller_name"] == "pdf_text"
    expected = truth["fields"]["seller_name"]
    assert normalise("seller_name", result.fields.seller_name) == normalise("seller_name", expected)
    assert "checksum" in columns["evidence"]["seller_tax_id"]["checks"]
    # and nothing is left for a person to look at, even with confidence never enough alone
    found = review_reasons(
        document_type=columns["document_type"],
        warnings=columns["warnings"],
        confidence=columns["confidence"],
        sources=columns["sources"],
        agreeing=columns["agreeing"],
        duplicate=False,
        evidence=columns["evidence"],
        min_confidence=1.01,
    )
    assert found == []
