"""``python -m benchmarks.cluster``: a compare sweep on a 2-worker Dask LocalCluster against
the local process pool, on the same machine, one after the other.

The sweep: 20 variants of a street-size scenario (``benchmarks.generate --tier street``),
the first team's people from 40 to 116, ``--time-limit`` 2 each (one solver thread per
variant). Timed from the call to the folder written: the pool with 2 processes, then the
LocalCluster (2 workers of one thread), with and without starting it. The two comparisons
must be the same files, byte for byte (otherwise the run fails). The issue's target: the
cluster within 15% of the pool's wall time. Results are printed; benchmarks/CLUSTER.md
holds the figures of a run by hand, with the machine's load.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from benchmarks.generate import generate, write_scenario
from sampler import compare
from sampler.budget import SolveParams
from sampler.loader import read_scenario_data
from sampler.runners import runner_for
from sampler.variants import variants_from_sets

VARIANTS = 20
WORKERS = 2


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def run(time_limit: float, seed: int, folder: Path) -> dict[str, float]:
    """Both sweeps into ``folder``; their wall times in seconds."""
    path = write_scenario(generate("street", seed), folder / f"street-seed{seed}.yaml")
    data, _ = read_scenario_data(path)
    team = data["teams"][0]["id"]
    values = ",".join(str(40 + 4 * k) for k in range(VARIANTS))
    variants = variants_from_sets(data, [f"teams.{team}.people={values}"])
    params = SolveParams(time_limit=time_limit, seed=0)
    figures = {"load_before_pool": os.getloadavg()[0]}
    clock = time.perf_counter()
    compare(data, variants, folder / "pool", params, jobs=WORKERS)
    figures["pool"] = time.perf_counter() - clock
    figures["load_before_cluster"] = os.getloadavg()[0]
    clock = time.perf_counter()
    with runner_for(f"local:{WORKERS}") as runner:
        started = time.perf_counter()
        compare(data, variants, folder / "cluster", params, runner=runner)
        figures["cluster_sweep"] = time.perf_counter() - started
    figures["cluster_start"] = started - clock
    figures["cluster"] = time.perf_counter() - clock
    if _files(folder / "pool") != _files(folder / "cluster"):
        raise SystemExit("the two comparisons differ: results must not depend on the runner")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sampler-cluster-bench-") as tmp:
        f = run(args.time_limit, args.seed, Path(tmp))
    per_variant = f["pool"] * WORKERS / VARIANTS
    print(
        f"street seed {args.seed}, {VARIANTS} variants, --time-limit {args.time_limit:g}, "
        f"{WORKERS} workers, {os.cpu_count()} CPUs"
    )
    print(f"load average before: pool {f['load_before_pool']:.2f}, "
          f"cluster {f['load_before_cluster']:.2f}")  # fmt: skip
    print(f"process pool:          {f['pool']:7.1f} s ({per_variant:.2f} worker-s a variant)")
    print(f"LocalCluster in all:   {f['cluster']:7.1f} s (starting it {f['cluster_start']:.1f} s)")
    print(f"LocalCluster's sweep:  {f['cluster_sweep']:7.1f} s")
    print(f"ratio cluster / pool:  {f['cluster'] / f['pool']:.3f} in all, "
          f"{f['cluster_sweep'] / f['pool']:.3f} the sweep alone (target <= 1.15)")  # fmt: skip
    print("files identical: yes")


if __name__ == "__main__":  # the LocalCluster's workers are spawned: they import this module
    main()
