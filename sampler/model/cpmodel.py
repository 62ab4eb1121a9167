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

from sampler.instance import Instance
from sampler.model import objective
from sampler.model.constraints import add_constraints
from sampler.model.crews import Crew
from sampler.model.variables import Variables

WALL_GUARD = 3.0  # wall-clock limit, as a multiple of the deterministic budget


@dataclass(frozen=True)
class TripCount:
    """Pairs of a crew making one trip."""

    crew: int
    origin: int | None
    dest: int
    depart: int
    arrive: int
    minutes: int
    pairs: int


@dataclass(frozen=True)
class Counts:
    """A solution of the counting model: how many pairs do what, where and when."""

    crews: tuple[Crew, ...]
    work: dict[tuple[int, int, str, int], int]  # (crew, site, mode, slot) -> pairs
    samples: dict[tuple[int, int, str, int], int]  # same key -> residents
    kept: dict[tuple[int, int, str, int], int]  # same key -> pairs whose row goes on
    trips: tuple[TripCount, ...]
    done_slots: int


@dataclass
class StageStats:
    name: str
    status: str
    objective: float
    best_bound: float
    wall_seconds: float
    deterministic_seconds: float
    conflicts: int
    branches: int
    stopped_by_wall_clock: bool


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
        self._best: Counts | None = None

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
        on_solution: Callable[[Progress], None] | None = None,
    ) -> Counts | None:
        """Coverage and done_at first, then lateness and moves; None if nothing found."""
        v = self.vars
        if done_at_least > 0:
            # A proven lower bound: lets CP-SAT stop as soon as a plan reaches it.
            self.model.add(objective.done_slots(v) >= done_at_least)
        first = self._stage(
            "coverage_and_done", objective.coverage_then_done(v), True, 0.65 * budget,
            seed, workers, on_solution,
        )
        if first is None:
            return None
        spent = sum(s.deterministic_seconds for s in self.stages)
        self.model.add(objective.weighted_coverage(v) >= self._value(objective.weighted_coverage(v)))
        self.model.add(objective.done_slots(v) <= first.done_slots)
        self._hint_current()
        second = self._stage(
            "timing_and_moves", objective.lateness_and_moves(v), False,
            max(budget - spent, 0.2 * budget), seed, workers, on_solution,
        )
        return second or first

    # -- internals ------------------------------------------------------------------------

    def _stage(self, name, expr, maximize, budget, seed, workers, on_solution):
        if maximize:
            self.model.maximize(expr)
        else:
            self.model.minimize(expr)
        solver = cp_model.CpSolver()
        p = solver.parameters
        p.random_seed = seed
        p.num_workers = max(1, workers)
        p.interleave_search = True
        p.max_deterministic_time = max(budget, 0.05)
        p.max_time_in_seconds = max(budget, 0.05) * WALL_GUARD + 1.0
        callback = _Progress(self.vars, name, on_solution) if on_solution else None
        started = time.perf_counter()
        status = solver.solve(self.model, callback)
        wall = time.perf_counter() - started
        self._solver = solver
        self.stages.append(
            StageStats(
                name=name,
                status=solver.status_name(status),
                objective=solver.objective_value if status in _FOUND else float("nan"),
                best_bound=solver.best_objective_bound if status in _FOUND else float("nan"),
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
        if status not in _FOUND:
            return None
        self._best = self._read(solver.value)
        return self._best

    def _value(self, expr) -> int:
        return int(self._solver.value(expr))

    def _hint_current(self) -> None:
        self.model.clear_hints()
        proto = self.model.proto
        for index in range(len(proto.variables)):
            var = self.model.get_int_var_from_proto_index(index)
            self.model.add_hint(var, self._solver.value(var))

    def _read(self, value) -> Counts:
        v = self.vars
        work = {k: int(value(x)) for k, x in v.work.items()}
        samples = {k: int(value(x)) for k, x in v.samples.items()}
        kept = {k: n for k, x in v.kept.items() if (n := int(value(x)))}
        trips = tuple(
            TripCount(
                tr.crew.index, tr.arc.origin, tr.arc.dest, tr.depart, tr.arrive,
                tr.arc.minutes, n,
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


@dataclass(frozen=True)
class Progress:
    """An improving solution, as the live line in the terminal shows it."""

    stage: str
    done_slots: int
    sampled: int
    seconds: float


class _Progress(cp_model.CpSolverSolutionCallback):
    """Reports each improving solution's done_at and residents sampled."""

    def __init__(self, v: Variables, stage: str, report: Callable[[Progress], None]):
        super().__init__()
        self.stage, self.report = stage, report
        self.done = objective.done_slots(v)
        self.sampled = sum(v.samples.values())

    def on_solution_callback(self) -> None:
        self.report(
            Progress(self.stage, int(self.value(self.done)), int(self.value(self.sampled)),
                     self.wall_time)
        )
