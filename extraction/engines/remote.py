"""The ``remote`` engine: an OpenAI-compatible chat-completions endpoint.

The scale-out path when one GPU box is not enough: vLLM or SGLang serving GLM-4.6V-Flash
(or a hosted GLM API) behind ``EngineContext.remote_base_url``. Each document is one
``POST {base_url}/chat/completions`` with the page as a ``data:`` URL JPEG image part and
the same prompt, parser, validation and OCR reconciliation as the local ``vlm`` engine.

Structured output is requested as ``response_format: json_schema`` (vLLM, SGLang,
OpenAI); a server that answers 400 to that is asked again with ``json_object`` and then
with no constraint, and the first variant it accepts is remembered. Thinking is turned
off with ``chat_template_kwargs`` (vLLM/SGLang), dropped as well if the server refuses
it. Only 429, 5xx, timeouts and connection errors are retried (``urllib3.Retry`` on the
session), with exponential backoff and jitter (``Retry-After`` honoured); other errors
are the caller's to fix.
Concurrency is capped per process by a semaphore of ``remote_concurrency`` slots.
"""

from __future__ import annotations

import base64
import contextlib
import io
import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar, Self
from urllib.parse import urlsplit

import requests
from PIL import Image
from requests.adapters import HTTPAdapter
from urllib3 import BaseHTTPResponse
from urllib3.exceptions import InvalidHeader, ReadTimeoutError
from urllib3.util.retry import Retry

from extraction.engines import answers
from extraction.engines.base import (
    EngineContext,
    EngineUnavailable,
    PreparedDocument,
    TransientEngineError,
    registry,
    source_digest,
)
from extraction.parsing.model_answer import clean_answer_text
from extraction.prompts import FewShotExample, json_schema
from extraction.schema import ExtractionResult
from extraction.watchdog import InferenceTimeout

logger = logging.getLogger(__name__)

ENGINE_REVISION = "1"
SCORE = 50  # above CPU OCR, below a local GPU model
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 30.0
CONNECT_TIMEOUT_S = 10.0
JPEG_QUALITY = 90

_THINKING_OFF = {"chat_template_kwargs": {"enable_thinking": False}}


class RemoteRequestError(RuntimeError):
    """The endpoint refused the request for a reason retrying will not fix."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"remote endpoint answered {status}: {detail}")
        self.status = status


def encode_image(image: Image.Image) -> str:
    """A ``data:`` URL of the image as JPEG (base64), longest side <= 1024 px."""
    buffer = io.BytesIO()
    answers.fit_image(image).save(buffer, format="JPEG", quality=JPEG_QUALITY)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


class RemoteEngine:
    name: ClassVar[str] = "remote"

    @classmethod
    def score(cls, ctx: EngineContext) -> int | None:
        return SCORE if ctx.remote_base_url else None

    def __init__(
        self,
        ctx: EngineContext,
        *,
        sleep: Callable[[float], None] = time.sleep,
        few_shot: Sequence[FewShotExample] = (),
    ) -> None:
        if not ctx.remote_base_url:
            raise EngineUnavailable("no remote endpoint configured (remote_base_url)")
        self.ctx = ctx
        self.url = ctx.remote_base_url.rstrip("/") + "/chat/completions"
        self.few_shot = tuple(few_shot)
        self._sleep = sleep
        self._slots = threading.BoundedSemaphore(max(1, ctx.remote_concurrency))
        self._local = threading.local()
        # Index of the first request variant the server accepted, per answer kind.
        self._variant = {"json": 0, "text": 0}
        self._ocr_evidence = answers.ocr_evidence_from_registry(ctx)

    @classmethod
    def static_version(cls, ctx: EngineContext) -> str:
        host = urlsplit(ctx.remote_base_url or "").netloc
        model = ctx.remote_model or "served-model"
        return f"remote-{ENGINE_REVISION}:{model}@{host}:code-{source_digest()}"

    @property
    def model_version(self) -> str:
        host = urlsplit(self.url).netloc
        return f"{self.ctx.remote_model or 'served-model'}@{host}"

    @property
    def version(self) -> str:
        return f"remote-{ENGINE_REVISION}:{self.model_version}"

    # --- extraction ---------------------------------------------------------------------

    def extract(self, document: PreparedDocument) -> ExtractionResult:
        outcome = self._extract_one(document)
        if isinstance(outcome, TransientEngineError):
            raise outcome
        return outcome

    def extract_batch(self, documents: Sequence[PreparedDocument]) -> list[ExtractionResult]:
        outcomes = self.extract_many(documents)
        for outcome in outcomes:
            if isinstance(outcome, TransientEngineError):
                raise outcome
        return [outcome for outcome in outcomes if isinstance(outcome, ExtractionResult)]

    def extract_many(
        self, documents: Sequence[PreparedDocument]
    ) -> list[ExtractionResult | TransientEngineError]:
        """One outcome per document, in input order; requests run concurrently (capped)."""
        if not documents:
            return []
        workers = max(1, min(len(documents), self.ctx.remote_concurrency))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="remote-vlm") as pool:
            return list(pool.map(self._extract_one, documents))

    def _extract_one(self, document: PreparedDocument) -> ExtractionResult | TransientEngineError:
        prompt = answers.prompt_for(document, self.few_shot)
        started = time.perf_counter()
        try:
            content = self.complete(
                answers.first_page(document), prompt.text, schema=json_schema(prompt)
            )
        except TransientEngineError as exc:
            return exc
        raw = answers.result_from_answer(
            content,
            document=document,
            prompt=prompt,
            engine=self.name,
            engine_version=self.version,
            model_version=self.model_version,
            inference_ms=(time.perf_counter() - started) * 1000,
        )
        return answers.finish(raw, document, ocr_evidence=self._ocr_evidence)

    # --- free-form -----------------------------------------------------------------------

    def answer(self, image: Image.Image, question: str) -> str:
        """Answer a free-form question about an image (the /api/v1/inference contract)."""
        return clean_answer_text(self.complete(image, question))

    # --- HTTP ----------------------------------------------------------------------------

    def complete(
        self, image: Image.Image, text: str, *, schema: dict[str, Any] | None = None
    ) -> str:
        """The answer text for one image + prompt; ``schema`` asks for structured JSON."""
        message = {
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": {"url": encode_image(image)}},
                {"type": "text", "text": text},
            ],
        }
        body: dict[str, Any] = {
            "messages": [message],
            "temperature": 0,
            "max_tokens": self.ctx.vlm_max_new_tokens,
        }
        if self.ctx.remote_model:
            body["model"] = self.ctx.remote_model
        kind = "json" if schema is not None else "text"
        variants = _variants(schema)
        index = self._variant[kind]
        while True:
            try:
                data = self._post({**body, **variants[index]})
            except RemoteRequestError as exc:
                # A 400 to a variant is the server not supporting that option: try a
                # plainer variant, and remember it so later requests start there.
                if exc.status != 400 or index + 1 >= len(variants):
                    raise
                index += 1
                logger.info("remote endpoint refused request variant; trying variant %d", index)
                continue
            self._variant[kind] = index
            return _content(data)

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST; 429/5xx, timeouts and connection errors are retried by the session
        (``urllib3.Retry``, see :meth:`_session`)."""
        attempts = max(0, self.ctx.remote_max_retries) + 1
        try:
            with self._slots:
                response = self._session().post(
                    self.url,
                    json=body,
                    headers=self._headers(),
                    timeout=(CONNECT_TIMEOUT_S, self.ctx.remote_timeout_s),
                )
        except (requests.Timeout, requests.ConnectionError) as exc:
            if _timed_out(exc):
                raise InferenceTimeout(
                    f"remote endpoint did not answer within {self.ctx.remote_timeout_s} s "
                    f"({attempts} attempts)"
                ) from exc
            raise TransientEngineError(f"cannot reach remote endpoint: {exc}") from exc
        if response.status_code == 200:
            try:
                payload: dict[str, Any] = response.json()
            except ValueError as exc:
                raise RemoteRequestError(200, "response is not JSON") from exc
            return payload
        if response.status_code in RETRY_STATUSES:
            raise TransientEngineError(
                f"remote endpoint answered {response.status_code} after {attempts} attempts"
            )
        raise RemoteRequestError(response.status_code, response.text[:300])

    def _session(self) -> requests.Session:
        # requests.Session is not documented as thread-safe: one per thread.
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            retries = max(0, self.ctx.remote_max_retries)
            retry = _BackoffRetry(
                total=retries,
                connect=retries,
                read=retries,
                status=retries,
                other=0,
                redirect=0,
                status_forcelist=RETRY_STATUSES,
                allowed_methods=None,  # every request here is a POST, safe to repeat
                raise_on_status=False,  # the last answer is returned and judged above
                respect_retry_after_header=True,
            )
            retry.sleeper = self._sleep
            session.mount(self.url.split("://", 1)[0] + "://", HTTPAdapter(max_retries=retry))
            self._local.session = session
        return session

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self.ctx.remote_api_key:
            headers["Authorization"] = f"Bearer {self.ctx.remote_api_key}"
        return headers


