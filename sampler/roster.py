"""From counts to named pairs: each pair gets a coherent day of rows.

The model says how many pairs of a crew travel, stand, keep on and sample where in each
slot; here those counts become pairs with names, in two passes.

1. Movement and work cells, slot by slot. Pairs the model keeps working at a site in a mode
   are chosen among those that worked there in that mode the slot before, so their roster
   row goes on; pairs idle longest are the ones that travel; the rest fill the work counts.
2. Samples, site by site and mode by mode, in time order: each cell takes what its row can
   still carry (``floor(rate x row minutes / 60)`` less what the row already took) until
   the model's total for that site and mode is reached. Since the model counted exact
   rates less one resident per row started, the rows carry every sample the model planned,
   and no later than it planned them.

Work cells left without samples at the end of a row are dropped (the pair pauses), as are
rows with no samples at all. Every choice is deterministic: the same counts give the same
roster.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise
from math import floor

import pandas as pd

from sampler.counts import Counts, TripCount
from sampler.geo import great_circle_km, travel_minutes
from sampler.instance import MODES, Instance
from sampler.plan import PAIR_COLUMNS, TRAVEL, Row, pair_ids, with_breaks


@dataclass
class _Cell:
    """One pair working one slot at one site in one mode."""

    pair: _Pair
    site: int
    mode: str
    slot: int
    start: int  # minute; later than the slot start when the pair arrived during the slot
    end: int
    samples: int = 0


@dataclass
class _Pair:
    id: str
    team: str
    place: int | None = None  # site index; None at the base
    transit_until: int = -1  # arrival slot of the trip under way
    lost: int = 0  # minutes of the arrival slot spent travelling
    arrival_mode: str | None = None  # the mode it must work in its arrival slot
    last: tuple[int, str, int] | None = None  # (site, mode, slot) of the latest work cell
    trips: list[Row] = field(default_factory=list)
    cells: list[_Cell] = field(default_factory=list)

    def idle_since(self) -> int:
        return self.last[2] if self.last else -1


def build_pair_rows(inst: Instance, counts: Counts) -> pd.DataFrame:
    """Every pair's work, travel and break rows, in minutes from the horizon start."""
    pairs = _move_and_work(inst, counts)
    _fill_samples(inst, counts, pairs)
    rows: list[Row] = []
    teams = {t.id: t for t in inst.teams}
    for pair in pairs:
        day = _through_trips(inst, teams[pair.team], pair.trips + _work_rows(inst, pair))
        rows.extend(with_breaks(day))
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)


def _move_and_work(inst: Instance, counts: Counts) -> list[_Pair]:
    """Pass 1: named pairs, their trips and their work cells."""
    slot = inst.slot
    trips_by_crew: dict[int, list[TripCount]] = defaultdict(list)
    for trip in counts.trips:
        trips_by_crew[trip.crew].append(trip)
    work_by_crew: dict[int, dict[tuple[int, str, int], int]] = defaultdict(dict)
    for (c, i, mode, t), n in counts.work.items():
        work_by_crew[c][i, mode, t] = n
    next_pair: dict[int, int] = defaultdict(int)
    everyone: list[_Pair] = []

    for crew in counts.crews:
        team = crew.team
        trips = trips_by_crew.get(crew.index, [])
        needed = sum(tr.pairs for tr in trips if tr.origin is None)
        first = next_pair[team.index]
        next_pair[team.index] += needed
        pairs = [
            _Pair(pid, team.id) for pid in pair_ids(team.id, team.pairs)[first : first + needed]
        ]
        everyone.extend(pairs)
        departing: dict[int, list[TripCount]] = defaultdict(list)
        for trip in trips:
            departing[trip.depart].append(trip)
        work = work_by_crew.get(crew.index, {})
        for t in crew.on_duty():
            t0 = t * slot
            going_on = _keep_on(pairs, crew.index, crew.sites, t, counts.kept)
            for trip in sorted(departing.get(t, []), key=_trip_order):
                for pair in _choose_movers(pairs, trip, t, going_on):
                    pair.place = trip.dest
                    pair.transit_until = trip.arrive
                    pair.lost = trip.minutes % slot
                    pair.arrival_mode = trip.mode
                    site_id = inst.sites[trip.dest].id
                    if trip.minutes > 0:  # a site at the very place needs no trip
                        pair.trips.append(
                            Row(team.id, pair.id, TRAVEL, site_id, t0, t0 + trip.minutes, 0)
                        )
            for i in crew.sites:
                here = [p for p in pairs if p.place == i and p.transit_until <= t]
                landing = {
                    id(p): p.arrival_mode for p in here if p.transit_until == t and p.arrival_mode
                }
                waiting = {
                    id(p) for p in here if p.transit_until == t and p.lost and not p.arrival_mode
                }
                free = [
                    p
                    for p in here
                    if id(p) not in going_on and id(p) not in landing and id(p) not in waiting
                ]
                for mode in MODES:
                    n = work.get((i, mode, t), 0)
                    if n == 0:
                        continue
                    chosen = [p for p in here if going_on.get(id(p)) == (i, mode)]
                    chosen += [p for p in here if landing.get(id(p)) == mode]
                    extra = n - len(chosen)
                    chosen += free[:extra]
                    del free[:extra]
                    if len(chosen) < n:
                        raise AssertionError(f"rostering: {n} pairs should work, {len(chosen)} can")
                    for pair in chosen:
                        lost = pair.lost if pair.transit_until == t else 0
                        pair.cells.append(_Cell(pair, i, mode, t, t0 + lost, t0 + slot))
                        pair.last = (i, mode, t)
    return everyone


