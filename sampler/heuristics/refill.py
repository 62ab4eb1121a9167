"""A complete plan's end brought forward by planning its afternoon again.

The pull-in (:func:`~sampler.heuristics.topup.pull_in`) moves only the work after a new end,
onto pairs with time to spare before it. Where the plan ends late at sites whose stations
are all taken until then, that fails: the time to spare was at those sites in the middle
of the day, when their pairs were elsewhere. The short-hours family's worst small seed
ended at 20:00 (bound 18:00) at 4-6-station communities open 08:00-20:00 that got their
first pair at 09:17 and 2,656 of their 3,832 walk-in residents after 18:00.

So every pair's work from a time in the middle of the day (``since``) is cut off and given
again, by the top-up, with every resident done by the new end, and the sites that can
least wait served first: those whose walk-in residents left need most of their stations'
time up to the new end (:func:`waiting_sites`). The morning stays as it was; what the
afternoon gives out is the plan's own pairs' time from where they were at ``since``.
Each new end is tried from two times (half and five-twelfths of the way to it from the
start: 12:30 and 12:00 for an end at 18:00 in a day from 07:00), and one slot earlier again
after each success; a try is kept only if the whole plan is better (sampled, done_at,
staff-hours: :func:`sampler.lns.score`'s order, here with everyone sampled).
"""

from __future__ import annotations

from sampler.heuristics.topup import cut_at, residents_left, top_up
from sampler.instance import WALK_IN
from sampler.plan import Plan
from sampler.scenario import Scenario

SINCE_SHARES = (0.5, 5 / 12)  # where the afternoon starts: this share of the way to the end
# A site whose walk-in residents left need more than this share of its stations' minutes
# up to the new end (at the fastest team's rate) is served first. Over the small
# families' five worst seeds at --time-limit 5, 0.6 and 0.8 both brought the short-hours
# seed 3 to 18:30 from a cut at 12:00 or 13:00, and the top-up's own order (priority, most
# left) only to 19:00; 0.4 to 19:00 from 13:00 only.
WAITING_SHARE = 0.6


def bring_forward(plan: Plan, bound_minute: int | None, tries: int) -> tuple[Plan, int]:
    """The plan with its end brought forward slot by slot (not below ``bound_minute``) by
    planning its afternoon again, in at most ``tries`` top-ups; and how many slots that
    gained. Only a complete plan is tried: its end is what it would trade."""
    if not plan.complete or plan.done_minute is None or bound_minute is None:
        return plan, 0
    sc = plan.scenario
    done, gained = plan.done_minute, 0
    while tries > 0:
        deadline = (done - 1) // sc.slot_minutes * sc.slot_minutes
        if deadline < bound_minute:
            break
        better = None
        for share in SINCE_SHARES[:tries]:
            tries -= 1
            since = int(share * deadline) // sc.slot_minutes * sc.slot_minutes
            rows = refill_from(sc, plan.rows, since, deadline)
            if rows is not None:
                better = Plan(sc, rows)
                break
        if better is None or better.done_minute is None or not _better(better, plan):
            break
        gained += -(-(done - better.done_minute) // sc.slot_minutes)  # (slots begun)
        plan, done = better, better.done_minute
    return plan, gained


def refill_from(scenario: Scenario, rows, since: int, deadline: int):
    """The plan's rows with every pair's work after ``since`` (minutes from the start) given
    again so that all of it ends by ``deadline``, the sites that can least wait first; None
    if some resident finds no pair in time."""
    cut, touched = cut_at(scenario, rows, since)
    if not touched:
        return None
    first = waiting_sites(scenario, cut, since, deadline)
    return top_up(scenario, cut, deadline, all_or_nothing=True, first=first)


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


def _better(candidate: Plan, plan: Plan) -> bool:
    """Everyone still sampled, done earlier, or as early for fewer staff-hours."""
    if not candidate.complete or candidate.done_minute is None or plan.done_minute is None:
        return False
    return (candidate.done_minute, candidate.staff_hours) < (plan.done_minute, plan.staff_hours)
