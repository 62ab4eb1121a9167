"""The best start: of the dispatchers' plans, the one the CP model starts from (and the plan
itself where the model is too large to search)."""

from __future__ import annotations

from dataclasses import dataclass

from sampler.counts import Counts, quality
from sampler.heuristics.dispatch import Targets, dispatch_data, dispatch_search, greedy_counts
from sampler.heuristics.lp_plan import lp_guided_start
from sampler.instance import Instance
from sampler.model.crews import Crew


@dataclass(frozen=True)
class Start:
    """The start chosen, and what CP-SAT's posts did on the way (see LpStart)."""

    counts: Counts
    cp_posts_tried: int = 0
    cp_posts_won: int = 0
    from_cp_posts: bool = False  # the start kept is the dispatch of CP-SAT's posts
    # The options as good as the one kept but for how late the sites finish in all (the
    # kept one first), each with whether it is the dispatch of CP-SAT's posts: what the
    # counts cannot tell apart, a finished plan can (sampler.solve).
    ties: tuple[tuple[Counts, bool], ...] = ()


def best_start(
    inst: Instance,
    crews: tuple[Crew, ...],
    deadline: int,
    targets: Targets,
    rounds: int = 20,
    lp_plans: int = 3,
    cp_budget: float = 0.0,
    seed: int = 0,
    dispatchers: bool = True,
) -> Start:
    """The best of the dispatcher on its own, steered by the bound's team shares, and
    carrying out up to ``lp_plans`` time-indexed LP plans (0: none; their posts also
    chosen by CP-SAT with ``cp_budget``); ``rounds`` bounds each local search. Without
    ``dispatchers``, the LP plans alone where there are any."""
    data = dispatch_data(inst, crews)
    planned = (
        lp_guided_start(
            inst,
            crews,
            deadline,
            attempts=lp_plans,
            rounds=rounds,
            data=data,
            cp_budget=cp_budget,
            seed=seed,
        )
        if lp_plans > 0
        else None
    )
    options = []
    if dispatchers or planned is None:
        options += [
            greedy_counts(inst, crews, deadline, data=data),
            dispatch_search(inst, crews, deadline, targets, rounds=rounds, data=data),
        ]
    if planned is not None:
        options.append(planned.counts)
    best = max(options, key=lambda c: quality(inst, c, deadline))
    dispatchers_own = [(c, False) for c in options if planned is None or c is not planned.counts]
    if planned is None:
        return Start(best, ties=_ties(inst, deadline, [(best, False), *dispatchers_own]))
    kept = best is planned.counts and planned.from_cp
    ties = _ties(inst, deadline, [(best, kept), *dispatchers_own, *planned.attempts])
    return Start(best, planned.cp_tried, planned.cp_won, kept, ties)


def _ties(inst: Instance, deadline: int, options) -> tuple[tuple[Counts, bool], ...]:
    """Of ``options`` ((counts, from CP-SAT's posts), the kept one first), each once, those
    as good as the first by :func:`quality` but for its last part (how late the sites
    finish in all)."""
    key = quality(inst, options[0][0], deadline)[:-1]
    out: list[tuple[Counts, bool]] = []
    for counts, from_cp in options:
        if quality(inst, counts, deadline)[:-1] == key and all(counts is not c for c, _ in out):
            out.append((counts, from_cp))
    return tuple(out)
