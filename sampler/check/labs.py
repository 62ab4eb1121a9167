"""The lab rules of docs/labs.md, from the plan files alone: collections.csv against
assignments.csv, transport, each lab's first-in, first-out queue and hours (labs.csv),
and the results sites.csv and plan.json state.

Only for a scenario with labs; shares no code with the planner's :mod:`sampler.labs`.
"""

from __future__ import annotations

import csv
import json
from typing import Any

import numpy as np
import pandas as pd

from sampler.check.context import Context
from sampler.check.contract import COUNT_PATTERN, LAB_HOUR_COLUMNS
from sampler.check.lab_collections import (
    NAME,
    check_collections,
    expected_collections,
    read_collections,
)
from sampler.check.lab_queue import QueueRun, lab_hour, run_lab
from sampler.check.reading import as_frame, read_table, read_text
from sampler.check.travel import travel_minutes

SHARE_TOLERANCE = 1e-6


def check_labs(cx: Context, assignments: pd.DataFrame, per_site: pd.DataFrame) -> dict[str, int]:
    """Every lab rule; returns the collections' and tubes' counts for the report."""
    if not cx.sc.labs:
        return {}
    f = read_collections(cx)
    if f is None:
        return {}
    check_collections(cx, f, expected_collections(cx, assignments))
    check_transport(cx, f)
    runs = check_queues(cx, f)
    check_lab_hours(cx, f, runs)
    check_results(cx, f, per_site)
    return {"collections": len(f), "tubes": int(f["tubes"].sum())}


def check_transport(cx: Context, f: pd.DataFrame) -> None:
    """Rule 4: arrival at least pickup + courier minutes; swab to lab within the limit."""
    couriers = cx.sc.courier_rules
    site = [cx.sites[s] for s in f["site"]]
    lab = [cx.sc.lab_by_id[b] for b in f["lab"]]
    trip = travel_minutes(
        np.array([s.lat for s in site]), np.array([s.lon for s in site]),
        np.array([b.lat for b in lab]), np.array([b.lon for b in lab]), couriers.speed_kmh,
    )  # fmt: skip
    early = f["arrival"].to_numpy() < f["pickup"].to_numpy() + trip
    cx.found.flag(
        "lab_travel",
        f.assign(trip=trip),
        early,
        lambda r: (
            f"{NAME} line {r.line}: {r.site} to {r.lab} picked up {cx.t(r.pickup)}, "
            f"arrives {cx.t(r.arrival)}: the trip is {int(r.trip)} minutes"
        ),
    )
    old = (f["arrival"] - f["oldest_swab"]).to_numpy() > couriers.max_swab_to_lab_minutes
    cx.found.flag(
        "lab_swab_limit",
        f,
        old,
        lambda r: (
            f"{NAME} line {r.line}: swabbed from {cx.t(r.oldest_swab)}, at {r.lab} "
            f"{cx.t(r.arrival)}: over {couriers.max_swab_to_lab_minutes} minutes"
        ),
    )


def check_queues(cx: Context, f: pd.DataFrame) -> dict[str, QueueRun]:
    """Rule 5: tested_at as each lab's queue gives it; results_at = tested_at + batch."""
    runs = {}
    for lab in cx.sc.labs or []:
        mine = f[f["lab"] == lab.id].sort_values(["arrival", "line"], kind="stable")
        run = run_lab(cx.sc, lab, mine["arrival"].tolist(), mine["tubes"].tolist())
        runs[lab.id] = run
        wrong = mine["tested_at"].to_numpy() != np.asarray(run.tested_at, dtype=np.int64)
        cx.found.flag(
            "lab_fifo",
            mine.assign(want=run.tested_at),
            wrong,
            lambda r: (
                f"{NAME} line {r.line}: tested_at {cx.t(r.tested_at)}, the first-in, "
                f"first-out queue at {r.lab} loads its last tube at {cx.t(r.want)}"
            ),
        )
        late = mine["results_at"].to_numpy() != mine["tested_at"].to_numpy() + lab.batch_minutes
        cx.found.flag(
            "lab_results",
            mine,
            late,
            lambda r: (
                f"{NAME} line {r.line}: results_at {cx.t(r.results_at)}, tested_at "
                f"{cx.t(r.tested_at)} + {cx.sc.lab_by_id[r.lab].batch_minutes} minutes"
            ),
        )
    return runs


def check_lab_hours(cx: Context, f: pd.DataFrame, runs: dict[str, QueueRun]) -> None:
    """labs.csv: per lab and hour the capacity, tubes arrived, tested and queued, as the
    queues give them, and never more tested than the capacity."""
    name = "labs.csv"
    text = read_text(cx, name, missing="lab_files")
    table = (
        None if text is None else read_table(cx, name, LAB_HOUR_COLUMNS, LAB_HOUR_COLUMNS[2:], text)
    )
    if table is None:
        return
    got = as_frame(table, LAB_HOUR_COLUMNS)
    counts = (
        got[list(LAB_HOUR_COLUMNS[2:])].apply(lambda c: c.str.fullmatch(COUNT_PATTERN)).all(axis=1)
    )
    over = counts & (
        got["tested"].where(counts, "0").astype(int)
        > got["capacity"].where(counts, "0").astype(int)
    )
    cx.found.flag(
        "lab_capacity",
        got,
        over,
        lambda r: f"{name} line {r.line}: {r.lab} {r.hour} tests {r.tested} of {r.capacity}",
    )
    want = _hour_rows(cx, f, runs)
    rows = list(zip(*(got[c] for c in LAB_HOUR_COLUMNS), strict=True))
    if rows != want:
        diff = [
            f"{name}: {','.join(w)} expected, got {','.join(g)}"
            for w, g in zip(want, rows, strict=False)
            if w != g
        ]
        if len(rows) != len(want):
            diff.append(f"{name}: {len(rows)} rows, the queues give {len(want)}")
        cx.found.add_many("lab_capacity", diff, max(len(diff), 1))


