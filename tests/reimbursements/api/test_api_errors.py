"""Every /api/ answer is JSON, and a bad query parameter is a 400 naming it, never a 500."""

from __future__ import annotations

import json

import pytest
from django.urls import path
from rest_framework.test import APIClient

from invoice_assistant.urls import urlpatterns as product_urlpatterns
from tests.reimbursements.workflow_helpers import make_org, submitted_claim

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"  # past a 64-bit id


@pytest.fixture
def org():
    return make_org()


@pytest.fixture
def as_user():
    def client_for(user) -> APIClient:
        client = APIClient(raise_request_exception=False)
        client.force_authenticate(user)
        return client

    return client_for


def assert_json_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    error = json.loads(response.content)["error"]
    if code is not None:
        assert error["code"] == code, error
    return error


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        (f"/api/v1/documents/?claim={HUGE}", "claim"),
        ("/api/v1/documents/?claim=%C2%B2", "claim"),  # "²": isdigit() but not int()
        ("/api/v1/documents/?claim=-3", "claim"),
        ("/api/v1/documents/?status=lost", "status"),
        ("/api/v1/documents/?scope=everyone", "scope"),
        ("/api/v1/claims/?scope=everyone", "scope"),
        ("/api/v1/review/queue/?owner=a%00b", "owner"),
        ("/api/v1/review/queue/?search=a%00b", "search"),
        ("/api/v1/review/queue/?status=lost", "status"),
        ("/api/v1/review/queue/?ordering=password", "ordering"),
    ],
)
def test_a_bad_query_parameter_is_a_400_naming_it(org, as_user, url, parameter):
    # Given a finance user, who may list everything
    client = as_user(org.finance)
    # When a list is asked for with a value no row can match
    response = client.get(url)
    # Then the answer is a JSON 400 that names the parameter, not a server error
    error = assert_json_error(response, 400, "invalid")
    assert parameter in error["details"]["fields"], error


def test_the_review_queue_still_filters_by_owner_id_and_username(org, as_user):
    # Given a submitted claim waiting for its employee's manager
    claim = submitted_claim(org)
    client = as_user(org.manager)
    # When the queue is filtered by the owner's id, their username, and odd numbers
    by_id = client.get(f"/api/v1/review/queue/?owner={org.employee.pk}").json()
    by_name = client.get(f"/api/v1/review/queue/?owner={org.employee.username}").json()
    huge = client.get(f"/api/v1/review/queue/?owner={HUGE}")
    superscript = client.get("/api/v1/review/queue/?owner=%C2%B2")  # "²": isdigit(), not int
    # Then the first two find the claim; the others are usernames nobody has
    assert [c["id"] for c in by_id["results"]] == [claim.pk]
    assert [c["id"] for c in by_name["results"]] == [claim.pk]
    for response in (huge, superscript):
        assert response.status_code == 200, response.content
        assert response.json()["results"] == []


def test_the_document_file_refuses_an_unknown_original_flag(org, as_user):
    response = as_user(org.employee).get("/api/v1/documents/1/file/?original=maybe")
    error = assert_json_error(response, 400, "invalid")
    assert "original" in error["details"]["fields"]


def test_an_unmatched_api_path_answers_json_404(org, as_user):
    response = as_user(org.employee).get("/api/v1/no-such-thing/")
    assert_json_error(response, 404, "not_found")


def test_an_unmatched_web_path_keeps_the_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_method_the_api_does_not_offer_answers_json_405(org, as_user):
    response = as_user(org.employee).delete("/api/v1/me/")
    assert_json_error(response, 405, "method_not_allowed")


def test_an_api_body_over_the_size_limit_answers_json_413(org, as_user, settings):
    # Given the request-body limit Django enforces on non-file bodies
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    # When a claim is created with a body over it
    response = as_user(org.employee).post(
        "/api/v1/claims/", {"title": "x" * 4096, "currency": "CNY"}, format="json"
    )
    # Then the answer says so in JSON with the right status
    assert_json_error(response, 413, "request_too_large")


def boom(request):
    raise RuntimeError("a bug")


# A URLconf with the product's routes and error handlers plus a view that fails.
urlpatterns = [path("api/v1/boom/", boom), path("boom/", boom), *product_urlpatterns]
handler500 = "invoice_assistant.error_views.server_error"
handler404 = "invoice_assistant.error_views.page_not_found"


def test_an_unhandled_error_under_api_answers_json_500_and_html_elsewhere(settings, client):
    # Given a route that raises (the product's URLconf plus one failing view)
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    # When it is called under /api/ and outside it
    api = client.get("/api/v1/boom/")
    web = client.get("/boom/")
    # Then the API caller gets the JSON error shape, the browser Django's HTML page
    error = assert_json_error(api, 500, "server_error")
    assert "a bug" not in error["message"]
    assert web.status_code == 500
    assert web["Content-Type"].startswith("text/html")
