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
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sampler.geo import great_circle_km, travel_minutes
from sampler.instance import DOOR_TO_DOOR, MODES, WALK_IN, samples_in
from sampler.plan import BREAK, PAIR_COLUMNS, TRAVEL, Row, pair_ids, with_breaks
from sampler.scenario import Scenario

NEAREST_PAIRS = 200  # pairs considered for each site's residents left, nearest first
DETOUR_ROUNDS = 3  # rounds of detours (each leaves work elsewhere) a deadline may take


@dataclass
class _State:
    """Where a pair is and what its day has used."""

    team: str
    pair: str
    place: str | None  # site id of its last row; None: at its base
    free_from: int  # minute its last row ends (or its availability starts)
    stretch_start: int | None  # start of its current suit stretch; None: none begun
    used: int  # minutes of work and travel so far
    rows: list[Row]
    until: int  # end of the team's availability
    visited: set[str] = field(default_factory=set)  # sites in its rows


def top_up(
    scenario: Scenario,
    rows: pd.DataFrame,
    deadline: int | None = None,
    all_or_nothing: bool = False,
) -> pd.DataFrame | None:
    """The plan's rows with residents left unsampled given to pairs with time to spare
    (all work ending by ``deadline`` minutes, when given). With ``all_or_nothing``, None
    unless every resident left finds a pair.

    Walk-in residents that find no free station in time are then taken by home-visit rows
    beside a free station (:func:`_swap_modes`), if that leaves fewer residents unsampled,
    and given to pairs on their first trip of the day (:func:`_detours`), for as long as
    that leaves fewer (at most ``DETOUR_ROUNDS`` rounds: each leaves work elsewhere)."""
    out, left = _top_up(scenario, rows, deadline)
    if any(mode == WALK_IN for _, mode in left):
        swapped, after = _top_up(scenario, out, deadline, swap=True)
        if sum(after.values()) < sum(left.values()):
            out, left = swapped, after
    last = scenario.horizon_minutes if deadline is None else deadline
    for _ in range(DETOUR_ROUNDS):
        walk_in_left = [mode == WALK_IN for _, mode in left]
        if not any(walk_in_left) or (all_or_nothing and not all(walk_in_left)):
            break  # (home visits left need no station: detours do not help them)
        detoured = _detours(scenario, out, dict(left), last)
        detoured, after = _top_up(scenario, detoured, deadline, swap=True)
        if not all_or_nothing and sum(after.values()) >= sum(left.values()):
            break
        out, left = detoured, after
    return None if all_or_nothing and left else out