def _hour_rows(cx: Context, f: pd.DataFrame, runs: dict[str, QueueRun]) -> list[tuple[str, ...]]:
    """labs.csv as the queues give it: every lab, hours 0 to the last any lab loads in."""
    last = max((k for run in runs.values() for k in run.loaded), default=0)
    arrived = f.groupby([f["lab"], f["arrival"] // 60])["tubes"].sum().to_dict()
    rows: list[tuple[str, ...]] = []
    for lab in cx.sc.labs or []:
        queued = 0
        for k in range(last + 1):
            hour = runs[lab.id].hours.get(k) or lab_hour(cx.sc, lab, k)
            came, tested = int(arrived.get((lab.id, k), 0)), runs[lab.id].loaded.get(k, 0)
            queued += came - tested
            rows.append(
                (lab.id, cx.stamp(60 * k), str(hour.capacity), str(came), str(tested), str(queued))
            )
    return rows


def check_results(cx: Context, f: pd.DataFrame, per_site: pd.DataFrame) -> None:
    """Rule 6 and the totals: within_target; sites.csv results_at; plan.json's results."""
    target = cx.sc.results_target
    within = pd.Series(True, index=f.index)
    if target is not None and target.within_minutes is not None:
        within &= f["results_at"] - f["oldest_swab"] <= target.within_minutes
    if target is not None and target.by is not None:
        within &= f["results_at"] <= int((target.by - cx.sc.start).total_seconds() // 60)
    wrong = (f["within_target"] == "yes") != within
    cx.found.flag(
        "lab_results",
        f,
        wrong,
        lambda r: f"{NAME} line {r.line}: within_target {r.within_target} is wrong",
    )
    last = f.groupby("site")["results_at"].max()
    _check_site_results(cx, last, per_site)
    _check_plan_results(cx, f, within)


def _check_site_results(cx: Context, last: pd.Series, per_site: pd.DataFrame) -> None:
    path = cx.dir / "sites.csv"
    if not path.is_file():
        return
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if rows and "results_at" not in rows[0]:
        cx.found.add("lab_results", "sites.csv: no results_at column")
        return
    for line, row in enumerate(rows, start=2):
        site = row.get("site", "")
        if site not in cx.sites:
            continue
        covered = bool(per_site.loc[site, "covered"]) and site in last.index
        want = cx.stamp(last[site]) if covered else ""
        if row["results_at"] != want:
            cx.found.add(
                "lab_results",
                f"sites.csv line {line}: {site} results_at {row['results_at']!r}, "
                f"collections.csv gives {want!r}",
            )


def _check_plan_results(cx: Context, f: pd.DataFrame, within: pd.Series) -> None:
    try:
        plan: dict[str, Any] = json.loads((cx.dir / "plan.json").read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        return  # reported by the contract's rules
    done = cx.stamp(f["results_at"].max()) if len(f) else None
    want = {
        "results_done_at": done,
        "collections": len(f),
        "tubes": int(f["tubes"].sum()),
    }
    for key, value in want.items():
        if plan.get(key) != value:
            cx.found.add(
                "lab_results",
                f"plan.json: {key} {plan.get(key)!r}, collections.csv gives {value!r}",
            )
    _check_results_status(cx, plan, done)
    if cx.sc.results_target is not None:
        samples = int(f["samples"].sum())
        share = float(f["samples"][within].sum() / samples) if samples else 1.0
        got = plan.get("results_within_target")
        if not isinstance(got, int | float) or abs(got - share) > SHARE_TOLERANCE:
            cx.found.add(
                "lab_results",
                f"plan.json: results_within_target {got!r}, collections.csv gives {share:.6f}",
            )


def _check_results_status(cx: Context, plan: dict[str, Any], done: str | None) -> None:
    """plan.json results_status, where written: partial exactly when the sampling's status
    is, optimal only when the last result is at its bound."""
    status = plan.get("results_status")
    if status is None:
        return  # a folder written before the key
    bound = plan.get("lower_bound_results_done_at")
    if status not in ("optimal", "feasible", "partial"):
        problem = "is not one of optimal, feasible, partial"
    elif (status == "partial") != (plan.get("status") == "partial"):
        problem = f"but the sampling's status is {plan.get('status')!r}"
    elif status == "optimal" and (
        done is None or not isinstance(bound, str) or cx.minutes(done) != cx.minutes(bound)
    ):
        problem = f"but the last result {done!r} is not its bound {bound!r}"
    else:
        return
    cx.found.add("lab_results", f"plan.json: results_status {status!r}, {problem}")
