"""Bringing a complete plan's end forward by planning its afternoon again
(sampler.heuristics.refill)."""

from __future__ import annotations

import pandas as pd

from sampler import load_scenario_text, solve
from sampler.budget import SolveParams
from sampler.heuristics.refill import around, bring_forward, refill_from, waiting_sites
from sampler.heuristics.topup import pull_in
from sampler.plan import PAIR_COLUMNS, Plan
from tests.heuristics.plans import checked, trip_minutes

# One station at `lane`, ten at `square` 1 km off (a 4-minute trip), two pairs based at
# the square. The plan below works the square all morning (1,200 walk-in), breaks
# 12:00-13:00, then keeps pair 1 at the square 13:00-18:00 (600) and pair 2 there until
# 15:00 (240) before it takes the lane's one station 15:04-19:04 (480): done at 19:04.
# Pulling that end in fails: before 19:04 the lane's station is free only until 15:04,
# when neither pair is free. Planned again from 13:00 with the lane served first, one pair
# takes the lane from 13:04 (done 17:04) and the other the square's 840: 720 by 19:00,
# the last 120 by the lane's pair after it. Done by 19:00.
STATION_BOUND_LANE = """\
scenario: a one-station lane worked last, beside a ten-station square
start: 2022-11-10T07:00
end: 2022-11-10T21:30
sites:
- {id: square, lat: 40.0, lon: 113.0, residents: 2040, stations: 10}
- {id: lane, lat: 40.009, lon: 113.0, residents: 480, stations: 1}
teams:
- {id: t, people: 4, lat: 40.0, lon: 113.0}
"""


def _lane_last(sc) -> pd.DataFrame:
    trip = trip_minutes(sc, "t", "lane", origin="square")
    rows = [
        ["t", "t-p01", "walk_in", "square", 0, 300, 600],
        ["t", "t-p01", "break", "", 300, 360, 0],
        ["t", "t-p01", "walk_in", "square", 360, 660, 600],
        ["t", "t-p02", "walk_in", "square", 0, 300, 600],
        ["t", "t-p02", "break", "", 300, 360, 0],
        ["t", "t-p02", "walk_in", "square", 360, 480, 240],
        ["t", "t-p02", "travel", "lane", 480, 480 + trip, 0],
        ["t", "t-p02", "walk_in", "lane", 480 + trip, 720 + trip, 480],
    ]
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)


def test_a_station_bound_end_is_brought_forward_where_pulling_it_in_fails(tmp_path):
    sc = load_scenario_text(STATION_BOUND_LANE)
    result = solve(sc, SolveParams(time_limit=1, seed=0))
    plan = checked(result, _lane_last(sc), tmp_path / "before")
    assert plan.complete and plan.done_minute == 724
    assert pull_in(sc, plan.rows, 720) is None
    assert waiting_sites(sc, plan.rows[plan.rows.end <= 360], 360, 720) == {"lane"}
    better, gained = bring_forward(plan, 0, budget=4)
    assert gained >= 1 and better.done_minute is not None and better.done_minute <= 720
    assert better.site_totals.sampled.sum() == 2520
    checked(result, better.rows, tmp_path / "after")


def test_bring_forward_stops_at_the_bound_and_within_its_budget():
    sc = load_scenario_text(STATION_BOUND_LANE)
    plan = Plan(sc, _lane_last(sc))
    assert bring_forward(plan, 721, budget=4) == (plan, 0)  # (19:00 is below the bound)
    assert bring_forward(plan, 0, budget=1) == (plan, 0)


def test_refill_leaves_the_morning_as_it_was():
    sc = load_scenario_text(STATION_BOUND_LANE)
    rows = refill_from(sc, _lane_last(sc), 360, 720, frozenset({"t-p01", "t-p02"}))
    assert rows is not None
    morning = rows[rows.end <= 360].sort_values(["pair", "start"]).reset_index(drop=True)
    before = _lane_last(sc)
    before = before[before.end <= 360].sort_values(["pair", "start"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(morning, before, check_dtype=False)
    assert rows.end.max() <= 720


def test_the_region_around_a_late_site_is_it_and_its_nearest():
    """Eight sites 1 km apart on a line: around the second, the six nearest (itself, the
    first, and the third to the sixth; ties by the sites' order)."""
    sites = "\n".join(
        f"- {{id: s{k}, lat: {40 + 0.009 * k:.3f}, lon: 113.0, residents: 10}}" for k in range(8)
    )
    sc = load_scenario_text(
        "scenario: a line\nstart: 2022-11-10T07:00\nend: 2022-11-10T21:30\n"
        f"sites:\n{sites}\nteams:\n- {{id: t, people: 2, lat: 40.0, lon: 113.0}}\n"
    )
    assert around(sc, {"s1"}) == {"s0", "s1", "s2", "s3", "s4", "s5"}
    assert around(sc, {"s1", "s7"}) == {"s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7"}
    assert around(sc, set()) == set()