def _top_up(
    scenario: Scenario, rows: pd.DataFrame, deadline: int | None, swap: bool = False
) -> tuple[pd.DataFrame, dict[tuple[str, str], int]]:
    """One pass of :func:`top_up`: site by site, the residents left to the pairs that can
    sample them soonest (after :func:`_swap_modes`, with ``swap``); and the residents
    still left."""
    left = _left(scenario, rows)
    if not left:
        return rows, left
    if swap:
        rows = _swap_modes(scenario, rows, left)
    states = _states(scenario, rows)
    walk_in = _walk_in_intervals(rows)
    changed: set[str] = set()
    sites = scenario.site_by_id
    # Where each pair is, to look only at the pairs nearest a site (a city has thousands).
    pool = list(states.values())
    where = np.array([_latlon(scenario, s) for s in pool], dtype=float).reshape(-1, 2)
    position = {s.pair: k for k, s in enumerate(pool)}
    speed = np.array([scenario.rules(scenario.team_by_id[s.team]).travel_speed_kmh for s in pool])
    # When each pair is free, and which pairs have been at each site (they may have idle
    # time there): a pair that is neither free nor there in time is passed over unseen.
    free_from = np.array([s.free_from for s in pool], dtype=np.int64)
    visitors: dict[str, set[int]] = defaultdict(set)
    for k, s in enumerate(pool):
        for visited in s.visited:
            visitors[visited].add(k)
    # Higher priority first; then the most left, where a deadline is likeliest to fail.
    order = sorted(left, key=lambda key: (-sites[key[0]].priority, -left[key], key))
    for site_id, mode in order:
        site = sites[site_id]
        opens, closes = scenario.open_minutes(site)
        last = min(closes, scenario.horizon_minutes if deadline is None else deadline)
        while left.get((site_id, mode), 0) > 0:
            free = _Stations(walk_in.get(site_id, []), site.stations)
            latest = free.last_free(opens, last) if mode == WALK_IN else last - 1
            if latest is None:
                break  # every station is taken until the site closes
            km = great_circle_km(where[:, 0], where[:, 1], site.lat, site.lon)
            best = None
            # The nearest pairs first, then rings further out while none of them can help.
            trips = travel_minutes(km, speed)
            in_time = free_from + trips <= latest
            here = visitors[site_id]
            for ring in _rings(km, (NEAREST_PAIRS, 5 * NEAREST_PAIRS)):
                ring = [k for k in ring.tolist() if in_time[k] or k in here]
                ring_pairs = zip([pool[k] for k in ring], trips[ring].tolist(), strict=True)
                best = _best_option(
                    scenario, ring_pairs, site_id, mode, left[site_id, mode], free, deadline
                )
                if best is not None:
                    break
            if best is None:
                break
            state, depart, arrive, end, samples = best
            _apply(state, site_id, mode, depart, arrive, end, samples)
            k = position[state.pair]
            where[k] = _latlon(scenario, state)  # (its day's last place)
            free_from[k] = state.free_from
            visitors[site_id].add(k)
            if mode == WALK_IN:
                walk_in[site_id].append((arrive[1], end))
            left[site_id, mode] -= samples
            changed.add(state.pair)
    left = {key: n for key, n in left.items() if n > 0}
    if not changed:
        return rows, left
    kept = rows[~rows.pair.isin(changed)]
    added = [r for s in states.values() if s.pair in changed for r in with_breaks(s.rows)]
    return pd.concat([kept, pd.DataFrame(added, columns=PAIR_COLUMNS)], ignore_index=True), left


def _swap_modes(
    scenario: Scenario, rows: pd.DataFrame, left: dict[tuple[str, str], int]
) -> pd.DataFrame:
    """Walk-in residents left at a site taken by its own home-visit pairs, where a station
    is free while they work there: that piece of their row becomes walk-in, and the home
    visits it held are left instead (``left`` is updated), which any pair can take up
    later without a station. A piece changes only if it samples more than it gives up."""
    short = sorted(((-n, site) for (site, mode), n in left.items() if mode == WALK_IN and n > 0))
    if not short:
        return rows
    sites = {site for _, site in short}
    door = rows[(rows.activity == DOOR_TO_DOOR) & rows.site.isin(sites)]
    if door.empty:
        return rows
    walk_in = _walk_in_intervals(rows)
    by_site: dict[str, list] = defaultdict(list)
    for index, row in zip(door.index, _rows_of(door), strict=True):
        by_site[row.site].append((row.start, row.pair, index, row))
    dropped: list[int] = []
    added: list[Row] = []
    for _, site_id in short:
        site = scenario.site_by_id[site_id]
        for _, _, index, (team, pair, _, _, a, b, held) in sorted(by_site.get(site_id, [])):
            wanted = left[site_id, WALK_IN]
            if wanted <= 0:
                break
            window = _Stations(walk_in.get(site_id, []), site.stations).first_free(a, b)
            if window is None:
                continue
            rules = scenario.rules(scenario.team_by_id[team])
            walk_rate, door_rate = rules.rate(WALK_IN), rules.rate(DOOR_TO_DOOR)
            t, e = window
            samples = min(wanted, samples_in(walk_rate, e - t))
            e = t + _minutes_for(samples, walk_rate, e - t)
            before = min(held, samples_in(door_rate, t - a))
            after = min(held - before, samples_in(door_rate, b - e))
            given_up = held - before - after
            if samples <= given_up:
                continue
            dropped.append(index)
            pieces = [(DOOR_TO_DOOR, a, t, before), (WALK_IN, t, e, samples),
                      (DOOR_TO_DOOR, e, b, after)]  # fmt: skip
            for mode, start, end, n in pieces:
                if n > 0:
                    added.append(Row(team, pair, mode, site_id, start, end, n))
            walk_in[site_id].append((t, e))
            left[site_id, WALK_IN] -= samples
            left[site_id, DOOR_TO_DOOR] = left.get((site_id, DOOR_TO_DOOR), 0) + given_up
    if not dropped:
        return rows
    for key in [k for k, n in left.items() if n <= 0]:
        del left[key]
    return _replace(rows, dropped, added)


