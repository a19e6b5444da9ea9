"""The README's run command brings up a working product on embedded defaults."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.slow, pytest.mark.worker]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http(method: str, url: str, *, body: bytes | None = None, headers: dict | None = None):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def receipt_png() -> bytes:
    image = Image.new("RGB", (600, 400), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=28)
    for y, line in enumerate(["GOOD FOOD CAFE", "Date: 12/03/2024", "TOTAL 25.50"]):
        draw.text((40, 40 + 80 * y), line, fill="black", font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def multipart(field: str, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = "----iaBoundary7MA4YWxkTrZu0gW"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.fixture(scope="module")
def product(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("run")
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "CLAMD_SOCKET", "CLAMD_HOST"}
        and not k.startswith(("DJANGO_", "PYTEST", "CELERY"))
    }
    env.update(
        PORT=str(port),
        HOST="127.0.0.1",
        IA_VAR_DIR=str(tmp_path / "var"),
        DEMO_PASSWORD="demo-pass-123",
        WEB_WORKERS="1",
    )
    log = (tmp_path / "run.log").open("wb")
    process = subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "run.sh")],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            assert process.poll() is None, (tmp_path / "run.log").read_text()
            try:
                if http("GET", base + "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(1)
        else:
            raise AssertionError(
                "run command did not serve /healthz:\n" + (tmp_path / "run.log").read_text()
            )
        yield base, tmp_path / "run.log"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def test_run_command_serves_logs_in_and_processes_an_upload(product):
    base, log_path = product
    # Given the product started by the run command, which printed the demo logins
    output = log_path.read_text()
    assert "employee  / demo-pass-123" in output
    assert "virus scanning is UNAVAILABLE" in output
    # When the demo employee gets a token and uploads a receipt
    status, _, body = http(
        "POST",
        base + "/api/v1/auth/token/",
        body=json.dumps({"username": "employee", "password": "demo-pass-123"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert status == 200, body
    auth = {"Authorization": "Token " + json.loads(body)["token"]}
    payload, content_type = multipart("file", "receipt.png", receipt_png())
    status, headers, body = http(
        "POST",
        base + "/api/v1/documents/",
        body=payload,
        headers={**auth, "Content-Type": content_type},
    )
    # Then it is accepted, the API says loudly that scanning is unavailable, and the
    # real worker carries the document to a terminal state
    assert status == 201, body
    assert headers.get("X-Virus-Scanning") == "unavailable"
    url = base + json.loads(body)["url"]
    deadline = time.monotonic() + 120
    document = {}
    while time.monotonic() < deadline:
        document = json.loads(http("GET", url, headers=auth)[2])
        if document["status"] in {"extracted", "needs_review", "failed"}:
            break
        time.sleep(1)
    assert document["status"] in {"extracted", "needs_review"}, document
    assert document["scan"]["verdict"] == "not_scanned"
    assert document["extraction"]["fields"]["total_amount"] == "25.50"


def test_run_command_serves_the_lan_without_debug_pages_or_foreign_hosts(product):
    base, log_path = product
    var = log_path.parent / "var"
    lan_ip = subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split()
    # Given the product started by the run command
    # When it is asked under a Host name it does not serve
    status, _, _ = http("GET", base + "/login/", headers={"Host": "evil.example.com"})
    # Then it refuses (a Host header is what password-reset links and redirects trust)
    assert status == 400
    # And it answers its own names: localhost and the LAN address it printed
    assert http("GET", base + "/login/", headers={"Host": "localhost"})[0] == 200
    if lan_ip:
        assert f"http://{lan_ip[0]}:" in log_path.read_text()
        assert http("GET", base + "/login/", headers={"Host": lan_ip[0]})[0] == 200
    # And an unknown page is the plain 404, not the debug page listing every route
    status, _, body = http("GET", base + "/no-such-page/")
    assert status == 404
    assert b"URLconf" not in body and b"DEBUG = True" not in body
    # And a query parameter SQLite cannot hold is a JSON 400 naming it, not a 500
    status, _, body = http(
        "POST",
        base + "/api/v1/auth/token/",
        body=json.dumps({"username": "employee", "password": "demo-pass-123"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    auth = {"Authorization": "Token " + json.loads(body)["token"]}
    status, _, body = http(
        "GET", base + "/api/v1/documents/?claim=99999999999999999999999", headers=auth
    )
    assert status == 400, body
    assert "claim" in json.loads(body)["error"]["details"]["fields"]
    # And an unknown API path answers the JSON error shape
    status, headers, body = http("GET", base + "/api/v1/no-such-thing/")
    assert status == 404 and headers["Content-Type"].startswith("application/json")
    assert json.loads(body)["error"]["code"] == "not_found"
    # And static files (the admin's, the web app's) come from WhiteNoise with DEBUG off
    assert http("GET", base + "/static/admin/css/base.css")[0] == 200
    dist_index = ROOT / "frontend" / "web" / "dist" / "index.html"
    if dist_index.is_file():
        asset = re.search(r'src="(/static/assets/[^"]+\.js)"', dist_index.read_text())
        assert asset, dist_index.read_text()
        assert http("GET", base + asset.group(1))[0] == 200
    # And its secret key is its own, made once and readable by the owner only
    key_file = var / "secret_key"
    assert len(key_file.read_text().strip()) >= 50
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_run_command_keeps_its_data_private(product):
    base, log_path = product
    var = log_path.parent / "var"
    # Given the product started by the run command, which has served a request
    assert http("GET", base + "/login/")[0] == 200
    # Then its data folder and everything in it (database, secret key, logs, queued
    # messages, collected static files) is readable by its owner only
    assert (var / "db.sqlite3").is_file()
    assert var.stat().st_mode & 0o777 == 0o700
    exposed = [
        f"{path} {oct(path.stat().st_mode & 0o777)}"
        for path in var.rglob("*")
        if not path.is_symlink() and path.stat().st_mode & 0o077
    ]
    assert exposed == []


def test_run_command_serves_the_api_docs_from_its_own_files_under_a_csp(product):
    base, _ = product
    # Given the product started by the run command
    # When the API docs page is fetched
    status, headers, body = http("GET", base + "/api/docs/")
    # Then it is served under the policy and loads Swagger UI from this server only
    assert status == 200
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    scripts = re.findall(rb'<script src="([^"]+)"', body)
    assert scripts and all(src.startswith(b"/static/") for src in scripts), scripts
    for src in scripts:
        assert http("GET", base + src.decode())[0] == 200


def worker_processes(var: Path) -> list[int]:
    """The Celery worker the run command started with ``var``: its main process first,
    then its pool processes."""
    found: list[int] = []
    for proc in sorted(Path("/proc").iterdir(), key=lambda p: p.name):
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
            environ = (proc / "environ").read_bytes().split(b"\0")
            children = (proc / "task" / proc.name / "children").read_text().split()
        except OSError:
            continue
        is_worker = any(arg.endswith(b"celery") for arg in cmdline) and b"worker" in cmdline
        if is_worker and f"IA_VAR_DIR={var}".encode() in environ:
            found += [int(proc.name), *map(int, children)]
    return list(dict.fromkeys(found))


def test_run_command_recovers_a_document_whose_worker_was_killed_within_a_minute(product):
    from synth import generate_document

    base, log_path = product
    var = log_path.parent / "var"
    status, _, body = http(
        "POST",
        base + "/api/v1/auth/token/",
        body=json.dumps({"username": "employee", "password": "demo-pass-123"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    auth = {"Authorization": "Token " + json.loads(body)["token"]}
    # Given an invoice photo being read by the run command's worker, and the whole worker
    # (main and pool processes) killed while the document is 'processing', so the
    # filesystem broker's message dies with it (tried on fresh photos until caught)
    killed_at = None
    for seed in (21, 22, 23):
        photo = generate_document("vat_special", seed=seed, photo=True).image_bytes
        payload, content_type = multipart("file", "invoice.jpg", photo)
        status, _, body = http(
            "POST",
            base + "/api/v1/documents/",
            body=payload,
            headers={**auth, "Content-Type": content_type},
        )
        assert status == 201, body
        url = base + json.loads(body)["url"]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            document = json.loads(http("GET", url, headers=auth)[2])
            if document["status"] == "processing":
                pids = worker_processes(var)
                assert pids, "no worker process found"
                for pid in pids:
                    os.kill(pid, signal.SIGKILL)
                killed_at = time.monotonic()
                break
            if document["status"] in {"extracted", "needs_review", "failed"}:
                break  # read before the kill could land: try another photo
            time.sleep(0.05)
        if killed_at is not None:
            break
    assert killed_at is not None, "never caught a document in 'processing'"
    # When the run command starts its worker again and the product is left alone
    deadline = killed_at + 90
    while time.monotonic() < deadline:
        document = json.loads(http("GET", url, headers=auth)[2])
        if document["status"] in {"extracted", "needs_review", "failed"}:
            break
        time.sleep(1)
    recovered_after = time.monotonic() - killed_at
    # Then the document is read again and finishes within about a minute, not ~11
    assert document["status"] in {"extracted", "needs_review"}, document
    assert recovered_after < 75, recovered_after
    print(f"recovered {recovered_after:.1f}s after the worker was killed")
