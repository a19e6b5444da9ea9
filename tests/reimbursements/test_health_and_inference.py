"""Probes and the source article's inference contract."""

from __future__ import annotations

import base64
import json

import pytest
from rest_framework.test import APIClient

from reimbursements.engine_context import build_engine_context
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
    build_engine_context.cache_clear()
    payload = {"image": base64.b64encode(png_bytes()).decode(), "text": "Describe the image"}
    # When a valid question arrives, then the answer is a clear 503 and no "result"
    response = api.post("/api/v1/inference", payload, format="json")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "inference_unavailable"
    assert "result" not in response.json()


def test_readyz_reports_the_worker_heartbeat(client, settings, tmp_path):
    # Given a real worker on the test broker
    from tests.celery_worker import running_worker

    settings.MEDIA_ROOT = tmp_path
    with running_worker(queues="default", log_path=tmp_path / "worker.log"):
        body = client.get("/readyz").json()
    # Then readiness lists it by name
    assert body["checks"]["workers"]["ok"] is True
    assert "celery@" in body["checks"]["workers"]["detail"]


def test_metrics_expose_request_latency_histograms_and_queue_depth(client):
    client.get("/healthz")
    body = client.get("/metrics").content.decode()
    assert 'ia_http_request_duration_seconds_bucket{le="0.005",method="GET",route="healthz"' in body
    assert "ia_queue_depth{queue=" in body


def test_inference_answers_through_the_remote_engine(api, settings, server):
    # Given an OpenAI-compatible endpoint (a local test server) as the configured VLM
    from tests.extraction.engines.test_remote import Reply

    server.replies = [Reply(content="A white square.")]
    settings.VLM_MODEL_PATH = None
    settings.REMOTE_VLM_BASE_URL = server.url
    settings.REMOTE_VLM_MODEL = "glm-4.6v-flash"
    build_engine_context.cache_clear()
    payload = {"image": base64.b64encode(png_bytes()).decode(), "text": "Describe the image"}
    try:
        response = api.post("/api/v1/inference", payload, format="json")
    finally:
        build_engine_context.cache_clear()
    # Then the article's contract answers with the model's text, and the image was sent
    assert response.status_code == 200, response.content
    assert response.json() == {"result": "A white square."}
    sent = json.dumps(server.requests[0])
    assert "Describe the image" in sent and "data:image/" in sent


def test_every_answer_carries_its_server_time(client):
    assert client.get("/healthz")["Server-Timing"].startswith("app;dur=")


def noisy_png(side: int) -> bytes:
    """A PNG that barely compresses: about 3 bytes per pixel, like a photo."""
    import io
    import os

    from PIL import Image

    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, format="PNG")
    return out.getvalue()


def test_inference_accepts_an_image_as_large_as_a_multipart_upload(api, settings, server):
    # Given a configured model and a 3 MB photo: its JSON body (4 MB as base64) is over
    # Django's site-wide 2 MB body limit but the image is within UPLOAD_MAX_BYTES
    from tests.extraction.engines.test_remote import Reply

    image = noisy_png(1000)
    assert 3_000_000 < len(image) < settings.UPLOAD_MAX_BYTES
    server.replies = [Reply(content="Noise.")]
    settings.VLM_MODEL_PATH = None
    settings.REMOTE_VLM_BASE_URL = server.url
    settings.REMOTE_VLM_MODEL = "glm-4.6v-flash"
    build_engine_context.cache_clear()
    payload = {"image": base64.b64encode(image).decode(), "text": "Describe the image"}
    try:
        # When it is sent to the inference endpoint as the contract says
        response = api.post("/api/v1/inference", payload, format="json")
    finally:
        build_engine_context.cache_clear()
    # Then it reaches the model like a multipart upload of the same photo would
    assert response.status_code == 200, response.content[:300]
    assert response.json() == {"result": "Noise."}


def test_inference_refuses_an_image_over_the_upload_limit_with_a_json_413(api, settings):
    # Given an upload limit of 200 KB and a 300 KB photo
    settings.UPLOAD_MAX_BYTES = 200 * 1024
    image = noisy_png(320)
    assert len(image) > 300 * 1024
    payload = {"image": base64.b64encode(image).decode(), "text": "Describe the image"}
    # When it is sent as base64 JSON
    response = api.post("/api/v1/inference", payload, format="json")
    # Then the answer is the upload's own JSON 413, naming the limit
    assert response.status_code == 413, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == "file_too_large"
    assert "200 KB limit" in error["message"]


def test_inference_answers_a_malformed_json_body_with_a_json_400(api):
    response = api.post("/api/v1/inference", b'{"image": "abc', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
