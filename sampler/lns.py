"""Large-neighbourhood search: a few nearby sites re-planned at a time, the rest fixed.

A plan of a whole city is too large for one CP-SAT model, but a neighbourhood is small: a
few sites near each other and the pairs within reach (those whose whole day is spent at
those sites, and pairs nobody used, of the teams nearest to them). Everything else stays
as it is. The neighbourhood becomes a scenario of its own:

- each site keeps what the fixed pairs have not sampled (walk-in and at home apart), and
  the stations they leave free at their busiest (so the fixed and the new work never
  over-fill a site together);
- each team is the freed pairs of that team, from the team's own base, with its hours and
  rules (a freed pair worked nowhere else, so its day starts at the base as it did).

That scenario is planned by the part solver (the dispatchers, then CP-SAT's counting
model over the neighbourhood, which fits easily), its pairs renamed back to the freed ones,
and the result is kept only when the whole plan gets better: priority-weighted residents
sampled, then done_at, then staff-hours (work and travel), in that order. Neighbourhoods
start where the plan is worst: sites with residents left (higher priority first), then the
sites that finish last; a plan that samples everyone stops after ``WHEN_COMPLETE`` in all
(a complete plan's done_at is shared by many sites, so a few nearby ones rarely move it).
The number of neighbourhoods is part of the budget, so the same input gives the same plan.
Last, what the plan still leaves is topped up (a re-planned neighbourhood may free pairs
and stations that the plan's first top-up found busy), and sites that close early with
residents left draw the pairs that can reach them soonest from working elsewhere while
they are open, if the plan gets better (their other work is topped up later in the day).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sampler.budget import SolveParams
from sampler.geo import great_circle_km, travel_minutes
from sampler.heuristics.topup import residents_left, top_up
from sampler.instance import DOOR_TO_DOOR, MODES, WALK_IN, samples_in
from sampler.plan import Plan, pair_ids
from sampler.result import Result
from sampler.scenario import Scenario

NEIGHBOURHOOD_SITES = 4  # sites re-planned together: the seed and its nearest
NEAREST_TEAMS = 3  # teams whose unused pairs may join a neighbourhood
MOST_UNUSED_PAIRS = 12  # unused pairs joining one neighbourhood at most
# Neighbourhoods in all once the plan samples everyone (one that became complete later
# stops at once). Over the small families at --time-limit 5, 4 instead of 2 took the
# generator's seed 2 from 19:30 to its bound, 19:00 (the other 79 plans sample as many and
# end as before), and CP-SAT into one more seed's plan in three families; the late-teams
# and mixed districts' 20 plans at --time-limit 12 end as before. On the street tier the
# neighbourhoods took 2.90 s (RESULTS.md, December 7) where they took 0.44 s on December 6,
# on a machine about 2.5 times slower that day: about twice the time.
WHEN_COMPLETE = 4
CLOSING_TRIES = 15  # tries (pairs drawn, then a top-up) at sites closing early, at most
CLOSING_PAIRS = 8  # pairs one such site draws at once, at most, at its first try
# A site tried again after a kept try (still short) may draw twice as many as its limit at
# that try (8, 16, 32: its limit, not the pairs there were to draw), up to this many: the
# heat district's seed 8 drew 8 pairs a try at its communities open 07:00-11:00, each try
# kept for a few hundred residents, and ran out of its 15 tries with 1,954 left (then 16;
# 318 since its parts' second tries take turns, short at 13 such sites by a few each);
# 16 a try at every site finished it in 7 tries, but made other plans end 30 minutes
# later (mixed district seed 1: its one try, for 237 home visits, drew 16 where 8 served
# as well, and left an afternoon that could not be planned again).
MOST_CLOSING_PAIRS = 32
LAST_HOUR = 60  # minutes: a site open into the day's last hour does not close early

Solver = Callable[[Scenario, SolveParams], Result]


@dataclass(frozen=True)
class LnsStats:
    """What the search did: neighbourhoods solved, kept, and kept where CP-SAT improved on
    the dispatchers' start inside the neighbourhood."""

    solved: int = 0
    improved: int = 0
    cp_improved: int = 0


def score(plan: Plan) -> tuple:
    """Largest best: priority-weighted residents sampled, the earlier done_at, fewer
    staff-hours."""
    sc = plan.scenario
    totals = plan.site_totals
    weights = np.array([s.priority for s in sc.sites], dtype=float)
    weighted = float((totals.sampled.to_numpy() * weights).sum())
    done = plan.done_minute
    return (weighted, -(done if done is not None else 10**9), -plan.staff_hours)


