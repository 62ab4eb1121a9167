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
from sampler.solve import solve

MOST_LAYERS = 4  # extra one-station sites per site at most (the longest stretches)
LAYER_SLOTS = 2  # and each at least this many slots long
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


def station_layers(
    kept: pd.DataFrame | None, stations: int, hours: tuple[int, int], at: int, slot: int
) -> tuple[int, list[tuple[int, int]]]:
    """(stations free all afternoon, one-station windows): the walk-in stations the kept
    pairs' walk-in rows leave free at a site, as the count free throughout and, above it,
    layer by layer, the stretches one more station is free (on the afternoon's slot grid).
    Each becomes a site of the afternoon scenario of its own, so that together they never
    hold more pairs than are free at any moment."""
    a, b = max(hours[0], at), hours[1]
    if kept is None or kept.empty:
        return stations, []
    cuts = sorted({a, b, *(int(t) for t in kept.start), *(int(t) for t in kept.end)})
    cuts = [t for t in cuts if a <= t <= b]
    spans = []
    for lo, hi in pairwise(cuts):
        busy = int(((kept.start < hi) & (kept.end > lo)).sum())
        spans.append((lo, hi, stations - busy))
    always = max(0, min((free for _, _, free in spans), default=stations))
    runs: list[tuple[int, int]] = []
    for k in range(always + 1, stations + 1):
        run_start = None
        for lo, _hi, free in [*spans, (b, b, -1)]:
            if free >= k and run_start is None:
                run_start = lo
            elif free < k and run_start is not None:
                start = at + -(-(run_start - at) // slot) * slot
                end = at + (lo - at) // slot * slot
                if end - start >= LAYER_SLOTS * slot:
                    runs.append((start, end))
                run_start = None
    runs.sort(key=lambda r: (r[0] - r[1], r[0]))
    return always, sorted(runs[:MOST_LAYERS])


def afternoon_scenario(
    whole: Scenario,
    fx: Effects,
    left: dict[str, tuple[int, int]],
    layers: dict[str, tuple[int, list[tuple[int, int]]]],
    duties: dict[tuple[str, str], tuple[PairState, Duty]],
) -> tuple[Scenario | None, dict[str, tuple[str, list[str]]], dict[str, str]]:
    """The afternoon scenario, for each of its teams the pairs it stands for (in order),
    and the site each of its extra sites stands for; None when there is nothing to sample
    or nobody to sample it. ``layers``: per site, :func:`station_layers` (a site's
    walk-in residents are shared among its layers by station-minutes)."""
    at = fx.at
    data = whole.model_dump(mode="json", exclude={"sites", "teams"}, exclude_none=True)
    data["start"] = whole.at(at).strftime("%Y-%m-%dT%H:%M")
    data["sites"] = []
    aliases: dict[str, str] = {}
    for site in whole.sites:
        walk, home = left.get(site.id, (0, 0))
        if walk + home <= 0:
            continue
        a, b = fx.opens.get(site.id, whole.open_minutes(site))
        a = max(a, at)
        if b - a < whole.slot_minutes:
            continue
        always, runs = layers.get(site.id, (site.stations, []))
        parts = [(site.id, max(1, always), a, b, always * (b - a))]
        for n, (ra, rb) in enumerate(runs):
            ra, rb = max(ra, a), min(rb, b)
            if rb - ra >= whole.slot_minutes:
                parts.append((f"{site.id}__{n + 1}", 1, ra, rb, rb - ra))
        weight = sum(p[4] for p in parts)
        shares = [walk * p[4] // weight if weight else 0 for p in parts]
        if weight:  # what rounding leaves goes to the layer with the most room
            shares[max(range(len(parts)), key=lambda i: parts[i][4])] += walk - sum(shares)
        for (ident, stations, pa, pb, _), share in zip(parts, shares, strict=True):
            mine = home if ident == site.id else 0
            if share + mine <= 0:
                continue
            if ident != site.id:
                aliases[ident] = site.id
            data["sites"].append(
                {
                    "id": ident,
                    "name": site.name,
                    "lat": site.lat,
                    "lon": site.lon,
                    "residents": share + mine,
                    "home_visits": mine,
                    "stations": stations,
                    "open": f"{clock_of(whole, pa)}-{clock_of(whole, pb)}",
                    "priority": site.priority,
                }
            )
    groups: dict[tuple, list[str]] = {}
    slot = whole.slot_minutes
    for (team_id, pair), (state, d) in sorted(duties.items()):
        # Pairs in nearly the same state plan as one team: the start up to the afternoon's
        # slot grid (its plan starts on it anyway), the limits down to GROUP_MINUTES.
        start = at + -(-(d.start - at) // slot) * slot
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
        return None, members, aliases
    return Scenario.model_validate(data), members, aliases


def plan_afternoon(
    sub: Scenario,
    members: dict[str, tuple[str, list[str]]],
    whole: Scenario,
    at: int,
    params: SolveParams,
    aliases: dict[str, str] | None = None,
) -> tuple[pd.DataFrame, Result]:
    """The afternoon planned, as whole-day pair rows of the re-planned pairs (no breaks),
    its extra sites (``aliases``) named as the sites they stand for."""
    result = solve(sub, params)
    rows = result.plan.rows
    rows = rows[(rows.activity != BREAK) & (rows.end > rows.start)].copy()
    names: dict[str, str] = {}
    team_of: dict[str, str] = {}
    for group_id, (team_id, pairs) in members.items():
        for local, pair in zip(pair_ids(group_id, len(pairs)), pairs, strict=True):
            names[local] = pair
            team_of[local] = team_id
    if aliases:
        rows["site"] = rows.site.replace(aliases)
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
