"""The labs' hours and queues, recomputed for the checker from the scenario and
collections.csv alone (docs/labs.md, rule 5); written apart from the planner's.

A lab's minute m (from the horizon start) is open when it falls inside its daily window,
counted minute by minute; hour k's capacity is ``floor(tubes_per_hour x open minutes /
60)`` and it loads at its first open minute, the tubes that arrived by then, first in,
first out.
"""

from __future__ import annotations

from dataclasses import dataclass

from sampler.scenario import Lab, Scenario

DAY = 24 * 60


@dataclass(frozen=True)
class Hour:
    """One hour of one lab: tubes it can load, and when it loads them (None: closed)."""

    capacity: int
    loads_at: int | None


def lab_hour(sc: Scenario, lab: Lab, k: int) -> Hour:
    """Hour k of ``lab``, counted minute by minute."""
    if lab.open is None:
        open_minutes = list(range(60 * k, 60 * k + 60))
    else:
        clock0 = sc.start.hour * 60 + sc.start.minute
        length = (lab.open.end - lab.open.start) % DAY or DAY
        open_minutes = [
            m for m in range(60 * k, 60 * k + 60) if (clock0 + m - lab.open.start) % DAY < length
        ]
    capacity = lab.tubes_per_hour * len(open_minutes) // 60
    return Hour(capacity, open_minutes[0] if capacity > 0 else None)


@dataclass(frozen=True)
class QueueRun:
    """Each queued collection's tested_at, and per hour: capacity and tubes loaded."""

    tested_at: list[int]
    hours: dict[int, Hour]
    loaded: dict[int, int]


def run_lab(sc: Scenario, lab: Lab, arrivals: list[int], tubes: list[int]) -> QueueRun:
    """Collections in queue order (arrival, then file order): loaded hour by hour."""
    left = list(tubes)
    tested = [0] * len(tubes)
    hours: dict[int, Hour] = {}
    loaded: dict[int, int] = {}
    head, k = 0, 0
    last_hour = max(arrivals, default=0) // 60 + 8 * 24  # a lab loads at least weekly
    while head < len(left):
        hours[k] = hour = lab_hour(sc, lab, k)
        room = hour.capacity
        i = head
        while room and i < len(left) and hour.loads_at is not None and arrivals[i] <= hour.loads_at:
            take = min(room, left[i])
            left[i] -= take
            room -= take
            loaded[k] = loaded.get(k, 0) + take
            if left[i] == 0:
                tested[i] = hour.loads_at
                i += 1
        head = i
        k += 1
        if k > last_hour:
            raise ValueError(f"lab {lab.id} loads no tube for a week")
    return QueueRun(tested, hours, loaded)
