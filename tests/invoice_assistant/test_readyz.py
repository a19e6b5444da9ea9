"""/readyz: cheap (one cached probe per process at a time) and terse to strangers."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import Client

from tests.live_gunicorn import get, gunicorn


@pytest.mark.django_db
def test_readyz_tells_a_stranger_only_whether_it_is_ready(client: Client) -> None:
    # Given a caller outside the operators' address list, without the metrics token
    # When it asks for readiness
    response = client.get("/readyz", REMOTE_ADDR="203.0.113.9")
    # Then it learns ready or not, and no versions, hosts or error texts
    assert response.status_code == 200
    assert response.json() == {"ready": True}


@pytest.mark.django_db
def test_readyz_probes_once_per_cache_period(client: Client, settings) -> None:
    # Given a probe result cached for a minute
    settings.READYZ_CACHE_S = 60
    client.get("/readyz")
    # When clamd goes away (the probe would now fail) and readiness is asked again
    settings.CLAMD_SOCKET = "/nonexistent/clamd.sock"
    started = time.perf_counter()
    response = client.get("/readyz")
    elapsed = time.perf_counter() - started
    # Then the cached result answers at once, without probing
    assert response.status_code == 200
    assert elapsed < 0.1


@pytest.mark.slow
def test_concurrent_readiness_probes_do_not_starve_the_server(transactional_db, tmp_path) -> None:
    # Given gunicorn with 4 threads, as `make run` serves each worker process
    server = gunicorn(tmp_path / "gunicorn.log", threads=4, env={"READYZ_CACHE_S": "5"})
    with server as base, ThreadPoolExecutor(max_workers=17) as pool:
        # When 16 readiness probes arrive at once, and then a liveness check
        probes = [pool.submit(get, base + "/readyz", timeout=30) for _ in range(16)]
        time.sleep(0.2)
        started = time.perf_counter()
        health = get(base + "/healthz", timeout=30)
        elapsed = time.perf_counter() - started
        statuses = [probe.result() for probe in probes]
    # Then the liveness check is answered in well under a second
    assert health == 200
    assert elapsed < 1.0, elapsed
    assert set(statuses) <= {200, 503}
