"""Chaos: real worker, PostgreSQL, Redis and clamd, with faults injected on purpose.

Every test ends by asserting the invariant: each accepted upload has exactly one
terminal state and one extraction at most, and no file or row is orphaned.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from PIL import Image

from reimbursements.models import Document, Extraction
from synth import generate_document
from tests.celery_worker import ROOT, running_worker, wait_for, worker_env

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.chaos, pytest.mark.worker]
TERMINAL = {"extracted", "needs_review", "failed", "infected", "rejected"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def invoice_bytes(seed: int) -> bytes:
    document = generate_document("vat_general", seed=seed, photo=False)
    out = io.BytesIO()
    Image.open(io.BytesIO(document.image_bytes)).convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


def assert_invariant(ids: list[int], media_root: Path) -> None:
    documents = list(Document.objects.filter(pk__in=ids))
    assert len(documents) == len(ids)
    for document in documents:
        assert document.status in TERMINAL, (document.pk, document.status, document.error)
        assert Extraction.objects.filter(document=document).count() <= 1
    # No orphan files: every stored file belongs to a document row.
    referenced = {Path(d.file.name).name for d in Document.objects.exclude(file="")} | {
        Path(d.masked_file.name).name for d in Document.objects.exclude(masked_file="")
    }
    on_disk = {p.name for p in media_root.rglob("*") if p.is_file()}
    assert on_disk <= referenced


@contextlib.contextmanager
def private_redis(port: int, data_dir: Path) -> Iterator[None]:
    command = [
        "redis-server",
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(data_dir),
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    wait_for(lambda: _pingable(port), timeout=10, what="redis start")
    try:
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


def _pingable(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def worker_children(parent_pid: int) -> list[int]:
    children = Path(f"/proc/{parent_pid}/task/{parent_pid}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def test_worker_killed_mid_extraction_still_extracts_exactly_once(make_user, settings, tmp_path):
    # Given a real worker processing one invoice with the OCR engine
    settings.MEDIA_ROOT = media = tmp_path / "media"
    settings.EXTRACTION_ENGINE = "ocr"
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(make_user("employee"))
    with running_worker(
        queues="default,cpu", log_path=tmp_path / "worker.log", EXTRACTION_ENGINE="ocr"
    ) as worker:
        response = client.post(
            "/api/v1/documents/",
            {"file": SimpleUploadedFile("a.jpg", invoice_bytes(1))},
            format="multipart",
        )
        document_id = response.json()["id"]
        wait_for(
            lambda: Document.objects.get(pk=document_id).status == "processing",
            timeout=120,
            what="processing to start",
            step=0.05,
        )
        # When the pool process running the extraction is killed (as the OOM killer would)
        (child,) = worker_children(worker.pid)
        os.kill(child, signal.SIGKILL)
        # Then the message is redelivered and the document reaches a terminal state once
        wait_for(
            lambda: Document.objects.get(pk=document_id).status in TERMINAL,
            timeout=240,
            what="terminal state after the kill",
        )
    assert "WorkerLostError" in (tmp_path / "worker.log").read_text()
    assert Document.objects.get(pk=document_id).status in {"extracted", "needs_review"}
    assert Extraction.objects.filter(document_id=document_id).count() == 1
    assert_invariant([document_id], media)


def test_database_connection_dropped_during_a_task_is_retried(make_user, settings, tmp_path):
    # Given a worker in the middle of an extraction
    settings.MEDIA_ROOT = media = tmp_path / "media"
    settings.EXTRACTION_ENGINE = "ocr"
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(make_user("employee"))
    db_name = connection.settings_dict["NAME"]
    with running_worker(
        queues="default,cpu", log_path=tmp_path / "worker.log", EXTRACTION_ENGINE="ocr"
    ):
        response = client.post(
            "/api/v1/documents/",
            {"file": SimpleUploadedFile("a.jpg", invoice_bytes(2))},
            format="multipart",
        )
        document_id = response.json()["id"]
        wait_for(
            lambda: Document.objects.get(pk=document_id).status == "processing",
            timeout=120,
            what="processing to start",
            step=0.05,
        )
        # When every other connection to the test database is terminated
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [db_name],
            )
            assert cursor.fetchall(), "the worker had no database connection to drop"
        # Then the task is retried and completes
        wait_for(
            lambda: Document.objects.get(pk=document_id).status in TERMINAL,
            timeout=240,
            what="terminal state after the dropped connection",
        )
    assert Document.objects.get(pk=document_id).status in {"extracted", "needs_review"}
    assert Extraction.objects.filter(document_id=document_id).count() == 1
    assert_invariant([document_id], media)


def http_upload(base: str, token: str, data: bytes) -> tuple[int, dict]:
    boundary = "chaosBoundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="i.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        base + "/api/v1/documents/",
        data=body,
        method="POST",
        headers={
            "Authorization": f"Token {token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def test_redis_outage_during_a_burst_of_uploads_loses_nothing(make_user, settings, tmp_path):
    # Given the whole stack (gunicorn, worker, beat with a fast sweeper) on a private Redis
    settings.MEDIA_ROOT = media = tmp_path / "media"
    redis_port, web_port = free_port(), free_port()
    user = make_user("employee")
    from reimbursements.tokens import auth_token_issue

    token = auth_token_issue(user=user).key
    env = worker_env(
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        EXTRACTION_ENGINE="ocr",
        SWEEP_INTERVAL_S="2",
        SWEEP_STUCK_AFTER_S="6",
        SCAN_RETRY_MAX_DELAY_S="2",
    )
    logs = tmp_path / "logs"
    logs.mkdir()
    processes: list[subprocess.Popen[bytes]] = []

    def spawn(name: str, *args: str) -> None:
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", *args],
                cwd=ROOT,
                env=env,
                stdout=(logs / f"{name}.log").open("wb"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )

    base = f"http://127.0.0.1:{web_port}"
    ids: list[int] = []

    def upload_one(seed: int) -> None:
        status, body = http_upload(base, token, invoice_bytes(seed))
        # Accepted (and held if needed), never a 5xx that stored half a document.
        assert status == 201, body
        ids.append(body["id"])

    try:
        with private_redis(redis_port, tmp_path):
            spawn(
                "web",
                "gunicorn",
                "invoice_assistant.wsgi",
                "--bind",
                f"127.0.0.1:{web_port}",
                "--workers",
                "1",
                "--threads",
                "4",
            )
            spawn(
                "worker",
                "celery",
                "-A",
                "invoice_assistant",
                "worker",
                "-Q",
                "default,cpu",
                "-c",
                "1",
                "--without-gossip",
                "--without-mingle",
            )
            spawn(
                "beat",
                "celery",
                "-A",
                "invoice_assistant",
                "beat",
                "--schedule",
                str(tmp_path / "beat-schedule"),
            )
            wait_for(lambda: _up(base), timeout=60, what="web start")
            # When uploads arrive before, during and after a ~10 s Redis outage
            for seed in (10, 11):
                upload_one(seed)
        outage_started = time.monotonic()
        for seed in (12, 13, 14):
            upload_one(seed)
        time.sleep(max(0.0, 10 - (time.monotonic() - outage_started)))
        with private_redis(redis_port, tmp_path):
            upload_one(20)
            # Then every document reaches a terminal state, each exactly once
            wait_for(
                lambda: (
                    Document.objects.filter(pk__in=ids, status__in=TERMINAL).count() == len(ids)
                ),
                timeout=400,
                what="all documents terminal after the outage",
                step=1,
            )
    finally:
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
    assert_invariant(ids, media)
    assert Extraction.objects.filter(document_id__in=ids).count() == len(ids)


def _up(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False