def _keep_on(pairs, crew: int, sites, t: int, kept) -> dict[int, tuple[int, str]]:
    """Pairs whose row goes on in slot t (as many as the model keeps), by object id."""
    going_on: dict[int, tuple[int, str]] = {}
    for i in sites:
        for mode in MODES:
            n = kept.get((crew, i, mode, t), 0)
            if n == 0:
                continue
            were = [p for p in pairs if p.last == (i, mode, t - 1)]
            if len(were) < n:
                raise AssertionError(f"rostering: {n} rows should go on, {len(were)} can")
            for pair in were[:n]:
                going_on[id(pair)] = (i, mode)
    return going_on


def _trip_order(trip: TripCount):
    return (trip.origin is not None, -1 if trip.origin is None else trip.origin, trip.dest)


def _choose_movers(pairs: list[_Pair], trip: TripCount, t: int, going_on) -> list[_Pair]:
    """The pairs that make a trip: at its origin, not travelling, not kept at work; those
    idle longest first."""
    if trip.origin is None:
        ready = [p for p in pairs if p.place is None]
    else:
        ready = [
            p
            for p in pairs
            if p.place == trip.origin and p.transit_until < t and id(p) not in going_on
        ]
        # Pairs that worked where they are go first: one that only passed through stays,
        # so that no pair travels on from a site it did not work at.
        ready.sort(key=lambda p: (p.last is None or p.last[0] != p.place, p.idle_since(), p.id))
    if len(ready) < trip.pairs:
        raise AssertionError(f"rostering: {trip.pairs} pairs should leave, {len(ready)} can")
    return ready[: trip.pairs]


def _fill_samples(inst: Instance, counts: Counts, pairs: list[_Pair]) -> None:
    """Pass 2: the model's samples per site and mode, into rows, earliest first."""
    target: dict[tuple[int, str], int] = defaultdict(int)
    for (i, mode, _), n in counts.samples.items():
        target[i, mode] += n
    cells: dict[tuple[int, str], list[_Cell]] = defaultdict(list)
    for pair in pairs:
        for cell in pair.cells:
            cells[cell.site, cell.mode].append(cell)
    rates = {t.id: t for t in inst.teams}
    for key, todo in sorted(target.items()):
        row_minutes: dict[int, int] = {}
        row_taken: dict[int, int] = {}
        previous: dict[int, int] = {}
        for cell in sorted(cells.get(key, []), key=lambda c: (c.slot, c.pair.id)):
            pid = id(cell.pair)
            if previous.get(pid) != cell.slot - 1:
                row_minutes[pid], row_taken[pid] = 0, 0
            previous[pid] = cell.slot
            row_minutes[pid] += cell.end - cell.start
            rate = rates[cell.pair.team].rate(cell.mode)
            room = floor(rate * row_minutes[pid] / 60 + 1e-9) - row_taken[pid]
            cell.samples = max(0, min(room, todo))
            row_taken[pid] += cell.samples
            todo -= cell.samples
        if todo > 0:
            raise AssertionError(
                f"rostering: {todo} samples at {inst.sites[key[0]].id} ({key[1]}) do not fit"
            )


