"""Topping up a plan: residents left unsampled are given to pairs with time to spare.

This works on the finished rows, not on the model: for each site with residents left
(higher priority first), it looks for the pair that can sample them soonest, either going
on from where it stopped (within its suit stretch) or after a break (a new stretch), or a
pair not yet used, from its base, and adds its trip and its work. Every rule of CONTRACT.md
is kept: availability, open windows, suit stretches, the work cap, travel from where the
pair last was, and the station cap. It closes the small gaps a dispatcher or a city split
into parts can leave; it cannot find what the staff cannot do.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass
from math import floor

import numpy as np
import pandas as pd

from sampler.geo import great_circle_km, travel_minutes
from sampler.instance import DOOR_TO_DOOR, MODES, WALK_IN
from sampler.roster import BREAK, PAIR_COLUMNS, TRAVEL, _with_breaks, pair_ids
from sampler.scenario import Scenario

NEAREST_PAIRS = 200  # pairs considered for each site's residents left, nearest first


@dataclass
class _State:
    """Where a pair is and what its day has used."""

    team: str
    pair: str
    place: str | None  # site id of its last row; None: at its base
    free_from: int  # minute its last row ends (or its availability starts)
    stretch_start: int | None  # start of its current suit stretch; None: none begun
    used: int  # minutes of work and travel so far
    rows: list[list]


def top_up(scenario: Scenario, rows: pd.DataFrame) -> pd.DataFrame:
    """The plan's rows with residents left unsampled given to pairs with time to spare."""
    left = _left(scenario, rows)
    if not left:
        return rows
    states = _states(scenario, rows)
    walk_in = _walk_in_intervals(rows)
    changed: set[str] = set()
    sites = scenario.site_by_id
    # Where each pair is, to look only at the pairs nearest a site (a city has thousands).
    pool = list(states.values())
    where = np.array([_latlon(scenario, s) for s in pool], dtype=float).reshape(-1, 2)
    order = sorted(left, key=lambda key: (-sites[key[0]].priority, key[0], key[1]))
    for site_id, mode in order:
        site = sites[site_id]
        while left.get((site_id, mode), 0) > 0:
            km = great_circle_km(where[:, 0], where[:, 1], site.lat, site.lon)
            ranked = np.argsort(km, kind="stable")
            best = None
            for size in (NEAREST_PAIRS, 5 * NEAREST_PAIRS, len(pool)):  # nearest first
                nearest = [pool[k] for k in ranked[:size]]
                best = _best_option(scenario, nearest, site_id, mode, left[site_id, mode], walk_in)
                if best is not None or size >= len(pool):
                    break
            if best is None:
                break
            state, depart, arrive, end, samples = best
            _apply(state, site_id, mode, depart, arrive, end, samples)
            where[pool.index(state)] = (site.lat, site.lon)
            if mode == WALK_IN:
                walk_in[site_id].append((arrive[1], end))
            left[site_id, mode] -= samples
            changed.add(state.pair)
    if not changed:
        return rows
    kept = rows[~rows.pair.isin(changed)]
    added = [r for s in states.values() if s.pair in changed for r in _with_breaks(s.rows)]
    return pd.concat([kept, pd.DataFrame(added, columns=PAIR_COLUMNS)], ignore_index=True)


def _left(scenario: Scenario, rows: pd.DataFrame) -> dict[tuple[str, str], int]:
    """Residents left per (site, mode)."""
    done = rows[rows.activity.isin(MODES)].groupby(["site", "activity"]).samples.sum()
    left = {}
    for site in scenario.sites:
        for mode, demand in ((WALK_IN, site.walk_in_demand), (DOOR_TO_DOOR, site.home_demand)):
            short = demand - int(done.get((site.id, mode), 0))
            if short > 0:
                left[site.id, mode] = short
    return left


def _latlon(scenario: Scenario, state: _State) -> tuple[float, float]:
    if state.place is None:
        team = scenario.team_by_id[state.team]
        return team.lat, team.lon
    site = scenario.site_by_id[state.place]
    return site.lat, site.lon


def _states(scenario: Scenario, rows: pd.DataFrame) -> dict[str, _State]:
    """Every pair of every team, used or not, with where its day stands."""
    states: dict[str, _State] = {}
    by_pair = {p: g for p, g in rows.sort_values("start", kind="stable").groupby("pair")}
    for team in scenario.teams:
        rules = scenario.rules(team)
        a0, _ = scenario.available_minutes(team)
        for pair in pair_ids(team.id, team.pairs):
            frame = by_pair.get(pair)
            if frame is None:
                states[pair] = _State(team.id, pair, None, a0, None, 0, [])
                continue
            own = [list(r) for r in frame[PAIR_COLUMNS].itertuples(index=False)]
            busy = [r for r in own if r[2] != BREAK]
            start = busy[-1][4]
            for prev, row in zip(reversed(busy[:-1]), reversed(busy), strict=False):
                if row[4] - prev[5] >= rules.min_break_minutes:
                    break
                start = prev[4]
            states[pair] = _State(
                team.id,
                pair,
                busy[-1][3] or None,
                busy[-1][5],
                start,
                sum(r[5] - r[4] for r in busy),
                [r for r in own if r[2] != BREAK],
            )
    return states


