"""The afternoon as a scenario of its own, planned by the ordinary ``solve``.

Its horizon starts at ``at``. Each site holds what the frozen morning and the kept pairs
leave (walk-in and at home apart; a sealed site everything at home), inside its afternoon
hours, with the stations the kept pairs leave free at their busiest. Each team is a group
of re-planned pairs in the same state: the same team, place, start, end of day and limits.
A pair's team stands where the pair stands; its ``max_work_minutes`` is what its day has
left; and its suit: a pair still in the suit stretch it began in the morning either goes on
in it (every afternoon stretch then no longer than what that stretch has left) or first
takes its break (then full stretches), whichever leaves it more work. A scenario cannot say
"the first stretch is shorter", so a pair that went on and whose first afternoon stretch,
joined to the morning one, is too long anyway is planned again with the break first.

Renamed back, the afternoon's pairs are the re-planned pairs, and its minutes the day's.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import pandas as pd

from sampler.budget import SolveParams
from sampler.instance import DOOR_TO_DOOR, WALK_IN
from sampler.plan import BREAK, PAIR_COLUMNS, pair_ids
from sampler.replan.state import PairState
from sampler.replan.whole_day import Effects, clock_of
from sampler.result import Result
from sampler.scenario import RULE_KEYS, Scenario
from sampler.solve import on_grid, solve

GROUP_MINUTES = 10  # re-planned pairs whose limits differ by less are planned as one team


@dataclass(frozen=True)
class Duty:
    """How a re-planned pair may work in the afternoon (minutes of the whole day)."""

    start: int
    end: int
    max_suit: int
    max_work: int
    went_on: bool  # in the morning's suit stretch, without a break first


def duty(sc: Scenario, state: PairState, break_first: bool) -> Duty | None:
    """The pair's afternoon limits; None when nothing useful fits (less than one slot)."""
    rules = sc.rules(sc.team_by_id[state.team])
    suit, pause = rules.max_suit_minutes, rules.min_break_minutes
    work = rules.max_work_minutes - state.used
    options = []
    if state.stretch_start is None:
        options.append(Duty(state.free, state.until, suit, work, False))
    else:
        left = suit - (state.free - state.stretch_start)
        if left >= sc.slot_minutes and not break_first:
            options.append(Duty(state.free, state.until, left, work, True))
        rested = max(state.free, (state.last_end or state.free) + pause)
        options.append(Duty(rested, state.until, suit, work, False))
    fits = [
        d for d in options if d.end - d.start >= sc.slot_minutes and d.max_work >= sc.slot_minutes
    ]
    if not fits:
        return None
    # Going on first: a tie keeps the pair at work (no break the plan did not have).
    return max(fits, key=lambda d: (_capacity(d, pause), d.went_on))


def _capacity(d: Duty, pause: int) -> int:
    """Work minutes that fit: stretches of max_suit, breaks between, up to max_work."""
    t, total = d.start, 0
    while t < d.end and total < d.max_work:
        length = min(d.max_suit, d.end - t, d.max_work - total)
        total += length
        t += length + pause
    return total


