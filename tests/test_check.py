"""Tests of the independent plan checker (sampler.check).

Every test starts from one hand-made valid plan for a tiny scenario, makes a single change,
and asserts that exactly the rule that change breaks is reported.

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

import numpy as np
import pytest

from sampler.check import (
    ASSIGNMENT_COLUMNS,
    ROSTER_COLUMNS,
    SITES_COLUMNS,
    CheckReport,
    check_plan,
    travel_minutes,
)
from sampler.loader import load_scenario_text
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


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario_text(SCENARIO, "tiny.yaml")


@pytest.fixture
def plan() -> dict[str, Any]:
    return valid_plan()


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


# -- the valid plan -----------------------------------------------------------------


def test_valid_plan_passes(scenario, tmp_path, plan):
    """Also: alpha travels to north before it opens (travel is not work at the site), -beta
    needs no travel from its own position at north, and '-beta' and '=SUM(A1)' are read back
    without their leading '."""
    report = check(scenario, tmp_path, plan)
    assert report.ok, report.summary()
    assert report.violations == ()
    assert report.summary().startswith("plan is valid:")
    assert report.stats["people"] == 4
    assert report.stats["pairs"] == 2
    assert report.stats["roster_rows"] == 18
    assert report.stats["samples"] == 320


def test_empty_partial_plan_is_valid(scenario, tmp_path):
    """Nobody scheduled: a valid partial plan with coverage 0 and no done_at."""
    empty = {
        "roster": [],
        "assignments": [],
        "sites": [
            ["north", "北苑社区", "平城区", "300", "30", "0", "0", "0", ""],
            ["sealed-a", "=SUM(A1)", "", "20", "20", "0", "0", "0.0", ""],
        ],
        "plan": {
            "coverage": 0,
            "done_at": None,
            "lower_bound_done_at": None,
            "status": "partial",
            "solver": {},
        },
    }
    report = check(scenario, tmp_path, empty)
    assert report.ok, report.summary()


def test_travel_minutes_by_hand():
    # 0.01 degrees of latitude = 1.10947 km (polar radius); x 1.3 / 20 km/h x 60 = 4.33 -> 5.
    got = travel_minutes(np.array([39.99, 40.0]), 113.0, np.array([40.0, 40.0]), 113.0, 20.0)
    assert got.tolist() == [5.0, 0.0]


# -- rule 1 -------------------------------------------------------------------------


def test_overlap(scenario, tmp_path, plan):
    plan["roster"].append(person_row(ALPHA, 0, "break", "", "09:30", "10:00"))
    assert check(scenario, tmp_path, plan).rules == {"overlap"}


def test_touching_intervals_do_not_overlap(scenario, tmp_path, plan):
    plan["roster"].append(person_row(ALPHA, 0, "break", "", "12:00", "12:30"))
    assert check(scenario, tmp_path, plan).ok


def test_empty_interval(scenario, tmp_path, plan):
    plan["roster"].append(person_row(ALPHA, 0, "break", "", "12:30", "12:30"))
    assert check(scenario, tmp_path, plan).rules == {"interval"}


def test_outside_horizon(scenario, tmp_path, plan):
    """alpha has no ``available`` window, so its availability is the horizon too."""
    plan["roster"].append(person_row(ALPHA, 0, "break", "", "20:30", "21:30"))
    assert check(scenario, tmp_path, plan).rules == {"horizon", "availability"}


def test_outside_availability(scenario, tmp_path, plan):
    """-beta is available until 11:00; its last walk-in now runs to 11:30."""
    replace_rows(
        plan, BETA, ("walk_in", "north", "10:00", "10:30"), ("walk_in", "north", "10:00", "11:30")
    )
    assert check(scenario, tmp_path, plan).rules == {"availability"}