def _walk_in_intervals(rows: pd.DataFrame) -> dict[str, list[tuple[int, int]]]:
    walk = rows[rows.activity == WALK_IN]
    out: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for site, start, end in zip(walk.site, walk.start, walk.end, strict=True):
        out[site].append((int(start), int(end)))
    return out


def _travel(scenario: Scenario, team, origin: str | None, dest: str) -> int:
    sites = scenario.site_by_id
    a = (team.lat, team.lon) if origin is None else (sites[origin].lat, sites[origin].lon)
    km = great_circle_km(a[0], a[1], sites[dest].lat, sites[dest].lon)
    return int(travel_minutes(km, scenario.rules(team).travel_speed_kmh))


def _station_free_until(intervals, start: int, end: int, stations: int) -> int:
    """The latest end <= ``end`` such that one more pair fits the stations on [start, end)."""
    events = sorted(
        [(s, 1) for s, e in intervals if e > start and s < end]
        + [(e, -1) for s, e in intervals if e > start and s < end]
    )
    count = sum(1 for s, e in intervals if s <= start < e)
    if count >= stations:
        return start
    for time, step in events:
        if time <= start:
            continue
        count += step
        if step > 0 and count >= stations:
            return min(end, time)
    return end


def _best_option(scenario, candidates, site_id, mode, wanted, walk_in):
    """(state, depart, arrive, end, samples): the pair that finishes ``wanted`` soonest (or
    samples the most, when none can finish)."""
    site = scenario.site_by_id[site_id]
    opens, closes = scenario.open_minutes(site)
    horizon = scenario.horizon_minutes
    best = None
    for state in candidates:
        team = scenario.team_by_id[state.team]
        if mode == DOOR_TO_DOOR and not team.door_to_door:
            continue
        if state.rows and state.rows[-1][2] == TRAVEL:
            continue  # it is on its way somewhere: leave it be
        rules = scenario.rules(team)
        rate = rules.walk_in_per_hour if mode == WALK_IN else rules.door_to_door_per_hour
        _, until = scenario.available_minutes(team)
        travel = 0 if state.place == site_id else _travel(scenario, team, state.place, site_id)
        options = []  # (leave at, trip minutes, latest end in the suit rules)
        # Idle at the site itself between two rows of its day: no trip at all.
        options += [(a, 0, b) for a, b in _idle_here(state, rules, site_id)]
        if state.stretch_start is not None:  # go on within the current stretch
            options.append((state.free_from, travel, state.stretch_start + rules.max_suit_minutes))
        # or after a real break (or the day's start), a new stretch
        rest = state.free_from + (rules.min_break_minutes if state.rows else 0)
        options.append((rest, travel, rest + rules.max_suit_minutes))
        for depart, trip, latest in options:
            arrive = depart + trip
            begin = max(arrive, opens)
            stop = min(
                latest,
                until,
                closes,
                horizon,
                begin + rules.max_work_minutes - state.used - trip,
            )
            if mode == WALK_IN:
                stop = _station_free_until(walk_in.get(site_id, []), begin, stop, site.stations)
            can = floor(rate * max(0, stop - begin) / 60 + 1e-9)
            samples = min(wanted, can)
            if samples <= 0:
                continue
            minutes = -(-samples * 60 // rate) if rate else 0
            end = min(stop, begin + int(np.ceil(minutes)))
            while floor(rate * (end - begin) / 60 + 1e-9) < samples and end < stop:
                end += 1
            key = (samples < wanted, end if samples >= wanted else -samples, trip, state.pair)
            if best is None or key < best[0]:
                best = (key, (state, depart, begin, end, samples, trip))
    if best is None:
        return None
    state, depart, begin, end, samples, trip = best[1]
    return state, depart, (depart + trip, begin), end, samples


def _idle_here(state: _State, rules, site_id: str) -> list[tuple[int, int]]:
    """Windows in which the pair stands idle at the site between two rows of its day.

    Within a suit stretch the whole pause can be used (the stretch's span does not grow);
    in a break, only what leaves a full break before the next row and keeps the stretch
    it extends within the suit limit.
    """
    out = []
    rows = state.rows
    stretch = rows[0][4] if rows else 0
    for prev, after in itertools.pairwise(rows):
        pause = after[4] - prev[5]
        here = prev[3] == site_id and (after[2] == TRAVEL or after[3] == site_id)
        if here and pause > 0:
            if pause < rules.min_break_minutes:
                out.append((prev[5], after[4]))
            else:
                end = min(after[4] - rules.min_break_minutes, stretch + rules.max_suit_minutes)
                if end > prev[5]:
                    out.append((prev[5], end))
        if pause >= rules.min_break_minutes:
            stretch = after[4]
    return out


def _apply(state: _State, site_id, mode, depart, arrive, end, samples) -> None:
    arrive_at, begin = arrive
    inside = bool(state.rows) and end <= state.rows[-1][4]  # in an idle window of its day
    if arrive_at > depart:
        state.rows.append([state.team, state.pair, TRAVEL, site_id, depart, arrive_at, 0])
    state.rows.append([state.team, state.pair, mode, site_id, begin, end, samples])
    state.used += (arrive_at - depart) + (end - begin)
    if inside:
        state.rows.sort(key=lambda r: r[4])
        return
    if state.stretch_start is None or depart > state.free_from:
        state.stretch_start = depart
    state.place, state.free_from = site_id, end
