"""ClamAV over clamd's INSTREAM command. Fail closed: no verdict, no 'clean'."""

from __future__ import annotations

import io
from dataclasses import dataclass

import clamd
from django.conf import settings


class ScannerUnavailable(Exception):
    """clamd cannot be reached or answered nonsense; the scan must be retried."""


class TooLargeForScanner(Exception):
    """The file exceeds clamd's StreamMaxLength: reject it, never skip the scan."""


@dataclass(frozen=True)
class ScanOutcome:
    infected: bool
    signature: str
    scanner_version: str


def scanner_configured() -> bool:
    return bool(settings.CLAMD_CONFIGURED)


def _client() -> clamd.ClamdUnixSocket | clamd.ClamdNetworkSocket:
    if settings.CLAMD_SOCKET:
        return clamd.ClamdUnixSocket(path=settings.CLAMD_SOCKET, timeout=settings.CLAMD_TIMEOUT_S)
    if settings.CLAMD_HOST:
        return clamd.ClamdNetworkSocket(
            host=settings.CLAMD_HOST, port=settings.CLAMD_PORT, timeout=settings.CLAMD_TIMEOUT_S
        )
    raise ScannerUnavailable("no virus scanner is configured (CLAMD_SOCKET / CLAMD_HOST)")


def scan_bytes(data: bytes) -> ScanOutcome:
    if len(data) > settings.CLAMD_STREAM_MAX_BYTES:
        # clamd would cut the stream (BrokenPipe) and the rest would go unscanned.
        raise TooLargeForScanner(
            f"{len(data)} bytes exceeds the scanner limit of {settings.CLAMD_STREAM_MAX_BYTES}"
        )
    client = _client()
    try:
        version = str(client.version()).strip()
        answer = client.instream(io.BytesIO(data))
    except (clamd.ConnectionError, OSError) as exc:
        raise ScannerUnavailable(f"clamd unreachable: {exc}") from exc
    except clamd.BufferTooLongError as exc:
        raise TooLargeForScanner(str(exc)) from exc
    status, signature = (answer or {}).get("stream", (None, None))
    if status == "OK":
        return ScanOutcome(infected=False, signature="", scanner_version=version)
    if status == "FOUND":
        return ScanOutcome(infected=True, signature=str(signature), scanner_version=version)
    # "ERROR" (e.g. size limit reached inside clamd) or anything unexpected: no verdict.
    if signature and "size limit" in str(signature).lower():
        raise TooLargeForScanner(str(signature))
    raise ScannerUnavailable(f"clamd gave no verdict: {answer!r}")


def readiness() -> tuple[bool, str, bool]:
    """For /readyz: (ok, detail, required). Without a configured scanner (dev only)
    readiness reports it but does not fail."""
    ok, detail = ping()
    return ok, detail, settings.SCAN_REQUIRED or settings.CLAMD_CONFIGURED


def ping() -> tuple[bool, str]:
    """For /readyz: (ok, detail)."""
    if not scanner_configured():
        return False, "not configured"
    try:
        client = _client()
        client.ping()
        return True, str(client.version()).strip()
    except Exception as exc:  # readiness must report, never raise
        return False, f"unreachable: {exc}"
