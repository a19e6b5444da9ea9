"""Prometheus metrics for the web process and the workers.

With ``PROMETHEUS_MULTIPROC_DIR`` set (the run command and the compose file set it),
gunicorn workers and Celery worker processes on one host write to a shared directory and
``/metrics`` aggregates them. Queue depth is read from the broker at scrape time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from celery import current_app
from django.http import HttpRequest, HttpResponse, JsonResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from invoice_assistant.ops_access import may_read_operations

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)

HTTP_LATENCY = Histogram(
    "ia_http_request_duration_seconds",
    "HTTP request latency by route and method (read P95/P99 with histogram_quantile).",
    ["route", "method", "status"],
    buckets=LATENCY_BUCKETS,
)
UPLOAD_BYTES = Histogram(
    "ia_upload_bytes",
    "Size of accepted uploads in bytes.",
    buckets=(1e4, 1e5, 5e5, 1e6, 2e6, 5e6, 1e7, 2e7),
)
STAGE_DURATION = Histogram(
    "ia_stage_duration_seconds",
    "Duration of pipeline stages (scan, prepare, ocr, engine, validate, store, total).",
    ["stage", "engine"],
    buckets=LATENCY_BUCKETS,
)
OUTPUT_LENGTH = Histogram(
    "ia_engine_output_chars",
    "Length of the engine's raw output in characters.",
    ["engine"],
    buckets=(100, 300, 1000, 3000, 10000, 30000),
)
ENGINE_ERRORS = Counter("ia_engine_errors_total", "Engine failures by kind.", ["engine", "kind"])
CACHE_LOOKUPS = Counter("ia_cache_lookups_total", "Extraction cache lookups.", ["result"])
DOCUMENTS_FINISHED = Counter("ia_documents_finished_total", "Documents by final state.", ["status"])

QUEUES = ("default", "cpu", "gpu")
# Any other method a client makes up shares one label value: each distinct value is a new
# series for every route and status, so letting clients choose them grows /metrics
# without bound.
KNOWN_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}
)


class QueueDepthCollector:
    """Reads the broker's queue lengths at scrape time (Redis only; others report nothing)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "ia_queue_depth", "Messages waiting per queue.", labels=["queue"]
        )
        for queue, depth in queue_depths().items():
            family.add_metric([queue], depth)
        yield family


def queue_depths() -> dict[str, int]:
    depths: dict[str, int] = {}
    try:
        # The project's app (``invoice_assistant.celery``), current in every process.
        with current_app.connection_for_read() as conn:
            channel: Any = conn.default_channel
            for queue in QUEUES:
                try:
                    _, depth, _ = channel.queue_declare(queue=queue, passive=True)
                except Exception:
                    depth = 0
                depths[queue] = int(depth)
    except Exception:
        return {}
    return depths


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not may_read_operations(request):
        return JsonResponse(
            {
                "error": {
                    "code": "metrics_forbidden",
                    "message": "Metrics need the METRICS_TOKEN bearer token or an allowed "
                    "client address (METRICS_ALLOWED_IPS).",
                }
            },
            status=403,
        )
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY

        registry = REGISTRY
    queue_registry = CollectorRegistry()
    queue_registry.register(QueueDepthCollector())
    body = generate_latest(registry) + generate_latest(queue_registry)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = match.route if match is not None and match.route else "unmatched"
        elapsed = time.perf_counter() - started
        method = request.method if request.method in KNOWN_METHODS else "other"
        HTTP_LATENCY.labels(route=route, method=method, status=response.status_code).observe(
            elapsed
        )
        # Lets clients (and bench/pipeline.py) see server time apart from the network.
        response["Server-Timing"] = f"app;dur={elapsed * 1000:.1f}"
        return response
