"""Upload intake through the real API: good files are stored, bad ones leave nothing."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from reimbursements.models import AuditEvent, Document
from tests.conftest import jpeg_bytes, pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(make_user) -> APIClient:
    api = APIClient()
    api.force_authenticate(make_user("employee"))
    return api


@pytest.fixture(autouse=True)
def media_root(tmp_path: Path, settings) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(client: APIClient, data: bytes, name: str = "invoice.jpg", **extra):
    return client.post(
        "/api/v1/documents/",
        {"file": SimpleUploadedFile(name, data, content_type="image/jpeg"), **extra},
        format="multipart",
    )


def stored_files(media_root: Path) -> list[Path]:
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


def assert_nothing_stored(media_root: Path) -> None:
    assert Document.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    assert stored_files(media_root) == []


def test_clean_png_is_stored_and_reported_as_received(client, media_root):
    # Given a valid PNG
    # When it is uploaded
    response = upload(client, png_bytes(), name="receipt.png")
    # Then it is accepted with id, status and url, and one file is stored
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "received"
    assert body["url"] == f"/api/v1/documents/{body['id']}/"
    assert body["mime_type"] == "image/png"
    assert len(stored_files(media_root)) == 1


def test_user_filename_is_never_used_as_a_path(client, media_root):
    # Given a filename that tries to escape the media directory
    response = upload(client, png_bytes(), name="../../etc/passwd.png")
    # Then the file lands under a random name and the display name has no path parts
    assert response.status_code == 201
    (path,) = stored_files(media_root)
    assert "passwd" not in path.name
    assert response.json()["original_filename"] == "passwd.png"


def test_jpeg_is_reencoded_upright_without_exif(client, media_root):
    # Given a landscape JPEG whose EXIF says "rotate 90" and carries GPS data
    response = upload(client, jpeg_bytes((80, 40), exif_orientation=6))
    assert response.status_code == 201
    (path,) = stored_files(media_root)
    # Then the stored image is upright (portrait) and has no EXIF at all
    with Image.open(path) as stored:
        assert stored.size == (40, 80)
        assert not stored.getexif()


def _noisy_photo() -> Image.Image:
    image = Image.new("RGB", (120, 90))
    image.putdata(
        [((x * 7) % 256, (y * 5) % 256, (x * y) % 256) for y in range(90) for x in range(120)]
    )
    return image


@pytest.mark.parametrize("progressive", [False, True], ids=["baseline", "progressive"])
def test_upright_jpeg_keeps_its_pixels_and_loses_its_metadata(client, media_root, progressive):
    # Given an upright JPEG with GPS in its EXIF, a comment, and bytes after its end marker
    exif = Image.Exif()
    exif[0x0112] = 1
    exif[0x8825] = {2: (1.0, 2.0, 3.0)}
    out = io.BytesIO()
    _noisy_photo().save(out, format="JPEG", exif=exif, comment=b"secret", progressive=progressive)
    sent = out.getvalue() + b"<html><script>alert(1)</script>"
    # When it is uploaded
    response = upload(client, sent)
    # Then the stored file decodes to exactly the same pixels, without EXIF, comment or trailer
    assert response.status_code == 201, response.content
    (path,) = stored_files(media_root)
    stored = path.read_bytes()
    assert b"secret" not in stored and b"<html>" not in stored and b"Exif" not in stored
    assert stored.endswith(b"\xff\xd9")
    with Image.open(path) as image, Image.open(io.BytesIO(sent)) as original:
        assert not image.getexif()
        assert image.tobytes() == original.tobytes()


def test_png_keeps_its_pixels_and_loses_its_text_chunks(client, media_root):
    # Given a PNG carrying text metadata
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Zhang San 13800138000")
    out = io.BytesIO()
    _noisy_photo().save(out, format="PNG", pnginfo=info)
    # When it is uploaded
    response = upload(client, out.getvalue(), name="shot.png")
    # Then the stored PNG has the same pixels and no text chunk
    assert response.status_code == 201, response.content
    (path,) = stored_files(media_root)
    assert b"13800138000" not in path.read_bytes()
    with Image.open(path) as image:
        assert image.tobytes() == _noisy_photo().tobytes()


def test_jpeg_cut_short_inside_its_image_data_is_refused(client, media_root):
    # Given a JPEG whose entropy-coded data stops half way (no end marker)
    out = io.BytesIO()
    _noisy_photo().save(out, format="JPEG", quality=95)
    data = out.getvalue()
    # When it is uploaded / then it is refused as damaged and nothing is stored
    response = upload(client, data[: len(data) * 2 // 3])
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "corrupt_image"
    assert_nothing_stored(media_root)


def test_pdf_is_stored_with_its_page_count(client, media_root):
    response = upload(client, pdf_bytes(pages=3), name="invoice.pdf")
    assert response.status_code == 201, response.content
    assert response.json()["page_count"] == 3
    assert response.json()["mime_type"] == "application/pdf"


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b"", 400, "empty_file"),
        (b"just some text, not an image", 415, "unsupported_type"),
        (jpeg_bytes()[:200], 400, "corrupt_image"),
        (b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>", 400, "corrupt_image"),
        (b"PK\x03\x04" + b"\x00" * 40, 400, "archive_refused"),
    ],
    ids=["empty", "text-named-jpg", "truncated-jpeg", "html-png-polyglot", "broken-zip"],
)
def test_bad_files_get_a_clear_4xx_and_leave_nothing(client, media_root, data, status, code):
    # Given a file that is not an acceptable document
    # When it is uploaded (always with an innocent .jpg name)
    response = upload(client, data)
    # Then it is refused with a stable code and a human message, and nothing is stored
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]
    assert_nothing_stored(media_root)


def test_pixel_bomb_is_refused(client, media_root, settings):
    # Given an image that decodes to far more pixels than allowed (small on disk)
    settings.IMAGE_MAX_PIXELS = 1_000_000
    out = io.BytesIO()
    Image.new("1", (4000, 4000)).save(out, format="PNG")
    # When it is uploaded, then it is refused before decoding and nothing is stored
    response = upload(client, out.getvalue(), name="bomb.png")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "image_too_large"
    assert_nothing_stored(media_root)


def test_png_above_the_full_decode_limit_is_refused_naming_the_limit(client, media_root, settings):
    # Given a PNG limit of 1 MP (PNG is decoded in full) and a 1.2 MP PNG
    settings.IMAGE_MAX_PIXELS = 1_000_000
    out = io.BytesIO()
    Image.new("RGB", (1200, 1000), "white").save(out, format="PNG")
    # When it is uploaded
    response = upload(client, out.getvalue(), name="scan.png")
    # Then a 413 names the PNG limit and the JPEG one, and nothing is stored
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "image_too_large"
    assert "limited to 1 megapixels" in error["message"]
    assert "JPEG photos up to 200 megapixels" in error["message"]
    assert_nothing_stored(media_root)


def test_rotated_jpeg_above_the_full_decode_limit_is_stored_as_uploaded(
    client, media_root, settings
):
    # Given a full-decode limit below a sideways phone JPEG (EXIF orientation 6, GPS)
    settings.IMAGE_MAX_PIXELS = 1_000_000
    data = jpeg_bytes((1600, 1200), exif_orientation=6)
    # When it is uploaded
    response = upload(client, data)
    # Then it is accepted with its pixels untouched, only its orientation tag kept
    assert response.status_code == 201, response.content
    (path,) = stored_files(media_root)
    with Image.open(path) as stored:
        assert stored.size == (1600, 1200)
        assert dict(stored.getexif()) == {0x0112: 6}
    assert path.read_bytes().endswith(data[data.index(b"\xff\xdb") :])


def test_a_strip_twenty_times_longer_than_wide_is_refused(client, media_root):
    # Given a 4200x200 PNG (a 1:21 strip is not a document)
    out = io.BytesIO()
    Image.new("L", (4200, 200), 255).save(out, format="PNG")
    # When it is uploaded / Then a 422 says why, and nothing is stored
    response = upload(client, out.getvalue(), name="strip.png")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "image_too_elongated"
    assert "20 times longer" in response.json()["error"]["message"]
    assert_nothing_stored(media_root)


def test_oversize_upload_is_refused_while_streaming(client, media_root, settings):
    # Given a limit of 100 KB and a 300 KB body
    settings.UPLOAD_MAX_BYTES = 100 * 1024
    response = upload(client, png_bytes() + b"\x00" * (300 * 1024))
    # Then it is a 413 and nothing is stored
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "file_too_large"
    assert_nothing_stored(media_root)


def test_oversize_upload_stops_reading_at_the_limit(settings, rf):
    # Given the upload handler and a body far beyond the limit
    from django.core.files.uploadhandler import StopUpload

    from reimbursements.intake import LimitedUploadHandler

    settings.UPLOAD_MAX_BYTES = 1024
    request = rf.post("/api/v1/documents/")
    handler = LimitedUploadHandler(request)
    handler.new_file("file", "x.png", "image/png", None)
    # When chunks arrive, then reading stops at the first chunk past the limit
    handler.receive_data_chunk(b"a" * 1000, 0)
    with pytest.raises(StopUpload):
        handler.receive_data_chunk(b"a" * 1000, 1000)
    assert request.upload_too_large is True


def test_encrypted_pdf_is_refused_with_a_clear_message(client, media_root):
    # Given a password-protected PDF
    data = pdf_bytes(encrypted=True)
    # When it is uploaded
    response = upload(client, data, name="locked.pdf")
    # Then the owner is told to upload an unprotected copy, and nothing is stored
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "pdf_encrypted"
    assert_nothing_stored(media_root)


def test_pdf_over_the_page_limit_is_refused(client, media_root, settings):
    settings.PDF_MAX_PAGES = 2
    response = upload(client, pdf_bytes(pages=3), name="long.pdf")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "pdf_too_many_pages"
    assert_nothing_stored(media_root)


def test_upload_without_a_file_is_refused(client, media_root):
    response = client.post("/api/v1/documents/", {"claim": ""}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "file_missing"
    assert_nothing_stored(media_root)


def test_upload_into_someone_elses_claim_is_refused(client, media_root, make_user):
    from tests.reimbursements.factories import ClaimFactory

    other_claim = ClaimFactory(owner=make_user("employee"))
    response = upload(client, png_bytes(), claim=other_claim.pk)
    assert response.status_code == 404
    assert_nothing_stored(media_root)


def test_eicar_inside_a_zip_is_not_an_accepted_type(client, media_root):
    # Given a zip (an archive is never an invoice)
    from tests.conftest import eicar_bytes

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("eicar.com", eicar_bytes())
    response = upload(client, out.getvalue(), name="invoice.zip")
    # Then it is refused at intake: nothing is stored for anything else to read
    assert response.status_code == 415
    assert_nothing_stored(media_root)


def test_settings_upload_limit_default_is_20_mb():
    assert settings.UPLOAD_MAX_BYTES == 20 * 1024 * 1024