def test_outside_open_window(scenario, tmp_path, plan):
    """north opens at 08:00; alpha starts walk-in there at 07:50."""
    replace_rows(
        plan, ALPHA, ("travel", "north", "07:50", "08:00"), ("travel", "north", "07:40", "07:50")
    )
    replace_rows(
        plan, ALPHA, ("walk_in", "north", "08:00", "09:00"), ("walk_in", "north", "07:50", "09:00")
    )
    assignment(plan, "alpha-p1", "08:00")[4] = stamp("07:50")
    report = check(scenario, tmp_path, plan)
    assert report.rules == {"open_window"}
    assert "08:00-20:00" in report.violations[0].examples[0]


# -- rule 2 -------------------------------------------------------------------------


def test_pair_members_differ(scenario, tmp_path, plan):
    plan["roster"].remove(person_row(ALPHA, 1, "walk_in", "north", "08:00", "09:00"))
    plan["roster"].append(person_row(ALPHA, 1, "walk_in", "north", "08:00", "08:50"))
    assert check(scenario, tmp_path, plan).rules == {"pair_together"}


def test_pair_needs_one_swab_and_one_record(scenario, tmp_path, plan):
    plan["roster"] = [[*r[:3], "swab", *r[4:]] if r[1] == "alpha-02" else r for r in plan["roster"]]
    assert check(scenario, tmp_path, plan).rules == {"pair_members"}


def test_door_to_door_by_untrained_team(scenario, tmp_path, plan):
    plan["roster"] += pair_rows(BETA, [("door_to_door", "north", "10:30", "11:00")])
    assert check(scenario, tmp_path, plan).rules == {"door_to_door_team"}


def test_walk_in_at_sealed_site(scenario, tmp_path, plan):
    plan["roster"] += pair_rows(
        BETA, [("travel", "sealed-a", "10:30", "10:40"), ("walk_in", "sealed-a", "10:40", "11:00")]
    )
    assert check(scenario, tmp_path, plan).rules == {"sealed_walk_in"}


# -- rule 3 -------------------------------------------------------------------------


@pytest.mark.parametrize(("pause", "ok"), [(60, True), (59, False), (30, False)])
def test_suit_stretch(scenario, tmp_path, plan, pause, ok):
    """alpha stays at sealed-a until the pause before 10:50 is ``pause`` minutes.

    With a pause of 60 minutes the stretches are 07:50-.. and 10:50-12:00; a shorter pause
    joins them into 07:50-12:00 = 250 minutes > 180.
    """
    end = f"{(650 - pause) // 60:02d}:{(650 - pause) % 60:02d}"
    replace_rows(
        plan,
        ALPHA,
        ("door_to_door", "sealed-a", "09:10", "09:50"),
        ("door_to_door", "sealed-a", "09:10", end),
    )
    replace_rows(plan, ALPHA, ("break", "", "09:50", "10:50"), ("break", "", end, "10:50"))
    report = check(scenario, tmp_path, plan)
    if ok:
        assert report.ok, report.summary()
    else:
        assert report.rules == {"suit_stretch"}
        assert "250 min" in report.violations[0].examples[0]


def test_team_override_of_suit_limit(tmp_path, plan):
    """alpha's own max_suit_minutes of 100 is shorter than its 120-minute first stretch."""
    text = SCENARIO.replace("    lat: 39.99\n", "    lat: 39.99\n    max_suit_minutes: 100\n")
    report = check(load_scenario_text(text), tmp_path, plan)
    assert report.rules == {"suit_stretch"}


def test_work_cap(scenario, tmp_path, plan):
    """An extra hour of home visits brings alpha to 250 minutes of work and travel > 240."""
    plan["roster"] += pair_rows(ALPHA, [("door_to_door", "north", "12:00", "13:00")])
    assert check(scenario, tmp_path, plan).rules == {"work_cap"}


# -- rule 4 -------------------------------------------------------------------------


def test_missing_travel(scenario, tmp_path, plan):
    replace_rows(plan, ALPHA, ("travel", "sealed-a", "09:00", "09:10"), None)
    report = check(scenario, tmp_path, plan)
    assert report.rules == {"travel"}
    assert "from site north" in report.violations[0].examples[0]


