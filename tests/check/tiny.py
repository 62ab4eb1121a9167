"""The tiny scenario and hand-made valid plan every test of sampler.check starts from.

Every test starts from this valid plan, makes a single change, and asserts that exactly
the rule that change breaks is reported.

The tiny scenario (horizon 07:00-21:00 on 10 Nov 2022):
- site ``north`` at (40.00, 113.00): 300 residents, 30 of them at home, 1 station, open
  08:00-20:00; site ``sealed-a`` 0.01 degrees further north (1.112 km): 20 residents, sealed.
  Its name ``=SUM(A1)`` must be written ``'=SUM(A1)``.
- team ``alpha`` (2 people, one pair) starts 0.01 degrees south of north; team ``-beta``
  (3 people: one pair, the odd person out is not scheduled) starts at north itself, is
  available 08:00-11:00 and does no home visits. Its id starts with '-', so it is written
  with a leading '.
- rules: 120 walk-in / 30 home samples per pair-hour, suit stretch <= 180 min, a pause of
  60 min ends a stretch, 240 min of work and travel per person, 20 km/h. One step of 0.01
  degrees of latitude is 1.112 km x 1.3 / 20 km/h x 60 = 4.34 -> 5 travel minutes.

The valid plan, worked out by hand:
- alpha-p1: travel to north 07:50-08:00, walk-in north 08:00-09:00 (120 samples), travel to
  sealed-a 09:00-09:10, home visits there 09:10-09:50 (20 = 30/h x 40 min), break
  09:50-10:50, travel to north 10:50-11:00, home visits at north 11:00-12:00 (30). Suit
  stretches 07:50-09:50 (120 min) and 10:50-12:00 (70 min); 190 min of work and travel.
- -beta-p1: walk-in north 09:00-10:00 (120) and 10:00-10:30 (30); no travel needed.
- north: 270 walk-in + 30 home = 300, done 12:00; sealed-a: 20 home, done 09:50.
  Whole plan: coverage 1, done_at 12:00.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from sampler.check import (
    ASSIGNMENT_COLUMNS,
    ROSTER_COLUMNS,
    SITES_COLUMNS,
    CheckReport,
    check_plan,
)
from sampler.scenario import Scenario

SCENARIO = """
scenario: tiny checker scenario
start: 2022-11-10T07:00
end: 2022-11-10T21:00
defaults:
  walk_in_per_hour: 120
  door_to_door_per_hour: 30
  max_suit_minutes: 180
  min_break_minutes: 60
  max_work_minutes: 240
  travel_speed_kmh: 20
sites:
  - id: north
    name: 北苑社区
    district: 平城区
    lat: 40.00
    lon: 113.00
    residents: 300
    home_visits: 30
    stations: 1
    open: "08:00-20:00"
  - id: sealed-a
    name: "=SUM(A1)"
    lat: 40.01
    lon: 113.00
    residents: 20
    sealed: true
teams:
  - id: alpha
    people: 2
    lat: 39.99
    lon: 113.00
  - id: -beta
    people: 3
    lat: 40.00
    lon: 113.00
    available: "08:00-11:00"
    door_to_door: false
