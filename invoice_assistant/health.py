"""Liveness and readiness probes.

Readiness probes the database, the broker, what the apps register (clamd) and the
workers, which costs a second or more (the worker ping waits its whole timeout). So a
process probes at most once per ``READYZ_CACHE_S``, one probe at a time: concurrent
callers get the last result at once instead of each holding a server thread for a probe
of their own.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse

from invoice_assistant.ops_access import may_read_operations


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _check_db() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True, connection.vendor
    except Exception as exc:
        return False, str(exc)


def _check_broker() -> tuple[bool, str]:
    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=1)
        return True, conn.transport_cls if isinstance(conn.transport_cls, str) else "ok"
    except Exception as exc:
        return False, str(exc)


def _check_workers() -> tuple[bool, str]:
    """Worker heartbeat: which workers answer a ping within a second."""
    try:
        replies = current_app.control.ping(timeout=1.0) or []
    except Exception as exc:
        return False, f"no answer: {exc}"
    names = sorted(name for reply in replies for name in reply)
    return bool(names), ", ".join(names) if names else "no worker answered"


# (ok, detail, required): a check that is not required is reported, never fails readiness.
ReadinessCheck = Callable[[], tuple[bool, str, bool]]
_registered: dict[str, ReadinessCheck] = {}


def register_check(name: str, check: ReadinessCheck) -> None:
    """Add a service an app depends on to /readyz (the apps register theirs when ready)."""
    _registered[name] = check


@dataclass(frozen=True)
class _Probe:
    ready: bool
    checks: dict[str, dict[str, Any]]
    at: float


_last: _Probe | None = None
_probing = threading.Lock()


def _probe() -> _Probe:
    checks: dict[str, dict[str, Any]] = {}
    ok_db, detail_db = _check_db()
    checks["database"] = {"ok": ok_db, "detail": detail_db}
    ok_broker, detail_broker = _check_broker()
    checks["broker"] = {"ok": ok_broker, "detail": detail_broker}
    ready = ok_db and ok_broker
    for name, check in _registered.items():
        ok, detail, required = check()
        checks[name] = {"ok": ok, "detail": detail, "required": required}
        ready = ready and (ok or not required)
    ok_workers, detail_workers = _check_workers() if ok_broker else (False, "broker down")
    # Informational: a web node is ready to accept uploads even while workers restart
    # (documents wait in the queue); alert on this check instead of failing readiness.
    checks["workers"] = {"ok": ok_workers, "detail": detail_workers, "required": False}
    return _Probe(ready=ready, checks=checks, at=time.monotonic())


def _current_probe() -> _Probe | None:
    """A fresh enough result, probing when none is and no other thread is probing;
    ``None`` while the very first probe is still running elsewhere."""
    global _last
    last = _last
    if last is not None and time.monotonic() - last.at < settings.READYZ_CACHE_S:
        return last
    if not _probing.acquire(blocking=False):
        return last  # another thread is probing: its previous answer will do
    try:
        _last = _probe()
        return _last
    finally:
        _probing.release()


def readyz(request: HttpRequest) -> JsonResponse:
    probe = _current_probe()
    if probe is None:
        return JsonResponse({"ready": False, "detail": "first probe still running"}, status=503)
    body: dict[str, Any] = {"ready": probe.ready}
    # Versions, hosts and error texts help an attacker: details only for operators.
    if may_read_operations(request):
        body["checks"] = probe.checks
    return JsonResponse(body, status=200 if probe.ready else 503)
