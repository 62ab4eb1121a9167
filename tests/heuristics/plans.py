"""Helpers for tests on pair rows: trip minutes, and a plan with given rows written and
checked."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sampler import check_plan, write_plan
from sampler.geo import great_circle_km, travel_minutes
from sampler.plan import Plan
from sampler.result import status_of
from sampler.solve import on_grid, reported_bound


def trip_minutes(scenario, team_id: str, site_id: str, origin: str | None = None) -> int:
    """Minutes of a team's trip to a site, from its base or from ``origin``."""
    team, site = scenario.team_by_id[team_id], scenario.site_by_id[site_id]
    start = scenario.site_by_id[origin] if origin else team
    km = great_circle_km(start.lat, start.lon, site.lat, site.lon)
    return int(travel_minutes(km, scenario.rules(team).travel_speed_kmh))


def checked(result, rows, out: Path):
    """The result with these rows, written and checked."""
    plan = Plan(result.scenario, rows)
    bound = reported_bound(
        plan, result.bounds, on_grid(result.bounds.done_minute, result.scenario.slot_minutes)
    )
    changed = dataclasses.replace(
        result, plan=plan, status=status_of(plan, bound), lower_bound_minute=bound, shortfalls=()
    )
    write_plan(changed, out)
    report = check_plan(result.scenario, out)
    assert report.ok, report.violations
    return changed.plan
