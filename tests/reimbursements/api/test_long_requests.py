"""No number of open requests from one user can starve the site: the SSE stream is gone,
and long requests beyond LONG_REQUESTS_PER_USER per user answer 429 at once."""

from __future__ import annotations

import json
import socket
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from reimbursements.api.long_requests import try_acquire
from tests.conftest import png_bytes
from tests.live_gunicorn import get, gunicorn

PASSWORD = "correct horse battery staple"


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LONG_REQUEST_LOCK_DIR = tmp_path / "slots"


@pytest.mark.django_db
def test_the_document_event_stream_is_gone(make_user) -> None:
    # Given an uploaded document (both clients poll its detail instead)
    client = api_for(make_user("employee"))
    uploaded = client.post(
        "/api/v1/documents/", {"file": SimpleUploadedFile("a.png", png_bytes())}, format="multipart"
    )
    assert uploaded.status_code == 201
    # When its event stream is asked for
    response = client.get(f"/api/v1/documents/{uploaded.json()['id']}/events/")
    # Then there is none: nothing holds a server thread for two minutes
    assert response.status_code == 404


@pytest.mark.django_db
def test_a_user_with_every_slot_in_flight_gets_a_clear_429(make_user, settings) -> None:
    # Given one employee with LONG_REQUESTS_PER_USER uploads in flight
    settings.LONG_REQUESTS_PER_USER = 2
    busy, other = make_user("employee"), make_user("employee")
    held = [try_acquire(busy.pk), try_acquire(busy.pk)]
    assert all(held)
    # When that employee uploads once more, and another employee uploads
    refused = api_for(busy).post("/api/v1/documents/", {}, format="multipart")
    passed = api_for(other).post("/api/v1/documents/", {}, format="multipart")
    # Then the first is refused at once with a JSON 429 that says why; the other goes on
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["code"] == "too_many_in_flight"
    assert "2 uploads or downloads in progress" in error["message"]
    assert passed.json()["error"]["code"] == "file_missing"
    # And once one of them finishes, the first employee may upload again
    held[0].release()
    again = api_for(busy).post("/api/v1/documents/", {}, format="multipart")
    assert again.json()["error"]["code"] == "file_missing"


@pytest.mark.django_db
def test_answered_requests_give_their_slot_back(make_user, settings) -> None:
    # Given a limit of one long request
    settings.LONG_REQUESTS_PER_USER = 1
    client = api_for(make_user("employee"))
    # When the user uploads five times in a row
    codes = [
        client.post(
            "/api/v1/documents/",
            {"file": SimpleUploadedFile(f"{n}.png", png_bytes(color=f"#0000{n}0"))},
            format="multipart",
        ).status_code
        for n in range(5)
    ]
    # Then every one was accepted: each released its slot when answered
    assert codes == [201] * 5


def open_slow_upload(base: str, token: str) -> socket.socket:
    """An upload whose body never arrives: holds a server thread while it is read."""
    host, port = base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    sock.sendall(
        (
            "POST /api/v1/documents/ HTTP/1.1\r\n"
            f"Host: {host}\r\nAuthorization: Token {token}\r\n"
            "Content-Type: multipart/form-data; boundary=xyz\r\n"
            "Content-Length: 1000000\r\n\r\n--xyz\r\n"
        ).encode()
    )
    return sock


@pytest.mark.slow
def test_twelve_held_uploads_from_one_user_leave_the_site_responsive(
    transactional_db, make_user, tmp_path: Path
) -> None:
    user = make_user("employee")
    env = {"LONG_REQUESTS_PER_USER": "3", "LONG_REQUEST_LOCK_DIR": str(tmp_path / "slots")}
    # Given gunicorn with 4 threads, as `make run` serves each worker process
    with gunicorn(tmp_path / "gunicorn.log", threads=4, env=env) as base:
        request = urllib.request.Request(
            base + "/api/v1/auth/token/",
            data=json.dumps({"username": user.username, "password": PASSWORD}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            token = json.loads(response.read())["token"]
        # When one employee opens 12 uploads whose bodies never arrive
        sockets = [open_slow_upload(base, token) for _ in range(12)]
        try:
            time.sleep(1.0)
            started = time.perf_counter()
            health = get(base + "/healthz", timeout=10)
            elapsed = time.perf_counter() - started
            answered = []
            for sock in sockets:
                sock.settimeout(0.5)
                try:
                    answered.append(sock.recv(4096).decode(errors="replace"))
                except TimeoutError:
                    answered.append("")
        finally:
            for sock in sockets:
                sock.close()
    # Then the site still answers at once, and all but 3 uploads were refused with a 429
    assert health == 200
    assert elapsed < 1.0, elapsed
    refused = [text for text in answered if text.startswith("HTTP/1.1 429")]
    assert len(refused) == 9, answered
    assert all("too_many_in_flight" in text for text in refused)
