"""Probes and the source article's inference contract."""

from __future__ import annotations

import base64

import pytest
from rest_framework.test import APIClient

from tests.conftest import png_bytes

pytestmark = pytest.mark.django_db


def test_healthz_is_ok_without_touching_dependencies(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_database_broker_and_clamd(client):
    # Given the real PostgreSQL, Redis and clamd of the test command
    response = client.get("/readyz")
    body = response.json()
    # Then each dependency is reported and all are up
    assert response.status_code == 200, body
    assert body["checks"]["database"]["ok"]
    assert body["checks"]["broker"]["ok"]
    assert body["checks"]["clamd"]["ok"]
    assert body["checks"]["clamd"]["detail"].startswith("ClamAV")


def test_readyz_fails_when_clamd_is_unreachable(client, settings, tmp_path):
    settings.CLAMD_SOCKET = str(tmp_path / "missing.sock")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["clamd"]["ok"] is False


@pytest.fixture
def api(make_user) -> APIClient:
    client = APIClient()
    client.force_authenticate(make_user("employee"))
    return client


def test_inference_validates_base64(api):
    response = api.post(
        "/api/v1/inference", {"image": "%%%", "text": "What is this?"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_base64"


def test_inference_requires_both_fields(api):
    response = api.post("/api/v1/inference", {"text": "hi"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_inference_refuses_non_images(api):
    payload = {"image": base64.b64encode(b"%PDF-1.4 ...").decode(), "text": "hi"}
    response = api.post("/api/v1/inference", payload, format="json")
    assert response.status_code == 415


def test_inference_without_a_model_answers_503_never_a_fake_result(api, settings):
    # Given no local VLM and no remote endpoint configured
    settings.VLM_MODEL_PATH = None
    settings.REMOTE_VLM_BASE_URL = None
    from reimbursements.engine_context import build_engine_context

    build_engine_context.cache_clear()
    payload = {"image": base64.b64encode(png_bytes()).decode(), "text": "Describe the image"}
    # When a valid question arrives, then the answer is a clear 503 and no "result"
    response = api.post("/api/v1/inference", payload, format="json")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "inference_unavailable"
    assert "result" not in response.json()
