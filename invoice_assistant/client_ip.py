"""The client's address, believing ``X-Forwarded-For`` only as far as trusted proxies wrote it.

A client can send any ``X-Forwarded-For`` it likes; only the entries appended by our own
proxies are facts. With ``TRUSTED_PROXY_COUNT`` = N, the N-th entry from the right is the
address the outermost trusted proxy saw; with 0 (the default: the server faces clients
directly) the header is ignored. DRF's throttles read the same number (``NUM_PROXIES``) and
pick the same entry, so login limits and rate limits agree on who the client is.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote_addr = str(request.META.get("REMOTE_ADDR") or "")
    proxies: int = settings.TRUSTED_PROXY_COUNT
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
    if proxies == 0 or not forwarded:
        return remote_addr
    addresses = forwarded.split(",")
    return addresses[-min(proxies, len(addresses))].strip()
