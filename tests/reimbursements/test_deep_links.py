"""Deep links survive sign-in: the app sends a signed-out visitor to the login page with
``next``, and the login form goes back there (on this site only)."""

from __future__ import annotations

from django.test import Client

PASSWORD = "correct horse battery staple"  # the factories' password


def test_a_signed_out_visit_to_the_app_keeps_where_it_was_going(db):
    response = Client().get("/?from=mail")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/%3Ffrom%3Dmail"


def test_the_login_form_carries_next_back(db):
    page = Client().get("/login/", {"next": "/#/claims/12"}).content.decode()
    assert 'name="next"' in page and 'value="/#/claims/12"' in page


def test_signing_in_goes_to_the_deep_link(make_user):
    user = make_user("employee")
    response = Client().post(
        "/login/", {"username": user.username, "password": PASSWORD, "next": "/#/claims/12"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/#/claims/12"


def test_a_next_to_another_site_is_ignored(make_user):
    user = make_user("employee")
    response = Client().post(
        "/login/",
        {"username": user.username, "password": PASSWORD, "next": "https://evil.example.com/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
