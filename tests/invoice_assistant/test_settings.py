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


def test_an_in_flight_deadline_a_late_heartbeat_could_miss_refuses_to_start():
    # Given a deadline of two heartbeats: one late beat would get a live run queued twice
    result = manage("check", RUN_HEARTBEAT_S="10", SWEEP_INFLIGHT_STUCK_AFTER_S="20")
    # Then the settings refuse it, naming both variables
    assert result.returncode != 0
    assert "SWEEP_INFLIGHT_STUCK_AFTER_S must be at least 3 x RUN_HEARTBEAT_S" in result.stderr


def dev_secret_key(var_dir: Path) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SECRET_KEY)"],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "invoice_assistant.settings.dev",
            "IA_VAR_DIR": str(var_dir),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.strip()


def test_dev_settings_make_a_private_secret_key_once_and_keep_it(tmp_path):
    # Given a fresh install with no DJANGO_SECRET_KEY
    var_dir = tmp_path / "var"
    # When the settings load twice (two starts), and once more for another install
    first = dev_secret_key(var_dir)
    second = dev_secret_key(var_dir)
    other_install = dev_secret_key(tmp_path / "other-var")
    # Then the key is random, kept between starts in a file only the owner can read
    key_file = var_dir / "secret_key"
    assert len(first) >= 50
    assert first == second == key_file.read_text().strip()
    assert other_install != first
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert "dev-insecure" not in first


def test_dev_settings_keep_var_private(tmp_path):
    # Given a fresh install on the embedded defaults (SQLite in var/)
    var_dir = tmp_path / "var"
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "CLAMD_")) and k not in {"DATABASE_URL", "REDIS_URL"}
    }
    # When the dev settings create the database (with the usual umask 022)
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "invoice_assistant.settings.dev",
            "IA_VAR_DIR": str(var_dir),
        },
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=lambda: os.umask(0o022),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Then var/ and every folder in it is the owner's only, and so is every file there
    assert (var_dir / "db.sqlite3").is_file()
    assert var_dir.stat().st_mode & 0o777 == 0o700
    for path in var_dir.rglob("*"):
        expected = 0o700 if path.is_dir() else 0o600
        assert path.stat().st_mode & 0o777 == expected, (path, oct(path.stat().st_mode))
