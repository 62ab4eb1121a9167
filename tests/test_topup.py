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
from sampler.geo import great_circle_km, travel_minutes
from sampler.plan import Plan
from sampler.roster import PAIR_COLUMNS, TRAVEL
from sampler.solve import SolveParams, status_of
from sampler.topup import _Stations, pull_in

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
    site, team = scenario.sites[0], scenario.team_by_id["late"]
    km = great_circle_km(team.lat, team.lon, site.lat, site.lon)
    trip = int(travel_minutes(km, scenario.rules(team).travel_speed_kmh))
    rows = [
        ["late", "late-p01", TRAVEL, "yard", 120 - trip, 120, 0],
        ["late", "late-p01", "walk_in", "yard", 120, 240, 240],
    ]
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)


def _checked(result, rows, out: Path):
    """The result with these rows, written and checked."""
    plan = Plan(result.scenario, rows)
    changed = dataclasses.replace(
        result, plan=plan, status=status_of(plan, result.lower_bound_minute), shortfalls=()
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
