"""``solve(scenario, params) -> Result``: the planner's one entry point.

load -> scenario -> instance -> bounds (LP) -> crews -> CP-SAT counts -> named pairs -> plan.
Infeasibility is a status, never an exception: an impossible scenario still gets the best
partial plan and an account of what is short and why.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import pandas as pd

from sampler.bound import Bounds, compute_bounds
from sampler.decompose import plan_in_parts
from sampler.instance import DOOR_TO_DOOR, WALK_IN, Instance
from sampler.model.cpmodel import CPModel, Progress
from sampler.model.crews import CandidateOptions, build_crews, model_size
from sampler.model.greedy import best_start
from sampler.plan import Plan
from sampler.roster import PAIR_COLUMNS, build_pair_rows
from sampler.scenario import Scenario
from sampler.topup import pull_in, top_up

DETERMINISTIC_PER_SECOND = 0.3
MIN_CP_SECONDS = 2.0  # below this time limit the dispatcher's plan is not polished by CP-SAT
MAX_PULL_PAIRS = 1_500  # the plan's end is brought forward only while fewer work after it
RESCUE_BUDGET = 1.0  # deterministic seconds CP-SAT gets to finish a plan left unfinished


class Status(StrEnum):
    """How good the plan is known to be."""

    OPTIMAL = "optimal"  # everyone sampled, and done_at equals the proven lower bound
    FEASIBLE = "feasible"  # everyone sampled
    PARTIAL = "partial"  # some residents cannot be (or were not) sampled in the horizon


@dataclass(frozen=True)
class SolveParams:
    """How hard and how to search. The same scenario and params give the same plan."""

    time_limit: float = 10.0  # about this many seconds of search (see solver_budget)
    seed: int = 0
    workers: int = 2
    patterns_per_team: int = 3  # duty patterns (squads with their own break times) per team
    candidates: CandidateOptions = field(default_factory=CandidateOptions)
    part_sites: int = 30  # a city is planned in parts of about this many sites
    max_model_variables: int = 60_000  # larger counting models keep the dispatcher's plan

    rounds: int | None = None  # rounds of each local search (None: what the time allows)
    lp_plan: bool = True  # also carry out a time-indexed LP plan (the best start, and dearest)
    rescue: bool = True  # let CP-SAT finish what the dispatcher left, when time is short

    @property
    def solver_budget(self) -> float:
        """CP-SAT's budget in deterministic time, so that the same input gives the same plan.

        On the 2-core machine this project is measured on, one deterministic second of
        CP-SAT's neighbourhood search took 1.7 to 3.6 wall seconds; a third of the limit
        keeps the whole run near it.
        """
        return max(0.1, DETERMINISTIC_PER_SECOND * self.time_limit)


@dataclass(frozen=True)
class Shortfall:
    """A site not fully sampled: how many residents, how much work, and why."""

    site: str
    walk_in_short: int
    home_short: int
    pair_hours_short: float
    reason: str


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
    solver: dict[str, Any]
    params: SolveParams

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
            "timings": self.timings,
        }


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


def solve(
    scenario: Scenario,
    params: SolveParams | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> Result:
    """Plan a scenario. Never raises for an impossible scenario: see ``Result.status``.

    A city larger than ``params.part_sites`` sites by half again is planned in parts
    (:mod:`sampler.decompose`); its lower bound is still the whole city's.
    """
    params = params or SolveParams()
    return _solve(scenario, params, on_progress, in_parts=True)


def solve_whole(scenario: Scenario, params: SolveParams | None = None) -> Result:
    """Plan a scenario as one piece, however large (what each part of a city gets)."""
    return _solve(scenario, params or SolveParams(), None, in_parts=False)


def _solve(scenario, params, on_progress, in_parts: bool) -> Result:
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    inst = Instance(scenario, patterns_per_team=params.patterns_per_team)
    bounds = compute_bounds(inst, curve=in_parts)  # a part's own curve is not reported
    timings["bound"] = _lap(clock)
    bound_minute = _on_grid(bounds.done_minute, inst.slot)

    clock = time.perf_counter()
    if in_parts and len(inst.sites) > 1.5 * params.part_sites and inst.teams:
        deadline = bounds.aim_minute or scenario.horizon_minutes
        rows, solver = plan_in_parts(
            scenario, inst, deadline, params.time_limit, params.seed, params.workers,
            params.part_sites, params.patterns_per_team,
        )  # fmt: skip
    else:
        rows, solver = _plan_whole(inst, bounds, params, on_progress)
    timings["solve"] = _lap(clock)
    clock = time.perf_counter()
    plan, solver["pulled_in"] = _pull_in(Plan(scenario, top_up(scenario, rows)), bound_minute)
    timings["finish"] = _lap(clock)
    solver["lp_solves"] = bounds.lp_solves
    solver["bound_clustered"] = bounds.clustered

    bound_minute = reported_bound(plan, bounds, bound_minute)
    return Result(
        scenario=scenario,
        plan=plan,
        status=status_of(plan, bound_minute),
        bounds=bounds,
        lower_bound_minute=bound_minute,
        shortfalls=tuple(explain_shortfalls(inst, plan, bounds)),
        timings=timings,
        solver=solver,
        params=params,
    )


def _plan_whole(inst, bounds, params, on_progress) -> tuple[pd.DataFrame, dict]:
    """Pair rows from the dispatcher's best start, polished by CP-SAT where it fits; both
    aim at the bounds' ``aim_minute`` (on the slot grid)."""
    crews = build_crews(inst, bounds.allocation, params.candidates)
    counts = None
    model = None
    if crews:
        floor_slots = (_on_grid(bounds.aim_minute, inst.slot) or 0) // inst.slot
        counts = best_start(
            inst,
            crews,
            floor_slots or inst.n_slots,
            bounds.allocation,
            params.rounds or _rounds(inst, params.time_limit),
            params.lp_plan,
        )
        fits = model_size(inst, crews) <= params.max_model_variables
        # With little time, CP-SAT only steps in to finish what the dispatcher left undone
        # where the bound says everyone can be sampled.
        unfinished = bounds.done_minute is not None and sum(counts.samples.values()) < sum(
            s.site.residents for s in inst.sites
        )
        if fits and (params.time_limit >= MIN_CP_SECONDS or (unfinished and params.rescue)):
            model = CPModel(inst, crews)
            budget = max(params.solver_budget, RESCUE_BUDGET if unfinished else 0.0)
            counts = model.solve(
                budget, params.seed, params.workers, floor_slots, counts, on_progress
            )
    rows = build_pair_rows(inst, counts) if counts else pd.DataFrame(columns=PAIR_COLUMNS)
    stages = [vars(s) for s in model.stages] if model else []
    return rows, {
        "model": model.size if model else {"variables": 0, "constraints": 0},
        "crews": len(crews),
        "stages": stages,
        "reproducible": not any(s["stopped_by_wall_clock"] for s in stages),
    }


