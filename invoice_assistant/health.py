"""Liveness and readiness probes."""

from __future__ import annotations

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
            conn.ensure_connection(max_retries=1, timeout=2)
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


def readyz(request: HttpRequest) -> JsonResponse:
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
    return JsonResponse({"ready": ready, "checks": checks}, status=200 if ready else 503)
