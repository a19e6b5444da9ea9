"""Reading invoice QR codes: payload parsing, decoding with retries, PDF pages."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import zxingcpp
from PIL import Image

from extraction import pipeline
from extraction.machine import qr
from extraction.schema import DocumentType, FieldSource
from tests.extraction.machine.qr_images import (
    DIGITAL,
    E_INVOICE,
    SPECIAL,
    degraded_photo,
    page_with_qr,
)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_an_e_invoice_payload_gives_its_five_fields_and_the_pre_tax_amount() -> None:
    reading = qr.parse_payload(E_INVOICE)
    assert reading is not None
    fields = reading.fields
    assert fields.invoice_code == "012001800311"
    assert fields.invoice_number == "33207675"
    assert fields.issue_date == dt.date(2019, 5, 8)
    assert fields.check_code == "76939056883466677916"
    assert fields.amount_excluding_tax == Decimal("46.62")
    assert fields.total_amount is None
    assert reading.document_type is DocumentType.VAT_ELECTRONIC
    assert reading.source is FieldSource.QR
    assert not reading.complete


def test_a_digital_invoice_payload_carries_the_total_and_no_code() -> None:
    # Given a 数电票 payload (no trailing comma, no code, no check code)
    reading = qr.parse_payload(DIGITAL)
    # Then its amount is the 价税合计
    assert reading is not None
    assert reading.fields.total_amount == Decimal("39.00")
    assert reading.fields.amount_excluding_tax is None
    assert reading.fields.invoice_code is None
    assert reading.fields.check_code is None
    assert reading.fields.invoice_number == "26377000000217799580"
    assert reading.document_type is DocumentType.DIGITAL_INVOICE


def test_a_special_invoice_payload_has_no_check_code() -> None:
    reading = qr.parse_payload(SPECIAL)
    assert reading is not None
    assert reading.fields.check_code is None
    assert reading.document_type is DocumentType.VAT_SPECIAL


def test_an_unconfirmed_kind_leaves_the_type_to_the_engine() -> None:
    reading = qr.parse_payload(SPECIAL.replace("01,01,", "01,03,", 1))
    assert reading is not None
    assert reading.document_type is None


@pytest.mark.parametrize(
    "payload",
    [
        "10193423049823409823049823049820934802938402938402938409238409238",  # train ticket
        "TJTYDEFP;112002070106;12921503;100",  # quota invoice
        "https://inv-veri.chinatax.gov.cn/",
    ],
)
def test_payloads_that_are_not_invoice_payloads_are_ignored(payload: str) -> None:
    assert qr.parse_payload(payload) is None


@pytest.mark.parametrize(
    "payload",
    [
        E_INVOICE.replace("20190508", "20190230"),  # no such day
        E_INVOICE.replace("012001800311", "01200180031"),  # 11-digit code
        E_INVOICE.replace("33207675", "3320767"),  # 7-digit number
        E_INVOICE.replace("46.62", "46.6.2"),  # not an amount
        E_INVOICE.replace("76939056883466677916", "7693905688346667791"),  # 19 digits
        DIGITAL.replace("01,32,,", "01,32,012001800311,"),  # a 数电票 has no code
        DIGITAL.replace("26377000000217799580", "2637700000021779958"),  # 19 digits
        "01,10,012001800311,33207675,46.62",  # cut short
        "01,1A,012001800311,33207675,46.62,20190508,,E1BD,",  # kind not digits
    ],
)
def test_malformed_invoice_payloads_are_dropped(payload: str) -> None:
    assert qr.parse_payload(payload) is None


def test_a_code_on_a_page_is_read_exactly() -> None:
    # Given a page with a printed QR code in the top-left corner
    page = page_with_qr(E_INVOICE)
    # When read
    [reading] = qr.read_page(page)
    # Then the payload is the one printed
    assert reading.raw == E_INVOICE
    assert reading.fields.invoice_number == "33207675"


def test_a_degraded_photo_is_read_on_an_enlarged_corner() -> None:
    # Given a photo-like page whose code a whole-page pass cannot read
    photo = degraded_photo(E_INVOICE)
    assert zxingcpp.read_barcodes(photo.convert("L")) == []
    # When read
    readings = qr.read_page(photo)
    # Then the enlarged corner crop found it
    assert [r.raw for r in readings] == [E_INVOICE]


def test_a_page_with_only_a_ticket_code_gives_no_reading() -> None:
    page = page_with_qr("1019342304982340982304982304982093480293840293840")
    assert qr.read_page(page) == []


def test_a_large_photo_is_first_read_on_a_reduced_copy() -> None:
    # Given a 24 MP photo with a normally sized code
    page = page_with_qr(DIGITAL, size=(6000, 4000), at=(300, 200), module_px=16)
    # When read
    [reading] = qr.read_page(page)
    # Then it is found (on the reduced copy: the first pass)
    assert reading.fields.invoice_number == "26377000000217799580"


def test_an_uploaded_image_gets_its_reading_before_any_scaling() -> None:
    # Given an image upload with a QR code
    data = _png(page_with_qr(E_INVOICE))
    # When loaded
    document = pipeline.load_document(data, name="invoice.png")
    # Then the reading is on the document, timed
    assert [r.raw for r in document.machine] == [E_INVOICE]
    assert document.timings["qr"] >= 0


def test_qr_reading_can_be_skipped() -> None:
    document = pipeline.load_document(
        _png(page_with_qr(E_INVOICE)), name="invoice.png", read_qr=False
    )
    assert document.machine == []
    assert "qr" not in document.timings


def test_every_pdf_page_is_read_and_the_page_is_recorded() -> None:
    # Given a two-page PDF whose second page carries the code
    blank = Image.new("RGB", (1240, 1754), "white")
    second = page_with_qr(DIGITAL, size=(1240, 1754), at=(80, 60), module_px=5)
    buffer = io.BytesIO()
    blank.save(buffer, "PDF", save_all=True, append_images=[second], resolution=150)
    # When loaded
    document = pipeline.load_document(buffer.getvalue(), name="invoice.pdf")
    # Then the reading names page 2 (index 1)
    [reading] = document.machine
    assert reading.raw == DIGITAL
    assert reading.page == 1