def _minutes_for(samples: int, rate: float, most: int) -> int:
    """The fewest whole minutes (at most ``most``) in which ``samples`` fit at ``rate``."""
    minutes = min(most, int(np.ceil(samples * 60 / rate - 1e-9)))
    while samples_in(rate, minutes) < samples and minutes < most:
        minutes += 1
    return minutes


def _rings(km: np.ndarray, sizes: tuple[int, ...]):
    """Indices by distance (ties by index), in rings: the nearest ``sizes[0]``, then out to
    ``sizes[1]``, ..., then the rest (sorted only if it comes to that)."""
    order = np.arange(len(km))
    if sizes and sizes[-1] < len(km):
        head = np.argpartition(km, sizes[-1])[: sizes[-1]]
        head = head[np.lexsort((head, km[head]))]
    else:
        head = np.lexsort((order, km))
    done = 0
    for size in sizes:
        if done < len(head):
            yield head[done:size]
        done = size
    if done < len(km):
        yield np.lexsort((order, km))[done:]


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
    ordered = rows[PAIR_COLUMNS].sort_values(["pair", "start"], kind="stable")
    by_pair = {
        pair: list(own) for pair, own in itertools.groupby(_rows_of(ordered), lambda r: r.pair)
    }
    for team in scenario.teams:
        rules = scenario.rules(team)
        a0, a1 = scenario.available_minutes(team)
        for pair in pair_ids(team.id, team.pairs):
            own = by_pair.get(pair)
            if own is None:
                states[pair] = _State(team.id, pair, None, a0, None, 0, [], a1)
                continue
            busy = [r for r in own if r.activity != BREAK]
            start = busy[-1].start
            for prev, row in zip(reversed(busy[:-1]), reversed(busy), strict=False):
                if row.start - prev.end >= rules.min_break_minutes:
                    break
                start = prev.start
            states[pair] = _State(
                team.id,
                pair,
                busy[-1].site or None,
                busy[-1].end,
                start,
                sum(r.end - r.start for r in busy),
                busy,
                a1,
                {r.site for r in busy},
            )
    return states


def _rows_of(frame: pd.DataFrame) -> list[Row]:
    """The frame's pair rows as ``Row``s, in its order."""
    return list(map(Row._make, frame[PAIR_COLUMNS].to_numpy().tolist()))


def _walk_in_intervals(rows: pd.DataFrame) -> dict[str, list[tuple[int, int]]]:
    walk = rows[rows.activity == WALK_IN]
    out: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for site, start, end in zip(walk.site, walk.start, walk.end, strict=True):
        out[site].append((int(start), int(end)))
    return out


class _Stations:
    """A site's walk-in intervals, sorted once, for :meth:`free_until`."""

    def __init__(self, intervals: list[tuple[int, int]], stations: int):
        self.stations = stations
        self.starts = sorted(s for s, _ in intervals)
        self.ends = sorted(e for _, e in intervals)
        self.events = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])

    def free_until(self, start: int, end: int) -> int:
        """The latest end <= ``end`` such that one more pair fits on [start, end)."""
        count = bisect_right(self.starts, start) - bisect_right(self.ends, start)
        if count >= self.stations:
            return start
        for k in range(bisect_right(self.events, (start, 2)), len(self.events)):
            time, step = self.events[k]
            if time >= end:
                break
            count += step
            if step > 0 and count >= self.stations:
                return time
        return end

    def _windows(self, start: int, end: int):
        """(from, until) of each stretch in [start, end) with a station free from its first
        minute: one can only come free at ``start`` or where an interval ends."""
        for t in [start, *(e for e in self.ends if start < e < end)]:
            if (until := self.free_until(t, end)) > t:
                yield t, until

    def first_free(self, start: int, end: int) -> tuple[int, int] | None:
        """The first stretch of [start, end) with a station free, or None."""
        return next(self._windows(start, end), None)

    def last_free(self, start: int, end: int) -> int | None:
        """The last minute of [start, end) with a station free, or None."""
        ends = [until for _, until in self._windows(start, end)]
        return max(ends) - 1 if ends else None

    def any_free(self, start: int, end: int) -> bool:
        """Is a station free at some minute of [start, end)?"""
        return self.first_free(start, end) is not None


