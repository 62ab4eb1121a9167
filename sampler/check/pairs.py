"""Rule 2: a pair works as one, in a mode its team and the site allow.

Rule 2 of CONTRACT.md: a pair's two people work together; only teams with
``door_to_door: true`` do home visits; a sealed site gets no walk-in.
"""

from __future__ import annotations

import pandas as pd

from sampler.check.context import Context
from sampler.check.contract import SUITED


def check_pair_together(cx: Context, roster: pd.DataFrame, pair_size: dict[str, int]) -> None:
    """Both people of a pair have identical walk_in, door_to_door and travel rows.

    ``pair_size`` is the number of people of each pair, from
    :func:`sampler.check.people.check_people`.
    """
    suited = roster[roster["activity"].isin(SUITED)]
    keys = ["qid", "activity", "sid", "start", "end"]
    rows = suited.drop_duplicates([*keys, "pid"])
    together = rows.groupby(keys, sort=False)["pid"].transform("size")
    size = rows["pair"].map(pair_size)
    cx.found.flag(
        "pair_together",
        rows,
        together < size,
        lambda r: f"{cx.row('roster.csv', r)}: the other person of pair {r.pair} has no such row",
    )


def check_mode_and_site(cx: Context, frame: pd.DataFrame, file: str) -> None:
    """Only teams with door_to_door: true do home visits; a sealed site gets no walk-in."""
    untrained = {t.id for t in cx.sc.teams if not t.door_to_door}
    sealed = {s.id for s in cx.sc.sites if s.sealed}
    home = (frame["activity"] == "door_to_door") & frame["team"].isin(untrained)
    cx.found.flag(
        "door_to_door_team",
        frame,
        home,
        lambda r: f"{cx.row(file, r)}: team {r.team} has door_to_door: false",
    )
    walk = (frame["activity"] == "walk_in") & frame["site"].isin(sealed)
    cx.found.flag(
        "sealed_walk_in",
        frame,
        walk,
        lambda r: f"{cx.row(file, r)}: site {r.site} is sealed",
    )
