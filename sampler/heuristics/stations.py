"""A site's walk-in stations over the day: which minutes have one free.

Top-up, pull-in and the detours ask it where one more pair can sample walk-in without
more pairs at the site's stations than it has (CONTRACT.md's station cap).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict

import numpy as np
import pandas as pd

from sampler.instance import WALK_IN


def walk_in_intervals(rows: pd.DataFrame) -> dict[str, list[tuple[int, int]]]:
    """Each site's walk-in rows, as (start, end) minutes."""
    walk = rows[rows.activity == WALK_IN]
    out: dict[str, list[tuple[int, int]]] = defaultdict(list)
    # (as lists: iterating a string column item by item took 60% of this on a district)
    columns = (walk.site.tolist(), walk.start.tolist(), walk.end.tolist())
    for site, start, end in zip(*columns, strict=True):
        out[site].append((int(start), int(end)))
    return out


class Stations:
    """A site's walk-in intervals, sorted once, for :meth:`free_until`."""

    def __init__(self, intervals: list[tuple[int, int]], stations: int):
        self.stations = stations
        self.starts = sorted(s for s, _ in intervals)
        self.ends = sorted(e for _, e in intervals)
        self.events = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])
        # For free_until_many: the times at which a pair's start fills the last station.
        running, full = 0, []
        for time, step in self.events:
            running += step
            if step > 0 and running >= stations:
                full.append(time)
        self._full = np.array(full, dtype=np.int64)
        self._starts = np.array(self.starts, dtype=np.int64)
        self._ends = np.array(self.ends, dtype=np.int64)

    def free_until(self, start: int, end: int) -> int:
        """The latest end <= ``end`` such that one more pair fits on [start, end)."""
        count = bisect_right(self.starts, start) - bisect_right(self.ends, start)
        if count >= self.stations:
            return start
        for k in range(bisect_right(self.events, (start, 2)), len(self.events)):
            time, step = self.events[k]
            if time >= end:
                break
            count += step
            if step > 0 and count >= self.stations:
                return time
        return end

    def free_until_many(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """:meth:`free_until` of each (start, end), at once: ``start`` where every station
        is taken then, else the first time after it that one more pair fills them, at most
        ``end``."""
        count = np.searchsorted(self._starts, start, "right") - np.searchsorted(
            self._ends, start, "right"
        )
        after = np.searchsorted(self._full, start, "right")
        full_at = np.append(self._full, np.iinfo(np.int64).max)[after]
        return np.where(count >= self.stations, start, np.minimum(end, full_at))

    def _windows(self, start: int, end: int):
        """(from, until) of each stretch in [start, end) with a station free from its first
        minute: one can only come free at ``start`` or where an interval ends."""
        for t in [start, *(e for e in self.ends if start < e < end)]:
            if (until := self.free_until(t, end)) > t:
                yield t, until

    def first_free(self, start: int, end: int) -> tuple[int, int] | None:
        """The first stretch of [start, end) with a station free, or None."""
        return next(self._windows(start, end), None)

    def last_free(self, start: int, end: int) -> int | None:
        """The last minute of [start, end) with a station free, or None."""
        ends = [until for _, until in self._windows(start, end)]
        return max(ends) - 1 if ends else None

    def any_free(self, start: int, end: int) -> bool:
        """Is a station free at some minute of [start, end)?"""
        return self.first_free(start, end) is not None
