"""Where the charts put their ticks: round steps for counts and kilometres, whole hours
for times. One home, so that the day chart and the Gantt chart share their time axis."""

from __future__ import annotations

import math


def nice_step(span: float, target: int) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) cutting ``span`` in about
    ``target`` parts."""
    raw = span / max(1, target)
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    return next((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), 10 * mag)


def time_ticks(horizon: int, width: float) -> list[int]:
    """Minutes of the tick marks on a time axis ``width`` px wide: every 1, 2, 3, 4, 6, 12
    or 24 hours, the first step that leaves about 70 px between ticks (or makes at most
    4 steps)."""
    hours = horizon / 60
    every = next(h for h in (1, 2, 3, 4, 6, 12, 24) if hours / h <= max(4, width / 70))
    return list(range(0, horizon + 1, every * 60))
