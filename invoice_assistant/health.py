"""Liveness and readiness probes.

Readiness probes the database, the broker, clamd and the workers, which costs a second or
more (the worker ping waits its whole timeout). So a process probes at most once per
``READYZ_CACHE_S``, one probe at a time: concurrent callers get the last result at once
instead of each holding a server thread for a probe of their own.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse


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
    from invoice_assistant.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=1)
        return True, conn.transport_cls if isinstance(conn.transport_cls, str) else "ok"
    except Exception as exc:
        return False, str(exc)


def _check_workers() -> tuple[bool, str]:
    """Worker heartbeat: which workers answer a ping within a second."""
    from invoice_assistant.celery import app

    try:
        replies = app.control.ping(timeout=1.0) or []
    except Exception as exc:
        return False, f"no answer: {exc}"
    names = sorted(name for reply in replies for name in reply)
    return bool(names), ", ".join(names) if names else "no worker answered"


@dataclass(frozen=True)
class _Probe:
    ready: bool
    checks: dict[str, dict[str, Any]]
    at: float


_last: _Probe | None = None
_probing = threading.Lock()


def _probe() -> _Probe:
    from reimbursements.scanning import ping

    checks: dict[str, dict[str, Any]] = {}
    ok_db, detail_db = _check_db()
    checks["database"] = {"ok": ok_db, "detail": detail_db}
    ok_broker, detail_broker = _check_broker()
    checks["broker"] = {"ok": ok_broker, "detail": detail_broker}
    ok_clamd, detail_clamd = ping()
    # Without a configured scanner (dev only) readiness reports it but does not fail.
    clamd_required = settings.SCAN_REQUIRED or settings.CLAMD_CONFIGURED
    checks["clamd"] = {"ok": ok_clamd, "detail": detail_clamd, "required": clamd_required}
    ok_workers, detail_workers = _check_workers() if ok_broker else (False, "broker down")
    # Informational: a web node is ready to accept uploads even while workers restart
    # (documents wait in the queue); alert on this check instead of failing readiness.
    checks["workers"] = {"ok": ok_workers, "detail": detail_workers, "required": False}
    ready = ok_db and ok_broker and (ok_clamd or not clamd_required)
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
    from invoice_assistant.ops_access import may_read_operations

    probe = _current_probe()
    if probe is None:
        return JsonResponse({"ready": False, "detail": "first probe still running"}, status=503)
    body: dict[str, Any] = {"ready": probe.ready}
    # Versions, hosts and error texts help an attacker: details only for operators.
    if may_read_operations(request):
        body["checks"] = probe.checks
    return JsonResponse(body, status=200 if probe.ready else 503)
