"""Rule 5: no more pairs do walk-in at a site at once than it has stations.

Rule 5 of CONTRACT.md: at most ``stations`` pairs do walk-in at a site at once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sampler.check.context import Context
from sampler.check.intervals import merge_touching


def check_stations(cx: Context, roster: pd.DataFrame) -> None:
    """At every instant at most `stations` distinct pairs do walk-in at a site."""
    walk = roster[roster["activity"] == "walk_in"]
    if walk.empty:
        return
    # Per pair first, so that the two people of a pair count once.
    spans = merge_touching(walk, ["sid", "qid"])
    n = len(spans)
    site = np.r_[spans["sid"].to_numpy(), spans["sid"].to_numpy()]
    time = np.r_[spans["start"].to_numpy(), spans["end"].to_numpy()]
    delta = np.r_[np.ones(n, dtype=np.int64), -np.ones(n, dtype=np.int64)]
    # Ends before starts at the same minute: touching intervals do not share a station.
    order = np.lexsort((delta, time, site))
    site, time, delta = site[order], time[order], delta[order]
    busy = np.cumsum(delta)  # each site's events sum to zero, so no reset is needed
    stations = np.array([s.stations for s in cx.sc.sites])[site]
    events = pd.DataFrame({"site": site, "time": time, "busy": busy, "k": stations})
    cx.found.flag(
        "stations",
        events,
        (delta > 0) & (busy > stations),
        lambda r: (
            f"site {cx.sc.sites[r.site].id}: {r.busy} pairs do walk-in at "
            f"{cx.t(r.time)}, stations {r.k}"
        ),
    )
