"""Bringing a plan's end forward (``pull_in``): work after a deadline goes to pairs with
time to spare before it, or nothing changes. Every plan it returns passes the checker."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sampler import check_plan, load_scenario, solve, write_plan
from sampler.budget import SolveParams
from sampler.geo import great_circle_km, travel_minutes
from sampler.heuristics.topup import _Stations, pull_in, top_up
from sampler.plan import PAIR_COLUMNS, TRAVEL, Plan
from sampler.result import status_of
from sampler.solve import _on_grid, reported_bound

SCENARIOS = Path(__file__).parent.parent / "scenarios"

TWO_PAIRS_YAML = """\
scenario: two pairs, one of them idle
start: 2022-11-10T07:00
end: 2022-11-10T13:00
sites:
  - id: yard
    lat: 40.00
    lon: 113.00
    residents: 240
    stations: 2
teams:
  - id: early
    people: 2
    lat: 40.01
    lon: 113.00
  - id: late
    people: 2
    lat: 40.01
    lon: 113.00
"""


def _late_plan(scenario) -> pd.DataFrame:
    """The ``late`` pair idles at its base until 09:00, then samples everyone by 11:00;
    the ``early`` pair does nothing."""
    trip = _trip(scenario, "late", "yard")
    rows = [
        ["late", "late-p01", TRAVEL, "yard", 120 - trip, 120, 0],
        ["late", "late-p01", "walk_in", "yard", 120, 240, 240],
    ]
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)


def _checked(result, rows, out: Path):
    """The result with these rows, written and checked."""
    plan = Plan(result.scenario, rows)
    bound = reported_bound(
        plan, result.bounds, _on_grid(result.bounds.done_minute, result.scenario.slot_minutes)
    )
    changed = dataclasses.replace(
        result, plan=plan, status=status_of(plan, bound), lower_bound_minute=bound, shortfalls=()
    )
    write_plan(changed, out)
    report = check_plan(result.scenario, out)
    assert report.ok, report.violations
    return changed.plan


@pytest.fixture
def two_pairs(write_yaml):
    return load_scenario(write_yaml(TWO_PAIRS_YAML))


def test_late_work_moves_to_the_idle_pair(two_pairs, tmp_path):
    result = solve(two_pairs, SolveParams(time_limit=1))
    late = _late_plan(two_pairs)
    assert _checked(result, late, tmp_path / "late").done_minute == 240
    earlier = pull_in(two_pairs, late, 180)
    assert earlier is not None
    plan = _checked(result, earlier, tmp_path / "earlier")
    assert plan.complete
    assert plan.done_minute <= 180
    assert set(earlier.pair[earlier.samples > 0]) == {"late-p01", "early-p01"}


def test_a_deadline_nobody_can_meet_changes_nothing(two_pairs):
    # 240 residents at 120 an hour a pair: two pairs need an hour, and the trip first.
    assert pull_in(two_pairs, _late_plan(two_pairs), 60) is None


def test_a_plan_already_done_by_the_deadline_is_kept(two_pairs):
    late = _late_plan(two_pairs)
    assert pull_in(two_pairs, late, 240) is late


@pytest.mark.parametrize("deadline", [600, 630, 660, 690, 720])
def test_pulled_in_plans_of_a_shipped_scenario_pass_the_checker(deadline, tmp_path):
    scenario = load_scenario(SCENARIOS / "yunzhou-shuibosi.yaml")
    result = solve(scenario, SolveParams(time_limit=1, seed=0))
    earlier = pull_in(scenario, result.plan.rows, deadline)
    if earlier is None:
        assert result.plan.done_minute > deadline
        return
    plan = _checked(result, earlier, tmp_path / "plan")
    assert plan.complete
    assert plan.done_minute <= deadline


@settings(max_examples=300, deadline=None)
@given(
    intervals=st.lists(
        st.tuples(st.integers(0, 60), st.integers(1, 30)).map(lambda t: (t[0], t[0] + t[1])),
        max_size=8,
    ),
    stations=st.integers(1, 3),
    start=st.integers(0, 80),
    length=st.integers(0, 40),
)
def test_free_station_time_matches_a_minute_by_minute_count(intervals, stations, start, length):
    """``free_until``: the latest end such that one more pair fits every minute before it."""
    end = start + length
    busy = [sum(s <= m < e for s, e in intervals) for m in range(start, end)]
    expected = start + next((k for k, n in enumerate(busy) if n >= stations), len(busy))
    assert _Stations(intervals, stations).free_until(start, end) == expected


SIDE_BY_SIDE_YAML = """\
scenario: a home-visit pair beside free walk-in stations
start: 2022-11-10T07:00
end: 2022-11-10T13:00
sites:
  - id: block
    lat: 40.00
    lon: 113.00
    residents: 300
    home_visits: 60
    stations: 2
