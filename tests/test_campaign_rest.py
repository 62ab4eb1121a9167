"""Staggered rest days (sampler/campaign_rest.py) on hand-sized loads, without solving."""

from __future__ import annotations

from sampler.campaign_rest import Run, early_rests, forced_days


def always(_team: str, _day: int) -> bool:
    return True


def test_forced_days_repeat_after_each_rest() -> None:
    # Worked 4 of at most 6 days: works days 10 and 11, rests 12, works 13-18, rests 19.
    assert forced_days(10, Run(4, 6, 10.0), 20) == [12, 19]
    assert forced_days(10, Run(4, 6, 10.0), 11) == []


def test_two_teams_due_to_rest_together_split_onto_a_light_day() -> None:
    # a and b (10 pair-hours a day each) both worked 1 day of at most 2: both would rest
    # on day 3, a heavy day (15 pair-hours). Today (day 2) needs 4: a rests today (the
    # smaller id, same hours), b covers it (40% of its hours), and on day 3 a covers the
    # day while b rests. b does not rest today as well: nobody would be left.
    runs = {"a": Run(1, 2, 10.0), "b": Run(1, 2, 10.0)}
    demand = {2: 4.0, 3: 15.0}
    early = early_rests(2, 4, runs, lambda d: demand.get(d, 0.0), always)
    assert list(early) == ["a"]
    assert early["a"].endswith(
        "today's work is 40% of the other teams' hours, day 3's would be no team left"
    )


def test_no_early_rest_when_a_later_day_is_lighter() -> None:
    # Day 3 is empty: the rest is better taken then, when it is forced anyway.
    runs = {"a": Run(1, 2, 10.0), "b": Run(1, 2, 10.0)}
    demand = {2: 4.0, 3: 0.0}
    assert early_rests(2, 4, runs, lambda d: demand.get(d, 0.0), always) == {}


def test_no_early_rest_when_the_others_could_not_cover_today() -> None:
    # Today needs 9 of b's 10 pair-hours: more than 75%, so a works even though day 3 is
    # heavier.
    runs = {"a": Run(1, 2, 10.0), "b": Run(1, 2, 10.0)}
    demand = {2: 9.0, 3: 30.0}
    assert early_rests(2, 4, runs, lambda d: demand.get(d, 0.0), always) == {}


def test_no_early_rest_for_a_team_that_need_not_rest_before_the_end() -> None:
    runs = {"a": Run(1, 6, 10.0), "b": Run(1, 6, 10.0)}
    assert early_rests(2, 4, runs, lambda d: 1.0 if d == 2 else 50.0, always) == {}
