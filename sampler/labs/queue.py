"""A lab's queue, first in, first out (docs/labs.md, rule 5): when each collection's last
tube is loaded, given which collections come to the lab and when.

This is what a plan's tested_at and results_at are; the lab choice (:mod:`.choose`) only
estimates it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sampler.labs.hours import LabHours


@dataclass(frozen=True)
class Queue:
    """One lab's queue run: each collection's tested_at, and tubes loaded per hour."""

    tested_at: list[int]
    loaded: dict[int, int]  # hour -> tubes loaded in it (hours loading none left out)


def run_queue(hours: LabHours, arrivals: Sequence[int], tubes: Sequence[int]) -> Queue:
    """The queue of collections given in queue order (by arrival; ties as given), with
    ``tubes`` tubes each: each loaded hour by hour, first in, first out."""
    tested: list[int] = []
    loaded: dict[int, int] = {}
    hour, left = -1, 0  # the hour being loaded and what it can still take
    for arrival, n in zip(arrivals, tubes, strict=True):
        first = hours.first_hour_from(arrival)
        if first > hour:
            hour, left = first, hours.capacity[first]
        while n > 0:
            if left == 0:
                hour = hours.first_hour_from(hours.loads_at[hour] + 1)
                left = hours.capacity[hour]
            take = min(n, left)
            n, left = n - take, left - take
            loaded[hour] = loaded.get(hour, 0) + take
        tested.append(hours.loads_at[hour])
    return Queue(tested, loaded)
