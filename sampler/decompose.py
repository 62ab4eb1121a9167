"""Cities in parts: nearby sites grouped into parts, teams' pairs shared out among them by an
LP, each part planned on its own (in parallel worker processes, or on a Dask cluster:
:mod:`sampler.runners`), the plans put together.

The lower bound is not affected: it is computed for the whole city beforehand. Parts do not
exchange pairs during the day, which costs little when parts are a few streets wide and
each team works near its base. Every part gets the same deterministic effort whatever the
number of worker processes, so the plan does not depend on how many run at once.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import partial
from multiprocessing.pool import AsyncResult

import numpy as np
import pandas as pd
from ortools.linear_solver import pywraplp

from sampler.bound import pair_minutes_by, station_minutes
from sampler.budget import SolveParams
from sampler.clusters import kmeans_labels
from sampler.heuristics.lp_plan import round_shares
from sampler.instance import MODES, WALK_IN, Instance, TeamData
from sampler.plan import PAIR_COLUMNS, pair_ids
from sampler.result import PartStats, Result, SolverStats, Step, seconds_since
from sampler.runners import LocalRunner, Runner
from sampler.scenario import Scenario
from sampler.workers import forked_pool

NEAREST_PARTS = 12  # parts each team may be shared out to (the nearest to its base)
# Work at sites that close before the bound's deadline is shared out this many times
# over (so the pairs are shared for a later deadline where it must: the afternoon's work can
# wait, the morning's cannot): a part plans it with fewer pairs than the LP's (trips, whole
# posts), and what it leaves there is lost. Short-hours districts (--time-limit 12, seed 0),
# residents left with 1.0 / 1.35: seed 1 4,536 / 1,845, seed 2 3,557 / 3,183, seed 4
# 4,974 / 2,376; mixed seed 2 646 / 177. (Counting the work at sites that close before
# their part's last closing instead, seed 2 left 2,006 but the others more, 3,450, 3,281
# and 311, and the generated district tier ended a slot later: its 20:00 closings got
# the margin; 1.15, 1.25 and 1.5 on seed 2: 2,742, 2,473, 2,757; as a soft aim at the
# bound's deadline, seed 2 left 4,531.)
EARLY_MARGIN = 1.35
RETRY_SLOTS = 2  # a part planned without the LP plan, this many slots past the bound, gets it
# A city with sites that close before the deadline is split in parts this much smaller
# (20 sites for 30): its parts plan the LP plan at once, whose cost grows faster than a
# part's sites. At --time-limit 12, 10 seeds each (benchmarks.families): the short_hours
# district left 16,199 residents (21,218 with 30; 7 seeds better, 3 worse), wall median
# 15.8 s (17.5); the mixed district 541 (1,109; seeds 3 and 4 no longer finish, 5, 8 and
# 9 now do), 13.0 s (16.8); the mixed city (3 seeds, --time-limit 45) left 547 of
# 34.36 M (287), in 50.8-56.3 s (59.0-60.7). (25 sites, planned in process: short_hours
# 19,646, mixed 1,703.) A city whose sites are open all day (the tiers, late_teams) keeps
# 30: the generator district tier ends 19:30 with 20, 19:00 (optimal) with 30.
CLOSING_PART_SHARE = 2 / 3
# Work at sites that open this many minutes or less after the first of their part counts
# as open from that first opening in the share LP: such a wait costs a pair little of its
# day, and splitting the work by every opening (the mixed family's 08:00 and 09:00) made
# the mixed city's share LPs larger, its split 20.0 and 22.3 s where it took 12.9 and
# 12.6 s (seeds 1 and 2, alone), for the same done_at. Later openings (a heat day's
# 15:00) get their own rows.
LATE_OPENING = 120

# A late part whose first try had the LP plan tries again with its teams taking turns
# among duty patterns (Instance.taking_turns) where some team's suits are this short or
# shorter (minutes): with one pattern a team, every team of a part breaks at once, under
# two-hour suits one slot in five, and stations stand idle then. At --time-limit 12 the
# heat district's seeds 1 and 4 ended at 19:30, not 20:00 (7 the same done_at; seed 8
# left 318 residents, not 16), its retries 3.0 s at the median, not 0.8. Every late part
# so (the short-hours district, 390-minute suits): seeds 3 and 7 ended at 19:00, not 18:30,
# the others the same, for about 5 s more a seed. The whole's three patterns a team
# instead also took heat seed 4 to 19:30, but its retries took 12.5 s where turns take
# 6.7 s.
SHORT_SUIT_MINUTES = 180

# Plans one part as one piece (in a worker process; a module-level function, so that it
# pickles): sampler.solve.solve_whole, handed in by the caller.
PartSolver = Callable[[Scenario, SolveParams], Result]
StepReport = Callable[[Step], None]


@dataclass(frozen=True)
class Part:
    """Sites planned together, and how many pairs of each team work there."""

    sites: tuple[int, ...]
    pairs: dict[int, int]  # team index -> pairs


def split(inst: Instance, deadline: float, part_sites: int, workers: int = 1) -> list[Part]:
    """Parts of about ``part_sites`` sites, and each team's pairs shared out among them in
    proportion to an LP that samples everyone by ``deadline`` (minutes) near the bases.
    With ``workers`` > 1 the share LPs of two deadlines are solved at once (the same
    parts and shares as one at a time)."""
    n_parts = max(1, round(len(inst.sites) / part_sites))
    parts = _balanced(inst.site_latlon, list(range(len(inst.sites))), n_parts, part_sites)
    at = early = int(deadline)
    horizon = inst.scenario.horizon_minutes
    slot = inst.slot
    reach, near = _reach(inst, parts)  # (the same at every deadline)

    with _Probes(_ProbeData(inst, parts, reach, near, early, horizon), workers) as probes:
        ratio_at = probes.ratio
        hi = min(horizon, (at // slot + 1) * slot)
        if ratio_at(at, then=hi) < 1:
            # Parts cannot all be done by the deadline with whole teams near them: share
            # for the earliest deadline on the slot grid by which they can (or for the
            # horizon). Galloping up from the deadline, then bisecting (on the ratio alone:
            # the shares are worked out at the deadline found). Each probe also solves the
            # one that follows if it falls short, when there is a worker for it.
            lo, step = at, slot
            while ratio_at(hi, then=min(horizon, hi + step)) < 1 and hi < horizon:
                lo, hi, step = hi, min(horizon, hi + step), 2 * step
            while hi - lo > slot:
                mid = lo + max(1, (hi - lo) // 2 // slot) * slot
                after = mid + max(1, (hi - mid) // 2 // slot) * slot if hi - mid > slot else None
                if ratio_at(mid, then=after) >= 1:
                    hi = mid
                else:
                    lo = mid
            at = hi
        share = probes.shares(at)
    return [Part(sites, share.get(p, {})) for p, sites in enumerate(parts)]


@dataclass(frozen=True)
class _ProbeData:
    """What every share LP of one split is built from."""

    inst: Instance
    parts: list[tuple[int, ...]]
    reach: np.ndarray
    near: dict[int, list[int]]
    early: int
    horizon: int

    def lp(self, minute: int) -> _ShareLp:
        return _ShareLp(self.inst, self.parts, self.reach, self.near, minute, self.early)

    def keeps(self, minute: int, ratio: float) -> bool:
        """Is this deadline's LP the one the shares may come from?"""
        return ratio >= 1 or minute >= self.horizon


