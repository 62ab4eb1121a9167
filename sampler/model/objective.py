"""The objective, in CONTRACT order: residents sampled (weighted by site priority), then
done_at, then residents sampled early rather than late, then fewer moves between sites.

CP-SAT solves it in two stages: the first maximises coverage and then done_at together
(one sampled resident outweighs the whole range of done_at, so the order is exact); the
second fixes both and improves timing and moves.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from sampler.instance import WALK_IN
from sampler.model.variables import Variables


def weighted_coverage(v: Variables) -> cp_model.LinearExpr | int:
    """Residents sampled, each weighted by its site's priority."""
    return sum(v.inst.sites[i].site.priority * s for (i, _, _), s in v.samples.items())


def done_slots(v: Variables) -> cp_model.LinearExpr | int:
    """done_at, in slots from the horizon start."""
    return sum(v.active)


def coverage_then_done(v: Variables) -> cp_model.LinearExpr | int:
    """Stage 1, to maximise: coverage first, done_at as the tie-break."""
    return (v.inst.n_slots + 1) * weighted_coverage(v) - done_slots(v)


def move_weight(v: Variables) -> int:
    """What one move between sites costs in the timing objective.

    One pair-slot of walk-in samples, each one slot later: a move is worth making only if
    it brings at least that much sampling forward.
    """
    caps = [v.inst.capacity(t, WALK_IN) for t in v.inst.teams] or [1]
    return max(1, max(caps))


def lateness_and_moves(v: Variables) -> cp_model.LinearExpr | int:
    """Stage 2, to minimise: priority-weighted sample-slots of lateness, plus moves."""
    late = sum(v.inst.sites[i].site.priority * (t + 1) * s for (i, _, t), s in v.samples.items())
    moves = sum(tr.var for tr in v.site_trips())
    return late + move_weight(v) * moves
