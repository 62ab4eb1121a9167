"""sites.csv and plan.json: the totals a plan states about itself, recomputed.

A reader trusts sites.csv and plan.json for coverage and done_at without adding up
assignments.csv; so every total there is compared with the sums of assignments.csv
(:func:`sampler.check.assignments.site_totals`), and every scenario column with the
scenario.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pandas as pd

from sampler.check.context import Context
from sampler.check.contract import COUNT_PATTERN, PLAN_KEYS, STATUSES
from sampler.scenario import Site

COVERAGE_TOLERANCE = 1e-6


def check_sites_table(cx: Context, text: pd.DataFrame, per_site: pd.DataFrame) -> None:
    """sites.csv: one row per site, scenario columns as in the scenario, totals recomputed."""
    name = "sites.csv"
    f = text
    seen = f["site"].value_counts()
    for site, n in seen[seen > 1].items():
        cx.found.add("site_table", f"{name}: site {site} has {n} rows")
    cx.found.flag(
        "site_table",
        f,
        ~f["site"].isin(cx.sites.keys()),
        lambda r: f"{name} line {r.line}: site {r.site!r} is not in the scenario",
    )
    for site in cx.sc.sites:
        if site.id not in seen.index:
            cx.found.add("site_table", f"{name}: no row for site {site.id}")
    f = f[f["site"].isin(cx.sites.keys())].drop_duplicates("site")
    for r in f.itertuples(index=False):
        _check_site_row(cx, r, cx.sites[r.site], per_site.loc[r.site])


def _check_site_row(cx: Context, r: Any, site: Site, mine: pd.Series) -> None:
    """One sites.csv row against the scenario and the totals of assignments.csv."""
    where = f"sites.csv line {r.line} ({site.id})"
    for column, want in (("name", site.name), ("district", site.district)):
        if getattr(r, column) != want:
            cx.found.add(
                "site_table", f"{where}: {column} {getattr(r, column)!r}, scenario {want!r}"
            )
    for column, want_n in (("residents", site.residents), ("home_visits", site.home_demand)):
        got_n = _count(cx, where, r, column)
        if got_n is not None and got_n != want_n:
            cx.found.add("site_table", f"{where}: {column} {got_n}, scenario {want_n}")
    walk, home = int(mine["walk_in"]), int(mine["door_to_door"])
    for column, want_n in (("walk_in_sampled", walk), ("door_to_door_sampled", home)):
        got_n = _count(cx, where, r, column)
        if got_n is not None and got_n != want_n:
            cx.found.add("totals", f"{where}: {column} {got_n}, assignments.csv sums to {want_n}")
    want_cov = (walk + home) / site.residents if site.residents else 1.0
    try:
        got_cov = float(r.coverage)
        if not np.isfinite(got_cov):
            raise ValueError
    except ValueError:
        cx.found.add("format", f"{where}: coverage {r.coverage!r} is not a number")
    else:
        if abs(got_cov - want_cov) > COVERAGE_TOLERANCE:
            cx.found.add(
                "totals",
                f"{where}: coverage {r.coverage}, assignments.csv gives {want_cov:.6f}",
            )
    _check_site_done_at(cx, where, r.done_at, site, mine)


def _count(cx: Context, where: str, r: Any, column: str) -> int | None:
    """The whole number in ``column`` of sites.csv row ``r``; None (reported) if not one."""
    value = getattr(r, column)
    if re.fullmatch(COUNT_PATTERN, value):
        return int(value)
    cx.found.add("format", f"{where}: {column} {value!r} is not a whole number")
    return None


def _check_site_done_at(cx: Context, where: str, got_done: str, site: Site, mine: Any) -> None:
    """A site's done_at: the end of its last sampled interval; empty if not fully covered."""
    if got_done and cx.minutes(got_done) is None:
        cx.found.add("format", f"{where}: done_at {got_done!r} is not a YYYY-MM-DD HH:MM time")
        return
    if not mine["covered"]:
        if got_done:
            cx.found.add(
                "totals",
                f"{where}: done_at {got_done}, but the site is not fully covered (expected empty)",
            )
    elif site.residents == 0:
        if got_done not in ("", cx.stamp(0)):
            cx.found.add(
                "totals",
                f"{where}: done_at {got_done} for a site with no "
                "residents (expected empty or the horizon start)",
            )
    elif got_done != cx.stamp(mine["last_end"]):
        cx.found.add(
            "totals",
            f"{where}: done_at {got_done or '(empty)'}, but its last sampled interval "
            f"ends {cx.stamp(mine['last_end'])}",
        )


