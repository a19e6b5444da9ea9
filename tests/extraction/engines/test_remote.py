"""The ``remote`` engine against a local OpenAI-compatible server running in a thread."""

from __future__ import annotations

import base64
import io
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from PIL import Image

from extraction.engines.base import (
    EngineContext,
    PreparedDocument,
    TransientEngineError,
)
from extraction.engines.remote import RemoteEngine, RemoteRequestError, backoff_delay
from extraction.machine import qr
from extraction.machine.merge import PRINTED_DIFFERS_FROM_QR
from extraction.schema import DocumentType, FieldSource
from extraction.watchdog import InferenceTimeout

ANSWER = {
    "document_type": "vat_special",
    "invoice_code": "1100153130",
    "invoice_number": "01234567",
    "issue_date": "2024-01-02",
    "seller_name": "北京示例科技有限公司",
    "seller_tax_id": "91110000600037341L",
    "amount_excluding_tax": "1000.00",
    "tax_amount": "130.00",
    "total_amount": "1130.00",
    "total_in_words": "壹仟壹佰叁拾元整",
    "currency": "CNY",
    "line_items": [],
}


@dataclass
class Reply:
    status: int = 200
    content: str = json.dumps(ANSWER, ensure_ascii=False)
    delay_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    # 400 whenever the request carries this top-level key (an older server).
    refuse_key: str | None = None


@dataclass
class FakeServer:
    """Scripted replies in order (the last one repeats); every request body is recorded."""

    url: str
    replies: list[Reply]
    requests: list[dict[str, Any]] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_reply(self, body: dict[str, Any]) -> Reply:
        with self.lock:
            self.requests.append(body)
            index = min(len(self.requests), len(self.replies)) - 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            return self.replies[index]

    def done(self) -> None:
        with self.lock:
            self.in_flight -= 1


