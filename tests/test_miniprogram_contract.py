"""The mini-program's API module against the real Django server (live_server)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MINIPROGRAM = ROOT / "frontend" / "miniprogram"

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.mark.skipif(shutil.which("npx") is None, reason="Node.js is not installed")
def test_miniprogram_api_module_against_live_server(live_server, make_user, settings, tmp_path):
    # Given a real server that processes uploads inline, and an employee
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.MEDIA_ROOT = tmp_path / "media"
    user = make_user("employee", username="mp-contract")
    if not (MINIPROGRAM / "node_modules").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=MINIPROGRAM, check=True)
    # When the mini-program's contract test drives the API module against it
    result = subprocess.run(
        ["npx", "jest", "tests/contract.test.ts"],
        cwd=MINIPROGRAM,
        env={
            **os.environ,
            "IA_CONTRACT_BASE_URL": live_server.url,
            "IA_CONTRACT_USERNAME": user.username,
            "IA_CONTRACT_PASSWORD": "correct horse battery staple",
            "IA_CONTRACT_POLL_SECONDS": "60",
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    # Then every contract check passes (none skipped)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "skipped" not in output.split("Tests:")[-1].split("\n")[0], output
