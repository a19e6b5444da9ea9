"""Chunked request bodies (Transfer-Encoding: chunked, no Content-Length) for Django.

Django reads a body only as far as Content-Length says, so a chunked upload arrived
empty and was refused as "file_missing". gunicorn de-chunks the body and marks the
stream terminated (``wsgi.input_terminated``): this WSGI middleware reads it to its
end, spooled to disk past 2 MB and bounded, and hands Django a Content-Length. The
endpoints' own limits then apply exactly as for any other request. A server that
does not de-chunk (``manage.py runserver``) gets a clear 411 instead.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_READ_SIZE = 64 * 1024
_SPOOL_IN_MEMORY = 2 * 1024 * 1024


def largest_body_bytes() -> int:
    """The largest body any endpoint accepts: an upload-sized image as base64 JSON."""
    return settings.UPLOAD_MAX_BYTES * 3 // 2 + 1024 * 1024


def file_too_large_message() -> str:
    """The upload size refusal, naming the limit ("文件超过 20 MB 上限")."""
    return _("The file is larger than the %(limit)s limit.") % {
        "limit": size_text(settings.UPLOAD_MAX_BYTES)
    }


def size_text(n_bytes: int) -> str:
    """A byte count for people: "20 MB", "1.5 MB", "200 KB"."""
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if n_bytes >= size:
            return f"{n_bytes / size:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n_bytes} bytes"


def _is_chunked(environ: dict[str, Any]) -> bool:
    encoding = str(environ.get("HTTP_TRANSFER_ENCODING", "")).lower()
    return "chunked" in encoding and not environ.get("CONTENT_LENGTH")


def _language(environ: dict[str, Any]) -> str:
    """The client's language (Accept-Language, the language cookie): this runs before
    Django's middleware, so before a signed-in person's own choice is known."""
    from django.core.handlers.wsgi import WSGIRequest

    return translation.get_language_from_request(WSGIRequest(environ))


def _error(
    environ: dict[str, Any], start_response: StartResponse, status: str, code: str, message: str
) -> list[bytes]:
    if str(environ.get("PATH_INFO", "")).startswith("/api/"):
        body = json.dumps({"error": {"code": code, "message": message}}).encode()
        content_type = "application/json"
    else:
        body, content_type = message.encode(), "text/plain; charset=utf-8"
    start_response(
        status,
        [
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            # The rest of the body was not read: this connection cannot carry another request.
            ("Connection", "close"),
        ],
    )
    return [body]


class _ClosingBody:
    """The app's response, closing the spooled request body once the server is done."""

    def __init__(self, response: Iterable[bytes], spool: IO[bytes]) -> None:
        self._response = response
        self._spool = spool

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._response)

    def close(self) -> None:
        try:
            close = getattr(self._response, "close", None)
            if close is not None:
                close()
        finally:
            self._spool.close()


class ChunkedBodyMiddleware:
    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if not _is_chunked(environ):
            return self.app(environ, start_response)
        if not environ.get("wsgi.input_terminated"):
            with translation.override(_language(environ)):
                message = translation.gettext(
                    "This server cannot read a chunked request body: send a Content-Length."
                )
            return _error(
                environ, start_response, "411 Length Required", "length_required", message
            )
        limit = largest_body_bytes()
        stream = environ["wsgi.input"]
        # Closed with the response (_ClosingBody), not at the end of this block.
        spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115
        size = 0
        while chunk := stream.read(_READ_SIZE):
            size += len(chunk)
            if size > limit:
                spool.close()
                # Past this, any file in it is past the upload limit: name that limit.
                with translation.override(_language(environ)):
                    message = file_too_large_message()
                return _error(
                    environ,
                    start_response,
                    "413 Request Entity Too Large",
                    "file_too_large",
                    message,
                )
            spool.write(chunk)
        spool.seek(0)
        environ["wsgi.input"] = spool
        environ["CONTENT_LENGTH"] = str(size)
        try:
            response = self.app(environ, start_response)
        except BaseException:
            spool.close()
            raise
        return _ClosingBody(response, spool)
