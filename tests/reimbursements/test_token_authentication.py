"""Token authentication through the pre-built statement: the same answers as DRF's ORM query."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from rest_framework import authentication as drf_authentication
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from reimbursements.api.authentication import TokenAuthentication

pytestmark = pytest.mark.django_db


def test_a_token_gives_the_same_user_and_token_as_drfs_lookup(make_user):
    # Given a user with a token and a few non-default attributes
    user = make_user("employee")
    User.objects.filter(pk=user.pk).update(first_name="Emma", email="emma@example.com")
    token = Token.objects.create(user=user)
    # When both classes authenticate the key
    ours_user, ours_token = TokenAuthentication().authenticate_credentials(token.key)
    drf_user, drf_token = drf_authentication.TokenAuthentication().authenticate_credentials(
        token.key
    )
    # Then every field of the user and of the token is the same, and no query is left lazy
    for field in User._meta.concrete_fields:
        assert getattr(ours_user, field.attname) == getattr(drf_user, field.attname), field.name
    assert (ours_token.key, ours_token.user_id, ours_token.created) == (
        drf_token.key,
        drf_token.user_id,
        drf_token.created,
    )
    assert ours_token.user is ours_user
    assert ours_user._state.adding is False


def test_an_unknown_token_is_refused_with_a_clear_401():
    # Given a key that no token has / when it is used / then a 401 says why
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert "Invalid token" in response.content.decode()


def test_the_token_of_an_inactive_user_is_refused(make_user):
    # Given a deactivated user whose token still exists
    user = make_user("employee")
    token = Token.objects.create(user=user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    # When it is used
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.get("/api/v1/me/")
    # Then it is refused
    assert response.status_code == 401
    assert "inactive" in response.content.decode()


def test_the_api_authenticates_with_this_class(make_user, django_assert_num_queries):
    # Given a user with a token
    token = Token.objects.create(user=make_user("employee"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    # When the cheapest API answer is asked for / then it takes the one lookup (the roles
    # of /me/ are a second query) and succeeds
    with django_assert_num_queries(2) as captured:
        response = client.get("/api/v1/me/")
    assert response.status_code == 200
    assert "JOIN" in captured.captured_queries[0]["sql"]
