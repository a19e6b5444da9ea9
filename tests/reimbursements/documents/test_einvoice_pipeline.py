"""OFD and 数电票 XML end to end: upload -> real clamd -> read exactly on a CPU worker (no
engine needed) -> stored fields with their sources -> reviewer view -> export."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from extraction import pipeline as extraction_pipeline
from extraction.machine import READER_VERSION
from extraction.machine.ofd_render import render_fields_page
from extraction.pii import mask_tax_id
from reimbursements import pii_masking, pipeline, workflow
from reimbursements.documents import cache_hit, engines
from reimbursements.documents.scan import document_scan
from reimbursements.models import Document, Extraction
from tests.celery_worker import running_worker, wait_for
from tests.extraction.machine.einvoice_files import (
    REAL_OFD_EXPECTED,
    Spec,
    einvoice_xml,
    ofd_package,
    real_ofd_path,
)
from tests.reimbursements.factories import ClaimFactory
from tests.reimbursements.workflow_helpers import make_org

PERSONAL_ID = "11010519491231002X"  # a valid 居民身份证 number: a person as the buyer


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    # No extraction engine can run: an e-invoice file must not need one.
    settings.EXTRACTION_ENGINE = "remote"
    settings.REMOTE_VLM_BASE_URL = None
    settings.CLAIM_MAX_INVOICE_AGE_DAYS = 100_000
    settings.CLAIM_AMOUNT_LIMITS = {}
    cache.clear()


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def upload(client: APIClient, data: bytes, name: str, **extra) -> dict:
    response = client.post(
        "/api/v1/documents/", {"file": SimpleUploadedFile(name, data), **extra}, format="multipart"
    )
    assert response.status_code == 201, response.content
    return response.json()


def scan_and_process(document_id: int) -> str:
    assert document_scan(document_id=document_id) == "clean"
    return pipeline.document_process(document_id=document_id)


def real_ofd() -> bytes:
    path = real_ofd_path()
    if not path.exists():
        pytest.skip(f"the real 数电票 OFD is not on this machine ({path})")
    return path.read_bytes()


@pytest.mark.django_db
def test_the_real_ofd_goes_from_upload_to_export_read_exactly(settings):
    # Given an employee's claim, and the real 数电票 OFD uploaded into it
    org = make_org()
    employee = api_for(org.employee)
    claim = ClaimFactory(owner=org.employee)
    body = upload(employee, real_ofd(), "invoice.ofd", claim=claim.pk)
    assert body["mime_type"] == "application/ofd"
    # When it is scanned by the real clamd and processed, with no extraction engine here
    status = scan_and_process(body["id"])
    # Then every field is the file's own, marked as read from the OFD, by a versioned reader
    assert status == "extracted"
    extraction = Extraction.objects.get(document_id=body["id"])
    assert extraction.engine == "ofd"
    assert extraction.engine_version == READER_VERSION
    shown = employee.get(f"/api/v1/documents/{body['id']}/").json()["extraction"]
    for name in ("invoice_number", "issue_date", "seller_tax_id", "total_amount"):
        assert shown["fields"][name] == REAL_OFD_EXPECTED[name]
        assert shown["sources"][name] == "ofd"
        assert shown["status"][name] == "verified"
    # And the reviewer sees the same, and the export carries the values and their sources
    workflow.claim_submit(actor=org.employee, claim_id=claim.pk)
    manager = api_for(org.manager)
    queue = manager.get("/api/v1/review/queue/").json()["results"]
    (reviewed,) = [c for c in queue if c["id"] == claim.pk]
    (document,) = reviewed["documents_detail"]
    assert document["extraction"]["sources"]["total_amount"] == "ofd"
    workflow.claim_approve(actor=org.manager, claim_id=claim.pk)
    workflow.claim_approve(actor=org.finance, claim_id=claim.pk)
    items = api_for(org.finance).get("/api/v1/exports/approved/").json()["items"]
    (item,) = items
    assert item["invoice_number"] == REAL_OFD_EXPECTED["invoice_number"]
    assert item["total_amount"] == REAL_OFD_EXPECTED["total_amount"]
    assert item["total_amount_source"] == "ofd"
    assert item["total_amount_status"] == "verified"


@pytest.mark.django_db
def test_a_generated_xml_is_read_without_any_engine(make_user):
    # Given a 数电票 XML
    spec = Spec()
    client = api_for(make_user("employee"))
    body = upload(client, einvoice_xml(spec), "invoice.xml")
    # When it is scanned and processed on a machine with no extraction engine
    status = scan_and_process(body["id"])
    # Then its fields are stored exactly, each from the XML
    assert status == "extracted"
    extraction = Extraction.objects.get(document_id=body["id"])
    assert extraction.invoice_number == spec.number
    assert extraction.total_amount == spec.total
    assert extraction.engine == "xml" and extraction.engine_version == READER_VERSION
    assert set(extraction.sources.values()) == {"xml"}
    assert Document.objects.get(pk=body["id"]).masked_file


def test_einvoices_go_to_the_cpu_queue_and_images_to_the_chosen_engine(settings):
    # Given the VLM configured as the engine
    settings.EXTRACTION_ENGINE = "vlm"
    # Then OFD/XML files are read on the CPU queue by their reader, whatever the engine
    for mime, reader in (("application/ofd", "ofd"), ("application/xml", "xml")):
        choice = engines.choice_for(mime)
        assert (choice.name, choice.queue, choice.fingerprint) == (reader, "cpu", READER_VERSION)
    # And a photo still needs the engine (which cannot run here)
    with pytest.raises(pipeline.EngineUnavailable):
        engines.choice_for("image/png")


@pytest.mark.django_db
def test_an_einvoice_result_is_cached_by_its_reader_not_the_engine(make_user, settings):
    # Given an OFD processed while the OCR engine is configured
    settings.EXTRACTION_ENGINE = "ocr"
    client = api_for(make_user("employee"))
    data = ofd_package()
    first = upload(client, data, "a.ofd")
    scan_and_process(first["id"])
    # When the engine setting changes and the same file is uploaded again
    settings.EXTRACTION_ENGINE = "remote"
    again = upload(client, data, "b.ofd")
    # Then the reader's cached result answers at once
    assert again["extraction"]["from_cache"] is True
    assert again["extraction"]["engine"] == "ofd"
    sha = Document.objects.get(pk=first["id"]).sha256
    assert f"extraction:v5:{sha}:ofd:{READER_VERSION}" == cache_hit.cache_key(
        sha, engines.choice_for("application/ofd")
    )


def _dark_share(image: Image.Image) -> float:
    pixels = np.asarray(image.convert("L"))
    return float((pixels < 40).mean())


def forbid_ocr(monkeypatch) -> None:
    """The OCR engine must never be asked: an e-invoice's own text is exact."""

    def no_ocr() -> object:
        raise AssertionError("OCR ran on an e-invoice")

    monkeypatch.setattr(pii_masking, "_ocr", no_ocr)


