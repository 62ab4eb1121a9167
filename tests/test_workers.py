"""Worker processes die with their parent (issue 13): a parent with a pool of sleeping
workers is SIGKILLed, and its workers must be gone within a few seconds, by prctl's death
signal and, without it (as where prctl is missing), by the watchdog alone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PARENT = textwrap.dedent(
    """
    import sys, time
    from sampler.workers import worker_pool

    pool = worker_pool(2, pdeathsig=sys.argv[1] == "prctl")
    futures = [pool.submit(time.sleep, 120) for _ in range(4)]
    print("ready", flush=True)
    time.sleep(120)
    """
)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's zombie waits for PID 1, which may not reap)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.parametrize("how", ["prctl", "watchdog"])
def test_workers_die_with_a_killed_parent(how: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, how], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert parent.stdout is not None and parent.stdout.readline() == "ready\n"
        deadline = time.monotonic() + 20
        while len(workers := _children(parent.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(workers) >= 2, workers
        time.sleep(0.3)  # the initializer has run: the workers took their tasks
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    gone_by = time.monotonic() + 5
    while any(_running(w) for w in workers) and time.monotonic() < gone_by:
        time.sleep(0.05)
    alive = [w for w in workers if _running(w)]
    for w in alive:  # not left behind on a failure
        os.kill(w, signal.SIGKILL)
    assert alive == []


def test_a_forked_pool_is_refused_where_no_child_may_be_started(monkeypatch):
    """A daemonic worker may not start processes: it gets no pool (the caller works
    alone), where a process that may gets one whose work terminate() drops."""
    import multiprocessing

    from sampler.workers import forked_pool

    pool = forked_pool(1)
    assert pool is not None
    assert pool.apply(abs, (-3,)) == 3
    pool.terminate()
    pool.join()
    monkeypatch.setattr(multiprocessing.current_process(), "daemon", True, raising=False)
    assert forked_pool(1) is None
