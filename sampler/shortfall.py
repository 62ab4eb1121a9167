"""Why a site is short: the limit that binds, named in the field's words.

Each site a plan leaves short gets one reason, the first of these that holds:

- ``no team``: no team is sent at all;
- ``skills``: its home visits need a team trained for door-to-door sampling, and none that
  can reach it while it is open is;
- ``reach``: no team can get there (from its base, inside its hours and work cap) while
  the site is open;
- ``stations``: its walk-in residents exceed what its stations can take in its open hours
  at the best rate sent;
- ``window``: the bound says not everyone can be sampled, and the site is open for part of
  the day only: the pair-time teams can give inside its window runs out;
- ``staff``: the bound says not everyone can be sampled: the pair-hours of the teams
  within reach run out in the horizon;
- ``planner``: the bound says a plan could sample them; this one did not find how. Only
  this reason is the planner's own. It suggests no longer ``--time-limit``: on the window
  families a longer limit left the same residents (short_hours seed 4 at 5 s and 20 s).
"""

from __future__ import annotations

from collections.abc import Iterator

from sampler.bound import Bounds
from sampler.instance import DOOR_TO_DOOR, WALK_IN, Instance, SiteData
from sampler.plan import Plan
from sampler.result import Shortfall


def explain_shortfalls(inst: Instance, plan: Plan, bounds: Bounds) -> Iterator[Shortfall]:
    """Each site not fully sampled, with the pair-hours short and the binding limit."""
    totals = plan.site_totals
    best_rate = {
        mode: max((t.rate(mode) for t in inst.teams if t.can(mode)), default=0.0)
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
        reason = _reason(inst, site, walk, home, bounds, best_rate[WALK_IN])
        yield Shortfall(site.id, walk, home, round(hours, 2), reason)


def _reason(
    inst: Instance, site: SiteData, walk: int, home: int, bounds: Bounds, walk_rate: float
) -> str:
    sc, s = inst.scenario, site.site
    opens, closes = sc.open_minutes(s)
    window = f"{_clock(inst, opens)}-{_clock(inst, closes)}"
    reaching = _teams_reaching(inst, site)
    open_hours = (site.open[1] - site.open[0]) * inst.slot / 60
    if not inst.teams:
        return "no team is sent"
    if home > 0 and not any(t.can(DOOR_TO_DOOR) for t in reaching):
        if not any(t.can(DOOR_TO_DOOR) for t in inst.teams):
            return "skills: no team sent is trained for door-to-door sampling"
        return (
            "skills: no team trained for door-to-door sampling can reach it while it is open "
            f"({window})"
        )
    if not reaching:
        return f"reach: no team can get there while it is open ({window}) and still work"
    if walk > 0 and s.walk_in_demand > s.stations * open_hours * walk_rate:
        return (
            f"stations: {s.stations} stations over {open_hours:g} open hours take at "
            f"most {int(s.stations * open_hours * walk_rate)} residents"
        )
    if bounds.done_minute is None:
        gap = sc.total_residents - bounds.max_sampled
        if (opens, closes) != (0, sc.horizon_minutes):
            return (
                f"window: the pair-time teams can give inside its open hours ({window}) runs "
                f"out (the bound: at least {gap} residents of the whole scenario cannot be "
                "sampled)"
            )
        return (
            "staff: the teams' pair-hours within reach of this site run out in the horizon "
            f"(the bound: at least {gap} residents of the whole scenario cannot be sampled)"
        )
    return (
        "planner: the bound says a plan could sample these residents, but this plan did not "
        "find how"
    )


def _teams_reaching(inst: Instance, site: SiteData) -> list:
    """Teams a pair of which can be at the site while it is open, with time to work."""
    opens, closes = inst.scenario.open_minutes(site.site)
    out = []
    for team in inst.teams:
        a0, a1 = inst.scenario.available_minutes(team.team)
        travel = float(team.base_travel[site.index])
        if max(a0 + travel, opens) < min(a1, closes) and travel < team.rules.max_work_minutes:
            out.append(team)
    return out


def _clock(inst: Instance, minute: int) -> str:
    return inst.scenario.at(minute).strftime("%H:%M")
