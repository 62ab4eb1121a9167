"""Duty patterns: when a pair may be in its suit, on the slot grid.

A duty pattern is a tuple of stretches ``(first_slot, end_slot)`` (end exclusive). Every
stretch is at most ``max_suit_minutes`` long, stretches are separated by at least
``min_break_minutes`` and together they last at most ``max_work_minutes``. A pair that
follows a pattern may work, travel or stand idle in any of its on-duty slots: any subset of
a valid pattern is valid too, since the suit-stretch span and the work total only shrink.
So it is enough to offer maximal patterns; each team gets a few of them, with breaks at
different times, and the model decides how many pairs follow each (a squad, 小分队).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from math import ceil

Stretch = tuple[int, int]


@dataclass(frozen=True)
class DutyLimits:
    """Suit rules converted to whole slots."""

    suit: int  # longest stretch, slots
    rest: int  # shortest pause that ends a stretch, slots
    work: int  # most on-duty slots in the day

    @classmethod
    def from_minutes(cls, slot: int, suit: int, rest: int, work: int) -> DutyLimits:
        return cls(suit=suit // slot, rest=ceil(rest / slot), work=work // slot)


@dataclass(frozen=True)
class DutyPattern:
    """On-duty stretches of one squad, in slots."""

    stretches: tuple[Stretch, ...]

    @cached_property
    def slots(self) -> list[int]:
        return [t for a, b in self.stretches for t in range(a, b)]

    @property
    def duty(self) -> int:
        return sum(b - a for a, b in self.stretches)

    @cached_property
    def _stretch_at(self) -> dict[int, Stretch]:
        return {t: (a, b) for a, b in self.stretches for t in range(a, b)}

    def stretch_of(self, slot: int) -> Stretch | None:
        """The stretch that holds the slot (looked up: the dispatchers ask it for every
        trip they weigh), or None off duty."""
        return self._stretch_at.get(slot)

    def covers(self, other: DutyPattern) -> bool:
        return set(other.slots) <= set(self.slots)


def duty_patterns(
    first: int, end: int, limits: DutyLimits, how_many: int = 3, shortening: int = 3
) -> list[DutyPattern]:
    """Up to ``how_many`` maximal duty patterns inside slots ``[first, end)``.

    The day starts within ``shortening`` slots of ``first``; the first stretch is at most
    ``limits.suit`` long and up to ``shortening`` slots shorter (which moves the break
    earlier); every later stretch is as long as the rules allow, after a break of exactly
    ``limits.rest``. That is a handful of candidates however long the day, of which the
    ones not contained in another are kept: those with the most duty first, then the
    earliest to end, then those whose breaks differ most from the ones already chosen.
    """
    if limits.suit <= 0 or limits.work <= 0 or end <= first:
        return []
    found: set[tuple[Stretch, ...]] = set()
    gap = max(limits.rest, 1)
    for start in range(first, min(end, first + shortening + 1)):
        longest = min(limits.suit, end - start, limits.work)
        for length in range(longest, max(0, longest - shortening), -1):
            stretches = [(start, start + length)]
            used = length
            while True:
                begin = stretches[-1][1] + gap
                size = min(limits.suit, end - begin, limits.work - used)
                if size <= 0:
                    break
                stretches.append((begin, begin + size))
                used += size
            found.add(tuple(stretches))
    candidates = [DutyPattern(s) for s in found]
    maximal = [
        p for p in candidates if not any(q.duty > p.duty and q.covers(p) for q in candidates)
    ]
    # Ties go to the pattern that stays longest in its first suit, as teams do.
    maximal.sort(key=lambda p: (-p.duty, p.stretches[-1][1], [-(b - a) for a, b in p.stretches]))
    return _spread(maximal, how_many)


def _spread(patterns: list[DutyPattern], how_many: int) -> list[DutyPattern]:
    """The best pattern, then those whose break times differ most from the chosen ones."""
    if not patterns:
        return []
    chosen = [patterns[0]]
    best_duty = patterns[0].duty

    def breaks(p: DutyPattern) -> list[int]:
        return [b for _, b in p.stretches[:-1]] or [p.stretches[-1][1]]

    while len(chosen) < how_many:

        def distance(p: DutyPattern) -> tuple[int, int, int]:
            nearest = min(abs(x - y) for c in chosen for x in breaks(p) for y in breaks(c))
            return (-(p.duty >= best_duty - 1), -nearest, p.stretches[-1][1])

        rest = [p for p in patterns if p not in chosen]
        if not rest:
            break
        chosen.append(min(rest, key=distance))
    return chosen
