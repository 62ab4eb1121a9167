"""From text tables to typed rows the rules can check.

Times become minutes from the horizon start and samples integers; a row with a badly
formed value is reported (rule ``format``) and left out, and so is a row naming a team or
site the scenario does not know (rule ``unknown_reference``) or an empty interval (rule
``interval``), so that each rule sees only rows it can judge.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from sampler.check.context import Context
from sampler.check.contract import ACTIVITIES, COUNT_PATTERN, ROLES, WORK
from sampler.check.findings import MAX_EXAMPLES


def parse_times(cx: Context, name: str, frame: pd.DataFrame, columns: Iterable[str]) -> pd.Series:
    """Turn time cells into minutes from the horizon start; returns a mask of good rows."""
    ok = pd.Series(True, index=frame.index)
    for column in columns:
        # Plans reuse a few hundred distinct times at most: parse each once.
        minutes = {v: cx.minutes(v) for v in set(frame[column])}
        parsed = frame[column].map(minutes)
        good = parsed.notna()
        if not good.all():
            bad = frame.loc[~good, ["line", column]]
            cx.found.add_many(
                "format",
                (
                    f"{name} line {line}: {column} {value!r} is not a YYYY-MM-DD HH:MM time"
                    for line, value in bad.head(MAX_EXAMPLES).itertuples(index=False)
                ),
                len(bad),
            )
            ok &= good
        frame[column] = parsed.fillna(0).astype(np.int64)
    return ok


def bad_values(cx: Context, name: str, frame: pd.DataFrame, mask: pd.Series, what: str) -> None:
    """Report the rows of ``mask`` as badly formed: ``what`` says how."""
    if not mask.any():
        return
    bad = frame[mask]
    cx.found.add_many(
        "format",
        (f"{name} line {r.line}: {what}" for r in bad.head(MAX_EXAMPLES).itertuples()),
        len(bad),
    )


def parse_roster(cx: Context, text: pd.DataFrame) -> pd.DataFrame:
    """roster.csv rows whose values are well formed, times as minutes."""
    name = "roster.csv"
    f = text.copy()
    ok = parse_times(cx, name, f, ("start", "end"))
    for column in ("team", "person", "pair"):
        missing = f[column] == ""
        bad_values(cx, name, f, missing, f"{column} is empty")
        ok &= ~missing
    role = ~f["role"].isin(ROLES)
    bad_values(cx, name, f, role, f"role is not one of {', '.join(ROLES)}")
    activity = ~f["activity"].isin(ACTIVITIES)
    bad_values(cx, name, f, activity, f"activity is not one of {', '.join(ACTIVITIES)}")
    is_break = f["activity"] == "break"
    no_site = ~activity & ~is_break & (f["site"] == "")
    bad_values(cx, name, f, no_site, "a work or travel row needs a site")
    break_site = is_break & (f["site"] != "")
    bad_values(cx, name, f, break_site, "a break row must leave site empty")
    ok &= ~(role | activity | no_site | break_site)
    return f[ok].reset_index(drop=True)


def interval_rows(cx: Context, file: str, frame: pd.DataFrame) -> pd.Series:
    """Mask of rows that start before they end; the others are reported."""
    good = frame["start"] < frame["end"]
    cx.found.flag("interval", frame, ~good, lambda r: cx.row(file, r))
    return good


def known_roster_rows(cx: Context, roster: pd.DataFrame) -> pd.DataFrame:
    """Roster rows with a proper interval and known team and site; others are reported.

    Adds integer codes ``pid`` (person), ``qid`` (pair) and ``sid`` (site, -1 for none),
    which group and sort much faster than the ids themselves.
    """
    good = interval_rows(cx, "roster.csv", roster)
    team = roster["team"].isin(cx.teams.keys())
    cx.found.flag(
        "unknown_reference",
        roster,
        ~team,
        lambda r: f"roster.csv line {r.line}: team {r.team!r} is not in the scenario",
    )
    site = (roster["site"] == "") | roster["site"].isin(cx.sites.keys())
    cx.found.flag(
        "unknown_reference",
        roster,
        ~site,
        lambda r: f"roster.csv line {r.line}: site {r.site!r} is not in the scenario",
    )
    f = roster[good & team & site].reset_index(drop=True)
    f["pid"] = pd.factorize(f["person"])[0]
    f["qid"] = pd.factorize(f["pair"])[0]
    f["sid"] = f["site"].map(cx.site_code).fillna(-1).astype(np.int64)
    return f


def parse_assignments(cx: Context, text: pd.DataFrame) -> pd.DataFrame:
    """assignments.csv rows whose values are well formed and whose site is known."""
    name = "assignments.csv"
    f = text.copy()
    ok = parse_times(cx, name, f, ("start", "end"))
    for column in ("team", "pair", "site"):
        missing = f[column] == ""
        bad_values(cx, name, f, missing, f"{column} is empty")
        ok &= ~missing
    activity = ~f["activity"].isin(WORK)
    bad_values(cx, name, f, activity, f"activity is not one of {', '.join(WORK)}")
    count = f["samples"].astype(str).str.fullmatch(COUNT_PATTERN).astype(bool)
    bad_values(cx, name, f, ~count, "samples is not a non-negative integer")
    ok &= ~activity & count
    f = f[ok].copy()
    f["samples"] = f["samples"].astype(np.int64)
    site = f["site"].isin(cx.sites.keys())
    cx.found.flag(
        "unknown_reference",
        f,
        ~site,
        lambda r: f"{name} line {r.line}: site {r.site!r} is not in the scenario",
    )
    return f[site].reset_index(drop=True)


def known_assignments(cx: Context, f: pd.DataFrame, pair_team: dict[str, str]) -> pd.DataFrame:
    """Assignments with a proper interval, a known team and a pair of that team."""
    name = "assignments.csv"
    good = interval_rows(cx, name, f)
    team = f["team"].isin(cx.teams.keys())
    cx.found.flag(
        "unknown_reference",
        f,
        ~team,
        lambda r: f"{name} line {r.line}: team {r.team!r} is not in the scenario",
    )
    roster_team = f["pair"].map(pair_team)
    pair = team & (roster_team == f["team"])
    cx.found.flag(
        "unknown_reference",
        f.assign(roster_team=roster_team),
        team & ~pair,
        lambda r: (
            f"{name} line {r.line}: pair {r.pair!r} of team {r.team!r} is "
            + (
                "not in roster.csv"
                if pd.isna(r.roster_team)
                else f"in team {r.roster_team!r} in roster.csv"
            )
        ),
    )
    return f[good & pair].reset_index(drop=True)
