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
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd

from sampler.geo import great_circle_km, travel_minutes
from sampler.heuristics.free_stations import NEAREST_PAIRS, detours, swap_modes
from sampler.heuristics.stations import Stations, walk_in_intervals
from sampler.instance import DOOR_TO_DOOR, MODES, WALK_IN, samples_in_many
from sampler.plan import BREAK, PAIR_COLUMNS, TRAVEL, Row, pair_ids, rows_of, with_breaks
from sampler.scenario import Scenario

DETOUR_ROUNDS = 3  # rounds of detours (each leaves work elsewhere) a deadline may take


class _GaveUp(Exception):
    """A pass of an all-or-nothing top-up that cannot succeed: stop it."""


@dataclass
class _State:
    """Where a pair is and what its day has used."""

    team: str
    pair: str
    place: str | None  # site id of its last row; None: at its base
    free_from: int  # minute its last row ends (or its availability starts)
    stretch_start: int | None  # start of its current suit stretch; None: none begun
    used: int  # minutes of work and travel so far
    until: int  # end of the team's availability
    visited: set[str] = field(default_factory=set)  # sites in its rows
    last: str | None = None  # the activity of its last row; None: no rows
    source: np.ndarray | None = field(default=None, repr=False)  # its rows, not yet Rows
    _rows: list[Row] | None = field(default=None, repr=False)

    @property
    def rows(self) -> list[Row]:
        """Its day's rows but breaks, in order: made when first asked for (most pairs of
        a city never are, and making them all took half of each top-up)."""
        if self._rows is None:
            source = self.source
            self._rows = [] if source is None else list(map(Row._make, source.tolist()))
            self.source = None
        return self._rows


def top_up(
    scenario: Scenario,
    rows: pd.DataFrame,
    deadline: int | None = None,
    all_or_nothing: bool = False,
    at_home: frozenset[str] = frozenset(),
    first: frozenset[str] = frozenset(),
    by_value: bool = False,
    give_up_over: int | None = None,
) -> pd.DataFrame | None:
    """The plan's rows with residents left unsampled given to pairs with time to spare
    (all work ending by ``deadline`` minutes, when given), never to the pairs ``at_home``;
    the sites ``first`` before the others, then by priority (with ``by_value``, by what a
    pair's minute there is worth: priority times the scenario's default rate of the mode).
    With ``all_or_nothing``, None unless every resident left finds a pair; with
    ``give_up_over`` too, None as soon as the first pass finds no pair for more residents
    than that (the passes after it have never taken back more than a few thousand).

    Walk-in residents that find no free station in time are then taken by home-visit rows
    beside a free station (:func:`swap_modes`), if that leaves fewer residents unsampled,
    and given to pairs on their first trip of the day (:func:`detours`), for as long as
    that leaves fewer (at most ``DETOUR_ROUNDS`` rounds: each leaves work elsewhere), or,
    with ``all_or_nothing``, while walk-in residents alone are left; then no detour gives
    back work at a site that closes before the deadline."""
    # Every pass gives out residents in the same order, to the same pairs.
    one_pass = partial(
        _top_up, scenario, deadline=deadline, at_home=at_home, first=first, by_value=by_value
    )
    try:
        limit = give_up_over if all_or_nothing else None
        out, left = one_pass(without_idle_trips(rows), give_up_over=limit)
    except _GaveUp:
        return None
    if any(mode == WALK_IN for _, mode in left):
        swapped, after = one_pass(out, swap=True)
        if sum(after.values()) < sum(left.values()):
            out, left = swapped, after
    last = scenario.horizon_minutes if deadline is None else deadline
    # All or nothing (pulling the end in, the afternoon again, pairs sent home from a
    # complete plan), a detour must not give back work at a site that closes before the
    # deadline: it would have to find a pair before the site closes, and seldom does (a
    # short-hours district's pull-in to 19:30 failed only on 55 home visits so given
    # back at a community open 07:00-12:00; leaving alone only the sites whose visits
    # a round gave back moved the loss to the next such community, round after round).
    # Elsewhere a round is kept only if it leaves fewer.
    kept_whole = scenario.sites_closing_before(last) if all_or_nothing else frozenset()
    rounds = partial(_detour_rounds, scenario, one_pass, last, kept_whole, all_or_nothing)
    detoured, after = rounds(out, left, keep_short=False)
    if all_or_nothing and after:
        # Where that fails, the rounds again, each keeping whole the sites found short:
        # their stations are what is short (a short-hours district's pull-in to 19:00
        # had each round give back about 300 walk-in residents where the round before had
        # served, 607, 618, 296 left; so, 607, 268, none). Not at once: keeping them whole
        # from the first rounds took a mixed district's seeds 1 and 3 from 18:30 to 19:00.
        detoured, after = rounds(out, left, keep_short=True)
    return None if all_or_nothing and after else detoured


