"""Why a community falls behind (sampler/campaign_why.py): the day's reason, or rest."""

from __future__ import annotations

from sampler.campaign_why import day_cause

STAFF = "staff: the teams' pair-hours within reach of this site run out in the horizon"


def test_a_short_staffed_day_with_teams_resting_is_rest() -> None:
    cause, why = day_cause(STAFF, ["t1 resting (worked 6 days in a row)"])
    assert cause == "rest"
    assert why.startswith(STAFF) and "held back by rest: t1 resting" in why


def test_without_anyone_held_back_the_days_reason_stands() -> None:
    assert day_cause(STAFF, []) == ("staff", STAFF)


def test_stations_stay_stations_whoever_rests() -> None:
    reason = "stations: 3 stations over 10 open hours take at most 3600 residents"
    assert day_cause(reason, ["t1 resting (why)"]) == ("stations", reason)


def test_no_team_at_all_with_every_team_resting_is_rest() -> None:
    assert day_cause("no team is sent", ["t1 resting (x)"])[0] == "rest"
    assert day_cause("no team is sent", [])[0] == "no_team"


def test_an_unknown_reason_is_the_planners() -> None:
    assert day_cause("not finished", [])[0] == "planner"
