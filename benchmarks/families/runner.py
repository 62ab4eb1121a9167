"""Plan and check one family scenario, through the command line, and read what came out.

Each seed is planned by ``sampler plan SCENARIO -o PLAN --time-limit T --seed S --json`` in
a subprocess (with this checkout first on ``PYTHONPATH``, so the console command imports
this tree's code) and stopped after ``timeout`` seconds; then ``sampler check`` verifies the
folder. The figures are read from the plan folder's own files: ``plan.json`` for coverage,
the bounds and done_at, ``roster.csv`` for each team's sampling and travel hours.

A record is saved per seed under ``OUT/records/``, keyed by the scenario text, the time
limit and the sampler commit; a later run with the same key reuses it instead of planning
again (``--fresh`` plans anyway).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.families.generate import write
from benchmarks.run import REPO, gap

STAMP = "%Y-%m-%d %H:%M"
WORK = ("walk_in", "door_to_door")


def stem(family: str, size: str, seed: int) -> str:
    return f"{family}-{size}-seed{seed}"


def run_seed(
    family: str,
    size: str,
    seed: int,
    time_limit: float,
    timeout: float,
    out: Path,
    version: str,
    fresh: bool = False,
) -> dict[str, Any]:
    """The record of one seed: generated, planned, checked and read (or reused)."""
    name = stem(family, size, seed)
    scenario = out / "scenarios" / f"{name}.yaml"
    write(family, size, seed, scenario)
    key = {
        "scenario_sha256": hashlib.sha256(scenario.read_bytes()).hexdigest(),
        "time_limit": time_limit,
        "version": version,
    }
    saved = out / "records" / f"{name}.json"
    if not fresh and saved.exists():
        record = json.loads(saved.read_text(encoding="utf-8"))
        if record.get("key") == key:
            record["reused"] = True
            return record
    plan_dir = out / "plans" / name
    shutil.rmtree(plan_dir, ignore_errors=True)
    record: dict[str, Any] = {
        "family": family, "size": size, "seed": seed, "key": key,
        "scenario": str(scenario), "plan_dir": str(plan_dir),
        "load_average": round(os.getloadavg()[0], 2),
    }  # fmt: skip
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    command = [
        "sampler", "plan", str(scenario), "-o", str(plan_dir), "--time-limit", f"{time_limit:g}",
        "--seed", str(seed), "--json",
    ]  # fmt: skip
    clock = time.perf_counter()
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
        record["exit"] = done.returncode
        record["stderr_tail"] = done.stderr[-1500:]
        record["timings"] = _timings(done.stdout)
    except subprocess.TimeoutExpired:
        record["exit"] = "timeout"
    record["wall_seconds"] = round(time.perf_counter() - clock, 2)
    if (plan_dir / "plan.json").exists():
        check = subprocess.run(
            ["sampler", "check", str(scenario), str(plan_dir), "--json"],
            env=env, capture_output=True, text=True, timeout=max(120.0, timeout),
        )  # fmt: skip
        record["valid"] = check.returncode == 0
        record["check"] = _violations(check.stdout)
        record.update(read_plan(plan_dir))
    else:
        record["valid"] = False
    saved.parent.mkdir(parents=True, exist_ok=True)
    saved.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    return record


def _timings(stdout: str) -> dict[str, float]:
    """The planner's own steps' wall seconds, from ``sampler plan --json`` (none if its
    output is not that summary)."""
    try:
        summary = json.loads(stdout)
    except ValueError:
        return {}
    timings = summary.get("timings") if isinstance(summary, dict) else None
    return dict(timings) if isinstance(timings, dict) else {}


def _violations(text: str) -> list[str]:
    try:
        found = json.loads(text)
    except json.JSONDecodeError:
        return [text[-500:]] if text.strip() else []
    return [f"{v['rule']}: {v['message']}" for v in found.get("violations", [])]


def read_plan(folder: Path) -> dict[str, Any]:
    """The figures of a plan folder: coverage, bounds, done_at, gap, teams, shortfalls."""
    plan = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    start = datetime.strptime(plan["start"], STAMP)

    def minute(text: str | None) -> int | None:
        return (
            None
            if text is None
            else int((datetime.strptime(text, STAMP) - start).total_seconds() // 60)
        )

    done, bound = minute(plan.get("done_at")), minute(plan.get("lower_bound_done_at"))
    return {
        "status": plan.get("status"),
        "residents": plan["residents"],
        "sampled": plan["sampled"],
        "coverage": plan["coverage"],
        "upper_bound_sampled": plan.get("upper_bound_sampled"),
        "done_at": plan.get("done_at"),
        "lower_bound_done_at": plan.get("lower_bound_done_at"),
        "done_minute": done,
        "bound_minute": bound,
        "gap": gap(done, bound),  # (done - bound) / (bound - start), minutes from start
        "sites_short": plan.get("sites_short", []),
        "neighbourhoods": neighbourhoods(plan.get("solver", {})),
        "teams": team_hours(folder / "roster.csv"),
    }


def neighbourhoods(solver: Any) -> dict[str, float]:
    """What CP-SAT and the neighbourhoods did, from plan.json's solver section: the
    neighbourhoods solved and improved, those improved through CP-SAT (its posts or its
    counting model), whether the main plan's start came from CP-SAT's posts or its
    counting model improved it, and the pairs traded for dearer residents left, tried and
    kept; empty when the planner reports none."""
    found = dict(solver.get("neighbourhoods") or {})
    if not found:
        return {}
    posts = solver.get("cp_posts") or {}
    found["start_cp"] = int(bool(posts.get("kept")) or bool(solver.get("cp_improved")))
    trades = solver.get("trades") or {}  # (pairs traded for dearer residents left)
    found["trades_tried"] = trades.get("tried", 0)
    found["trades_kept"] = trades.get("kept", 0)
    return {k: float(v) for k, v in found.items()}


def team_hours(roster: Path) -> dict[str, dict[str, float]]:
    """Per team, from roster.csv: people on it, person-hours sampling and travelling, and
    people who never sample."""
    minutes: dict[str, dict[str, float]] = {}
    workers: dict[str, set[str]] = {}
    people: dict[str, set[str]] = {}
    with roster.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            team = row["team"]
            t = minutes.setdefault(team, {"sampling": 0.0, "travel": 0.0})
            people.setdefault(team, set()).add(row["person"])
            length = (
                datetime.strptime(row["end"], STAMP) - datetime.strptime(row["start"], STAMP)
            ).total_seconds() / 60
            if row["activity"] in WORK:
                t["sampling"] += length
                workers.setdefault(team, set()).add(row["person"])
            elif row["activity"] == "travel":
                t["travel"] += length
    return {
        team: {
            "people": len(people[team]),
            "sampling_hours": round(t["sampling"] / 60, 2),
            "travel_hours": round(t["travel"] / 60, 2),
            "never_sample": len(people[team] - workers.get(team, set())),
        }
        for team, t in minutes.items()
    }
