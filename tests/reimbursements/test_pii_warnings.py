"""Personal numbers in warnings and re-checks (issue 19, item 9): checks run on the value
as typed or read, warnings never quote a personal number, a masked value is not checked."""

from __future__ import annotations

import json

import pytest

from extraction.pii import mask_warning_contract
from extraction.result_masking import mask_result
from extraction.schema import DocumentType, ExtractionResult, InvoiceFields, ValidationWarning
from extraction.validation import validate
from reimbursements import corrections
from reimbursements.models import Extraction
from tests.reimbursements.workflow_helpers import make_document

RESIDENT_ID = "11010519491231002X"  # valid GB 11643 check character
USCC = "91110000600037341L"  # valid GB 32100 check character
CARD = "6222021234567890128"  # passes Luhn


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


# --- file names ---------------------------------------------------------------------------


def zip_of(members: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def post_file(user, data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client.post(
        "/api/v1/documents/",
        {"file": SimpleUploadedFile(name, data, content_type="application/octet-stream")},
        format="multipart",
    )


@pytest.fixture
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_file_names_in_an_archive_are_masked_like_text(org, media_root):
    # Given a zip named after a phone number, whose photo is named after a resident ID
    from tests.conftest import png_bytes

    archive = zip_of({f"张三_{RESIDENT_ID}_发票.png": png_bytes()})
    # When it is uploaded
    response = post_file(org.employee, archive, "13812345678报销.zip")
    # Then neither number is stored or answered in full
    assert response.status_code == 201, response.content
    text = response.content.decode()
    assert RESIDENT_ID not in text and "13812345678" not in text
    body = response.json()
    assert body["batch"]["original_filename"].endswith("报销.zip")
    assert body["documents"][0]["original_filename"].endswith("_发票.png")


def test_a_refused_archive_member_is_named_masked(org, media_root):
    # Given a zip whose broken member's name carries a bank card number
    archive = zip_of({f"card {CARD}.pdf": b"%PDF-1.7 broken"})
    # When it is uploaded, the refusal names the member without the number
    response = post_file(org.employee, archive, "batch.zip")
    assert response.status_code in (400, 415, 422), response.content
    assert CARD not in response.content.decode()
    assert "0128" in response.json()["error"]["message"]
