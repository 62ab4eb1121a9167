"""The scenario families' generator (benchmarks/families): same seed same file, valid under
the contract, and each family has what defines it. Small size only; nothing is planned."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from benchmarks.families.generate import FAMILIES, MORNING, SHORT_WINDOWS, generate, write
from benchmarks.families.staffing import window
from sampler import load_scenario

SEEDS = (1, 2, 3)


def _km(a: dict, b: dict) -> float:
    dlat = (a["lat"] - b["lat"]) * 111.2
    dlon = (a["lon"] - b["lon"]) * 111.2 * math.cos(math.radians(a["lat"]))
    return math.hypot(dlat, dlon)


@pytest.mark.parametrize("family", FAMILIES)
def test_same_seed_same_text(family: str, tmp_path: Path) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    write(family, "small", 4, first)
    write(family, "small", 4, second)
    assert first.read_bytes() == second.read_bytes()
    write(family, "small", 5, second)
    assert first.read_bytes() != second.read_bytes()


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("seed", SEEDS)
def test_valid_and_small(family: str, seed: int, tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    write(family, "small", seed, path)
    sc = load_scenario(path)
    assert 5 <= len(sc.sites) <= 40
    assert sum(t.people for t in sc.teams) > 0


def _all(family: str) -> list[dict]:
    return [generate(family, "small", seed) for seed in SEEDS]


def test_short_hours_sites_close_by_noon_and_sealed_open_mornings() -> None:
    for data in _all("short_hours"):
        sites = data["sites"]
        assert any(window(s.get("open", "07:00-21:00"))[1] <= 12 * 60 for s in sites)
        short = [s for s in sites if s["open"] != "07:00-21:00"]
        assert len(short) >= len(sites) / 4
        assert all(s["open"] == MORNING for s in sites if s.get("sealed"))


def test_late_teams_arrive_at_1230_or_leave_at_1400_from_far() -> None:
    for data in _all("late_teams"):
        teams = data["teams"]
        late = [t for t in teams if t["available"] in ("12:30-21:30", "07:00-14:00")]
        assert late
    teams = [t for data in _all("late_teams") for t in data["teams"]]
    centre = {"lat": 40.0765, "lon": 113.3001}
    assert any(t["available"] == "12:30-21:30" and _km(t, centre) >= 35 for t in teams), (
        "some late teams come from 35-45 km away"
    )
    assert any(t["available"] == "07:00-14:00" for t in teams)


def test_no_door_family_has_untrained_teams() -> None:
    teams = [t for data in _all("no_door") for t in data["teams"]]
    untrained = [t for t in teams if t.get("door_to_door") is False]
    assert len(untrained) >= 0.15 * len(teams)


def test_remote_family_has_villages_far_out() -> None:
    centre = {"lat": 40.0765, "lon": 113.3001}
    for data in _all("remote"):
        far = [s for s in data["sites"] if _km(s, centre) >= 12]
        assert far and all("-v" in s["id"] for s in far)


def test_priorities_family_mixes_priority_one_to_three() -> None:
    found = {s.get("priority", 1) for data in _all("priorities") for s in data["sites"]}
    assert found == {1, 2, 3}


def test_mixed_family_combines_the_others() -> None:
    sites = [s for data in _all("mixed") for s in data["sites"]]
    teams = [t for data in _all("mixed") for t in data["teams"]]
    assert any(s["open"] in SHORT_WINDOWS for s in sites)
    assert any(t["available"] in ("12:30-21:30", "07:00-14:00") for t in teams)
    assert any(t.get("door_to_door") is False for t in teams)
    assert any("-v" in s["id"] for s in sites)


def test_heat_family_keeps_suits_short_and_walk_in_out_of_midday() -> None:
    """Two-hour suits with 30-minute breaks, no team's own limit above them, and
    communities that sample only before 11:00 or after 15:00."""
    for data in _all("heat"):
        assert data["defaults"]["max_suit_minutes"] == 120
        assert data["defaults"]["min_break_minutes"] == 30
        assert all(t.get("max_suit_minutes", 120) <= 120 for t in data["teams"])
    sites = [s for data in _all("heat") for s in data["sites"]]
    assert {s["open"] for s in sites} >= {"07:00-11:00", "15:00-21:00"}


def test_a_team_whose_trip_outlasts_a_suit_stretch_gives_no_time() -> None:
    """The staffing test, like the planner's bound, counts no time of a team whose trip
    (here 50 km: 195 minutes) is longer than its suit stretch (120 minutes); at 390
    minutes it gives its day."""
    from benchmarks.families.staffing import Day, team_supply
    from benchmarks.generate import DEFAULTS

    day = Day(7 * 60, 21 * 60)
    team = {"people": 20, "available": "07:00-21:30"}
    assert team_supply(team, DEFAULTS, day, 50.0).sum() > 0
    assert team_supply({**team, "max_suit_minutes": 120}, DEFAULTS, day, 50.0).sum() == 0


def test_understaffed_has_fewer_people_than_the_same_city_staffed() -> None:
    """Same sizes drawn, so per resident the understaffed family has clearly fewer people
    than the busy-but-sufficient families on average."""

    def people_per_resident(family: str) -> float:
        datas = [generate(family, "small", seed) for seed in range(1, 7)]
        people = sum(t["people"] for d in datas for t in d["teams"])
        return people / sum(s["residents"] for d in datas for s in d["sites"])

    assert people_per_resident("understaffed") < 0.8 * people_per_resident("late_teams")


def test_worst_seed_lines_describe_sites_of_a_scenario_file_since_removed(
    tmp_path: Path,
) -> None:
    """A record reused after its checkout was removed still shows the short site's residents
    and window (the scenario is made again from family, size and seed), not the defaults."""
    from benchmarks.families.report import Row, worst_seed_lines

    scenario = generate("understaffed", "small", 5)
    site = scenario["sites"][3]
    record = {
        "family": "understaffed",
        "size": "small",
        "seed": 5,
        "key": {"time_limit": 5},
        "scenario": str(tmp_path / "gone.yaml"),
        "exit": 3,
        "valid": True,
        "coverage": 0.5,
        "sampled": 1,
        "residents": 2,
        "upper_bound_sampled": 2,
        "sites_short": [{"site": site["id"], "walk_in_short": 10, "home_short": 0}],
    }
    lines = worst_seed_lines(Row("understaffed", "small", 5, (record,)))
    assert f"({site['residents']:,} residents, open {site['open']}" in lines[1]


def test_the_lns_cell_counts_trades_only_where_plans_traded() -> None:
    """plan.json's solver.trades reach the report's LNS cell (kept / tried over the seeds);
    a family whose plans tried none shows no trades."""
    from benchmarks.families.report import Row
    from benchmarks.families.runner import neighbourhoods

    def solver(tried: int, kept: int) -> dict:
        return {
            "neighbourhoods": {"solved": 2, "improved": 1, "cp_improved": 0},
            "cp_posts": {"kept": 0},
            "trades": {"tried": tried, "kept": kept},
        }

    records = tuple({"neighbourhoods": neighbourhoods(solver(t, k))} for t, k in ((4, 3), (6, 2)))
    assert Row("understaffed", "small", 5, records).neighbourhoods().endswith("; trades 5/10")
    none = tuple({"neighbourhoods": neighbourhoods(solver(0, 0))} for _ in range(2))
    assert "trades" not in Row("generator", "small", 5, none).neighbourhoods()


def test_targets_ask_cp_sat_to_improve_most_open_seeds_and_districts_to_finish_in_time() -> None:
    """CP-SAT must improve the start in more than half the seeds not proven optimal (an
    optimal seed does not count); a district's worst wall must be within 15 s."""
    from benchmarks.families.report import Row, targets

    def record(status: str, cp: int, start: int, wall: float = 5.0) -> dict:
        found = {"solved": 2, "improved": cp, "cp_improved": cp, "start_cp": start}
        return {"status": status, "valid": True, "neighbourhoods": found, "wall_seconds": wall}

    one_of_two = (record("feasible", 1, 0), record("feasible", 0, 0), record("optimal", 0, 0))
    assert any(
        "CP-SAT improved the start in 1 of 2" in m
        for m in targets(Row("generator", "small", 5, one_of_two))
    )
    two_of_three = (*one_of_two[:2], record("feasible", 0, 1))
    assert not targets(Row("generator", "small", 5, two_of_three))
    slow = (*two_of_three, record("feasible", 1, 0, wall=15.5))
    assert targets(Row("mixed", "district", 12, slow)) == ["worst wall 15.5 s > 15 s"]
    assert not targets(Row("mixed", "small", 5, slow))


