"""``python -m benchmarks.families.effort SHORT LONG``: does a longer ``--time-limit`` ever
give a worse plan?

SHORT and LONG are two ``--out`` folders of :mod:`benchmarks.families` with the same
families, sizes and seeds planned at two time limits. Each seed's two plans are compared as
the planner compares plans (``sampler.lns.score``): priority-weighted residents sampled,
then the earlier done_at, then fewer staff-hours. Only the plan folders are read (sites.csv,
plan.json and the scenario), so runs recorded before this script can be compared too.
Issue 12: "A longer --time-limit never returns a worse plan."
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from sampler import load_scenario


@dataclass(frozen=True)
class Outcome:
    """One plan as the planner ranks it, and what a reader wants to see of it."""

    weighted: int  # residents sampled, each times its site's priority
    done_at: str | None
    staff_hours: float

    @property
    def key(self) -> tuple:
        """Larger is better, as in ``sampler.lns.score``."""
        # (a partial plan has no done_at: the latest)
        done = datetime.fromisoformat(self.done_at).timestamp() if self.done_at else float("inf")
        return (self.weighted, -done, -self.staff_hours)

    def text(self) -> str:
        done = self.done_at[11:] if self.done_at else "partial"
        return f"{self.weighted:,} weighted, {done}, {self.staff_hours:,.1f} staff-h"


def outcome(plan_dir: Path, scenario: Path) -> Outcome:
    """The plan in ``plan_dir`` of the scenario file ``scenario``."""
    priority = {s.id: s.priority for s in load_scenario(scenario).sites}
    sites = pd.read_csv(plan_dir / "sites.csv", encoding="utf-8-sig", dtype={"site": str})
    sampled = sites.walk_in_sampled + sites.door_to_door_sampled
    weighted = int((sampled * sites.site.map(priority)).sum())
    plan = json.loads((plan_dir / "plan.json").read_text(encoding="utf-8"))
    return Outcome(weighted, plan["done_at"], float(plan["staff_hours"]))


def _records(folder: Path) -> dict[tuple[str, str, int], dict[str, Any]]:
    out = {}
    for path in sorted((folder / "records").glob("*.json")):
        r = json.loads(path.read_text(encoding="utf-8"))
        if Path(r["plan_dir"], "plan.json").exists():
            out[r["family"], r["size"], r["seed"]] = r
    return out


def compare(short: Path, long: Path) -> dict[tuple[str, str], list[tuple[int, Outcome, Outcome]]]:
    """(family, size) -> (seed, the short limit's plan, the long limit's), over the seeds
    with a plan in both folders."""
    a, b = _records(short), _records(long)
    out: dict[tuple[str, str], list] = defaultdict(list)
    for key in sorted(set(a) & set(b)):
        family, size, seed = key
        pair = [outcome(Path(r["plan_dir"]), Path(r["scenario"])) for r in (a[key], b[key])]
        out[family, size].append((seed, pair[0], pair[1]))
    return dict(out)


def report(
    pairs: dict[tuple[str, str], list[tuple[int, Outcome, Outcome]]], limits: str, command: str
) -> str:
    """The comparison as Markdown: per family and size, seeds better, the same and worse
    with the longer limit, and every worse seed."""
    lines = [
        "# More effort: the same seeds at two time limits",
        "",
        f"Written on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `{command}` ({limits}). "
        "Plans compared as the planner compares them: priority-weighted residents sampled, "
        "then the earlier done_at, then fewer staff-hours (work and travel).",
        "",
        "| family | size | seeds | better | same | worse: staff-hours only "
        "| worse: sampled or done_at |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    worse_lines = []
    for (family, size), seeds in sorted(pairs.items()):
        better = sum(b.key > a.key for _, a, b in seeds)
        worse = [(s, a, b) for s, a, b in seeds if b.key < a.key]
        staff_only = sum(b.key[:2] == a.key[:2] for _, a, b in worse)
        same = len(seeds) - better - len(worse)
        lines.append(
            f"| {family} | {size} | {len(seeds)} | {better} | {same} | {staff_only} "
            f"| {len(worse) - staff_only} |"
        )
        worse_lines += [
            f"- {family} {size} seed {s}: {a.text()} -> {b.text()}" for s, a, b in worse
        ]
    lines += ["", "## Worse with the longer limit", ""]
    lines += worse_lines or ["None."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.families.effort", description=__doc__
    )
    parser.add_argument("short", type=Path, help="--out folder of the shorter time limit")
    parser.add_argument("long", type=Path, help="--out folder of the longer time limit")
    parser.add_argument("--limits", default="", help="what the two limits were, for the report")
    parser.add_argument("--results", type=Path, help="write the report here too")
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    text = report(
        compare(args.short, args.long),
        args.limits or f"{args.short} against {args.long}",
        "python -m benchmarks.families.effort " + " ".join(argv),
    )
    print(text)
    if args.results:
        args.results.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
