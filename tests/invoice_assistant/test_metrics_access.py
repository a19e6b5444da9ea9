"""/metrics: only for a bearer token or an allowed address, HTTPS in production, and label
values clients cannot multiply."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.invoice_assistant.test_settings import PRODUCTION_ENV, manage

pytestmark = pytest.mark.django_db

TOKEN = "scrape-token-0123456789abcdef"


def series(body: str) -> set[str]:
    return set(re.findall(r"^ia_http_request_duration_seconds_count\{[^}]*\}", body, re.M))


def test_metrics_are_refused_to_a_client_outside_the_allow_list(client: Client) -> None:
    # Given the default allow-list (loopback only) and a client on another address
    # When it asks for /metrics
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
    # Then it gets a JSON 403 and no metric
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "metrics_forbidden"
    assert b"ia_http_request" not in response.content


def test_metrics_answer_the_bearer_token_from_any_address(client: Client, settings) -> None:
    # Given a configured scrape token
    settings.METRICS_TOKEN = TOKEN
    remote = {"REMOTE_ADDR": "203.0.113.9"}
    # When a remote client presents it, or a wrong one
    good = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", **remote)
    bad = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}x", **remote)
    # Then only the right token reads the metrics
    assert good.status_code == 200
    assert b"ia_http_request_duration_seconds" in good.content
    assert bad.status_code == 403


def test_an_allowed_network_reads_metrics(client: Client, settings) -> None:
    import ipaddress

    settings.METRICS_ALLOWED_NETWORKS = (ipaddress.ip_network("10.0.0.0/8"),)
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


def test_made_up_http_methods_do_not_grow_the_series(client: Client) -> None:
    # Given the series after one ordinary request
    client.get("/healthz")
    before = series(client.get("/metrics").content.decode())
    # When 30 requests arrive with 30 made-up methods
    for number in range(30):
        client.generic(f"MADEUP{number}", "/healthz")
    after = series(client.get("/metrics").content.decode())
    # Then they share one label value: at most one new series
    assert len(after - before) <= 1, sorted(after - before)
    assert not [s for s in after if "MADEUP" in s]


def test_production_serves_metrics_over_https_only() -> None:
    # Given the production settings
    script = (
        "from django.test import Client; c = Client(HTTP_HOST='invoices.example.com'); "
        "print(c.get('/metrics').status_code, c.get('/metrics')['Location'], "
        "c.get('/healthz').status_code)"
    )
    # When /metrics and /healthz are requested over plain HTTP
    result = manage("shell", "-c", script, **PRODUCTION_ENV)
    # Then /metrics is redirected to HTTPS like every page; the liveness probe is not
    assert result.returncode == 0, result.stderr
    status, location, health = result.stdout.split()[-3:]
    assert (status, location, health) == ("301", "https://invoices.example.com/metrics", "200")
