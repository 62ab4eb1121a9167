"""Pairs that do not help are left at home, never at the cost of residents or done_at."""

from __future__ import annotations

import pandas as pd

from sampler import load_scenario_text
from sampler.heuristics import home
from sampler.heuristics.home import leave_home, leave_later, riding_teams
from sampler.plan import PAIR_COLUMNS, Plan

SCENARIO = """\
scenario: a far team for one resident
start: 2022-11-10T08:00
end: 2022-11-10T14:00
sites:
- {id: a, lat: 40.0, lon: 113.0, residents: 61, stations: 2}
teams:
- {id: near, people: 2, lat: 40.0, lon: 113.0}
- {id: far, people: 4, lat: 40.2, lon: 113.0}
"""


def test_riders_stay_home_when_others_take_their_residents_in_time():
    """The near pair samples 60 by 08:30 (120 an hour). Of the far team (22 km, 87
    minutes' drive) one pair only rides and the other rides 87 minutes to sample one
    resident: both stay home, and the near pair takes that resident at once."""
    sc = load_scenario_text(SCENARIO)
    rows = pd.DataFrame(
        [
            ["near", "near-p01", "walk_in", "a", 0, 30, 60],
            ["far", "far-p01", "travel", "a", 0, 87, 0],
            ["far", "far-p02", "travel", "a", 0, 87, 0],
            ["far", "far-p02", "walk_in", "a", 87, 90, 1],
        ],
        columns=PAIR_COLUMNS,
    )
    plan, left = leave_home(Plan(sc, rows))
    assert left == 2
    assert set(plan.rows.pair) == {"near-p01"}
    assert plan.complete and plan.done_minute <= 90


def test_a_rider_the_plan_needs_is_kept():
    """With the near pair busy elsewhere all day, nobody else can take the far pair's
    resident: it keeps its ride."""
    sc = load_scenario_text(SCENARIO.replace("residents: 61", "residents: 1"))
    rows = pd.DataFrame(
        [
            ["far", "far-p01", "travel", "a", 0, 87, 0],
            ["far", "far-p01", "walk_in", "a", 87, 90, 1],
        ],
        columns=PAIR_COLUMNS,
    )
    sc = sc.model_copy(update={"teams": (sc.teams[1],)})
    plan, left = leave_home(Plan(sc, rows))
    assert left == 0 and plan.sampled == 1


def _two_riders() -> Plan:
    """The near pair samples 60 from 08:00 to 08:30 and is free all day; each far pair
    rides 87 minutes to sample one resident at 09:27-09:30."""
    rows = pd.DataFrame(
        [
            ["near", "near-p01", "walk_in", "a", 0, 30, 60],
            ["far", "far-p01", "travel", "a", 0, 87, 0],
            ["far", "far-p01", "walk_in", "a", 87, 90, 1],
            ["far", "far-p02", "travel", "a", 0, 87, 0],
            ["far", "far-p02", "walk_in", "a", 87, 90, 1],
        ],
        columns=PAIR_COLUMNS,
    )
    return Plan(load_scenario_text(SCENARIO.replace("residents: 61", "residents: 62")), rows)


def test_riders_stay_home_one_at_a_time_when_not_all_can(monkeypatch):
    """Where the others cannot take every riding pair's residents at once (here a top-up
    told so), the pairs are tried one at a time: both stay home all the same."""
    real, calls = home.top_up, []

    def one_at_a_time(scenario, rows, *args, **kwargs):
        calls.append(sorted({"far-p01", "far-p02"} - set(rows.pair)))
        return None if len(calls) == 1 else real(scenario, rows, *args, **kwargs)

    monkeypatch.setattr(home, "top_up", one_at_a_time)
    plan, left = leave_home(_two_riders())
    assert plan.sampled == 62 and plan.done_minute <= 90
    assert plan.rows[plan.rows.activity == "travel"].empty
    assert left == 2 and set(plan.rows.pair) == {"near-p01"}
    assert calls == [["far-p01", "far-p02"], ["far-p01"], ["far-p01", "far-p02"]]


