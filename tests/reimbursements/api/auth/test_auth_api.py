"""Token auth for clients, session auth + CSRF for the browser."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def test_token_is_issued_for_valid_credentials(make_user):
    user = make_user("employee")
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    assert len(response.json()["token"]) == 64


def test_wrong_password_gets_a_clear_400(make_user):
    user = make_user("employee")
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": user.username, "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_token_authenticates_api_requests(make_user):
    user = make_user("employee")
    token = (
        APIClient()
        .post(
            "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, format="json"
        )
        .json()["token"]
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["username"] == user.username
    assert response.json()["roles"] == ["employee"]


def test_anonymous_requests_are_refused():
    response = APIClient().get("/api/v1/documents/")
    assert response.status_code in (401, 403)
    assert "error" in response.json()


def test_session_writes_without_csrf_token_are_refused(make_user):
    # Given a browser session (CSRF checks on, as in a real browser)
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("employee"))
    # When it posts without the CSRF token, then it is refused
    response = client.post("/api/v1/claims/", {"title": "Trip"}, content_type="application/json")
    assert response.status_code == 403
    assert "csrf" in response.json()["error"]["message"].lower()


def test_session_writes_with_csrf_token_succeed(make_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("employee"))
    client.get("/")  # the app page sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/api/v1/claims/",
        {"title": "Trip"},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201


def test_browser_login_page_signs_in(make_user):
    user = make_user("employee")
    client = Client()
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/api/v1/me/").json()["username"] == user.username