_PROBING: _ProbeData | None = None  # a worker's data, inherited from its parent at fork


def _probe(minute: int) -> tuple[float, dict[int, dict[int, int]] | None]:
    """(In a worker.) The share LP's ratio at a deadline, and its shares where it keeps
    them."""
    assert _PROBING is not None
    share_lp = _PROBING.lp(minute)
    kept = _PROBING.keeps(minute, share_lp.ratio)
    return share_lp.ratio, share_lp.shares() if kept else None


class _Probes:
    """Share LPs by deadline: one at a time here, or (``workers`` > 1, in two worker
    processes forked from this one, which so inherit the data) each with a guess at the
    probe that follows if it falls short, solved meanwhile; a guess not needed is dropped
    unfinished. Each ratio is the same either way (the same LP, solved by GLOP the same
    way), so the split is too. On a mixed city of 2,400 communities (seed 1) the probes of
    50,658 variables took 2.5 s each, and the shares 3.0 s: 11.1 s one after another;
    waiting for both of each pair of probes took 13.9 s (the guess at 19:00, with its
    shares, took 11.0 s)."""

    def __init__(self, data: _ProbeData, workers: int):
        self.data = data
        self.ratios: dict[int, float] = {}
        self.kept: tuple[int, _ShareLp] | None = None  # here: (minute, its LP) for shares
        self.found: dict[int, dict[int, dict[int, int]]] = {}  # in workers: its shares
        self.running: dict[int, AsyncResult] = {}
        self.pool = None
        if workers > 1:
            global _PROBING
            _PROBING = data  # (before the workers fork)
            self.pool = forked_pool(2)

    def __enter__(self) -> _Probes:
        return self

    def __exit__(self, *exc) -> None:
        global _PROBING
        if self.pool is not None:
            self.pool.terminate()  # (guesses still running)
            self.pool.join()
        _PROBING = None

    def ratio(self, minute: int, then: int | None = None) -> float:
        """The ratio at ``minute``; ``then``: the deadline probed next if it falls short."""
        if minute in self.ratios:
            return self.ratios[minute]
        if self.pool is None:
            share_lp = self.data.lp(minute)
            self.ratios[minute] = share_lp.ratio
            if self.data.keeps(minute, share_lp.ratio):
                self.kept = (minute, share_lp)
            return share_lp.ratio
        for m in (minute, then):
            if m is not None and m not in self.ratios and m not in self.running:
                self.running[m] = self.pool.apply_async(_probe, (m,))
        ratio, shares = self.running.pop(minute).get()
        self.ratios[minute] = ratio
        if shares is not None:
            self.found[minute] = shares
        return ratio

    def shares(self, minute: int) -> dict[int, dict[int, int]]:
        """The shares of the LP at ``minute`` (a deadline whose LP keeps them)."""
        if self.pool is None:
            assert self.kept is not None and self.kept[0] == minute
            return self.kept[1].shares()
        return self.found[minute]


