"""A dispatcher's plan, built slot by slot: the CP model's warm start, and the plan itself
where the model is too large to search.

Pairs go out at the start of their duty, each to the candidate site whose remaining work is
least covered by the pairs already there or on their way; a pair whose site has nothing
left for it moves on the same way. At a site, walk-in stations are kept staffed while
walk-in residents remain and the other pairs go door to door. Samples follow the model's
own capacity rule, so the result is a feasible solution of the CP model.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from math import ceil

from sampler.instance import DOOR_TO_DOOR, MODES, WALK_IN, Instance
from sampler.model.constraints import model_rate
from sampler.model.cpmodel import Counts, TripCount
from sampler.model.crews import Arc, Crew


@dataclass
class _Pair:
    crew: Crew
    place: int | None = None
    transit_until: int = -1
    lost: int = 0
    last: tuple[int, str, int] | None = None
    trip: list | None = (
        None  # the trip under way: crew, origin, dest, depart, arrive, minutes, mode
    )


@dataclass
class _Site:
    remaining: dict[str, int]
    committed: set[int] = field(default_factory=set)  # ids of pairs there or on their way


def greedy_counts(inst: Instance, crews: tuple[Crew, ...], deadline: int) -> Counts:
    """A feasible solution of the counting model, aiming to finish by slot ``deadline``."""
    sim = _Dispatch(inst, crews, deadline)
    for t in range(inst.n_slots):
        sim.step(t)
    return sim.counts()


class _Dispatch:
    def __init__(self, inst: Instance, crews: tuple[Crew, ...], deadline: int):
        self.inst, self.crews = inst, crews
        self.deadline = max(1, min(deadline, inst.n_slots))
        self.sites = {s.index: _Site({m: s.demand(m) for m in MODES}) for s in inst.sites}
        self.pairs: dict[int, list[_Pair]] = {}
        first_crew: set[int] = set()
        for crew in crews:
            # Every pair of a team follows its first (longest) duty pattern; the CP model
            # may later split them into squads with other break times.
            if crew.team.index in first_crew:
                self.pairs[crew.index] = []
                continue
            first_crew.add(crew.team.index)
            self.pairs[crew.index] = [_Pair(crew) for _ in range(crew.team.pairs)]
        self.on_duty = {c.index: set(c.on_duty()) for c in crews}
        self.arcs_from: dict[tuple[int, int | None], list[Arc]] = defaultdict(list)
        for crew in crews:
            for arc in crew.arcs:
                self.arcs_from[crew.index, arc.origin].append(arc)
        self.work: dict[tuple[int, int, str, int], int] = defaultdict(int)
        self.kept: dict[tuple[int, int, str, int], int] = defaultdict(int)
        self.samples: dict[tuple[int, str, int], int] = defaultdict(int)
        self.trip_log: list[list] = []
        self.stations_used: dict[tuple[int, int], int] = defaultdict(int)

    # -- one slot ---------------------------------------------------------------------------

    def step(self, t: int) -> None:
        for crew in self.crews:
            if t not in self.on_duty[crew.index] or not self.pairs[crew.index]:
                continue
            for pair in self.pairs[crew.index]:
                if pair.transit_until >= t:
                    continue  # on its way, or only just arrived
                if pair.place is None or not self._useful_here(pair):
                    self._send(pair, t)
        for crew in self.crews:
            if t in self.on_duty[crew.index]:
                self._work(crew, t)

    def _useful_here(self, pair: _Pair) -> bool:
        site = self.sites[pair.place]
        team = pair.crew.team
        return any(site.remaining[m] > 0 and team.can(m) for m in MODES)

    def _need(self, site_index: int, team) -> float:
        """Pair-slots of work left at a site (for this team's rates)."""
        site = self.sites[site_index]
        need = 0.0
        for mode in MODES:
            if site.remaining[mode] > 0 and team.can(mode):
                need += site.remaining[mode] / max(1e-9, team.rate(mode) * self.inst.slot / 60)
        return need

    def _supply(self, site_index: int, t: int) -> float:
        """Pair-slots the pairs committed to a site can still give before the deadline."""
        total = 0.0
        for pid in self.sites[site_index].committed:
            pair = self._by_id[pid]
            total += sum(
                1 for s in pair.crew.on_duty() if max(t, pair.transit_until) <= s < self.deadline
            )
        return total

    def _send(self, pair: _Pair, t: int) -> None:
        crew = pair.crew
        if pair.place is not None and self.inst.sites and crew.previous(t) is None:
            return
        best = None
        for arc in self.arcs_from.get((crew.index, pair.place), []):
            landing = crew.arrival(arc, t, self.inst.slot)
            if landing is None:
                continue
            need = self._need(arc.dest, crew.team)
            if need <= 0:
                continue
            site = self.sites[arc.dest]
            stations = self.inst.sites[arc.dest].site.stations
            walk_only = not (crew.team.can(DOOR_TO_DOOR) and site.remaining[DOOR_TO_DOOR] > 0)
            if walk_only and len(site.committed) >= stations:
                continue  # it could not work there: every station is taken
            supply = self._supply(arc.dest, t)
            if walk_only:
                supply = min(supply, stations * max(0, self.deadline - t))
            gap = need - supply
            score = (gap > 0, gap - arc.minutes / self.inst.slot, -arc.minutes, -arc.dest)
            if best is None or score > best[0]:
                best = (score, arc, landing)
        if best is None:
            return
        _, arc, (arrive, lost) = best
        if pair.place is not None:
            self.sites[pair.place].committed.discard(id(pair))
        self.sites[arc.dest].committed.add(id(pair))
        pair.trip = [crew.index, arc.origin, arc.dest, t, arrive, arc.minutes, None]
        self.trip_log.append(pair.trip)
        pair.place, pair.transit_until, pair.lost = arc.dest, arrive, lost

    @property
    def _by_id(self) -> dict[int, _Pair]:
        if not hasattr(self, "_ids"):
            self._ids = {id(p): p for ps in self.pairs.values() for p in ps}
        return self._ids

    def _work(self, crew: Crew, t: int) -> None:
        team = crew.team
        slot = self.inst.slot
        by_site: dict[int, list[_Pair]] = defaultdict(list)
        for pair in self.pairs[crew.index]:
            if pair.place is not None and pair.transit_until <= t:
                by_site[pair.place].append(pair)
        for i, present in sorted(by_site.items()):
            site = self.sites[i]
            stations = self.inst.sites[i].site.stations
            cells: dict[str, list[_Pair]] = {WALK_IN: [], DOOR_TO_DOOR: []}
            # Pairs that were already at it keep their mode first.
            present.sort(key=lambda p: (p.last is None or p.last[:2] != (i, p.last[1]), p.lost))
            wanted = {
                m: ceil(site.remaining[m] / max(1e-9, team.rate(m) * slot / 60))
                if team.can(m) and (crew.index, i, m, t) in self._allowed
                else 0
                for m in MODES
            }
            for pair in present:
                landing = pair.transit_until == t and pair.lost > 0
                modes = [m for m in MODES if (crew.index, i, m, t) in self._allowed]
                mode = self._mode_for(pair, i, t, cells, wanted, stations)
                if mode is None and landing and modes:
                    # A pair landing mid-slot works that slot (the model's rule), even idly.
                    mode = next(
                        (m for m in modes if m != WALK_IN or self.stations_used[i, t] < stations),
                        None,
                    )
                if mode is not None:
                    cells[mode].append(pair)
                    if mode == WALK_IN:
                        self.stations_used[i, t] += 1
                    if landing:
                        pair.trip[6] = mode
            for mode, workers in cells.items():
                if workers:
                    self._sample(crew, i, mode, t, workers)

    @property
    def _allowed(self) -> set[tuple[int, int, str, int]]:
        """(crew, site, mode, slot) cells the model has a work variable for."""
        if not hasattr(self, "_cells"):
            cells = set()
            for crew in self.crews:
                for t in crew.on_duty():
                    for i in crew.sites:
                        site = self.inst.sites[i]
                        if not site.open[0] <= t < site.open[1]:
                            continue
                        for m in MODES:
                            if crew.team.can(m) and site.demand(m) > 0:
                                cells.add((crew.index, i, m, t))
            self._cells = cells
        return self._cells

    def _mode_for(self, pair, i, t, cells, wanted, stations) -> str | None:
        order = list(MODES)
        if pair.last is not None and pair.last[0] == i:
            order.sort(key=lambda m: m != pair.last[1])
        for mode in order:
            if len(cells[mode]) >= wanted[mode]:
                continue
            if mode == WALK_IN and self.stations_used[i, t] >= stations:
                continue
            return mode
        return None

    def _sample(self, crew: Crew, i: int, mode: str, t: int, workers: list[_Pair]) -> None:
        team, slot = crew.team, self.inst.slot
        num, den = model_rate(team.rate(mode))
        scale = 60 * den
        kept = sum(1 for p in workers if p.last == (i, mode, t - 1) and crew.previous(t) == t - 1)
        lost = sum(p.lost for p in workers if p.transit_until == t)
        room = num * (slot * len(workers) - lost) - scale * (len(workers) - kept)
        take = max(0, min(room // scale, self.sites[i].remaining[mode]))
        key = (crew.index, i, mode, t)
        self.work[key] = len(workers)
        if kept:
            self.kept[key] = kept
        self.samples[i, mode, t] += take
        self.sites[i].remaining[mode] -= take
        for pair in workers:
            pair.last = (i, mode, t)

    def counts(self) -> Counts:
        samples = {k: n for k, n in self.samples.items() if n}
        done = 1 + max((t for (_, _, t) in samples), default=-1)
        return Counts(
            self.crews,
            {k: n for k, n in self.work.items() if n},
            samples,
            dict(self.kept),
            _trip_counts(self.trip_log),
            done,
        )


def _trip_counts(log: list[list]) -> tuple[TripCount, ...]:
    """Trips of single pairs, counted by crew, route, departure and mode on arrival."""
    counted: dict[tuple, int] = defaultdict(int)
    for crew, origin, dest, depart, arrive, minutes, mode in log:
        counted[crew, origin, dest, depart, arrive, minutes, mode] += 1

    def order(key: tuple) -> tuple:
        crew, origin, dest, depart, _, _, mode = key
        return (crew, depart, -1 if origin is None else origin, dest, mode or "")

    return tuple(
        TripCount(*key[:6], pairs=counted[key], mode=key[6]) for key in sorted(counted, key=order)
    )
