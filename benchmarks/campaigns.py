"""Campaign benchmarks (issue 15): a 14-day campaign of a generated district and a
3-round, 3-day campaign of a generated city, each planned, written and checked in a fresh
process, with wall time and peak memory (the process and any workers, as in
:mod:`benchmarks.run`). Writes ``benchmarks/CAMPAIGNS.md``.

    python -m benchmarks.campaigns --lines district-14d,city-3x3d --seed 1

The scenarios come from :mod:`benchmarks.generate` (the district and city tiers); the
campaign files are written beside them in ``benchmarks/data/`` (not committed):

- ``district-14d``: 400 communities, 14 days; sealed compounds daily, the rest every 2
  days; 12 h rest, at most 6 days in a row (rest days staggered).
- ``city-3x3d``: 2,400 communities, 3 days; every community 3 times (``rounds: 3, within:
  3d, min_gap: 20h``: a 20 h gap rather than 24 so that a community's tests, each starting
  on the slot grid after the trip there, do not drift later day by day); 12 h rest.

Targets: load to files (planning every day and writing the folder) at most 5 minutes, and
peak memory at most 4 GiB, for each; every day and the campaign pass ``sampler check``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from benchmarks.run import DATA, REPO, _machine, _TreeMemory, _version

HERE = Path(__file__).resolve().parent
REPORT = HERE / "CAMPAIGNS.md"
WALL_TARGET = 300.0  # seconds, load to files
MEMORY_TARGET = 4096.0  # MiB


@dataclass(frozen=True)
class Line:
    """One campaign benchmark: the generated tier, the campaign, the time limit a day."""

    name: str
    tier: str
    days: int
    rhythms: tuple[dict[str, Any], ...]
    staff: dict[str, Any]
    time_limit: float  # per day


LINES = {
    "district-14d": Line(
        "district-14d", "district", 14,
        ({"sealed": True, "every": "1d"}, {"sealed": False, "every": "2d"}),
        {"min_rest_hours": 12, "max_consecutive_days": 6},
        4.0,
    ),
    "city-3x3d": Line(
        "city-3x3d", "city", 3,
        ({"rounds": 3, "within": "3d", "min_gap": "20h"},),
        {"min_rest_hours": 12},
        45.0,
    ),
}  # fmt: skip


def write_campaign(line: Line, seed: int, data: Path) -> Path:
    """The line's scenario (generated) and campaign file; returns the campaign file."""
    from benchmarks.run import scenario_for

    data.mkdir(parents=True, exist_ok=True)
    scenario, _ = scenario_for(line.tier, seed, data)
    campaign = {
        "campaign": f"benchmark {line.name}, seed {seed}",
        "scenario": scenario.name,
        "days": line.days,
        "staff": line.staff,
        "rhythms": list(line.rhythms),
    }
    path = data / f"campaign-{line.name}-seed{seed}.yaml"
    path.write_text(yaml.safe_dump(campaign, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def measure(path: Path, out: Path, plans: Path, time_limit: float, seed: int) -> None:
    """In the line's own process: plan and write the campaign, then check it."""
    memory = _TreeMemory()
    memory.start()
    from sampler import SolveParams
    from sampler.campaign import plan_campaign
    from sampler.campaign_check import check_campaign
    from sampler.campaign_file import load_campaign

    record: dict[str, Any] = {"time_limit": time_limit, "seed": seed}
    days: list[tuple[str, float]] = []
    clock = time.perf_counter()

    def step(s: Any) -> None:
        days.append((s.what, round(time.perf_counter() - clock, 1)))
        out.write_text(json.dumps({**record, "steps": days}, indent=1), encoding="utf-8")

    loaded = load_campaign(path)
    sc = loaded.scenario
    record["size"] = {
        "sites": len(sc.sites), "residents": sc.total_residents, "teams": len(sc.teams),
        "people": sum(t.people for t in sc.teams), "days": loaded.spec.days,
    }  # fmt: skip
    found = plan_campaign(
        loaded, plans, SolveParams(time_limit=time_limit, seed=seed), force=True, on_step=step
    )
    record["wall_seconds"] = round(time.perf_counter() - clock, 1)
    record["peak_rss_mib"] = memory.take()
    record["rounds"] = len(found.rounds)
    record["rounds_met"] = sum(r.left == 0 for r in found.rounds)
    causes: dict[str, int] = {}
    for r in found.rounds:
        if r.left:
            causes[r.cause] = causes.get(r.cause, 0) + 1
    record["causes"] = causes
    record["days"] = [
        {"day": d.day, "due": len(d.due), "status": d.summary.get("status"),
         "coverage": d.summary.get("coverage"), "done_at": d.summary.get("done_at"),
         "working": sum(t.state == "working" for t in d.teams.values())}
        for d in found.days
    ]  # fmt: skip
    record["steps"] = days
    out.write_text(json.dumps(record, indent=1), encoding="utf-8")
    clock = time.perf_counter()
    report = check_campaign(loaded, plans)
    record["check"] = {
        "ok": report.ok,
        "seconds": round(time.perf_counter() - clock, 1),
        "broken": [v.rule for v in report.violations],
    }
    record["check_rss_mib"] = memory.take()
    out.write_text(json.dumps(record, indent=1), encoding="utf-8")


def run_line(line: Line, seed: int, timeout: float) -> dict[str, Any]:
    """One line in a fresh process; its figures, or how far it got."""
    path = write_campaign(line, seed, DATA)
    out = DATA / f"campaign-{line.name}-seed{seed}.json"
    out.unlink(missing_ok=True)
    load = round(os.getloadavg()[0], 2)
    command = [
        sys.executable, "-m", "benchmarks.campaigns", "--child", str(path), "--out", str(out),
        "--plans", str(DATA / "plans" / f"campaign-{line.name}-seed{seed}"),
        "--time-limit", str(line.time_limit), "--seed", str(seed),
    ]  # fmt: skip
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    clock = time.perf_counter()
    try:
        code: int | None = subprocess.run(command, cwd=REPO, env=env, timeout=timeout).returncode
    except subprocess.TimeoutExpired:
        code = None
    record = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    record.update(line=line.name, returncode=code, load_average=load)
    record["process_seconds"] = round(time.perf_counter() - clock, 1)
    record["commit"] = _version()
    record["run_at"] = f"{datetime.now():%Y-%m-%d %H:%M}"
    out.write_text(json.dumps(record, indent=1), encoding="utf-8")
    return record


def earlier(name: str, seed: int) -> dict[str, Any] | None:
    """A line's figures from an earlier run (its JSON in benchmarks/data), if any."""
    path = DATA / f"campaign-{name}-seed{seed}.json"
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if "line" in record else None


def report(records: list[dict[str, Any]], seed: int) -> str:
    """CAMPAIGNS.md."""
    m = _machine()
    lines = [
        "# Campaign benchmark results",
        "",
        f"Written by `python -m benchmarks.campaigns` on {datetime.now():%Y-%m-%d %H:%M} "
        f"(local), seed {seed}. Each line was run on its own: "
        + "; ".join(
            f"{r['line']} at {r.get('run_at', '?')}, {r.get('commit', '?')}" for r in records
        )
        + ".",
        "",
        f"Machine: {m['cpu']}, {m['nproc']} CPUs, {m['memory']}; Python {m['python']}, "
        f"OR-Tools {m['ortools']}. Load average (1 minute) when each line started: "
        + ", ".join(f"{r['line']} {r['load_average']}" for r in records)
        + " (on 2 CPUs; above about 1, other work shared the machine).",
        "",
        "Wall time is `plan_campaign` from the loaded campaign to the written folder (every "
        "day planned, the folder written); the check after it is apart. Peak memory: the "
        "process and any workers, up to the written folder.",
        "",
        "| line | sites | days | time limit a day | **load to files** | peak RSS | rounds met "
        "| causes not met | check | target met |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for r in records:
        if "wall_seconds" not in r:
            done = r.get("steps", [])[-1:] or [("start", 0)]
            lines.append(
                f"| {r['line']} | | | | stopped (return code {r['returncode']}) after "
                f"{r['process_seconds']} s, at {done[0][0]} | | | | | **no** |"
            )
            continue
        check = r.get("check", {})
        ok = r["wall_seconds"] <= WALL_TARGET and r["peak_rss_mib"] <= MEMORY_TARGET
        causes = ", ".join(f"{k} {v}" for k, v in sorted(r["causes"].items())) or "-"
        shown = "ok" if check.get("ok") else f"fails: {', '.join(check.get('broken', []))}"
        lines.append(
            f"| {r['line']} | {r['size']['sites']:,} | {r['size']['days']} | "
            f"{r['time_limit']:g} s | **{r['wall_seconds']:.1f} s** | "
            f"{r['peak_rss_mib']:,.0f} MiB | {r['rounds_met']:,} of {r['rounds']:,} | {causes} "
            f"| {shown} ({check.get('seconds', '-')} s) | {'yes' if ok else '**no**'} |"
        )
    lines += ["", "## Days", ""]
    for r in records:
        if "days" not in r:
            continue
        lines += [
            f"### {r['line']}", "",
            "| day | due | status | coverage | done_at | teams working |",
            "|---:|---:|---|---:|---:|---:|",
        ]  # fmt: skip
        for d in r["days"]:
            cov = "-" if d["coverage"] is None else f"{d['coverage']:.2%}"
            lines.append(
                f"| {d['day']} | {d['due']:,} | {d['status'] or 'nothing due'} | {cov} | "
                f"{(d['done_at'] or '-')[-5:]} | {d['working']} |"
            )
        lines.append("")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.campaigns")
    parser.add_argument("--lines", default=",".join(LINES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per line")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--plans", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--time-limit", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        measure(args.child, args.out, args.plans, args.time_limit, args.seed)
        return 0
    chosen = args.lines.split(",")
    records = []
    for name in LINES:  # the lines not run now keep their last figures in the report
        record = run_line(LINES[name], args.seed, args.timeout) if name in chosen else None
        record = record or earlier(name, args.seed)
        if record is not None:
            records.append(record)
    REPORT.write_text(report(records, args.seed), encoding="utf-8")
    print(REPORT.read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
