"""How many people a family scenario gets: a window-aware capacity test, in pair-hours.

:mod:`benchmarks.generate` staffs a district on one ratio for the whole day (pair-hours
needed over pair-hours the staff can give). That ratio cannot see a community open only
07:00-12:00 while half the staff arrives at 12:30, so the families are staffed on time
windows instead. The day (first opening to last closing) is cut into half-hour buckets;
each site's work must fall inside its ``open`` window, each team's pairs give time from
its arrival (``available`` start plus its trip) to when it leaves or the last site closes.
A fluid schedule exists exactly when, for every run of buckets [i, j], the work of the
sites whose windows lie inside it is no more than what the staff gives in it (Hall's
condition for jobs with windows on a time-varying capacity). The **load** is the largest
such ratio, taken for all work and, separately, for home visits against the teams trained
for them. Teams are added until the load is at most the family's target, and the last
team is then trimmed, pair by pair, to the fewest that keep it there: a busy day, not an
overstaffed one.

It is a relaxation in the other direction from the planner's bound: it ignores stations,
moves between sites and the slot grid, and charges every team its trip to the
resident-weighted centre of the area, so a target load a little under 1 is what makes the
planner's bound say "everyone, but late in the day".
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

BUCKET = 30  # minutes
ROAD_FACTOR = 1.3  # the contract's great-circle to road factor


@dataclass(frozen=True)
class Day:
    """The working day the test looks at, in minutes after midnight."""

    first_open: int
    last_close: int

    @property
    def buckets(self) -> int:
        return math.ceil((self.last_close - self.first_open) / BUCKET)

    def bucket(self, minute: int) -> float:
        """``minute`` as a (fractional) bucket index, clamped to the day."""
        clamped = min(max(minute, self.first_open), self.last_close)
        return (clamped - self.first_open) / BUCKET


def minutes(clock: str) -> int:
    """``"12:30"`` -> 750."""
    hours, mins = clock.split(":")
    return int(hours) * 60 + int(mins)


def window(text: str) -> tuple[int, int]:
    """``"07:00-12:00"`` -> (420, 720)."""
    a, b = text.split("-")
    return minutes(a), minutes(b)


def _spread(day: Day, start: int, end: int, per_minute: float) -> np.ndarray:
    """``per_minute`` over [start, end), as amounts per bucket (partial buckets pro rata)."""
    out = np.zeros(day.buckets)
    a, b = day.bucket(start), day.bucket(end)
    for k in range(int(a), math.ceil(b)):
        overlap = min(b, k + 1) - max(a, k)
        if overlap > 0:
            out[k] += overlap * BUCKET * per_minute
    return out


def team_supply(
    team: dict[str, Any], defaults: dict[str, Any], day: Day, trip_km: float
) -> np.ndarray:
    """Pair-minutes per bucket the team's pairs can give: from arrival at the area to
    leaving (or the last closing), thinned evenly to what the suit rules and the day's
    work limit leave of that span; none if the trip is longer than a suit stretch."""
    rules = {**defaults, **{k: v for k, v in team.items() if k in defaults}}
    trip = trip_km * ROAD_FACTOR / rules["travel_speed_kmh"] * 60
    a, b = window(team["available"])
    start, end = a + trip, min(b, day.last_close)
    span = end - start
    if span <= 0 or trip > min(rules["max_suit_minutes"], rules["max_work_minutes"]):
        return np.zeros(day.buckets)  # (a trip longer than a suit stretch is never made)
    stretches = math.ceil(
        (span + rules["min_break_minutes"])
        / (rules["max_suit_minutes"] + rules["min_break_minutes"])
    )
    breaks = (stretches - 1) * rules["min_break_minutes"]
    usable = min(span - breaks, rules["max_work_minutes"] - trip)
    pairs = team["people"] // 2
    return _spread(day, round(start), round(end), pairs * max(usable, 0.0) / span)


def _interval_demand(day: Day, windows: list[tuple[int, int]], work: list[float]) -> np.ndarray:
    """D[i, j]: work of the sites whose windows lie inside buckets i..j."""
    n = day.buckets
    m = np.zeros((n, n))
    for (a, b), w in zip(windows, work, strict=True):
        i = int(day.bucket(a))
        j = max(i, math.ceil(day.bucket(b)) - 1)
        m[i, j] += w
    # sum over a >= i and b <= j: suffix sums along rows, prefix sums along columns
    return np.cumsum(np.cumsum(m[::-1, :], axis=0)[::-1, :], axis=1)


def _worst_ratio(demand: np.ndarray, supply: np.ndarray) -> float:
    """max over i <= j of demand[i, j] / supply in buckets i..j."""
    prefix = np.concatenate([[0.0], np.cumsum(supply)])
    given = prefix[None, 1:] - prefix[:-1, None]  # given[i, j] = supply in i..j
    upper = np.triu(np.ones_like(demand, dtype=bool))
    worst = 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(upper & (demand > 0), demand / given, 0.0)
    if ratio.size:
        worst = float(np.nanmax(ratio))
    return worst


@dataclass(frozen=True)
class Demand:
    """The sites' work in residents, by window, and the day they span."""

    day: Day
    windows: list[tuple[int, int]]
    walk_in: list[int]
    at_home: list[int]
    centre: tuple[float, float]  # resident-weighted, in the area's km plane

    @classmethod
    def of(cls, sites: list[dict[str, Any]], xy: list[tuple[float, float]]) -> Demand:
        windows = [window(s.get("open", "07:00-21:00")) for s in sites]
        home = [s["residents"] if s.get("sealed") else s.get("home_visits", 0) for s in sites]
        walk = [s["residents"] - h for s, h in zip(sites, home, strict=True)]
        weights = np.array([s["residents"] for s in sites], dtype=float)
        centre = tuple(np.average(np.array(xy), axis=0, weights=weights))
        day = Day(min(a for a, _ in windows), max(b for _, b in windows))
        return cls(day, windows, walk, home, (float(centre[0]), float(centre[1])))


