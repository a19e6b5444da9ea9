"""Intake of e-invoice files and batches: OFD, 数电票 XML, zips of them, PDFs of several
invoices. Good ones become one document each; a bad one leaves nothing behind."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from reimbursements.models import AuditEvent, Document, UploadBatch
from synth import generate_document
from tests.conftest import pdf_bytes, png_bytes
from tests.extraction.machine.einvoice_files import (
    einvoice_xml,
    mark_encrypted,
    ofd_package,
    zip_bytes,
)
from tests.reimbursements.factories import ClaimFactory

pytestmark = pytest.mark.django_db

XML_BOMB = (
    b'<?xml version="1.0"?>\n<!DOCTYPE EInvoice [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
    b"]>\n<EInvoice><Header><EIid>&c;</EIid></Header></EInvoice>"
)
XML_EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?>\n<!DOCTYPE EInvoice [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    b"<EInvoice><Header><EIid>&x;</EIid></Header></EInvoice>"
)


@pytest.fixture
def user(make_user):
    return make_user("employee")


@pytest.fixture
def client(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture(autouse=True)
def media_root(tmp_path: Path, settings) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(client: APIClient, data: bytes, name: str, **extra):
    return client.post(
        "/api/v1/documents/",
        {"file": SimpleUploadedFile(name, data, content_type="application/octet-stream"), **extra},
        format="multipart",
    )


def stored_files(media_root: Path) -> list[Path]:
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


def assert_nothing_stored(media_root: Path) -> None:
    assert Document.objects.count() == 0
    assert UploadBatch.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    assert stored_files(media_root) == []


def three_invoice_pdf() -> bytes:
    pages = [
        Image.open(io.BytesIO(generate_document("vat_special", seed=s, photo=False).image_bytes))
        for s in (11, 12, 13)
    ]
    out = io.BytesIO()
    first, *rest = [page.convert("RGB") for page in pages]
    first.save(out, format="PDF", save_all=True, append_images=rest, resolution=150)
    return out.getvalue()


# --- single e-invoice files ------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "mime"),
    [(ofd_package(), "application/ofd"), (einvoice_xml(), "application/xml")],
    ids=["ofd", "xml"],
)
def test_an_einvoice_file_is_stored_as_one_document(client, media_root, data, mime):
    # Given a 数电票 as OFD or XML, named like a photo (the name never decides the type)
    # When it is uploaded
    response = upload(client, data, "scan.jpg")
    # Then it is one document of that type, stored as sent, in the single-file answer shape
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["mime_type"] == mime and body["page_count"] == 1
    assert body["batch"] is None
    (path,) = stored_files(media_root)
    assert path.read_bytes() == data
    assert path.suffix == ".ofd" if mime == "application/ofd" else ".xml"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (XML_BOMB, "DTD or entities"),
        (XML_EXTERNAL_ENTITY, "DTD or entities"),
        (b"<?xml version='1.0'?><html><body>hi</body></html>", "not a 数电票 XML"),
        (zip_bytes({"OFD.xml": b"<ofd:OFD"}), "OFD"),
    ],
    ids=["entity-bomb", "external-entity", "other-xml", "broken-ofd"],
)
def test_a_hostile_or_broken_einvoice_is_refused_with_its_reason(client, media_root, data, reason):
    # Given an XML bomb, an external entity, an XML that is no invoice, a broken OFD
    response = upload(client, data, "invoice.xml")
    # Then it is a 400 saying why, and nothing is stored
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] in {"invalid_xml", "invalid_ofd"}
    assert reason in error["message"]
    assert_nothing_stored(media_root)


# --- zip batches -----------------------------------------------------------------------


def test_a_zip_of_einvoices_becomes_one_document_per_member(client, user, media_root):
    # Given the tax platform's bulk download: a PDF, an OFD and an XML (in a folder), plus
    # the junk a Mac adds when it re-zips a folder
    archive = zip_bytes(
        {
            "invoices/a.pdf": pdf_bytes(),
            "invoices/b.ofd": ofd_package(),
            "invoices/c.xml": einvoice_xml(),
            "__MACOSX/invoices/._a.pdf": b"\x00\x05\x16\x07",
        }
    )
    # When it is uploaded into a claim
    claim = ClaimFactory(owner=user)
    response = upload(client, archive, "download.zip", claim=claim.pk)
    # Then the answer lists the batch and its three documents, each stored and queued on
    # its own (a scan each), linked to the batch and the claim
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["batch"]["kind"] == "archive"
    assert body["batch"]["document_count"] == 3
    assert body["batch"]["original_filename"] == "download.zip"
    documents = body["documents"]
    assert [d["mime_type"] for d in documents] == [
        "application/pdf",
        "application/ofd",
        "application/xml",
    ]
    assert [d["original_filename"] for d in documents] == ["a.pdf", "b.ofd", "c.xml"]
    assert {d["batch"] for d in documents} == {body["batch"]["id"]}
    assert {d["claim"] for d in documents} == {claim.pk}
    assert all(d["status"] == "received" for d in documents)
    assert len(stored_files(media_root)) == 3
    assert AuditEvent.objects.filter(action="document.uploaded").count() == 3


def bomb_member() -> bytes:
    return b"\x00" * (8 * 1024 * 1024)


@pytest.mark.parametrize(
    ("members", "member", "reason"),
    [
        ({"a.pdf": pdf_bytes(), "zeros.pdf": bomb_member()}, "zeros.pdf", "compression ratio"),
        (
            {"a.pdf": pdf_bytes(), "../../etc/cron.d/x.pdf": pdf_bytes()},
            "../../etc/cron.d/x.pdf",
            "..",
        ),
        ({"/abs/x.pdf": pdf_bytes()}, "/abs/x.pdf", "absolute path"),
        (
            {"a.pdf": pdf_bytes(), "inner.zip": zip_bytes({"b.pdf": pdf_bytes()})},
            "inner.zip",
            "nested archive",
        ),
        ({"a.pdf": pdf_bytes(), "notes.txt": b"just some text"}, "notes.txt", "not supported"),
        ({"a.pdf": pdf_bytes(), "bomb.xml": XML_BOMB}, "bomb.xml", "DTD or entities"),
        ({"a.pdf": pdf_bytes(), "x.xml": XML_EXTERNAL_ENTITY}, "x.xml", "DTD or entities"),
        ({"a.pdf": pdf_bytes(encrypted=True)}, "a.pdf", "password"),
    ],
    ids=[
        "zip-bomb",
        "path-traversal",
        "absolute-path",
        "nested-archive",
        "unsupported-member",
        "xml-bomb-member",
        "external-entity-member",
        "encrypted-pdf-member",
    ],
)
def test_a_bad_member_refuses_the_whole_batch_naming_it(
    client, media_root, members, member, reason
):
    # Given a zip with good members and one bad one
    archive = zip_bytes(members)
    # When it is uploaded
    response = upload(client, archive, "batch.zip")
    # Then a 4xx names the member and the reason, and not even the good members are stored
    assert 400 <= response.status_code < 500, response.content
    error = response.json()["error"]
    assert member in error["message"] and reason in error["message"]
    assert error["details"]["member"] == member
    assert_nothing_stored(media_root)


def test_an_encrypted_zip_member_is_refused_naming_it(client, media_root):
    # Given a zip whose second member is encrypted
    archive = mark_encrypted(zip_bytes({"a.pdf": pdf_bytes(), "b.ofd": ofd_package()}), "b.ofd")
    response = upload(client, archive, "batch.zip")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "archive_refused"
    assert error["details"] == {"member": "b.ofd", "reason": "encrypted members are not accepted"}
    assert_nothing_stored(media_root)


def test_an_ofd_inside_a_batch_is_not_a_nested_archive(client, media_root):
    # Given a batch holding only OFD files (each a zip itself), stored uncompressed
    archive = zip_bytes(
        {"1.ofd": ofd_package(), "2.ofd": ofd_package(namespace="none")},
        compression=zipfile.ZIP_STORED,
    )
    response = upload(client, archive, "ofds.zip")
    assert response.status_code == 201, response.content
    assert response.json()["batch"]["document_count"] == 2


def test_too_many_members_are_refused(client, media_root, settings):
    settings.UPLOAD_MAX_DOCUMENTS = 2
    archive = zip_bytes({f"{i}.png": png_bytes() for i in range(3)})
    response = upload(client, archive, "many.zip")
    assert response.status_code == 400
    assert "at most 2" in response.json()["error"]["message"]
    assert_nothing_stored(media_root)


def test_files_written_before_a_failure_are_removed(client, media_root, monkeypatch):
    # Given a batch of three good members, and storage that fails on the third write
    real_save = FileSystemStorage._save
    calls = []

    def failing_save(self, name, content):
        calls.append(name)
        if len(calls) == 3:
            raise OSError("disk full")
        return real_save(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", failing_save)
    archive = zip_bytes({"a.png": png_bytes(), "b.pdf": pdf_bytes(), "c.xml": einvoice_xml()})
    # When it is uploaded
    client.raise_request_exception = False
    response = upload(client, archive, "batch.zip")
    # Then the request fails and neither the rows nor the two files written remain
    assert response.status_code == 500
    assert len(calls) == 3
    assert_nothing_stored(media_root)


def test_a_batch_into_another_users_claim_stores_nothing(client, media_root, make_user):
    other_claim = ClaimFactory(owner=make_user("employee"))
    archive = zip_bytes({"a.png": png_bytes(), "b.xml": einvoice_xml()})
    response = upload(client, archive, "batch.zip", claim=other_claim.pk)
    assert response.status_code == 404
    assert_nothing_stored(media_root)


# --- one PDF, several invoices ---------------------------------------------------------


def test_a_pdf_of_three_invoices_becomes_three_documents(client, media_root):
    # Given one scanned PDF holding three different invoices
    data = three_invoice_pdf()
    # When it is uploaded
    response = upload(client, data, "march.pdf")
    # Then it becomes a batch of three single-page documents, one per invoice
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["batch"]["kind"] == "pdf" and body["batch"]["document_count"] == 3
    documents = body["documents"]
    assert [d["original_filename"] for d in documents] == [
        "march.pdf (page 1)",
        "march.pdf (page 2)",
        "march.pdf (page 3)",
    ]
    assert [d["page_count"] for d in documents] == [1, 1, 1]
    assert len({d["sha256"] for d in documents}) == 3
    assert len(stored_files(media_root)) == 3


def test_a_multi_page_pdf_of_one_invoice_stays_one_document(client, media_root):
    # Given a three-page PDF without any invoice number (one document of three pages)
    response = upload(client, pdf_bytes(pages=3), "contract.pdf")
    assert response.status_code == 201
    assert response.json()["page_count"] == 3
    assert response.json()["batch"] is None
