"""Cheap work is traded for dearer residents left, only when the plan gets better."""

from __future__ import annotations

import pandas as pd

from sampler import load_scenario_text, solve
from sampler.budget import SolveParams
from sampler.heuristics.topup import top_up
from sampler.heuristics.trade import trade_cheap_work
from sampler.lns import score
from sampler.plan import PAIR_COLUMNS, Plan

from .plans import checked

# One station of walk-in (priority 1) and a sealed priority-2 site, both where the team is
# (no trips). A pair's minute is worth 2 there at walk-in (120 an hour) and 1 here at home
# (30 an hour, priority 2).
SCENARIO = """\
scenario: home visits worth less than the walk-in left
start: 2022-11-10T08:00
end: 2022-11-10T12:00
sites:
- {id: walk, lat: 40.0, lon: 113.0, residents: 480, stations: 1}
- {id: sealed, lat: 40.0, lon: 113.0, residents: 500, sealed: true, stations: 1, priority: 2}
teams:
- {id: t, people: 4, lat: 40.0, lon: 113.0}
"""


def _cheap_plan() -> Plan:
    """p01 does walk-in 08:00-10:00 (240 residents) and stops; p02 visits homes at the
    sealed site all morning (120 residents, worth 240). Left: 240 walk-in residents."""
    rows = pd.DataFrame(
        [
            ["t", "t-p01", "walk_in", "walk", 0, 120, 240],
            ["t", "t-p02", "door_to_door", "sealed", 0, 240, 120],
        ],
        columns=PAIR_COLUMNS,
    )
    return Plan(load_scenario_text(SCENARIO), rows)


def test_home_visits_are_traded_for_the_walk_in_left(tmp_path):
    """The optimum: one pair at the station all morning (480, worth 480), the other at the
    sealed site all morning (120, worth 240): 720 in all against 480. The trade frees
    p02 and gives the walk-in left out first: every walk-in resident is sampled and the
    plan passes the checker."""
    before = _cheap_plan()
    after, tried, kept = trade_cheap_work(before, tries=5)
    assert tried >= 1 and kept >= 1
    assert score(after)[0] == 720 > score(before)[0] == 480
    assert after.site_totals.loc["walk", "sampled"] == 480
    result = solve(after.scenario, SolveParams(time_limit=1))
    checked(result, after.rows, tmp_path / "plan")


def test_nothing_is_traded_without_dearer_residents_left():
    """With the sealed site priority 4 its home visits are worth 2 a minute, as much as
    the walk-in left: no pair is worth trying, and the plan is as it was."""
    sc = load_scenario_text(SCENARIO.replace("priority: 2", "priority: 4"))
    plan = Plan(sc, _cheap_plan().rows)
    after, tried, kept = trade_cheap_work(plan, tries=5)
    assert (tried, kept) == (0, 0)
    assert after is plan


def test_no_tries_no_trade():
    before = _cheap_plan()
    after, tried, _ = trade_cheap_work(before, tries=0)
    assert tried == 0 and after is before


def test_top_up_by_value_gives_the_walk_in_first():
    """Topped up from the plan without p02: by priority, p02 goes back to the sealed
    site's home visits (priority 2 first) and walk-in residents are left; by value, the
    walk-in (worth 2 a minute against 1) is served first: all 480 sampled."""
    sc = load_scenario_text(SCENARIO)
    rows = _cheap_plan().rows
    rows = rows[rows.pair != "t-p02"]
    by_priority = top_up(sc, rows)
    by_value = top_up(sc, rows, by_value=True)
    p02 = by_priority[(by_priority.pair == "t-p02") & (by_priority.samples > 0)]
    assert set(p02.site) == {"sealed"}
    assert by_value[by_value.activity == "walk_in"].samples.sum() == 480
    assert by_priority[by_priority.activity == "walk_in"].samples.sum() < 480


def test_a_trade_that_makes_the_plan_worse_is_not_kept(monkeypatch):
    """Told that p02's day re-planned samples nobody (a top-up that loses it), the trade
    is tried and not kept: the plan is the one it was given."""
    from sampler.heuristics import trade

    monkeypatch.setattr(trade, "top_up", lambda scenario, rows, **kwargs: rows)
    before = _cheap_plan()
    after, tried, kept = trade.trade_cheap_work(before, tries=5)
    assert tried >= 1 and kept == 0
    assert after is before


def test_the_cheapest_work_is_tried_first(monkeypatch):
    """Two pairs at the sealed site, one sampling 120 in the morning and one 60 (worth
    0.5 a minute): the one sampling less is tried first."""
    from sampler.heuristics import trade

    rows = pd.DataFrame(
        [
            ["t", "t-p01", "door_to_door", "sealed", 0, 240, 120],
            ["t", "t-p02", "door_to_door", "sealed", 0, 240, 60],
        ],
        columns=PAIR_COLUMNS,
    )
    plan = Plan(load_scenario_text(SCENARIO), rows)
    freed = []
    monkeypatch.setattr(
        trade,
        "top_up",
        lambda scenario, rest, **kwargs: freed.append(set(rows.pair) - set(rest.pair)) or rest,
    )
    trade.trade_cheap_work(plan, tries=2)
    assert freed == [{"t-p02"}, {"t-p01"}]
