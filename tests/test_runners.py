"""Tests of the runners (sampler.runners): the same work on worker processes here and on a
real Dask cluster gives the same files, byte for byte; a cluster that loses a worker in the
middle of a sweep still completes it; a variant that fails is a row, not the end.

The cluster is real: ``dask scheduler`` and two ``dask worker`` processes (one thread each,
no nanny, no dashboard) on 127.0.0.1 at ports of the system's choosing, started by the
fixtures below and stopped after. Scenarios are tiny (``time_limit`` 0.5-1).
"""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from benchmarks.generate import generate, write_scenario
from sampler import compare, load_scenario, solve, write_plan
from sampler.cli import app
from sampler.compare import ERROR
from sampler.loader import parse_yaml
from sampler.runners import (
    CLUSTER_ENV,
    ClusterError,
    DaskRunner,
    LocalRunner,
    cluster_address,
    runner_for,
)
from sampler.solve import SolveParams
from sampler.variants import variants_from_sets

distributed = pytest.importorskip("distributed")  # the cluster extra; CI installs it

REPO = Path(__file__).resolve().parents[1]
FAST = SolveParams(time_limit=0.5, seed=0)
STARTUP_SECONDS = 60


@dataclass
class Cluster:
    """A running scheduler (its address) and its worker processes (by name)."""

    address: str
    workers: dict[str, subprocess.Popen]