def _balanced(latlon: np.ndarray, sites: list[int], n: int, part_sites: int) -> list[tuple]:
    """``n`` clusters of nearby sites, any of more than half again ``part_sites`` split
    further (k-means leaves some much larger than others, and a part's effort grows
    faster than its sites)."""
    labels = kmeans_labels(latlon[sites], n)
    members: dict[int, list[int]] = defaultdict(list)
    for site, label in zip(sites, labels, strict=True):
        members[int(label)].append(site)
    parts: list[tuple] = []
    for label in sorted(members):
        group = members[label]
        if len(group) > 1.5 * part_sites and n > 1:
            parts += _balanced(latlon, group, round(len(group) / part_sites), part_sites)
        else:
            parts.append(tuple(group))
    return parts


class _ShareLp:
    """The share LP for a deadline, solved for its ratio: every part gets the same margin of
    staff over its work by the deadline (the smallest ratio of work to demand, maximised;
    work at sites that close before minute ``early_before`` counts EARLY_MARGIN times).
    ``shares()`` then takes the least travel at 99.9% of it and shares each team's pairs
    out by largest remainders, every pair sent somewhere."""

    def __init__(
        self,
        inst: Instance,
        parts: list[tuple[int, ...]],
        reach: np.ndarray,
        near: dict[int, list[int]],
        deadline: float,
        early_before: int,
    ):
        self.inst, self.reach, self.near = inst, reach, near
        self.lp = lp = pywraplp.Solver.CreateSolver("GLOP")
        self._ratio = lp.NumVar(0, lp.infinity(), "ratio")
        self.h, self.effective = _share_rows(
            inst, parts, deadline, early_before, lp, self._ratio, self.reach, self.near
        )
        objective = lp.Objective()
        objective.SetCoefficient(self._ratio, 1)
        objective.SetMaximization()
        lp.Solve()
        self.ratio = self._ratio.solution_value()

    def shares(self) -> dict[int, dict[int, int]]:
        """Whole pairs per part and team: the least travel at 99.9% of the ratio."""
        self._ratio.SetLb(0.999 * self.ratio)
        objective = self.lp.Objective()
        objective.Clear()
        for (k, p, *_), var in self.h.items():
            objective.SetCoefficient(var, 1 + self.reach[k, p] / 60)
        objective.SetMinimization()
        self.lp.Solve()
        return _whole_pairs(self.inst, self.near, self.h, self.effective)


