"""Provenance on the Django side: stored per field, cached, shown by the API, exported,
and replaced by ``employee`` when a person edits a field (the reading before stays)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from rest_framework.test import APIClient

from extraction.schema import DocumentType, ExtractionResult, FieldSource, InvoiceFields
from reimbursements import corrections, pipeline, workflow
from reimbursements.documents.results import store_extraction
from reimbursements.documents.scan import document_scan
from reimbursements.exports.items import PROVENANCE_COLUMNS
from reimbursements.models import Extraction, FieldCorrection
from synth import generate_document
from tests.reimbursements.factories import ClaimFactory
from tests.reimbursements.workflow_helpers import (
    finance_approved_claim,
    make_document,
    manager_approved_claim,
)

pytestmark = pytest.mark.django_db
EXPORTS = "/api/v1/exports/approved/"


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def engine_answer(**sources: FieldSource) -> ExtractionResult:
    return ExtractionResult(
        document_type=DocumentType.VAT_ELECTRONIC,
        fields=InvoiceFields(
            invoice_code="012001800311",
            invoice_number="33207675",
            total_amount=Decimal("46.62"),
            seller_name="北京某某餐饮有限公司",
        ),
        engine="vlm",
        sources=dict(sources),
    )


# --- stored ------------------------------------------------------------------------------


def test_stored_sources_keep_the_engines_and_fill_the_rest_from_its_name(org):
    # Given a VLM answer whose code and number came from the QR code, the rest unnamed
    document = make_document(org.employee, extracted=False)
    answer = engine_answer(invoice_code=FieldSource.QR, invoice_number=FieldSource.QR)
    # When it is stored
    store_extraction(document_id=document.pk, result=answer, from_cache=False)
    # Then every present field has a source: QR where named, the engine's otherwise
    assert Extraction.objects.get(document=document).sources == {
        "invoice_code": "qr",
        "invoice_number": "qr",
        "seller_name": "vlm",
        "total_amount": "vlm",
    }


@pytest.fixture
def media(tmp_path: Path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EXTRACTION_ENGINE = "ocr"
    cache.clear()


def test_a_cache_hit_stores_and_answers_the_same_sources(org, media):
    # Given one processed upload of a synthetic invoice (OCR read its QR fields alike)
    client = api_for(org.employee)
    data = generate_document("vat_special", seed=11, photo=False).image_bytes
    first = client.post(
        "/api/v1/documents/", {"file": SimpleUploadedFile("a.png", data)}, format="multipart"
    ).json()["id"]
    document_scan(document_id=first)
    pipeline.document_process(document_id=first)
    stored = Extraction.objects.get(document_id=first).sources
    agreeing = Extraction.objects.get(document_id=first).agreeing
    assert agreeing.get("invoice_number") == ["ocr"]
    # When the same bytes are uploaded again (answered from the cache)
    body = client.post(
        "/api/v1/documents/", {"file": SimpleUploadedFile("b.png", data)}, format="multipart"
    ).json()
    # Then the answer and the new row carry the first one's sources
    assert body["extraction"]["from_cache"] is True
    assert stored and stored.get("total_amount") in {"ocr", "qr"}
    assert body["extraction"]["sources"] == stored
    assert Extraction.objects.get(document_id=body["id"]).sources == stored
    assert body["extraction"]["agreeing"] == agreeing
    assert Extraction.objects.get(document_id=body["id"]).agreeing == agreeing


# --- API ---------------------------------------------------------------------------------


def test_the_document_shows_each_fields_source_and_status(org):
    # Given a document whose number came from the QR code and the rest from OCR
    document = make_document(
        org.employee,
        sources={"invoice_number": "qr", "total_amount": "ocr", "seller_name": "ocr"},
    )
    # When its owner reads it
    body = api_for(org.employee).get(f"/api/v1/documents/{document.pk}/").json()
    # Then sources and statuses are there, per field
    extraction = body["extraction"]
    assert extraction["sources"] == {
        "invoice_number": "qr",
        "total_amount": "ocr",
        "seller_name": "ocr",
    }
    assert extraction["status"] == {
        "invoice_number": "verified",
        "seller_name": "read",
        "total_amount": "read",
    }


def test_stored_agreement_makes_an_engines_field_verified(org):
    # Given a VLM answer whose seller and total OCR read alike, and whose number the print
    # and the QR code agree on
    document = make_document(org.employee, extracted=False)
    answer = engine_answer(invoice_number=FieldSource.QR).replace(
        agreeing={
            "seller_name": [FieldSource.OCR],
            "total_amount": [FieldSource.OCR],
            "invoice_number": [FieldSource.VLM],
        }
    )
    # When it is stored and its owner reads it
    store_extraction(document_id=document.pk, result=answer, from_cache=False)
    extraction = api_for(org.employee).get(f"/api/v1/documents/{document.pk}/").json()
    extraction = extraction["extraction"]
    # Then the agreeing readings are kept and the engine's fields they back are verified
    assert extraction["agreeing"] == {
        "invoice_number": ["vlm"],
        "seller_name": ["ocr"],
        "total_amount": ["ocr"],
    }
    assert extraction["status"] == {
        "invoice_code": "read",
        "invoice_number": "verified",
        "seller_name": "verified",
        "total_amount": "verified",
    }


def test_an_edit_of_a_field_two_readings_agreed_on_makes_it_edited(org):
    # Given a draft document whose total OCR and a PDF text layer read alike
    document = make_document(org.employee, ClaimFactory(owner=org.employee), total="100.00")
    Extraction.objects.filter(document=document).update(
        agreeing={"total_amount": ["pdf_text"], "seller_name": ["pdf_text"]}
    )
    # When the owner changes the total
    corrections.document_correct_field(
        actor=org.employee, document_id=document.pk, field="total_amount", value="12.30"
    )
    # Then the total is edited and no longer agreed on; the seller stays verified
    body = api_for(org.employee).get(f"/api/v1/documents/{document.pk}/").json()
    assert body["extraction"]["status"]["total_amount"] == "edited"
    assert body["extraction"]["agreeing"] == {"seller_name": ["pdf_text"]}
    assert body["extraction"]["status"]["seller_name"] == "verified"


def test_the_schema_describes_sources_and_status(org):
    # When the OpenAPI schema is fetched
    response = api_for(org.employee).get("/api/schema/", {"format": "json"})
    # Then the extraction of a document documents both maps with their values
    schema = response.json()["components"]["schemas"]
    extraction = schema["ExtractionSchema"]["properties"]
    assert set(extraction["sources"]["additionalProperties"]["enum"]) == {
        s.value for s in FieldSource
    }
    assert set(extraction["status"]["additionalProperties"]["enum"]) == {
        "verified",
        "read",
        "edited",
    }


# --- corrections -------------------------------------------------------------------------


def test_an_edited_field_becomes_employee_and_keeps_the_reading_before(org):
    # Given a draft document whose total OCR read as 100.00
    document = make_document(org.employee, ClaimFactory(owner=org.employee), total="100.00")
    # When the owner changes the total
    corrections.document_correct_field(
        actor=org.employee, document_id=document.pk, field="total_amount", value="12.30"
    )
    # Then the field is edited, and the correction keeps what OCR read
    body = api_for(org.employee).get(f"/api/v1/documents/{document.pk}/").json()
    assert body["extraction"]["sources"]["total_amount"] == "employee"
    assert body["extraction"]["status"]["total_amount"] == "edited"
    assert body["extraction"]["status"]["seller_name"] == "read"
    row = FieldCorrection.objects.get()
    assert (row.old_value, row.old_source, row.new_value) == ("100.00", "ocr", "12.30")


def test_the_correction_history_shows_the_source_before_the_edit(org):
    # Given a submitted claim whose seller a reviewer corrected
    claim = manager_approved_claim(org)
    document = claim.documents.get()
    corrections.document_correct_field(
        actor=org.finance, document_id=document.pk, field="seller_name", value="上海某某酒店"
    )
    # When the history is read
    rows = api_for(org.finance).get(f"/api/v1/documents/{document.pk}/corrections/").json()
    rows = rows if isinstance(rows, list) else rows["results"]
    # Then it names the source of the value that was replaced
    assert [(r["field"], r["old_source"]) for r in rows] == [("seller_name", "ocr")]


def test_clearing_a_field_marks_it_edited(org):
    # Given a document with an issue date read by OCR
    document = make_document(org.employee)
    # When the owner clears the date
    corrections.document_correct_field(
        actor=org.employee, document_id=document.pk, field="issue_date", value=""
    )
    # Then the empty date still shows that a person changed it
    extraction = Extraction.objects.get(document=document)
    assert extraction.fields["issue_date"] is None
    assert extraction.sources["issue_date"] == "employee"


# --- exports -----------------------------------------------------------------------------


def test_export_items_carry_each_key_fields_source_and_status(org):
    # Given an approved document: number from the QR code, total edited by the owner
    claim = ClaimFactory(owner=org.employee)
    document = make_document(
        org.employee,
        claim,
        sources={"invoice_number": "qr", "total_amount": "ocr", "issue_date": "ocr"},
    )
    corrections.document_correct_field(
        actor=org.employee, document_id=document.pk, field="total_amount", value="99.00"
    )
    workflow.claim_submit(actor=org.employee, claim_id=claim.pk)
    workflow.claim_approve(actor=org.manager, claim_id=claim.pk)
    workflow.claim_approve(actor=org.finance, claim_id=claim.pk)
    # When finance fetches the export
    (item,) = api_for(org.finance).get(EXPORTS).json()["items"]
    # Then each key field says where it came from and what it is worth
    assert (item["invoice_number_source"], item["invoice_number_status"]) == ("qr", "verified")
    assert (item["total_amount_source"], item["total_amount_status"]) == ("employee", "edited")
    assert (item["issue_date_source"], item["issue_date_status"]) == ("ocr", "read")
    assert (item["seller_tax_id_source"], item["seller_tax_id_status"]) == (None, None)


def test_export_items_show_a_field_two_readings_agreed_on_as_verified(org):
    # Given an approved document whose date OCR and the PDF text layer read alike
    claim = ClaimFactory(owner=org.employee)
    document = make_document(org.employee, claim)
    Extraction.objects.filter(document=document).update(agreeing={"issue_date": ["pdf_text"]})
    workflow.claim_submit(actor=org.employee, claim_id=claim.pk)
    workflow.claim_approve(actor=org.manager, claim_id=claim.pk)
    workflow.claim_approve(actor=org.finance, claim_id=claim.pk)
    # When finance fetches the export
    (item,) = api_for(org.finance).get(EXPORTS).json()["items"]
    # Then the date is verified, the total (one reading) read
    assert (item["issue_date_source"], item["issue_date_status"]) == ("ocr", "verified")
    assert item["total_amount_status"] == "read"


def test_csv_and_xlsx_have_the_provenance_columns_after_the_others(org):
    # Given an approved claim
    finance_approved_claim(org)
    client = api_for(org.finance)
    # When exported as CSV and XLSX
    rows = list(
        csv.DictReader(io.StringIO(client.get(EXPORTS, {"format": "csv"}).content.decode()))
    )
    sheet = load_workbook(io.BytesIO(client.get(EXPORTS, {"format": "xlsx"}).content)).active
    header = [c.value for c in sheet[1]]
    # Then both have the source/status columns after the others (later additions
    # follow them), filled
    for names in (list(rows[0]), header):
        start = names.index("acknowledged_at") + 1
        assert names[start : start + len(PROVENANCE_COLUMNS)] == list(PROVENANCE_COLUMNS)
    assert (rows[0]["total_amount_source"], rows[0]["total_amount_status"]) == ("ocr", "read")


# --- rows stored before sources ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_earlier_rows_their_engines_source_and_edits_employee():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("reimbursements", "0007_drop_plaintext_api_tokens")]
    after = [("reimbursements", "0008_field_sources")]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    try:
        # Given a VLM extraction stored before sources existed, its seller corrected
        old = MigrationExecutor(connection).loader.project_state(before).apps
        user = old.get_model("auth", "User").objects.create(username="old")
        document = old.get_model("reimbursements", "Document").objects.create(
            owner=user, sha256="d" * 64, size=1, mime_type="image/png"
        )
        extraction = old.get_model("reimbursements", "Extraction").objects.create(
            document=document,
            engine="vlm",
            document_type="receipt",
            fields={"seller_name": "某店", "total_amount": "9.00", "issue_date": None},
        )
        old.get_model("reimbursements", "FieldCorrection").objects.create(
            extraction=extraction, field="seller_name", old_value="某", new_value="某店"
        )
        # When the migration runs
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps
        # Then present fields have the engine's source, the corrected one employee's
        row = new.get_model("reimbursements", "Extraction").objects.get(pk=extraction.pk)
        assert row.sources == {"seller_name": "employee", "total_amount": "vlm"}
    finally:
        MigrationExecutor(connection).migrate(latest)