def _dask(*args: str | Path, env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("wb") as sink:
        return subprocess.Popen(
            [sys.executable, "-m", "dask", *map(str, args)],
            env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def _start_cluster(folder: Path) -> tuple[Cluster, list[subprocess.Popen]]:
    """``dask scheduler`` on a free port of 127.0.0.1 (it writes its address to a file, so
    no port is guessed) and two one-thread ``dask worker`` processes, up and registered."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    info = folder / "scheduler.json"
    started = [
        _dask(
            "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
            "--scheduler-file", info, env=env, log=folder / "scheduler.log",
        )
    ]  # fmt: skip
    deadline = time.monotonic() + STARTUP_SECONDS
    while not info.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    workers = {}
    for name in ("w1", "w2"):
        workers[name] = _dask(
            "worker", "--scheduler-file", info, "--host", "127.0.0.1", "--nthreads", "1",
            "--no-nanny", "--no-dashboard", "--name", name, env=env, log=folder / f"{name}.log",
        )  # fmt: skip
        started.append(workers[name])
    with distributed.Client(scheduler_file=str(info), timeout="30s") as client:
        client.wait_for_workers(2, timeout=STARTUP_SECONDS)
        address = client.scheduler.address
    return Cluster(address, workers), started


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in reversed(processes):
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def _running_cluster(folder: Path) -> Iterator[Cluster]:
    cluster, started = _start_cluster(folder)
    try:
        yield cluster
    finally:
        _stop(started)


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory) -> Iterator[Cluster]:
    """A scheduler and two workers shared by the tests that only run work on them."""
    with _running_cluster(tmp_path_factory.mktemp("dask")) as cluster:
        yield cluster


@pytest.fixture
def own_cluster(tmp_path_factory) -> Iterator[Cluster]:
    """A scheduler and two workers for one test that may kill a worker."""
    with _running_cluster(tmp_path_factory.mktemp("dask-own")) as cluster:
        yield cluster


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``, by its path inside it."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def tiny_variants(tiny_yaml: str, values: str):
    data, _ = parse_yaml(tiny_yaml, "scenario.yaml")
    return data, variants_from_sets(data, [f"teams.alpha.people={values}"])


def test_a_sweep_on_a_cluster_writes_the_same_files_as_one_here(
    dask_cluster, tiny_yaml, write_yaml, tmp_path
) -> None:
    """Through the command line, the cluster named by $SAMPLER_CLUSTER."""
    data, variants = tiny_variants(tiny_yaml, "0,2,4,6")
    compare(data, variants, tmp_path / "here", FAST, jobs=2)
    scenario = write_yaml(tiny_yaml)
    result = CliRunner().invoke(
        app,
        ["compare", str(scenario), "--set", "teams.alpha.people=0,2,4,6", "-o",
         str(tmp_path / "there"), "--time-limit", "0.5"],
        env={CLUSTER_ENV: dask_cluster.address},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"Dask cluster: {dask_cluster.address}" in result.stderr
    here, there = files_of(tmp_path / "here"), files_of(tmp_path / "there")
    assert len(here) > 4 * 5 and "04-alpha.people=6/plan.json" in here
    assert here.keys() == there.keys()
    assert [k for k in here if here[k] != there[k]] == []


def test_a_city_in_parts_on_a_cluster_is_the_same_plan(dask_cluster, tmp_path) -> None:
    """A synthetic street split into parts of 10 sites: the parts planned by the cluster's
    workers give the same plan folder as parts planned by processes here."""
    street = load_scenario(write_scenario(generate("street", 3), tmp_path / "street.yaml"))
    params = SolveParams(time_limit=1, seed=0, part_sites=10)
    here = solve(street, params, runner=LocalRunner(2))
    with runner_for(dask_cluster.address) as runner:
        assert isinstance(runner, DaskRunner)
        there = solve(street, params, runner=runner)
    assert there.solver.parts is not None and there.solver.parts.parts >= 3
    write_plan(here, tmp_path / "here")
    write_plan(there, tmp_path / "there")
    assert files_of(tmp_path / "here") == files_of(tmp_path / "there")


def test_a_sweep_survives_a_worker_killed_in_the_middle(own_cluster, tiny_yaml, tmp_path) -> None:
    """Once the first variant is done, the worker holding a variant in hand is killed
    (SIGKILL, no nanny to bring it back): the scheduler gives that variant to the other
    worker, and the sweep ends with every variant, as it would here."""
    data, variants = tiny_variants(tiny_yaml, "0,2,4,6,8")
    params = SolveParams(time_limit=1, seed=0)
    killed: list[str] = []
    with runner_for(own_cluster.address) as runner:
        assert isinstance(runner, DaskRunner)
        client = runner.client

        def kill_one(done: int, total: int, name: str) -> None:
            if killed:
                return
            names = {a: w["name"] for a, w in client.scheduler_info()["workers"].items()}
            busy = [names[a] for a, keys in client.processing().items() if keys]
            assert busy, "no worker held a variant when one was to be killed"
            os.kill(own_cluster.workers[busy[0]].pid, signal.SIGKILL)
            killed.append(busy[0])

        there = compare(
            data, variants, tmp_path / "there", params, runner=runner, progress=kill_one
        )
        assert len(client.scheduler_info()["workers"]) == 1  # it stayed dead
    assert killed and own_cluster.workers[killed[0]].wait(timeout=10) == -signal.SIGKILL
    here = compare(data, variants, tmp_path / "here", params, jobs=2)
    assert list(there.status) == list(here.status) and ERROR not in set(there.status)
    assert files_of(tmp_path / "here") == files_of(tmp_path / "there")


def test_a_variant_that_fails_is_a_row_with_its_error(tiny_yaml, tmp_path, monkeypatch) -> None:
    """Planning 2 people raises (in this process, jobs=1): that row says so, the others are
    planned and written, and the table still reads."""
    compare_module = importlib.import_module("sampler.compare")  # (sampler.compare: the function)
    real = compare_module.solve

    def failing(scenario, params):
        if sum(t.people for t in scenario.teams) == 2:
            raise RuntimeError("no solver for two")
        return real(scenario, params)

    monkeypatch.setattr(compare_module, "solve", failing)
    data, variants = tiny_variants(tiny_yaml, "0,2,4")
    frame = compare(data, variants, tmp_path / "out", FAST, jobs=1)
    assert [s == ERROR for s in frame.status] == [False, True, False]
    assert list(frame.error) == ["", "RuntimeError: no solver for two", ""]
    assert frame.people.isna().tolist() == [False, True, False]
    folders = sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_dir())
    assert folders == ["01-alpha.people=0", "03-alpha.people=4"]
    csv = (tmp_path / "out" / "compare.csv").read_text(encoding="utf-8-sig").splitlines()
    assert csv[2].startswith("02-alpha.people=2,2,error,,,")
    assert csv[2].endswith(",RuntimeError: no solver for two")
    assert csv[3].split(",")[3] == "4"  # people stay whole numbers beside the blank


def test_the_cluster_is_named_by_option_or_environment(monkeypatch) -> None:
    monkeypatch.delenv(CLUSTER_ENV, raising=False)
    assert cluster_address(None) is None
    monkeypatch.setenv(CLUSTER_ENV, "tcp://127.0.0.1:8786")
    assert cluster_address(None) == "tcp://127.0.0.1:8786"
    assert cluster_address("local:2") == "local:2"
    with pytest.raises(ClusterError, match="local:N"), runner_for("local:none"):
        pass