def _best_option(scenario, candidates, site_id, mode, wanted, free: _Stations, deadline=None):
    """(state, depart, arrive, end, samples): of the candidates (pair, trip minutes to the
    site), the pair that finishes ``wanted`` soonest (or samples the most, when none can
    finish)."""
    site = scenario.site_by_id[site_id]
    opens, closes = scenario.open_minutes(site)
    horizon = scenario.horizon_minutes if deadline is None else deadline
    best = None
    last = min(closes, horizon)
    for state, trip_here in candidates:
        team = scenario.team_by_id[state.team]
        if mode == DOOR_TO_DOOR and not team.door_to_door:
            continue
        if state.rows and state.rows[-1].activity == TRAVEL:
            continue  # it is on its way somewhere: leave it be
        travel = 0 if state.place == site_id else trip_here
        been_here = site_id in state.visited
        if not been_here and state.free_from + travel >= last:
            continue  # it could only get there after the site's (or the deadline's) end
        rules = scenario.rules(team)
        rate = rules.rate(mode)
        until = state.until
        options = []  # (leave at, trip minutes, latest end in the suit rules)
        # Idle at the site itself between two rows of its day: no trip at all.
        if been_here:
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
                stop = free.free_until(begin, stop)
            can = samples_in(rate, max(0, stop - begin))
            samples = min(wanted, can)
            if samples <= 0:
                continue
            minutes = -(-samples * 60 // rate) if rate else 0
            end = min(stop, begin + int(np.ceil(minutes)))
            while samples_in(rate, end - begin) < samples and end < stop:
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
    stretch = rows[0].start if rows else 0
    for prev, after in itertools.pairwise(rows):
        pause = after.start - prev.end
        here = prev.site == site_id and (after.activity == TRAVEL or after.site == site_id)
        if here and pause > 0:
            if pause < rules.min_break_minutes:
                out.append((prev.end, after.start))
            else:
                end = min(after.start - rules.min_break_minutes, stretch + rules.max_suit_minutes)
                if end > prev.end:
                    out.append((prev.end, end))
        if pause >= rules.min_break_minutes:
            stretch = after.start
    return out


def _apply(state: _State, site_id, mode, depart, arrive, end, samples) -> None:
    arrive_at, begin = arrive
    inside = bool(state.rows) and end <= state.rows[-1].start  # in an idle window of its day
    if arrive_at > depart:
        state.rows.append(Row(state.team, state.pair, TRAVEL, site_id, depart, arrive_at, 0))
    state.rows.append(Row(state.team, state.pair, mode, site_id, begin, end, samples))
    state.visited.add(site_id)
    state.used += (arrive_at - depart) + (end - begin)
    if inside:
        state.rows.sort(key=lambda r: r.start)
        return
    if state.stretch_start is None or depart > state.free_from:
        state.stretch_start = depart
    state.place, state.free_from = site_id, end


def pull_in(
    scenario: Scenario, rows: pd.DataFrame, deadline: int, max_pairs: int | None = None
) -> pd.DataFrame | None:
    """The plan with all its work done by ``deadline`` (minutes from the start): what it
    does later is cut off and given to pairs with time to spare before; None when some of
    it finds no pair, or when more than ``max_pairs`` pairs work after the deadline (the
    search grows with them). Walk-in residents that find no free station in time are
    given to pairs on their first trip of the day (see :func:`_detours`)."""
    cut, touched = _cut(scenario, rows, deadline)
    if not touched:
        return rows
    if max_pairs is not None and len(touched) > max_pairs:
        return None
    return top_up(scenario, cut, deadline, all_or_nothing=True)


def _detours(
    scenario: Scenario, rows: pd.DataFrame, left: dict[tuple[str, str], int], deadline: int
) -> pd.DataFrame:
    """Walk-in residents left at a site whose stations stand free early in the day (nobody
    was there yet) taken by pairs that pass nearby on their first trip: a pair goes from
    its base to the site first, samples there while a station is free, then goes on to
    where it was going and works there for the rest of its row. What that row no longer
    holds is left instead, for pairs with time to spare (``left`` is updated)."""
    short = sorted((-n, site) for (site, mode), n in left.items() if mode == WALK_IN and n > 0)
    if not short:
        return rows
    # Each pair's first two rows: its trip from the base, and the work it goes to.
    ordered = rows[PAIR_COLUMNS].sort_values(["pair", "start"], kind="stable")
    pair = ordered.pair.to_numpy()
    heads = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]])
    heads = heads[heads + 1 < len(pair)]
    heads = heads[pair[heads + 1] == pair[heads]]
    trips, works = ordered.iloc[heads], ordered.iloc[heads + 1]
    short_sites = {site for _, site in short}
    fits = (
        (trips.activity.to_numpy() == TRAVEL)
        & works.activity.isin(MODES).to_numpy()
        & (works.site.to_numpy() == trips.site.to_numpy())
        & ~works.site.isin(short_sites).to_numpy()
    )
    trips, works = trips[fits], works[fits]
    if trips.empty:
        return rows
    # What each pair does after that work: nothing (None), more work at the same site
    # (True), or anything else (False).
    busy = ordered[ordered.activity != BREAK]
    position = pd.Series(np.arange(len(busy)), index=busy.index)[works.index].to_numpy() + 1
    inside = position < len(busy)
    position = np.minimum(position, len(busy) - 1)
    same_pair = inside & (busy.pair.to_numpy()[position] == works.pair.to_numpy())
    stays = (busy.activity.to_numpy()[position] != TRAVEL) & (
        busy.site.to_numpy()[position] == works.site.to_numpy()
    )
    then = [bool(s) if p else None for p, s in zip(same_pair, stays, strict=True)]
    sites = scenario.site_by_id
    teams = [scenario.team_by_id[t] for t in trips.team]
    base = np.array([(t.lat, t.lon) for t in teams], dtype=float).reshape(-1, 2)
    there = np.array([(sites[i].lat, sites[i].lon) for i in works.site], dtype=float)
    speed = np.array([scenario.rules(t).travel_speed_kmh for t in teams], dtype=float)
    trip_minutes = (trips.end - trips.start).to_numpy()
    walks_there = (works.activity == WALK_IN).to_numpy()
    trip_rows, work_rows = _rows_of(trips), _rows_of(works)
    labels = list(zip(trips.index, works.index, strict=True))
    walk_in = _walk_in_intervals(rows)
    used_by_pair = (
        rows[rows.activity != BREAK].assign(m=rows.end - rows.start).groupby("pair").m.sum()
    )
    free = np.ones(len(trip_rows), dtype=bool)  # not yet given a detour
    dropped: list[int] = []
    added: list[Row] = []
    for _, site_id in short:
        site = sites[site_id]
        opens, closes = scenario.open_minutes(site)
        to_site = travel_minutes(great_circle_km(base[:, 0], base[:, 1], site.lat, site.lon), speed)
        on = travel_minutes(great_circle_km(site.lat, site.lon, there[:, 0], there[:, 1]), speed)
        extra = np.where(free, to_site + on - trip_minutes, np.iinfo(np.int64).max)
        # The pairs it costs least, those leaving home visits first (they need no station
        # later), ties by pair.
        order = np.lexsort((np.arange(len(extra)), extra, walks_there))
        nearest = order[free[order]][:NEAREST_PAIRS]
        for k in nearest.tolist():
            wanted = left.get((site_id, WALK_IN), 0)
            if wanted <= 0:
                break
            trip, work = trip_rows[k], work_rows[k]
            pair = trip.pair
            rules = scenario.rules(teams[k])
            if used_by_pair.get(pair, 0) + extra[k] > rules.max_work_minutes:
                continue
            depart, b = trip.start, work.end
            begin = max(depart + int(to_site[k]), opens)
            latest = min(b - int(on[k]), closes, deadline)
            if begin >= latest:
                continue
            # From its arrival, or as soon as a station comes free before it must go on.
            window = _Stations(walk_in.get(site_id, []), site.stations).first_free(begin, latest)
            if window is None:
                continue
            begin, end = window
            samples = min(wanted, samples_in(rules.rate(WALK_IN), end - begin))
            if samples <= 0:
                continue
            end = begin + _minutes_for(samples, rules.rate(WALK_IN), end - begin)
            mode, held = work.activity, work.samples
            rate = rules.rate(mode)
            # (never before the row began: the site may open only then, or its stations
            # be taken before)
            resume = max(end + int(on[k]), work.start)
            kept = min(held, samples_in(rate, b - resume))
            if kept <= 0 and then[k] is False:
                continue  # its next trip would start from a place it never reached
            there_site = sites[work.site]
            if mode == WALK_IN and not _Stations(
                walk_in.get(work.site, []), there_site.stations
            ).any_free(b, min(deadline, scenario.open_minutes(there_site)[1])):
                continue  # what it leaves there would find no station later either
            free[k] = False
            dropped += list(labels[k])
            team = trip.team
            if to_site[k] > 0:
                added.append(Row(team, pair, TRAVEL, site_id, depart, depart + int(to_site[k]), 0))
            added.append(Row(team, pair, WALK_IN, site_id, begin, end, samples))
            if on[k] > 0 and (kept > 0 or then[k]):  # it goes on there (else its day ends)
                added.append(Row(team, pair, TRAVEL, work.site, end, end + int(on[k]), 0))
            if kept > 0:
                added.append(Row(team, pair, mode, work.site, resume, b, kept))
            walk_in[site_id].append((begin, end))
            left[site_id, WALK_IN] -= samples
            if held > kept:
                left[work.site, mode] = left.get((work.site, mode), 0) + held - kept
    if not dropped:
        return rows
    for key in [k for k, n in left.items() if n <= 0]:
        del left[key]
    return _replace(rows, dropped, added)


