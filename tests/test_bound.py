"""The LP bounds: hand-checked values, validity against plans, monotone in staff, and the
clustered relaxation never above the exact one."""

from __future__ import annotations

import itertools

import pytest

import sampler.bound as bound
from sampler import load_scenario_text, solve
from sampler.bound import bounds_and_aim, compute_bounds, max_suit_time
from sampler.instance import Instance
from sampler.solve import SolveParams

ONE_SITE = """\
scenario: bound
start: 2022-11-10T08:00
end: 2022-11-10T20:00
sites:
  - {{id: a, lat: 40.0, lon: 113.0, residents: {residents}, stations: {stations}}}
teams:
  - {{id: t, people: {people}, lat: 40.0, lon: 113.0}}
"""


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        (0, 0),  # nothing fits in no time
        (300, 300),  # shorter than one suit: all of it
        (390, 390),  # exactly one suit
        (450, 390),  # a second stretch needs the break first: still one suit
        (500, 440),  # 390 + break 60 + 50
        (840, 780),  # two full suits and the break
        (2000, 1170),  # 390 + 60 + 390 + 60 + 390 + ...: three suits by then, and more
    ],
)
def test_max_suit_time(window, expected):
    """Most work in a window with 390-minute suits and 60-minute breaks."""
    if window == 2000:
        assert max_suit_time(window, 390, 60) >= expected
    else:
        assert max_suit_time(window, 390, 60) == pytest.approx(expected)


def test_bound_by_hand():
    """One pair at 120 an hour, 600 residents, 10 stations: 300 minutes of work, all in
    one suit, from 08:00 with no trip: done no earlier than 13:00."""
    sc = load_scenario_text(ONE_SITE.format(residents=600, stations=10, people=2))
    b = compute_bounds(Instance(sc))
    assert b.done_minute == 300
    assert b.max_sampled == 600
    assert len(b.coverage_curve) == sc.n_slots and b.coverage_curve[-1] == 600
    # By 08:30 one pair can have sampled at most 60.
    assert b.coverage_curve[0] == 60


def test_stations_bind():
    """Four pairs but one station: 600 walk-in residents take 300 minutes still."""
    sc = load_scenario_text(ONE_SITE.format(residents=600, stations=1, people=8))
    assert compute_bounds(Instance(sc)).done_minute == 300


def test_impossible_scenario_has_no_done_bound():
    """2,000 residents, one pair, 12 hours: two suits around a break hold 390 + 270 = 660
    minutes of work (780 would need 840 minutes), so at most 1,320 samples."""
    sc = load_scenario_text(ONE_SITE.format(residents=2000, stations=4, people=2))
    b = compute_bounds(Instance(sc))
    assert b.done_minute is None
    assert b.max_sampled == 1320
    assert b.short_by_site == {"a": (680, 0)}


@pytest.mark.parametrize("people", [2, 4, 8, 16])
def test_more_people_never_a_later_bound(people):
    sc_small = load_scenario_text(ONE_SITE.format(residents=900, stations=8, people=people))
    sc_big = load_scenario_text(ONE_SITE.format(residents=900, stations=8, people=people + 2))
    small, big = compute_bounds(Instance(sc_small)), compute_bounds(Instance(sc_big))
    assert big.done_minute <= small.done_minute


def test_plans_never_beat_the_bound():
    sc = load_scenario_text(ONE_SITE.format(residents=900, stations=3, people=6))
    result = solve(sc, SolveParams(time_limit=2))
    assert result.done_minute >= result.bounds.done_minute
    curve = result.bounds.coverage_curve
    assert all(a <= b for a, b in itertools.pairwise(curve))


