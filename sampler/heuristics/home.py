"""Pairs that do not help stay at home.

A pair that samples nobody (it only travels and rests) is dropped: nothing it did counts,
and no one else's rows depend on it (stations are taken by walk-in work only). A team whose
pairs ride longer than they sample is then tried without those pairs (all at once, else one
at a time): their residents go to pairs with time to spare
(:func:`~sampler.heuristics.topup.top_up`), and the change is kept only if every resident
the plan sampled is still sampled, no later than the plan's done_at, for fewer
staff-hours. Coverage and done_at come first; staff-hours and travel only after them.
Above ``MOST_PAIRS_TRIED`` pairs, where each try costs half a second or more, only the
teams whose people ride longer than they sample in all are tried.
"""

from __future__ import annotations

from sampler.heuristics.topup import top_up
from sampler.instance import DOOR_TO_DOOR, WALK_IN
from sampler.plan import BREAK, TRAVEL, Plan, pair_ids

MOST_TEAMS_TRIED = 8  # teams tried without their riding pairs (each try is one top-up)
# Above this many pairs a top-up costs half a second or more (0.57 s on a 2,400-community
# city's 14,603 pairs, whose riding pairs took 2.7 s to try): only riding teams are tried.
MOST_PAIRS_TRIED = 3_000


def leave_home(plan: Plan) -> tuple[Plan, int]:
    """The plan with pairs that do not help left at home, and how many pairs that is."""
    sc, rows = plan.scenario, plan.rows
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
    order = waste.sort_values(ascending=False, kind="stable").index
    home: set[str] = set()  # pairs the top-ups may not send (riders left at home)
    if len(samples) > MOST_PAIRS_TRIED:
        # Only the teams that ride more than they sample in all (a late_teams district's
        # team from 40 km rode 107 hours for 105 of sampling; left at home, the plan kept
        # its coverage and done_at).
        riders = riding_teams(rows)
        order = [team for team in order if team in riders]
    for team in order[:MOST_TEAMS_TRIED]:
        mine = riding[team_of.reindex(riding.index) == team]
        # The team's riding pairs all at once; where the others cannot take all their
        # residents in time, one at a time, the pair that wastes most first.
        worst = (mine - sampling.reindex(mine.index)).sort_values(ascending=False, kind="stable")
        tries = [list(worst.index)] + ([[p] for p in worst.index] if len(worst) > 1 else [])
        # (nor the team's pairs not sent: they would ride the same way)
        home.update(set(pair_ids(team, sc.team_by_id[team].pairs)) - set(best.rows.pair))
        for pairs in tries:
            candidate = _without(best, pairs, home)
            if candidate is not None:
                home.update(pairs)
                best = candidate
                if len(pairs) == len(worst):
                    break
    if best is not plan:
        left += len(set(plan.rows.pair)) - len(idle) - len(set(best.rows.pair))
        best = Plan(plan.scenario, best.rows.reset_index(drop=True))
    return best, left


def riding_teams(rows) -> set[str]:
    """Teams whose pairs spend more minutes travelling than sampling, over the day."""
    minutes = rows.end - rows.start
    sampling = minutes.where(rows.activity.isin([WALK_IN, DOOR_TO_DOOR]), 0).groupby(rows.team)
    travel = minutes.where(rows.activity == TRAVEL, 0).groupby(rows.team).sum()
    return set(travel.index[travel > sampling.sum()])


def _without(plan: Plan, pairs: list[str], home: set[str]) -> Plan | None:
    """The plan without ``pairs``, their residents topped up by others (not by ``pairs``
    or ``home``), if it samples as many, no later, for fewer staff-hours; else None."""
    kept = plan.rows[~plan.rows.pair.isin(pairs)]
    away = frozenset(home.union(pairs))
    topped = top_up(plan.scenario, kept, plan.done_minute, plan.complete, at_home=away)
    if topped is None:
        return None
    candidate = Plan(plan.scenario, topped)
    # (a complete plan has a done_at)
    later = plan.complete and (
        not candidate.complete or (candidate.done_minute or 0) > (plan.done_minute or 0)
    )
    fewer_hours = candidate.staff_hours < plan.staff_hours
    return candidate if candidate.sampled >= plan.sampled and not later and fewer_hours else None


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
