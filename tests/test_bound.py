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


TRIP_IN_THE_SUIT = """\
scenario: the trip is worn in the suit
start: 2022-11-10T07:00
end: 2022-11-10T21:30
defaults: {max_suit_minutes: 300, walk_in_per_hour: 60}
sites:
  - {id: a, lat: 40.0, lon: 113.0, residents: 5000, stations: 4, open: "07:00-21:00"}
teams:
  - {id: t, people: 2, lat: 40.1, lon: 113.0, available: "09:00-21:30"}
"""


def test_the_trip_is_worn_in_the_suit():
    """One pair leaves its base 11 km north (a 44-minute trip at the bound's smallest Earth
    radius) at 09:00; the site closes at 21:00. Those 720 minutes hold two 300-minute suits
    around a break (a third would need a second break: 720 - 120 = 600 again), and the trip
    is worn in the first: 600 - 44 = 556 minutes of work at one a minute. Counting the suits
    only after arrival (676 minutes: still 600 of work) and the pair's day to the horizon's
    end at 21:30 (750 minutes: 630, less the trip 586) claimed 30 residents more than any
    plan samples (the understaffed family's seed 5 lost 1,100 so)."""
    sc = load_scenario_text(TRIP_IN_THE_SUIT)
    assert compute_bounds(Instance(sc)).max_sampled == 556
    assert solve(sc, SolveParams(time_limit=2)).plan.sampled <= 556


OUT_OF_REACH = """\
scenario: legs longer than a suit stretch
start: 2022-11-10T07:00
end: 2022-11-10T21:30
defaults: {{max_suit_minutes: 120, min_break_minutes: 30, walk_in_per_hour: 60}}
sites:
  - {{id: a, lat: 40.0, lon: 113.0, residents: 2000, stations: 4}}
  - {{id: b, lat: {b_lat}, lon: 113.0, residents: 10, stations: 4}}
teams:
  - {{id: far, people: 2, lat: 40.4, lon: 113.0}}
"""


def test_no_leg_longer_than_a_suit_stretch_is_steered_to_but_the_proof_counts_it():
    """A heat rule of two-hour stretches: site a is 44 km from the base (171 minutes at the
    bound's smallest Earth radius), beyond any stretch; site b is at the base. The planner
    makes a trip one travel row, so the allocation that steers it gives the pair nothing
    at a, and it samples b's 10. A plan may still pause the trip for a break (the checker
    takes a trip in several travel rows), so the proof counts a's residents (548 in all)."""
    sc = load_scenario_text(OUT_OF_REACH.format(b_lat=40.4))
    inst = Instance(sc)
    bounds, aim = bounds_and_aim(inst)
    site_a = next(s.index for s in inst.sites if s.site.id == "a")
    assert bounds.max_sampled > 500
    assert aim.allocation and not any(i == site_a for (_, i, _) in aim.allocation)
    assert solve(sc, SolveParams(time_limit=1)).plan.sampled == 10


def test_a_site_beyond_a_stretch_is_reached_through_another():
    """As above with b halfway (22 km: 86 minutes from the base, and as many on to a): a is
    reached through b in two legs, so the bound counts a's residents again."""
    sc = load_scenario_text(OUT_OF_REACH.format(b_lat=40.2))
    most = compute_bounds(Instance(sc)).max_sampled
    assert most > 10
    assert solve(sc, SolveParams(time_limit=1)).plan.sampled <= most


def test_what_steers_still_counts_the_suit_from_arrival():
    """The same pair: the allocation handed to the planner keeps the count it steered by
    before the proof wore the trip in the suit (suit time from arrival, the day to the
    horizon's end: 630 - 44 = 586 minutes), which kept two short-hours seeds from ending
    later; the proof says 556."""
    bounds, aim = bounds_and_aim(Instance(load_scenario_text(TRIP_IN_THE_SUIT)))
    assert bounds.max_sampled == 556
    assert aim.allocation == {(0, 0, "walk_in"): pytest.approx(586)}


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


def twelve_sites(scale: int = 1):
    """Twelve sites in a row, four teams of three pairs beside them; ``scale`` times the
    residents (at 10, far more than the teams can sample in a day)."""
    sites = "\n".join(
        f"  - {{id: s{k}, lat: {40 + k * 0.01}, lon: 113.0, residents: {(300 + 50 * k) * scale},"
        f" home_visits: {10 * k}, stations: 2}}"
        for k in range(12)
    )
    teams = "\n".join(
        f"  - {{id: t{k}, people: 6, lat: {40 + k * 0.03}, lon: 113.01}}" for k in range(4)
    )
    return load_scenario_text(
        "start: 2022-11-10T07:00\nend: 2022-11-10T21:30\nsites:\n"
        + sites
        + "\nteams:\n"
        + teams
        + "\n"
    )


def test_clustered_relaxation_is_still_a_bound(monkeypatch):
    """Merging teams and clustering sites relaxes some limits and keeps others valid (a
    team's time in a cluster is still one day's): the bound it gives still holds for a
    plan, and is close to the exact one."""
    sc = twelve_sites()
    exact = compute_bounds(Instance(sc))
    plan = solve(sc, SolveParams(time_limit=2)).plan
    monkeypatch.setattr(bound, "MAX_LP_CELLS", 10)
    clustered = compute_bounds(Instance(sc))
    assert clustered.clustered and not exact.clustered
    assert clustered.done_minute <= plan.done_minute
    assert clustered.max_sampled >= plan.sampled
    assert abs(clustered.done_minute - exact.done_minute) <= 60