@pytest.fixture
def server() -> Iterator[FakeServer]:
    state = FakeServer(url="", replies=[Reply()])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            body = json.loads(self.rfile.read(length))
            reply = state.next_reply(body)
            try:
                time.sleep(reply.delay_s)
                if reply.refuse_key and _mentions(body, reply.refuse_key):
                    self._send(400, {"error": {"message": f"unsupported {reply.refuse_key}"}})
                elif reply.status != 200:
                    self._send(reply.status, {"error": {"message": "busy"}}, reply.headers)
                else:
                    choice = {
                        "index": 0,
                        "message": {"role": "assistant", "content": reply.content},
                    }
                    self._send(200, {"choices": [choice]})
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)
            finally:
                state.done()

        def _send(self, status: int, payload: dict[str, Any], headers: Any = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    yield state
    httpd.shutdown()
    httpd.server_close()


def _mentions(body: dict[str, Any], key: str) -> bool:
    if key == "json_schema":
        return body.get("response_format", {}).get("type") == "json_schema"
    return key in body


def _engine(
    server: FakeServer, sleeps: list[float] | None = None, **overrides: Any
) -> RemoteEngine:
    settings: dict[str, Any] = {
        "remote_base_url": server.url,
        "remote_model": "glm-4.6v-flash",
        "remote_api_key": "test-key",
        "remote_timeout_s": 2.0,
        "remote_max_retries": 2,
        "reconcile_with_ocr": False,
    }
    settings.update(overrides)
    recorded = sleeps if sleeps is not None else []
    return RemoteEngine(EngineContext(**settings), sleep=recorded.append)


def _doc(name: str = "doc") -> PreparedDocument:
    return PreparedDocument(source=name, pages=[Image.new("RGB", (1600, 900), "white")])


def test_score_needs_an_endpoint() -> None:
    assert RemoteEngine.score(EngineContext()) is None
    assert RemoteEngine.score(EngineContext(remote_base_url="http://x/v1")) is not None


def test_extract_sends_an_image_part_and_asks_for_structured_json(server: FakeServer) -> None:
    # given a server that answers with the invoice JSON
    engine = _engine(server)
    # when a document is extracted
    result = engine.extract(_doc())
    # then the request holds a JPEG data URL (longest side 1024) and a JSON schema
    [body] = server.requests
    image_part, text_part = body["messages"][0]["content"]
    assert image_part["type"] == "image_url"
    url = image_part["image_url"]["url"]
    assert url.startswith("data:image/jpeg;base64,")
    sent = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert max(sent.size) == 1024
    assert text_part["text"].startswith("You are reading an image of an invoice")
    assert body["response_format"]["type"] == "json_schema"
    assert "total_amount" in body["response_format"]["json_schema"]["schema"]["properties"]
    assert body["chat_template_kwargs"] == {"enable_thinking": False}
    assert body["model"] == "glm-4.6v-flash"
    # and the answer went through parsing and validation
    assert str(result.fields.total_amount) == "1130.00"
    assert result.engine == "remote"
    assert result.prompt_version == "invoice.fields.v1"
    assert result.confidence["seller_tax_id"] > 0.9  # checksum-confirmed


def test_a_500_is_retried_with_backoff(server: FakeServer) -> None:
    # given a server that fails once and then answers
    server.replies = [Reply(status=500), Reply()]
    sleeps: list[float] = []
    # when a document is extracted
    result = _engine(server, sleeps).extract(_doc())
    # then it took two requests and one backoff pause
    assert len(server.requests) == 2
    assert len(sleeps) == 1 and 0 < sleeps[0] <= 0.5
    assert result.fields.invoice_number == "01234567"


def test_retry_after_is_honoured_on_429(server: FakeServer) -> None:
    server.replies = [Reply(status=429, headers={"Retry-After": "3"}), Reply()]
    sleeps: list[float] = []
    _engine(server, sleeps).extract(_doc())
    assert sleeps == [3.0]


def test_a_server_that_keeps_failing_gives_a_transient_error(server: FakeServer) -> None:
    server.replies = [Reply(status=503)]
    sleeps: list[float] = []
    with pytest.raises(TransientEngineError, match="503"):
        _engine(server, sleeps, remote_max_retries=2).extract(_doc())
    assert len(server.requests) == 3
    assert len(sleeps) == 2


def test_a_client_error_is_not_retried(server: FakeServer) -> None:
    server.replies = [Reply(status=401)]
    with pytest.raises(RemoteRequestError) as caught:
        _engine(server).extract(_doc())
    assert caught.value.status == 401
    assert len(server.requests) == 1


def test_a_slow_server_times_out_after_retries(server: FakeServer) -> None:
    # given a server slower than the read timeout
    server.replies = [Reply(delay_s=0.6)]
    sleeps: list[float] = []
    engine = _engine(server, sleeps, remote_timeout_s=0.2, remote_max_retries=1)
    # when / then the watchdog's timeout error comes after one retry
    with pytest.raises(InferenceTimeout):
        engine.extract(_doc())
    assert len(server.requests) == 2
    assert len(sleeps) == 1


def test_a_server_without_json_schema_falls_back_to_json_object(server: FakeServer) -> None:
    # given a server that refuses json_schema response formats
    server.replies = [Reply(refuse_key="json_schema")]
    engine = _engine(server)
    # when two documents are extracted one after the other
    engine.extract(_doc("a"))
    engine.extract(_doc("b"))
    # then the first asked twice, and the second started with the accepted variant
    formats = [body["response_format"]["type"] for body in server.requests]
    assert formats == ["json_schema", "json_object", "json_object"]


def test_concurrency_is_capped(server: FakeServer) -> None:
    # given a slow-ish server and a cap of two concurrent requests
    server.replies = [Reply(delay_s=0.15)]
    engine = _engine(server, remote_concurrency=2)
    # when six documents are extracted as a batch
    results = engine.extract_batch([_doc(str(i)) for i in range(6)])
    # then they ran in parallel, never more than two at a time, all answered in order
    assert server.max_in_flight == 2
    assert len(results) == 6
    assert all(r.fields.invoice_number == "01234567" for r in results)


def test_answer_returns_text_without_reasoning(server: FakeServer) -> None:
    # given a model that thinks aloud before answering
    server.replies = [Reply(content="<think>Looks like a receipt.</think>A coffee receipt.")]
    # when asked a free-form question
    text = _engine(server).answer(Image.new("RGB", (64, 64)), "What is this?")
    # then only the answer comes back, and no JSON format was requested
    assert text == "A coffee receipt."
    assert "response_format" not in server.requests[0]


def test_backoff_grows_exponentially_with_jitter() -> None:
    delays = [backoff_delay(attempt) for attempt in range(4)]
    for attempt, delay in enumerate(delays):
        ceiling = 0.5 * 2**attempt
        assert ceiling / 2 <= delay <= ceiling


def test_a_callers_document_type_hint_outranks_the_models(server: FakeServer) -> None:
    # given a reviewer marked the document as a general VAT invoice; the model says special
    document = _doc()
    document.document_type_hint = "vat_general"
    # when extracted
    result = _engine(server).extract(document)
    # then the reviewer's type stands
    assert result.document_type is DocumentType.VAT_GENERAL


def test_qr_values_are_sent_as_known_and_replace_the_answer(server: FakeServer) -> None:
    # Given a document whose QR code says invoice 01234568 (the model will answer 01234567)
    reading = qr.parse_payload("01,01,1100153130,01234568,1000.00,20240102,,A1B2,")
    assert reading is not None
    document = _doc()
    document.machine.append(reading)
    # When extracted
    result = _engine(server).extract(document)
    # Then the prompt named the known values
    [body] = server.requests
    text = body["messages"][0]["content"][1]["text"]
    assert '"invoice_number": "01234568"' in text
    assert result.prompt_version == "invoice.fields.v1+known.v1"
    # and the exact value replaced the model's, which is reported as differing
    assert result.fields.invoice_number == "01234568"
    assert result.sources["invoice_number"] is FieldSource.QR
    assert result.sources["seller_name"] is FieldSource.REMOTE
    [warning] = [w for w in result.warnings if w.code == PRINTED_DIFFERS_FROM_QR]
    assert "'01234567'" in warning.message and "'01234568'" in warning.message
