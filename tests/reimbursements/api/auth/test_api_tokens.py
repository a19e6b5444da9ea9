"""API tokens: hashed at rest, one per sign-in, expiring, revocable, gone on a new password."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from knox.models import AuthToken
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def sign_in(user: User, password: str = PASSWORD) -> dict:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": user.username, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def client_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def works(key: str) -> bool:
    return client_with(key).get("/api/v1/me/").status_code == 200


def test_the_database_holds_only_a_digest_of_the_token(make_user):
    # Given a signed-in user
    key = sign_in(make_user("employee"))["token"]
    # When the token table is read / then no column holds the key, only its SHA-512
    row = AuthToken.objects.get()
    assert key not in {str(value) for value in row.__dict__.values()}
    assert row.digest == hashlib.sha512(key.encode()).hexdigest()


def test_the_plaintext_token_table_is_gone():
    # Given the migrated database / then DRF's plain-text token table no longer exists
    assert "authtoken_token" not in connection.introspection.table_names()


def test_each_sign_in_gets_its_own_token_and_both_work(make_user):
    # Given one user signing in on two devices
    user = make_user("employee")
    phone, laptop = sign_in(user)["token"], sign_in(user)["token"]
    # Then each device has its own token, and both authenticate
    assert phone != laptop
    assert works(phone) and works(laptop)


def test_the_token_answer_says_when_it_expires(make_user, settings):
    # Given tokens that live 48 hours
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": dt.timedelta(hours=48)}
    # When the user signs in
    body = sign_in(make_user("employee"))
    # Then the answer keeps its `token` key and adds the expiry, 48 hours from now
    expiry = parse_datetime(body["expiry"])
    assert expiry is not None
    assert abs(expiry - (timezone.now() + dt.timedelta(hours=48))) < dt.timedelta(minutes=1)
    assert len(body["token"]) == 64


def test_a_token_stops_working_when_it_expires(make_user):
    # Given a working token
    key = sign_in(make_user("employee"))["token"]
    assert works(key)
    # When its expiry passes / then it answers 401
    AuthToken.objects.update(expiry=timezone.now() - dt.timedelta(seconds=1))
    assert client_with(key).get("/api/v1/me/").status_code == 401


def test_a_new_password_signs_every_device_out(make_user):
    # Given a user signed in on two devices
    user = make_user("employee")
    phone, laptop = sign_in(user)["token"], sign_in(user)["token"]
    # When the password is changed (as the admin and `changepassword` do)
    user.set_password("a brand new passphrase 42")
    user.save()
    # Then neither old token works, and the new password signs in
    assert not works(phone) and not works(laptop)
    assert works(sign_in(user, "a brand new passphrase 42")["token"])


def test_a_password_changed_in_the_admin_signs_every_device_out(make_user):
    # Given a user with a token, and a superuser in the admin
    user = make_user("employee")
    key = sign_in(user)["token"]
    admin = Client()
    admin.force_login(User.objects.create_superuser("root", "root@example.com", "x"))
    # When the admin sets a new password on the user's password form
    response = admin.post(
        f"/admin/auth/user/{user.pk}/password/",
        {"password1": "another long passphrase 7", "password2": "another long passphrase 7"},
    )
    # Then the token is revoked
    assert response.status_code == 302, response.content
    assert not works(key)


def test_saving_the_same_password_again_keeps_the_tokens(make_user):
    # Given a token (Django re-hashes an unchanged password when its hasher settings change)
    user = make_user("employee")
    key = sign_in(user)["token"]
    # When the same password is set and saved / then the token still works
    user.set_password(PASSWORD)
    user.save()
    assert works(key)


def test_sign_out_revokes_only_this_devices_token(make_user):
    # Given a user signed in on two devices
    user = make_user("employee")
    phone, laptop = sign_in(user)["token"], sign_in(user)["token"]
    # When the phone signs out
    response = client_with(phone).post("/api/v1/auth/logout/")
    # Then the phone's token is dead and the laptop's still works
    assert response.status_code == 204
    assert not works(phone)
    assert works(laptop)


def test_sign_out_everywhere_revokes_every_token(make_user):
    # Given a user signed in on two devices
    user = make_user("employee")
    phone, laptop = sign_in(user)["token"], sign_in(user)["token"]
    # When the phone signs out everywhere
    response = client_with(phone).post("/api/v1/auth/logout-all/")
    # Then no token of theirs works any more
    assert response.status_code == 204
    assert not works(phone) and not works(laptop)


def test_sign_out_everywhere_leaves_other_users_signed_in(make_user):
    # Given two users with tokens
    alice, bob = make_user("employee"), make_user("employee")
    alice_key, bob_key = sign_in(alice)["token"], sign_in(bob)["token"]
    # When Alice signs out everywhere / then Bob's token still works
    assert client_with(alice_key).post("/api/v1/auth/logout-all/").status_code == 204
    assert works(bob_key)


def test_sign_out_without_a_token_is_refused():
    # Given no credentials / when sign-out is called / then 401, as for any API call
    response = APIClient().post("/api/v1/auth/logout/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_sign_ins_beyond_the_cap_retire_the_oldest_token(make_user, settings):
    # Given a cap of 3 live tokens per user
    settings.TOKEN_MAX_PER_USER = 3
    user = make_user("employee")
    keys = [sign_in(user)["token"] for _ in range(4)]
    # Then the first is retired and the last three work
    assert not works(keys[0])
    assert all(works(key) for key in keys[1:])
    assert AuthToken.objects.filter(user=user).count() == 3