def test_clustered_relaxation_is_still_a_bound(monkeypatch):
    """Merging teams and clustering sites relaxes some limits and keeps others valid (a
    team's time in a cluster is still one day's): the bound it gives still holds for a
    plan, and is close to the exact one."""
    sites = "\n".join(
        f"  - {{id: s{k}, lat: {40 + k * 0.01}, lon: 113.0, residents: {300 + 50 * k},"
        f" home_visits: {10 * k}, stations: 2}}"
        for k in range(12)
    )
    teams = "\n".join(
        f"  - {{id: t{k}, people: 6, lat: {40 + k * 0.03}, lon: 113.01}}" for k in range(4)
    )
    sc = load_scenario_text(
        "start: 2022-11-10T07:00\nend: 2022-11-10T21:30\nsites:\n"
        + sites
        + "\nteams:\n"
        + teams
        + "\n"
    )
    exact = compute_bounds(Instance(sc))
    plan = solve(sc, SolveParams(time_limit=2)).plan
    monkeypatch.setattr(bound, "MAX_LP_CELLS", 10)
    clustered = compute_bounds(Instance(sc))
    assert clustered.clustered and not exact.clustered
    assert clustered.done_minute <= plan.done_minute
    assert clustered.max_sampled >= plan.sampled
    assert abs(clustered.done_minute - exact.done_minute) <= 60


TWO_SITES = """\
scenario: trips
start: 2022-11-10T08:00
end: 2022-11-10T12:00
sites:
  - {id: a, lat: 40.0, lon: 113.0, residents: 60}
  - {id: b, lat: 40.1, lon: 113.0, residents: 120}
teams:
  - {id: t, people: 2, lat: 40.0, lon: 113.0}
"""


def test_each_site_is_charged_its_own_trip():
    """One pair based at a (60 residents, 30 minutes' work) must also do b (120, 60
    minutes), 44 minutes away. Charged only its shortest trip (none), its 90 minutes of
    work and b's 44-minute trip need tau >= 44 + 60 = 104 (what the planner aims at). As a
    share of its day less the trip to each site, 30/tau + 60/(tau - 44) <= 1: tau >= 123
    (the exact plan: 30 + 44 + 60 = 134)."""
    b, aim = bounds_and_aim(Instance(load_scenario_text(TWO_SITES)))
    assert (aim.minute, b.done_minute) == (104, 123)


def test_on_the_grid_the_bound_walks_up_while_site_trips_say_no(monkeypatch):
    """The same scenario as a large one (no minute bisection): the shortest-trip LP is
    infeasible at 09:30 and feasible at 10:00, so it proves 09:31; charging each site its
    own trip is infeasible at 10:00 too (10:03 by the minute) and feasible at 10:30: 10:01."""
    monkeypatch.setattr(bound, "REFINE_CELLS", 0)
    b, aim = bounds_and_aim(Instance(load_scenario_text(TWO_SITES)))
    assert (aim.minute, b.done_minute) == (91, 121)


def test_teams_with_other_bases_are_merged_only_for_want_of_clusters(monkeypatch):
    """Two teams with the same rules and hours, one based at the first of 30 sites and one
    22 km away. Merged, the far team's pairs would borrow the near team's zero-minute trip:
    a city gets that only when keeping teams apart would leave fewer than MIN_CLUSTERS site
    clusters. Both bounds hold for a plan; the one that keeps the bases is the later."""
    sites = "\n".join(
        f"  - {{id: s{k}, lat: {40 + k * 0.002}, lon: 113.0, residents: 400, stations: 6}}"
        for k in range(30)
    )
    sc = load_scenario_text(
        "start: 2022-11-10T07:00\nend: 2022-11-10T21:30\nsites:\n"
        + sites
        + "\nteams:\n  - {id: near, people: 10, lat: 40.0, lon: 113.0}\n"
        + "  - {id: far, people: 10, lat: 40.2, lon: 113.0}\n"
    )
    plan = solve(sc, SolveParams(time_limit=3)).plan
    monkeypatch.setattr(bound, "MAX_LP_CELLS", 2 * bound.MIN_CLUSTERS + 2)
    kept_apart = compute_bounds(Instance(sc))
    monkeypatch.setattr(bound, "MAX_LP_CELLS", 2 * bound.MIN_CLUSTERS - 2)
    merged = compute_bounds(Instance(sc))
    assert kept_apart.clustered and merged.clustered
    assert merged.done_minute < kept_apart.done_minute <= plan.done_minute