def _work_rows(inst: Instance, pair: _Pair) -> list[Row]:
    """Runs of adjacent cells at one site in one mode, with trailing empty cells dropped."""
    rows: list[Row] = []
    run: list[_Cell] = []

    def close() -> None:
        while run and run[-1].samples == 0:
            run.pop()
        if run:
            site = inst.sites[run[0].site].id
            total = sum(c.samples for c in run)
            rows.append(
                Row(pair.team, pair.id, run[0].mode, site, run[0].start, run[-1].end, total)
            )
        run.clear()

    for cell in pair.cells:
        if run and not (
            cell.site == run[-1].site
            and cell.mode == run[-1].mode
            and cell.slot == run[-1].slot + 1
        ):
            close()
        run.append(cell)
    close()
    return rows


def _through_trips(inst: Instance, team, rows: list[Row]) -> list[Row]:
    """Trips through a site where the pair did no work become one trip to where it works.

    The legs alone would be valid (CONTRACT.md's Rule 4: every move a travel row from where
    the pair is), but a team leader reads one trip more easily, and a direct trip is never
    longer. Legs with no real break between them become one travel row (which lasts at
    least the direct travel time); legs around a break become one direct trip: after the
    break, when the first leg left, or just in time for the work, whichever keeps the day
    within the suit rules. Where none does (the direct trip is longer than a suit stretch
    allows), the legs stay: the pair rests at the site on its way.
    """
    rules = team.rules
    out: list[Row] = []
    place: str | None = None  # where the pair last worked; None: its base
    legs: list[Row] = []
    ordered = sorted(rows, key=lambda r: r.start)

    def flush(rest: list[Row]) -> None:
        if not legs:
            return
        if len(legs) > 1 and all(
            b.start - a.end < rules.min_break_minutes for a, b in pairwise(legs)
        ):
            out.append(legs[0]._replace(site=legs[-1].site, end=legs[-1].end, samples=0))
        elif len(legs) > 1 and not rest:
            pass  # trips at the end of the day, to no work: none at all
        elif len(legs) > 1:
            direct = _travel(inst, team, place, legs[-1].site)
            if direct:  # (else back where it worked: no trip at all)
                next_work = rest[0].start
                # After the break, when the first leg left, or just in time for the work.
                trips = (
                    legs[-1]._replace(start=depart, end=depart + direct, samples=0)
                    for depart in (legs[-1].start, legs[0].start, next_work - direct)
                )
                fits = (
                    trip for trip in trips
                    if legs[0].start <= trip.start and trip.end <= next_work
                    and _suit_ok([*out, trip, *rest], rules)
                )  # fmt: skip
                trip = next(fits, None)
                out.extend([trip] if trip else legs)
        else:
            out.extend(legs)
        legs.clear()

    for k, row in enumerate(ordered):
        if row.activity == TRAVEL:
            legs.append(row)
            continue
        flush(ordered[k:])
        out.append(row)
        place = row.site
    flush([])
    return out


def _suit_ok(rows: list[Row], rules) -> bool:
    """Do a pair's rows (no breaks among them) keep the suit rules: every stretch without a
    pause of ``min_break_minutes`` at most ``max_suit_minutes``, all of them at most
    ``max_work_minutes``?"""
    rows = sorted(rows, key=lambda r: r.start)
    total = 0
    begin = None
    last_end = None
    for row in rows:
        if begin is None or last_end is None or row.start - last_end >= rules.min_break_minutes:
            begin = row.start
        last_end = row.end if last_end is None else max(last_end, row.end)
        if last_end - begin > rules.max_suit_minutes:
            return False
        total += row.end - row.start
    return total <= rules.max_work_minutes


def _travel(inst: Instance, team, origin: str | None, dest: str) -> int:
    """Travel minutes for ``team`` from a site (or its base) to a site."""
    sites = inst.scenario.site_by_id
    a = (team.team.lat, team.team.lon) if origin is None else (sites[origin].lat, sites[origin].lon)
    b = sites[dest]
    km = great_circle_km(a[0], a[1], b.lat, b.lon)
    return int(travel_minutes(km, team.rules.travel_speed_kmh))
