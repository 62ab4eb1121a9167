"""Worker processes that die with the process that started them.

A city's parts (:mod:`sampler.decompose`) and a comparison's variants (:mod:`sampler.compare`)
are planned in a ``ProcessPoolExecutor``. Ctrl-C reaches the whole process group, but a
``kill -9`` or ``kill -TERM`` of the main process alone left its workers running, re-parented
to PID 1, for minutes (issue 13). So every worker, as it starts:

- on Linux asks the kernel to send it SIGKILL when its parent dies (``prctl`` with
  ``PR_SET_PDEATHSIG``; the parent being the thread that forked it, which is the one
  inside the ``with worker_pool(...)`` block, alive as long as the pool);
- everywhere, also starts a watchdog thread that exits the worker once the parent is gone:
  where ``prctl`` is missing, and for start methods (forkserver) whose worker's parent is
  not the process that made the pool.

A worker holds no state worth saving: what it writes goes into a staging folder that the
next run removes (:mod:`sampler.output`).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import multiprocessing.pool
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

PR_SET_PDEATHSIG = 1
POLL_SECONDS = 0.5


def worker_pool(max_workers: int, *, pdeathsig: bool = True) -> ProcessPoolExecutor:
    """A process pool whose workers die with this process (``pdeathsig=False`` leaves the
    watchdog alone, as on a platform without ``prctl``)."""
    return ProcessPoolExecutor(
        max_workers=max_workers, initializer=die_with_parent, initargs=(os.getpid(), pdeathsig)
    )


def forked_pool(processes: int) -> multiprocessing.pool.Pool | None:
    """A pool of worker processes forked from this one, so that they inherit its memory
    (large inputs are not pickled for each task), that die with it, and whose work still
    running ``terminate()`` drops (a guess no longer wanted); None where processes cannot
    fork, or this one may not have children (a daemonic worker)."""
    if multiprocessing.current_process().daemon:
        return None
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:
        return None
    return context.Pool(processes, initializer=die_with_parent, initargs=(os.getpid(), True))


def die_with_parent(parent: int, pdeathsig: bool = True) -> None:
    """Pool initializer: tie this worker's life to process ``parent``."""
    direct = os.getppid() == parent
    if pdeathsig and direct and sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the watchdog below still holds
    if not _parent_alive(parent, direct):  # it died before prctl took effect
        os._exit(1)
    watchdog = threading.Thread(
        target=_watch, args=(parent, direct), name="sampler-parent-watchdog", daemon=True
    )
    watchdog.start()


def _parent_alive(parent: int, direct: bool) -> bool:
    if direct:  # re-parented once the parent is gone (no pid-reuse question)
        return os.getppid() == parent
    try:
        os.kill(parent, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _watch(parent: int, direct: bool) -> None:
    while _parent_alive(parent, direct):
        time.sleep(POLL_SECONDS)
    os._exit(1)
