"""The CP-SAT model: variables, constraints and objective wired together, solved in stages.

Solving is deterministic for a given seed: the search runs in CP-SAT's interleaved mode
(deterministic whatever the number of workers) and stops on a deterministic-time budget.
A wall-clock guard of a few times that budget protects against a very slow machine; when
it is what stopped a stage, the solution is recorded as possibly not reproducible.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from sampler.counts import Counts, TripCount, better, weighted_coverage, weighted_residents
from sampler.instance import Instance
from sampler.model import objective
from sampler.model.constraints import add_constraints
from sampler.model.crews import Crew
from sampler.model.variables import Variables
from sampler.result import Progress, StageStats

FULL_PROBLEM_WORKERS = (
    "default_lp", "max_lp", "core", "pseudo_costs", "reduced_costs", "no_lp",
    "quick_restart", "quick_restart_no_lp",
)  # fmt: skip
WALL_GUARD = 4.0  # wall-clock limit of a round: this multiple of its deterministic budget...
WALL_SLACK = 10.0  # ...plus these seconds (presolve of a large model costs wall time only)
FIRST_ROUND = 0.25  # deterministic seconds of a stage's first round; each next one doubles
STALL = 1e-3  # a round that improves the objective by less than this (relative) ends a stage


@dataclass
class CPModel:
    """One CP-SAT model over the given crews, with staged solving."""

    inst: Instance
    crews: tuple[Crew, ...]
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    stages: list[StageStats] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.vars = Variables.create(self.model, self.inst, self.crews)
        add_constraints(self.model, self.vars)

    @property
    def size(self) -> dict[str, int]:
        proto = self.model.proto
        return {"variables": len(proto.variables), "constraints": len(proto.constraints)}

    def solve(
        self,
        budget: float,
        seed: int,
        workers: int,
        done_at_least: int = 0,
        start: Counts | None = None,
        on_solution: Callable[[Progress], None] | None = None,
    ) -> Counts | None:
        """Coverage and done_at first, then lateness and moves; None if nothing found.

        ``start`` (a feasible solution) is the first hint; when it already samples everyone
        by ``done_at_least`` (a proven bound), the first stage has nothing left to find.
        """
        v = self.vars
        if done_at_least > 0:
            # A proven lower bound: lets CP-SAT stop as soon as a plan reaches it.
            self.model.add(objective.done_slots(v) >= done_at_least)
        # Nobody is sampled twice: stated once for the whole, so that the search knows the
        # best coverage possible without an LP.
        total = weighted_residents(self.inst)
        self.model.add(objective.weighted_coverage(v) <= total)
        best = start
        if start is not None:
            self.hint(start)
        if (
            start is None
            or weighted_coverage(self.inst, start) < total
            or start.done_slots > done_at_least
        ):
            first = self._stage(
                "coverage_and_done",
                objective.coverage_then_done(v),
                True,
                0.7 * budget,
                seed,
                workers,
                on_solution,
                persist=True,
                target=(self.inst.n_slots + 1) * total - done_at_least,
            )
            if first is not None and better(self.inst, first, best):
                best = first
        if best is None:
            return None
        self.model.add(objective.weighted_coverage(v) >= weighted_coverage(self.inst, best))
        self.model.add(objective.done_slots(v) <= max(best.done_slots, done_at_least))
        self.hint(best)
        spent = sum(s.deterministic_seconds for s in self.stages)
        second = self._stage(
            "timing_and_moves",
            objective.lateness_and_moves(v),
            False,
            max(budget - spent, 0.25 * budget),
            seed,
            workers,
            on_solution,
        )
        return second or best

    # -- internals ------------------------------------------------------------------------

    def _stage(
        self, name, expr, maximize, budget, seed, workers, on_solution, persist=False, target=None
    ):
        """Solve for one objective in rounds, each from the best so far and twice as long as
        the one before, until the budget is spent or a round proves optimality. A round that
        finds nothing better ends the stage, unless ``persist`` (then the next, longer round
        tries again). Reaching ``target`` (a value known to be the best possible) ends it."""
        if maximize:
            self.model.maximize(expr)
        else:
            self.model.minimize(expr)
        chunk = min(FIRST_ROUND, budget)
        best: Counts | None = None
        best_value = self._hinted_objective()
        spent = 0.0
        while spent < budget - 1e-9:
            status, value, counts, used = self._round(
                name, min(chunk, budget - spent), seed, workers, on_solution, target
            )
            spent += max(used, 1e-3)
            chunk *= 2
            if status == cp_model.INFEASIBLE:
                break
            improved = False
            if counts is not None:
                gain = (
                    None if best_value is None else (value - best_value) * (1 if maximize else -1)
                )
                improved = gain is None or gain > STALL * max(1.0, abs(best_value))
                if gain is None or gain > 0:
                    best, best_value = counts, value
                    self.hint(counts)
            reached = target is not None and best_value is not None and best_value >= target
            if status == cp_model.OPTIMAL or reached or (not improved and not persist):
                break
        return best

    def _hinted_objective(self) -> float | None:
        """The objective's value at the current hint, if the hint covers it."""
        proto = self.model.proto
        hint = dict(zip(proto.solution_hint.vars, proto.solution_hint.values, strict=True))
        objective = proto.objective
        try:
            raw = sum(c * hint[v] for v, c in zip(objective.vars, objective.coeffs, strict=True))
        except KeyError:
            return None
        scale = objective.scaling_factor or 1.0
        return (raw + objective.offset) * scale

    def _round(self, name, budget, seed, workers, on_solution, target=None):
        solver = cp_model.CpSolver()
        p = solver.parameters
        p.random_seed = seed
        p.num_workers = max(1, workers)
        p.interleave_search = True
        p.interleave_batch_size = max(1, workers)
        # Improving a good warm start is the job: large-neighbourhood search does it; the
        # full-problem LP workers spend whole seconds per task on models this size.
        p.ignore_subsolvers.extend(FULL_PROBLEM_WORKERS)
        p.max_deterministic_time = max(budget, 0.05)
        p.max_time_in_seconds = max(budget, 0.05) * WALL_GUARD + WALL_SLACK
        callback = _Progress(self.vars, name, on_solution, target)
        started = time.perf_counter()
        status = solver.solve(self.model, callback)
        wall = time.perf_counter() - started
        found = status in _FOUND
        self.stages.append(
            StageStats(
                name=name,
                status=solver.status_name(status),
                objective=solver.objective_value if found else float("nan"),
                best_bound=solver.best_objective_bound if found else float("nan"),
                wall_seconds=round(wall, 3),
                deterministic_seconds=round(solver.deterministic_time, 3),
                conflicts=solver.num_conflicts,
                branches=solver.num_branches,
                stopped_by_wall_clock=(
                    status != cp_model.OPTIMAL
                    and solver.deterministic_time < p.max_deterministic_time * 0.99
                    and wall >= p.max_time_in_seconds * 0.99
                ),
            )
        )
        if not found:
            return status, None, None, solver.deterministic_time
        counts = self._read(solver.value)
        return status, solver.objective_value, counts, solver.deterministic_time

    def hint(self, counts: Counts) -> None:
        """Start the search from a known solution (e.g. the dispatcher's)."""
        v = self.vars
        values: dict[int, int] = {}
        trips = {(t.crew, t.origin, t.dest, t.depart, t.mode): t.pairs for t in counts.trips}
        for tr in v.trips:
            values[tr.var.index] = trips.get(
                (tr.crew.index, tr.arc.origin, tr.arc.dest, tr.depart, tr.mode), 0
            )
        for crew in self.crews:
            c = crew.index
            for t in crew.on_duty():
                before = crew.previous(t)
                for i in crew.sites:
                    here = 0 if before is None else values[v.at[c, i, before].index]
                    here -= sum(values[tr.var.index] for tr in v.leaving(c, i, t))
                    here += sum(values[tr.var.index] for tr in v.arriving(c, i, t))
                    values[v.at[c, i, t].index] = here
        for key, var in v.work.items():
            values[var.index] = counts.work.get(key, 0)
        for key, var in v.kept.items():
            values[var.index] = counts.kept.get(key, 0)
        for sample_key, var in v.samples.items():
            values[var.index] = counts.samples.get(sample_key, 0)
        for t, var in enumerate(v.active):
            values[var.index] = int(t < counts.done_slots)
        self.model.clear_hints()
        for index, value in values.items():
            self.model.add_hint(self.model.get_int_var_from_proto_index(index), value)

    def _read(self, value) -> Counts:
        v = self.vars
        work = {k: int(value(x)) for k, x in v.work.items()}
        samples = {k: int(value(x)) for k, x in v.samples.items()}
        kept = {k: n for k, x in v.kept.items() if (n := int(value(x)))}
        trips = tuple(
            TripCount(
                tr.crew.index,
                tr.arc.origin,
                tr.arc.dest,
                tr.depart,
                tr.arrive,
                tr.arc.minutes,
                n,
                tr.mode,
            )
            for tr in v.trips
            if (n := int(value(tr.var))) > 0
        )
        done = sum(int(value(a)) for a in v.active)
        return Counts(
            self.crews,
            {k: n for k, n in work.items() if n},
            {k: n for k, n in samples.items() if n},
            kept,
            trips,
            done,
        )


_FOUND = (cp_model.OPTIMAL, cp_model.FEASIBLE)


class _Progress(cp_model.CpSolverSolutionCallback):
    """Reports each improving solution's done_at and residents sampled; stops the search
    once a solution reaches a value known to be optimal."""

    def __init__(
        self,
        v: Variables,
        stage: str,
        report: Callable[[Progress], None] | None,
        target: float | None,
    ):
        super().__init__()
        self.stage, self.report, self.target = stage, report, target
        self.done = objective.done_slots(v)
        self.sampled = sum(v.samples.values())

    def on_solution_callback(self) -> None:
        if self.target is not None and self.objective_value >= self.target:
            self.stop_search()  # provably the best: the rest of the budget is not needed
        if self.report is None:
            return
        self.report(
            Progress(
                self.stage,
                int(self.value(self.done)),
                int(self.value(self.sampled)),
                self.wall_time,
            )
        )
