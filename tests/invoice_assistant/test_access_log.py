"""gunicorn's access log: what people type into URLs never reaches it unmasked."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote_plus

import pytest
from gunicorn.config import Config

ROOT = Path(__file__).resolve().parents[2]
LOGGER = "invoice_assistant.access_log.PiiMaskingLogger"
PHONE = "13812345678"
CARD = "6217002965318407539"


def access_line(tmp_path: Path, *, query: str, referer: str = "-") -> str:
    """One request through gunicorn's own access logging, configured as the product runs
    it (its logger class, the default combined format), as written to the log file."""
    log_file = tmp_path / "access.log"
    cfg = Config()
    cfg.set("accesslog", str(log_file))
    cfg.set("logger_class", LOGGER)
    logger = cfg.logger_class(cfg)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/api/v1/review/queue/?{query}",
        "PATH_INFO": "/api/v1/review/queue/",
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": referer,
        "HTTP_USER_AGENT": "pytest",
    }
    response = SimpleNamespace(status="200 OK", headers=[], sent=42)
    request = SimpleNamespace(headers=[("REFERER", referer)])
    logger.access(response, request, environ, dt.timedelta(milliseconds=7))
    for handler in logger.access_log.handlers:
        handler.flush()
    logger.close_on_exec()
    return log_file.read_text(encoding="utf-8")


def test_a_phone_number_in_a_search_is_masked_in_the_access_log(tmp_path):
    # When a reviewer searches the queue for a phone number
    line = access_line(tmp_path, query=f"search={PHONE}&ordering=-total")
    # Then the request is logged with the number masked and the rest as sent
    assert PHONE not in line
    assert "GET /api/v1/review/queue/?search=*******5678&ordering=-total HTTP/1.1" in line
    assert '" 200 42 ' in line


@pytest.mark.parametrize(
    "query",
    [
        f"search={CARD[:4]}%20{CARD[4:8]}%20{CARD[8:12]}%20{CARD[12:16]}%20{CARD[16:]}",
        f"search={CARD[:4]}+{CARD[4:8]}+{CARD[8:12]}+{CARD[12:16]}+{CARD[16:]}",
        "search=" + "".join(f"%EF%BC%{0x90 + int(d):02X}" for d in PHONE),  # full-width
    ],
)
def test_a_percent_encoded_number_is_masked_too(tmp_path, query):
    # When the number arrives encoded as a browser sends it
    line = access_line(tmp_path, query=query)
    # Then the log does not hold it, read back however it is decoded
    decoded = unicodedata.normalize("NFKC", unquote_plus(line)).replace(" ", "")
    assert CARD not in decoded and PHONE not in decoded


def test_the_referer_is_masked(tmp_path):
    # When a page whose URL carries a number links to the API
    line = access_line(
        tmp_path, query="page=2", referer=f"http://localhost:8000/#/review?search={PHONE}"
    )
    # Then the Referer field is logged masked
    assert PHONE not in line
    assert "#/review?search=*******5678" in line


def test_request_ids_and_plain_requests_are_logged_unchanged(tmp_path):
    # When an ordinary request without personal numbers is logged
    query = "claim=12&id=d1381234-5359-4abc-8def-0123456789ab"
    line = access_line(tmp_path, query=query)
    # Then its line is exactly what gunicorn's own logger writes
    assert f"GET /api/v1/review/queue/?{query} HTTP/1.1" in line


@pytest.mark.parametrize("launcher", ["scripts/run.sh", "docker/Dockerfile"])
def test_every_gunicorn_launch_uses_the_masking_logger(launcher):
    text = (ROOT / launcher).read_text(encoding="utf-8")
    assert LOGGER in text
