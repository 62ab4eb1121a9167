"""Trading work worth little for work worth more, where a plan leaves residents.

A minute of a pair's work is worth the priority of its site times the residents it samples
in it: walk-in at a priority-1 site (120 an hour) is worth twice as much as home visits at
a priority-2 sealed site (30 an hour). Where staff run short, a plan can keep a pair on
cheap work while dearer residents are left: the start posts pairs where the counts looked
best, and the top-up gives residents left out by priority, not by what a pair's minute is
worth there. Here a pair whose day holds work worth much less a minute than the residents
it could take instead loses its day (a ruin and recreate move), and the residents left are
given out again, those worth most a minute first (:func:`~sampler.heuristics.topup.top_up`
``by_value``); the change is kept only if the plan gets better (:func:`sampler.lns.score`):
more priority-weighted residents, or as many for fewer staff-hours (a plan that leaves
residents has no done_at). It may sample fewer residents for more priority-weighted ones.
The pairs with the cheapest work are tried first, one at a time.

The understaffed family's small seed 2 (25 pairs, one sealed priority-2 site): a pair
visited homes there from 07:06 to 13:30 (216 residents in 384 minutes) while walk-in
residents were left at six priority-1 sites; its day traded (and three more pairs'), the
plan samples 41,234 residents instead of 40,609, 99.4% of the bound instead of 97.9%.
"""

from __future__ import annotations

import pandas as pd

from sampler.heuristics.topup import residents_left, top_up
from sampler.instance import DOOR_TO_DOOR, MODES
from sampler.lns import score
from sampler.plan import Plan
from sampler.scenario import Scenario

# A pair is worth trying when residents left are worth more than this many times its
# cheapest work a minute (a trade costs the new trips). At 1.2 the understaffed family's
# small seeds 1, 2, 4 and 8 ran out of pairs worth trying after 3 to 9 tries; at 1.05 they
# sample 45 to 123 residents more and no seed of it or of priorities fewer (priority-
# weighted); at 1.0 and 0.8 some more and some fewer (seed 8: 156,322 at 1.05, 156,210 and
# 156,259).
TRADE_MARGIN = 1.05


def trade_cheap_work(plan: Plan, tries: int) -> tuple[Plan, int, int]:
    """The plan after up to ``tries`` trades (see the module), how many were tried and how
    many kept. A complete plan is returned as it is."""
    sc = plan.scenario
    tried: set[str] = set()
    kept = 0
    while len(tried) < tries and not plan.complete:
        pair = _cheapest_pair(sc, plan.rows, tried)
        if pair is None:
            break
        tried.add(pair)
        rows = plan.rows
        candidate = Plan(sc, top_up(sc, rows[rows.pair != pair], by_value=True))
        if score(candidate) > score(plan):
            plan, kept = candidate, kept + 1
    return plan, len(tried), kept


def _cheapest_pair(sc: Scenario, rows: pd.DataFrame, tried: set[str]) -> str | None:
    """The pair not yet ``tried`` whose cheapest work interval is worth least a minute,
    among those for which residents left are worth ``TRADE_MARGIN`` times more (ties by
    pair id); None if there is none."""
    left = residents_left(sc, rows)
    work = rows[rows.activity.isin(MODES) & ~rows.pair.isin(tried)]
    if work.empty or not left:
        return None
    priority = {s.id: s.priority for s in sc.sites}
    minutes = (work.end - work.start).clip(lower=1)
    worth = work.samples * work.site.map(priority) / minutes
    cheapest = worth.groupby(work.pair).min()
    team_of = work.groupby("pair").team.first()
    best_left = {team.id: _best_left(sc, team.id, left, priority) for team in sc.teams}
    able = [
        (value, pair)
        for pair, value in cheapest.items()
        if best_left[team_of[pair]] > TRADE_MARGIN * value
    ]
    return min(able)[1] if able else None


def _best_left(
    sc: Scenario, team_id: str, left: dict[tuple[str, str], int], priority: dict[str, int]
) -> float:
    """What the residents left are worth a minute to a pair of the team, at most (where it
    could sample them)."""
    team = sc.team_by_id[team_id]
    rules = sc.rules(team)
    return max(
        (
            priority[site] * rules.rate(mode) / 60
            for site, mode in left
            if mode != DOOR_TO_DOOR or team.door_to_door
        ),
        default=0.0,
    )