def station_window(
    kept: pd.DataFrame | None,
    stations: int,
    hours: tuple[int, int],
    at: int,
    slot: int,
    need: int = 0,
    ready: int | None = None,
) -> tuple[int, int, int]:
    """(stations, from, to): the walk-in stations the kept pairs' walk-in rows leave free
    at a site, and when. A scenario has one count and one window per site, so of the
    counts free over one stretch of the afternoon: the one that holds ``need``
    station-minutes (the walk-in left there) soonest, counted from ``ready`` (when the
    re-planned pairs are free: an extension's pairs only after their kept rows), else the
    one with the most station-minutes (0: none free for a slot)."""
    a, b = max(hours[0], at), hours[1]
    if kept is None or kept.empty:
        return stations, a, b
    cuts = sorted({a, b, *(int(t) for t in kept.start), *(int(t) for t in kept.end)})
    cuts = [t for t in cuts if a <= t <= b]
    spans = []
    for lo, hi in pairwise(cuts):
        busy = int(((kept.start < hi) & (kept.end > lo)).sum())
        spans.append((lo, hi, stations - busy))
    best = (0, a, a)
    first: tuple[int, int, int, int] | None = None  # the earliest to hold the need
    for k in range(1, stations + 1):
        run_start = None
        for lo, _hi, free in [*spans, (b, b, -1)]:
            if free >= k and run_start is None:
                run_start = lo
            elif free < k and run_start is not None:
                start = at + on_grid(run_start - at, slot)  # on the afternoon's grid
                if lo - start >= slot and k * (lo - start) > best[0] * (best[2] - best[1]):
                    best = (k, start, lo)
                if need > 0 and lo - start >= slot:
                    # when the need is met, with k stations from the stretch's start
                    # (or from when the pairs are ready, on the grid)
                    begin = start if ready is None else max(start, at - (at - ready) // slot * slot)
                    met = begin + -(-need // (k * slot)) * slot
                    if met <= lo and (first is None or (met, -k) < (first[3], -first[0])):
                        first = (k, start, lo, met)
                run_start = None
    return first[:3] if first else best


def home_part_suffix(whole: Scenario) -> str:
    """What a site's id gets for the part of it that holds only its home visits (see
    :func:`afternoon_scenario`): no site of the day has an id that ends in it."""
    ids = {s.id for s in whole.sites}
    suffix = "_home"
    while any(i.endswith(suffix) for i in ids):
        suffix = "_" + suffix
    return suffix


def afternoon_scenario(
    whole: Scenario,
    fx: Effects,
    left: dict[str, tuple[int, int]],
    windows: dict[str, tuple[int, int, int]],
    duties: dict[tuple[str, str], tuple[PairState, Duty]],
) -> tuple[Scenario | None, dict[str, tuple[str, list[str]]]]:
    """The afternoon scenario, and for each of its teams the pairs it stands for (in order);
    None when there is nothing to sample or nobody to sample it. ``windows``: per site the
    walk-in stations free for the afternoon and from when to when."""
    at = fx.at
    suffix = home_part_suffix(whole)
    data = whole.model_dump(mode="json", exclude={"sites", "teams"}, exclude_none=True)
    data["start"] = whole.at(at).strftime("%Y-%m-%dT%H:%M")
    data["sites"] = []
    for site in whole.sites:
        walk, home = left.get(site.id, (0, 0))
        if walk + home <= 0:
            continue
        a, b = fx.opens.get(site.id, whole.open_minutes(site))
        a = max(a, at)
        free, wa, wb = windows.get(site.id, (site.stations, a, b))
        entry = {"id": site.id, "name": site.name, "lat": site.lat, "lon": site.lon,
                 "priority": site.priority}  # fmt: skip
        if walk > 0 and free >= 1 and (wa > a or wb < b):
            # Walk-in only while the stations are free; the home visits, which need no
            # station, all afternoon at a part of the site of their own.
            if home > 0 and b - a >= whole.slot_minutes:
                data["sites"].append(
                    {**entry, "id": site.id + suffix, "residents": home, "home_visits": home,
                     "open": f"{clock_of(whole, a)}-{clock_of(whole, b)}"}
                )  # fmt: skip
                home = 0
            a, b = max(a, wa), min(b, wb)
        elif walk > 0 and free < 1:
            walk = 0  # no station free: what is left walk-in waits for a larger ring
        if walk + home <= 0 or b - a < whole.slot_minutes:
            continue
        data["sites"].append(
            {
                **entry,
                "residents": walk + home,
                "home_visits": home,
                "stations": max(1, free),  # (walk-in 0 when none is free)
                "open": f"{clock_of(whole, a)}-{clock_of(whole, b)}",
            }
        )
    groups: dict[tuple, list[str]] = {}
    slot = whole.slot_minutes
    for (team_id, pair), (state, d) in sorted(duties.items()):
        # Pairs in nearly the same state plan as one team: the start up to the afternoon's
        # slot grid (its plan starts on it anyway), the limits down to GROUP_MINUTES.
        start = at + on_grid(d.start - at, slot)
        max_suit = d.max_suit - d.max_suit % GROUP_MINUTES
        max_work = d.max_work - d.max_work % GROUP_MINUTES
        if d.end - start < slot or max_suit < slot or max_work < slot:
            continue
        key = (team_id, state.lat, state.lon, start, d.end, max_suit, max_work)
        groups.setdefault(key, []).append(pair)
    data["teams"] = []
    members: dict[str, tuple[str, list[str]]] = {}
    for n, (key, pairs) in enumerate(sorted(groups.items())):
        team_id, lat, lon, start, end, max_suit, max_work = key
        team = whole.team_by_id[team_id]
        rules = whole.rules(team).model_dump()
        rules.update(max_suit_minutes=max_suit, max_work_minutes=max_work)
        group_id = f"g{n + 1:05d}"
        members[group_id] = (team_id, pairs)
        data["teams"].append(
            {
                "id": group_id,
                "people": 2 * len(pairs),
                "lat": lat,
                "lon": lon,
                "available": f"{clock_of(whole, start)}-{clock_of(whole, end)}",
                "door_to_door": team.door_to_door,
                **{k: rules[k] for k in RULE_KEYS},
            }
        )
    if not data["sites"] or not data["teams"]:
        return None, members
    return Scenario.model_validate(data), members


def plan_afternoon(
    sub: Scenario,
    members: dict[str, tuple[str, list[str]]],
    whole: Scenario,
    at: int,
    params: SolveParams,
) -> tuple[pd.DataFrame, Result]:
    """The afternoon planned, as whole-day pair rows of the re-planned pairs (no breaks)."""
    result = solve(sub, params)
    rows = result.plan.rows
    rows = rows[(rows.activity != BREAK) & (rows.end > rows.start)].copy()
    names: dict[str, str] = {}
    team_of: dict[str, str] = {}
    for group_id, (team_id, pairs) in members.items():
        for local, pair in zip(pair_ids(group_id, len(pairs)), pairs, strict=True):
            names[local] = pair
            team_of[local] = team_id
    suffix = home_part_suffix(whole)
    parts = rows.site.str.endswith(suffix, na=False)
    rows.loc[parts, "site"] = rows.site[parts].str.slice(stop=-len(suffix))
    rows["team"] = rows.pair.map(team_of)
    rows["pair"] = rows.pair.map(names)
    rows["start"] = rows.start + at
    rows["end"] = rows.end + at
    return rows[PAIR_COLUMNS].reset_index(drop=True), result


def stretch_too_long(whole: Scenario, team_id: str, rows: pd.DataFrame) -> bool:
    """Whether one of a pair's suit stretches (its work and travel rows) is too long."""
    rules = whole.rules(whole.team_by_id[team_id])
    busy = rows[rows.activity.isin([WALK_IN, DOOR_TO_DOOR, "travel"])].sort_values("start")
    start = latest = None
    for s, e in zip(busy.start, busy.end, strict=True):
        if latest is None or s - latest >= rules.min_break_minutes:
            start = s
        latest = e if latest is None else max(latest, e)
        if latest - start > rules.max_suit_minutes:
            return True
    return False
