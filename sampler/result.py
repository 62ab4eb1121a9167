"""What ``solve`` returns: the plan, how good it is known to be, and how it was found.

:class:`Result` carries the plan, its :class:`Status`, the proven bounds, the sites left
short with the reason each is short, and :class:`SolverStats`, the typed record of the
search that ``plan.json`` reports (written from :meth:`SolverStats.document` alone).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sampler.bound import Bounds
    from sampler.budget import SolveParams
    from sampler.labs import LabPlan
    from sampler.plan import Plan
    from sampler.scenario import Scenario

ENGINE = "ortools CP-SAT (counts) + GLOP (bounds)"


class Status(StrEnum):
    """How good the plan is known to be."""

    OPTIMAL = "optimal"  # everyone sampled, and done_at equals the proven lower bound
    FEASIBLE = "feasible"  # everyone sampled
    PARTIAL = "partial"  # some residents cannot be (or were not) sampled in the horizon


def seconds_since(clock: float) -> float:
    """Wall seconds since ``clock`` (a ``time.perf_counter()`` reading), to the
    millisecond: a step's entry in :attr:`Result.timings`."""
    return round(time.perf_counter() - clock, 3)


@dataclass(frozen=True)
class Shortfall:
    """A site not fully sampled: how many residents, how much work, and why."""

    site: str
    walk_in_short: int
    home_short: int
    pair_hours_short: float
    reason: str


@dataclass(frozen=True)
class Progress:
    """An improving solution, as the live line in the terminal shows it."""

    stage: str
    done_slots: int
    sampled: int
    seconds: float


@dataclass(frozen=True)
class Step:
    """A long step under way, for a progress display: what is being done and, where it can
    be counted, how much of it (``total`` 0: it cannot be). The library reports steps only
    to a callback it is given, so it stays silent otherwise."""

    what: str
    done: int = 0
    total: int = 0


@dataclass(frozen=True)
class StageStats:
    """One round of CP-SAT search."""

    name: str
    status: str
    objective: float
    best_bound: float
    wall_seconds: float
    deterministic_seconds: float
    conflicts: int
    branches: int
    stopped_by_wall_clock: bool


@dataclass(frozen=True)
class PartStats:
    """How a city planned in parts went."""

    parts: int
    part_sites: tuple[int, ...]  # sites per part
    part_done: tuple[int | None, ...]  # each part's own done_at, minutes
    parts_retried: int  # parts planned a second time (with the LP plan, or taking turns)