class _BackoffRetry(Retry):
    """``urllib3.Retry`` with this engine's delays: exponential backoff with equal
    jitter, at least the server's ``Retry-After`` (capped), slept by ``sleeper``."""

    sleeper: Callable[[float], None] = time.sleep

    def new(self, **kw: Any) -> Self:
        retry = super().new(**kw)
        retry.sleeper = self.sleeper
        return retry

    def get_backoff_time(self) -> float:
        return backoff_delay(max(0, len(self.history) - 1))

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        retry_after = None
        if response is not None and self.respect_retry_after_header:
            with contextlib.suppress(InvalidHeader):
                retry_after = self.get_retry_after(response)
        self.sleeper(backoff_delay(max(0, len(self.history) - 1), retry_after))


def _timed_out(exc: requests.RequestException) -> bool:
    """A read timeout, raised directly or as the reason the retries ran out."""
    if isinstance(exc, requests.Timeout):
        return True
    reason = getattr(exc.args[0] if exc.args else None, "reason", None)
    return isinstance(reason, ReadTimeoutError)


def backoff_delay(attempt: int, retry_after: float | None = None) -> float:
    """Exponential backoff with equal jitter, at least the server's ``Retry-After``."""
    ceiling = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**attempt)
    delay = ceiling / 2 + random.uniform(0, ceiling / 2)
    if retry_after is not None:
        delay = max(delay, min(retry_after, BACKOFF_CAP_S))
    return delay


def _variants(schema: dict[str, Any] | None) -> list[dict[str, Any]]:
    if schema is None:
        return [dict(_THINKING_OFF), {}]
    structured = {
        "type": "json_schema",
        "json_schema": {"name": "invoice_fields", "schema": schema},
    }
    return [
        {"response_format": structured, **_THINKING_OFF},
        {"response_format": {"type": "json_object"}, **_THINKING_OFF},
        {"response_format": {"type": "json_object"}},
        {},
    ]


def _content(data: dict[str, Any]) -> str:
    try:
        content = data["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError) as exc:
        raise RemoteRequestError(200, f"unexpected response shape: {str(data)[:200]}") from exc
    if isinstance(content, list):
        # Some servers return content parts even for text.
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content or "")


registry.register(RemoteEngine)