def _reach(inst: Instance, parts: list[tuple[int, ...]]) -> tuple[np.ndarray, dict[int, list[int]]]:
    """Travel from each base to the nearest site of each part (team x part), and the parts
    each team may be shared out to (:func:`_near_parts`)."""
    demand = np.array(
        [[sum(inst.sites[i].demand(m) for i in p) for m in MODES] for p in parts], dtype=float
    )
    travel = np.array([t.base_travel for t in inst.teams], dtype=float).reshape(len(inst.teams), -1)
    reach = np.stack([travel[:, list(p)].min(axis=1) for p in parts], axis=1)
    near = _near_parts(inst, demand, reach)
    _draw_for_late_openings(inst, parts, reach, near)
    return reach, near


def _near_parts(inst: Instance, demand: np.ndarray, reach: np.ndarray) -> dict[int, list[int]]:
    """The parts each team may go to: its nearest. A part whose candidate teams could not
    give it twice its work (in pair-hours at their rates, all day) — a part far from every
    base, or with home visits and only walk-in teams near — draws the nearest teams that
    can, until they could."""
    near = {
        t.index: [int(p) for p in np.argsort(reach[t.index], kind="stable")[:NEAREST_PARTS]]
        for t in inst.teams
    }
    for p in range(len(demand)):
        for m, mode in enumerate(MODES):
            if demand[p, m] > 0:
                _draw_nearest(inst, near, reach, p, mode, demand[p, m], _day_hours)
    return near


def _day_hours(team: TeamData) -> float:
    """Pair-hours a team has all day."""
    return team.pairs * team.rules.max_work_minutes / 60


def _draw_nearest(
    inst: Instance,
    near: dict[int, list[int]],
    reach: np.ndarray,
    p: int,
    mode: str,
    work: float,
    hours: Callable[[TeamData], float],
) -> None:
    """Part ``p`` draws the teams nearest it that can do ``mode`` and have ``hours`` for
    it, until those it may have could give twice its ``work`` (in pair-hours at their
    mean rate)."""
    capable = [t for t in inst.teams if t.can(mode)]
    rates = [t.rate(mode) for t in capable] or [1]
    need = 2 * work / max(1e-9, float(np.mean(rates)))
    have = sum(hours(t) for t in capable if p in near[t.index])
    for t in sorted(capable, key=lambda t: (reach[t.index, p], t.index)):
        if have >= need:
            break
        if p not in near[t.index] and hours(t) > 0:
            near[t.index].append(p)
            have += hours(t)


def _draw_for_late_openings(
    inst: Instance, parts: list[tuple[int, ...]], reach: np.ndarray, near: dict[int, list[int]]
) -> None:
    """A part's work at sites that open late (more than ``LATE_OPENING`` after its first)
    draws, as :func:`_near_parts` draws for all its work, the nearest teams still at work
    after the opening, until the pair-hours they have after it could give twice that work.
    (Without them the share LP has no pair for that work at any deadline, its ratio is
    zero, and every team's pairs go to its nearest part: a part of an evening-only
    community whose only near team leaves at 14:00.)"""
    sc = inst.scenario
    window, spans = _share_windows(inst, parts)
    for p, sites in enumerate(parts):
        late: dict[int, list[float]] = defaultdict(lambda: [0.0] * len(MODES))
        for i in sites:
            if window[i][0] > spans[p][0]:
                for m, mode in enumerate(MODES):
                    late[window[i][0]][m] += inst.sites[i].demand(mode)
        for opening, work in sorted(late.items()):

            def after(t: TeamData, opening: int = opening, p: int = p) -> float:
                """Pair-hours the team has at the part after the opening."""
                a0, a1 = sc.available_minutes(t.team)
                start = max(a0 + float(reach[t.index, p]), opening)
                return t.pairs * max(0.0, min(a1 - start, t.rules.max_work_minutes)) / 60

            for m, mode in enumerate(MODES):
                if work[m] > 0:
                    _draw_nearest(inst, near, reach, p, mode, work[m], after)


