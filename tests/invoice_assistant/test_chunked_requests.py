"""Chunked request bodies (Transfer-Encoding: chunked, no Content-Length) are read in full.

Django reads a body only as far as Content-Length says, so a chunked upload used to
arrive empty ("file_missing"). Served by gunicorn (which de-chunks), it is accepted.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.wsgi import get_wsgi_application

from invoice_assistant.chunked import ChunkedBodyMiddleware, largest_body_bytes
from reimbursements.models import Document
from tests.conftest import png_bytes
from tests.live_gunicorn import gunicorn
from tests.reimbursements.factories import UserFactory

PASSWORD = "correct horse battery staple"  # the factories' password
BOUNDARY = "chunkedBoundary1234"


def multipart_chunks(name: str, data: bytes, piece: int = 7000) -> Iterator[bytes]:
    """A multipart body as http.client sends an iterable: one chunk per item."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: image/png\r\n\r\n"
    ).encode()
    yield head
    for start in range(0, len(data), piece):
        yield data[start : start + piece]
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def post_chunked(base: str, path: str, chunks: Iterator[bytes], headers: dict[str, str]):
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        # An iterable body and no Content-Length: http.client sends it chunked.
        connection.request("POST", path, body=chunks, headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        connection.close()


def api_token(base: str, username: str) -> str:
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    body = json.dumps({"username": username, "password": PASSWORD})
    connection.request(
        "POST", "/api/v1/auth/token/", body=body, headers={"Content-Type": "application/json"}
    )
    response = connection.getresponse()
    payload = json.loads(response.read())
    connection.close()
    assert response.status == 200, payload
    return str(payload["token"])


@pytest.fixture
def served(transactional_db: None, settings: Any, tmp_path: Path):
    """gunicorn on loopback serving the test database, uploads kept under tmp_path."""
    settings.MEDIA_ROOT = tmp_path / "media"

    def serve(**env: str):
        return gunicorn(
            tmp_path / "gunicorn.log",
            env={"QUARANTINE_ROOT": str(tmp_path / "quarantine"), **env},
        )

    return serve


@pytest.mark.slow
def test_a_chunked_multipart_upload_through_gunicorn_is_accepted(served):
    # Given an employee and gunicorn serving the product
    employee = UserFactory(roles=("employee",))
    image = png_bytes((400, 300), color="#3366aa")
    with served() as base:
        token = api_token(base, employee.username)
        # When a receipt is uploaded with Transfer-Encoding: chunked (no Content-Length)
        status, body = post_chunked(
            base,
            "/api/v1/documents/",
            multipart_chunks("receipt.png", image),
            {
                "Authorization": f"Token {token}",
                "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            },
        )
    # Then it is accepted like any upload, with the whole file
    assert status == 201, body
    document = Document.objects.get(pk=body["id"])
    assert document.owner == employee
    assert document.original_filename == "receipt.png"
    assert document.sha256 == hashlib.sha256(image).hexdigest()


@pytest.mark.slow
def test_a_chunked_upload_over_the_upload_limit_gets_the_uploads_own_413(served):
    # Given an upload limit of 100 KB
    employee = UserFactory(roles=("employee",))
    with served(UPLOAD_MAX_BYTES=str(100 * 1024)) as base:
        token = api_token(base, employee.username)
        # When a 300 KB file is uploaded chunked
        status, body = post_chunked(
            base,
            "/api/v1/documents/",
            multipart_chunks("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * 300 * 1024),
            {
                "Authorization": f"Token {token}",
                "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            },
        )
    # Then the answer is the same JSON 413 a sized upload gets, and nothing is stored
    assert status == 413, body
    assert body["error"]["code"] == "file_too_large"
    assert not Document.objects.exists()


def call(app: Any, environ: dict[str, Any]) -> tuple[str, dict[str, str], bytes]:
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], body


def chunked_environ(body: bytes, **extra: Any) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/v1/documents/",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "HTTP_HOST": "localhost",
        "wsgi.url_scheme": "http",
        "HTTP_TRANSFER_ENCODING": "chunked",
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        **extra,
    }


def test_a_chunked_body_past_every_limit_is_refused_without_reading_it_all(settings):
    # Given a de-chunked stream (as gunicorn gives it) larger than any endpoint accepts
    settings.UPLOAD_MAX_BYTES = 64 * 1024
    oversized = b"x" * (largest_body_bytes() + 10 * 64 * 1024)
    stream = io.BytesIO(oversized)
    app = ChunkedBodyMiddleware(get_wsgi_application())
    # When it reaches the application
    status, headers, body = call(
        app, chunked_environ(b"", **{"wsgi.input": stream, "wsgi.input_terminated": True})
    )
    # Then it is refused with a JSON 413 after reading just past the limit, and the
    # connection is not reused for another request
    assert status.startswith("413")
    assert json.loads(body)["error"]["code"] == "file_too_large"
    assert stream.tell() < len(oversized)
    assert headers["Connection"] == "close"


def test_a_server_that_does_not_dechunk_gets_a_clear_411():
    # Given a chunked request from a server that passes the raw stream (runserver)
    app = ChunkedBodyMiddleware(get_wsgi_application())
    # When it reaches the application
    status, _, body = call(app, chunked_environ(b"5\r\nhello\r\n0\r\n\r\n"))
    # Then the client learns to send a Content-Length instead of a misleading file_missing
    assert status.startswith("411")
    error = json.loads(body)["error"]
    assert error["code"] == "length_required"
    assert "Content-Length" in error["message"]


def test_a_chunked_body_past_every_limit_names_the_upload_limit_in_chinese(settings):
    # Given a Chinese client sending a de-chunked body larger than any endpoint accepts
    settings.UPLOAD_MAX_BYTES = 64 * 1024
    stream = io.BytesIO(b"x" * (largest_body_bytes() + 64 * 1024))
    app = ChunkedBodyMiddleware(get_wsgi_application())
    environ = chunked_environ(
        b"",
        **{"wsgi.input": stream, "wsgi.input_terminated": True},
        HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9",
    )
    # When it reaches the application, the refusal names the upload limit in Chinese
    status, _, body = call(app, environ)
    assert status.startswith("413")
    assert json.loads(body)["error"]["message"] == "文件超过 64 KB 上限。"
