"""clamd outage with a real worker: documents wait, then all reach a verdict."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from reimbursements.models import Document, ScanResult
from tests.celery_worker import ROOT, running_worker, wait_for
from tests.conftest import eicar_bytes, pdf_bytes, png_bytes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def start_clamd(run_dir: Path, port: int) -> Path:
    output = subprocess.run(
        ["bash", str(ROOT / "scripts" / "start-clamd.sh")],
        env={**os.environ, "IA_CLAMD_DIR": str(run_dir), "IA_CLAMD_PORT": str(port)},
        check=True,
        capture_output=True,
        text=True,
    )
    return Path(output.stdout.strip().splitlines()[-1])


def stop_clamd(run_dir: Path) -> None:
    pid_file = run_dir / "clamd.pid"
    if pid_file.exists():
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
        wait_for(lambda: not (run_dir / "clamd.sock").exists(), timeout=10, what="clamd stop")


@pytest.fixture
def clamd_dir(tmp_path_factory) -> Path:
    run_dir = tmp_path_factory.mktemp("clamd-outage")
    yield run_dir
    stop_clamd(run_dir)


def test_documents_wait_while_clamd_is_down_and_all_get_a_verdict_after(
    make_user, settings, tmp_path, clamd_dir
):
    # Given a worker whose clamd is down, and short retry delays
    settings.MEDIA_ROOT = tmp_path / "media"
    socket_path = clamd_dir / "clamd.sock"
    settings.CLAMD_SOCKET = str(socket_path)
    client = APIClient()
    client.force_authenticate(make_user("employee"))
    with running_worker(
        queues="default",
        log_path=tmp_path / "worker.log",
        CLAMD_SOCKET=str(socket_path),
        SCAN_RETRY_MAX_DELAY_S="2",
    ):
        # When three documents are uploaded (one of them infected)
        ids = []
        for name, data in [
            ("a.png", png_bytes()),
            ("b.pdf", pdf_bytes()),
            ("c.pdf", pdf_bytes() + eicar_bytes()),
        ]:
            response = client.post(
                "/api/v1/documents/", {"file": SimpleUploadedFile(name, data)}, format="multipart"
            )
            assert response.status_code == 201
            ids.append(response.json()["id"])

        # Then they wait in 'scanning' with a visible reason, and none is marked clean
        def all_waiting() -> bool:
            docs = Document.objects.filter(pk__in=ids)
            return all(d.status == "scanning" and d.scan_attempts >= 2 for d in docs)

        wait_for(all_waiting, timeout=60, what="documents held in scanning")
        assert not ScanResult.objects.filter(document_id__in=ids).exists()
        body = client.get(f"/api/v1/documents/{ids[0]}/").json()
        assert body["status"] == "scanning"
        assert "unavailable" in body["error"]

        # When clamd comes back
        start_clamd(clamd_dir, port=3319)

        # Then every document reaches a verdict exactly once
        def all_scanned() -> bool:
            return ScanResult.objects.filter(document_id__in=ids).count() == 3

        wait_for(all_scanned, timeout=60, what="verdicts after clamd restart")
    statuses = dict(Document.objects.filter(pk__in=ids).values_list("pk", "status"))
    assert statuses[ids[2]] == "infected"
    assert statuses[ids[0]] != "scanning" and statuses[ids[1]] != "scanning"
    for document_id in ids:
        assert ScanResult.objects.filter(document_id=document_id).count() == 1
