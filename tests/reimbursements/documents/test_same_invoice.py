"""One invoice, many files: the photo, PDF, OFD and XML of one invoice are linked, count
once in a claim, and the invoice cannot be claimed a second time."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from extraction.machine import files
from reimbursements import pipeline, policy, workflow
from reimbursements.documents.scan import document_scan
from reimbursements.models import Claim, Document, ExportItem
from tests.extraction.machine.einvoice_files import Spec, einvoice_xml, ofd_package
from tests.extraction.machine.qr_images import qr_image
from tests.reimbursements.factories import ClaimFactory
from tests.reimbursements.workflow_helpers import make_org

pytestmark = pytest.mark.django_db

SPEC = Spec()


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EXTRACTION_ENGINE = "ocr"
    settings.CLAIM_MAX_INVOICE_AGE_DAYS = 100_000
    settings.CLAIM_AMOUNT_LIMITS = {}
    cache.clear()


@pytest.fixture(scope="module")
def invoice_files() -> dict[str, bytes]:
    """The same 数电票 as XML, as OFD (with its QR code), and the OFD's page as a photo
    and as a scanned PDF."""
    payload = f"01,32,,{SPEC.number},{SPEC.total},{SPEC.date:%Y%m%d},,3C4D"
    qr = io.BytesIO()
    qr_image(payload, module_px=6).save(qr, format="PNG")
    ofd = ofd_package(SPEC, image=qr.getvalue())
    (page,) = files.render_pages(files.open_machine_file(ofd))
    photo, scan = io.BytesIO(), io.BytesIO()
    page.convert("RGB").save(photo, format="JPEG", quality=90)
    page.convert("RGB").save(scan, format="PDF", resolution=200)
    return {
        "xml": einvoice_xml(SPEC),
        "ofd": ofd,
        "photo": photo.getvalue(),
        "pdf": scan.getvalue(),
    }


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def upload_processed(client: APIClient, data: bytes, name: str, claim: Claim) -> Document:
    response = client.post(
        "/api/v1/documents/",
        {"file": SimpleUploadedFile(name, data), "claim": claim.pk},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    document_id = response.json()["id"]
    document_scan(document_id=document_id)
    pipeline.document_process(document_id=document_id)
    return Document.objects.select_related("extraction").get(pk=document_id)


def test_photo_pdf_and_xml_of_one_invoice_are_one_invoice_in_one_claim(invoice_files):
    # Given an employee's claim
    org = make_org()
    client = api_for(org.employee)
    claim = ClaimFactory(owner=org.employee)
    # When they add the invoice's XML, then its photo, then its PDF
    xml = upload_processed(client, invoice_files["xml"], "invoice.xml", claim)
    photo = upload_processed(client, invoice_files["photo"], "photo.jpg", claim)
    pdf = upload_processed(client, invoice_files["pdf"], "invoice.pdf", claim)
    # Then the photo and the PDF are linked to the XML as the same invoice, not duplicates
    for other in (photo, pdf):
        assert other.extraction.business_key == xml.extraction.business_key
        assert other.same_invoice_as_id == xml.pk
        assert other.duplicate_of_id is None
    body = client.get(f"/api/v1/documents/{photo.pk}/").json()
    assert body["same_invoice_as"] == xml.pk and body["duplicate_of"] is None
    # And the invoice counts once: in the total, at submit, and in the export
    assert workflow.claim_submit(actor=org.employee, claim_id=claim.pk).total == SPEC.total
    workflow.claim_approve(actor=org.manager, claim_id=claim.pk)
    workflow.claim_approve(actor=org.finance, claim_id=claim.pk)
    (item,) = ExportItem.objects.filter(claim=claim)
    assert item.document_id == xml.pk
    assert Decimal(item.payload["total_amount"]) == SPEC.total


def test_the_same_invoice_cannot_be_claimed_twice(invoice_files):
    # Given the invoice's XML in a submitted claim
    org = make_org()
    client = api_for(org.employee)
    first = ClaimFactory(owner=org.employee)
    xml = upload_processed(client, invoice_files["xml"], "invoice.xml", first)
    workflow.claim_submit(actor=org.employee, claim_id=first.pk)
    # When the employee puts the same invoice's OFD into a second claim
    second = ClaimFactory(owner=org.employee)
    ofd = upload_processed(client, invoice_files["ofd"], "invoice.ofd", second)
    # Then the OFD is linked as the same invoice, and the second claim cannot be submitted
    assert ofd.same_invoice_as_id == xml.pk and ofd.duplicate_of_id is None
    with pytest.raises(workflow.PolicyViolation) as refused:
        workflow.claim_submit(actor=org.employee, claim_id=second.pk)
    (violation,) = refused.value.violations
    assert violation.code == policy.INVOICE_IN_OTHER_CLAIM
    assert violation.document == ofd.pk
    assert f"document {xml.pk} in claim {first.pk}" in violation.message


def test_a_rejected_claim_no_longer_holds_the_invoice(invoice_files):
    # Given the invoice's XML in a claim that finance rejected
    org = make_org()
    client = api_for(org.employee)
    first = ClaimFactory(owner=org.employee)
    upload_processed(client, invoice_files["xml"], "invoice.xml", first)
    workflow.claim_submit(actor=org.employee, claim_id=first.pk)
    workflow.claim_reject(actor=org.manager, claim_id=first.pk, comment="wrong project")
    # When its OFD is claimed again / then that claim may be submitted
    second = ClaimFactory(owner=org.employee)
    upload_processed(client, invoice_files["ofd"], "invoice.ofd", second)
    assert workflow.claim_submit(actor=org.employee, claim_id=second.pk).status == "submitted"


def test_the_same_invoice_from_another_employee_is_still_a_duplicate(invoice_files):
    # Given Alice's XML of the invoice
    org = make_org()
    alice_claim = ClaimFactory(owner=org.employee)
    xml = upload_processed(api_for(org.employee), invoice_files["xml"], "a.xml", alice_claim)
    # When Bob uploads the invoice's OFD
    bob_claim = ClaimFactory(owner=org.outsider)
    ofd = upload_processed(api_for(org.outsider), invoice_files["ofd"], "b.ofd", bob_claim)
    # Then it is flagged as a duplicate, as before, not linked
    assert ofd.duplicate_of_id == xml.pk and ofd.duplicate_reason == "business_key"
    assert ofd.same_invoice_as_id is None
    assert ofd.status == "needs_review"


def test_the_same_file_twice_is_still_a_duplicate(invoice_files):
    # Given the invoice's XML, uploaded twice by the same employee into a claim
    org = make_org()
    client = api_for(org.employee)
    claim = ClaimFactory(owner=org.employee)
    first = upload_processed(client, invoice_files["xml"], "invoice.xml", claim)
    again = upload_processed(client, invoice_files["xml"], "invoice (1).xml", claim)
    # Then the second copy is a duplicate to remove, not another file of the invoice
    assert again.duplicate_of_id == first.pk and again.same_invoice_as_id is None
