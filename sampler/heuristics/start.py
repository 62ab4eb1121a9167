"""The best start: of the dispatchers' plans, the one the CP model starts from (and the plan
itself where the model is too large to search)."""

from __future__ import annotations

from sampler.counts import Counts, quality
from sampler.heuristics.dispatch import Targets, dispatch_data, dispatch_search, greedy_counts
from sampler.heuristics.lp_plan import lp_guided_start
from sampler.instance import Instance
from sampler.model.crews import Crew


def best_start(
    inst: Instance,
    crews: tuple[Crew, ...],
    deadline: int,
    targets: Targets,
    rounds: int = 20,
    lp_plan: bool = True,
) -> Counts:
    """The best of the dispatcher on its own, steered by the bound's team shares, and
    carrying out a time-indexed LP plan; ``rounds`` bounds each local search."""
    data = dispatch_data(inst, crews)
    options = [
        greedy_counts(inst, crews, deadline, data=data),
        dispatch_search(inst, crews, deadline, targets, rounds=rounds, data=data),
    ]
    planned = (
        lp_guided_start(
            inst,
            crews,
            deadline,
            attempts=1 if rounds <= 3 else 2 if rounds < 8 else 3,
            rounds=rounds,
            data=data,
        )
        if lp_plan
        else None
    )
    if planned is not None:
        options.append(planned)
    return max(options, key=lambda c: quality(inst, c))