@pytest.mark.parametrize(("start", "ok"), [("09:05", True), ("09:06", False), ("09:07", False)])
def test_short_travel(scenario, tmp_path, plan, start, ok):
    """The trip needs 5 minutes (4.33 with the polar radius, the smallest in use, rounded
    up): 5 pass, 4 fail."""
    replace_rows(
        plan,
        ALPHA,
        ("travel", "sealed-a", "09:00", "09:10"),
        ("travel", "sealed-a", start, "09:10"),
    )
    report = check(scenario, tmp_path, plan)
    assert report.ok if ok else report.rules == {"travel"}, report.summary()


def test_first_trip_starts_at_team_position(scenario, tmp_path, plan):
    """alpha starts 5 travel minutes from north; -beta starts at north and needs no travel."""
    replace_rows(plan, ALPHA, ("travel", "north", "07:50", "08:00"), None)
    report = check(scenario, tmp_path, plan)
    assert report.rules == {"travel"}
    assert "team alpha's position" in report.violations[0].examples[0]


def test_a_one_minute_trip_still_needs_its_row(tmp_path, plan):
    """alpha based 0.002 degrees south of north (0.22 km: 0.87 minutes, rounded up to 1):
    its first trip may not be left out. (A minute of slack per trip would let a chain of
    such trips, site after site, cost no travel at all.)"""
    near = load_scenario_text(SCENARIO.replace("lat: 39.99", "lat: 39.998"), "near.yaml")
    assert check(near, tmp_path / "with", plan).ok
    replace_rows(plan, ALPHA, ("travel", "north", "07:50", "08:00"), None)
    report = check(near, tmp_path / "without", plan)
    assert report.rules == {"travel"}, report.summary()


@pytest.mark.parametrize(("end", "ok"), [("12:05", True), ("12:04", False)])
def test_a_trip_to_no_work_still_takes_its_time(scenario, tmp_path, plan, end, ok):
    """alpha ends its day with a trip from north to sealed-a (5 minutes) and no work there:
    the trip still has to last that long."""
    plan["roster"] += pair_rows(ALPHA, [("travel", "sealed-a", "12:00", end)])
    report = check(scenario, tmp_path, plan)
    assert report.ok if ok else report.rules == {"travel"}, report.summary()


def test_work_where_the_pair_is_not(scenario, tmp_path, plan):
    """After that trip to sealed-a, alpha works at north again (a row with no samples)
    without travelling back: it is not there."""
    plan["roster"] += pair_rows(
        ALPHA,
        [("travel", "sealed-a", "12:00", "12:05"), ("door_to_door", "north", "12:05", "12:10")],
    )
    report = check(scenario, tmp_path, plan)
    assert report.rules == {"travel"}, report.summary()
    assert "from site sealed-a" in report.violations[0].examples[0]


def test_travel_before_previous_work_does_not_count(scenario, tmp_path, plan):
    replace_rows(
        plan,
        ALPHA,
        ("travel", "sealed-a", "09:00", "09:10"),
        ("travel", "sealed-a", "07:40", "07:50"),
    )
    assert check(scenario, tmp_path, plan).rules == {"travel"}


# -- rule 5 -------------------------------------------------------------------------


def test_station_cap(scenario, tmp_path, plan):
    """north has one station; -beta starts walk-in at 08:50, while alpha is there until 09:00."""
    replace_rows(
        plan, BETA, ("walk_in", "north", "09:00", "10:00"), ("walk_in", "north", "08:50", "10:00")
    )
    report = check(scenario, tmp_path, plan)
    assert report.rules == {"stations"}
    assert "2 pairs" in report.violations[0].examples[0]


# -- assignments and rule 6 ---------------------------------------------------------


def test_samples_above_rate(scenario, tmp_path, plan):
    """30 samples in 10 minutes at 120 an hour (at most 20)."""
    assignment(plan, "-beta-p1", "10:00")[5] = stamp("10:10")
    assert check(scenario, tmp_path, plan).rules == {"rate"}