def test_clustered_most_residents_still_bound_an_understaffed_plan(monkeypatch):
    """Ten times the residents: the most residents, each site charged its own trip, are
    below everyone, never below what a plan samples, and clustered never below exact."""
    sc = twelve_sites(scale=10)
    exact = compute_bounds(Instance(sc))
    plan = solve(sc, SolveParams(time_limit=2)).plan
    monkeypatch.setattr(bound, "MAX_LP_CELLS", 10)
    clustered = compute_bounds(Instance(sc))
    assert clustered.clustered and exact.done_minute is None
    assert plan.sampled <= exact.max_sampled < sc.total_residents
    assert clustered.max_sampled >= exact.max_sampled


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


def test_the_most_residents_charge_each_site_its_own_trip():
    """The same pair with 1,000 residents at b: too many for its morning. Charged only its
    shortest trip (none), it could do a's 30 minutes and then 196 at b (its 240 minutes
    less b's 44-minute trip): 60 + 392 = 452 residents. As shares, 30/240 + w/196 <= 1
    leaves w = 171.5 minutes at b: 60 + 343 = 403 (the best plan: 392, a then 166 minutes
    at b or 196 at b alone)."""
    sc = load_scenario_text(TWO_SITES.replace("residents: 120", "residents: 1000"))
    b = compute_bounds(Instance(sc))
    assert b.max_sampled == 403
    assert b.done_minute is None and b.short_by_site == {"b": (1000 - 343, 0)}
    assert max(b.coverage_curve) == b.coverage_curve[-1] == 403
    assert solve(sc, SolveParams(time_limit=2)).plan.sampled <= 403


def test_proven_short_by_a_resident_has_no_done_bound():
    """The same pair with 357 residents at b in a day to 12:07 (247 minutes): as shares,
    30/247 + w/203 <= 1 leaves w = 178.3 minutes at b, 356.7 residents: 416 of 417 in all.
    The earliest-done LP, with half a resident of slack per site, would pass at 12:07; a
    bound that says someone is left says nobody finishes."""
    text = TWO_SITES.replace("T12:00", "T12:07").replace("residents: 120", "residents: 357")
    b = compute_bounds(Instance(load_scenario_text(text)))
    assert (b.max_sampled, b.done_minute, b.short_by_site) == (416, None, {"b": (1, 0)})


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


MORNING_ONLY = """\
scenario: two sealed compounds open in the morning only
start: 2022-11-10T08:00
end: 2022-11-10T14:00
sites:
- {id: a, lat: 40.0, lon: 113.0, residents: 60, sealed: true, open: "08:00-10:00"}
- {id: b, lat: 40.0, lon: 113.0, residents: 60, sealed: true, open: "08:00-10:00"}
- {id: c, lat: 40.0, lon: 113.0, residents: 30, sealed: true}
teams:
- {id: t, people: 2, lat: 40.0, lon: 113.0}
"""


def test_sites_sharing_a_window_share_the_pairs_time_in_it():
    """One pair (no travel: all at one place), home visits at 30 an hour. a and b each need
    120 minutes inside 08:00-10:00, but the pair has 120 minutes there in all: at most 60
    of their 120 residents, and c's 30 later: 90. Without the interval cut each of a and b
    would get the whole morning (150, everyone, and a done_at of 11:00)."""
    b = compute_bounds(Instance(load_scenario_text(MORNING_ONLY)))
    assert b.max_sampled == 90
    assert b.done_minute is None
    assert b.short_by_site and set(b.short_by_site) <= {"a", "b"}


# The example of issue 12: three communities open 07:00-12:00 need 18,600 pair-minutes of
# work there, and the teams there that morning can give at most 16,454: coverage is at most
# 97.35%.
MORNING_WINDOWS = """\
scenario: morning windows example
start: 2022-11-10T07:00
end: 2022-11-10T21:30
sites:
- {id: s0000, lat: 40.18426, lon: 113.37623, residents: 7206, stations: 10, home_visits: 1315, open: '08:00-20:00', priority: 3}
- {id: s0001, lat: 40.17737, lon: 113.40179, residents: 1797, stations: 4, home_visits: 340}
- {id: s0002, lat: 40.19187, lon: 113.46256, residents: 8440, stations: 28, home_visits: 959, open: '07:00-12:00'}
- {id: s0003, lat: 40.16115, lon: 113.43469, residents: 3474, stations: 4, home_visits: 432}
- {id: s0004, lat: 40.16471, lon: 113.42013, residents: 1471, stations: 5, home_visits: 186}
- {id: s0005, lat: 40.18432, lon: 113.4193, residents: 3791, sealed: true, stations: 3}
- {id: s0006, lat: 40.20637, lon: 113.43407, residents: 3323, sealed: true, stations: 2, open: '07:00-12:00'}
- {id: s0007, lat: 40.18793, lon: 113.39463, residents: 8638, stations: 28, home_visits: 1318, open: '07:00-12:00'}
- {id: s0008, lat: 40.21622, lon: 113.41653, residents: 1257, stations: 5, home_visits: 31}
teams:
- {id: t000, people: 43, lat: 40.24633, lon: 113.36515, available: '12:30-21:30'}
- {id: t001, people: 30, lat: 40.17763, lon: 113.37957, available: '07:00-14:00'}
- {id: t002, people: 23, lat: 40.25103, lon: 113.33335}
- {id: t003, people: 29, lat: 40.15435, lon: 113.41015, walk_in_per_hour: 100}
- {id: t004, people: 19, lat: 40.21818, lon: 113.38085, available: '12:30-21:30'}
- {id: t005, people: 18, lat: 40.16288, lon: 113.43313}
- {id: t006, people: 19, lat: 40.21189, lon: 113.39564}
"""  # noqa: E501


def test_morning_windows_example_is_bounded_below_everyone():
    sc = load_scenario_text(MORNING_WINDOWS)
    b = compute_bounds(Instance(sc))
    assert b.done_minute is None
    assert b.max_sampled <= 0.974 * sc.total_residents
