"""Virus scanning against the real clamd (EICAR test signatures)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from reimbursements import scanning
from reimbursements.documents.scan import document_scan
from reimbursements.models import AuditEvent, Document, ScanResult
from tests.conftest import eicar_bytes, jpeg_bytes, pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(tmp_path: Path, settings) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.QUARANTINE_ROOT = tmp_path / "quarantine"
    return settings.MEDIA_ROOT


def stored_document(owner, data: bytes, mime: str = "application/octet-stream") -> Document:
    """A document row as intake would leave it, with arbitrary stored bytes.

    Intake refuses most malicious containers outright; this puts the bytes behind it
    to prove the scanner itself catches them.
    """
    document = Document(owner=owner, sha256="0" * 64, size=len(data), mime_type=mime)
    document.file.save("x", ContentFile(data), save=False)
    document.save()
    return document


def zipped_eicar() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", b"nothing to see")
        archive.writestr("eicar.com", eicar_bytes())
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [eicar_bytes(), zipped_eicar(), pdf_bytes() + eicar_bytes()],
    ids=["raw", "inside-zip", "appended-to-pdf"],
)
def test_eicar_makes_the_document_infected_and_unreachable(make_user, media_root, data):
    # Given a stored document carrying the EICAR test virus
    document = stored_document(make_user("employee"), data)
    path = Path(document.file.path)
    # When it is scanned by clamd
    status = document_scan(document_id=document.pk)
    # Then it is infected, the file is gone, the owner gets a message and it is audited
    document.refresh_from_db()
    assert status == Document.Status.INFECTED
    assert document.status == Document.Status.INFECTED
    assert not path.exists()
    assert document.file.name == ""
    assert "virus" in document.error.lower()
    scan = document.scans.get()
    assert scan.verdict == ScanResult.Verdict.INFECTED
    assert "Eicar" in scan.signature
    assert AuditEvent.objects.filter(
        action="document.infected", object_id=str(document.pk)
    ).exists()


def test_quarantine_policy_keeps_the_file_out_of_reach(make_user, media_root, settings):
    # Given the quarantine policy
    settings.INFECTED_FILE_POLICY = "quarantine"
    document = stored_document(make_user("employee"), eicar_bytes())
    name = Path(document.file.path).name
    # When the infected document is scanned
    document_scan(document_id=document.pk)
    # Then the file sits in the quarantine directory, not in media
    assert (Path(settings.QUARANTINE_ROOT) / name).exists()
    assert list(media_root.rglob(name)) == []


@pytest.mark.parametrize(
    ("data", "mime"),
    [(jpeg_bytes(), "image/jpeg"), (png_bytes(), "image/png"), (pdf_bytes(), "application/pdf")],
    ids=["jpeg", "png", "pdf"],
)
def test_clean_files_are_marked_clean_with_the_scanner_version(make_user, data, mime):
    document = stored_document(make_user("employee"), data, mime)
    status = document_scan(document_id=document.pk)
    document.refresh_from_db()
    assert status == document.status == Document.Status.CLEAN
    scan = document.scans.get()
    assert scan.verdict == ScanResult.Verdict.CLEAN
    assert scan.scanner_version.startswith("ClamAV")


def test_scanning_twice_is_idempotent(make_user):
    document = stored_document(make_user("employee"), png_bytes(), "image/png")
    document_scan(document_id=document.pk)
    document_scan(document_id=document.pk)
    assert document.scans.count() == 1


def test_scanner_down_keeps_the_document_waiting_visibly(make_user, settings, tmp_path):
    # Given clamd's socket points nowhere
    settings.CLAMD_SOCKET = str(tmp_path / "no-such.sock")
    document = stored_document(make_user("employee"), png_bytes(), "image/png")
    # When the scan runs, then it raises for a retry and the document waits in 'scanning'
    with pytest.raises(scanning.ScannerUnavailable):
        document_scan(document_id=document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.SCANNING
    assert "retried automatically" in document.error
    assert document.scans.count() == 0


def test_file_too_large_for_the_scanner_is_rejected_not_skipped(make_user, settings):
    settings.CLAMD_STREAM_MAX_BYTES = 100
    document = stored_document(make_user("employee"), png_bytes((200, 200)), "image/png")
    status = document_scan(document_id=document.pk)
    document.refresh_from_db()
    assert status == Document.Status.REJECTED
    assert document.scans.get().verdict == ScanResult.Verdict.TOO_LARGE
    assert document.file.name == ""


def test_uploaded_pdf_with_eicar_appended_passes_intake_and_is_caught(make_user, settings):
    # Given a real upload through the API of a valid PDF with EICAR appended
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(make_user("employee"))
    response = client.post(
        "/api/v1/documents/",
        {"file": SimpleUploadedFile("invoice.pdf", pdf_bytes() + eicar_bytes())},
        format="multipart",
    )
    assert response.status_code == 201
    document_id = response.json()["id"]
    # When the scan task's service runs
    document_scan(document_id=document_id)
    # Then the API reports it infected and the file cannot be downloaded
    body = client.get(f"/api/v1/documents/{document_id}/").json()
    assert body["status"] == "infected"
    assert body["scan"]["verdict"] == "infected"
    assert body["file_url"] is None
    assert client.get(f"/api/v1/documents/{document_id}/file/").status_code == 404