teams:
  - id: home
    people: 2
    lat: 40.01
    lon: 113.00
"""


def _trip(scenario, team_id: str, site_id: str, origin: str | None = None) -> int:
    team, site = scenario.team_by_id[team_id], scenario.site_by_id[site_id]
    start = scenario.site_by_id[origin] if origin else team
    km = great_circle_km(start.lat, start.lon, site.lat, site.lon)
    return int(travel_minutes(km, scenario.rules(team).travel_speed_kmh))


def test_walk_in_left_is_taken_by_a_home_visit_pair_while_a_station_is_free(write_yaml, tmp_path):
    scenario = load_scenario(write_yaml(SIDE_BY_SIDE_YAML))
    trip = _trip(scenario, "home", "block")
    # 60 home visits take 120 of the row's 150 minutes; walk-in gets only an hour at the
    # end (120 of 240 residents).
    rows = pd.DataFrame(
        [
            ["home", "home-p01", TRAVEL, "block", 0, trip, 0],
            ["home", "home-p01", "door_to_door", "block", trip, trip + 150, 60],
            ["home", "home-p01", "walk_in", "block", trip + 150, trip + 210, 120],
        ],
        columns=PAIR_COLUMNS,
    )
    # Going on after its rows, the pair would need until trip + 270 for the walk-in left.
    deadline = trip + 240
    done = top_up(scenario, rows, deadline, all_or_nothing=True)
    assert done is not None
    first_walk_in = done[done.activity == "walk_in"].start.min()
    assert first_walk_in == trip  # the home-visit row's start now samples walk-in
    result = solve(scenario, SolveParams(time_limit=1))
    plan = _checked(result, done, tmp_path / "plan")
    assert plan.complete
    assert plan.done_minute <= deadline


ON_THE_WAY_YAML = """\
scenario: a pair whose first trip passes a site that is short of time
start: 2022-11-10T07:00
end: 2022-11-10T13:00
sites:
  - id: near
    lat: 40.00
    lon: 113.00
    residents: 120
    stations: 1
  - id: far
    lat: 40.00
    lon: 113.02
    residents: 300
teams:
  - id: a
    people: 2
    lat: 40.01
    lon: 113.00
  - id: b
    people: 2
    lat: 40.01
    lon: 113.00
    available: "09:00-13:00"
"""


def test_a_pair_on_its_first_trip_samples_where_stations_stand_free(write_yaml, tmp_path):
    scenario = load_scenario(write_yaml(ON_THE_WAY_YAML))
    to_far, to_near = _trip(scenario, "a", "far"), _trip(scenario, "b", "near")
    # a samples ``far`` all morning; b reaches ``near`` at 09:00 and needs an hour.
    rows = pd.DataFrame(
        [
            ["a", "a-p01", TRAVEL, "far", 0, to_far, 0],
            ["a", "a-p01", "walk_in", "far", to_far, 160, 300],
            ["b", "b-p01", TRAVEL, "near", 120, 120 + to_near, 0],
            ["b", "b-p01", "walk_in", "near", 120 + to_near, 180 + to_near, 120],
        ],
        columns=PAIR_COLUMNS,
    )
    # By 180, near's last residents find no free station (b holds the only one from its
    # arrival, and a only gets there after 160): only a detour on a's first trip helps.
    earlier = pull_in(scenario, rows, 180)
    assert earlier is not None
    at_near = earlier[(earlier.site == "near") & (earlier.activity == "walk_in")]
    assert set(at_near.pair) == {"a-p01", "b-p01"}
    assert at_near[at_near.pair == "a-p01"].start.max() < 120
    result = solve(scenario, SolveParams(time_limit=1))
    plan = _checked(result, earlier, tmp_path / "plan")
    assert plan.complete
    assert plan.done_minute <= 180


TWO_SITES_YAML = """\
scenario: one pair, two sites
start: 2022-11-10T07:00
end: 2022-11-10T13:00
sites:
  - id: a
    lat: 40.00
    lon: 113.00
    residents: 250
  - id: b
    lat: 40.00
    lon: 113.02
    residents: 166
