"""Pacing: the sampling plan changed for the labs (docs/labs.md, "Pacing").

Samples taken faster than the labs test them wait in a queue; a swab that waits there long
misses the results target although its result is out no later than it would be anyway.
Pacing takes such work later: a pair's last suit stretch (the rows after its last pause of
at least ``min_break_minutes``; its whole day if it has none) starts later, by whole
slots, as far as the horizon, the team's hours and the open windows of the sites it works
there allow, and only where the sites' stations still hold. Every row of the stretch moves
by the same minutes and the pause before it grows, so the stretch, the suit rule, the day's
work and travel, the trips and the samples are what they were: the plan stays valid by
construction (and ``sampler check`` says so).

A change is kept only when the exact lab stage (:func:`sampler.labs.stage.route`) says it
is better by the objectives in order: fewer samples outside the target, then the earlier
last result, then the earlier done_at. Pairs with the most room go first; on a large plan
they go in groups, so that the number of routings, which the budget below bounds in
collections routed (not in seconds: the same input gives the same plan on any machine),
covers every pair. Without a target, or when every sample meets it, nothing is changed: a
later swab never gets a tube's result out sooner.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from sampler.instance import DOOR_TO_DOOR, WALK_IN
from sampler.labs.hours import LabHours
from sampler.labs.stage import LabPlan, Pacing, courier_minutes, route
from sampler.plan import BREAK, Plan

BUDGET = 300_000  # collections run through the lab stage, over all candidate plans
PASSES = 3  # rounds over every pair, while a round keeps a change
NEVER = 10**9  # the score of a done_at or result that does not exist


@dataclass(frozen=True)
class _Tail:
    """A pair's suit stretches from one to the end of its day: their rows (positions in the
    plan's rows), the pause row before them (-1: from the start of the day), how many
    minutes later they may start at most (whole slots) and the sites worked in them."""

    pair: str
    rows: np.ndarray
    pause: int
    room: int
    sites: frozenset[str]
    depth: int  # 0: the last stretch alone; 1: with the one before; ...


def pace(plan: Plan, hours: Sequence[LabHours]) -> tuple[Plan, LabPlan]:
    """The plan paced for the labs and its lab stage (``lower_bound_minute`` not set)."""
    travel = courier_minutes(plan.scenario)  # (the same for every plan routed here)
    labs = route(plan, hours, travel)
    unmet = _unmet(labs)
    before = Pacing(
        unmet_before=unmet, results_before=labs.results_done_minute, done_before=plan.done_minute
    )
    if plan.scenario.results_target is None or unmet == 0 or not plan.complete:
        return plan, replace(labs, pacing=before)
    given, given_labs = plan, labs
    plan = Plan(plan.scenario, plan.rows.reset_index(drop=True))  # rows by position
    best = _score(plan, labs)
    spent, routed = 0, 0
    start = plan.rows[["start", "end"]].to_numpy(np.int64)
    original = start.copy()
    walk_in = _walk_in_rows(plan)
    for _ in range(PASSES):
        tails = _tails(plan)
        if not tails:
            break
        per_route = max(1, len(labs.collections))
        groups = max(1, min(len(tails), (BUDGET - spent) // per_route // 2))
        kept = False
        moved_pairs: set[str] = set()  # this round's: their other tails' room is stale
        for group in np.array_split(np.arange(len(tails)), groups):
            chosen = _one_per_pair([tails[i] for i in group], moved_pairs)
            if not chosen:
                continue
            for delay in _delays(chosen, plan.scenario.slot_minutes):
                if spent + per_route > BUDGET:
                    break
                moved = _within_stations(plan, start, chosen, delay, walk_in)
                if not moved:
                    continue
                times = _delayed(start, moved, delay)
                candidate = Plan(plan.scenario, _with_times(plan.rows, times))
                routed += 1
                spent += per_route
                trial = route(candidate, hours, travel)
                score = _score(candidate, trial)
                if score < best:
                    plan, labs, best, start, kept = candidate, trial, score, times, True
                    moved_pairs.update(t.pair for t in moved)
                    break
        if not kept or spent + per_route > BUDGET:
            break
    if (start == original).all():
        return given, replace(given_labs, pacing=replace(before, routed=routed))
    moved_by = (start - original)[:, 0]
    delayed = plan.rows.pair[moved_by > 0]
    pacing = replace(
        before,
        pairs_delayed=int(delayed.nunique()),
        pair_minutes=int(pd.Series(moved_by[moved_by > 0]).groupby(delayed.to_numpy()).max().sum()),
        routed=routed,
    )
    return plan, replace(labs, pacing=pacing)


def _one_per_pair(tails: Sequence[_Tail], moved: set[str]) -> list[_Tail]:
    """The group's tails, the first of each pair only (two of one pair would move its last
    stretch twice) and none of a pair already moved this round."""
    seen = set(moved)
    out = []
    for t in tails:
        if t.pair not in seen:
            seen.add(t.pair)
            out.append(t)
    return out


def _unmet(labs: LabPlan) -> int:
    """Samples whose results miss the target."""
    pairs = zip(labs.collections, labs.within_target, strict=True)
    return sum(c.samples for c, ok in pairs if not ok)


def _score(plan: Plan, labs: LabPlan) -> tuple[int, int, int]:
    """The objectives after everyone sampled, in order: samples outside the target, the
    last result, done_at (smaller is better)."""
    last = labs.results_done_minute
    done = plan.done_minute
    return (_unmet(labs), NEVER if last is None else last, NEVER if done is None else done)


def _tails(plan: Plan) -> list[_Tail]:
    """Every pair's suit stretches from each one to the end of its day (its last stretch
    alone, then with the one before, ... then its whole day) with room to start later and
    samples in them: last stretches first, those with the most room first, then by pair."""
    sc = plan.scenario
    rows = plan.rows.sort_values(["pair", "start"], kind="stable")
    position = rows.index.to_numpy()
    pair, team, site = (rows[c].to_numpy() for c in ("pair", "team", "site"))
    activity = rows.activity.to_numpy()
    start, end = rows.start.to_numpy(np.int64), rows.end.to_numpy(np.int64)
    work = np.isin(activity, [WALK_IN, DOOR_TO_DOOR])
    sampled = work & (rows.samples.to_numpy() > 0)
    brk = np.where(activity == BREAK, end - start, -1)
    slot = sc.slot_minutes
    teams = {
        t.id: (sc.rules(t).min_break_minutes, min(sc.horizon_minutes, sc.available_minutes(t)[1]))
        for t in sc.teams
    }
    closes = {s.id: sc.open_minutes(s)[1] for s in sc.sites}
    edges = [0, *(np.flatnonzero(pair[1:] != pair[:-1]) + 1).tolist(), len(pair)]
    out = []
    for a, b in itertools.pairwise(edges):
        min_break, limit = teams[team[a]]
        pauses = np.flatnonzero(brk[a:b] >= min_break)
        for depth, first in enumerate([*(int(k) + a + 1 for k in pauses[::-1]), a]):
            if not sampled[first:b].any():
                continue
            sites = frozenset(str(x) for x in site[first:b][work[first:b]])
            most = min([limit, *(closes[x] for x in sites)])
            room = (most - int(end[first:b].max())) // slot * slot
            if room <= 0:
                break  # an earlier start has no more room
            out.append(
                _Tail(
                    pair=str(pair[a]),
                    rows=position[first:b],
                    pause=int(position[first - 1]) if first > a else -1,
                    room=room,
                    sites=sites,
                    depth=depth,
                )
            )
    out.sort(key=lambda t: (t.depth, -t.room, t.pair))
    return out


def _delays(tails: Sequence[_Tail], slot: int) -> list[int]:
    """The delays tried for a group: the most its roomiest pair allows, then half that,
    in whole slots."""
    most = max(t.room for t in tails) // slot * slot
    half = most // 2 // slot * slot
    return [most] + ([half] if 0 < half < most else [])


def _delayed(start: np.ndarray, tails: Sequence[_Tail], delay: int) -> np.ndarray:
    """Row times (start, end) with each tail ``delay`` minutes later, as far as its room
    allows in whole slots (the rows are positions of the plan's frame)."""
    times = start.copy()
    for t in tails:
        d = min(delay, t.room)
        if d <= 0:
            continue
        times[t.rows] += d
        if t.pause >= 0:
            times[t.pause, 1] += d
    return times


def _walk_in_rows(plan: Plan) -> dict[str, np.ndarray]:
    """Per site, the positions of the plan's walk-in rows there (pacing moves rows in time,
    never from one site or activity to another)."""
    rows = plan.rows
    walk = rows[rows.activity == WALK_IN]
    return {str(k): v.to_numpy() for k, v in walk.groupby("site", sort=False).groups.items()}


def _within_stations(
    plan: Plan,
    start: np.ndarray,
    tails: Sequence[_Tail],
    delay: int,
    walk_in: dict[str, np.ndarray],
) -> list[_Tail]:
    """The tails that can take the delay with every site they touch keeping at most
    ``stations`` pairs at walk-in at once: those at a site that would not are left out,
    until the rest hold. ``walk_in``: per site, its walk-in rows (:func:`_walk_in_rows`)."""
    kept = list(tails)
    while kept:
        times = _delayed(start, kept, delay)
        sites = sorted(set().union(*(t.sites for t in kept)) & walk_in.keys())
        bad = {s for s in sites if not _stations_hold(plan, times[walk_in[s]], s)}
        if not bad:
            return kept
        kept = [t for t in kept if not t.sites & bad]
    return kept


def _stations_hold(plan: Plan, spans: np.ndarray, site: str) -> bool:
    """At most the site's stations pairs do walk-in there at any instant, given its walk-in
    rows' (start, end) (a pair's touching rows do not overlap)."""
    if len(spans) == 0:
        return True
    events = np.r_[spans[:, 0], spans[:, 1]]
    delta = np.r_[np.ones(len(spans), np.int64), -np.ones(len(spans), np.int64)]
    order = np.lexsort((delta, events))
    return int(np.cumsum(delta[order]).max()) <= plan.scenario.site_by_id[site].stations


def _with_times(rows: pd.DataFrame, times: np.ndarray) -> pd.DataFrame:
    out = rows.copy()
    out["start"] = times[:, 0]
    out["end"] = times[:, 1]
    return out
