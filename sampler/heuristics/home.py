"""Pairs that do not help stay at home.

A pair that samples nobody (it only travels and rests) is dropped: nothing it did counts,
and no one else's rows depend on it (stations are taken by walk-in work only). A team whose
pairs ride longer than they sample is then tried without those pairs: their residents go to
pairs with time to spare (:func:`~sampler.heuristics.topup.top_up`), and the change is kept
only if every resident the plan sampled is still sampled, no later than the plan's
done_at, for fewer staff-hours. Coverage and done_at come first; staff-hours and travel
only after them.
"""

from __future__ import annotations

from sampler.heuristics.topup import top_up
from sampler.instance import DOOR_TO_DOOR, WALK_IN
from sampler.plan import TRAVEL, Plan

MOST_TEAMS_TRIED = 8  # teams tried without their riding pairs (each try is one top-up)
MOST_PAIRS_TRIED = 3_000  # above this many pairs a top-up costs seconds: idle pairs only


def leave_home(plan: Plan) -> tuple[Plan, int]:
    """The plan with pairs that do not help left at home, and how many pairs that is."""
    rows = plan.rows
    if rows.empty:
        return plan, 0
    minutes = (rows.end - rows.start).where(rows.activity.isin([WALK_IN, DOOR_TO_DOOR]), 0)
    sampling = minutes.groupby(rows.pair).sum()
    samples = rows.samples.groupby(rows.pair).sum()
    travel = (rows.end - rows.start).where(rows.activity == TRAVEL, 0).groupby(rows.pair).sum()
    idle = set(samples.index[samples <= 0])
    riding = travel[(travel > sampling) & (samples > 0)]
    team_of = rows.groupby("pair").team.first()
    best = Plan(plan.scenario, rows[~rows.pair.isin(idle)]) if idle else plan
    left = len(idle)
    # The teams whose riding pairs waste the most travel first.
    waste = (riding - sampling.reindex(riding.index)).groupby(team_of.reindex(riding.index)).sum()
    tries = MOST_TEAMS_TRIED if len(samples) <= MOST_PAIRS_TRIED else 0
    for team in waste.sort_values(ascending=False, kind="stable").index[:tries]:
        pairs = set(riding.index[team_of.reindex(riding.index) == team])
        kept = best.rows[~best.rows.pair.isin(pairs)]
        topped = top_up(plan.scenario, kept, best.done_minute, all_or_nothing=best.complete)
        if topped is None:
            continue
        candidate = Plan(plan.scenario, topped)
        later = best.complete and (
            not candidate.complete or candidate.done_minute > best.done_minute
        )
        fewer_hours = candidate.staff_hours < best.staff_hours
        if candidate.sampled >= best.sampled and not later and fewer_hours:
            left += len(set(best.rows.pair) - set(candidate.rows.pair))
            best = candidate
    if best is not plan:
        best = Plan(plan.scenario, best.rows.reset_index(drop=True))
    return best, left