@dataclass(frozen=True)
class SolverStats:
    """The search behind a plan."""

    model: dict[str, int] = field(default_factory=lambda: {"variables": 0, "constraints": 0})
    crews: int = 0
    stages: tuple[StageStats, ...] = ()
    reproducible: bool = True  # False when a wall-clock guard, not the budget, stopped a round
    lp_solves: int = 0  # LP solves of the bound
    bound_clustered: bool = False  # teams or sites merged in the bound's LP
    pulled_in: int = 0  # slots the finishing step brought the plan's end forward
    afternoon: int = 0  # slots planning the afternoon again brought it (heuristics.refill)
    pairs_left_home: int = 0  # pairs that would only have travelled (or ridden far for little)
    # pairs whose cheap work was traded for dearer residents left: tried, kept
    # (sampler.heuristics.trade)
    trades: dict[str, int] = field(default_factory=dict)
    cp_improved: bool = False  # CP-SAT's counting model made a better plan than its start
    # CP-SAT's posts (sampler.model.posts_model): tried, better than the rounded LP posts,
    # and kept as the start (1) or not (0)
    cp_posts: dict[str, int] = field(default_factory=dict)
    neighbourhoods: dict[str, int] = field(default_factory=dict)  # LNS: solved, improved, ...
    parts: PartStats | None = None

    def document(self, params: SolveParams) -> dict[str, Any]:
        """plan.json's ``solver`` section. Wall-clock seconds are left out: they differ
        from run to run, and the same scenario and seed must give the same bytes."""
        stages = [
            {k: _finite(v) for k, v in asdict(stage).items() if k != "wall_seconds"}
            for stage in self.stages
        ]
        return {
            "engine": ENGINE,
            "seed": params.seed,
            "workers": params.workers,
            "time_limit": params.time_limit,
            "model": self.model,
            "crews": self.crews,
            "lp_solves": self.lp_solves,
            "reproducible": self.reproducible,
            "cp_improved": self.cp_improved,
            "cp_posts": self.cp_posts,
            "neighbourhoods": self.neighbourhoods,
            "trades": self.trades,
            # slots the plan's end was brought forward once planned: by moving the work
            # after it (pull_in) and by planning the afternoon again (afternoon)
            "end_brought_forward": {"pull_in": self.pulled_in, "afternoon": self.afternoon},
            "stages": stages,
        }


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass(frozen=True)
class Result:
    """A solved scenario: the plan, how good it is, and how it was found."""

    scenario: Scenario
    plan: Plan
    status: Status
    bounds: Bounds
    lower_bound_minute: int | None  # on the slot grid (see README: "the lower bound")
    shortfalls: tuple[Shortfall, ...]
    timings: dict[str, float]
    solver: SolverStats
    params: SolveParams
    labs: LabPlan | None = None  # the lab stage, for a scenario with labs (docs/labs.md)

    @property
    def done_minute(self) -> int | None:
        return self.plan.done_minute

    @property
    def gap(self) -> float | None:
        """(done_at - start) / (bound - start) - 1, or None when either is missing."""
        done, bound = self.done_minute, self.lower_bound_minute
        if done is None or bound is None:
            return None
        if bound == 0:
            return 0.0 if done == 0 else math.inf
        return done / bound - 1

    @property
    def results_status(self) -> Status | None:
        """The status of the results (docs/labs.md), as ``status`` is of the sampling:
        partial unless everyone is sampled; optimal when the last result meets its proven
        bound; None without labs."""
        if self.labs is None:
            return None
        done, bound = self.labs.results_done_minute, self.labs.lower_bound_minute
        if not self.plan.complete:
            return Status.PARTIAL
        if bound is not None and done is not None and done <= bound:
            return Status.OPTIMAL
        return Status.FEASIBLE

    def summary(self) -> dict[str, Any]:
        """The headline figures, as plain data (what ``--json`` prints)."""
        sc, plan = self.scenario, self.plan
        at = _stamp(sc)
        teams = plan.team_totals
        return {
            "scenario": sc.scenario,
            "status": str(self.status),
            "residents": sc.total_residents,
            "sampled": plan.sampled,
            "coverage": round(plan.coverage, 6),
            "done_at": at(self.done_minute),
            "lower_bound_done_at": at(self.lower_bound_minute),
            "lower_bound_done_at_continuous": at(self.bounds.done_minute),
            "gap": None if self.gap is None else round(self.gap, 6),
            "upper_bound_sampled": self.bounds.max_sampled,
            "people_used": plan.people_used,
            "people_sent": sum(t.people for t in sc.teams),
            "pairs_left_home": self.solver.pairs_left_home,
            "pairs_traded": self.solver.trades.get("kept", 0),
            "warnings": staffing_warnings(sc),
            "staff_hours": plan.staff_hours,
            "moves": plan.moves,
            "teams": [
                {
                    "team": team_id,
                    "people": int(row.people),
                    "people_used": 2 * int(row.pairs_used),
                    "sampling_hours": round(
                        (row.walk_in_minutes + row.door_to_door_minutes) / 60, 2
                    ),
                    "travel_hours": round(row.travel_minutes / 60, 2),
                    "moves": int(row.moves),
                    "utilisation": _utilisation(sc, team_id, row),
                }
                for team_id, row in teams.iterrows()
            ],
            "sites_short": [
                {
                    "site": s.site,
                    "walk_in_short": s.walk_in_short,
                    "home_short": s.home_short,
                    "pair_hours_short": s.pair_hours_short,
                    "reason": s.reason,
                }
                for s in self.shortfalls
            ],
            **self._lab_summary(),
            "timings": self.timings,
        }

    def _lab_summary(self) -> dict[str, Any]:
        """The lab keys (docs/labs.md), only for a scenario with labs."""
        if self.labs is None:
            return {}
        from sampler.labs.tables import lab_document  # pandas tables: only with labs

        return {
            "results_status": str(self.results_status),
            **lab_document(self.scenario, self.labs),
        }


def staffing_warnings(sc: Scenario) -> list[str]:
    """What the scenario asks that the plan cannot do with its people, said aloud.

    Pairs are two people, so an odd person out is not scheduled and a team of one has no
    roster at all; a command centre that sent three people expects three on the roster.
    """
    warnings = []
    for team in sc.teams:
        if team.people == 1:
            warnings.append(
                f"team {team.id}: 1 person cannot form a pair (swabber + recorder); "
                "the team is not scheduled and has no roster"
            )
        elif team.people % 2:
            pairs = "1 pair" if team.pairs == 1 else f"{team.pairs:,} pairs"
            warnings.append(
                f"team {team.id}: {team.people:,} people form {pairs}; "
                "1 person is not scheduled (pairs are two people)"
            )
    return warnings


def _stamp(sc: Scenario) -> Callable[[int | None], str | None]:
    return lambda m: None if m is None else sc.at(m).strftime("%Y-%m-%d %H:%M")


def _utilisation(sc: Scenario, team_id: str, row) -> float:
    """Sampling pair-minutes over what the team's pairs could work in the day."""
    team = sc.team_by_id[team_id]
    if team.pairs == 0:
        return 0.0
    a, b = sc.available_minutes(team)
    possible = team.pairs * min(b - a, sc.rules(team).max_work_minutes)
    return round((row.walk_in_minutes + row.door_to_door_minutes) / max(possible, 1), 4)


def status_of(plan: Plan, bound_minute: int | None) -> Status:
    """Partial unless everyone is sampled; optimal when done_at meets the proven bound."""
    done = plan.done_minute
    if not plan.complete:
        return Status.PARTIAL
    if bound_minute is not None and done is not None and done <= bound_minute:
        return Status.OPTIMAL
    return Status.FEASIBLE