def _detour_rounds(
    scenario: Scenario,
    one_pass: Callable,
    last: int,
    kept_whole: frozenset[str],
    all_or_nothing: bool,
    out: pd.DataFrame,
    left: dict[tuple[str, str], int],
    keep_short: bool,
) -> tuple[pd.DataFrame, dict[tuple[str, str], int]]:
    """Rounds of :func:`detours` and top-up passes from ``out`` (``left`` unsampled), while
    only walk-in residents are left (all or nothing) or each round leaves fewer; with
    ``keep_short``, the sites short when a round begins keep their work whole."""
    for _ in range(DETOUR_ROUNDS):
        walk_in_left = [mode == WALK_IN for _, mode in left]
        if not any(walk_in_left) or (all_or_nothing and not all(walk_in_left)):
            break  # (home visits left need no station: detours do not help them)
        if keep_short:
            kept_whole |= {site for site, _ in left}
        detoured = detours(scenario, out, dict(left), last, kept_whole)
        detoured, after = one_pass(detoured, swap=True)
        if not all_or_nothing and sum(after.values()) >= sum(left.values()):
            break
        out, left = detoured, after
    return out, left


def without_idle_trips(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows without the trips (and the breaks between them) that end a pair's day: a
    pair sent to a site whose work ran out before it got there stays where it last worked
    (and is free to top up); a pair that never worked has no rows left."""
    if rows.empty:
        return rows
    work = rows[~rows.activity.isin([TRAVEL, BREAK])]
    last_work = work.groupby("pair").end.max()
    ends = rows.pair.map(last_work)
    idle = rows.activity.isin([TRAVEL, BREAK]) & (ends.isna() | (rows.start >= ends))
    return rows[~idle].reset_index(drop=True) if idle.any() else rows


def _top_up(
    scenario: Scenario,
    rows: pd.DataFrame,
    deadline: int | None,
    swap: bool = False,
    at_home: frozenset[str] = frozenset(),
    first: frozenset[str] = frozenset(),
    by_value: bool = False,
    give_up_over: int | None = None,
) -> tuple[pd.DataFrame, dict[tuple[str, str], int]]:
    """One pass of :func:`top_up`: site by site, the residents left to the pairs that can
    sample them soonest (after :func:`swap_modes`, with ``swap``); and the residents
    still left. Raises :class:`_GaveUp` once more than ``give_up_over`` find no pair."""
    left = residents_left(scenario, rows)
    if not left:
        return rows, left
    if swap:
        rows = swap_modes(scenario, rows, left)
    states = _states(scenario, rows, at_home)
    walk_in = walk_in_intervals(rows)
    changed: set[str] = set()
    sites = scenario.site_by_id
    # Where each pair is, to look only at the pairs nearest a site (a city has thousands).
    pool = list(states.values())
    where = np.array([_latlon(scenario, s) for s in pool], dtype=float).reshape(-1, 2)
    position = {s.pair: k for k, s in enumerate(pool)}
    days = _Days(scenario, pool)
    speed = days.speed[days.team]
    # When each pair is free, and which pairs have been at each site (they may have idle
    # time there): a pair that is neither free nor there in time is passed over unseen.
    free_from = days.free_from
    visitors: dict[str, set[int]] = defaultdict(set)
    for k, s in enumerate(pool):
        for visited in s.visited:
            visitors[visited].add(k)
    # The sites asked for first; then higher priority; then the most left, where a
    # deadline is likeliest to fail.
    # ``by_value``: what a pair's minute there is worth (priority times the default rate).
    rate = scenario.defaults.rate if by_value else (lambda mode: 1.0)
    order = sorted(
        left,
        key=lambda key: (
            key[0] not in first,
            -sites[key[0]].priority * rate(key[1]),
            -left[key],
            key,
        ),
    )
    unplaced = 0
    for site_id, mode in order:
        site = sites[site_id]
        opens, closes = scenario.open_minutes(site)
        last = min(closes, scenario.horizon_minutes if deadline is None else deadline)
        # (every pair's way here, and who has been here: worked out once a site, see below)
        km = trips = here = None
        while left.get((site_id, mode), 0) > 0:
            free = Stations(walk_in.get(site_id, []), site.stations)
            latest = free.last_free(opens, last) if mode == WALK_IN else last - 1
            if latest is None:
                break  # every station is taken until the site closes
            if km is None or trips is None or here is None:
                km = great_circle_km(where[:, 0], where[:, 1], site.lat, site.lon)
                trips = travel_minutes(km, speed)
                here = np.zeros(len(pool), dtype=bool)  # (the pairs that have been here)
                here[list(visitors[site_id])] = True
            best = None
            # The nearest pairs first, then rings further out while none of them can help.
            in_time = free_from + trips <= latest
            for ring in _rings(km, (NEAREST_PAIRS, 5 * NEAREST_PAIRS)):
                ring = ring[in_time[ring] | here[ring]]
                best = _best_option(
                    scenario, days, ring, trips[ring], site_id, mode, left[site_id, mode], free,
                    deadline, here,
                )  # fmt: skip
                if best is not None:
                    break
            if best is None:
                break
            state, depart, arrive, end, samples = best
            _apply(state, site_id, mode, depart, arrive, end, samples)
            k = position[state.pair]
            days.update(k, state)
            where[k] = _latlon(scenario, state)  # (its day's last place)
            if state.place == site_id:
                # Its day ends here so far: no way to come (what the haversine gives for
                # the same point, exactly). Work set in an idle window of its day leaves
                # its last place, and its way here, as they were.
                km[k], trips[k] = 0.0, 0
            visitors[site_id].add(k)
            here[k] = True
            if mode == WALK_IN:
                walk_in[site_id].append((arrive[1], end))
            left[site_id, mode] -= samples
            changed.add(state.pair)
        unplaced += left.get((site_id, mode), 0)
        if give_up_over is not None and unplaced > give_up_over:
            raise _GaveUp
    left = {key: n for key, n in left.items() if n > 0}
    if not changed:
        return rows, left
    kept = rows[~rows.pair.isin(changed)]
    added = [r for s in states.values() if s.pair in changed for r in with_breaks(s.rows)]
    return pd.concat([kept, pd.DataFrame(added, columns=PAIR_COLUMNS)], ignore_index=True), left


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


def residents_left(scenario: Scenario, rows: pd.DataFrame) -> dict[tuple[str, str], int]:
    """Residents left per (site, mode)."""
    work = rows[rows.activity.isin(MODES)]
    # (a dict: Series.get on the two-level index made a district's call 7.8 ms, not 2.5)
    done = work.groupby(["site", "activity"]).samples.sum().to_dict()
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


def _states(
    scenario: Scenario, rows: pd.DataFrame, at_home: frozenset[str] = frozenset()
) -> dict[str, _State]:
    """Every pair of every team, used or not, with where its day stands (but those
    ``at_home``)."""
    started = _days_so_far(scenario, rows)
    states: dict[str, _State] = {}
    for team in scenario.teams:
        a0, a1 = scenario.available_minutes(team)
        for pair in pair_ids(team.id, team.pairs):
            if pair not in at_home:
                states[pair] = started.get(pair) or _State(team.id, pair, None, a0, None, 0, a1)
    return states


def _days_so_far(scenario: Scenario, rows: pd.DataFrame) -> dict[str, _State]:
    """The pairs with rows, with where their day stands: worked out on the frame's arrays,
    each pair's rows kept unmade until asked for (:attr:`_State.rows`)."""
    busy = rows.loc[rows.activity != BREAK, PAIR_COLUMNS].sort_values(
        ["pair", "start"], kind="stable"
    )
    if busy.empty:
        return {}
    values = busy.to_numpy()  # (as rows_of makes them)
    teams, pairs, sites, activities = (
        busy[c].to_numpy() for c in ("team", "pair", "site", "activity")
    )
    starts = busy.start.to_numpy(dtype=np.int64)
    ends = busy.end.to_numpy(dtype=np.int64)
    first = np.r_[True, pairs[1:] != pairs[:-1]]
    lo = np.flatnonzero(first)
    hi = np.r_[lo[1:], len(busy)]
    used = np.add.reduceat(ends - starts, lo)
    # A row begins a suit stretch if it is its pair's first or follows a real break; a
    # pair's current stretch began at the last such row.
    min_break = {t.id: scenario.rules(t).min_break_minutes for t in scenario.teams}
    rest = busy.team.map(min_break).to_numpy(dtype=np.int64)
    begins = first | np.r_[False, starts[1:] - ends[:-1] >= rest[1:]]
    stretch = np.maximum.accumulate(np.where(begins, np.arange(len(busy)), 0))
    until = {t.id: scenario.available_minutes(t)[1] for t in scenario.teams}
    days = {}
    for k, (start, end) in enumerate(zip(lo.tolist(), hi.tolist(), strict=True)):
        last = end - 1
        days[pairs[start]] = _State(
            teams[start],
            pairs[start],
            sites[last] or None,
            int(ends[last]),
            int(starts[stretch[last]]),
            int(used[k]),
            until[teams[start]],
            set(sites[start:end].tolist()),
            activities[last],
            values[start:end],
        )
    return days


def _best_option(
    scenario,
    days: _Days,
    ring: np.ndarray,
    trip_here: np.ndarray,
    site_id,
    mode,
    wanted,
    free: Stations,
    deadline: int | None,
    here: np.ndarray,
):
    """(state, depart, arrive, end, samples): of the pairs ``ring`` (positions in ``days``,
    with their trip minutes to the site; ``here``: by position, whether the pair has
    been at the site), the pair that finishes ``wanted`` soonest (or samples the most,
    when none can finish).

    Each pair's ways to come (:meth:`_Days.ways`: from where it is, within its stretch or
    after a break, and from idle time at the site itself) are weighed for all pairs at
    once; a pair takes its first best way, and the best pair wins (the pair is in the key:
    no ties)."""
    site = scenario.site_by_id[site_id]
    opens, closes = scenario.open_minutes(site)
    last = min(closes, scenario.horizon_minutes if deadline is None else deadline)
    ways = days.ways(ring, trip_here, site_id, mode, last, here)
    if ways is None:
        return None
    who, depart, trip, latest, rate, until, room = ways
    begin = np.maximum(depart + trip, opens)
    stop = np.minimum(np.minimum(latest, until), np.minimum(last, begin + room - trip))
    if mode == WALK_IN:
        stop = free.free_until_many(begin, stop)
    can = samples_in_many(rate, np.maximum(0, stop - begin))
    samples = np.minimum(wanted, can)
    ok = samples > 0
    if not ok.any():
        return None
    minutes = np.where(rate > 0, -np.floor_divide(-samples * 60, np.where(rate > 0, rate, 1)), 0)
    end = np.minimum(stop, begin + np.ceil(minutes).astype(np.int64))
    while True:  # (rounding: the minutes the rate gives may fall one short)
        short = ok & (samples_in_many(rate, end - begin) < samples) & (end < stop)
        if not short.any():
            break
        end = end + short
    partial = samples < wanted
    second = np.where(partial, -samples, end)
    # The least (partial, second, trip, pair); a pair's ways in their order (first wins).
    order = np.lexsort((np.arange(len(who)), days.name_rank[who], trip, second, partial, ~ok))
    w = int(order[0])
    state = days.states[int(who[w])]
    d, t, b = int(depart[w]), int(trip[w]), int(begin[w])
    return state, d, (d + t, b), int(end[w]), int(samples[w])


_NONE, _TRAVELLING, _WORKING = 0, 1, 2  # a pair's last row: none, a trip, work


class _Days:
    """Every pair's day so far (:class:`_State`) as arrays too, by position, to weigh the
    ways of many pairs at once; :meth:`update` after each change to a pair's state."""

    def __init__(self, scenario: Scenario, states: list[_State]):
        self.states = states
        teams = {t.id: k for k, t in enumerate(scenario.teams)}
        self.rules = rules = [scenario.rules(t) for t in scenario.teams]  # by team index
        self.team = np.array([teams[s.team] for s in states], dtype=np.int64)
        self.speed = np.array([r.travel_speed_kmh for r in rules], dtype=float)
        self.max_work = np.array([r.max_work_minutes for r in rules], dtype=np.int64)
        self.max_suit = np.array([r.max_suit_minutes for r in rules], dtype=np.int64)
        self.min_break = np.array([r.min_break_minutes for r in rules], dtype=np.int64)
        self.rate = {m: np.array([r.rate(m) for r in rules], dtype=float) for m in MODES}
        able = [m != DOOR_TO_DOOR or t.door_to_door for t in scenario.teams for m in MODES]
        self.able = {m: np.array(able[k :: len(MODES)], dtype=bool) for k, m in enumerate(MODES)}
        self.until = np.array([s.until for s in states], dtype=np.int64)
        # Pairs by name: the tie-break between pairs equally good.
        self.name_rank = np.empty(len(states), dtype=np.int64)
        by_name = sorted(range(len(states)), key=lambda k: states[k].pair)
        self.name_rank[by_name] = np.arange(len(states))
        self.place: list[str | None] = [None] * len(states)
        self.free_from = np.zeros(len(states), dtype=np.int64)
        self.used = np.zeros(len(states), dtype=np.int64)
        self.stretch = np.zeros(len(states), dtype=np.int64)
        self.has_stretch = np.zeros(len(states), dtype=bool)
        self.last = np.zeros(len(states), dtype=np.int8)
        for k, state in enumerate(states):
            self.update(k, state)

    def update(self, k: int, state: _State) -> None:
        """Position ``k``'s arrays from its state."""
        self.place[k] = state.place
        self.free_from[k] = state.free_from
        self.used[k] = state.used
        self.has_stretch[k] = state.stretch_start is not None
        self.stretch[k] = state.stretch_start or 0
        last = state.last
        self.last[k] = _NONE if last is None else _TRAVELLING if last == TRAVEL else _WORKING

    def ways(
        self, ring: np.ndarray, trip_here: np.ndarray, site_id: str, mode: str, last: int,
        here: np.ndarray,
    ):  # fmt: skip
        """Every way each pair of ``ring`` may come to work at the site, a pair's in its
        order (idle time at the site between two rows of its day, going on within its
        stretch, after a real break or at its day's start), as arrays: the pair's position,
        when it leaves, its trip minutes, the latest end its suit rules allow, its rate,
        the end of its availability and the minutes its day has left; None if no pair can
        come. Pairs on their way somewhere, without the skill, or that could get there
        only at or after ``last`` (unless ``here``: by position, whether it has been at the
        site) are left out."""
        team = self.team[ring]
        free_from = self.free_from[ring]
        at_site = np.array([self.place[k] == site_id for k in ring.tolist()], dtype=bool)
        travel = np.where(at_site, 0, trip_here).astype(np.int64)
        been = here[ring]
        able = self.able[mode][team] & (self.last[ring] != _TRAVELLING)
        can = able & (been | (free_from + travel < last))
        if not can.any():
            return None
        room = self.max_work[team] - self.used[ring]
        max_suit = self.max_suit[team]
        # (each kind of way for every pair, then per pair in this order once sorted by
        # pair: idle windows at the site, within its stretch, after a break)
        idle: list[tuple[int, int, int]] = []
        for j in np.flatnonzero(can & been).tolist():
            state = self.states[int(ring[j])]
            idle += [(j, a, b) for a, b in _idle_here(state, self.rules[team[j]], site_id)]
        stretch = np.flatnonzero(can & self.has_stretch[ring])
        rest = np.flatnonzero(can)
        begins = free_from[rest] + np.where(
            self.last[ring[rest]] != _NONE, self.min_break[team[rest]], 0
        )
        idle_who = np.array([j for j, _, _ in idle], dtype=np.int64)
        who = np.concatenate([idle_who, stretch, rest])
        depart = np.concatenate(
            [np.array([a for _, a, _ in idle], dtype=np.int64), free_from[stretch], begins]
        )
        trip = np.concatenate([np.zeros(len(idle), dtype=np.int64), travel[stretch], travel[rest]])
        latest = np.concatenate(
            [
                np.array([b for _, _, b in idle], dtype=np.int64),
                self.stretch[ring[stretch]] + max_suit[stretch],
                begins + max_suit[rest],
            ]
        )
        return (
            ring[who],
            depart,
            trip,
            latest,
            self.rate[mode][team[who]],
            self.until[ring[who]],
            room[who],
        )


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
        state.last = state.rows[-1].activity
        return
    if state.stretch_start is None or depart > state.free_from:
        state.stretch_start = depart
    state.place, state.free_from, state.last = site_id, end, mode


def pull_in(
    scenario: Scenario, rows: pd.DataFrame, deadline: int, max_pairs: int | None = None
) -> pd.DataFrame | None:
    """The plan with all its work done by ``deadline`` (minutes from the start): what it
    does later is cut off and given to pairs with time to spare before; None when some of
    it finds no pair, or when more than ``max_pairs`` pairs work after the deadline (the
    search grows with them). Walk-in residents that find no free station in time are
    given to pairs on their first trip of the day (see :func:`detours`)."""
    shortened, touched = cut_at(scenario, rows, deadline)
    if not touched:
        return rows
    if max_pairs is not None and len(touched) > max_pairs:
        return None
    return top_up(scenario, shortened, deadline, all_or_nothing=True)


def cut_at(scenario: Scenario, rows: pd.DataFrame, deadline: int) -> tuple[pd.DataFrame, set]:
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
    ordered = rows_of(mine.sort_values(["pair", "start"], kind="stable"))
    for _, group in itertools.groupby(ordered, lambda r: r.pair):
        own = list(group)
        while own and own[-1].activity == TRAVEL:
            own.pop()  # a trip to work that is no longer there
        out.extend(with_breaks(own))
    cut = pd.concat([keep, pd.DataFrame(out, columns=PAIR_COLUMNS)], ignore_index=True)
    return cut, touched
