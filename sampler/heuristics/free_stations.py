"""Walk-in residents left for want of a free station, given one in two ways.

Top-up (:mod:`sampler.heuristics.topup`) gives residents left to pairs with time to spare;
walk-in residents also need a free station while they are sampled, and at a busy site
none may be free in time. Two moves find one: a home-visit row at the site beside a free
station turns walk-in for as long as the station is free (:func:`swap_modes`), and a pair
on its first trip of the day stops at the site while a station there is free, then goes
on to where it was going (:func:`detours`). Both leave what the changed rows no longer
hold to top-up, which keeps each round only if fewer residents are left.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sampler.geo import great_circle_km, travel_minutes
from sampler.heuristics.stations import Stations, walk_in_intervals
from sampler.instance import DOOR_TO_DOOR, MODES, WALK_IN, samples_in
from sampler.plan import BREAK, PAIR_COLUMNS, TRAVEL, Row, rows_of
from sampler.scenario import Scenario, Team

NEAREST_PAIRS = 200  # pairs considered for each site's residents left, nearest first


def swap_modes(
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
    walk_in = walk_in_intervals(rows)
    by_site: dict[str, list] = defaultdict(list)
    for index, row in zip(door.index, rows_of(door), strict=True):
        by_site[row.site].append((row.start, row.pair, index, row))
    dropped: list[int] = []
    added: list[Row] = []
    for _, site_id in short:
        site = scenario.site_by_id[site_id]
        for _, _, index, row in sorted(by_site.get(site_id, [])):
            team, pair, a, b, held = row.team, row.pair, row.start, row.end, row.samples
            wanted = left[site_id, WALK_IN]
            if wanted <= 0:
                break
            window = Stations(walk_in.get(site_id, []), site.stations).first_free(a, b)
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


def detours(
    scenario: Scenario,
    rows: pd.DataFrame,
    left: dict[tuple[str, str], int],
    deadline: int,
    kept_whole: frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """Walk-in residents left at a site whose stations stand free early in the day (nobody
    was there yet) taken by pairs that pass nearby on their first trip: a pair goes from
    its base to the site first, samples there while a station is free, then goes on to
    where it was going and works there for the rest of its row. What that row no longer
    holds is left instead, for pairs with time to spare (``left`` is updated). A detour
    that would give back work at one of the sites ``kept_whole`` is not made."""
    short = sorted((-n, site) for (site, mode), n in left.items() if mode == WALK_IN and n > 0)
    if not short:
        return rows
    first = _first_trips(scenario, rows, {site for _, site in short})
    if first is None:
        return rows
    walk_in = walk_in_intervals(rows)
    used_by_pair = (
        rows[rows.activity != BREAK].assign(m=rows.end - rows.start).groupby("pair").m.sum()
    )
    free = np.ones(len(first.trips), dtype=bool)  # not yet given a detour
    kept = np.array([work.site in kept_whole for work in first.works], dtype=bool)
    slack = np.zeros(len(kept), dtype=np.int64)  # (only where kept: what else is passed over)
    for k in np.flatnonzero(kept).tolist():
        slack[k] = _slack(scenario, first.teams[k], first.works[k])
    dropped: list[int] = []
    added: list[Row] = []
    for _, site_id in short:
        site = scenario.site_by_id[site_id]
        to_site = travel_minutes(
            great_circle_km(first.base[:, 0], first.base[:, 1], site.lat, site.lon), first.speed
        )
        on = travel_minutes(
            great_circle_km(site.lat, site.lon, first.there[:, 0], first.there[:, 1]), first.speed
        )
        extra = np.where(free, to_site + on - first.trip_minutes, np.iinfo(np.int64).max)
        # The pairs it costs least, those leaving home visits first (they need no station
        # later), ties by pair.
        order = np.lexsort((np.arange(len(extra)), extra, first.walks_there))
        # (a pair whose work at a site kept whole has no slack for the detour's trips
        # would give some back: passed over before the nearest are counted)
        able = free & ~(kept & (slack < extra))
        nearest = order[able[order]][:NEAREST_PAIRS]
        for k in nearest.tolist():
            wanted = left.get((site_id, WALK_IN), 0)
            if wanted <= 0:
                break
            rules = scenario.rules(first.teams[k])
            if used_by_pair.get(first.trips[k].pair, 0) + extra[k] > rules.max_work_minutes:
                continue
            detour = _detour(
                scenario, first, k, site_id, (to_site[k], on[k]), wanted, walk_in, deadline
            )
            if detour is None:
                continue
            new_rows, walk, samples, given_back = detour
            if given_back and kept[k]:
                continue
            free[k] = False
            dropped += list(first.labels[k])
            added += new_rows
            walk_in[site_id].append(walk)
            left[site_id, WALK_IN] -= samples
            if given_back:
                work = first.works[k]
                left[work.site, work.activity] = (
                    left.get((work.site, work.activity), 0) + given_back
                )
    if not dropped:
        return rows
    for key in [k for k, n in left.items() if n <= 0]:
        del left[key]
    return _replace(rows, dropped, added)


@dataclass
class _FirstTrips:
    """Pairs whose day begins with a trip from the base to work at a site with no walk-in
    residents left: the trip and work rows (and their labels in the plan's frame), what
    the pair does after that work (None: nothing; True: more work at the same site; False:
    anything else), and, per pair, its base, the site it works at, its speed, the trip's
    minutes and whether it works there walk-in."""

    trips: list[Row]
    works: list[Row]
    labels: list[tuple[int, int]]
    then: list[bool | None]
    teams: list[Team]
    base: np.ndarray
    there: np.ndarray
    speed: np.ndarray
    trip_minutes: np.ndarray
    walks_there: np.ndarray


def _first_trips(
    scenario: Scenario, rows: pd.DataFrame, short_sites: set[str]
) -> _FirstTrips | None:
    """The pairs that could make a detour on their first trip (None if there are none)."""
    # Each pair's first two rows: its trip from the base, and the work it goes to.
    ordered = rows[PAIR_COLUMNS].sort_values(["pair", "start"], kind="stable")
    pair = ordered.pair.to_numpy()
    heads = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]])
    heads = heads[heads + 1 < len(pair)]
    heads = heads[pair[heads + 1] == pair[heads]]
    trips, works = ordered.iloc[heads], ordered.iloc[heads + 1]
    fits = (
        (trips.activity.to_numpy() == TRAVEL)
        & works.activity.isin(MODES).to_numpy()
        & (works.site.to_numpy() == trips.site.to_numpy())
        & ~works.site.isin(short_sites).to_numpy()
    )
    trips, works = trips[fits], works[fits]
    if trips.empty:
        return None
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
    sites = scenario.site_by_id
    teams = [scenario.team_by_id[t] for t in trips.team]
    return _FirstTrips(
        trips=rows_of(trips),
        works=rows_of(works),
        labels=list(zip(trips.index, works.index, strict=True)),
        then=[bool(s) if p else None for p, s in zip(same_pair, stays, strict=True)],
        teams=teams,
        base=np.array([(t.lat, t.lon) for t in teams], dtype=float).reshape(-1, 2),
        there=np.array([(sites[i].lat, sites[i].lon) for i in works.site], dtype=float),
        speed=np.array([scenario.rules(t).travel_speed_kmh for t in teams], dtype=float),
        trip_minutes=(trips.end - trips.start).to_numpy(),
        walks_there=(works.activity == WALK_IN).to_numpy(),
    )


def _detour(
    scenario: Scenario,
    first: _FirstTrips,
    k: int,
    site_id: str,
    legs: tuple,
    wanted: int,
    walk_in: dict[str, list[tuple[int, int]]],
    deadline: int,
) -> tuple[list[Row], tuple[int, int], int, int] | None:
    """Pair ``k``'s detour through ``site_id`` (``legs``: trip minutes from its base to the
    site, and from there on to its work): its new rows, its walk-in interval there, the
    residents it samples there, and those its work no longer holds; None if it cannot."""
    to_site, on = legs
    site = scenario.site_by_id[site_id]
    opens, closes = scenario.open_minutes(site)
    trip, work = first.trips[k], first.works[k]
    pair = trip.pair
    rules = scenario.rules(first.teams[k])
    depart, b = trip.start, work.end
    begin = max(depart + int(to_site), opens)
    latest = min(b - int(on), closes, deadline)
    if begin >= latest:
        return None
    # From its arrival, or as soon as a station comes free before it must go on.
    window = Stations(walk_in.get(site_id, []), site.stations).first_free(begin, latest)
    if window is None:
        return None
    begin, end = window
    samples = min(wanted, samples_in(rules.rate(WALK_IN), end - begin))
    if samples <= 0:
        return None
    end = begin + _minutes_for(samples, rules.rate(WALK_IN), end - begin)
    mode, held = work.activity, work.samples
    rate = rules.rate(mode)
    # (never before the row began: the site may open only then, or its stations
    # be taken before)
    resume = max(end + int(on), work.start)
    kept = min(held, samples_in(rate, b - resume))
    if kept <= 0 and first.then[k] is False:
        return None  # its next trip would start from a place it never reached
    there_site = scenario.site_by_id[work.site]
    if mode == WALK_IN and not Stations(walk_in.get(work.site, []), there_site.stations).any_free(
        b, min(deadline, scenario.open_minutes(there_site)[1])
    ):
        return None  # what it leaves there would find no station later either
    team = trip.team
    added = []
    if to_site > 0:
        added.append(Row(team, pair, TRAVEL, site_id, depart, depart + int(to_site), 0))
    added.append(Row(team, pair, WALK_IN, site_id, begin, end, samples))
    if on > 0 and (kept > 0 or first.then[k]):  # it goes on there (else its day ends)
        added.append(Row(team, pair, TRAVEL, work.site, end, end + int(on), 0))
    if kept > 0:
        added.append(Row(team, pair, mode, work.site, resume, b, kept))
    return added, (begin, end), samples, max(0, held - kept)


def _slack(scenario: Scenario, team: Team, work: Row) -> int:
    """Minutes of a work row that its samples do not need (at the team's rate)."""
    length = work.end - work.start
    return length - _minutes_for(work.samples, scenario.rules(team).rate(work.activity), length)


def _replace(rows: pd.DataFrame, dropped: list[int], added: list[Row]) -> pd.DataFrame:
    """The rows without those at the ``dropped`` labels, with ``added`` at the end."""
    return pd.concat(
        [rows.drop(index=dropped), pd.DataFrame(added, columns=PAIR_COLUMNS)], ignore_index=True
    )
