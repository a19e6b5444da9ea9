"""What machine a benchmark ran on, with one speed reference, so figures taken on
different days (this project's VMs have differed by 3-4x in speed) can be compared.

The reference is single-threaded pure Python (the web path's kind of work) timed as the
best of three runs: on a shared machine the best run is the least disturbed one.
"""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path
from typing import Any

_LOOP = 10_000_000


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def _cpu_flags() -> list[str]:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                wanted = ("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8")
                return [f for f in wanted if f in flags]
    except OSError:
        pass
    return []


def python_loop_s(n: int = _LOOP, repeat: int = 3) -> float:
    """Seconds for ``n`` additions in a Python loop, best of ``repeat``."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        total = 0
        for i in range(n):
            total += i
        best = min(best, time.perf_counter() - started)
    return best


def describe(*, n: int = _LOOP) -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "cpu_flags": _cpu_flags(),
        "python": platform.python_version(),
        f"python_loop_{n // 1_000_000}M_adds_s": round(python_loop_s(n), 3),
    }