def test_assignment_outside_roster(scenario, tmp_path, plan):
    assignment(plan, "-beta-p1", "10:00")[5] = stamp("10:40")
    assert check(scenario, tmp_path, plan).rules == {"assignment_outside_roster"}


def test_assignments_of_a_pair_overlap(scenario, tmp_path, plan):
    plan["assignments"].append(
        ["alpha", "alpha-p1", "north", "walk_in", stamp("08:30"), stamp("09:00"), "0"]
    )
    assert check(scenario, tmp_path, plan).rules == {"assignment_overlap"}


def test_assignment_of_unknown_pair(scenario, tmp_path, plan):
    plan["assignments"].append(
        ["alpha", "alpha-p9", "north", "walk_in", stamp("08:30"), stamp("09:00"), "0"]
    )
    report = check(scenario, tmp_path, plan)
    assert report.rules == {"unknown_reference"}
    assert "alpha-p9" in report.violations[0].examples[0]


def test_site_over_sampled(scenario, tmp_path, plan):
    """60 more walk-in samples at north than its 270 walk-in residents; totals kept in step."""
    assignment(plan, "-beta-p1", "10:00")[6] = "60"
    plan["sites"][0][5] = "300"
    plan["sites"][0][7] = "1.1"
    plan["plan"]["coverage"] = 350 / 320
    assert check(scenario, tmp_path, plan).rules == {"site_demand"}


@pytest.mark.parametrize(
    ("column", "value"),
    [(5, "269"), (6, "31"), (7, "0.9"), (8, stamp("11:30")), (8, "")],
    ids=["walk_in_sampled", "door_to_door_sampled", "coverage", "done_at", "done_at-empty"],
)
def test_wrong_sites_totals(scenario, tmp_path, plan, column, value):
    plan["sites"][0][column] = value
    assert check(scenario, tmp_path, plan).rules == {"totals"}


def test_wrong_sites_scenario_columns(scenario, tmp_path, plan):
    plan["sites"][1][4] = "0"  # a sealed site's home_visits are all its residents
    assert check(scenario, tmp_path, plan).rules == {"site_table"}


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("coverage", 0.9),
        ("done_at", stamp("11:00")),
        ("done_at", None),
        ("status", "partial"),
        ("status", "optimal"),
        ("lower_bound_done_at", stamp("13:00")),
    ],
)
def test_wrong_plan_json(scenario, tmp_path, plan, key, value):
    plan["plan"][key] = value
    assert check(scenario, tmp_path, plan).rules == {"plan_json"}


def test_optimal_when_done_at_meets_lower_bound(scenario, tmp_path, plan):
    plan["plan"].update(status="optimal", lower_bound_done_at=stamp("12:00"))
    assert check(scenario, tmp_path, plan).ok


# -- files and format ---------------------------------------------------------------


def test_formula_cell_not_neutralised(scenario, tmp_path, plan):
    folder = write_plan(tmp_path / "plan", plan)
    sites = (folder / "sites.csv").read_text(encoding="utf-8-sig")
    (folder / "sites.csv").write_text(sites.replace("'=SUM", "=SUM"), encoding="utf-8-sig")
    report = check_plan(scenario, folder)
    assert report.rules == {"format"}
    assert "'=SUM(A1)'" in report.violations[0].examples[0]


def test_formula_cell_in_extra_column_and_ids(scenario, tmp_path, plan):
    """Unquoted, '-beta' and the roster's extra site_name column are both flagged."""
    report = check(scenario, tmp_path, plan, quote=False)
    assert report.rules == {"format"}
    assert "(column 9)" in " ".join(report.violations[0].examples)


def test_missing_bom(scenario, tmp_path, plan):
    report = check(scenario, tmp_path, plan, bom=False)
    assert report.rules == {"format"}
    assert "byte-order mark" in report.violations[0].examples[0]


