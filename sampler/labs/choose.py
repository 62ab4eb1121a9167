"""Which lab each collection goes to: a greedy by earliest result on a time-indexed model
of every lab's hours (docs/labs.md).

Collections are taken by pickup (then the scenario's site order); each goes to the lab,
among those its tubes reach within ``max_swab_to_lab_minutes``, where its last tube would
be loaded earliest given what earlier choices already hold, plus the lab's batch minutes:
the nearest lab is not chosen when it is full. The model fills each lab's free capacity
from the tubes' arrival on, so its latest result per lab is what the first-in, first-out
queue (:mod:`.queue`) gives for the same choices; single collections' times are estimates,
which the queue then makes exact. Deterministic: ties go to the earlier arrival, then to
the lab listed first.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sampler.labs.hours import LabHours
from sampler.labs.pickups import Collection


class _Load:
    """What the choices so far hold of one lab: tubes per hour, and the hours all full."""

    def __init__(self, hours: LabHours) -> None:
        self.hours = hours
        self.used: list[int] = []
        self.full_before = 0

    def result_if(self, arrival: int, tubes: int) -> int:
        """The result of the last of ``tubes`` tubes arriving at ``arrival``, were they added."""
        return self._fill(arrival, tubes, commit=False) + self.hours.batch

    def add(self, arrival: int, tubes: int) -> None:
        self._fill(arrival, tubes, commit=True)
        cap = self.hours.capacity
        while (
            self.full_before < len(self.used)
            and self.used[self.full_before] >= cap[self.full_before]
        ):
            self.full_before += 1

    def _fill(self, arrival: int, tubes: int, commit: bool) -> int:
        hours = self.hours
        k = max(hours.first_hour_from(arrival), self.full_before)
        while True:
            hours.ensure(k + 1)
            if len(self.used) <= k:
                self.used.extend([0] * (k + 1 - len(self.used)))
            free = hours.capacity[k] - self.used[k] if hours.loads_at[k] >= arrival else 0
            take = min(free, tubes)
            if commit:
                self.used[k] += take
            tubes -= take
            if tubes == 0:
                return hours.loads_at[k]
            k += 1


def choose_labs(
    collections: Sequence[Collection],
    travel: np.ndarray,
    site_index: dict[str, int],
    hours: Sequence[LabHours],
    limit: int,
) -> list[int]:
    """The lab (index) of each collection; ``travel`` is courier minutes, site x lab."""
    loads = [_Load(h) for h in hours]
    chosen = []
    for c in collections:
        trips = travel[site_index[c.site]]
        arrivals = c.pickup + trips
        reach = np.flatnonzero(arrivals - c.oldest_swab <= limit)
        if not len(reach):
            reach = np.array([int(trips.argmin())])  # the loader rules this out
        best = min(
            reach.tolist(),
            key=lambda j: (loads[j].result_if(int(arrivals[j]), c.tubes), int(arrivals[j]), j),
        )
        loads[best].add(int(arrivals[best]), c.tubes)
        chosen.append(best)
    return chosen
