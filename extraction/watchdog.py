"""Consecutive-timeout watchdog for inference workers.

A GPU worker whose model hangs (driver fault, fragmented memory, a wedged kernel) keeps
timing out while still taking documents from the queue. After ``threshold`` timeouts in
a row -- with no success in between -- the worker should declare itself unhealthy, stop
consuming and exit so its supervisor restarts it. This class only counts and calls back;
what "stop and exit" means is the caller's business (the Celery wiring).

Only timeouts count: a malformed document or an out-of-memory error says nothing about
the health of the worker, so it neither advances nor resets the count. Any success
resets it, because one good inference proves the model still answers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from extraction.engines.base import TransientEngineError

DEFAULT_THRESHOLD = 5


class InferenceTimeout(TransientEngineError):
    """An inference ran past its time limit; engines raise it so the watchdog can count it."""


class TimeoutWatchdog:
    """Thread-safe counter of consecutive inference timeouts with a one-shot trip callback.

    ``on_trip(count)`` is called exactly once, outside the lock, by the thread whose
    timeout reached the threshold; later timeouts do not call it again until ``reset()``.
    """

    def __init__(
        self,
        threshold: int = DEFAULT_THRESHOLD,
        on_trip: Callable[[int], None] | None = None,
        *,
        timeout_types: tuple[type[BaseException], ...] = (InferenceTimeout, TimeoutError),
    ) -> None:
        if threshold < 1:
            raise ValueError(f"threshold must be >= 1, got {threshold}")
        self.threshold = threshold
        self._on_trip = on_trip
        self._timeout_types = timeout_types
        self._lock = threading.Lock()
        self._consecutive = 0
        self._tripped = False

    @property
    def consecutive(self) -> int:
        with self._lock:
            return self._consecutive

    @property
    def tripped(self) -> bool:
        with self._lock:
            return self._tripped

    def record_success(self) -> None:
        with self._lock:
            self._consecutive = 0

    def record_timeout(self) -> bool:
        """Count one timeout; ``True`` when this call tripped the watchdog."""
        with self._lock:
            self._consecutive += 1
            trips_now = not self._tripped and self._consecutive >= self.threshold
            if trips_now:
                self._tripped = True
            count = self._consecutive
        if trips_now and self._on_trip is not None:
            self._on_trip(count)
        return trips_now

    def reset(self) -> None:
        """Forget everything (a restarted worker starts healthy)."""
        with self._lock:
            self._consecutive = 0
            self._tripped = False

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Run one inference: success resets, a timeout-type exception counts, others pass.

        The exception is always re-raised; the watchdog only observes.
        """
        try:
            yield
        except self._timeout_types:
            self.record_timeout()
            raise
        self.record_success()