def test_personal_numbers_on_an_ofd_are_masked_over_its_own_text(monkeypatch):
    # Given a 数电票 OFD whose buyer is a person, identified by their ID card number
    spec = Spec(buyer_name="张三", buyer_tax_id=PERSONAL_ID)
    prepared = extraction_pipeline.load_document(ofd_package(spec), name="x.ofd")
    assert prepared.ocr_lines and any(PERSONAL_ID in line.text for line in prepared.ocr_lines)
    forbid_ocr(monkeypatch)
    # When it is masked
    masked = pii_masking.mask_prepared_document(prepared)
    # Then the page has a blacked-out region it did not have, and the ID is not in the text
    assert _dark_share(masked.pages[0]) > _dark_share(prepared.pages[0])
    assert masked.ocr_lines is not None
    assert not any(PERSONAL_ID in line.text for line in masked.ocr_lines)


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_an_ofd_is_scanned_and_read_by_a_real_worker_without_an_engine(
    make_user, settings, tmp_path
):
    # Given a worker on the default and CPU queues (none on the GPU queue), with the VLM
    # chosen as the engine although it cannot run, and the real clamd
    settings.MEDIA_ROOT = tmp_path / "media"
    client = api_for(make_user("employee"))
    with running_worker(
        queues="default,cpu",
        log_path=tmp_path / "worker.log",
        EXTRACTION_ENGINE="vlm",
        CLAMD_SOCKET=str(settings.CLAMD_SOCKET),
    ):
        # When an OFD is uploaded
        body = upload(client, ofd_package(), "invoice.ofd")

        # Then it is scanned, routed to the CPU queue and read, with no engine
        def done() -> bool:
            return Document.objects.get(pk=body["id"]).is_terminal

        wait_for(done, timeout=90, what="the OFD to be processed")
    document = Document.objects.get(pk=body["id"])
    assert document.status == "extracted", (document.status, document.error)
    assert document.scans.get().verdict == "clean"
    assert Extraction.objects.get(document=document).engine == "ofd"


def test_the_masked_xml_page_is_drawn_from_masked_fields(monkeypatch):
    # Given a 数电票 XML of a person's purchase
    spec = Spec(buyer_name="张三", buyer_tax_id=PERSONAL_ID)
    prepared = extraction_pipeline.load_document(einvoice_xml(spec), name="x.xml")
    forbid_ocr(monkeypatch)
    # When it is masked
    masked = pii_masking.mask_prepared_document(prepared)
    # Then its page is drawn again from the masked fields: the ID no longer on it
    expected = render_fields_page(
        dataclasses.replace(prepared.machine[0].fields, buyer_tax_id=mask_tax_id(PERSONAL_ID))
    )
    assert masked.pages[0].tobytes() == expected.tobytes()
    assert masked.pages[0].tobytes() != prepared.pages[0].tobytes()