"""

DAY = "2022-11-10"
ALPHA = ("alpha", "alpha-p1", ("alpha-01", "alpha-02"))
BETA = ("-beta", "-beta-p1", ("-beta-01", "-beta-02"))
ROLES = ("swab", "record")

# (activity, site, start, end) rows that both people of the pair have.
ALPHA_ROWS = [
    ("travel", "north", "07:50", "08:00"),
    ("walk_in", "north", "08:00", "09:00"),
    ("travel", "sealed-a", "09:00", "09:10"),
    ("door_to_door", "sealed-a", "09:10", "09:50"),
    ("break", "", "09:50", "10:50"),
    ("travel", "north", "10:50", "11:00"),
    ("door_to_door", "north", "11:00", "12:00"),
]
BETA_ROWS = [
    ("walk_in", "north", "09:00", "10:00"),
    ("walk_in", "north", "10:00", "10:30"),
]
ASSIGNMENTS = [
    ("alpha", "alpha-p1", "north", "walk_in", "08:00", "09:00", 120),
    ("alpha", "alpha-p1", "sealed-a", "door_to_door", "09:10", "09:50", 20),
    ("alpha", "alpha-p1", "north", "door_to_door", "11:00", "12:00", 30),
    ("-beta", "-beta-p1", "north", "walk_in", "09:00", "10:00", 120),
    ("-beta", "-beta-p1", "north", "walk_in", "10:00", "10:30", 30),
]
SITE_NAMES = {"north": "北苑社区", "sealed-a": "=SUM(A1)"}


def stamp(clock: str) -> str:
    return f"{DAY} {clock}"


def pair_rows(pair: tuple[str, str, tuple[str, str]], rows: list[tuple]) -> list[list[str]]:
    """Roster rows for both people of ``pair``: each gets every (activity, site, start, end)."""
    team, pair_id, people = pair
    return [
        [team, person, pair_id, role, activity, site, stamp(start), stamp(end)]
        for person, role in zip(people, ROLES, strict=True)
        for activity, site, start, end in rows
    ]


def person_row(pair: tuple, member: int, activity: str, site: str, start: str, end: str):
    team, pair_id, people = pair
    return [team, people[member], pair_id, ROLES[member], activity, site, stamp(start), stamp(end)]


def valid_plan() -> dict[str, Any]:
    """The hand-made valid plan of the module docstring, as plain rows (no quoting yet)."""
    return {
        "roster": pair_rows(ALPHA, ALPHA_ROWS) + pair_rows(BETA, BETA_ROWS),
        "assignments": [
            [team, pair, site, activity, stamp(start), stamp(end), str(samples)]
            for team, pair, site, activity, start, end, samples in ASSIGNMENTS
        ],
        "sites": [
            ["north", "北苑社区", "平城区", "300", "30", "270", "30", "1.0", stamp("12:00")],
            ["sealed-a", "=SUM(A1)", "", "20", "20", "0", "20", "1.0", stamp("09:50")],
        ],
        "plan": {
            "coverage": 1.0,
            "done_at": stamp("12:00"),
            "lower_bound_done_at": stamp("10:00"),
            "status": "feasible",
            "solver": {"name": "by hand"},
        },
    }


def neutralise(cell: str) -> str:
    return "'" + cell if cell[:1] in ("=", "+", "-", "@") else cell


def write_csv(
    path: Path, header: tuple[str, ...], rows: list[list[str]], bom: bool = True, quote: bool = True
) -> None:
    """One plan CSV; ``bom`` and ``quote`` (the leading ') can be turned off to break it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for row in rows:
            writer.writerow([neutralise(c) if quote else c for c in row])


def write_plan(
    folder: Path,
    plan: dict[str, Any],
    sort: bool = True,
    bom: bool = True,
    quote: bool = True,
) -> Path:
    """Write ``plan`` as a plan directory: CSVs with BOM and ' before formula-like text.

    ``sort``, ``bom`` and ``quote`` can be turned off to break roster.csv.
    """
    roster = plan["roster"]
    if sort:
        roster = sorted(roster, key=lambda r: (r[0], r[1], r[6]))
    # An extra column at the end, as the planner writes it; checkers must ignore it.
    with_names = [[*r, SITE_NAMES.get(r[5], "")] for r in roster]
    write_csv(folder / "roster.csv", (*ROSTER_COLUMNS, "site_name"), with_names, bom, quote)
    for team in sorted({r[0] for r in roster}):
        own = [r for r in with_names if r[0] == team]
        write_csv(folder / "rosters" / f"{team}.csv", (*ROSTER_COLUMNS, "site_name"), own)
    write_csv(folder / "assignments.csv", ASSIGNMENT_COLUMNS, plan["assignments"])
    write_csv(folder / "sites.csv", SITES_COLUMNS, plan["sites"])
    (folder / "plan.json").write_text(json.dumps(plan["plan"]), encoding="utf-8")
    return folder


def check(scenario: Scenario, tmp_path: Path, plan: dict[str, Any], **kw: Any) -> CheckReport:
    return check_plan(scenario, write_plan(tmp_path / "plan", plan, **kw))


def replace_rows(plan: dict[str, Any], pair: tuple, old: tuple, new: tuple | None) -> None:
    """Replace (or with None, drop) one (activity, site, start, end) row of both members."""
    old_rows = pair_rows(pair, [old])
    new_rows = pair_rows(pair, [new]) if new else []
    for i, row in enumerate(old_rows):
        plan["roster"].remove(row)
        if new_rows:
            plan["roster"].append(new_rows[i])


def assignment(plan: dict[str, Any], pair: str, start: str) -> list[str]:
    return next(a for a in plan["assignments"] if a[1] == pair and a[4] == stamp(start))
