"""Token authentication through the pre-built statement: knox's hashed tokens, one lookup."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from knox import auth as knox_auth
from knox.models import AuthToken
from rest_framework.test import APIClient

from reimbursements.api.authentication import TokenAuthentication
from reimbursements.tokens import auth_token_issue

pytestmark = pytest.mark.django_db


def client_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_gives_the_same_user_and_token_as_knoxs_lookup(make_user):
    # Given a user with a token and a few non-default attributes
    user = make_user("employee")
    User.objects.filter(pk=user.pk).update(first_name="Emma", email="emma@example.com")
    key = auth_token_issue(user=user).key
    # When both classes authenticate the key
    ours_user, ours_token = TokenAuthentication().authenticate_credentials(key.encode())
    knox_user, knox_token = knox_auth.TokenAuthentication().authenticate_credentials(key.encode())
    # Then every field of the user and of the token is the same, and no query is left lazy
    for field in User._meta.concrete_fields:
        assert getattr(ours_user, field.attname) == getattr(knox_user, field.attname), field.name
    for field in AuthToken._meta.concrete_fields:
        assert getattr(ours_token, field.attname) == getattr(knox_token, field.attname)
    assert ours_token.user is ours_user
    assert ours_user._state.adding is False


def test_an_unknown_token_is_refused_with_a_clear_401():
    # Given a key that no token has / when it is used / then a 401 says why
    response = client_with("0" * 64).get("/api/v1/me/")
    assert response.status_code == 401
    assert "Invalid token" in response.content.decode()


def test_the_token_of_an_inactive_user_is_refused(make_user):
    # Given a deactivated user whose token still exists
    user = make_user("employee")
    key = auth_token_issue(user=user).key
    User.objects.filter(pk=user.pk).update(is_active=False)
    # When it is used / then it is refused
    response = client_with(key).get("/api/v1/me/")
    assert response.status_code == 401
    assert "inactive" in response.content.decode()


def test_an_expired_token_is_refused_and_removed(make_user):
    # Given a token whose expiry has passed
    key = auth_token_issue(user=make_user("employee")).key
    AuthToken.objects.update(expiry=timezone.now() - dt.timedelta(seconds=1))
    # When it is used
    response = client_with(key).get("/api/v1/me/")
    # Then a 401 says to sign in again, and the row is gone
    assert response.status_code == 401
    assert "expired" in response.json()["error"]["message"]
    assert not AuthToken.objects.exists()


def test_the_api_authenticates_with_this_class(make_user, django_assert_num_queries):
    # Given a user with a token
    key = auth_token_issue(user=make_user("employee")).key
    # When the cheapest API answer is asked for / then it takes the one lookup (the roles
    # of /me/ are a second query; its allowed_actions ask for the user's and their
    # groups' permissions, two more) and succeeds
    with django_assert_num_queries(4) as captured:
        response = client_with(key).get("/api/v1/me/")
    assert response.status_code == 200
    assert "JOIN" in captured.captured_queries[0]["sql"]
