"""A complete plan's end brought forward (:func:`end_forward`): pulled in slot by slot,
then by planning its afternoon again.

The pull-in (:func:`~sampler.heuristics.topup.pull_in`) moves only the work after a new end,
onto pairs with time to spare before it. Where the plan ends late at sites whose stations
are all taken until then, that fails: the time to spare was at those sites in the middle
of the day, when their pairs were elsewhere. The short-hours family's worst small seed
ended at 20:00 (bound 18:00) at 4-6-station communities open 08:00-20:00 that got their
first pair at 09:17 and 2,656 of their 3,832 walk-in residents after 18:00.

So the work of the pairs around the late sites, from a time in the middle of the day
(``since``), is cut off and given again by the top-up, with every resident done by the new
end and the sites that can least wait served first: those whose walk-in residents left
need most of their stations' time up to the new end (:func:`waiting_sites`). The morning
stays as it was; the afternoon gives out the plan's own pairs' time from where they were at
``since``. Around the late sites is: the sites still working after the new end and each
one's ``REGION_SITES`` nearest; the pairs cut are those working there after ``since``. A
whole district's afternoon (2,251 pairs) took 4 to 6 s a try; the region's 0.7 to 2.3 s (two runs).
Where the region fails, the whole plan's afternoon is tried, if the budget allows.

A try is refused where a team would come to travel more than it samples: the late teams'
district seed 5 came to 18:30 instead of 19:00 with three teams that arrive at 12:30 from
afar cut after their trips (one travelled 114 person-hours for 107 of sampling).

Each new end is tried from two times (half and five-twelfths of the way to it from the
start: 12:30 and 12:00 for an end at 18:00 in a day from 07:00), and one slot earlier again
after each success. The budget is in pairs cut, over all tries (a try's cost grows with
them), so the same plan and budget give the same result. A try is kept only if every
resident is still sampled, earlier.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sampler.geo import great_circle_km
from sampler.heuristics.home import riding_teams
from sampler.heuristics.topup import cut_at, pull_in, residents_left, top_up
from sampler.instance import MODES, WALK_IN
from sampler.plan import Plan
from sampler.scenario import Scenario

SINCE_SHARES = (0.5, 5 / 12)  # where the afternoon starts: this share of the way to the end
# A site whose walk-in residents left need more than this share of its stations' minutes
# up to the new end (at the fastest team's rate) is served first. Over the small
# families' five worst seeds at --time-limit 5, 0.6 and 0.8 both brought the short-hours
# seed 3 to 18:30 from a cut at 12:00 or 13:00, and the top-up's own order (priority, most
# left) only to 19:00; 0.4 to 19:00 from 13:00 only.
WAITING_SHARE = 0.6
REGION_SITES = 6  # around each late site: it and its nearest, this many in all
MAX_PULL_PAIRS = 1_500  # the plan's end is pulled in only while fewer work after it
# A try stops once its top-up's first pass finds no pair for more residents than this (it
# has failed then; the first pass is most of a try's time). Over the tries of the heat,
# short-hours and mixed districts' 10 seeds each at --time-limit 12, the first pass of
# the 13 that succeeded left 0 to 1,792 residents (the passes after it took them); of the
# 25 that failed, 455 to 125,273: on the heat district, where none of 13 succeeded, 800
# to 125,273, for 2.6 to 9.6 s each (first passes alone, two runs side by side).
GIVE_UP_OVER = 10_000


def end_forward(plan: Plan, bound_minute: int | None, budget: int) -> tuple[Plan, int, int]:
    """The plan with its end brought forward, not below ``bound_minute``: pulled in slot by
    slot (:func:`pulled_in`), then, within ``budget`` pairs cut, its afternoon planned
    again (:func:`bring_forward`) and pulled in again after that; and the slots each
    gained (pull-in, afternoon)."""
    plan, pulled = pulled_in(plan, bound_minute)
    if budget <= 0:
        return plan, pulled, 0
    plan, afternoon = bring_forward(plan, bound_minute, budget)
    if afternoon:
        plan, more = pulled_in(plan, bound_minute)
        pulled += more
    return plan, pulled, afternoon


def pulled_in(plan: Plan, bound_minute: int | None) -> tuple[Plan, int]:
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


def bring_forward(plan: Plan, bound_minute: int | None, budget: int) -> tuple[Plan, int]:
    """The plan with its end brought forward slot by slot (not below ``bound_minute``) by
    planning its afternoon again, cutting at most ``budget`` pairs' afternoons over all
    tries; and how many slots that gained. Only a complete plan is tried: its end is what
    it would trade."""
    if not plan.complete or plan.done_minute is None or bound_minute is None:
        return plan, 0
    sc = plan.scenario
    slot = sc.slot_minutes
    done, gained = plan.done_minute, 0
    while True:
        deadline = (done - 1) // slot * slot
        if deadline < bound_minute:
            break
        better = None
        riders = riding_teams(plan.rows)
        for since, pairs in _tries(plan, deadline):
            if len(pairs) > budget:
                continue
            budget -= len(pairs)
            rows = refill_from(sc, plan.rows, since, deadline, pairs)
            # (a pair cut after a long trip may be left with little work: no team may come
            # to ride more than it samples)
            if rows is not None and riding_teams(rows) <= riders:
                better = Plan(sc, rows)
                break
        if better is None or better.done_minute is None:  # (all_or_nothing: complete)
            break
        gained += -(-(done - better.done_minute) // slot)  # (slots begun)
        plan, done = better, better.done_minute
    return plan, gained


def _tries(plan: Plan, deadline: int):
    """(since, pairs to cut) for each try at ending by ``deadline``: from each start of the
    afternoon, the region around the late sites, then the whole plan (if larger)."""
    sc, rows = plan.scenario, plan.rows
    work = rows.activity.isin(MODES)
    region = around(sc, set(rows.site[work & (rows.end > deadline)]))
    for share in SINCE_SHARES:
        since = int(share * deadline) // sc.slot_minutes * sc.slot_minutes
        after = work & (rows.end > since)
        near = frozenset(rows.pair[after & rows.site.isin(region)])
        every = frozenset(rows.pair[after])
        yield since, near
        if every != near:
            yield since, every


def around(scenario: Scenario, sites: set[str]) -> set[str]:
    """The ``sites`` and, for each, its ``REGION_SITES`` nearest (itself included)."""
    lat = np.array([s.lat for s in scenario.sites])
    lon = np.array([s.lon for s in scenario.sites])
    out = set(sites)
    for site_id in sorted(sites):
        site = scenario.site_by_id[site_id]
        km = great_circle_km(lat, lon, site.lat, site.lon)
        nearest = np.argsort(km, kind="stable")[:REGION_SITES]
        out.update(scenario.sites[k].id for k in nearest.tolist())
    return out


def refill_from(
    scenario: Scenario, rows: pd.DataFrame, since: int, deadline: int, pairs: frozenset[str]
) -> pd.DataFrame | None:
    """The plan's rows with the work of ``pairs`` after ``since`` (minutes from the start)
    given again, so that every resident is sampled by ``deadline``, the sites that can
    least wait first; None if some resident finds no pair in time."""
    mine = rows.pair.isin(pairs)
    cut, touched = cut_at(scenario, rows[mine], since)
    if not touched:
        return None
    cut = pd.concat([rows[~mine], cut], ignore_index=True)
    first = waiting_sites(scenario, cut, since, deadline)
    return top_up(
        scenario, cut, deadline, all_or_nothing=True, first=first, give_up_over=GIVE_UP_OVER
    )


def waiting_sites(scenario: Scenario, rows, since: int, deadline: int) -> frozenset[str]:
    """Sites whose walk-in residents left by ``rows`` need more than ``WAITING_SHARE`` of
    their stations' minutes between ``since`` and ``deadline`` (inside their open hours),
    at the fastest walk-in rate of any team."""
    rates = [scenario.rules(t).walk_in_per_hour for t in scenario.teams]
    per_minute = max(rates, default=0) / 60
    if per_minute <= 0:
        return frozenset()
    out = set()
    for (site_id, mode), left in residents_left(scenario, rows).items():
        if mode != WALK_IN:
            continue
        site = scenario.site_by_id[site_id]
        opens, closes = scenario.open_minutes(site)
        room = min(closes, deadline) - max(opens, since)
        if left / per_minute / site.stations > WAITING_SHARE * room:
            out.add(site_id)
    return frozenset(out)
