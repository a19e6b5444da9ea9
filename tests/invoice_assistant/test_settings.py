"""Production settings: refuse to start without clamd; pass check --deploy when complete."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "invoice_assistant.settings.production",
    "DJANGO_SECRET_KEY": "k" * 20 + "Zq8#vX2!mN4@pL6$rT0^wY9&uI3*oE5(aS7)dF1-",
    "DJANGO_ALLOWED_HOSTS": "invoices.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
    "REDIS_URL": "redis://127.0.0.1:6379/3",
    "CLAMD_SOCKET": "/tmp/ia-clamd/clamd.sock",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CLAMD_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_passes_check_deploy_with_the_documented_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_clamd():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "CLAMD_SOCKET"}
    result = manage("check", **env)
    assert result.returncode != 0
    assert "refuses to start without virus scanning" in result.stderr


def test_production_refuses_a_weak_secret_key():
    result = manage("check", **{**PRODUCTION_ENV, "DJANGO_SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_bad_integer_setting_fails_with_a_clear_message():
    result = manage("check", UPLOAD_MAX_BYTES="twenty")
    assert result.returncode != 0
    assert "UPLOAD_MAX_BYTES must be an integer" in result.stderr