def reported_bound(plan: Plan, bounds: Bounds, grid_bound: int | None) -> int | None:
    """The lower bound reported with a plan: on the slot grid, unless the plan's work ends
    between slots before it (topped-up work can), when the bound in whole minutes is the
    one that holds."""
    if grid_bound is not None and plan.done_minute is not None and plan.done_minute < grid_bound:
        return bounds.done_minute
    return grid_bound


def _pull_in(plan: Plan, bound_minute: int | None) -> tuple[Plan, int]:
    """The plan's end brought forward slot by slot, while the work after each new end
    finds pairs with time to spare before it; and how many slots that gained."""
    if not plan.complete or plan.done_minute is None or bound_minute is None:
        return plan, 0
    scenario, rows = plan.scenario, plan.rows
    slot = scenario.slot_minutes
    gained = 0
    deadline = (plan.done_minute - 1) // slot * slot
    while deadline >= bound_minute:
        earlier = pull_in(scenario, rows, deadline, MAX_PULL_PAIRS)
        if earlier is None:
            break
        rows, gained, deadline = earlier, gained + 1, deadline - slot
    return (Plan(scenario, rows) if gained else plan), gained


def _rounds(inst: Instance, time_limit: float) -> int:
    """Rounds of local search that fit in half the time limit: one dispatch costs about
    25 microseconds per pair and slot here (measured on the street tier), and there are up
    to three LP plans to improve."""
    dispatch = 25e-6 * max(1, sum(t.pairs for t in inst.teams)) * inst.n_slots
    return max(3, min(20, int(0.5 * time_limit / (3 * dispatch))))


def status_of(plan: Plan, bound_minute: int | None) -> Status:
    """Partial unless everyone is sampled; optimal when done_at meets the proven bound."""
    done = plan.done_minute
    if not plan.complete:
        return Status.PARTIAL
    if bound_minute is not None and done is not None and done <= bound_minute:
        return Status.OPTIMAL
    return Status.FEASIBLE


def _lap(since: float) -> float:
    return round(time.perf_counter() - since, 3)


def _on_grid(minute: int | None, slot: int) -> int | None:
    """The bound rounded up to the slot grid: plans finish their work at slot ends."""
    return None if minute is None else -(-minute // slot) * slot


def explain_shortfalls(inst: Instance, plan: Plan, bounds: Bounds):
    """Each site not fully sampled, with the pair-hours short and the binding limit."""
    totals = plan.site_totals
    teams = inst.teams
    best_rate = {
        mode: max((t.rate(mode) for t in teams if t.can(mode)), default=0.0)
        for mode in (WALK_IN, DOOR_TO_DOOR)
    }
    for site in inst.sites:
        row = totals.loc[site.id]
        walk, home = int(row.walk_in_short), int(row.home_short)
        if walk <= 0 and home <= 0:
            continue
        hours = 0.0
        for short, mode in ((walk, WALK_IN), (home, DOOR_TO_DOOR)):
            rate = best_rate[mode] or getattr(inst.scenario.defaults, f"{mode}_per_hour")
            hours += short / rate
        yield _shortfall(inst, site, walk, home, round(hours, 2), bounds, best_rate)


def _shortfall(inst, site, walk, home, hours, bounds, best_rate) -> Shortfall:
    s = site.site
    open_hours = (site.open[1] - site.open[0]) * inst.slot / 60
    if not inst.teams:
        reason = "no team is sent"
    elif home > 0 and best_rate[DOOR_TO_DOOR] == 0:
        reason = "no team sent is trained for door-to-door sampling"
    elif walk > 0 and s.walk_in_demand > s.stations * open_hours * best_rate[WALK_IN]:
        reason = (
            f"walk-in stations: {s.stations} stations over {open_hours:g} open hours take at "
            f"most {int(s.stations * open_hours * best_rate[WALK_IN])} residents"
        )
    elif site.id in bounds.short_by_site:
        reason = "staff: the teams' pair-hours within reach of this site run out in the horizon"
    else:
        reason = (
            "not reached within the time limit: the lower bound says a plan could sample "
            "more here; try a longer --time-limit"
        )
    return Shortfall(site.id, walk, home, hours, reason)
