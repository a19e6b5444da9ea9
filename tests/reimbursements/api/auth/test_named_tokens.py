"""Named API tokens for integrations (issue 19, item 7): created, listed and revoked by the
person, the key shown once, working as their token, not retired by device sign-ins."""

from __future__ import annotations

import pytest
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from reimbursements.models import NamedToken
from tests.reimbursements.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def session(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def with_key(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def create(user, name: str = "accounting export", **extra):
    return session(user).post("/api/v1/tokens/", {"name": name, **extra}, format="json")


def test_a_created_token_is_shown_once_and_works():
    # Given an integrator's account
    user = UserFactory(roles=("employee", "finance"))
    # When they create a token named for their accounting system
    response = create(user, "用友 export", days=30)
    # Then the answer holds the key once, with name and expiry, and the key works
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "用友 export" and body["token"]
    expiry = AuthToken.objects.get(user=user).expiry
    assert (expiry - timezone.now()).days in (29, 30)
    assert with_key(body["token"]).get("/api/v1/me/").json()["username"] == user.username
    # And the list shows it without the key
    (listed,) = session(user).get("/api/v1/tokens/").json()
    assert listed["name"] == "用友 export" and "token" not in listed


def test_a_revoked_token_stops_working():
    user = UserFactory()
    body = create(user).json()
    response = session(user).delete(f"/api/v1/tokens/{body['id']}/")
    assert response.status_code == 204
    assert with_key(body["token"]).get("/api/v1/me/").status_code == 401
    assert session(user).get("/api/v1/tokens/").json() == []


def test_nobody_else_can_see_or_revoke_a_token():
    owner, other = UserFactory(), UserFactory()
    body = create(owner).json()
    assert session(other).get("/api/v1/tokens/").json() == []
    assert session(other).delete(f"/api/v1/tokens/{body['id']}/").status_code == 404
    assert with_key(body["token"]).get("/api/v1/me/").status_code == 200


def test_device_sign_ins_never_retire_a_named_token(settings):
    # Given a named token and a cap of 2 device tokens
    settings.TOKEN_MAX_PER_USER = 2
    user = UserFactory()
    body = create(user).json()
    # When the person signs in on three devices
    for _ in range(3):
        response = APIClient().post(
            "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, format="json"
        )
        assert response.status_code == 200
    # Then the integration's token still works (only device tokens were retired)
    assert with_key(body["token"]).get("/api/v1/me/").status_code == 200
    assert AuthToken.objects.filter(user=user, named__isnull=True).count() == 2


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"HTTP_ACCEPT_LANGUAGE": "en"}, "You already have a token named accounting export."),
        ({"HTTP_ACCEPT_LANGUAGE": "zh-CN"}, "您已有名为 accounting export 的令牌。"),
    ],
)
def test_two_live_tokens_cannot_share_a_name(headers, expected):
    user = UserFactory()
    create(user)
    response = session(user).post(
        "/api/v1/tokens/", {"name": "accounting export"}, format="json", **headers
    )
    assert response.status_code == 409
    assert response.json()["error"]["message"] == expected
    assert NamedToken.objects.count() == 1


def test_a_token_needs_a_name_and_a_sane_lifetime():
    user = UserFactory()
    assert create(user, "   ").status_code == 400
    assert create(user, "x", days=0).status_code == 400
    assert create(user, "x", days=99999).status_code == 400
    assert NamedToken.objects.count() == 0