def test_wrong_header(scenario, tmp_path, plan):
    folder = write_plan(tmp_path / "plan", plan)
    text = (folder / "assignments.csv").read_text(encoding="utf-8-sig")
    (folder / "assignments.csv").write_text(
        text.replace("samples", "count", 1), encoding="utf-8-sig"
    )
    assert "format" in check_plan(scenario, folder).rules


def test_row_with_missing_field(scenario, tmp_path, plan):
    folder = write_plan(tmp_path / "plan", plan)
    path = folder / "assignments.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    lines.append("alpha,alpha-p1,north,walk_in,2022-11-10 12:00,2022-11-10 12:30\r\n")
    path.write_text("".join(lines), encoding="utf-8-sig")
    report = check_plan(scenario, folder)
    assert report.rules == {"format"}
    assert "line 7: 6 fields" in report.violations[0].examples[0]


def test_plan_json_without_status(scenario, tmp_path, plan):
    del plan["plan"]["status"]
    assert check(scenario, tmp_path, plan).rules == {"format"}


def test_missing_file(scenario, tmp_path, plan):
    folder = write_plan(tmp_path / "plan", plan)
    (folder / "plan.json").unlink()
    assert check_plan(scenario, folder).rules == {"files"}


def test_team_roster_file_differs(scenario, tmp_path, plan):
    folder = write_plan(tmp_path / "plan", plan)
    path = folder / "rosters" / "alpha.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), encoding="utf-8-sig")
    assert check_plan(scenario, folder).rules == {"team_rosters"}


def test_team_roster_file_missing(scenario, tmp_path, plan):
    folder = write_plan(tmp_path / "plan", plan)
    (folder / "rosters" / "-beta.csv").unlink()
    assert check_plan(scenario, folder).rules == {"team_rosters"}


def test_a_plan_folder_with_only_the_contract_files_is_checked(scenario, tmp_path, plan):
    """roster.csv, assignments.csv, sites.csv and plan.json are all the contract names: a
    folder without our rosters/ and without a "solver" key in plan.json is valid."""
    folder = write_plan(tmp_path / "plan", plan)
    for path in (folder / "rosters").iterdir():
        path.unlink()
    (folder / "rosters").rmdir()
    data = json.loads((folder / "plan.json").read_text(encoding="utf-8-sig"))
    del data["solver"]
    (folder / "plan.json").write_text(json.dumps(data), encoding="utf-8")
    report = check_plan(scenario, folder)
    assert report.ok, report.summary()


def test_team_roster_file_for_a_team_without_rows(scenario, tmp_path, plan):
    folder = write_plan(tmp_path / "plan", plan)
    other = folder / "rosters" / "gamma.csv"
    other.write_bytes((folder / "rosters" / "alpha.csv").read_bytes())
    assert check_plan(scenario, folder).rules == {"team_rosters"}


def test_roster_order(scenario, tmp_path, plan):
    plan["roster"].reverse()
    assert "order" in check(scenario, tmp_path, plan, sort=False).rules


def test_unknown_site(scenario, tmp_path, plan):
    plan["roster"] += pair_rows(ALPHA, [("travel", "nowhere", "12:00", "12:10")])
    assert check(scenario, tmp_path, plan).rules == {"unknown_reference"}


def test_team_size(tmp_path, plan):
    """With only one person, alpha cannot form its pair."""
    text = SCENARIO.replace("  - id: alpha\n    people: 2", "  - id: alpha\n    people: 1")
    assert check(load_scenario_text(text), tmp_path, plan).rules == {"team_size"}


def test_violations_are_grouped(scenario, tmp_path, plan):
    """Eight copies of one break give seven overlaps: one violation, five examples."""
    plan["roster"] += [person_row(ALPHA, 0, "break", "", "12:00", "12:30")] * 8
    report = check(scenario, tmp_path, plan)
    assert report.rules == {"overlap"}
    (violation,) = report.violations
    assert "broken 7 times" in violation.message
    assert len(violation.examples) == 5
    text = report.summary()
    assert text.startswith("plan is NOT valid") and "[overlap]" in text
