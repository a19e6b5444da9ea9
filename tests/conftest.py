"""Fixtures shared by the whole suite: users per role, API clients, test files."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

import pytest
from PIL import Image


@pytest.fixture(autouse=True)
def no_celery_conf_override() -> Iterator[None]:
    """Celery reads Django's settings on each use, but a value assigned to
    ``celery_app.conf`` stays as an override even when the "old" value is put back, and
    shadows that setting (CELERY_TASK_ALWAYS_EAGER, ...) for every later test. Tests change
    Celery through the ``settings`` fixture; this fails the test that leaves one behind."""
    from invoice_assistant.celery import app

    def overridden() -> set[str]:
        # Membership, not iteration: before the app is finalized, ``changes`` iterates
        # over the whole configuration but answers ``in`` for the overrides only.
        changes = app.conf.changes or {}
        return {key for key in app.conf if key in changes}

    before = overridden()
    yield
    left = sorted(overridden() - before)
    assert not left, f"celery_app.conf overrides left behind (use the settings fixture): {left}"


@pytest.fixture
def make_user(db: None) -> Callable[..., object]:
    from tests.reimbursements.factories import UserFactory

    def make(*roles: str, username: str | None = None) -> object:
        kwargs = {"username": username} if username else {}
        return UserFactory(roles=roles or ("employee",), **kwargs)

    return make


def png_bytes(size: tuple[int, int] = (64, 48), color: str = "white") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def jpeg_bytes(size: tuple[int, int] = (64, 48), exif_orientation: int | None = None) -> bytes:
    image = Image.new("RGB", size, "white")
    out = io.BytesIO()
    if exif_orientation is None:
        image.save(out, format="JPEG")
    else:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        exif[0x8825] = {2: (1.0, 2.0, 3.0)}  # GPSLatitude: must be stripped on intake
        image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def pdf_bytes(pages: int = 1, text: str = "Invoice", *, encrypted: bool = False) -> bytes:
    """A minimal valid PDF written by hand (one text line per page).

    ``encrypted`` adds a Standard security handler whose user password is not empty,
    which is what makes a reader demand a password.
    """
    objects: list[bytes] = []
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode())
    font_ref = 3 + 2 * pages
    for i in range(pages):
        content = f"BT /F1 24 Tf 72 720 Td ({text} {i + 1}) Tj ET".encode()
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 {font_ref} 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    encrypt = (
        " /Encrypt << /Filter /Standard /V 1 /R 2 /P -4"
        " /O <" + "ab" * 32 + "> /U <" + "cd" * 32 + "> >>"
        " /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>]"
        if encrypted
        else ""
    )
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R{encrypt} >>\n"
        f"startxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def eicar_bytes() -> bytes:
    """The EICAR test string, assembled at run time so the repo itself stays clean."""
    return b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-" + b"TEST-FILE!$H+H*"


@pytest.fixture(scope="session")
def tiny_glm_dir(tmp_path_factory: pytest.TempPathFactory):
    """A tiny random GLM-4V model + processor saved to disk, built once per session."""
    import torch

    from tests.extraction.tiny_glm import build_tiny_glm

    # On 2 shared cores, tiny models run ~500x slower with torch's default thread count.
    torch.set_num_threads(1)
    return build_tiny_glm(tmp_path_factory.mktemp("tiny_glm"))


# A scripted local OpenAI-compatible server (the remote engine's test peer), shared with
# the API tests of POST /api/v1/inference.
from tests.extraction.engines.test_remote import server  # noqa: E402, F401
