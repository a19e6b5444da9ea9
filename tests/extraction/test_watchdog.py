"""The consecutive-timeout watchdog."""

from __future__ import annotations

import threading

import pytest

from extraction.engines.base import TransientEngineError
from extraction.watchdog import InferenceTimeout, TimeoutWatchdog


def test_trips_on_the_fifth_consecutive_timeout_by_default() -> None:
    # given a watchdog with the default threshold
    trips: list[int] = []
    watchdog = TimeoutWatchdog(on_trip=trips.append)
    # when four timeouts happen, then a fifth
    results = [watchdog.record_timeout() for _ in range(4)]
    fifth = watchdog.record_timeout()
    # then only the fifth trips it, once, and reports the count
    assert results == [False] * 4
    assert fifth is True
    assert trips == [5]
    assert watchdog.tripped


def test_a_success_resets_the_count() -> None:
    trips: list[int] = []
    watchdog = TimeoutWatchdog(threshold=3, on_trip=trips.append)
    watchdog.record_timeout()
    watchdog.record_timeout()
    watchdog.record_success()
    watchdog.record_timeout()
    watchdog.record_timeout()
    assert watchdog.consecutive == 2
    assert trips == []


def test_the_callback_fires_once_until_reset() -> None:
    trips: list[int] = []
    watchdog = TimeoutWatchdog(threshold=2, on_trip=trips.append)
    for _ in range(5):
        watchdog.record_timeout()
    assert trips == [2]
    watchdog.reset()
    assert not watchdog.tripped and watchdog.consecutive == 0
    watchdog.record_timeout()
    watchdog.record_timeout()
    assert trips == [2, 2]


def test_threshold_must_be_positive() -> None:
    with pytest.raises(ValueError, match="threshold"):
        TimeoutWatchdog(threshold=0)


def test_guard_counts_timeouts_and_reraises() -> None:
    watchdog = TimeoutWatchdog(threshold=2)
    for _ in range(2):
        with pytest.raises(InferenceTimeout), watchdog.guard():
            raise InferenceTimeout("slow")
    assert watchdog.tripped


def test_guard_ignores_other_errors_and_resets_on_success() -> None:
    # given one timeout already counted
    watchdog = TimeoutWatchdog(threshold=3)
    watchdog.record_timeout()
    # when a non-timeout failure happens, the count stands
    with pytest.raises(TransientEngineError), watchdog.guard():
        raise TransientEngineError("out of memory")
    assert watchdog.consecutive == 1
    # and a success clears it
    with watchdog.guard():
        pass
    assert watchdog.consecutive == 0


def test_guard_accepts_extra_timeout_types() -> None:
    class SoftTimeLimit(Exception):
        pass

    watchdog = TimeoutWatchdog(threshold=1, timeout_types=(SoftTimeLimit,))
    with pytest.raises(SoftTimeLimit), watchdog.guard():
        raise SoftTimeLimit
    assert watchdog.tripped


def test_concurrent_timeouts_trip_exactly_once() -> None:
    # given many threads reporting timeouts at once
    trips: list[int] = []
    watchdog = TimeoutWatchdog(threshold=50, on_trip=trips.append)
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        for _ in range(25):
            watchdog.record_timeout()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then no count was lost and the callback ran once
    assert watchdog.consecutive == 200
    assert trips == [50]
