"""The morning as it stands at ``at``: the plan folder's rows, what is frozen, and where
each pair is.

The past is frozen: a row that ended by ``at`` stays as it is. A work row running at ``at``
is cut there (its samples in proportion, rounded down, so no rate is exceeded) when the
pair's afternoon is re-planned; a trip running at ``at`` is kept whole (a pair on the road
arrives where it was going, it is never teleported). A pair whose afternoon is kept keeps
every row, the one running at ``at`` whole.

Rows are read from the plan folder's files (roster.csv for each pair's swabber, samples
from assignments.csv), not from the solver, so any plan folder can be replanned.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sampler.instance import DOOR_TO_DOOR, WALK_IN
from sampler.plan import BREAK, PAIR_COLUMNS, TRAVEL
from sampler.plan_folder import PlanFolder
from sampler.scenario import Scenario

WORK = (WALK_IN, DOOR_TO_DOOR)


def pair_rows(folder: PlanFolder) -> pd.DataFrame:
    """The folder's pair rows (``PAIR_COLUMNS``, minutes from the horizon start)."""
    roster = folder.roster
    rows = roster[roster.role == "swab"].copy()
    if rows.empty:
        return pd.DataFrame(columns=PAIR_COLUMNS)
    rows["start"] = folder.minutes(rows.start)
    rows["end"] = folder.minutes(rows.end)
    work = folder.assignments.copy()
    samples = pd.Series(0, index=rows.index, dtype="int64")
    if not work.empty:
        work["start"] = folder.minutes(work.start)
        work["end"] = folder.minutes(work.end)
        work["samples"] = work.samples.astype("int64")
        keys = ["pair", "site", "activity", "start", "end"]
        per_row = work.groupby(keys).samples.sum()
        found = rows.set_index(keys).index.map(per_row.to_dict()).to_series(index=rows.index)
        samples = found.fillna(0).astype("int64")
    rows["samples"] = samples
    return rows[PAIR_COLUMNS].reset_index(drop=True)


def split_at(rows: pd.DataFrame, at: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(frozen rows, the rest) of pair rows: frozen are the rows ended by ``at``, a work row
    running at ``at`` cut there and a trip running at ``at`` whole; breaks are left out (they
    are made again between the rows a pair ends up with)."""
    busy = rows[rows.activity != BREAK]
    ended = busy[busy.end <= at]
    running = busy[(busy.start < at) & (busy.end > at)]
    trips = running[running.activity == TRAVEL]
    work = running[running.activity != TRAVEL].copy()
    share = (at - work.start) / (work.end - work.start)
    work["samples"] = np.floor(work.samples * share + 1e-9).astype("int64")
    work["end"] = at
    frozen = pd.concat([ended, trips, work]).sort_values(["pair", "start"], kind="stable")
    later = busy[busy.start >= at]
    return frozen.reset_index(drop=True), later.reset_index(drop=True)


def sampled(rows: pd.DataFrame) -> dict[tuple[str, str], int]:
    """Samples by (site, mode) in work rows."""
    work = rows[rows.activity.isin(WORK)]
    return {k: int(v) for k, v in work.groupby(["site", "activity"]).samples.sum().items()}


@dataclass(frozen=True)
class PairState:
    """Where a pair stands once its frozen rows are over, and what its day has used."""

    team: str
    pair: str
    free: int  # minutes from the horizon start: its frozen rows are over
    until: int  # the end of its day (the team leaves, the pair is sent home, availability)
    lat: float
    lon: float
    used: int  # minutes of work and travel so far
    stretch_start: int | None  # the suit stretch still running at ``free`` (None: rested)
    last_end: int | None  # the end of its last frozen work or travel row


def pair_state(
    sc: Scenario,
    team_id: str,
    pair: str,
    frozen: tuple[np.ndarray, np.ndarray, str] | None,
    at: int,
    until: int,
) -> PairState:
    """A pair's state from its frozen rows (starts and ends in time order, and the site of
    the last); ``sc`` is the whole-day scenario."""
    team = sc.team_by_id[team_id]
    rules = sc.rules(team)
    lat, lon = team.lat, team.lon
    start_avail = sc.available_minutes(team)[0]
    if frozen is None or len(frozen[0]) == 0:
        return PairState(team_id, pair, max(at, start_avail), until, lat, lon, 0, None, None)
    starts, ends, last_site = frozen
    site = sc.site_by_id[last_site]
    stretch = int(starts[0])
    latest = int(ends[0])
    for s, e in zip(starts[1:].tolist(), ends[1:].tolist(), strict=True):
        if s - latest >= rules.min_break_minutes:
            stretch = s
        latest = max(latest, e)
    free = max(at, latest)
    rested = free - latest >= rules.min_break_minutes
    return PairState(
        team=team_id,
        pair=pair,
        free=free,
        until=until,
        lat=site.lat,
        lon=site.lon,
        used=int((ends - starts).sum()),
        stretch_start=None if rested else stretch,
        last_end=latest,
    )
