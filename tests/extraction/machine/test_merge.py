"""Machine-readable values over an engine's reading: authority, warnings, sources."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from PIL import Image

from extraction import pipeline, provenance, validation
from extraction.engines.base import EngineContext, PreparedDocument
from extraction.machine import MachineReading, merge, qr
from extraction.schema import (
    DocumentType,
    ExtractionResult,
    FieldSource,
    InvoiceFields,
)
from synth import generate_document
from tests.extraction.machine.qr_images import DIGITAL, E_INVOICE, qr_image

TODAY = dt.date(2019, 6, 1)


def _reading(payload: str) -> MachineReading:
    reading = qr.parse_payload(payload)
    assert reading is not None
    return reading


def _engine_result(**values: object) -> ExtractionResult:
    fields = InvoiceFields(**values)
    return ExtractionResult(
        document_type=DocumentType.VAT_GENERAL,
        fields=fields,
        confidence=dict.fromkeys(fields.present(), 0.8),
        engine="ocr",
    )


def _merged(raw: ExtractionResult, payload: str) -> ExtractionResult:
    overlaid = merge.overlay(raw, [_reading(payload)])
    checked = validation.validate(overlaid, today=TODAY, ocr_confidence=overlaid.confidence)
    return merge.attribute(checked)


def test_qr_values_replace_the_engines_and_are_attributed_to_the_qr() -> None:
    # Given an engine that read the e-invoice right
    raw = _engine_result(
        invoice_code="012001800311",
        invoice_number="3320 7675",
        issue_date=dt.date(2019, 5, 8),
        seller_name="天津某某有限公司",
        amount_excluding_tax=Decimal("46.62"),
        tax_amount=Decimal("1.40"),
        total_amount=Decimal("48.02"),
    )
    # When merged with its QR code
    result = _merged(raw, E_INVOICE)
    # Then the QR fields come from the QR at full confidence, the rest from OCR
    assert result.sources["invoice_number"] is FieldSource.QR
    assert result.sources["check_code"] is FieldSource.QR
    assert result.sources["seller_name"] is FieldSource.OCR
    assert result.sources["tax_amount"] is FieldSource.OCR
    assert result.confidence["invoice_number"] == 1.0
    assert result.fields.check_code == "76939056883466677916"
    # and the QR's kind decides the type; a print split into groups is no difference
    assert result.document_type is DocumentType.VAT_ELECTRONIC
    assert not [w for w in result.warnings if w.code == merge.PRINTED_DIFFERS_FROM_QR]


def test_a_printed_amount_that_differs_from_the_qr_is_flagged_with_both_values() -> None:
    # Given a print whose 合计金额 was changed (46.62 -> 146.62) along with its total
    raw = _engine_result(
        invoice_code="012001800311",
        invoice_number="33207675",
        issue_date=dt.date(2019, 5, 8),
        amount_excluding_tax=Decimal("146.62"),
        tax_amount=Decimal("1.40"),
        total_amount=Decimal("148.02"),
    )
    # When merged with its QR code
    result = _merged(raw, E_INVOICE)
    # Then the QR amount is kept, and the warning names both values
    assert result.fields.amount_excluding_tax == Decimal("46.62")
    [warning] = [w for w in result.warnings if w.code == merge.PRINTED_DIFFERS_FROM_QR]
    assert warning.field == "amount_excluding_tax"
    assert "'146.62'" in warning.message and "'46.62'" in warning.message
    # and the cross-checks ran on the QR amount: 46.62 + 1.40 is not 148.02
    assert any(w.code == validation.ARITHMETIC_MISMATCH for w in result.warnings)
    assert result.confidence["amount_excluding_tax"] == 1.0


def test_a_qr_total_is_never_repaired_from_the_words() -> None:
    # Given a 数电票 whose 大写 and 金额 + 税额 agree on 93.00, while its QR says 39.00
    raw = _engine_result(
        invoice_number="26377000000217799580",
        issue_date=dt.date(2026, 3, 6),
        amount_excluding_tax=Decimal("82.30"),
        tax_amount=Decimal("10.70"),
        total_amount=Decimal("93.00"),
        total_in_words="玖拾叁圆整",
    )
    # When merged
    result = _merged(raw, DIGITAL)
    # Then the total stays the QR's, flagged, and the 大写 is what is reported wrong
    assert result.fields.total_amount == Decimal("39.00")
    assert result.sources["total_amount"] is FieldSource.QR
    codes = {w.code for w in result.warnings}
    assert merge.PRINTED_DIFFERS_FROM_QR in codes
    assert validation.TOTAL_REPAIRED not in codes
    assert validation.WORDS_MISMATCH in codes


def test_a_callers_type_outranks_the_qr_kind() -> None:
    raw = _engine_result(invoice_number="33207675")
    overlaid = merge.overlay(raw, [_reading(E_INVOICE)], hinted_type=True)
    assert overlaid.document_type is DocumentType.VAT_GENERAL


def test_a_complete_reading_is_the_answer_and_no_engine_runs() -> None:
    # Given a document whose XML was read completely, and no engine by that name here
    fields = InvoiceFields(
        invoice_number="24322000000489101796",
        issue_date=dt.date(2024, 12, 5),
        total_amount=Decimal("100.00"),
        amount_excluding_tax=Decimal("88.50"),
        tax_amount=Decimal("11.50"),
        currency="CNY",
    )
    reading = MachineReading(
        FieldSource.XML, fields, DocumentType.DIGITAL_INVOICE, complete=True, raw="<EInvoice/>"
    )
    document = PreparedDocument(source="invoice.xml", machine=[reading])
    # When extracted with an engine that does not exist
    result = pipeline.extract(document, ctx=EngineContext(), engine="no-such-engine")
    # Then the result is the reading's, every field from the XML
    assert result.engine == "xml"
    assert set(result.sources.values()) == {FieldSource.XML}
    assert result.fields.total_amount == Decimal("100.00")
    assert all(result.confidence[name] == 1.0 for name in fields.present())


def test_a_tampered_print_on_a_synthetic_invoice_is_caught_end_to_end() -> None:
    # Given a synthetic e-invoice whose QR code says 1 yuan more than the print
    generated = generate_document("vat_electronic", seed=3, photo=False)
    truth = generated.truth["fields"]
    printed = Decimal(truth["amount_excluding_tax"])
    genuine = printed + 1
    payload = qr.parse_payload(_payload_of(generated.image()))
    assert payload is not None
    tampered = payload.raw.replace(f",{printed},", f",{genuine},", 1)
    page = generated.image().copy()
    page.paste(Image.new("RGB", (130, 130), page.getpixel((5, 5))), (70, 30))
    code = qr_image(tampered, module_px=3, border=0)
    page.paste(code, (70, 30))
    buffer = io.BytesIO()
    page.save(buffer, "PNG")
    # When the OCR pipeline reads it
    document = pipeline.load_document(buffer.getvalue(), name="tampered.png")
    result = pipeline.extract(document, ctx=EngineContext(ocr_threads=1), engine="ocr")
    # Then the QR amount is kept, the alteration flagged, and the CLI shows the sources
    assert result.fields.amount_excluding_tax == genuine
    flagged = [w for w in result.warnings if w.code == merge.PRINTED_DIFFERS_FROM_QR]
    assert [w.field for w in flagged] == ["amount_excluding_tax"]
    contract = result.to_contract()
    assert contract["sources"]["amount_excluding_tax"] == "qr"
    assert contract["sources"]["invoice_number"] == "qr"
    assert contract["sources"]["seller_name"] == "ocr"


def _payload_of(image: Image.Image) -> str:
    [reading] = qr.read_page(image)
    return reading.raw


def test_a_print_that_reads_like_its_qr_code_is_recorded_as_agreeing() -> None:
    # Given OCR that read the number (in groups) and the amount as the QR code has them,
    # and the date differently
    raw = _engine_result(
        invoice_number="3320 7675",
        issue_date=dt.date(2019, 5, 9),
        amount_excluding_tax=Decimal("46.62"),
        seller_name="天津某某有限公司",
    )
    # When merged with its QR code
    result = _merged(raw, E_INVOICE)
    # Then OCR agrees on the number and the amount, not on the date, and a field the code
    # does not carry has no second reading
    assert result.agreeing == {
        "invoice_number": [FieldSource.OCR],
        "amount_excluding_tax": [FieldSource.OCR],
    }
    assert provenance.field_status("qr", agreeing=result.agreeing["invoice_number"]).value == (
        "verified"
    )


def test_a_text_layer_that_reads_like_the_qr_code_agrees_as_pdf_text_once() -> None:
    # Given a PDF's text layer with the QR code's number, merged twice (engine and pipeline)
    raw = _engine_result(invoice_number="33207675").replace(
        sources={"invoice_number": FieldSource.PDF_TEXT}
    )
    once = merge.overlay(raw, [_reading(E_INVOICE)])
    # When merged again
    twice = merge.overlay(once, [_reading(E_INVOICE)])
    # Then the text layer is the one agreeing reading: the code never agrees with itself
    assert twice.agreeing == {"invoice_number": [FieldSource.PDF_TEXT]}
