"""Checks on the plan files as files: the per-team roster copies and roster.csv's order.

``rosters/<team>.csv`` is not in the contract (it is ours, and optional), but where it is
written it must say exactly what roster.csv says: a reader of one team's file must not see
another plan than the whole.
"""

from __future__ import annotations

import io
import re
from collections import Counter

import pandas as pd

from sampler.check.context import Context
from sampler.check.contract import ROSTER_COLUMNS
from sampler.check.reading import Table, read_table, read_text
from sampler.scenario import ID_PATTERN

_ID = re.compile(ID_PATTERN)


def check_team_rosters(cx: Context, roster: Table | None) -> None:
    """With a rosters/ folder (not in the contract: ours, and optional), rosters/<team>.csv
    exists for each team with rows and holds exactly its rows."""
    if roster is None or not (cx.dir / "rosters").is_dir():
        return  # nothing to compare with, or no team files to compare
    rows_of: dict[str, list[int]] = {}
    for index, team in enumerate(roster.cells["team"]):
        rows_of.setdefault(team, []).append(index)
    for team, indexes in sorted(rows_of.items()):
        if not _ID.fullmatch(team):
            continue  # not a usable file name; reported as an unknown team
        _check_team_file(cx, roster, team, indexes)
    folder = cx.dir / "rosters"
    if folder.is_dir():
        for path in sorted(folder.glob("*.csv")):
            if path.stem in rows_of:
                continue
            name = f"rosters/{path.name}"
            own = read_table(cx, name, ROSTER_COLUMNS, ("start", "end"))
            if own is not None and own.lines:
                cx.found.add(
                    "team_rosters",
                    f"{name} has {len(own.lines)} rows, roster.csv none of team {path.stem}",
                )


def _check_team_file(cx: Context, roster: Table, team: str, indexes: list[int]) -> None:
    """rosters/<team>.csv holds exactly the roster.csv rows ``indexes`` of ``team``."""
    name = f"rosters/{team}.csv"
    text = read_text(cx, name, missing="team_rosters")
    if text is None:
        return
    if roster.physical:
        # The usual case, cheap: the very same lines as in roster.csv.
        want_text = [roster.physical[0]] + [roster.physical[roster.lines[i] - 1] for i in indexes]
        lines = io.StringIO(text, newline="").readlines()
        if [ln.rstrip("\r\n") for ln in lines if ln.strip("\r\n")] == want_text:
            return
    own = read_table(cx, name, ROSTER_COLUMNS, ("start", "end"), text)
    if own is None:
        return
    want = [tuple(roster.cells[c][i] for c in ROSTER_COLUMNS) for i in indexes]
    got = list(zip(*(own.cells[c] for c in ROSTER_COLUMNS), strict=True))
    if want == got:
        return
    missing = Counter(want) - Counter(got)
    extra = Counter(got) - Counter(want)
    if not missing and not extra:
        cx.found.add("team_rosters", f"{name}: the rows of roster.csv, in another order")
        return
    detail = []
    if missing:
        detail.append(
            f"{missing.total()} roster.csv rows missing, e.g. {','.join(next(iter(missing)))}"
        )
    if extra:
        detail.append(f"{extra.total()} rows not in roster.csv, e.g. {','.join(next(iter(extra)))}")
    cx.found.add("team_rosters", f"{name}: " + "; ".join(detail))


def check_order(cx: Context, roster: pd.DataFrame) -> None:
    """roster.csv rows are ordered by team, person (plain string order) and start."""
    if len(roster) < 2:
        return
    team = roster["team"].to_numpy(dtype=object)
    person = roster["person"].to_numpy(dtype=object)
    start = roster["start"].to_numpy()
    t0, t1 = team[:-1], team[1:]
    p0, p1 = person[:-1], person[1:]
    before = (t1 < t0) | ((t1 == t0) & ((p1 < p0) | ((p1 == p0) & (start[1:] < start[:-1]))))
    cx.found.flag(
        "order",
        roster.iloc[1:],
        before,
        lambda r: (
            f"roster.csv line {r.line}: {r.team} {r.person} {cx.t(r.start)} comes "
            "after a row it should precede"
        ),
    )
