"""benchmarks.families.effort: the same seeds at two time limits, compared as the planner
compares plans (priority-weighted residents, then done_at, then staff-hours)."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.families.effort import compare, report

SCENARIO = """\
scenario: two sites
start: 2022-11-10T07:00
end: 2022-11-10T21:00
sites:
- {id: a, lat: 40.0, lon: 113.0, residents: 100, priority: 3}
- {id: b, lat: 40.0, lon: 113.01, residents: 100}
teams:
- {id: t, people: 4, lat: 40.0, lon: 113.0}
"""


def _plan(folder: Path, name: str, seed: int, sampled: tuple[int, int], done, hours) -> None:
    """A recorded plan of the two sites: ``sampled`` at a and b (walk-in)."""
    plan_dir = folder / "plans" / f"{name}-{seed}"
    plan_dir.mkdir(parents=True)
    scenario = folder / f"{name}-{seed}.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    rows = ["site,walk_in_sampled,door_to_door_sampled"]
    rows += [f"a,{sampled[0]},0", f"b,{sampled[1]},0"]
    (plan_dir / "sites.csv").write_text("\ufeff" + "\n".join(rows) + "\n", encoding="utf-8")
    plan = {"done_at": done, "staff_hours": hours}
    (plan_dir / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    record = {
        "family": name, "size": "small", "seed": seed,
        "plan_dir": str(plan_dir), "scenario": str(scenario),
    }  # fmt: skip
    (folder / "records").mkdir(exist_ok=True)
    (folder / "records" / f"{name}-{seed}.json").write_text(json.dumps(record), encoding="utf-8")


def test_a_longer_limit_is_better_the_same_or_worse_as_the_planner_ranks_plans(tmp_path):
    short, long = tmp_path / "5", tmp_path / "10"
    # Seed 1: 10 more at a (priority 3) and 20 fewer at b: 10 more weighted, better.
    _plan(short, "f", 1, (80, 100), None, 50.0)
    _plan(long, "f", 1, (90, 80), None, 60.0)
    # Seed 2: everyone, 30 minutes later: worse.
    _plan(short, "f", 2, (100, 100), "2022-11-10 18:00", 50.0)
    _plan(long, "f", 2, (100, 100), "2022-11-10 18:30", 40.0)
    # Seed 3: everyone by the same time, one staff-hour more: worse on staff-hours only.
    _plan(short, "f", 3, (100, 100), "2022-11-10 18:00", 50.0)
    _plan(long, "f", 3, (100, 100), "2022-11-10 18:00", 51.0)
    # Seed 4: planned at the short limit only: not compared.
    _plan(short, "f", 4, (100, 100), "2022-11-10 18:00", 50.0)
    pairs = compare(short, long)
    assert [seed for seed, _, _ in pairs["f", "small"]] == [1, 2, 3]
    text = report(pairs, "5 s against 10 s", "effort")
    assert "| f | small | 3 | 1 | 0 | 1 | 1 |" in text
    assert "- f small seed 2: 400 weighted, 18:00" in text
    assert "seed 1" not in text.split("## Worse")[1]