def load(demand: Demand, teams: list[dict[str, Any]], defaults: dict[str, Any],
         trips_km: list[float]) -> float:  # fmt: skip
    """The larger of the two Hall ratios (all work; home visits on trained teams)."""
    day = demand.day
    supplies = [team_supply(t, defaults, day, km) for t, km in zip(teams, trips_km, strict=True)]
    pairs = np.array([t["people"] // 2 for t in teams], dtype=float)
    walk_rate = float(np.average([_rate(t, defaults, "walk_in") for t in teams], weights=pairs))
    trained = [k for k, t in enumerate(teams) if t.get("door_to_door", True)]
    if any(demand.at_home) and not trained:
        return math.inf
    home_rate = (
        float(
            np.average(
                [_rate(teams[k], defaults, "door_to_door") for k in trained], weights=pairs[trained]
            )
        )
        if trained
        else 1.0
    )
    # pair-minutes of work per site, at the staff's pair-weighted average rates
    work = [
        60 * (w / walk_rate + h / home_rate)
        for w, h in zip(demand.walk_in, demand.at_home, strict=True)
    ]
    home_work = [60 * h / home_rate for h in demand.at_home]
    every = _worst_ratio(_interval_demand(day, demand.windows, work), sum(supplies))
    if not any(demand.at_home):
        return every
    trained_supply = sum((supplies[k] for k in trained), np.zeros(day.buckets))
    home = _worst_ratio(_interval_demand(day, demand.windows, home_work), trained_supply)
    return max(every, home)


def _rate(team: dict[str, Any], defaults: dict[str, Any], mode: str) -> float:
    return float(team.get(f"{mode}_per_hour", defaults[f"{mode}_per_hour"]))


def staff(
    demand: Demand,
    defaults: dict[str, Any],
    target: float,
    next_team: Callable[[], tuple[dict[str, Any], float]],
    max_teams: int = 2000,
) -> list[dict[str, Any]]:
    """Teams from ``next_team()`` (a team and its trip in km) until the load is at most
    ``target``; then the last one keeps the fewest pairs (at least two people) that do."""
    teams: list[dict[str, Any]] = []
    trips: list[float] = []
    while len(teams) < max_teams:
        team, km = next_team()
        teams.append(team)
        trips.append(km)
        if load(demand, teams, defaults, trips) <= target:
            break
    last = teams[-1]
    lo, hi = 1, last["people"] // 2  # hi pairs meet the target (or it is the cap)
    while lo < hi:
        mid = (lo + hi) // 2
        last["people"] = 2 * mid
        if load(demand, teams, defaults, trips) <= target:
            hi = mid
        else:
            lo = mid + 1
    last["people"] = 2 * hi
    return teams
