"""A plan: every pair's rows, and the totals a command centre reads off them.

Totals are recomputed from the rows (never taken from the model), so what the summary says
is what the files say.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import numpy as np
import pandas as pd

from sampler.instance import DOOR_TO_DOOR, WALK_IN
from sampler.scenario import Scenario

# The row vocabulary: a pair's activities besides the two modes (WALK_IN, DOOR_TO_DOOR).
TRAVEL = "travel"
BREAK = "break"


class Row(NamedTuple):
    """One pair row: what a pair does from ``start`` to ``end`` (minutes from the horizon
    start). ``site`` is the destination of a trip and empty for a break; ``samples`` is 0
    unless the pair works."""

    team: str
    pair: str
    activity: str
    site: str
    start: int
    end: int
    samples: int


PAIR_COLUMNS = list(Row._fields)


def rows_of(frame: pd.DataFrame) -> list[Row]:
    """The frame's pair rows as ``Row``s, in its order."""
    return list(map(Row._make, frame[PAIR_COLUMNS].to_numpy().tolist()))


def pair_ids(team_id: str, pairs: int) -> list[str]:
    """Pair ids of a team: ``lingqiu-p01`` ... (zero-padded to sort as numbers)."""
    width = max(2, len(str(pairs)))
    return [f"{team_id}-p{n:0{width}d}" for n in range(1, pairs + 1)]


def person_ids(team_id: str, pairs: int) -> list[tuple[str, str]]:
    """(swabber, recorder) person ids of each pair: ``lingqiu-01``, ``lingqiu-02`` ..."""
    width = max(2, len(str(2 * pairs)))
    return [
        (f"{team_id}-{2 * n - 1:0{width}d}", f"{team_id}-{2 * n:0{width}d}")
        for n in range(1, pairs + 1)
    ]


def with_breaks(rows: list[Row]) -> list[Row]:
    """One pair's rows, in time order, with a ``break`` row in every pause between them."""
    out: list[Row] = []
    for row in sorted(rows, key=lambda r: r.start):
        if out and row.start > out[-1].end:
            out.append(Row(row.team, row.pair, BREAK, "", out[-1].end, row.start, 0))
        out.append(row)
    return out


@dataclass(frozen=True)
class Plan:
    """Pair rows (minutes from the horizon start) for one scenario."""

    scenario: Scenario
    rows: pd.DataFrame  # team, pair, activity, site, start, end, samples

    @cached_property
    def work(self) -> pd.DataFrame:
        return self.rows[self.rows.activity.isin([WALK_IN, DOOR_TO_DOOR])]

    @cached_property
    def site_totals(self) -> pd.DataFrame:
        """Per scenario site: sampled by mode, coverage and done_at (minutes, or NaN)."""
        sc = self.scenario
        work = self.work[self.work.samples > 0]
        by = work.groupby(["site", "activity"]).samples.sum().unstack(fill_value=0)
        last = work.groupby("site").end.max()
        ids = [s.id for s in sc.sites]
        out = pd.DataFrame(index=pd.Index(ids, name="site"))
        out["residents"] = [s.residents for s in sc.sites]
        out["home_demand"] = [s.home_demand for s in sc.sites]
        for mode, column in ((WALK_IN, "walk_in_sampled"), (DOOR_TO_DOOR, "door_to_door_sampled")):
            out[column] = by[mode].reindex(ids, fill_value=0).astype(int) if mode in by else 0
        out["sampled"] = out.walk_in_sampled + out.door_to_door_sampled
        out["walk_in_short"] = (out.residents - out.home_demand) - out.walk_in_sampled
        out["home_short"] = out.home_demand - out.door_to_door_sampled
        covered = out.sampled >= out.residents
        out["coverage"] = np.where(
            out.residents > 0, out.sampled / out.residents.clip(lower=1), 1.0
        )
        out["done_minute"] = last.reindex(ids).where(covered & (out.residents > 0))
        return out

    @property
    def sampled(self) -> int:
        return int(self.site_totals.sampled.sum())

    @property
    def coverage(self) -> float:
        total = self.scenario.total_residents
        return 1.0 if total == 0 else self.sampled / total

    @property
    def complete(self) -> bool:
        return self.sampled >= self.scenario.total_residents

    @property
    def done_minute(self) -> int | None:
        """done_at in minutes from the start; None unless every resident is sampled."""
        if not self.complete:
            return None
        done = self.site_totals.done_minute.max()
        return 0 if pd.isna(done) else int(done)

    @cached_property
    def pairs_sent(self) -> frozenset[str]:
        """Ids of the pairs with any row (asked once per neighbourhood of a city's plan)."""
        return frozenset(self.rows.pair.unique().tolist())

    @property
    def pairs_used(self) -> int:
        return len(self.pairs_sent)

    @property
    def people_used(self) -> int:
        return 2 * self.pairs_used

    @cached_property
    def team_totals(self) -> pd.DataFrame:
        """Per team: pairs used, pair-minutes sampling and travelling, moves."""
        r = self.rows
        busy = r[r.activity != BREAK]
        minutes = (
            (busy.end - busy.start).groupby([busy.team, busy.activity]).sum().unstack(fill_value=0)
        )
        travel_rows = r[r.activity == TRAVEL].groupby("team").size()
        out = pd.DataFrame(index=pd.Index([t.id for t in self.scenario.teams], name="team"))
        out["people"] = [t.people for t in self.scenario.teams]
        out["pairs_used"] = r.groupby("team").pair.nunique().reindex(out.index, fill_value=0)
        for column in (WALK_IN, DOOR_TO_DOOR, TRAVEL):
            out[f"{column}_minutes"] = (
                minutes[column].reindex(out.index, fill_value=0) if column in minutes else 0
            )
        out["moves"] = (travel_rows.reindex(out.index, fill_value=0) - out.pairs_used).clip(lower=0)
        return out

    @property
    def moves(self) -> int:
        """Trips between sites (each pair's first trip from its base is not a move)."""
        return int(self.team_totals.moves.sum())

    @property
    def staff_hours(self) -> float:
        """Person-hours in suits: work and travel, two people per pair."""
        busy = self.rows[self.rows.activity != BREAK]
        return round(2 * float((busy.end - busy.start).sum()) / 60, 2)
