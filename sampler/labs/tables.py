"""The lab stage as the plan folder lays it out (docs/labs.md): collections.csv, labs.csv,
sites.csv's results_at and plan.json's lab keys. Tables and plain data only; export
writes them."""

from __future__ import annotations

from typing import Any

import pandas as pd

from sampler.labs import LabPlan
from sampler.plan_folder import TIME_FORMAT
from sampler.scenario import Scenario

COLLECTION_COLUMNS = [
    "site", "pickup", "tubes", "samples", "lab", "arrival",
    "walk_in_samples", "door_to_door_samples", "walk_in_tubes", "door_to_door_tubes",
    "oldest_swab", "tested_at", "results_at", "within_target",
]  # fmt: skip
LAB_COLUMNS = ["lab", "hour", "capacity", "arrived", "tested", "queued"]


def _stamp(sc: Scenario, minute: int | None) -> str | None:
    return None if minute is None else sc.at(int(minute)).strftime(TIME_FORMAT)


def collections_table(sc: Scenario, labs: LabPlan) -> pd.DataFrame:
    """One row per collection, by pickup, then the scenario's site order."""
    cs = labs.collections
    stamps = {m: _stamp(sc, m) for m in {*labs.arrival, *labs.tested_at, *labs.results_at}}
    stamps.update({c.pickup: _stamp(sc, c.pickup) for c in cs})
    stamps.update({c.oldest_swab: _stamp(sc, c.oldest_swab) for c in cs})
    return pd.DataFrame(
        {
            "site": [c.site for c in cs],
            "pickup": [stamps[c.pickup] for c in cs],
            "tubes": [c.tubes for c in cs],
            "samples": [c.samples for c in cs],
            "lab": list(labs.lab),
            "arrival": [stamps[m] for m in labs.arrival],
            "walk_in_samples": [c.walk_in_samples for c in cs],
            "door_to_door_samples": [c.door_to_door_samples for c in cs],
            "walk_in_tubes": [c.walk_in_tubes for c in cs],
            "door_to_door_tubes": [c.door_to_door_tubes for c in cs],
            "oldest_swab": [stamps[c.oldest_swab] for c in cs],
            "tested_at": [stamps[m] for m in labs.tested_at],
            "results_at": [stamps[m] for m in labs.results_at],
            "within_target": ["yes" if ok else "no" for ok in labs.within_target],
        },
        columns=COLLECTION_COLUMNS,
    )


def labs_table(sc: Scenario, labs: LabPlan) -> pd.DataFrame:
    """One row per lab and hour, from the first hour to the last any lab loads in."""
    arrived: dict[tuple[str, int], int] = {}
    for c, lab_id, at in zip(labs.collections, labs.lab, labs.arrival, strict=True):
        arrived[lab_id, at // 60] = arrived.get((lab_id, at // 60), 0) + c.tubes
    rows = []
    for lab in sc.labs or []:
        capacity, loaded, queued = labs.capacity[lab.id], labs.loaded[lab.id], 0
        for k, cap in enumerate(capacity):
            came, tested = arrived.get((lab.id, k), 0), loaded.get(k, 0)
            queued += came - tested
            rows.append((lab.id, _stamp(sc, 60 * k), cap, came, tested, queued))
    return pd.DataFrame(rows, columns=LAB_COLUMNS)


def site_results(sc: Scenario, labs: LabPlan, covered: pd.Series) -> list[str]:
    """sites.csv's results_at: each fully covered site's latest result, else empty."""
    last: dict[str, int] = {}
    for c, at in zip(labs.collections, labs.results_at, strict=True):
        last[c.site] = max(at, last.get(c.site, at))
    return [
        (_stamp(sc, last[s.id]) or "") if bool(covered[s.id]) and s.id in last else ""
        for s in sc.sites
    ]


def lab_document(sc: Scenario, labs: LabPlan) -> dict[str, Any]:
    """plan.json's lab keys."""
    target = sc.results_target
    per_lab = []
    for lab in sc.labs or []:
        mine = [i for i, name in enumerate(labs.lab) if name == lab.id]
        per_lab.append(
            {
                "lab": lab.id,
                "tubes": sum(labs.collections[i].tubes for i in mine),
                "collections": len(mine),
                "last_result": _stamp(sc, max((labs.results_at[i] for i in mine), default=None)),
            }
        )
    gap = labs.gap
    return {
        "results_done_at": _stamp(sc, labs.results_done_minute),
        "lower_bound_results_done_at": _stamp(sc, labs.lower_bound_minute),
        "results_gap": None if gap is None else round(gap, 6),
        "results_target": None if target is None else target.model_dump(mode="json"),
        "results_within_target": None if target is None else round(labs.within_share, 6),
        "collections": len(labs.collections),
        "tubes": labs.tubes,
        "labs": per_lab,
        "pacing": _pacing_document(sc, labs),
    }


def _pacing_document(sc: Scenario, labs: LabPlan) -> dict[str, Any] | None:
    """What pacing changed (docs/labs.md, "Pacing"); None for a plan not paced (a replan)."""
    paced = labs.pacing
    if paced is None:
        return None
    within = None if sc.results_target is None else 1 - paced.unmet_before / max(labs.samples, 1)
    return {
        "pairs_delayed": paced.pairs_delayed,
        "pair_minutes": paced.pair_minutes,
        "plans_routed": paced.routed,
        "results_within_target_before": None if within is None else round(within, 6),
        "results_done_at_before": _stamp(sc, paced.results_before),
        "done_at_before": _stamp(sc, paced.done_before),
    }
