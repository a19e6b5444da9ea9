"""Celery pool processes run at a lower CPU priority than the web server (WORKER_NICE)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.celery_worker import running_worker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def _children(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:  # ppid
            children.append(int(stat.parent.name))
    return children


def _nice(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def test_pool_processes_yield_the_cpu_and_the_main_process_does_not(settings, tmp_path):
    # Given a real worker started with WORKER_NICE=7
    settings.MEDIA_ROOT = tmp_path
    with running_worker(log_path=tmp_path / "worker.log", WORKER_NICE="7") as worker:
        # When its pool process has started
        wait_for(lambda: bool(_children(worker.pid)), timeout=30, what="pool process")
        (child,) = _children(worker.pid)
        # Then the pool process runs 7 steps nicer and the main process is untouched
        base = os.nice(0)  # what the worker inherited from this test run
        wait_for(lambda: _nice(child) == min(19, base + 7), timeout=10, what="renice")
        assert _nice(worker.pid) == base


def _autogroup_nice(pid: int) -> int | None:
    """The nice value of the process's session group, or None where it has none of its own
    (the file is empty for processes in the root group, e.g. PID 1's session in a container)."""
    try:
        text = Path(f"/proc/{pid}/autogroup").read_text()
    except OSError:
        return None
    _, found, value = text.partition(" nice ")
    return int(value) if found else None


@pytest.mark.skipif(
    not Path("/proc/sys/kernel/sched_autogroup_enabled").exists()
    or Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() != "1",
    reason="the kernel does not group sessions for CPU sharing",
)
def test_a_worker_leading_its_own_session_lowers_that_sessions_share(settings, tmp_path):
    # Given a real worker started in a session of its own (as supervisors start it)
    settings.MEDIA_ROOT = tmp_path
    own_group_before = _autogroup_nice(os.getpid())
    with running_worker(log_path=tmp_path / "worker.log", WORKER_NICE="7") as worker:
        assert os.getsid(worker.pid) == worker.pid
        # When its pool process has started
        wait_for(lambda: bool(_children(worker.pid)), timeout=30, what="pool process")
        # Then the session's autogroup, which the scheduler weighs against the web
        # server's, is as nice as the pool, while this test's own session is untouched
        wait_for(lambda: _autogroup_nice(worker.pid) == 7, timeout=10, what="autogroup nice")
        assert _autogroup_nice(os.getpid()) == own_group_before
