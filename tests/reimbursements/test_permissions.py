"""Who sees what: employees their own, approvers their team's, finance everything."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from rest_framework.test import APIClient

from reimbursements.models import Document
from tests.conftest import png_bytes
from tests.reimbursements.factories import ClaimFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(tmp_path: Path, settings) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world():
    """Two teams; a document and a claim owned by Alice (team A)."""
    approver_a = UserFactory(username="approver_a", roles=("employee", "approver"))
    approver_b = UserFactory(username="approver_b", roles=("employee", "approver"))
    alice = UserFactory(username="alice")
    bob = UserFactory(username="bob")
    TeamFactory(manager=approver_a).members.add(alice)
    TeamFactory(manager=approver_b).members.add(bob)
    finance = UserFactory(username="fin", roles=("employee", "finance"))
    admin = UserFactory(username="adm", roles=("admin",))
    document = Document(owner=alice, sha256="a" * 64, size=10, mime_type="image/png")
    document.file.save("x", ContentFile(png_bytes()), save=False)
    document.masked_file.save("m", ContentFile(png_bytes()), save=False)
    document.status = Document.Status.CLEAN
    document.save()
    claim = ClaimFactory(owner=alice)
    return {
        "alice": alice,
        "bob": bob,
        "approver_a": approver_a,
        "approver_b": approver_b,
        "finance": finance,
        "admin": admin,
        "document": document,
        "claim": claim,
    }


# (who, may see Alice's document and claim)
MATRIX = [
    ("alice", True),
    ("bob", False),
    ("approver_a", True),
    ("approver_b", False),
    ("finance", True),
    ("admin", True),
]


@pytest.mark.parametrize(("who", "allowed"), MATRIX)
def test_document_detail_visibility(world, who, allowed):
    client = APIClient()
    client.force_authenticate(world[who])
    response = client.get(f"/api/v1/documents/{world['document'].pk}/")
    assert response.status_code == (200 if allowed else 404)


@pytest.mark.parametrize(("who", "allowed"), MATRIX)
def test_document_file_visibility(world, who, allowed):
    client = APIClient()
    client.force_authenticate(world[who])
    response = client.get(f"/api/v1/documents/{world['document'].pk}/file/")
    assert response.status_code == (200 if allowed else 404)


@pytest.mark.parametrize(("who", "allowed"), MATRIX)
def test_claim_detail_visibility(world, who, allowed):
    client = APIClient()
    client.force_authenticate(world[who])
    response = client.get(f"/api/v1/claims/{world['claim'].pk}/")
    assert response.status_code == (200 if allowed else 404)


@pytest.mark.parametrize(("who", "allowed"), MATRIX)
def test_document_listing_with_scope_all(world, who, allowed):
    client = APIClient()
    client.force_authenticate(world[who])
    ids = [d["id"] for d in client.get("/api/v1/documents/?scope=all").json()["results"]]
    assert (world["document"].pk in ids) is allowed


def test_only_the_owner_may_edit_a_claim(world):
    # Given finance can see Alice's claim
    client = APIClient()
    client.force_authenticate(world["finance"])
    # When finance tries to rename it, then it is forbidden and unchanged
    response = client.patch(f"/api/v1/claims/{world['claim'].pk}/", {"title": "x"}, format="json")
    assert response.status_code == 403
    world["claim"].refresh_from_db()
    assert world["claim"].title != "x"


def test_file_download_is_an_attachment_that_is_never_sniffed(world):
    client = APIClient()
    client.force_authenticate(world["alice"])
    response = client.get(f"/api/v1/documents/{world['document'].pk}/file/?original=1")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_media_files_have_no_public_url(world, client):
    # The storage path is not routed anywhere: only the authorised view serves files.
    client.force_login(world["alice"])
    for name in (world["document"].file.name, world["document"].masked_file.name):
        for prefix in ("/media/", "/media-not-public/", "/static/"):
            assert client.get(prefix + name).status_code in (302, 404)
