"""A lab's hours: when it loads tubes and how many (docs/labs.md, rule 5).

Hour k of a lab is ``[60k, 60k + 60)`` minutes from the horizon start; it may lie well past
the horizon's end (labs test through the night). In each hour the lab loads, at the hour's
first open minute, up to ``floor(tubes_per_hour x open minutes / 60)`` tubes. Its daily
``open`` window repeats every day. Hours are made on demand, as far as a queue reaches.
"""

from __future__ import annotations

from sampler.scenario import Lab, Scenario

DAY = 24 * 60
HOUR = 60


class LabHours:
    """Capacity and loading minute of each hour of one lab, made as far as asked."""

    def __init__(self, scenario: Scenario, lab: Lab) -> None:
        self.lab = lab
        self.batch = lab.batch_minutes
        if lab.open is None:
            self._opens, self._lasts = 0, DAY
        else:
            start_clock = scenario.start.hour * 60 + scenario.start.minute
            self._opens = (lab.open.start - start_clock) % DAY
            self._lasts = lab.open.minutes
        self.capacity: list[int] = []  # tubes it loads in hour k
        self.loads_at: list[int] = []  # its first open minute in hour k (when capacity > 0)

    def ensure(self, hours: int) -> None:
        """Make hours ``0 .. hours - 1``."""
        while len(self.capacity) < hours:
            k = len(self.capacity)
            minutes, first = self._open_in(k * HOUR, (k + 1) * HOUR)
            self.capacity.append(self.lab.tubes_per_hour * minutes // HOUR)
            self.loads_at.append(first)

    def _open_in(self, a: int, b: int) -> tuple[int, int]:
        """Open minutes in ``[a, b)`` and the first of them (``b`` if none)."""
        total, first = 0, b
        for day in range((a - self._opens) // DAY - 1, (b - self._opens) // DAY + 1):
            lo = max(a, self._opens + day * DAY)
            hi = min(b, self._opens + day * DAY + self._lasts)
            if hi > lo:
                total += hi - lo
                first = min(first, lo)
        return total, first

    def first_hour_from(self, minute: int) -> int:
        """The first hour that loads tubes at or after ``minute``."""
        first = max(0, minute // HOUR)
        for k in range(first, first + 8 * DAY // HOUR):
            self.ensure(k + 1)
            if self.capacity[k] > 0 and self.loads_at[k] >= minute:
                return k
        raise ValueError(f"lab {self.lab.id} loads no tube in any hour (too few tubes an hour)")
