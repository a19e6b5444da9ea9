"""A per-user limit on long requests in flight (uploads, inference, file and export
downloads), so that no number of open requests from one account can occupy every
server thread.

A request holds one of ``LONG_REQUESTS_PER_USER`` slots for its user from the moment it
is authenticated (before its body is read) until its response has been sent. Slots are
``flock`` locks on small files under ``LONG_REQUEST_LOCK_DIR``: shared by every web
process of the host (threads are a per-host resource), and released by the kernel when a
process dies, so a crash never leaks one.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpResponseBase
from django.utils.translation import gettext
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.request import Request


class TooManyInFlight(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "too_many_in_flight"


class Slot:
    """One held slot; ``release`` is idempotent."""

    def __init__(self, fd: int) -> None:
        self._fd: int | None = fd

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)  # closing the descriptor drops its flock

    def __del__(self) -> None:
        self.release()


def try_acquire(user_id: int) -> Slot | None:
    """A free slot of this user's, or ``None`` when all are taken."""
    directory = Path(settings.LONG_REQUEST_LOCK_DIR)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    for index in range(settings.LONG_REQUESTS_PER_USER):
        fd = os.open(directory / f"{user_id}-{index}", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        return Slot(fd)
    return None


class LongRequestLimitMixin:
    """For APIViews whose ``long_request_methods`` may hold a server thread for long."""

    long_request_methods: frozenset[str] = frozenset({"POST"})

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if request.method not in self.long_request_methods:
            return
        user_id = getattr(request.user, "pk", None)
        if user_id is None:
            return
        slot = try_acquire(int(user_id))
        if slot is None:
            _stop_reading_the_body(request)
            limit = settings.LONG_REQUESTS_PER_USER
            raise TooManyInFlight(
                gettext(
                    "You already have %(limit)d uploads or downloads in progress; wait for "
                    "one to finish, then try again."
                )
                % {"limit": limit}
            )
        request._long_request_slot = slot  # type: ignore[attr-defined]

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        slot: Slot | None = getattr(request, "_long_request_slot", None)
        if slot is not None:
            if isinstance(response, HttpResponseBase):
                # Held until the server has sent the whole answer (a file may stream).
                response._resource_closers.append(slot.release)  # type: ignore[attr-defined]
            else:
                slot.release()
        return response


def _stop_reading_the_body(request: Request) -> None:
    """Refused before its body was read: gunicorn would otherwise spend up to 5 s of the
    thread draining that body to keep the connection alive (a client trickling it, or
    never sending it, would hold the thread all that time). Closing the socket's read
    side ends the drain at once; the answer is still written, then the connection closes.
    """
    sock = request.META.get("gunicorn.socket")
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RD)
