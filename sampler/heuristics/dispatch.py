"""A dispatcher's plan, built slot by slot: the CP model's warm start, and the plan itself
where the model is too large to search.

The dispatcher follows the LP bound's allocation (pair-minutes per team, site and mode):
pairs go out at the start of their duty to the sites where their team's share of the work
is least covered, and at a site they take the mode their team's share calls for. A pair
whose site has nothing left for it moves to the site whose remaining work is least covered
by the pairs already there or on their way (higher priority first). Walk-in stations are
never over-filled. A pair with nothing left for it at its site or its neighbours goes
farther (the model gets those trips as arcs: :func:`sampler.model.crews.with_trips`).
Samples follow the model's own capacity rule, so the result is a feasible solution of the
CP model.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from math import ceil

import numpy as np

from sampler.counts import Counts, TripCount, quality, site_finish
from sampler.instance import DOOR_TO_DOOR, MODES, WALK_IN, Instance
from sampler.model.constraints import model_rate, sample_room
from sampler.model.crews import Arc, Crew, site_trips

# What trips are counted by: crew, origin, dest, depart, arrive, minutes, mode on arrival.
TripKey = tuple[int, int | None, int, int, int, int, str | None]


@dataclass(slots=True)
class DispatchTrip:
    """One pair's trip: its crew, route, departure and arrival slots, travel minutes, and
    the mode it works in its arrival slot (None until it works there, or if it does not)."""

    crew: int
    origin: int | None  # site index; None: the team's base
    dest: int
    depart: int
    arrive: int
    minutes: int
    mode: str | None = None

    def key(self) -> TripKey:
        """What trips are counted by: everything but the pair."""
        return (
            self.crew,
            self.origin,
            self.dest,
            self.depart,
            self.arrive,
            self.minutes,
            self.mode,
        )


@dataclass(eq=False)
class DispatchPair:
    crew: Crew
    number: int  # within its crew: a stable order for every choice among pairs
    place: int | None = None
    transit_until: int = -1
    lost: int = 0
    last: tuple[int, str, int] | None = None
    trip: DispatchTrip | None = None  # the trip under way


@dataclass
class _Site:
    remaining: dict[str, int]
    committed: set[DispatchPair] = field(default_factory=set)  # pairs there or on their way


Targets = dict[tuple[int, int, str], float]  # (team, site, mode) -> pair-minutes
END_GAME = 6  # slots before a site's end (deadline or closing) when rebalancing starts


def greedy_counts(
    inst: Instance,
    crews: tuple[Crew, ...],
    deadline: int,
    targets: Targets | None = None,
    weights: dict[int, float] | None = None,
    data: DispatchData | None = None,
) -> Counts:
    """A feasible solution of the counting model, aiming to finish by slot ``deadline`` and
    to give each team the share of each site's work that ``targets`` names. ``weights``
    (per site, default 1) make a site's remaining work count for more when pairs choose.
    ``data`` is what every dispatch over these crews shares (built here if not given)."""
    return Dispatcher(inst, crews, deadline, targets or {}, weights or {}, data).run()


def dispatch_search(
    inst: Instance,
    crews: tuple[Crew, ...],
    deadline: int,
    targets: Targets,
    rounds: int = 30,
    data: DispatchData | None = None,
) -> Counts:
    """The dispatcher, re-run with more weight on the sites that finished late (and less on
    those that finished early), keeping the best plan by :func:`quality` against the
    deadline (residents left where a site closes by it, coverage, done_at, how late the
    sites finish in all). Deterministic."""
    weights = {s.index: 1.0 for s in inst.sites}
    best: Counts | None = None
    best_key = None
    for _ in range(max(1, rounds)):
        counts = greedy_counts(inst, crews, deadline, targets, weights, data)
        finish, short = site_finish(inst, counts)
        key = quality(inst, counts, deadline)
        if best_key is None or key > best_key:
            best, best_key = counts, key
        aim = max(deadline, 1)
        late = {i: finish[i] - aim for i in finish if finish[i] > aim or short[i] > 0}
        if not late:
            break
        for i in weights:
            if i in late:
                weights[i] *= 1.0 + 0.15 * (late[i] + (1 if short[i] else 0))
            elif finish.get(i, 0) < aim - 1:
                weights[i] *= 0.97
    assert best is not None  # (at least one round)
    return best


@dataclass
class DispatchData:
    """What every dispatch over the same crews shares: duty slots, trips, work cells."""

    crews: tuple[Crew, ...]
    n_slots: int
    on_duty: dict[int, set[int]]
    arcs_from: dict[tuple[int, int | None], list[Arc]]
    allowed: set[tuple[int, int, str, int]]
    # Per crew, minutes between its candidate sites (for trips beyond the neighbours).
    minutes: dict[int, dict[tuple[int, int], int]] = field(default_factory=dict)
    _left: dict[int, dict[int, list[int]]] = field(default_factory=dict)
    _far: dict[tuple[int, int], list[Arc]] = field(default_factory=dict)

    def far_from(self, crew: Crew, origin: int) -> list[Arc]:
        """Trips from a site to every other candidate site of the crew within a suit
        stretch: for a pair whose neighbours have nothing left for it (a morning-only
        site's pairs, when the sites around it are done)."""
        key = (crew.index, origin)
        if key not in self._far:
            minutes = self.minutes[crew.index]
            self._far[key] = [
                Arc(origin, j, minutes[origin, j])
                for j in crew.sites
                if j != origin and (origin, j) in minutes
            ]
        return self._far[key]

    def trip(self, crew: Crew, origin: int | None, dest: int) -> Arc | None:
        """The crew's trip from ``origin`` to ``dest``: an arc of its own, else a direct
        trip between candidate sites (None if it does not fit a suit stretch)."""
        for arc in self.arcs_from.get((crew.index, origin), []):
            if arc.dest == dest:
                return arc
        if origin is None or (origin, dest) not in self.minutes[crew.index]:
            return None
        return Arc(origin, dest, self.minutes[crew.index][origin, dest])

    def duty_left(self, deadline: int) -> dict[int, list[int]]:
        """Per crew, for each slot t: its on-duty slots from t until the deadline."""
        if deadline not in self._left:
            table = {}
            for crew in self.crews:
                left = [0] * (self.n_slots + 1)
                for t in range(self.n_slots - 1, -1, -1):
                    left[t] = left[t + 1] + (t in self.on_duty[crew.index] and t < deadline)
                table[crew.index] = left
            self._left[deadline] = table
        return self._left[deadline]


def dispatch_data(inst: Instance, crews: tuple[Crew, ...]) -> DispatchData:
    """What every dispatch over these crews shares: build it once and hand it to each."""
    arcs_from: dict[tuple[int, int | None], list[Arc]] = defaultdict(list)
    allowed: set[tuple[int, int, str, int]] = set()
    for crew in crews:
        for arc in crew.arcs:
            arcs_from[crew.index, arc.origin].append(arc)
        for t in crew.on_duty():
            for i in crew.sites:
                site = inst.sites[i]
                if site.open[0] <= t < site.open[1]:
                    for m in MODES:
                        if crew.team.can(m) and site.demand(m) > 0:
                            allowed.add((crew.index, i, m, t))
    return DispatchData(
        crews,
        inst.n_slots,
        {c.index: set(c.on_duty()) for c in crews},
        arcs_from,
        allowed,
        _trips_by_crew(inst, crews),
    )


def _trips_by_crew(inst: Instance, crews: tuple[Crew, ...]) -> dict[int, dict]:
    """Per crew, the trips between its candidate sites (the crews of a team share them)."""
    by_team: dict[int, dict[tuple[int, int], int]] = {}
    for crew in crews:
        if crew.team.index not in by_team:
            by_team[crew.team.index] = site_trips(inst, crew.team, crew.sites)
    return {crew.index: by_team[crew.team.index] for crew in crews}


class Dispatcher:
    """Named pairs sent out slot by slot (see the module docstring); ``run`` gives the
    counts. Subclasses change how a suit stretch starts (:mod:`~sampler.heuristics.posts`)."""

    def __init__(
        self,
        inst: Instance,
        crews: tuple[Crew, ...],
        deadline: int,
        targets: Targets,
        weights: dict[int, float],
        data: DispatchData | None = None,
    ):
        self.inst, self.crews = inst, crews
        self.weight = weights
        self.slot = inst.slot
        self.deadline = max(1, min(deadline, inst.n_slots))
        self.sites = {
            s.index: _Site({m: d for m, d in zip(MODES, inst.demands[s.index], strict=True)})
            for s in inst.sites
        }
        # Team targets, in pair-slots still to give, per site and per (site, mode).
        self.target: dict[tuple[int, int], float] = defaultdict(float)
        self.mode_target: dict[tuple[int, int, str], float] = defaultdict(float)
        for (k, i, mode), minutes in targets.items():
            self.target[k, i] += weights.get(i, 1.0) * minutes / self.slot
            self.mode_target[k, i, mode] += minutes / self.slot
        self.pairs: dict[int, list[DispatchPair]] = {}
        first_crew: set[int] = set()
        for crew in crews:
            # Every pair of a team follows its first (longest) duty pattern; the CP model
            # may later split them into squads with other break times.
            if crew.team.index in first_crew:
                self.pairs[crew.index] = []
                continue
            first_crew.add(crew.team.index)
            self.pairs[crew.index] = [DispatchPair(crew, k) for k in range(crew.team.pairs)]
        self.mean_rate = {
            m: float(np.mean([t.rate(m) for t in inst.teams if t.can(m)] or [1.0])) for m in MODES
        }
        # Teams that cannot go door to door take the walk-in stations first, so that the
        # pairs who can are free for home visits.
        self.work_order = sorted(crews, key=lambda c: (c.team.can(DOOR_TO_DOOR), c.index))
        static = self.data = data if data is not None else dispatch_data(inst, crews)
        self.on_duty = static.on_duty
        self.arcs_from = static.arcs_from
        self.allowed = static.allowed
        self.duty_left = static.duty_left(self.deadline)
        self.work: dict[tuple[int, int, str, int], int] = defaultdict(int)
        self.kept: dict[tuple[int, int, str, int], int] = defaultdict(int)
        self.samples: dict[tuple[int, str, int], int] = defaultdict(int)
        self.trip_log: list[DispatchTrip] = []
        self.stations_used: dict[tuple[int, int], int] = defaultdict(int)
        self._needs: dict[tuple[int, int | None], float] = {}  # see _need

    def run(self) -> Counts:
        """Dispatch the whole day, slot by slot."""
        for t in range(self.inst.n_slots):
            self.step(t)
        return self.counts()

    # -- one slot ---------------------------------------------------------------------------

    def step(self, t: int) -> None:
        for crew in self.crews:
            if t not in self.on_duty[crew.index] or not self.pairs[crew.index]:
                continue
            self._slot_starts(crew, t)
            for pair in self.pairs[crew.index]:
                if pair.transit_until >= t:
                    continue  # on its way, or only just arrived
                if pair.place is None or not self._useful_here(pair, t):
                    self._send(pair, t)
        self._rebalance(t)
        for crew in self.work_order:
            if t in self.on_duty[crew.index] and self.pairs[crew.index]:
                self._work(crew, t)

    def _slot_starts(self, crew: Crew, t: int) -> None:
        """A crew on duty begins slot t, before its pairs are sent (a hook: nothing here)."""

    def _rebalance(self, t: int) -> None:
        """Pairs a site can spare go to sites that will not finish before they close.

        At risk: a site whose work left needs more pair-slots than its pairs can still give
        before it closes. Spare: a pair whose remaining duty its site does not need. Each
        at-risk site, most short first, draws the nearest spare pair that can work there.
        """
        at_risk = []
        for i, site in self.sites.items():
            if not any(site.remaining.values()):
                continue
            if min(self.deadline, self.inst.sites[i].open[1]) - t > END_GAME:
                continue  # far from its end: the plan still has time to make it up
            need = self._need(i, None)
            short = need - self._supply(i, t)
            if short >= 1:
                at_risk.append((-short, i))
        if not at_risk:
            return
        spare: list[DispatchPair] = []
        for i, site in self.sites.items():
            if not site.committed:
                continue
            surplus = self._supply(i, t) - self._need(i, None)
            for pair in sorted(
                site.committed, key=lambda p: (p.last is not None, p.crew.index, p.number)
            ):
                gives = self._gives(pair, t)
                here = pair.place == i and pair.transit_until < t
                on_duty = t in self.on_duty[pair.crew.index] and pair.crew.previous(t) is not None
                if here and on_duty and 0 < gives <= surplus:
                    spare.append(pair)
                    surplus -= gives
        for _, dest in sorted(at_risk):
            short = self._need(dest, None) - self._supply(dest, t)
            while short >= 1 and spare:
                best = None
                for pair in spare:
                    if not self._can_work(pair, dest):
                        continue
                    for arc in self.arcs_from.get((pair.crew.index, pair.place), []):
                        if arc.dest != dest:
                            continue
                        landing = pair.crew.arrival(arc, t, self.slot)
                        if self._lands_closed(dest, landing):
                            continue
                        if best is None or arc.minutes < best[0]:
                            best = (arc.minutes, pair, arc, landing)
                if best is None:
                    break
                _, pair, arc, landing = best
                assert landing is not None  # _lands_closed skips a missing landing
                spare.remove(pair)
                self._move(pair, arc, landing, t)
                short -= self._gives(pair, t)

    def _lands_closed(self, site: int, landing: tuple[int, int] | None) -> bool:
        """No landing, or one in a slot after the site has closed."""
        return landing is None or landing[0] >= self.inst.sites[site].open[1]

    def _can_work(self, pair: DispatchPair, site: int) -> bool:
        remaining = self.sites[site].remaining
        return any(remaining[m] > 0 and pair.crew.team.can(m) for m in MODES)

    def _move(self, pair: DispatchPair, arc: Arc, landing: tuple[int, int], t: int) -> None:
        """Send a pair along an arc, leaving at the start of slot t."""
        arrive, lost = landing
        if pair.place is not None:
            self.sites[pair.place].committed.discard(pair)
        self.sites[arc.dest].committed.add(pair)
        pair.trip = DispatchTrip(pair.crew.index, arc.origin, arc.dest, t, arrive, arc.minutes)
        self.trip_log.append(pair.trip)
        pair.place, pair.transit_until, pair.lost = arc.dest, arrive, lost

    def _useful_here(self, pair: DispatchPair, t: int) -> bool:
        """Is there work the pair can do at its site, which is still open in slot t? (Work
        left at a site that has closed is lost: its pairs move on.)"""
        i = pair.place
        if i is None or t >= self.inst.sites[i].open[1]:
            return False
        site = self.sites[i]
        team = pair.crew.team
        return any(site.remaining[m] > 0 and team.can(m) for m in MODES)

    def _need(self, site_index: int, team) -> float:
        """Pair-slots of work left at a site (at this team's rates; None: the mean rates of
        the teams that can do each mode). Remembered until the site's work changes: pairs
        are sent before any work in a slot, and each asks of many sites."""
        key = (site_index, None if team is None else team.index)
        need = self._needs.get(key)
        if need is None:
            need = self._needs[key] = self._work_left(site_index, team)
        return need

    def _work_left(self, site_index: int, team) -> float:
        site = self.sites[site_index]

        def rate(mode: str) -> float:
            return self.mean_rate[mode] if team is None else team.rate(mode)

        return self.weight.get(site_index, 1.0) * sum(
            site.remaining[m] / max(1e-9, rate(m) * self.slot / 60)
            for m in MODES
            if site.remaining[m] > 0 and (team is None or team.can(m))
        )

    def _gives(self, pair: DispatchPair, t: int) -> int:
        """Pair-slots a pair can still give before the deadline."""
        return self.duty_left[pair.crew.index][max(t, pair.transit_until, 0)]

    def _supply(self, site_index: int, t: int) -> int:
        """Pair-slots the pairs committed to a site can still give there, before the
        deadline and the site's closing."""
        return self._supplies(site_index, t, -1)[0]

    def _supplies(self, site_index: int, t: int, team: int) -> tuple[int, int]:
        """:meth:`_supply` of all the pairs committed to a site, and of one team's (both
        in one pass: a pair weighing its trips asks both of every site; -1: no team)."""
        closes = min(self.deadline, self.inst.sites[site_index].open[1])
        total = mine = 0
        duty_left = self.duty_left
        for p in self.sites[site_index].committed:
            start = max(t, p.transit_until, 0)
            if start < closes:
                left = duty_left[p.crew.index]
                gives = left[start] - left[closes]
                total += gives
                if p.crew.team.index == team:
                    mine += gives
        return total, mine

    def _send(self, pair: DispatchPair, t: int) -> None:
        crew = pair.crew
        if pair.place is not None and crew.previous(t) is None:
            return
        best = self._best_trip(pair, t, self.arcs_from.get((crew.index, pair.place), []))
        if best is None and pair.place is not None:
            # Nothing left for it around here: farther, rather than idle.
            best = self._best_trip(pair, t, self.data.far_from(crew, pair.place))
        if best is None:
            return
        _, arc, landing = best
        self._move(pair, arc, landing, t)

    def _best_trip(self, pair: DispatchPair, t: int, arcs: list[Arc]):
        """(score, arc, landing) of the best trip among ``arcs`` for the pair, or None."""
        crew = pair.crew
        team = crew.team
        best = None
        for arc in arcs:
            need = self._need(arc.dest, team)  # (remembered: the cheapest test first)
            if need <= 0:
                continue
            landing = crew.arrival(arc, t, self.slot)
            if self._lands_closed(arc.dest, landing):
                continue
            site = self.sites[arc.dest]
            data = self.inst.sites[arc.dest].site
            walk_only = not (team.can(DOOR_TO_DOOR) and site.remaining[DOOR_TO_DOOR] > 0)
            if len(site.committed) >= self._room_for(arc.dest, team):
                continue  # it could not work there: every station and home visit is taken
            supply, mine = self._supplies(arc.dest, t, team.index)
            if walk_only:
                supply = min(supply, data.stations * max(0, self.deadline - t))
            gap = need - supply - arc.minutes / self.slot
            share = self.target.get((team.index, arc.dest), 0.0) - mine
            score = (
                share > 0.5,
                data.priority if gap > 0 else 0,
                gap > 0,
                share if share > 0.5 else gap,
                -arc.minutes,
                -arc.dest,
            )
            if best is None or score > best[0]:
                best = (score, arc, landing)
        return best

    def _room_for(self, i: int, team) -> int:
        """Pairs that can work at a site at once: a pair per walk-in station (while walk-in
        residents are left), and as many as its home visits left would keep busy for a
        slot (a site with a few home visits left does not draw every idle pair around)."""
        remaining = self.sites[i].remaining
        room = self.inst.sites[i].site.stations if remaining[WALK_IN] > 0 else 0
        if team.can(DOOR_TO_DOOR) and remaining[DOOR_TO_DOOR] > 0:
            room += ceil(remaining[DOOR_TO_DOOR] / (team.rate(DOOR_TO_DOOR) * self.slot / 60))
        return room

    def _work(self, crew: Crew, t: int) -> None:
        team = crew.team
        by_site: dict[int, list[DispatchPair]] = defaultdict(list)
        for pair in self.pairs[crew.index]:
            if pair.place is not None and pair.transit_until <= t:
                by_site[pair.place].append(pair)
        for i, present in sorted(by_site.items()):
            site = self.sites[i]
            stations = self.inst.sites[i].site.stations
            cells: dict[str, list[DispatchPair]] = {WALK_IN: [], DOOR_TO_DOOR: []}
            # Pairs that were already at it keep their mode first.
            present.sort(key=lambda p: (p.last is None or p.last[0] != i, p.transit_until == t))
            modes = [m for m in MODES if (crew.index, i, m, t) in self.allowed]
            wanted = {
                m: ceil(site.remaining[m] / max(1e-9, team.rate(m) * self.slot / 60))
                if m in modes
                else 0
                for m in MODES
            }
            for pair in present:
                landing = pair.transit_until == t and pair.lost > 0
                mode = self._mode_for(pair, i, t, cells, wanted, stations)
                if mode is not None and not self._worth_starting(pair, i, mode, t):
                    mode = None
                if mode is not None:
                    cells[mode].append(pair)
                    if mode == WALK_IN:
                        self.stations_used[i, t] += 1
                    self.mode_target[team.index, i, mode] -= 1
                    if landing:
                        assert pair.trip is not None  # lost > 0: it arrived by a trip
                        pair.trip.mode = mode  # it works its arrival slot in this mode
            for mode, workers in cells.items():
                if workers:
                    self._sample(crew, i, mode, t, workers)

    def _worth_starting(self, pair: DispatchPair, i: int, mode: str, t: int) -> bool:
        """Does the pair's work in slot t carry the roster row's rounding it may begin?

        A row that begins here is charged one resident for rounding (:func:`sample_room`);
        a pair left with too few minutes of the slot to earn it (it landed late, or samples
        slowly) waits for the next slot, where its row begins instead. Otherwise the slot's
        room would go below zero, and its samples (at least zero) would not pay the charge.
        """
        if pair.last == (i, mode, t - 1) and pair.crew.previous(t) == t - 1:
            return True  # its row goes on: nothing to charge
        rate = pair.crew.team.rate(mode)
        lost = pair.lost if pair.transit_until == t else 0
        scale = 60 * model_rate(rate)[1]
        return sample_room(rate, self.slot, scale, 1, lost, 1, int(lost > 0)) >= 0

    def _mode_for(self, pair, i, t, cells, wanted, stations) -> str | None:
        """Its mode so far, else the one its team's share calls for most; None: it waits."""
        k = pair.crew.team.index

        def preference(mode: str) -> tuple:
            same = pair.last is not None and pair.last[:2] == (i, mode)
            return (not same, -self.mode_target[k, i, mode])

        return self._first_with_room(sorted(MODES, key=preference), i, t, cells, wanted, stations)

    def _first_with_room(self, order, i, t, cells, wanted, stations) -> str | None:
        """The first mode in ``order`` with work wanted and, for walk-in, a free station."""
        for mode in order:
            if len(cells[mode]) >= wanted[mode]:
                continue
            if mode == WALK_IN and self.stations_used[i, t] >= stations:
                continue
            return mode
        return None

    def _sample(self, crew: Crew, i: int, mode: str, t: int, workers: list[DispatchPair]) -> None:
        team, slot = crew.team, self.slot
        scale = 60 * model_rate(team.rate(mode))[1]
        kept = sum(1 for p in workers if p.last == (i, mode, t - 1) and crew.previous(t) == t - 1)
        landing = [p for p in workers if p.transit_until == t and p.lost]
        room = sample_room(
            team.rate(mode),
            slot,
            scale,
            len(workers),
            sum(p.lost for p in landing),
            len(workers) - kept,
            len(landing),
        )
        take = max(0, min(room // scale, self.sites[i].remaining[mode]))
        key = (crew.index, i, mode, t)
        self.work[key] = len(workers)
        if kept:
            self.kept[key] = kept
        self.samples[i, mode, t] += take
        self.sites[i].remaining[mode] -= take
        if take:
            self._needs.clear()
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


def _trip_counts(log: list[DispatchTrip]) -> tuple[TripCount, ...]:
    """Trips of single pairs, counted by crew, route, departure and mode on arrival."""
    counted: dict[TripKey, int] = defaultdict(int)
    for trip in log:
        counted[trip.key()] += 1

    def order(key: TripKey) -> tuple:
        crew, origin, dest, depart, _, _, mode = key
        return (crew, depart, -1 if origin is None else origin, dest, mode or "")

    return tuple(
        TripCount(*key[:6], pairs=counted[key], mode=key[6]) for key in sorted(counted, key=order)
    )
