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
from sampler.plan import BREAK, TRAVEL, Plan

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


def leave_later(plan: Plan) -> Plan:
    """Pairs that would leave their base only to wait at a site (a trip, then a break, then
    work there) leave later instead: the trip ends as the work begins. The trip is as long
    as before and everything after it is unchanged, so the plan samples the same residents
    by the same done_at; only the day in a suit gets shorter. A trip is moved only where the
    suit rule still holds (a wait of a full break ended a suit stretch: without it, the trip
    and the work must fit in one)."""
    sc, rows = plan.scenario, plan.rows
    if rows.empty:
        return plan
    ordered = rows.sort_values(["pair", "start"], kind="stable")
    first = ordered.groupby("pair", sort=False).head(3)
    place = first.groupby("pair", sort=False).cumcount()
    trip, wait, work = (first[place == k].set_index("pair") for k in range(3))
    common = trip.index.intersection(wait.index).intersection(work.index)
    trip, wait, work = trip.loc[common], wait.loc[common], work.loc[common]
    waiting = (
        (trip.activity == TRAVEL)
        & (wait.activity == BREAK)
        & work.activity.isin([WALK_IN, DOOR_TO_DOOR])
        & (work.site == trip.site)
    )
    candidates = set(common[waiting.to_numpy()])
    changed: dict[int, tuple[int, int]] = {}  # row index -> new (start, end)
    dropped: list[int] = []
    mine = ordered[ordered.pair.isin(candidates)]
    for _pair, own in mine.groupby("pair", sort=False):
        trip_row, work_row = own.iloc[0], own.iloc[2]
        rules = sc.rules(sc.team_by_id[trip_row.team])
        start = int(work_row.start) - int(trip_row.end - trip_row.start)
        if not _suit_fits(own, start, int(work_row.start), rules):
            continue
        changed[own.index[0]] = (start, int(work_row.start))
        dropped.append(own.index[1])
    if not changed:
        return plan
    out = rows.drop(index=dropped).copy()
    for index, (start, end) in changed.items():
        out.loc[index, ["start", "end"]] = (start, end)
    return Plan(sc, out.reset_index(drop=True))


def _suit_fits(own, start: int, work_start: int, rules) -> bool:
    """Does the pair's first suit stretch, its trip moved to ``start``, stay within
    ``max_suit_minutes``? (It runs from the trip through the rows that follow with no pause
    of ``min_break_minutes``.)"""
    busy = own[(own.activity != BREAK) & (own.start >= work_start)].sort_values("start")
    end = work_start
    for row in busy.itertuples():
        if row.start - end >= rules.min_break_minutes:
            break
        end = max(end, int(row.end))
    return end - start <= rules.max_suit_minutes