teams:
  - id: solo
    people: 2
    lat: 40.01
    lon: 113.00
"""


def test_work_after_a_pause_filled_at_a_site_still_travels_back_there(write_yaml, tmp_path):
    """The pair pauses at ``a`` before leaving for ``b``; top-up first fills that pause at
    ``a``, then sends the pair back to ``a`` after ``b``: that needs a trip from ``b``."""
    scenario = load_scenario(write_yaml(TWO_SITES_YAML))
    to_a, a_to_b = _trip(scenario, "solo", "a"), _trip(scenario, "solo", "b", origin="a")
    rows = pd.DataFrame(
        [
            ["solo", "solo-p01", TRAVEL, "a", 0, to_a, 0],
            ["solo", "solo-p01", "walk_in", "a", to_a, 100, 190],
            ["solo", "solo-p01", TRAVEL, "b", 110, 110 + a_to_b, 0],
            ["solo", "solo-p01", "walk_in", "b", 110 + a_to_b, 200, 166],
        ],
        columns=PAIR_COLUMNS,
    )
    # 60 residents left at a: 20 fit in the pause, and 20 in the 10 minutes after the trip
    # back (by the deadline); neither finishes them, so the pause is filled first.
    deadline = 200 + a_to_b + 10
    topped = top_up(scenario, rows, deadline)
    mine = topped.sort_values("start")
    back = mine[(mine.site == "a") & (mine.start >= 200)]
    assert len(back) == 2 and back.activity.tolist() == [TRAVEL, "walk_in"]
    assert mine[(mine.site == "a") & (mine.activity == "walk_in")].samples.sum() == 230
    result = solve(scenario, SolveParams(time_limit=1))
    _checked(result, topped, tmp_path / "plan")


# Found in review: a team based at a site (a detour with no trip to it), and a second
# round of detours in front of work that waits for its site to open.
BASE_AT_A_SITE_YAML = """\
scenario: base at a site
start: 2022-11-10T07:00
end: 2022-11-10T13:00
sites:
  - id: near
    lat: 40.01
    lon: 113.00
    residents: 60
    stations: 1
  - id: x
    lat: 40.00
    lon: 113.02
    residents: 100
teams:
  - id: a
    people: 2
    lat: 40.01
    lon: 113.00
    available: "07:00-10:00"
"""

TWO_ROUNDS_YAML = """\
scenario: second detour round
start: 2022-11-10T07:00
end: 2022-11-10T13:00
sites:
  - id: x
    lat: 40.00
    lon: 113.02
    residents: 100
  - id: s1
    lat: 40.005
    lon: 113.01
    residents: 50
    stations: 1
    open: "09:00-13:00"
  - id: s2
    lat: 40.012
    lon: 113.005
    residents: 20
    stations: 1
teams:
  - id: a
    people: 2
    lat: 40.01
    lon: 113.00
    available: "07:00-12:00"
"""


@pytest.mark.parametrize(("text", "end"), [(BASE_AT_A_SITE_YAML, 180), (TWO_ROUNDS_YAML, 300)])
def test_detours_keep_every_row_valid(text, end, write_yaml, tmp_path):
    """One pair samples ``x`` until ``end``; the other sites' residents are left. Whatever the
    detours do, every row has a length, work stays inside open windows, and the plan
    passes the checker."""
    scenario = load_scenario(write_yaml(text))
    to_x = _trip(scenario, "a", "x")
    rows = pd.DataFrame(
        [["a", "a-p01", TRAVEL, "x", 0, to_x, 0], ["a", "a-p01", "walk_in", "x", to_x, end, 100]],
        columns=PAIR_COLUMNS,
    )
    topped = top_up(scenario, rows)
    assert (topped.start < topped.end).all()
    assert topped[topped.site != "x"].samples.sum() > 0  # the detours did something
    result = solve(scenario, SolveParams(time_limit=1))
    _checked(result, topped, tmp_path / "plan")