def _share_windows(
    inst: Instance, parts: list[tuple[int, ...]]
) -> tuple[dict[int, tuple[int, int]], list[tuple[int, int]]]:
    """Each site's open window as the share LP counts it (a site that opens within
    ``LATE_OPENING`` of its part's first opening counts as open from then), and each
    part's span (its first opening, its last closing), in minutes."""
    hours = [inst.scenario.open_minutes(site.site) for site in inst.sites]
    spans = [(min(hours[i][0] for i in p), max(hours[i][1] for i in p)) for p in parts]
    window = {
        i: (hours[i][0] if hours[i][0] > spans[p][0] + LATE_OPENING else spans[p][0], hours[i][1])
        for p, sites in enumerate(parts)
        for i in sites
    }
    return window, spans


# (team, part, mode, (opening, closing) minutes of the sites) -> pair-minutes
_Shares = dict[tuple[int, int, int, tuple[int, int]], pywraplp.Variable]


def _share_rows(
    inst: Instance,
    parts: list[tuple[int, ...]],
    deadline: float,
    early_before: int,
    lp: pywraplp.Solver,
    ratio: pywraplp.Variable,
    reach: np.ndarray,
    near: dict[int, list[int]],
) -> tuple[_Shares, dict[tuple[int, int], float]]:
    """The share LP's rows: each part's work in each mode, at the sites open in each
    window, at least ``ratio`` times its demand there (``EARLY_MARGIN`` times where they
    close before ``early_before``); the work at sites that close before the part's last
    closing no more than the pairs sent there can give before it, and the work at sites
    that open after its first opening no more than they can give after it; each team's
    pairs used at most once over its parts; each part's walk-in within its stations'
    minutes. Returns the variables (pair-minutes of work per team, part, mode and open
    window) and the minutes one pair of a team can work in a part."""
    sc = inst.scenario
    h: _Shares = {}
    # Each part's work by the open window of its sites: work at sites that close early
    # must be done by then, with the pair-time the part's pairs have before it; work at
    # sites that open late, after it (a heat day's community open 15:00-21:00 gets
    # nothing from a team that leaves at 14:00: the heat district's seed 4 gave one part
    # 49 such pairs of its 97 for 30,000 residents at three such sites, and the part
    # could not sample them all). A site that opens within LATE_OPENING of its part's
    # first counts as open from then.
    window, spans = _share_windows(inst, parts)
    windows = [sorted({window[i] for i in p}) for p in parts]
    due: dict[tuple[int, tuple[int, int], int], int] = defaultdict(int)
    for p, sites in enumerate(parts):
        for i in sites:
            for m, mode in enumerate(MODES):
                due[p, window[i], m] += inst.sites[i].demand(mode)
    served: dict[tuple[int, tuple[int, int], int], pywraplp.Constraint] = {}
    for p in range(len(parts)):
        for w in windows[p]:
            for m in range(len(MODES)):
                if due[p, w, m] > 0:
                    served[p, w, m] = row = lp.Constraint(0, lp.infinity())  # work - ratio*due
                    early = EARLY_MARGIN if w[1] < early_before else 1.0
                    row.SetCoefficient(ratio, -float(due[p, w, m]) * early)
    # Minutes one pair of a team can work in a part: after the trip there, while the
    # part's sites are open, within the suit rules.
    effective: dict[tuple[int, int], float] = {}
    for team in inst.teams:
        available = sc.available_minutes(team.team)
        row = lp.Constraint(0, team.pairs)  # pairs used, over all parts
        for p in near[team.index]:
            travel = float(reach[team.index, p])
            opens, closes = spans[p]
            # (from arrival, as the aim counts: see pair_minutes_by)
            between = partial(
                pair_minutes_by, team.rules, available, travel, deadline=deadline, trip_worn=False
            )
            minutes = float(between(opens, closes))
            if minutes <= 0:
                continue
            effective[team.index, p] = minutes
            here: list[tuple[tuple[int, int], pywraplp.Variable]] = []  # (window, pair-minutes)
            for w in windows[p]:
                for m, mode in enumerate(MODES):
                    if (p, w, m) not in served or not team.can(mode):
                        continue
                    var = h[team.index, int(p), m, w] = lp.NumVar(0, lp.infinity(), "")
                    served[p, w, m].SetCoefficient(var, team.rate(mode) / 60)
                    row.SetCoefficient(var, 1 / minutes)
                    here.append((w, var))
            # Before each earlier closing, at most what the pairs have before it; after
            # each later opening, what they have after it.
            limits = [
                ({w for w in windows[p] if w[1] <= c}, float(between(opens, c)))
                for c in sorted({w[1] for w in windows[p]})[:-1]
            ]
            limits += [
                ({w for w in windows[p] if w[0] >= o}, float(between(o, closes)))
                for o in sorted({w[0] for w in windows[p]})[1:]
            ]
            for inside, minutes_there in limits:
                part_of_day = max(0.0, minutes_there) / minutes
                cap = lp.Constraint(-lp.infinity(), 0)
                for w, var in here:
                    cap.SetCoefficient(var, (1 if w in inside else 0) - part_of_day)
    walk = MODES.index(WALK_IN)
    walk_terms: dict[int, list] = defaultdict(list)
    for (_, p, m, _), var in h.items():
        if m == walk:
            walk_terms[p].append(var)
    for p, sites in enumerate(parts):
        terms = walk_terms.get(p)
        if terms:
            minutes = 0.0
            for i in sites:
                opens, closes = sc.open_minutes(inst.sites[i].site)
                minutes += float(
                    station_minutes(inst.sites[i].site.stations, opens, closes, deadline)
                )
            row = lp.Constraint(0, minutes)
            for var in terms:
                row.SetCoefficient(var, 1)
    return h, effective