def improve(plan: Plan, params: SolveParams, solver: Solver, count: int) -> tuple[Plan, LnsStats]:
    """Up to ``count`` neighbourhoods, each kept only if the whole plan gets better; then
    the residents still left topped up (:func:`topped_up`), and pairs drawn to sites that
    close early with residents left (:func:`serve_closing_sites`)."""
    stats = LnsStats()
    tried: set[tuple[str, ...]] = set()
    for k in range(count):
        if k >= WHEN_COMPLETE and plan.complete:
            break  # a complete plan gains staff-hours at most: a few tries are enough
        sites = _next_neighbourhood(plan, tried)
        if sites is None:
            break
        tried.add(sites)
        outcome = _solve_neighbourhood(plan, sites, params, solver)
        if outcome is None:
            continue
        candidate, cp_helped = outcome
        stats = LnsStats(stats.solved + 1, stats.improved, stats.cp_improved)
        if score(candidate) > score(plan):
            plan = candidate
            stats = LnsStats(stats.solved, stats.improved + 1, stats.cp_improved + cp_helped)
    return serve_closing_sites(topped_up(plan)), stats


def serve_closing_sites(plan: Plan, tries: int = CLOSING_TRIES) -> Plan:
    """The plan with pairs drawn to sites that close early with residents left, where that
    is better: in up to ``tries`` tries at such sites (higher priority, then most left,
    first), the pairs that can reach it soonest from their bases, of those working
    elsewhere while it is open at sites that close later (whose work can wait), lose their
    day; the site is topped up first, then everything they left, by whoever has time (a
    ruin and recreate move). The short-hours district's seed 4 left 2,080 residents, 1,205
    of them walk-in at a 20-station community open 07:00-12:00 that its nearest teams
    (available from 08:00 or 09:00) reach at 08:48 at the soonest; drawing the pairs
    working nearest it left 1,157, drawing the 8 that can come soonest (07:00 teams 20 km
    off, there by 08:19) leaves none.

    A site whose try is kept may try again while short (its first 8 pairs left 9 of those
    1,205 in a later plan of that seed, which stayed partial); where 8 pairs' days are
    more than its residents left need, a try that is not kept is made again with only as
    many as they need (18 home visits left at another seed's morning-only community: 8
    pairs drawn left more elsewhere). A site tried again after a kept try may draw twice as
    many as its limit then (8, 16, up to ``MOST_CLOSING_PAIRS``)."""
    if plan.complete:
        return plan
    sc = plan.scenario
    left = residents_left(sc, plan.rows)
    given_up: set[tuple[str, str]] = set()  # sites whose last try was not kept
    draws: dict[tuple[str, str], int] = {}  # the most pairs a site may draw at its next try
    spent = 0
    while spent < tries and not plan.complete:
        # (what a kept try samples elsewhere may leave a site no longer short)
        short = [key for key in _closing_short(sc, left) if key not in given_up]
        if not short:
            break
        site_id, mode = key = short[0]
        given_up.add(key)
        most = draws.get(key, CLOSING_PAIRS)
        drawable = _pairs_to_draw(plan, site_id, mode, most)
        for size in _draw_sizes(sc, site_id, mode, left[key], len(drawable), most):
            if spent >= tries:
                break
            spent += 1
            pairs = drawable[:size]
            rows = plan.rows[~plan.rows.pair.isin(pairs)]
            candidate = Plan(sc, top_up(sc, rows, first=frozenset({site_id})))
            if score(candidate) > score(plan):
                plan = candidate
                left = residents_left(sc, plan.rows)
                given_up.discard(key)
                draws[key] = min(MOST_CLOSING_PAIRS, 2 * most)  # (if it is tried again)
                break
    return plan