def test_where_the_time_goes_takes_each_steps_median_from_the_planners_json() -> None:
    """The runner keeps ``sampler plan --json``'s timings (nothing from output that is not
    that summary); the report gives each step's median over the seeds that have them, in
    the planner's order, and no line where none do."""
    from benchmarks.families.report import Row, step_line
    from benchmarks.families.runner import _timings

    assert _timings('{"timings": {"bound": 1.5, "solve": 9.0}, "coverage": 1}') == {
        "bound": 1.5,
        "solve": 9.0,
    }
    assert _timings("Traceback (most recent call last):") == {}
    runs = [
        {"bound": 1.0, "solve": 8.0, "parts": 6.0, "finish": 2.0},
        {"bound": 3.0, "solve": 10.0, "parts": 7.0, "finish": 4.0},
        {"bound": 2.0, "solve": 12.0, "parts": 9.0, "finish": 3.0},
    ]
    records = tuple({"wall_seconds": 20.0, "timings": t} for t in runs)
    row = Row("short_hours", "district", 12, (*records, {"wall_seconds": 30.0}))
    assert row.steps() == {"bound": 2.0, "solve": 10.0, "parts": 7.0, "finish": 3.0}
    line = step_line(row)
    assert line is not None and "wall 20.0 s" in line
    assert line.endswith("bound 2.0, solve 10.0 [parts 7.0], finish 3.0 s")  # (parts: inside)
    assert step_line(Row("generator", "small", 5, ({"wall_seconds": 5.0},))) is None