def _whole_pairs(
    inst: Instance,
    near: dict[int, list[int]],
    h: _Shares,
    effective: dict[tuple[int, int], float],
) -> dict[int, dict[int, int]]:
    """Each team's pairs shared out over its parts by largest remainders of the LP's
    pair-minutes (every pair sent somewhere: to its nearest part if the LP sends none)."""
    minutes: dict[tuple[int, int], float] = defaultdict(float)
    for (k, p, *_), var in h.items():
        minutes[k, p] += var.solution_value()
    share: dict[int, dict[int, int]] = defaultdict(dict)
    for team in inst.teams:
        k = team.index
        wants = [minutes.get((k, p), 0.0) / effective.get((k, p), 1.0) for p in near[k]]
        if sum(wants) <= 1e-9:
            wants = [1.0] + [0.0] * (len(near[k]) - 1)
        for p, n in zip(near[k], round_shares(wants, team.pairs), strict=True):
            if n:
                share[p][k] = n
    return share


def part_scenario(scenario: Scenario, inst: Instance, part: Part) -> Scenario:
    """The part as a scenario of its own: its sites, and each team with its share of pairs."""
    data = scenario.model_dump(mode="json", exclude={"sites", "teams"})
    data["sites"] = [scenario.sites[i].model_dump(mode="json") for i in part.sites]
    data["teams"] = [
        {**t.team.model_dump(mode="json", exclude_none=True), "people": 2 * part.pairs[t.index]}
        for t in inst.teams
        if part.pairs.get(t.index)
    ]
    return Scenario.model_validate(data)


def _plan_part(job: tuple[PartSolver, Scenario, SolveParams]) -> tuple[pd.DataFrame, dict]:
    """Plan one part (in a worker process): its pair rows, with its solver figures,
    residents sampled and done_at. (What a part leaves unsampled is topped up on the whole
    city's plan afterwards.)"""
    solve_part, scenario, params = job
    result = solve_part(scenario, params)
    return result.plan.rows, {
        "solver": result.solver,
        "sampled": result.plan.sampled,
        "done_minute": result.done_minute,
    }


