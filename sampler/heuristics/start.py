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
    if planned is None:
        return Start(best)
    kept = best is planned.counts and planned.from_cp
    return Start(best, planned.cp_tried, planned.cp_won, kept)
