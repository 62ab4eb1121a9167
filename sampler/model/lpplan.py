"""A time-indexed LP plan, turned into posts that whole pairs take up.

The LP (GLOP) is the counting model without the bookkeeping of moves: per crew, candidate
site, mode and slot, how many pairs sample there; crews may be any size; samples are the
exact rates; walk-in stations, open windows, the first trip from the base and the duty
patterns hold. Among the plans that sample everyone by a deadline it prefers early samples
and few changes of place (a change costs about a trip's worth of samples). Its mean
presence per crew, stretch and site, rounded to whole pairs, gives the posts that the
dispatcher of :mod:`sampler.model.posts` takes up.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ortools.linear_solver import pywraplp

from sampler.instance import MODES, WALK_IN, Instance
from sampler.model.cpmodel import Counts
from sampler.model.crews import Crew
from sampler.model.greedy import _quality
from sampler.model.posts import Posts, improve_posts

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


def lp_posts(inst: Instance, crews: tuple[Crew, ...], plan: LpPlan) -> Posts:
    """Whole-pair posts from an LP plan: per crew and suit stretch, its mean presence at
    each site over the stretch, rounded by largest remainders."""
    by_team: dict[int, list[Crew]] = defaultdict(list)
    for crew in crews:
        by_team[crew.team.index].append(crew)
    size: dict[int, int] = {}
    for team_crews in by_team.values():
        # Every pair is sent, even those the LP could spare: the dispatcher finds them work.
        n = team_crews[0].team.pairs
        shares = [plan.crew_size.get(c.index, 0.0) for c in team_crews]
        for crew, k in zip(team_crews, _round_shares(shares, n), strict=True):
            size[crew.index] = k
    present: dict[tuple[int, int, int], float] = defaultdict(float)
    walking: dict[tuple[int, int, int], float] = defaultdict(float)
    stretch_of: dict[tuple[int, int], int] = {}
    for crew in crews:
        for s, (a, b) in enumerate(crew.pattern.stretches):
            for t in range(a, b):
                stretch_of[crew.index, t] = s
    for (c, i, mode, t), v in plan.pairs.items():
        s = stretch_of[c, t]
        a, b = crews[c].pattern.stretches[s]
        present[c, s, i] += v / (b - a)
        if mode == WALK_IN:
            walking[c, s, i] += v / (b - a)
    at: dict[tuple[int, int, int], int] = {}
    walk: dict[tuple[int, int, int], int] = {}
    for crew in crews:
        c = crew.index
        for s in range(len(crew.pattern.stretches)):
            sites = list(crew.sites)
            means = [present.get((c, s, i), 0.0) for i in sites]
            scale = size[c] / max(sum(means), 1e-9) if sum(means) > 0 else 0.0
            counts = _round_shares([x * scale for x in means], size[c] if sum(means) > 0 else 0)
            for i, n in zip(sites, counts, strict=True):
                if n:
                    at[c, s, i] = n
                    share = walking.get((c, s, i), 0.0) / max(present[c, s, i], 1e-9)
                    walk[c, s, i] = min(n, round(share * n))
    return Posts(plan.deadline, size, at, walk, round(plan.sampled), dict(plan.pairs))


def lp_guided_start(
    inst: Instance, crews: tuple[Crew, ...], bound_slot: int, attempts: int = 3, rounds: int = 20
) -> Counts | None:
    """The best dispatch of LP plans with deadlines from the bound on (each improved by
    moving posts), until one samples everyone by its deadline."""
    best: Counts | None = None
    total = sum(s.site.priority * s.site.residents for s in inst.sites)
    deadline = max(1, bound_slot)
    for _ in range(attempts):
        plan = time_lp(inst, crews, deadline)
        if plan is not None:
            _, counts = improve_posts(inst, crews, lp_posts(inst, crews, plan), rounds)
            if best is None or _quality(inst, counts) > _quality(inst, best):
                best = counts
            if _quality(inst, counts)[0] >= total and counts.done_slots <= deadline:
                break
        if deadline >= inst.n_slots:
            break
        deadline += 1
    return best


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