def check_plan_json(cx: Context, per_site: pd.DataFrame) -> None:
    """plan.json coverage, done_at, status and lower bound agree with assignments.csv."""
    plan = _read_plan_json(cx)
    if plan is None:
        return
    times = _plan_json_times(cx, plan)
    if times is None:
        return
    total = cx.sc.total_residents
    sampled = int(per_site["walk_in"].sum() + per_site["door_to_door"].sum())
    want_cov = sampled / total if total else 1.0
    coverage = plan["coverage"]
    if abs(float(coverage) - want_cov) > COVERAGE_TOLERANCE:
        cx.found.add(
            "plan_json", f"plan.json: coverage {coverage}, assignments.csv gives {want_cov:.6f}"
        )
    fully = bool(per_site["covered"].all())
    _check_plan_done_at(cx, times["done_at"], fully, per_site)
    _check_plan_status(cx, plan["status"], fully, times["done_at"], times["lower_bound_done_at"])


def _read_plan_json(cx: Context) -> dict[str, Any] | None:
    """plan.json as a JSON object with every key the contract names; None (reported) if not."""
    path = cx.dir / "plan.json"
    if not path.is_file():
        cx.found.add("files", "plan.json is missing")
        return None
    try:
        plan = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        cx.found.add("format", f"plan.json: not valid JSON ({exc})")
        return None
    if not isinstance(plan, dict):
        cx.found.add("format", "plan.json: expected a JSON object at the top")
        return None
    missing = [k for k in PLAN_KEYS if k not in plan]
    if missing:
        cx.found.add("format", f"plan.json: missing {', '.join(missing)}")
        return None
    return plan


def _plan_json_times(cx: Context, plan: dict[str, Any]) -> dict[str, int | None] | None:
    """done_at and lower_bound_done_at in minutes, once every value has its type; None
    (each problem reported) otherwise."""
    problems = []
    coverage = plan["coverage"]
    if isinstance(coverage, bool) or not isinstance(coverage, int | float):
        problems.append(f"coverage {coverage!r} is not a number")
    times: dict[str, int | None] = {}
    for key in ("done_at", "lower_bound_done_at"):
        value = plan[key]
        if value is None:
            times[key] = None
        elif isinstance(value, str) and cx.minutes(value) is not None:
            times[key] = cx.minutes(value)
        else:
            problems.append(f"{key} {value!r} is not a YYYY-MM-DD HH:MM time or null")
    if plan["status"] not in STATUSES:
        problems.append(f"status {plan['status']!r} is not one of {', '.join(STATUSES)}")
    if "solver" in plan and not isinstance(plan["solver"], dict):
        problems.append("solver is not an object")
    if problems:
        cx.found.add_many("format", (f"plan.json: {p}" for p in problems), len(problems))
        return None
    return times


def _shown(cx: Context, minute: int | None) -> str:
    """A plan.json time as examples show it."""
    return "null" if minute is None else cx.stamp(minute)


def _check_plan_done_at(cx: Context, done: int | None, fully: bool, per_site: pd.DataFrame) -> None:
    """plan.json done_at: the latest site done_at when every site is covered, else null."""
    ends = per_site.loc[per_site["residents"] > 0, "last_end"]
    shown = _shown(cx, done)
    if not fully:
        if done is not None:
            cx.found.add(
                "plan_json", f"plan.json: done_at {shown}, but not every site is fully covered"
            )
    elif ends.empty:
        if done not in (None, 0):
            cx.found.add(
                "plan_json",
                f"plan.json: done_at {shown} with no residents to "
                "sample (expected null or the horizon start)",
            )
    elif done != int(ends.max()):
        cx.found.add(
            "plan_json",
            f"plan.json: done_at {shown}, but the last site is done at {cx.stamp(ends.max())}",
        )


def _check_plan_status(
    cx: Context, status: str, fully: bool, done: int | None, bound: int | None
) -> None:
    """partial exactly when someone is not sampled; the lower bound never after done_at,
    and equal to it when the plan says optimal."""
    shown = _shown(cx, done)
    if fully == (status == "partial"):
        cx.found.add(
            "plan_json",
            f"plan.json: status {status!r}, but "
            + ("every resident is sampled" if fully else "not every resident is sampled"),
        )
    if done is not None and bound is not None and bound > done:
        cx.found.add(
            "plan_json",
            f"plan.json: lower_bound_done_at {cx.stamp(bound)} is after done_at {shown}",
        )
    any_residents = cx.sc.total_residents > 0
    if status == "optimal" and fully and any_residents and (done is None or bound != done):
        cx.found.add(
            "plan_json",
            f"plan.json: status 'optimal', but done_at {shown} is not the lower bound "
            + ("null" if bound is None else cx.stamp(bound)),
        )
