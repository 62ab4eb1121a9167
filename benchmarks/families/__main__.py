"""``python -m benchmarks.families``: plan every family and size over many seeds, report.

    python -m benchmarks.families                                # all families, small, 10 seeds
    python -m benchmarks.families --families mixed --sizes district --seeds 3 --time-limit 12

Seeds run one after another (the planner uses the machine's cores itself). A seed already
planned with the same scenario, time limit and sampler commit is not planned again
(``--fresh`` to force). ``benchmarks/FAMILIES.md`` is written from every record under
``--out`` (the latest per family, size and seed), so rows from earlier runs stay.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.families import report
from benchmarks.families.generate import FAMILIES, SIZES
from benchmarks.families.runner import run_seed
from benchmarks.run import DATA, HERE, REPO, run_facts

OUT = DATA / "families"
RESULTS = HERE / "FAMILIES.md"
TIME_LIMITS = {"small": 5.0, "district": 12.0, "city": 45.0}


def _names(text: str, known: tuple[str, ...], parser: argparse.ArgumentParser) -> list[str]:
    names = [t.strip() for t in text.split(",") if t.strip()]
    unknown = sorted(set(names) - set(known))
    if unknown:
        parser.error(f"unknown: {', '.join(unknown)} (known: {', '.join(known)})")
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.families", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--families", default=",".join(FAMILIES), help="comma-separated")
    parser.add_argument("--sizes", default="small", help="comma-separated: " + ", ".join(SIZES))
    parser.add_argument("--seeds", type=int, default=10, help="seeds 1..N (default 10)")
    parser.add_argument(
        "--time-limit", type=float, default=None,
        help="planner time limit (default per size: "
        + ", ".join(f"{k} {v:g}" for k, v in TIME_LIMITS.items()) + ")",
    )  # fmt: skip
    parser.add_argument(
        "--timeout", type=float, default=None, help="stop a plan after this many seconds "
        "(default 4 x the time limit + 60)",
    )  # fmt: skip
    parser.add_argument("--out", type=Path, default=OUT, help="scenarios, plans and records")
    parser.add_argument("--results", type=Path, default=RESULTS, help="the report to write")
    parser.add_argument("--fresh", action="store_true", help="plan again even if recorded")
    args = parser.parse_args(argv)
    families = _names(args.families, FAMILIES, parser)
    sizes = _names(args.sizes, SIZES, parser)
    command = "python -m benchmarks.families " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    facts = run_facts(command.strip(), 0)
    tree = sampler_tree()
    ran = []
    for size in sizes:
        limit = args.time_limit if args.time_limit is not None else TIME_LIMITS[size]
        timeout = args.timeout if args.timeout is not None else 4 * limit + 60
        for family in families:
            for seed in range(1, args.seeds + 1):
                r = run_seed(family, size, seed, limit, timeout, args.out, tree, args.fresh)
                ran.append(r)
                print(
                    f"{family:12} {size:8} seed {seed:3}: exit {r.get('exit')}, "
                    f"{'valid' if r.get('valid') else 'INVALID'}, coverage "
                    f"{r.get('coverage', 0):.4%}, done {r.get('done_at') or '-'}, bound "
                    f"{r.get('lower_bound_done_at') or '-'}, {r.get('wall_seconds', 0):.1f} s"
                    + (" (recorded)" if r.get("reused") else ""),
                    file=sys.stderr,
                    flush=True,
                )
    everything = _saved(args.out)
    shown = {(r["family"], r["size"], r["key"]["time_limit"]) for r in ran}
    print(
        report.terminal(
            [row for row in report.rows(ran) if (row.family, row.size, row.time_limit) in shown]
        )
    )
    loads = [r["load_average"] for r in everything if "load_average" in r]
    args.results.write_text(
        report.markdown(report.rows(everything), facts, loads), encoding="utf-8"
    )
    print(f"written {os.path.relpath(args.results, Path.cwd())}", file=sys.stderr)
    return 0 if all(r.get("valid") for r in ran) else 1


def sampler_tree() -> str:
    """The sampler/ tree planned with: its git object id, and whether it had uncommitted
    changes (then a record is never reused across runs). Commits outside sampler/ (these
    benchmarks, say) do not change it."""

    def git(*a: str) -> str:
        return subprocess.run(["git", *a], cwd=REPO, capture_output=True, text=True).stdout.strip()

    tree = git("rev-parse", "HEAD:sampler")
    dirty = git("status", "--porcelain", "--", "sampler")
    return f"{tree}+dirty@{time.time():.0f}" if dirty else tree


def _saved(out: Path) -> list[dict]:
    """Every record under ``out/records``."""
    return [
        json.loads(p.read_text(encoding="utf-8")) for p in sorted((out / "records").glob("*.json"))
    ]


if __name__ == "__main__":
    raise SystemExit(main())