def test_above_the_pair_limit_only_teams_riding_in_all_are_tried(monkeypatch):
    """Where top-ups are dear (many pairs), a team is tried only if its people ride
    longer than they sample in all: the far team rides 174 minutes for 6 of sampling and
    stays home; with a third far pair sampling 200 minutes at its base, the team samples
    more than it rides and keeps its riders."""
    monkeypatch.setattr(home, "MOST_PAIRS_TRIED", 0)
    _, left = leave_home(_two_riders())
    assert left == 2
    sc = load_scenario_text(
        SCENARIO.replace("residents: 61", "residents: 62").replace(
            "teams:", "- {id: b, lat: 40.2, lon: 113.0, residents: 200}\nteams:"
        )
    )
    extra = pd.DataFrame([["far", "far-p03", "walk_in", "b", 0, 200, 200]], columns=PAIR_COLUMNS)
    _, left = leave_home(Plan(sc, pd.concat([_two_riders().rows, extra], ignore_index=True)))
    assert left == 0


WAITING = """\
scenario: a community that opens an hour after the team is free
start: 2022-11-10T08:00
end: 2022-11-10T18:00
defaults: {max_suit_minutes: 240, min_break_minutes: 60}
sites:
- {id: a, lat: 40.0, lon: 113.0, residents: 240, open: "09:00-18:00"}
teams:
- {id: t, people: 2, lat: 40.2, lon: 113.0}
"""


def _waiting_plan(work_minutes: int) -> Plan:
    """The pair leaves at 08:00, arrives at 09:27 (87 minutes' drive) and waits on a break
    until its work begins at 09:30."""
    sc = load_scenario_text(WAITING)
    rows = pd.DataFrame(
        [
            ["t", "t-p01", "travel", "a", 0, 87, 0],
            ["t", "t-p01", "break", "", 87, 90, 0],
            ["t", "t-p01", "walk_in", "a", 90, 90 + work_minutes, work_minutes * 2],
        ],
        columns=PAIR_COLUMNS,
    )
    return Plan(sc, rows)


def test_a_pair_that_would_wait_at_a_site_leaves_later():
    plan = leave_later(_waiting_plan(120))
    rows = plan.rows.sort_values("start")
    assert list(rows.activity) == ["travel", "walk_in"]
    assert (rows.iloc[0].start, rows.iloc[0].end) == (3, 90)  # the same 87-minute trip
    assert plan.sampled == 240 and plan.done_minute == 210


def test_a_wait_that_is_a_break_stays_where_the_suit_rule_needs_it():
    """A full break (60 minutes: the pair leaves at 08:00, arrives 09:27, waits to 10:30)
    ends a suit stretch; without it the trip and 240 minutes of work would be 327 minutes
    in one suit (the limit is 240): the trip stays where it was."""
    sc = load_scenario_text(WAITING)
    rows = pd.DataFrame(
        [
            ["t", "t-p01", "travel", "a", 0, 87, 0],
            ["t", "t-p01", "break", "", 87, 150, 0],
            ["t", "t-p01", "walk_in", "a", 150, 390, 240],
        ],
        columns=PAIR_COLUMNS,
    )
    plan = Plan(sc, rows)
    assert leave_later(plan) is plan


def test_a_team_rides_when_its_pairs_travel_more_minutes_than_they_sample():
    rows = pd.DataFrame(
        [
            ["far", "far-p01", "travel", "a", 0, 60, 0],
            ["far", "far-p01", "walk_in", "a", 60, 90, 60],
            ["far", "far-p02", "walk_in", "a", 0, 40, 80],  # (the team's 70 against 60)
            ["near", "near-p01", "travel", "a", 0, 10, 0],
            ["near", "near-p01", "walk_in", "a", 10, 110, 200],
        ],
        columns=PAIR_COLUMNS,
    )
    assert riding_teams(rows) == set()
    assert riding_teams(rows[rows.pair != "far-p02"]) == {"far"}
