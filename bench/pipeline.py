"""Pipeline benchmark through the real stack (issue: the pipeline).

Starts gunicorn + one Celery worker (OCR engine) on PostgreSQL, Redis and clamd, then:
  1. photo to fields: ``--sequential`` documents uploaded one at a time, each once the
     previous one has its fields (what an employee waits for), p50/p95 from the server's
     timestamps (created -> completed);
  2. a burst: the other N documents sent at once from ``--clients`` threads: upload
     latency p50/p99 (HTTP and server-side), upload-to-fields while the one worker drains
     the queue, and documents per minute for that worker;
  3. cache hits: processed images uploaded again, one at a time: latency p50/p99, end
     to end (HTTP) and server-side (the request's own Server-Timing header);
  4. steady load: ``--clients`` clients each uploading a new document, waiting for the
     answer and thinking 0.5-1.5 s, for ``--steady-s`` seconds, while the worker runs:
     upload latency p50/p99.
Writes a JSON report. Run: ``make bench-pipeline`` (or ``python bench/pipeline.py -n 60``).
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import contextlib
import io
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import machine  # noqa: E402

TERMINAL = {"extracted", "needs_review", "failed", "infected", "rejected"}


def ts(value: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(value).timestamp()


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_images(n: int, seed: int) -> list[bytes]:
    from PIL import Image

    from synth import DOCUMENT_TYPES, generate_document

    images = []
    kinds = [k for k in DOCUMENT_TYPES if k.startswith("vat") or k == "digital_invoice"]
    for i in range(n):
        doc = generate_document(kinds[i % len(kinds)], seed=seed + i, photo=True)
        image = Image.open(io.BytesIO(doc.image_bytes)).convert("RGB")
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85)
        images.append(out.getvalue())
    return images


def request(
    method: str, url: str, *, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=120) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def upload(base: str, token: str, data: bytes) -> tuple[float, float, dict[str, Any]]:
    boundary = "benchBoundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    started = time.perf_counter()
    status, headers, raw = request(
        "POST",
        base + "/api/v1/documents/",
        body=body,
        headers={
            "Authorization": f"Token {token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    elapsed = time.perf_counter() - started
    if status != 201:
        raise RuntimeError(f"upload failed: {status} {raw[:300]!r}")
    server_ms = float(headers.get("Server-Timing", "app;dur=nan").split("dur=")[-1])
    return elapsed, server_ms / 1000, json.loads(raw)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=60, help="distinct documents to upload")
    parser.add_argument("--clients", type=int, default=50)
    # 500: the p99 of 200 samples is their 2nd-3rd slowest, one stall decides it.
    parser.add_argument("--cache-hits", type=int, default=500)
    # A server that has been running has prepared its statements on each of its 16
    # connections (after 5 runs each); these first hits are reported apart, as warm-up.
    parser.add_argument("--cache-warmup", type=int, default=100)
    parser.add_argument(
        "--sequential", type=int, default=10, help="documents sent one at a time first"
    )
    parser.add_argument("--steady-s", type=float, default=20.0, help="steady-load duration")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "pipeline.json"))
    # Its own database and Redis db: runs beside other people's tests and benchmarks.
    parser.add_argument("--db", default="ia_bench_pipeline", help="PostgreSQL database (dropped)")
    parser.add_argument("--redis-db", type=int, default=7, help="Redis db number (flushed)")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "invoice_assistant.settings.test")
    socket_path = (
        subprocess.run(
            ["bash", str(ROOT / "scripts" / "start-clamd.sh")],
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    db = args.db
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", db], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", db], check=True)
    var = Path(f"/tmp/ia-bench-pipeline-{os.getpid()}")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "invoice_assistant.settings.production",
        "DJANGO_SECRET_KEY": "bench-" + "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        "CACHE_KEY_PREFIX": f"bench{os.getpid()}",
        "CLAMD_SOCKET": socket_path,
        "EXTRACTION_ENGINE": "ocr",
        "IA_VAR_DIR": str(var),
        "MEDIA_ROOT": str(var / "media"),
        "API_RATE_UPLOAD": "100000/min",
        "API_RATE_USER": "100000/min",
        # One bench user sends --clients uploads at once: lift the per-user in-flight cap.
        "LONG_REQUESTS_PER_USER": str(max(args.clients, 3) + 1),
        "LOG_LEVEL": "WARNING",
    }
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    token = (
        subprocess.run(
            [
                python,
                "manage.py",
                "shell",
                "-c",
                "from django.contrib.auth.models import User; from reimbursements.tokens "
                "import auth_token_issue; u=User.objects.create_user('bench'); "
                "print(auth_token_issue(user=u).key)",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    subprocess.run(
        ["redis-cli", "-n", str(args.redis_db), "flushdb"], check=True, capture_output=True
    )

    # The host's speed drifts on a shared VM (seen here: this loop from 0.36 s to 1.6 s in
    # one afternoon): it is measured before and after, so runs can be compared.
    loop_at_start = machine.python_loop_s()
    print(f"rendering {args.n} synthetic invoice photos...", file=sys.stderr)
    images = make_images(args.n, seed=1000)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    logs = var / "log"
    logs.mkdir(parents=True, exist_ok=True)
    processes = [
        subprocess.Popen(
            [
                python,
                "-m",
                "gunicorn",
                "invoice_assistant.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "8",
                "--timeout",
                "120",
            ],
            cwd=ROOT,
            env=env,
            stdout=(logs / "web.log").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        ),
        subprocess.Popen(
            [
                python,
                "-m",
                "celery",
                "-A",
                "invoice_assistant",
                "worker",
                "-Q",
                "default,cpu",
                "-c",
                "1",
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            stdout=(logs / "worker.log").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        ),
    ]
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                if request("GET", base + "/healthz")[0] == 200:
                    break
            time.sleep(0.5)
        # Warm the web workers (imports, DB connections) outside the measurement.
        for _ in range(4):
            request("GET", base + "/api/v1/me/", headers={"Authorization": f"Token {token}"})

        auth = {"Authorization": f"Token {token}"}

        def wait_terminal(ids: list[int], limit_s: float) -> dict[int, dict[str, Any]]:
            done: dict[int, dict[str, Any]] = {}
            deadline = time.monotonic() + limit_s
            while time.monotonic() < deadline and len(done) < len(ids):
                for document_id in ids:
                    if document_id in done:
                        continue
                    _status, _, raw = request(
                        "GET", f"{base}/api/v1/documents/{document_id}/", headers=auth
                    )
                    body = json.loads(raw)
                    if body["status"] in TERMINAL:
                        done[document_id] = body
                time.sleep(0.05 if len(ids) == 1 else 1)
            return done

        # 1. Photo to fields, one document at a time (the worker otherwise idle): what an
        #    employee waits for after taking a photo.
        print(f"photo to fields: {args.sequential} documents one at a time...", file=sys.stderr)
        single: list[dict[str, Any]] = []
        for data in images[: args.sequential]:
            _, _, body = upload(base, token, data)
            single.extend(wait_terminal([body["id"]], 120).values())
        to_fields_single = [
            ts(d["completed_at"]) - ts(d["created_at"]) for d in single if d.get("completed_at")
        ]

        # 2. A burst: every remaining document sent at once from the client pool, then the
        #    queue drained by the one worker (throughput).
        burst = images[args.sequential :]
        print(f"burst: {len(burst)} uploads from {args.clients} clients...", file=sys.stderr)
        burst_started = time.time()
        with cf.ThreadPoolExecutor(args.clients) as pool:
            results = list(pool.map(lambda data: upload(base, token, data), burst))
        burst_upload_s = [r[0] for r in results]
        burst_server_s = [r[1] for r in results]
        ids = [r[2]["id"] for r in results]
        print("waiting for fields...", file=sys.stderr)
        documents = wait_terminal(ids, 60 * 60)
        to_fields_burst = [
            ts(d["completed_at"]) - ts(d["created_at"])
            for d in documents.values()
            if d.get("completed_at")
        ]
        processing = [
            ts(d["completed_at"]) - ts(d["processing_started_at"])
            for d in [*single, *documents.values()]
            if d.get("completed_at") and d.get("processing_started_at")
        ]
        last_done = max(ts(d["completed_at"]) for d in documents.values() if d.get("completed_at"))
        span_min = (last_done - burst_started) / 60
        failed = [d["id"] for d in [*single, *documents.values()] if d["status"] == "failed"]

        # Reference: the cheapest authenticated API answer (token lookup, one small JSON),
        # the floor under which no endpoint of this stack answers on this machine.
        floor_server_s = []
        for _ in range(args.cache_hits):
            _status, headers, _raw = request("GET", base + "/api/v1/me/", headers=auth)
            floor_server_s.append(
                float(headers.get("Server-Timing", "app;dur=nan").split("dur=")[-1]) / 1000
            )

        # 3. Cache hits: processed images uploaded again, one after another.
        print(f"re-uploading {args.cache_hits} processed images (cache hits)...", file=sys.stderr)
        warmup_server_s = [
            upload(base, token, images[i % len(images)])[1] for i in range(args.cache_warmup)
        ]
        hit_s, hit_server_s, hits = [], [], 0
        for i in range(args.cache_hits):
            elapsed, server_s, body = upload(base, token, images[i % len(images)])
            hit_s.append(elapsed)
            hit_server_s.append(server_s)
            hits += bool(body.get("extraction") and body["extraction"].get("from_cache"))

        # 4. Steady load: each client uploads a new document, waits for the answer, thinks
        #    0.5-1.5 s (mean 1 s) and uploads the next, for --steady-s seconds, while the
        #    worker processes what arrives. Each upload is distinct bytes (a unique trailer
        #    after the image's end marker, which intake drops), so none is a cache hit.
        print(f"steady load: {args.clients} clients for {args.steady_s:.0f} s...", file=sys.stderr)
        steady_s: list[float] = []
        steady_server_s: list[float] = []
        stop_at = time.monotonic() + args.steady_s
        counter = iter(range(10**9))

        def client(seed: int) -> None:
            rng = random.Random(seed)
            time.sleep(rng.uniform(0, 1))  # clients do not start in lockstep
            while time.monotonic() < stop_at:
                n = next(counter)
                data = images[n % len(images)] + f"steady-{os.getpid()}-{n}".encode()
                elapsed, server_s, _ = upload(base, token, data)
                steady_s.append(elapsed)
                steady_server_s.append(server_s)
                time.sleep(rng.uniform(0.5, 1.5))

        with cf.ThreadPoolExecutor(args.clients) as pool:
            list(pool.map(client, range(args.clients)))
    finally:
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)

    report: dict[str, Any] = {
        "machine": {
            **machine.describe(),
            "python_loop_10M_adds_s_at_start": round(loop_at_start, 3),
            "load_average_at_end": os.getloadavg(),
        },
        "photo_to_fields_one_at_a_time_s": {
            "documents": len(to_fields_single),
            "p50": pct(to_fields_single, 50),
            "p95": pct(to_fields_single, 95),
        },
        "burst": {
            "documents": len(ids),
            "clients": args.clients,
            "upload_ms": {
                "p50": pct(burst_upload_s, 50) * 1000,
                "p99": pct(burst_upload_s, 99) * 1000,
                "server_p50": pct(burst_server_s, 50) * 1000,
                "server_p99": pct(burst_server_s, 99) * 1000,
            },
            "upload_to_fields_s": {
                "p50": pct(to_fields_burst, 50),
                "p95": pct(to_fields_burst, 95),
            },
        },
        "steady": {
            "clients": args.clients,
            "seconds": args.steady_s,
            "uploads": len(steady_s),
            "uploads_per_s": len(steady_s) / args.steady_s,
            "upload_ms": {
                "p50": pct(steady_s, 50) * 1000,
                "p99": pct(steady_s, 99) * 1000,
                "server_p50": pct(steady_server_s, 50) * 1000,
                "server_p99": pct(steady_server_s, 99) * 1000,
            },
        },
        "processing_s": {"p50": pct(processing, 50), "p95": pct(processing, 95)},
        "single_document_processing_s_mean": statistics.mean(processing) if processing else None,
        "documents_per_minute_per_worker": len(documents) / span_min if span_min else None,
        "failed": failed,
        "cache_hits": hits,
        "reference_get_me_server_ms": {
            "p50": pct(floor_server_s, 50) * 1000,
            "p99": pct(floor_server_s, 99) * 1000,
        },
        "cache_hit_ms": {
            "http_p50": pct(hit_s, 50) * 1000,
            "http_p99": pct(hit_s, 99) * 1000,
            "server_p50": pct(hit_server_s, 50) * 1000,
            "server_p99": pct(hit_server_s, 99) * 1000,
            "warmup_hits": len(warmup_server_s),
            "warmup_server_p50": pct(warmup_server_s, 50) * 1000,
            "warmup_server_max": max(warmup_server_s, default=float("nan")) * 1000,
            # The tail itself, in order of arrival: is it warm-up or scattered stalls?
            "server_slowest": sorted(
                ((round(s * 1000, 1), i) for i, s in enumerate(hit_server_s)), reverse=True
            )[:8],
        },
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    targets = [
        (
            "upload p99 <= 150 ms at 50 clients (steady load)",
            report["steady"]["upload_ms"]["p99"] <= 150,
        ),
        ("cache-hit p99 <= 10 ms (server)", report["cache_hit_ms"]["server_p99"] <= 10),
        (
            "upload-to-fields p50 <= 3 s (one at a time)",
            report["photo_to_fields_one_at_a_time_s"]["p50"] <= 3,
        ),
    ]
    for name, ok in targets:
        print(f"  [{'met' if ok else 'MISSED'}] {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
