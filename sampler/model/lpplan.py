"""A time-indexed LP plan, and a dispatcher that carries it out with whole pairs.

The LP (GLOP) is the counting model without the bookkeeping of moves: per crew, candidate
site, mode and slot, how many pairs sample there; crews may be any size; samples are the
exact rates; walk-in stations, open windows, the first trip from the base and the duty
patterns hold. Among the plans that sample everyone by a deadline it prefers early samples
and few changes of place. The dispatcher then follows it slot by slot with named pairs:
pairs go where the plan wants more of their crew than are there or on their way, nearest
first; idle pairs take whatever work is left; samples follow the CP model's own capacity
rule, so the result is a feasible solution of the CP model (its warm start).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ortools.linear_solver import pywraplp

from sampler.instance import MODES, WALK_IN, Instance
from sampler.model.cpmodel import Counts
from sampler.model.crews import Crew
from sampler.model.greedy import _Dispatch, _Pair, _quality

LATENESS = 1e-3  # objective weight of one sample one slot later (coverage weighs 1)


@dataclass(frozen=True)
class LpPlan:
    """Pairs per crew, and pairs per crew, site, mode and slot, as the LP has them."""

    deadline: int
    crew_size: dict[int, float]
    pairs: dict[tuple[int, int, str, int], float]
    sampled: float


def first_work_slot(inst: Instance, crew: Crew, site: int) -> int:
    """The earliest slot a pair of the crew can sample at a site, coming from its base."""
    start = crew.pattern.slots[0]
    return start + int(crew.team.base_travel[site]) // inst.slot


def time_lp(inst: Instance, crews: tuple[Crew, ...], deadline: int) -> LpPlan | None:
    """The LP plan that samples the most residents by slot ``deadline``, early and steady."""
    lp = pywraplp.Solver.CreateSolver("GLOP")
    size = {c.index: lp.NumVar(0, c.team.pairs, f"n{c.index}") for c in crews}
    for team in inst.teams:
        mine = [size[c.index] for c in crews if c.team.index == team.index]
        if mine:
            lp.Add(sum(mine) <= team.pairs)
    x: dict[tuple[int, int, str, int], pywraplp.Variable] = {}
    served: dict[tuple[int, str], list] = defaultdict(list)
    walk_at: dict[tuple[int, int], list] = defaultdict(list)
    lateness = []
    changes = []
    for crew in crews:
        c, team = crew.index, crew.team
        # One more pair at a site than the slot before is a trip: its travel minutes and a
        # new roster row cost samples the LP should not pretend to have.
        trip = sorted(a.minutes for a in crew.arcs if a.origin is not None) or [0]
        change_cost = 1 + team.rate(WALK_IN) * trip[len(trip) // 2] / 60
        previous: dict[int, pywraplp.Variable | None] = {}
        for t in crew.on_duty():
            if t >= deadline:
                break
            busy = []
            for i in crew.sites:
                site = inst.sites[i]
                if t < first_work_slot(inst, crew, i) or not site.open[0] <= t < site.open[1]:
                    continue
                here = []
                for mode in MODES:
                    if not team.can(mode) or site.demand(mode) == 0:
                        continue
                    var = lp.NumVar(0, team.pairs, "")
                    x[c, i, mode, t] = var
                    per_slot = team.rate(mode) * inst.slot / 60
                    served[i, mode].append(per_slot * var)
                    lateness.append((t + 1) * per_slot * site.site.priority * var)
                    if mode == WALK_IN:
                        walk_at[i, t].append(var)
                    here.append(var)
                busy.extend(here)
                if here:
                    change = lp.NumVar(0, lp.infinity(), "")
                    lp.Add(change >= sum(here) - (previous.get(i) or 0))
                    changes.append(change_cost * change)
                    previous[i] = sum(here)
            if busy:
                lp.Add(sum(busy) <= size[c])
    if not x:
        return None
    for (i, _), works in walk_at.items():
        lp.Add(sum(works) <= inst.sites[i].site.stations)
    coverage = []
    for (i, mode), terms in served.items():
        got = lp.NumVar(0, inst.sites[i].demand(mode), "")
        lp.Add(got <= sum(terms))
        coverage.append(inst.sites[i].site.priority * got)
    lp.Maximize(sum(coverage) - LATENESS * sum(lateness) - sum(changes))
    if lp.Solve() not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return None
    pairs = {key: var.solution_value() for key, var in x.items() if var.solution_value() > 1e-6}
    sampled = sum(crews[c].team.rate(m) * inst.slot / 60 * v for (c, _, m, _), v in pairs.items())
    return LpPlan(deadline, {c: v.solution_value() for c, v in size.items()}, pairs, sampled)


def planned_dispatch(inst: Instance, crews: tuple[Crew, ...], plan: LpPlan) -> Counts:
    """Carry out an LP plan with whole, named pairs."""
    sim = _Follow(inst, crews, plan)
    for t in range(inst.n_slots):
        sim.step(t)
    return sim.counts()


def lp_guided_start(
    inst: Instance, crews: tuple[Crew, ...], bound_slot: int, attempts: int = 4
) -> Counts | None:
    """The best dispatch of LP plans with deadlines from the bound on, until one samples
    everyone by its deadline."""
    best: Counts | None = None
    total = sum(s.site.priority * s.site.residents for s in inst.sites)
    deadline = max(1, bound_slot)
    for _ in range(attempts):
        plan = time_lp(inst, crews, deadline)
        if plan is not None:
            counts = planned_dispatch(inst, crews, plan)
            if best is None or _quality(inst, counts) > _quality(inst, best):
                best = counts
            done = _quality(inst, counts)[0] >= total and counts.done_slots <= deadline
            if done:
                break
        if deadline >= inst.n_slots:
            break
        deadline += 1
    return best


class _Follow(_Dispatch):
    """The dispatcher, steered slot by slot by an LP plan."""

    def __init__(self, inst: Instance, crews: tuple[Crew, ...], plan: LpPlan):
        super().__init__(inst, crews, plan.deadline, {}, {})
        self.plan = plan
        by_team: dict[int, list[Crew]] = defaultdict(list)
        for crew in crews:
            by_team[crew.team.index].append(crew)
        for team_crews in by_team.values():
            n = team_crews[0].team.pairs
            sizes = _round_shares([plan.crew_size.get(c.index, 0.0) for c in team_crews], n)
            for crew, k in zip(team_crews, sizes, strict=True):
                self.pairs[crew.index] = [_Pair(crew) for _ in range(k)]
        self.want: dict[tuple[int, int, int], float] = defaultdict(float)
        self.want_mode: dict[tuple[int, int, str, int], float] = defaultdict(float)
        for (c, i, mode, t), v in plan.pairs.items():
            scale = len(self.pairs[c]) / max(plan.crew_size.get(c, 0.0), 1e-9)
            self.want[c, i, t] += v * min(scale, 1.0)
            self.want_mode[c, i, mode, t] += v

    def step(self, t: int) -> None:
        for crew in self.crews:
            if t not in self.on_duty[crew.index] or not self.pairs[crew.index]:
                continue
            stretch = crew.pattern.stretch_of(t)
            if stretch is not None and stretch[0] == t:
                self._take_posts(crew, t, stretch)
            for pair in self.pairs[crew.index]:
                if pair.transit_until >= t:
                    continue
                if pair.place is None or not self._useful_here(pair):
                    self._send(pair, t)
        for crew in self.crews:
            if t in self.on_duty[crew.index] and self.pairs[crew.index]:
                self._work(crew, t)

    def _doable(self, crew: Crew, i: int) -> bool:
        site = self.sites[i]
        return any(site.remaining[m] > 0 and crew.team.can(m) for m in MODES)

    def _take_posts(self, crew: Crew, t: int, stretch: tuple[int, int]) -> None:
        """At the start of a suit stretch, pairs go to the sites where the plan has the
        crew on average over the stretch (whole pairs), staying put where they can."""
        c = crew.index
        pairs = self.pairs[c]
        length = stretch[1] - stretch[0]
        mean = {
            i: sum(self.want.get((c, i, s), 0.0) for s in range(*stretch)) / length
            for i in crew.sites
            if self._doable(crew, i)
        }
        whole = min(len(pairs), round(sum(mean.values())))
        goal = dict(zip(mean, _round_shares(list(mean.values()), whole), strict=True))
        there: dict[int, list[_Pair]] = defaultdict(list)
        for p in pairs:
            if p.place is not None:
                there[p.place].append(p)
        can_leave = crew.previous(t) is not None
        spare: list[_Pair] = [p for p in pairs if p.place is None]
        for i, here in there.items():
            extra = len(here) - goal.get(i, 0)
            if extra > 0 and can_leave:
                spare.extend([p for p in here if p.transit_until < t][:extra])
        short = sorted(
            ((goal[i] - len(there.get(i, [])), i) for i in goal if goal[i] > len(there.get(i, []))),
            key=lambda x: (-x[0], -self.inst.sites[x[1]].site.priority, x[1]),
        )
        for missing, i in short:
            for _ in range(missing):
                choice = self._nearest(spare, crew, i, t)
                if choice is None:
                    break
                pair, arc, landing = choice
                spare.remove(pair)
                self._go(pair, arc, landing, t)

    def _nearest(self, spare: list[_Pair], crew: Crew, dest: int, t: int):
        best = None
        for pair in spare:
            if pair.place == dest:
                continue
            for arc in self.arcs_from.get((crew.index, pair.place), []):
                if arc.dest != dest:
                    continue
                landing = crew.arrival(arc, t, self.slot)
                if landing is None:
                    continue
                key = (arc.minutes, pair.place is not None)
                if best is None or key < best[0]:
                    best = (key, pair, arc, landing)
        return None if best is None else best[1:]

    def _go(self, pair: _Pair, arc, landing, t: int) -> None:
        arrive, lost = landing
        if pair.place is not None:
            self.sites[pair.place].committed.discard(pair)
        self.sites[arc.dest].committed.add(pair)
        pair.trip = [pair.crew.index, arc.origin, arc.dest, t, arrive, arc.minutes, None]
        self.trip_log.append(pair.trip)
        pair.place, pair.transit_until, pair.lost = arc.dest, arrive, lost

    def _mode_for(self, pair, i, t, cells, wanted, stations) -> str | None:
        c = pair.crew.index

        def preference(mode: str) -> tuple:
            same = pair.last is not None and pair.last[:2] == (i, mode)
            planned = self.want_mode.get((c, i, mode, t), 0.0) - len(cells[mode])
            return (planned <= 0, not same, -planned)

        for mode in sorted(MODES, key=preference):
            if len(cells[mode]) >= wanted[mode]:
                continue
            if mode == WALK_IN and self.stations_used[i, t] >= stations:
                continue
            return mode
        return None


def _round_shares(values: list[float], total: int) -> list[int]:
    """Whole numbers in proportion to ``values`` summing to ``total`` (largest remainders)."""
    if not values:
        return []
    mass = sum(values)
    if mass <= 1e-9:
        return [total // len(values) + (j < total % len(values)) for j in range(len(values))]
    exact = [v * total / mass for v in values]
    whole = [int(e) for e in exact]
    order = sorted(range(len(values)), key=lambda j: (-(exact[j] - whole[j]), j))
    for j in order[: total - sum(whole)]:
        whole[j] += 1
    return whole
