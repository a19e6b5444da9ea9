"""Personal numbers in warnings and re-checks (issue 19, item 9): checks run on the value
as typed or read, warnings never quote a personal number, a masked value is not checked."""

from __future__ import annotations

import json

import pytest

from extraction.pii import mask_warning_contract
from extraction.schema import DocumentType, ExtractionResult, InvoiceFields, ValidationWarning
from extraction.validation import validate
from reimbursements import corrections
from reimbursements.models import Extraction
from reimbursements.pipeline import mask_result
from tests.reimbursements.workflow_helpers import make_document, make_org

RESIDENT_ID = "11010519491231002X"  # valid GB 11643 check character
USCC = "91110000600037341L"  # valid GB 32100 check character
CARD = "6222021234567890128"  # passes Luhn


@pytest.fixture
def org(db):
    return make_org()


def codes(extraction: Extraction) -> list[str]:
    return [w["code"] for w in extraction.warnings]


def test_a_resident_id_typed_as_buyer_tax_id_is_checked_as_typed_and_stored_masked(org):
    # Given an extracted document
    document = make_document(org.employee)
    # When the employee types an individual buyer's resident ID as the buyer's tax ID
    corrections.document_correct_field(
        actor=org.employee, document_id=document.pk, field="buyer_tax_id", value=RESIDENT_ID
    )
    extraction = Extraction.objects.get(document=document)
    # Then it is checked as typed (a valid resident ID: no nonsense checksum warning) ...
    assert "uscc_checksum" not in codes(extraction)
    # ... and stored masked, with no warning quoting it
    assert extraction.fields["buyer_tax_id"].endswith("002X")
    assert RESIDENT_ID not in json.dumps(extraction.fields)
    assert RESIDENT_ID not in json.dumps(extraction.warnings)


def test_a_masked_tax_id_is_not_checked_again_after_another_edit(org):
    # Given a document whose buyer tax ID was stored masked (an individual's resident ID)
    document = make_document(org.employee)
    corrections.document_correct_field(
        actor=org.employee, document_id=document.pk, field="buyer_tax_id", value=RESIDENT_ID
    )
    # When another field is edited and every check runs again on the stored values
    corrections.document_correct_field(
        actor=org.employee, document_id=document.pk, field="total_amount", value="120.00"
    )
    # Then the stars are not taken for a misread tax ID
    warnings = Extraction.objects.get(document=document).warnings
    assert [w for w in warnings if w.get("field") == "buyer_tax_id"] == []


def test_a_bad_company_tax_id_is_warned_about_with_its_value_readable(org):
    # A company code is business data: the warning names it in full.
    document = make_document(org.employee)
    corrections.document_correct_field(
        actor=org.employee,
        document_id=document.pk,
        field="seller_tax_id",
        value="91110000600037341A",
    )
    (warning,) = [
        w
        for w in Extraction.objects.get(document=document).warnings
        if w["code"] == "uscc_checksum"
    ]
    assert warning["params"]["value"] == "91110000600037341A"


def test_warnings_of_a_reading_are_masked_with_its_fields():
    # Given a reading (an XML e-invoice, a QR code) whose checks quote personal numbers
    result = ExtractionResult(
        document_type=DocumentType.DIGITAL_INVOICE,
        fields=InvoiceFields(buyer_tax_id=RESIDENT_ID, seller_tax_id=USCC),
        warnings=[
            ValidationWarning(
                "printed_differs_from_qr",
                f"buyer_tax_id: the document reads '{RESIDENT_ID[:-1]}9' but its QR code "
                f"says '{RESIDENT_ID}'",
                "buyer_tax_id",
                (("printed", f"'{RESIDENT_ID[:-1]}9'"), ("qr", f"'{RESIDENT_ID}'")),
            ),
            ValidationWarning(
                "suggested_change",
                f"seller_tax_id = {USCC}, refund card {CARD}",
                "seller_tax_id",
                (("value", USCC),),
            ),
        ],
    )
    # When it is masked for storage
    masked = json.dumps([w.to_contract() for w in mask_result(result).warnings])
    # Then no warning carries the resident ID or the card, and the company code stays
    assert RESIDENT_ID not in masked and RESIDENT_ID[:-1] not in masked
    assert CARD not in masked
    assert masked.count(USCC) == 2


def test_a_stored_warning_is_masked_in_its_message_and_params():
    stored = {"code": "x", "message": "phone 13812345678", "params": {"v": CARD, "n": 3}}
    masked = mask_warning_contract(stored)
    assert "13812345678" not in masked["message"] and CARD not in masked["params"]["v"]
    assert masked["params"]["n"] == 3


def test_validation_does_not_check_a_masked_tax_id():
    fields = InvoiceFields(buyer_tax_id="**************002X")
    result = validate(ExtractionResult(document_type=DocumentType.VAT_GENERAL, fields=fields))
    assert [w.code for w in result.warnings if w.field == "buyer_tax_id"] == []
