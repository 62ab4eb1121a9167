"""Posts chosen by CP-SAT: whole pairs per crew, suit stretch, site and mode.

The time-indexed LP plan (:mod:`sampler.heuristics.lp_plan`) says how many pairs, in
fractions, sample where in each slot; rounding its mean presence per stretch to whole
pairs loses what the fractions meant (a site half-staffed all morning and a site fully
staffed for half of it round alike). Here CP-SAT chooses the whole-pair posts itself, from
the rounded ones as its hint:

- a pair posted at a site for a stretch samples there at its team's rate in every slot of
  the stretch the site is open, from its arrival (the trip from the base before the first
  stretch; moves between stretches happen in the break) until the deadline;
- a crew posts at most its pairs in each stretch; walk-in posts at a site never outnumber
  its stations in any slot;
- a site's residents are sampled at most once, walk-in and at home apart;
- the objective: priority-weighted residents sampled, less a pair's move between stretches
  (about a trip's worth of samples).

The dispatcher then takes the posts up slot by slot as it does the rounded ones.
"""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from sampler.instance import MODES, WALK_IN, Instance, samples_in
from sampler.model.crews import Crew

MOVE_COST = 20  # samples one move between stretches costs in the objective


def choose_posts(
    inst: Instance,
    crews: tuple[Crew, ...],
    deadline: int,
    size: dict[int, int],
    hint_at: dict[tuple[int, int, int], int],
    hint_walk: dict[tuple[int, int, int], int],
    budget: float,
    seed: int,
) -> tuple[dict[tuple[int, int, int], int], dict[tuple[int, int, int], int]] | None:
    """(pairs posted, of them walk-in) per (crew, stretch, site), or None when CP-SAT finds
    nothing better than the hint within ``budget`` deterministic seconds."""
    model = cp_model.CpModel()
    posts: dict[tuple[int, int, int, str], cp_model.IntVar] = {}
    supply: dict[tuple[int, str], list] = defaultdict(list)
    walk_in_slots: dict[tuple[int, int], list] = defaultdict(list)
    for crew in crews:
        c, team = crew.index, crew.team
        n = size.get(c, 0)
        if n <= 0:
            continue
        for s, (a, b) in enumerate(crew.pattern.stretches):
            in_stretch = []
            for i in crew.sites:
                site = inst.sites[i]
                arrive = a + int(team.base_travel[i]) // inst.slot if s == 0 else a
                slots = range(max(arrive, site.open[0]), min(b, site.open[1], deadline))
                if not slots:
                    continue
                for mode in MODES:
                    if not team.can(mode) or site.demand(mode) == 0:
                        continue
                    var = posts[c, s, i, mode] = model.new_int_var(0, n, "")
                    in_stretch.append(var)
                    supply[i, mode].append(
                        (samples_in(team.rate(mode), len(slots) * inst.slot), var)
                    )
                    if mode == WALK_IN:
                        for t in slots:
                            walk_in_slots[i, t].append(var)
            if in_stretch:
                model.add(sum(in_stretch) <= n)
    if not posts:
        return None
    weighted = []
    for (i, mode), terms in supply.items():
        site = inst.sites[i]
        got = model.new_int_var(0, site.demand(mode), "")
        model.add(got <= sum(cap * var for cap, var in terms))
        weighted.append(site.site.priority * got)
    for (i, _), terms in walk_in_slots.items():
        model.add(sum(terms) <= inst.sites[i].site.stations)
    moves = []
    for crew in crews:
        for s in range(1, len(crew.pattern.stretches)):
            for i in crew.sites:
                now = [posts[k] for m in MODES if (k := (crew.index, s, i, m)) in posts]
                before = [posts[k] for m in MODES if (k := (crew.index, s - 1, i, m)) in posts]
                if now:
                    move = model.new_int_var(0, size.get(crew.index, 0), "")
                    model.add(move >= sum(now) - sum(before))
                    moves.append(move)
    model.maximize(sum(weighted) - MOVE_COST * sum(moves))
    for (c, s, i, mode), var in posts.items():
        walk = hint_walk.get((c, s, i), 0)
        model.add_hint(var, walk if mode == WALK_IN else hint_at.get((c, s, i), 0) - walk)
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.random_seed = seed
    p.num_workers = 1
    p.max_deterministic_time = budget
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    at: dict[tuple[int, int, int], int] = defaultdict(int)
    walk_posts: dict[tuple[int, int, int], int] = {}
    for (c, s, i, mode), var in posts.items():
        value = int(solver.value(var))
        if value:
            at[c, s, i] += value
            if mode == WALK_IN:
                walk_posts[c, s, i] = value
    return dict(at), walk_posts
