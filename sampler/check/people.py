"""Who is in the plan, and Rule 1: nobody in two places at once, nothing outside its hours.

Rule 1 of CONTRACT.md: nobody is in two places at once; every interval lies inside the
horizon and the team's availability; a site is worked only inside its ``open`` window.
Before it, the people and pairs themselves: a person id means one person of one team, and
a pair is one swab and one record, so that "a person's intervals" is well defined.
"""

from __future__ import annotations

import pandas as pd

from sampler.check.context import Context
from sampler.check.contract import WORK
from sampler.check.findings import MAX_EXAMPLES
from sampler.check.intervals import by_group_then_time, prev_max_end


def check_people(cx: Context, roster: pd.DataFrame) -> dict[str, int]:
    """Person ids are unique in the plan; pairs are one swab and one record of one team.

    Returns the number of people of each pair (for :func:`sampler.check.pairs.check_pair_together`).
    """
    people = roster.drop_duplicates(["pid", "team", "qid", "role"])
    uses = people.groupby("pid")["pid"].transform("size")
    split = people[uses > 1]
    examples = []
    for _, rows in list(split.groupby("pid", sort=False))[:MAX_EXAMPLES]:
        seen = "; ".join(f"team {r.team} pair {r.pair} {r.role}" for r in rows.itertuples())
        examples.append(f"person {rows['person'].iloc[0]} appears as {seen}")
    cx.found.add_many("pair_members", examples, int(split["pid"].nunique()))

    members = people.drop_duplicates(["qid", "pid"]).assign(
        swab=lambda m: m["role"] == "swab", record=lambda m: m["role"] == "record"
    )
    pair_size = _check_pairs(cx, members)
    _check_team_size(cx, members)
    return pair_size


def _check_pairs(cx: Context, members: pd.DataFrame) -> dict[str, int]:
    """Each pair is two people of one team, one swab and one record; returns pair sizes."""
    by_pair = members.groupby("qid", sort=False)
    pairs = pd.DataFrame(
        {
            "pair": by_pair["pair"].first(),
            "people": by_pair.size(),
            "swab": by_pair["swab"].sum(),
            "record": by_pair["record"].sum(),
            "teams": by_pair["team"].nunique(),
        }
    )
    bad = (
        (pairs["people"] != 2)
        | (pairs["swab"] != 1)
        | (pairs["record"] != 1)
        | (pairs["teams"] != 1)
    )
    cx.found.flag(
        "pair_members",
        pairs,
        bad,
        lambda r: (
            f"pair {r.pair}: {r.people} people, {r.swab} swab, {r.record} record, {r.teams} team(s)"
        ),
    )
    return dict(zip(pairs["pair"], pairs["people"], strict=True))


def _check_team_size(cx: Context, members: pd.DataFrame) -> None:
    """A team schedules at most people // 2 pairs."""
    per_team = members.groupby("team")["qid"].nunique()
    for team, n in per_team.items():
        allowed = cx.teams[str(team)].pairs
        if n > allowed:
            cx.found.add(
                "team_size",
                f"team {team}: {n} pairs, but {cx.teams[str(team)].people} people make {allowed}",
            )


def check_overlap(cx: Context, roster: pd.DataFrame) -> None:
    """Nobody is in two places at once: a person's intervals never overlap (touching is ok)."""
    f, people = by_group_then_time(roster, ["pid"])
    prev = prev_max_end(people, f["end"])
    cx.found.flag(
        "overlap",
        f.assign(prev=prev),
        f["start"].to_numpy() < prev,
        lambda r: (
            f"{cx.row('roster.csv', r)} starts before an earlier interval of "
            f"{r.person} ends ({cx.t(r.prev)})"
        ),
    )


def check_horizon(cx: Context, roster: pd.DataFrame) -> None:
    """Every interval lies inside the planning horizon."""
    outside = (roster["start"] < 0) | (roster["end"] > cx.sc.horizon_minutes)
    cx.found.flag(
        "horizon",
        roster,
        outside,
        lambda r: (
            f"{cx.row('roster.csv', r)} is outside the horizon "
            f"{cx.t(0)}-{cx.t(cx.sc.horizon_minutes)}"
        ),
    )


def check_availability(cx: Context, roster: pd.DataFrame) -> None:
    """Every interval, breaks included, lies inside the team's availability."""
    window = {t.id: cx.window(t.available) for t in cx.sc.teams}
    first = roster["team"].map({t: w[0] for t, w in window.items()})
    last = roster["team"].map({t: w[1] for t, w in window.items()})
    outside = (roster["start"] < first) | (roster["end"] > last)
    cx.found.flag(
        "availability",
        roster,
        outside,
        lambda r: (
            f"{cx.row('roster.csv', r)} is outside team {r.team}'s availability "
            f"{cx.t(window[r.team][0])}-{cx.t(window[r.team][1])}"
        ),
    )


def check_open_window(cx: Context, roster: pd.DataFrame) -> None:
    """Walk-in and home visits lie inside the site's open window.

    Travel and breaks are not work at the site.
    """
    work = roster[roster["activity"].isin(WORK)]
    window = {s.id: cx.window(s.open) for s in cx.sc.sites}
    first = work["site"].map({s: w[0] for s, w in window.items()})
    last = work["site"].map({s: w[1] for s, w in window.items()})
    closed = (work["start"] < first) | (work["end"] > last)
    cx.found.flag(
        "open_window",
        work,
        closed,
        lambda r: (
            f"{cx.row('roster.csv', r)} is outside the site's open window "
            f"{cx.t(window[r.site][0])}-{cx.t(window[r.site][1])}"
        ),
    )