def _part_quality(outcome: tuple[pd.DataFrame, dict]) -> tuple:
    """Residents sampled, then the earlier done_at."""
    return (outcome[1]["sampled"], -(outcome[1]["done_minute"] or 10**9))


def _run(jobs: list, runner: Runner, what: str, on_step: StepReport | None) -> list:
    """Every job's outcome, in the jobs' order; ``on_step`` hears of each part done (in the
    order they finish, which only the display sees). The dearest parts are handed out first
    (:func:`_dearest_first`), so that no worker is left alone with a long part at the end;
    each outcome is the same whichever order they run in."""
    step = on_step or (lambda _: None)
    step(Step(what, 0, len(jobs)))
    order = _dearest_first(jobs)
    done = runner.map(
        _plan_part, [jobs[k] for k in order], lambda n, total, _: step(Step(what, n, total))
    )
    outcomes: list = [None] * len(jobs)
    for k, outcome in zip(order, done, strict=True):
        outcomes[k] = outcome
    return outcomes


def _dearest_first(jobs: list) -> list[int]:
    """The jobs' indices, those likely to take longest first: the parts with the LP plan
    (its GLOP solve and the dispatches of its posts: 0.4 to 2.1 s a part of a short-hours
    district at --time-limit 12, against 0.07 to 0.4 s for the dispatchers alone), then by
    sites times pairs (ties in the jobs' order)."""

    def cost(k: int) -> tuple:
        scenario, params = jobs[k][1], jobs[k][2]
        pairs = sum(t.pairs for t in scenario.teams)
        return (-int(params.lp_plan), -len(scenario.sites) * pairs, k)

    return sorted(range(len(jobs)), key=cost)


