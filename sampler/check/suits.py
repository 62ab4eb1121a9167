"""Rule 3: how long a person works in one protective suit, and in one day.

Rule 3 of CONTRACT.md: a stretch of work and travel with no pause of at least
``min_break_minutes`` lasts at most ``max_suit_minutes``; each person's work plus travel
stays within ``max_work_minutes``. Both take only the suited rows (work and travel).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sampler.check.context import Context
from sampler.check.intervals import by_group_then_time, prev_max_end


def check_suit_stretch(cx: Context, suited: pd.DataFrame) -> None:
    """A stretch of work and travel without a pause >= min_break lasts <= max_suit minutes.

    A person's work and travel rows in time order form one stretch while each pause
    (next start - stretch end so far) is shorter than the team's min_break_minutes.
    """
    if suited.empty:
        return
    f, people = by_group_then_time(suited, ["pid"])
    min_break = f["team"].map(cx.rule_by_team("min_break_minutes")).to_numpy()
    prev = prev_max_end(people, f["end"])
    firsts = np.flatnonzero(np.isnan(prev) | (f["start"].to_numpy() - prev >= min_break))
    stretches = f.loc[firsts, ["person", "team", "start"]].reset_index(drop=True)
    stretches["end"] = np.maximum.reduceat(f["end"].to_numpy(), firsts)
    stretches["span"] = stretches["end"] - stretches["start"]
    limit = stretches["team"].map(cx.rule_by_team("max_suit_minutes"))
    cx.found.flag(
        "suit_stretch",
        stretches,
        stretches["span"] > limit,
        lambda r: (
            f"{r.person}: {cx.t(r.start)}-{cx.t(r.end)} is {r.span} min in one "
            f"suit (max {cx.team_rules[r.team].max_suit_minutes}; a pause under "
            f"{cx.team_rules[r.team].min_break_minutes} min does not end a stretch)"
        ),
    )


def check_work_cap(cx: Context, suited: pd.DataFrame) -> None:
    """Each person's work plus travel minutes stay within max_work_minutes."""
    if suited.empty:
        return
    minutes = (suited["end"] - suited["start"]).groupby(suited["pid"]).sum()
    total = suited.drop_duplicates("pid").set_index("pid")[["person", "team"]]
    total["minutes"] = minutes
    limit = total["team"].map(cx.rule_by_team("max_work_minutes"))
    cx.found.flag(
        "work_cap",
        total,
        total["minutes"] > limit,
        lambda r: (
            f"{r.person}: {r.minutes} min of work and travel "
            f"(max {cx.team_rules[r.team].max_work_minutes})"
        ),
    )
