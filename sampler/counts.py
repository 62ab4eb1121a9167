"""The counting solution: how many pairs of each crew do what, where and when.

Both the CP model and the heuristics produce a :class:`Counts`; the roster turns one into
named pairs. How good one is (priority-weighted residents sampled, then done_at, then how
late the sites finish in all; against a deadline, residents left where a site closes by
it first) is decided here, once, for all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sampler.instance import Instance
    from sampler.model.crews import Crew


@dataclass(frozen=True)
class TripCount:
    """Pairs of a crew making one trip."""

    crew: int
    origin: int | None
    dest: int
    depart: int
    arrive: int
    minutes: int
    pairs: int
    mode: str | None = None  # the mode worked on arrival, for trips landing mid-slot


@dataclass(frozen=True)
class Counts:
    """A solution of the counting model: how many pairs do what, where and when."""

    crews: tuple[Crew, ...]
    work: dict[tuple[int, int, str, int], int]  # (crew, site, mode, slot) -> pairs
    samples: dict[tuple[int, str, int], int]  # (site, mode, slot) -> residents
    kept: dict[tuple[int, int, str, int], int]  # same key -> pairs whose row goes on
    trips: tuple[TripCount, ...]
    done_slots: int


def weighted_residents(inst: Instance) -> int:
    """Every resident weighted by the priority of its site: what full coverage scores."""
    return sum(s.site.priority * s.site.residents for s in inst.sites)


def weighted_coverage(inst: Instance, counts: Counts) -> int:
    """Priority-weighted residents sampled."""
    return sum(inst.sites[i].site.priority * n for (i, _, _), n in counts.samples.items())


def site_finish(inst: Instance, counts: Counts) -> tuple[dict[int, int], dict[int, int]]:
    """Per site: the slot after its last sample, and residents not sampled."""
    finish = {s.index: 0 for s in inst.sites}
    sampled = {s.index: 0 for s in inst.sites}
    for (i, _, t), n in counts.samples.items():
        finish[i] = max(finish[i], t + 1)
        sampled[i] += n
    short = {s.index: s.site.residents - sampled[s.index] for s in inst.sites}
    return finish, short


def quality(inst: Instance, counts: Counts, deadline: int | None = None) -> tuple:
    """What makes one solution better than another, largest best: priority-weighted
    coverage, then the earlier done_at, then how late the sites finish in all.

    With ``deadline`` (the slot a plan aims to finish by), residents left at sites that
    close by then come first, fewest best: work left at a site still open after the
    deadline can be topped up later (the plan ends later), theirs is lost for good.
    """
    finish, short = site_finish(inst, counts)
    key = (weighted_coverage(inst, counts), -counts.done_slots, -sum(finish.values()))
    if deadline is None:
        return key
    lost = sum(
        inst.sites[i].site.priority * n
        for i, n in short.items()
        if n > 0 and inst.sites[i].open[1] <= deadline
    )
    return (-lost, *key)


def better(inst: Instance, a: Counts, b: Counts | None) -> bool:
    """Is ``a`` better than ``b`` on coverage, then done_at?"""
    if b is None:
        return True
    return (weighted_coverage(inst, a), -a.done_slots) > (weighted_coverage(inst, b), -b.done_slots)