def plan_in_parts(
    scenario: Scenario,
    inst: Instance,
    deadline: float,
    params: SolveParams,
    solve_part: PartSolver,
    on_step: StepReport | None = None,
    runner: Runner | None = None,
    laps: dict[str, float] | None = None,
) -> tuple[pd.DataFrame, SolverStats]:
    """Pair rows for the whole city, planned part by part with ``solve_part`` (``on_step``
    hears how many parts are done) by ``runner`` (default: ``params.workers`` worker
    processes here; :mod:`sampler.runners`). ``laps``, when given, gets the wall seconds of
    the split, the parts and their second tries (``split``, ``parts``, ``retries``): where a
    city's time goes, for the summary only (never in the plan files)."""
    runner = runner or LocalRunner(params.workers)
    laps = {} if laps is None else laps
    clock = time.perf_counter()
    if on_step:
        on_step(Step("splitting the city into parts"))
    size = part_size(inst, deadline, params.part_sites)
    parts = [p for p in split(inst, deadline, size, params.workers) if p.pairs]
    laps["split"] = seconds_since(clock)
    retry_after = (int(deadline) // inst.slot + 1 + RETRY_SLOTS) * inst.slot
    jobs = [
        (
            solve_part,
            part_scenario(scenario, inst, part),
            _part_params(inst, part, deadline, params.for_part(len(parts), len(part.sites))),
        )
        for part in parts
    ]
    clock = time.perf_counter()
    outcomes = _run(jobs, runner, "planning parts", on_step)
    laps["parts"] = seconds_since(clock)
    # The parts the dispatchers leave unfinished, or finish more than RETRY_SLOTS past the
    # bound, get the LP plan after all (on fewer candidate sites, to keep its LP small);
    # those that had it at once with one duty pattern a team, where suits are short,
    # their teams taking turns among patterns instead; each keeps the better of its plans.
    second = [_second_try(part_params, sc) for _, sc, part_params in jobs]
    late = [
        k
        for k, (_, o) in enumerate(outcomes)
        if second[k] is not None and (o["done_minute"] is None or o["done_minute"] > retry_after)
    ]
    retries = [(solve_part, jobs[k][1], second[k]) for k in late]
    clock = time.perf_counter()
    again = _run(retries, runner, "planning late parts again", on_step) if late else []
    laps["retries"] = seconds_since(clock)
    for k, outcome in zip(late, again, strict=True):
        if _part_quality(outcome) > _part_quality(outcomes[k]):
            outcomes[k] = outcome
    rows = _renumber(inst, parts, [o[0] for o in outcomes])
    solvers = [o[1]["solver"] for o in outcomes]
    stats = SolverStats(
        model={"variables": sum(s.model["variables"] for s in solvers),
               "constraints": sum(s.model["constraints"] for s in solvers)},
        crews=sum(s.crews for s in solvers),
        stages=tuple(stage for s in solvers for stage in s.stages),
        reproducible=all(s.reproducible for s in solvers),
        cp_improved=any(s.cp_improved for s in solvers),
        cp_posts=_summed_posts(solvers),
        parts=PartStats(
            parts=len(parts),
            part_sites=tuple(len(p.sites) for p in parts),
            part_done=tuple(o[1]["done_minute"] for o in outcomes),
            parts_retried=len(late),
        ),
    )  # fmt: skip
    return rows, stats


def _second_try(first: SolveParams, scenario: Scenario) -> SolveParams | None:
    """What a late part's second try gets: the LP plan (:meth:`SolveParams.retry`), or,
    where its first try had the LP plan already with one duty pattern a team and some
    team's suits are short (``SHORT_SUIT_MINUTES``), its teams taking turns among a few
    patterns; None if neither is new to it."""
    if not first.lp_retry:
        return None
    if not first.lp_plan:
        return first.retry()
    short = any(scenario.rules(t).max_suit_minutes <= SHORT_SUIT_MINUTES for t in scenario.teams)
    if short and first.patterns_per_team == 1 and not first.take_turns:
        return replace(first, take_turns=True)
    return None


def _summed_posts(solvers: list[SolverStats]) -> dict[str, int]:
    """CP-SAT's posts over the parts: tried, better than the rounded LP posts, and kept as
    a part's start (each part's 1 or 0), summed; empty where no part tried them."""
    keys = dict.fromkeys(k for s in solvers for k in s.cp_posts)  # (in their order)
    return {k: sum(s.cp_posts.get(k, 0) for s in solvers) for k in keys}


def part_size(inst: Instance, deadline: float, part_sites: int) -> int:
    """Sites per part: ``part_sites``, or ``CLOSING_PART_SHARE`` of it where a site closes
    before the deadline (minutes)."""
    if _closes_early(inst, range(len(inst.sites)), deadline):
        return round(part_sites * CLOSING_PART_SHARE)
    return part_sites


def _closes_early(inst: Instance, sites: Iterable[int], deadline: float) -> bool:
    """Does one of these sites close before the deadline (minutes)?"""
    return any(inst.sites[i].open[1] * inst.slot < deadline for i in sites)


def _part_params(inst: Instance, part: Part, deadline: float, params: SolveParams) -> SolveParams:
    """A part with a site that closes before the deadline is planned with its second try's
    params (the LP plan) at once: the dispatchers alone left every such part of a
    short-hours district unfinished (17 of 17 retried, each better the second time)."""
    closing = _closes_early(inst, part.sites, deadline)
    return params.retry() if closing and params.lp_retry and not params.lp_plan else params


def _renumber(inst: Instance, parts: list[Part], frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Pairs of one team in different parts get distinct ids: part after part."""
    used: dict[str, int] = defaultdict(int)
    out = []
    for part, rows in zip(parts, frames, strict=True):
        if rows.empty:
            for k, n in part.pairs.items():
                used[inst.teams[k].id] += n
            continue
        rows = rows.copy()
        for k, n in sorted(part.pairs.items()):
            team = inst.teams[k]
            local = pair_ids(team.id, n)
            full = pair_ids(team.id, team.pairs)[used[team.id] : used[team.id] + n]
            mine = rows.team == team.id
            rows.loc[mine, "pair"] = rows.loc[mine, "pair"].map(dict(zip(local, full, strict=True)))
            used[team.id] += n
        out.append(rows)
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=PAIR_COLUMNS)