def _draw_sizes(
    sc: Scenario, site_id: str, mode: str, left: int, drawable: int, most: int
) -> list[int]:
    """How many of the ``drawable`` pairs a site closing early draws: ``most``, then, where
    fewer would do, as many as its residents ``left`` need over its open hours at the
    scenario's default rate (each a different draw; none if there is no pair)."""
    opens, closes = sc.open_minutes(sc.site_by_id[site_id])
    per_pair = samples_in(sc.defaults.rate(mode), closes - opens)
    needed = -(-left // per_pair) if per_pair > 0 else most
    sizes = sorted({min(most, drawable), min(needed, drawable)}, reverse=True)
    return [size for size in sizes if size > 0]


def _closing_short(sc: Scenario, left: dict[tuple[str, str], int]) -> list[tuple[str, str]]:
    """(site, mode) of the residents ``left`` at sites that close before the day's last
    hour, higher priority first, then the most left."""
    early = sc.sites_closing_before(sc.horizon_minutes - LAST_HOUR)
    short = [k for k, n in left.items() if n > 0 and k[0] in early]
    return sorted(short, key=lambda k: (-sc.site_by_id[k[0]].priority, -left[k], k))


def _pairs_to_draw(plan: Plan, site_id: str, mode: str, most: int) -> list[str]:
    """The ``most`` pairs that can reach the site soonest from their teams' bases,
    among those that work elsewhere while it is open, at sites that close after it, and can
    work in ``mode`` (a drawn pair loses its day, so it starts again from its base: the
    pairs working nearest the site may have come from far away, and late)."""
    sc, rows = plan.scenario, plan.rows
    site = sc.site_by_id[site_id]
    opens, closes = sc.open_minutes(site)
    work = rows[
        rows.activity.isin(MODES)
        & (rows.site != site_id)
        & (rows.start < closes)
        & (rows.end > opens)
    ]
    later = {s.id for s in sc.sites if sc.open_minutes(s)[1] > closes}
    able = {t.id for t in sc.teams if mode != DOOR_TO_DOOR or t.door_to_door}
    work = work[work.site.isin(later) & work.team.isin(able)].drop_duplicates("pair")
    comes = {team: _earliest_arrival(sc, team, site_id) for team in work.team.unique()}
    work = work.assign(comes=work.team.map(comes)).sort_values(["comes", "pair"], kind="stable")
    return list(work.pair.iloc[:most])


def _earliest_arrival(sc: Scenario, team_id: str, site_id: str) -> int:
    """The minute a pair of the team, setting out from its base when its day starts, can
    reach the site at the soonest."""
    team, site = sc.team_by_id[team_id], sc.site_by_id[site_id]
    km = great_circle_km(team.lat, team.lon, site.lat, site.lon)
    speed = sc.rules(team).travel_speed_kmh
    return sc.available_minutes(team)[0] + int(travel_minutes(km, speed))


def topped_up(plan: Plan) -> Plan:
    """The plan with the residents it leaves given to pairs with time to spare, if that is
    better: re-planned neighbourhoods free pairs and stations that the plan's first
    top-up, before them, found busy (a short-hours district, seed 7: 1,156 of the 2,163
    residents its plan left, 1,136 of them walk-in at one all-day site whose stations
    stood idle most of the day; 0.06 s)."""
    if plan.complete:
        return plan
    topped = Plan(plan.scenario, top_up(plan.scenario, plan.rows))
    return topped if score(topped) > score(plan) else plan


def _next_neighbourhood(plan: Plan, tried: set[tuple[str, ...]]) -> tuple[str, ...] | None:
    """The worst site not yet a seed, with its nearest sites (ids, sorted)."""
    sc = plan.scenario
    totals = plan.site_totals
    left = [int(x) for x in (totals.residents - totals.sampled).to_numpy()]
    done = [float(x) for x in totals.done_minute.fillna(-1).to_numpy()]
    priority = [s.priority for s in sc.sites]
    order = sorted(
        range(len(sc.sites)),
        key=lambda i: (-int(left[i] > 0), -priority[i] * int(left[i] > 0), -left[i], -done[i], i),
    )
    lat = np.array([s.lat for s in sc.sites])
    lon = np.array([s.lon for s in sc.sites])
    for i in order:
        if left[i] <= 0 and done[i] < 0:
            continue  # nobody there to sample
        km = great_circle_km(lat[i], lon[i], lat, lon)
        near = np.argsort(km, kind="stable")[:NEIGHBOURHOOD_SITES]
        sites = tuple(sorted(sc.sites[j].id for j in near))
        if sites not in tried:
            return sites
    return None


def _solve_neighbourhood(
    plan: Plan, sites: tuple[str, ...], params: SolveParams, solver: Solver
) -> tuple[Plan, bool] | None:
    """The plan with the neighbourhood re-planned, and whether CP-SAT improved the
    neighbourhood's start; None when it has no pairs to re-plan."""
    sc, rows = plan.scenario, plan.rows
    inside = rows.site.isin(sites) | (rows.site == "")
    per_pair = inside.groupby(rows.pair).all()
    freed = set(per_pair.index[per_pair]) & set(rows.pair[rows.site.isin(sites)])
    unused = _unused_pairs(plan, sites)
    if not freed and not unused:
        return None
    fixed = rows[~rows.pair.isin(freed)]
    pairs_by_team: dict[str, list[str]] = {}
    for pair, team in rows[rows.pair.isin(freed)].groupby("pair").team.first().items():
        pairs_by_team.setdefault(team, []).append(pair)
    for team, pair in unused:
        pairs_by_team.setdefault(team, []).append(pair)
    sub = _sub_scenario(sc, fixed, sites, pairs_by_team)
    if sub is None:
        return None
    result = solver(sub, params)
    new_rows = _renamed(result.plan.rows, pairs_by_team)
    merged = pd.concat([fixed, new_rows], ignore_index=True)
    cp_helped = result.solver.cp_improved or bool(result.solver.cp_posts.get("kept"))
    return Plan(sc, merged), cp_helped


def _unused_pairs(plan: Plan, sites: tuple[str, ...]) -> list[tuple[str, str]]:
    """(team, pair) of pairs nobody used, of the teams based nearest the neighbourhood."""
    sc = plan.scenario
    used = plan.pairs_sent
    here = [sc.site_by_id[s] for s in sites]
    lat = float(np.mean([s.lat for s in here]))
    lon = float(np.mean([s.lon for s in here]))
    teams = sorted(
        (t for t in sc.teams if t.pairs > 0),
        key=lambda t: (float(great_circle_km(lat, lon, t.lat, t.lon)), t.id),
    )
    out: list[tuple[str, str]] = []
    for team in teams[:NEAREST_TEAMS]:
        for pair in pair_ids(team.id, team.pairs):
            if pair not in used and len(out) < MOST_UNUSED_PAIRS:
                out.append((team.id, pair))
    return out


def _sub_scenario(
    sc: Scenario, fixed: pd.DataFrame, sites: tuple[str, ...], pairs: dict[str, list[str]]
) -> Scenario | None:
    """The neighbourhood as a scenario: what the fixed pairs leave, and the freed pairs."""
    work = fixed[fixed.site.isin(sites) & fixed.activity.isin(MODES)]
    done = work.groupby(["site", "activity"]).samples.sum()
    data = sc.model_dump(mode="json", exclude={"sites", "teams"})
    data["sites"] = []
    for site_id in sites:
        site = sc.site_by_id[site_id]
        walk = site.walk_in_demand - int(done.get((site_id, WALK_IN), 0))
        home = site.home_demand - int(done.get((site_id, DOOR_TO_DOOR), 0))
        busiest = most_at_once(work[(work.site == site_id) & (work.activity == WALK_IN)])
        free = site.stations - busiest
        if free < 1:
            walk = 0  # the fixed pairs use every station at some time: no walk-in here
        entry = site.model_dump(mode="json", exclude_none=True)
        entry.update(
            residents=max(0, walk) + max(0, home),
            home_visits=max(0, home),
            sealed=False,
            stations=max(1, free),
        )
        data["sites"].append(entry)
    if not any(s["residents"] for s in data["sites"]):
        return None
    data["teams"] = [
        {**sc.team_by_id[team].model_dump(mode="json", exclude_none=True), "people": 2 * len(p)}
        for team, p in sorted(pairs.items())
    ]
    return Scenario.model_validate(data)


def most_at_once(walk_in: pd.DataFrame) -> int:
    """Most walk-in rows running at once."""
    if walk_in.empty:
        return 0
    events = sorted([(s, 1) for s in walk_in.start] + [(e, -1) for e in walk_in.end])
    running = most = 0
    for _, step in events:
        running += step
        most = max(most, running)
    return most


def _renamed(rows: pd.DataFrame, pairs: dict[str, list[str]]) -> pd.DataFrame:
    """The neighbourhood's pairs under the names of the pairs they replace."""
    if rows.empty:
        return rows
    names: dict[str, str] = {}
    for team, own in pairs.items():
        local = pair_ids(team, len(own))
        names.update(zip(local, sorted(own), strict=True))
    rows = rows.copy()
    rows["pair"] = rows.pair.map(names)
    return rows
