"""The plan folder's files as the charts read them: teams in order, one row per pair and
interval, residents sampled by each minute.

Kept apart from the drawing so that each chart starts from tidy frames, not from the
roster's people-by-people rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sampler.plan_folder import PlanFolder


@dataclass(frozen=True)
class Team:
    """A team as the Gantt chart titles it: id, name, people and plan.json's figures."""

    id: str
    name: str
    people: int | None
    figures: dict


def plan_teams(folder: PlanFolder) -> list[Team]:
    """Teams in plan.json's order, then the scenario's, then the roster's."""
    figures = {t.get("team"): t for t in folder.plan.get("teams", [])}
    names, people = {}, {}
    order: list[str] = list(figures)
    if folder.scenario:
        for t in folder.scenario.teams:
            names[t.id], people[t.id] = t.name, t.people
            if t.id not in order:
                order.append(t.id)
    for team in folder.roster["team"].unique() if len(folder.roster) else []:
        if team not in order:
            order.append(team)
    return [
        Team(
            t, names.get(t, ""), people.get(t, figures.get(t, {}).get("people")), figures.get(t, {})
        )
        for t in order
    ]


def pair_rows(folder: PlanFolder) -> pd.DataFrame:
    """One row per pair per interval (the two people of a pair share their rows), with
    minutes ``s`` and ``e``, the site's name and the residents sampled in it."""
    roster = folder.roster
    cols = ["team", "pair", "activity", "site", "start", "end"]
    if roster.empty:
        return pd.DataFrame(columns=[*cols, "s", "e", "samples", "people", "site_name"])
    people = roster.groupby("pair", sort=False)["person"].agg(
        lambda p: " · ".join(dict.fromkeys(p))
    )
    rows = roster.drop_duplicates(["pair", "activity", "site", "start", "end"])[cols].copy()
    rows["s"] = folder.minutes(rows["start"])
    rows["e"] = folder.minutes(rows["end"])
    rows["people"] = rows["pair"].map(people)
    names = dict(
        zip(folder.sites["site"], folder.sites.get("name", folder.sites["site"]), strict=True)
    )
    rows["site_name"] = rows["site"].map(names).fillna("")
    rows["samples"] = 0
    work = folder.assignments
    if not work.empty:
        a = work[["pair", "site", "activity"]].copy()
        a["as"] = folder.minutes(work["start"])
        a["ae"] = folder.minutes(work["end"])
        a["n"] = pd.to_numeric(work["samples"], errors="coerce").fillna(0)
        keyed = rows[["pair", "site", "activity", "s", "e"]].reset_index()
        both = keyed.merge(a, on=["pair", "site", "activity"])
        inside = both[(both["as"] >= both["s"]) & (both["ae"] <= both["e"])]
        samples = inside.groupby("index")["n"].sum()
        rows["samples"] = samples.reindex(rows.index).fillna(0).astype("int64")
    return rows.reset_index(drop=True)


def sampled_by_minute(folder: PlanFolder) -> np.ndarray:
    """Residents sampled by each minute of the horizon (index 0 .. H), each assignment's
    samples spread evenly over its interval."""
    horizon = folder.horizon_minutes
    curve = np.zeros(horizon + 1)
    work = folder.assignments
    if work.empty:
        return curve
    s = folder.minutes(work["start"]).clip(0, horizon).to_numpy()
    e = folder.minutes(work["end"]).clip(0, horizon).to_numpy()
    n = pd.to_numeric(work["samples"], errors="coerce").fillna(0).to_numpy(dtype=float)
    span = np.maximum(e - s, 1)
    e = np.maximum(e, s + 1)  # an interval of no length counts in its first minute
    diff = np.zeros(horizon + 2)
    np.add.at(diff, s, n / span)
    np.add.at(diff, np.minimum(e, horizon + 1), -n / span)
    per_minute = np.cumsum(diff)[:horizon]
    curve[1:] = np.cumsum(per_minute)
    return curve
