"""Staggered rest days: which working teams take their rest day early.

A team that works ``max_consecutive_days`` days in a row must rest the next day. Teams that
start together would all rest together, on whatever day that falls, and a heavy day with
half the staff resting misses rounds (the Taiyuan-style campaign lost its 46th round so).
Each morning, before the day is planned, a team that will have to rest before the campaign
ends may rest today instead, when today needs it least: the day's pair-hours due, shared
among the teams still working, are a smaller share of their hours than on any later day
up to the one the team would be made to rest (counting the other teams made to rest on
those days). A rest day taken early resets the team's run, so it is only taken when it
helps; and never when the teams left could not cover today at all.

Rest is decided per team, as availability is a team's in a scenario: person ids are
numbered within a team's day, so resting some of a team's people is not expressible
without renaming rows.

The loads are estimates (pair-hours at each team's rates, hours at 80% of a team's day for
travel and breaks): they only choose the day, the plan of each day is still solved whole.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sampler.scenario import Scenario, Team

USABLE = 0.8  # a team's day less travel and breaks, for estimates only
AFFORDABLE = 0.75  # rest early only if the others' hours cover today this comfortably


def team_pair_hours(scenario: Scenario, team: Team) -> float:
    """What a team can sample in a day, in pair-hours (an estimate)."""
    lo, hi = scenario.available_minutes(team)
    minutes = min(hi - lo, scenario.rules(team).max_work_minutes)
    return team.pairs * minutes * USABLE / 60


def pair_hours(scenario: Scenario, walk_in: int, home: int) -> float:
    """Pair-hours to sample ``walk_in`` and ``home`` residents at the default rates."""
    rules = scenario.defaults
    return walk_in / rules.walk_in_per_hour + home / rules.door_to_door_per_hour


@dataclass(frozen=True)
class Run:
    """A working team's run: days worked in a row up to yesterday, and its limit."""

    streak: int
    most: int
    hours: float  # pair-hours a day (team_pair_hours)


def forced_days(day: int, run: Run, last: int) -> list[int]:
    """The days from ``day`` to ``last`` on which a team working every day it may is made
    to rest."""
    out, at = [], day + run.most - run.streak
    while at <= last:
        out.append(at)
        at += run.most + 1
    return out


def early_rests(
    day: int,
    last: int,
    runs: Mapping[str, Run],
    demand: Callable[[int], float],
    present: Callable[[str, int], bool],
) -> dict[str, str]:
    """The teams (of ``runs``: working today, with a limit on days in a row) that rest
    today instead of later, each with why. ``demand(d)``: pair-hours due on day ``d``
    (today's exact, later days' from the rounds that start then); ``present(team, d)``."""
    resting: dict[str, str] = {}
    forced = {t: forced_days(day, r, last) for t, r in runs.items()}

    def hours_on(when: int, without: str) -> float:
        return sum(
            r.hours for t, r in runs.items()
            if t != without and present(t, when) and when not in forced[t]
            and (when != day or t not in resting)
        )  # fmt: skip

    def share(when: int, hours: float) -> float:
        need = demand(when)
        return 0.0 if need <= 0 else (math.inf if hours <= 0 else need / hours)

    order = sorted(
        (t for t, r in runs.items() if r.streak >= 1 and forced[t]),
        key=lambda t: (forced[t][0], runs[t].hours, t),
    )
    for team in order:
        until = forced[team][0]
        today = share(day, hours_on(day, team))
        if today > AFFORDABLE:
            continue
        # On the days up to ``until`` the team is off either way (resting then instead).
        later = min((share(when, hours_on(when, team)), when) for when in range(day + 1, until + 1))
        if today < later[0]:
            would = "no team left" if math.isinf(later[0]) else f"{later[0]:.0%}"
            resting[team] = (
                f"rest day staggered: today's work is {today:.0%} of the other teams' hours, "
                f"day {later[1]}'s would be {would}"
            )
            r = runs[team]
            forced[team] = forced_days(day + 1, Run(0, r.most, r.hours), last)
    return resting
