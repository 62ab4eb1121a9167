"""assignments.csv against the roster, and Rule 6: no more samples than time and residents allow.

Rule 6 of CONTRACT.md: samples in an interval never exceed the pair's rate times its
length; a site never gets more walk-in samples than residents - home_visits, nor more home
samples than home_visits. Before that, each assignment must lie inside its pair's roster
rows, and a pair samples in one interval at a time. :func:`site_totals` sums the samples
per site once, for Rule 6 and for the totals of sites.csv and plan.json.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sampler.check.context import Context
from sampler.check.contract import WORK
from sampler.check.intervals import by_group_then_time, merge_touching, prev_max_end

SAMPLE_TOLERANCE = 1e-6


def check_inside_roster(cx: Context, assignments: pd.DataFrame, roster: pd.DataFrame) -> None:
    """Each assignment lies inside one of its pair's roster rows (touching rows joined)."""
    if assignments.empty:
        return
    work = roster[roster["activity"].isin(WORK)]
    spans = merge_touching(work, ["pair", "pid", "sid", "activity"])
    spans["site"] = [cx.sc.sites[i].id for i in spans["sid"]]
    a = assignments.assign(row=np.arange(len(assignments)))
    keys = ["pair", "site", "activity"]
    paired = a[["row", *keys, "start", "end"]].merge(
        spans[[*keys, "start", "end"]].rename(columns={"start": "r_start", "end": "r_end"}),
        on=keys,
    )
    covered = paired[(paired["r_start"] <= paired["start"]) & (paired["r_end"] >= paired["end"])]
    cx.found.flag(
        "assignment_outside_roster",
        a,
        ~a["row"].isin(covered["row"]),
        lambda r: (
            f"{cx.row('assignments.csv', r)} is not inside a roster.csv "
            f"{r.activity} row of pair {r.pair} at {r.site}"
        ),
    )


def check_assignment_overlap(cx: Context, assignments: pd.DataFrame) -> None:
    """A pair samples in one interval at a time: its assignments never overlap."""
    f, pairs = by_group_then_time(assignments, ["pair"])
    prev = prev_max_end(pairs, f["end"])
    cx.found.flag(
        "assignment_overlap",
        f,
        f["start"].to_numpy() < prev,
        lambda r: f"{cx.row('assignments.csv', r)} overlaps an earlier assignment",
    )


def check_rate(cx: Context, assignments: pd.DataFrame) -> None:
    """samples <= the team's rate for the activity x the interval's hours."""
    f = assignments
    if f.empty:
        return
    walk = f["team"].map(cx.rule_by_team("walk_in_per_hour"))
    home = f["team"].map(cx.rule_by_team("door_to_door_per_hour"))
    rate = np.where(f["activity"] == "walk_in", walk, home)
    cap = rate * (f["end"] - f["start"]) / 60
    over = f["samples"] > cap + SAMPLE_TOLERANCE
    cx.found.flag(
        "rate",
        f.assign(cap=cap),
        over,
        lambda r: (
            f"{cx.row('assignments.csv', r)}: {r.samples} samples, at most "
            f"{r.cap:g} at the team's rate"
        ),
    )


def site_totals(cx: Context, assignments: pd.DataFrame) -> pd.DataFrame:
    """Per scenario site: walk-in and home samples and done_at from assignments.csv."""
    out = pd.DataFrame(index=[s.id for s in cx.sc.sites])
    for activity in WORK:
        own = assignments[assignments["activity"] == activity]
        sums = own.groupby("site")["samples"].sum()
        out[activity] = sums.reindex(out.index).fillna(0).astype(np.int64)
    sampled = assignments[assignments["samples"] > 0]
    out["last_end"] = sampled.groupby("site")["end"].max().reindex(out.index)
    out["residents"] = [s.residents for s in cx.sc.sites]
    out["covered"] = out["walk_in"] + out["door_to_door"] >= out["residents"]
    return out


def check_site_demand(cx: Context, per_site: pd.DataFrame) -> None:
    """A site gets <= residents - home_visits walk-in and <= home_visits home samples."""
    for site in cx.sc.sites:
        walk, home = per_site.at[site.id, "walk_in"], per_site.at[site.id, "door_to_door"]
        if walk > site.walk_in_demand:
            cx.found.add(
                "site_demand",
                f"site {site.id}: {walk} walk-in samples, at most {site.walk_in_demand}"
                + (" (sealed)" if site.sealed else ""),
            )
        if home > site.home_demand:
            cx.found.add(
                "site_demand",
                f"site {site.id}: {home} home samples, at most {site.home_demand}",
            )
