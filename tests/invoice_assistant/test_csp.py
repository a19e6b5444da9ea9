"""Every answer carries the Content-Security-Policy; inline blocks carry its nonce."""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from rest_framework.test import APIClient

from reimbursements.models import Document
from tests.conftest import png_bytes
from tests.reimbursements.factories import UserFactory

pytestmark = pytest.mark.django_db


def header_nonce(policy: str) -> str:
    match = re.search(r"script-src [^;]*'nonce-([^']+)'", policy)
    assert match, policy
    return match.group(1)


@pytest.mark.parametrize("url", ["/login/", "/admin/login/", "/api/docs/", "/api/v1/me/"])
def test_every_page_and_api_answer_carries_the_policy(client, url):
    response = client.get(url)
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_inline_blocks_carry_the_nonce_of_their_answer(client):
    # Given the sign-in page (an inline style) and the API docs (an inline start-up script)
    for url, tag in (("/login/", "style"), ("/api/docs/", "script")):
        # When each is fetched
        response = client.get(url)
        # Then every inline block carries the nonce the header allows, fresh per answer
        nonce = header_nonce(response["Content-Security-Policy"])
        inline = re.findall(rf"<{tag}(?![^>]*\bsrc=)([^>]*)>", response.content.decode())
        assert inline and all(f'nonce="{nonce}"' in attributes for attributes in inline)
        assert header_nonce(client.get(url)["Content-Security-Policy"]) != nonce


def test_the_api_docs_load_swagger_ui_from_our_own_static_files(client):
    body = client.get("/api/docs/").content.decode()
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', body)
    assert sources and all(src.startswith("/static/drf_spectacular_sidecar/") for src in sources)
    assert "cdn.jsdelivr.net" not in body


def test_a_stored_file_keeps_its_stricter_sandbox_policy(settings, tmp_path):
    # Given a scanned document of its owner
    settings.MEDIA_ROOT = tmp_path
    owner = UserFactory(roles=("employee",))
    document = Document(owner=owner, sha256="a" * 64, size=10, mime_type="image/png")
    document.file.save("x", ContentFile(png_bytes()), save=False)
    document.masked_file.save("m", ContentFile(png_bytes()), save=False)
    document.status = Document.Status.CLEAN
    document.save()
    client = APIClient()
    client.force_authenticate(owner)
    # When the file is downloaded
    response = client.get(f"/api/v1/documents/{document.pk}/file/")
    # Then it is served with its own policy, not the pages' one
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
