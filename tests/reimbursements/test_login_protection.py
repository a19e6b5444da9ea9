"""Password guessing: limits on every sign-in path, keyed on an address a client cannot forge."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.core.cache.backends.locmem import LocMemCache
from django.test import Client, RequestFactory
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from invoice_assistant.client_ip import client_ip

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LIMIT = 5  # LOGIN_FAILURE_LIMIT's default


def api_sign_in(username: str, password: str, **extra: str):
    return APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json", **extra
    )


def fail_api(username: str, times: int, **extra: str) -> list[int]:
    return [api_sign_in(username, "wrong guess", **extra).status_code for _ in range(times)]


def test_wrong_passwords_lock_the_api_sign_in_with_a_clear_429(make_user):
    # Given an account
    user = make_user("employee")
    # When one address guesses its password LIMIT times
    statuses = fail_api(user.username, LIMIT)
    # Then the last guess is answered 429 with the cool-off, and so is the right password
    assert statuses == [400] * (LIMIT - 1) + [429]
    response = api_sign_in(user.username, PASSWORD)
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "locked_out"
    assert "Too many failed sign-ins" in error["message"]
    assert error["details"]["retry_after_s"] == 15 * 60
    assert response["Retry-After"] == str(15 * 60)


def test_rotating_x_forwarded_for_does_not_escape_the_lockout(make_user):
    # Given an attacker who writes a new X-Forwarded-For on every guess (no proxy is trusted)
    user = make_user("employee")
    for n in range(LIMIT):
        api_sign_in(user.username, "wrong guess", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    # When they try again under yet another forged address / then they are still locked out
    response = api_sign_in(user.username, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 429


def test_rotating_x_forwarded_for_does_not_escape_the_api_login_throttle(monkeypatch):
    # Given the API sign-in throttled to 3 a minute per address
    monkeypatch.setattr(SimpleRateThrottle, "cache", LocMemCache("login-throttle-test", {}))
    rates = {**SimpleRateThrottle.THROTTLE_RATES, "login": "3/min"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    # When one client sends 4 requests, each with a new forged X-Forwarded-For and account
    statuses = [
        api_sign_in(f"nobody{n}", "x", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(4)
    ]
    # Then the 4th is throttled
    assert statuses == [400, 400, 400, 429]


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(settings):
    # Given clients connecting directly
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    # Then the client is the connection's address
    assert client_ip(request) == "192.0.2.9"


def test_behind_one_trusted_proxy_the_address_it_saw_is_the_client(settings):
    # Given one proxy of ours, which appends the address it saw to what the client sent
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.9"
    )
    # Then the client is the proxy's entry, not the one the client wrote
    assert client_ip(request) == "192.0.2.9"


def test_the_lockout_ends_after_the_cool_off(make_user):
    # Given an account locked out by guessing
    user = make_user("employee")
    fail_api(user.username, LIMIT)
    # When the cool-off has passed since the last failure
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
    # Then the right password signs in again
    assert api_sign_in(user.username, PASSWORD).status_code == 200


def test_a_lockout_from_one_address_leaves_the_account_usable_from_another(make_user):
    # Given an account whose password was guessed at from one address
    user = make_user("employee")
    fail_api(user.username, LIMIT, REMOTE_ADDR="203.0.113.1")
    # When its owner signs in from another address / then it works
    assert api_sign_in(user.username, PASSWORD, REMOTE_ADDR="192.0.2.50").status_code == 200


def test_guessing_one_account_from_many_addresses_hits_the_account_limit(make_user, settings):
    # Given an account limit of 8 failures from anywhere
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 8
    user = make_user("employee")
    # When 8 addresses each guess once
    for n in range(8):
        fail_api(user.username, 1, REMOTE_ADDR=f"203.0.113.{n}")
    # Then the account is locked from any address
    assert api_sign_in(user.username, PASSWORD, REMOTE_ADDR="192.0.2.50").status_code == 429


def test_spraying_many_accounts_from_one_address_hits_the_address_limit(make_user, settings):
    # Given an address limit of 8 failures for any accounts
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    victim = make_user("employee")
    # When one address tries one password on 8 accounts
    for n in range(8):
        fail_api(f"someone{n}", 1, REMOTE_ADDR="203.0.113.9")
    # Then that address cannot sign in to any account, and another address still can
    assert api_sign_in(victim.username, PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 429
    assert api_sign_in(victim.username, PASSWORD, REMOTE_ADDR="192.0.2.50").status_code == 200


def test_the_web_sign_in_form_locks_out_with_a_clear_page(make_user):
    # Given an account and a browser
    user = make_user("employee")
    browser = Client()
    # When the form is posted with wrong passwords LIMIT times
    statuses = [
        browser.post("/login/", {"username": user.username, "password": "nope"}).status_code
        for _ in range(LIMIT)
    ]
    # Then the last answer is a 429 page that says why, and the right password is refused
    assert statuses == [400] * (LIMIT - 1) + [429]
    response = browser.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-ins. Try again in 15 minutes." in response.content.decode()
    assert browser.get("/api/v1/me/").status_code in (401, 403)


def test_the_admin_sign_in_locks_out(make_user):
    # Given a superuser and a browser on the admin's sign-in page
    User.objects.create_superuser("root", "root@example.com", PASSWORD)
    browser = Client()
    form = {"username": "root", "password": "nope", "next": "/admin/"}
    # When its password is guessed LIMIT times
    statuses = [browser.post("/admin/login/", form).status_code for _ in range(LIMIT)]
    # Then the admin answers 429, even to the right password
    assert statuses[-1] == 429
    response = browser.post("/admin/login/", {**form, "password": PASSWORD})
    assert response.status_code == 429
    assert browser.get("/admin/").status_code == 302  # still signed out