def _replace(rows: pd.DataFrame, dropped: list[int], added: list[Row]) -> pd.DataFrame:
    """The rows without those at the ``dropped`` labels, with ``added`` at the end."""
    return pd.concat(
        [rows.drop(index=dropped), pd.DataFrame(added, columns=PAIR_COLUMNS)], ignore_index=True
    )


def _cut(scenario: Scenario, rows: pd.DataFrame, deadline: int) -> tuple[pd.DataFrame, set]:
    """The rows up to ``deadline``: work crossing it shortened (with the samples its
    length allows), later rows and trailing trips dropped; and the pairs so changed."""
    late = rows.end > deadline
    if not late.any():
        return rows, set()
    touched = set(rows.pair[late])
    keep = rows[~rows.pair.isin(touched)]
    mine = rows[rows.pair.isin(touched) & (rows.activity != BREAK) & (rows.start < deadline)]
    mine = mine[(mine.end <= deadline) | mine.activity.isin(MODES)].copy()
    crossing = mine.end > deadline
    if crossing.any():
        rate = {
            (t.id, mode): scenario.rules(t).rate(mode) for t in scenario.teams for mode in MODES
        }
        part = mine[crossing]
        per_hour = np.array([rate[k] for k in zip(part.team, part.activity, strict=True)])
        allowed = np.floor(per_hour * (deadline - part.start.to_numpy()) / 60 + 1e-9)
        mine.loc[crossing, "samples"] = np.minimum(part.samples.to_numpy(), allowed).astype(int)
        mine.loc[crossing, "end"] = deadline
    mine = mine[(mine.activity != TRAVEL) | (mine.end <= deadline)]
    mine = mine[(mine.samples > 0) | (mine.activity == TRAVEL)]
    out = []
    ordered = _rows_of(mine.sort_values(["pair", "start"], kind="stable"))
    for _, group in itertools.groupby(ordered, lambda r: r.pair):
        own = list(group)
        while own and own[-1].activity == TRAVEL:
            own.pop()  # a trip to work that is no longer there
        out.extend(with_breaks(own))
    cut = pd.concat([keep, pd.DataFrame(out, columns=PAIR_COLUMNS)], ignore_index=True)
    return cut, touched
