"""The planner on tiny scenarios whose optimum is worked out by hand, one rule each.

Every plan is also written and put through the independent checker. Geometry: at these
latitudes 0.1 degree of latitude is 11.13 km (equatorial radius, as the planner counts) or
11.12 km (mean radius, as the checker counts); x 1.3 / 20 km/h x 60 that is a trip of
43.4 minutes, rounded up to 44 by both.
"""

from __future__ import annotations

import pandas as pd
import pytest

from sampler import check_plan, load_scenario_text, solve, write_plan
from sampler.solve import Result, SolveParams, Status

HEAD = """\
scenario: tiny
start: 2022-11-10T08:00
end: {end}
slot_minutes: 30
defaults:
  walk_in_per_hour: {walk}
  door_to_door_per_hour: 30
  max_suit_minutes: {suit}
  min_break_minutes: 60
  max_work_minutes: 780
  travel_speed_kmh: 20
"""


def tiny(sites: str, teams: str, end="2022-11-10T14:00", walk=120, suit=390) -> str:
    return HEAD.format(end=end, walk=walk, suit=suit) + "sites:\n" + sites + "teams:\n" + teams


def plan(text: str, tmp_path) -> tuple[Result, pd.DataFrame]:
    """Solve, write, check; return the result and the written roster."""
    scenario = load_scenario_text(text, "tiny.yaml")
    result = solve(scenario, SolveParams(time_limit=3, seed=0))
    out = write_plan(result, tmp_path / "plan")
    report = check_plan(scenario, out)
    assert report.ok, report.summary()
    roster = pd.read_csv(out / "roster.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    return result, roster


def hhmm(result: Result, minute: int | None) -> str | None:
    return None if minute is None else result.scenario.at(minute).strftime("%H:%M")


def test_a_suit_stretch_forces_a_break(tmp_path):
    """One pair, 178 residents at 60 an hour (30 a slot), suits of at most 2 hours.

    Six slots of work are needed. Without the suit rule the pair is done at 11:00; with it
    it works 08:00-10:00 (120), pauses an hour, and works 11:00-12:00 (58): done 12:00.
    The bound agrees: 178 minutes of work need two stretches and a break, 238 minutes.
    """
    text = tiny(
        "  - {id: a, lat: 40.0, lon: 113.0, residents: 178}\n",
        "  - {id: t, people: 2, lat: 40.0, lon: 113.0}\n",
        walk=60,
        suit=120,
    )
    result, roster = plan(text, tmp_path)
    assert result.status is Status.OPTIMAL
    assert hhmm(result, result.done_minute) == "12:00"
    breaks = roster[roster.activity == "break"]
    assert not breaks.empty
    longest = (pd.to_datetime(breaks.end) - pd.to_datetime(breaks.start)).max()
    assert longest >= pd.Timedelta(minutes=60)


def test_a_move_costs_travel(tmp_path):
    """One pair at site a (60 residents) must then do site b (120) 44 minutes away.

    a takes slot 08:00-08:30; the trip runs 08:30-09:14; b then samples 31 (the first,
    shortened row loses a resident to rounding), 60 and 29: done 10:30. Going to b first
    is later (11:00). The LP bound charges b its trip: 30 minutes at a and 60 at b, each
    a share of the day less the trip there, fit only if 30/tau + 60/(tau - 44) <= 1, so
    tau >= 123 minutes (10:03), 10:30 on the grid: the plan is proven optimal.
    """
    text = tiny(
        "  - {id: a, lat: 40.0, lon: 113.0, residents: 60}\n"
        "  - {id: b, lat: 40.1, lon: 113.0, residents: 120}\n",
        "  - {id: t, people: 2, lat: 40.0, lon: 113.0}\n",
        end="2022-11-10T12:00",
    )
    result, roster = plan(text, tmp_path)
    assert hhmm(result, result.done_minute) == "10:30"
    assert hhmm(result, result.bounds.done_minute) == "10:03"
    assert hhmm(result, result.lower_bound_minute) == "10:30"
    assert result.status is Status.OPTIMAL
    trips = roster[(roster.activity == "travel") & (roster.site == "b")]
    minutes = (pd.to_datetime(trips.end) - pd.to_datetime(trips.start)).dt.total_seconds() / 60
    assert minutes.min() >= 44


def test_station_cap_limits_walk_in(tmp_path):
    """Two pairs, one station, 240 walk-in residents at 60 a slot.

    One pair at a time: four slots, done 10:00 (two pairs at once would be done 09:00).
    The bound: one station-minute per minute at 2 a minute needs 120 minutes.
    """
    text = tiny(
        "  - {id: a, lat: 40.0, lon: 113.0, residents: 240, stations: 1}\n",
        "  - {id: t, people: 4, lat: 40.0, lon: 113.0}\n",
        end="2022-11-10T12:00",
    )
    result, roster = plan(text, tmp_path)
    assert result.status is Status.OPTIMAL
    assert hhmm(result, result.done_minute) == "10:00"
    walk = roster[(roster.activity == "walk_in") & (roster.role == "swab")]
    for _, row in walk.iterrows():
        overlapping = walk[(walk.start < row.end) & (walk.end > row.start)]
        assert overlapping.pair.nunique() == 1


def test_a_sealed_site_is_sampled_only_at_home(tmp_path):
    """A sealed site of 60: door to door at 30 an hour (15 a slot) takes 4 slots: 10:00."""
    text = tiny(
        "  - {id: s, lat: 40.0, lon: 113.0, residents: 60, sealed: true}\n",
        "  - {id: t, people: 2, lat: 40.0, lon: 113.0}\n",
        end="2022-11-10T12:00",
    )
    result, roster = plan(text, tmp_path)
    assert result.status is Status.OPTIMAL
    assert hhmm(result, result.done_minute) == "10:00"
    assert set(roster.activity) - {"travel", "break"} == {"door_to_door"}


def test_a_sealed_site_without_a_trained_team_is_short(tmp_path):
    """Nobody sent may go door to door: nothing can be sampled, and the plan says why."""
    text = tiny(
        "  - {id: s, lat: 40.0, lon: 113.0, residents: 60, sealed: true}\n",
        "  - {id: t, people: 2, lat: 40.0, lon: 113.0, door_to_door: false}\n",
        end="2022-11-10T12:00",
    )
    result, _roster = plan(text, tmp_path)
    assert result.status is Status.PARTIAL
    assert result.plan.sampled == 0
    (short,) = result.shortfalls
    assert short.site == "s" and short.home_short == 60
    assert "door-to-door" in short.reason
    assert short.pair_hours_short == pytest.approx(2.0)


def test_a_late_team_starts_when_available(tmp_path):
    """The team is available from 10:00 only; 120 residents at 60 a slot: done 11:00."""
    text = tiny(
        "  - {id: a, lat: 40.0, lon: 113.0, residents: 120}\n",
        "  - {id: t, people: 2, lat: 40.0, lon: 113.0, available: '10:00-14:00'}\n",
    )
    result, roster = plan(text, tmp_path)
    assert result.status is Status.OPTIMAL
    assert hhmm(result, result.done_minute) == "11:00"
    assert roster.start.min() >= "2022-11-10 10:00"


def test_a_team_pays_its_first_trip(tmp_path):
    """Based 44 minutes away: out at 08:00, there at 08:44, 32 residents in the rest of
    the first slot (31 after the rounding of a shortened row), then 60 a slot: 120
    residents are done at 10:00."""
    text = tiny(
        "  - {id: a, lat: 40.1, lon: 113.0, residents: 120}\n",
        "  - {id: t, people: 2, lat: 40.0, lon: 113.0}\n",
    )
    result, roster = plan(text, tmp_path)
    assert hhmm(result, result.done_minute) == "10:00"
    first = roster.sort_values("start").iloc[0]
    assert first.activity == "travel" and first.start == "2022-11-10 08:00"
    assert first.end >= "2022-11-10 08:44"


def test_priority_is_served_first_when_short(tmp_path):
    """One pair, one slot of work (60), two sites of 60: the priority-2 one gets it."""
    text = tiny(
        "  - {id: low, lat: 40.0, lon: 113.0, residents: 60}\n"
        "  - {id: high, lat: 40.0, lon: 113.0001, residents: 60, priority: 2}\n",
        "  - {id: t, people: 2, lat: 40.0, lon: 113.00005, available: '08:00-08:30'}\n",
    )
    result, _ = plan(text, tmp_path)
    totals = result.plan.site_totals
    assert totals.loc["high", "sampled"] > totals.loc["low", "sampled"]
