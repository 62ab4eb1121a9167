"""Where independent tasks run: worker processes on this machine, or a Dask cluster.

A comparison's variants (:mod:`sampler.compare`) and a city's parts (:mod:`sampler.decompose`)
are tasks that share nothing: each is planned with one solver thread on a deterministic
budget. They hand their tasks to a :class:`Runner` and get the outcomes back in the tasks'
order, so neither cares what runs them, and the results are the same, byte for byte,
whichever does: nothing a task returns depends on the process, host or thread that ran it.

- :class:`LocalRunner` (the default, nothing to start): the process pool of
  :mod:`sampler.workers`, whose workers die with this process; in this process when one job
  is asked for.
- :class:`DaskRunner`: the tasks of a Dask ``distributed`` client, one Dask task per variant
  or part. The engine reschedules the task of a worker that is lost (Dask's
  ``allowed-failures``) and runs again one that raised (``retries``). A task uses one solver
  thread, so a worker started with ``--nthreads`` at most its cores never runs more solver
  threads than cores (``--nthreads 1`` and a worker per core suit the planner best: its
  heuristics are Python and hold the GIL).

:func:`runner_for` turns what a user wrote (nothing, ``local:N`` or a scheduler's address)
into a runner; ``distributed`` is imported only then (the ``cluster`` extra).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

from sampler.workers import worker_pool

T = TypeVar("T")
R = TypeVar("R")

CLUSTER_ENV = "SAMPLER_CLUSTER"  # the scheduler's address, or local:N, when --cluster is not given
LOCAL_PREFIX = "local:"
TASK_RETRIES = 2  # a task that raised (a worker's failure, not a variant's) runs again this often

Done = Callable[[int, int, int], None]  # (tasks done, tasks in all, index of the one just done)


class ClusterError(ValueError):
    """A cluster that cannot be used: the extra is not installed, or a bad address."""


class Runner(Protocol):
    """Runs ``fn`` on every item; the outcomes in the items' order."""

    @property
    def dashboard(self) -> str | None:
        """Where to watch the tasks (a URL), if anywhere."""
        ...

    def map(self, fn: Callable[[T], R], items: Sequence[T], on_done: Done | None = None) -> list[R]:
        """``fn(item)`` for every item, in the items' order; ``on_done`` hears of each as it
        finishes (in the order they finish, which only a display should see)."""
        ...


class LocalRunner:
    """Worker processes on this machine (``jobs`` of them; in this process for one)."""

    dashboard = None

    def __init__(self, jobs: int | None = None):
        self.jobs = max(1, jobs or os.cpu_count() or 1)

    def map(self, fn: Callable[[T], R], items: Sequence[T], on_done: Done | None = None) -> list[R]:
        """See :meth:`Runner.map`."""
        done = on_done or (lambda *_: None)
        jobs = min(self.jobs, len(items))
        outcomes: list[Any] = [None] * len(items)
        if jobs <= 1:
            for k, item in enumerate(items):
                outcomes[k] = fn(item)
                done(k + 1, len(items), k)
            return outcomes
        from concurrent.futures import as_completed

        with worker_pool(jobs) as pool:
            futures = {pool.submit(fn, item): k for k, item in enumerate(items)}
            try:
                for count, future in enumerate(as_completed(futures), start=1):
                    outcomes[futures[future]] = future.result()
                    done(count, len(items), futures[future])
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
        return outcomes


class DaskRunner:
    """The tasks of a Dask ``distributed`` client: one Dask task per item."""

    def __init__(self, client: Any, retries: int = TASK_RETRIES):
        self.client = client
        self.retries = retries

    @property
    def dashboard(self) -> str | None:
        """The scheduler's dashboard, as Dask reports it (None without one)."""
        try:
            return self.client.dashboard_link or None
        except Exception:  # no dashboard (bokeh missing, --no-dashboard)
            return None

    def map(self, fn: Callable[[T], R], items: Sequence[T], on_done: Done | None = None) -> list[R]:
        """See :meth:`Runner.map`. ``pure=False``: two equal items are still two tasks, each
        reported done (their outcomes are equal anyway)."""
        from distributed import as_completed

        done = on_done or (lambda *_: None)
        futures = [self.client.submit(fn, item, retries=self.retries, pure=False) for item in items]
        index = {future.key: k for k, future in enumerate(futures)}
        outcomes: list[Any] = [None] * len(items)
        try:
            for count, future in enumerate(as_completed(futures), start=1):
                k = index[future.key]
                outcomes[k] = future.result()
                done(count, len(items), k)
        except BaseException:
            self.client.cancel(futures)
            raise
        return outcomes


def cluster_address(cluster: str | None) -> str | None:
    """What to run on: ``cluster`` as given, else ``$SAMPLER_CLUSTER``, else None (local)."""
    chosen = cluster if cluster is not None else os.environ.get(CLUSTER_ENV)
    return (chosen.strip() or None) if chosen else None


@contextmanager
def runner_for(cluster: str | None = None, jobs: int | None = None) -> Iterator[Runner]:
    """A runner for ``cluster``: None (and no ``$SAMPLER_CLUSTER``) for worker processes
    here (``jobs`` of them); ``local:N`` for a Dask ``LocalCluster`` of N one-thread worker
    processes on 127.0.0.1, stopped on leaving; otherwise a running scheduler's address
    (``tcp://127.0.0.1:8786``), whose workers are left running."""
    address = cluster_address(cluster)
    if address is None:
        yield LocalRunner(jobs)
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ClusterError(
            f"--cluster {address} needs Dask: pip install -e '.[cluster]' ({exc})"
        ) from None
    if address.startswith(LOCAL_PREFIX):
        n = address[len(LOCAL_PREFIX) :]
        if not n.isdigit() or int(n) < 1:
            raise ClusterError(f"--cluster {address}: local:N needs a number of workers N >= 1")
        with (
            LocalCluster(
                n_workers=int(n),
                threads_per_worker=1,  # one task, so one solver thread, per worker process
                processes=True,
                host="127.0.0.1",
                dashboard_address="127.0.0.1:0",  # a free port: several people share a machine
            ) as local,
            Client(local) as client,
        ):
            yield DaskRunner(client)
        return
    try:
        client = Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(f"--cluster {address}: no scheduler answers there ({exc})") from None
    with client:
        yield DaskRunner(client)
