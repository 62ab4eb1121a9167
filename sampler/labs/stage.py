"""The lab stage of one sampling plan: its collections, which lab tests each, and when the
results are out (docs/labs.md), without the bound (which does not depend on the plan).

``route(plan, hours) -> LabPlan``: :mod:`.pickups` makes the collections from the plan's
assignments, :mod:`.choose` picks each one's lab, :mod:`.polish` moves some off the
latest lab, :mod:`.queue` runs every lab's first-in, first-out queue for the exact times.
Pacing (:mod:`.pacing`) routes many candidate plans through this.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sampler.geo import EARTH_RADIUS_KM, great_circle_km, travel_minutes
from sampler.labs.choose import choose_labs
from sampler.labs.hours import LabHours
from sampler.labs.pickups import Collection, collections_of
from sampler.labs.polish import polish
from sampler.labs.queue import run_queue
from sampler.plan import Plan
from sampler.scenario import Scenario


@dataclass(frozen=True)
class Pacing:
    """What pacing changed in the sampling plan for the labs (docs/labs.md, "Pacing")."""

    pairs_delayed: int = 0  # pairs whose last suit stretch starts later
    pair_minutes: int = 0  # minutes of delay, summed over those pairs
    routed: int = 0  # candidate plans run through the lab stage
    unmet_before: int = 0  # samples not within the target before pacing
    results_before: int | None = None  # the latest result before pacing (minutes)
    done_before: int | None = None  # done_at before pacing (minutes)


@dataclass(frozen=True)
class LabPlan:
    """Every collection with its lab and times, each lab's hours, and the bound."""

    collections: tuple[Collection, ...]
    lab: tuple[str, ...]  # per collection
    arrival: tuple[int, ...]
    tested_at: tuple[int, ...]
    results_at: tuple[int, ...]
    within_target: tuple[bool, ...]
    capacity: dict[str, tuple[int, ...]]  # lab -> tubes it can load, hour by hour
    loaded: dict[str, dict[int, int]]  # lab -> hour -> tubes loaded
    lower_bound_minute: int | None  # on the latest result of a plan sampling everyone
    pacing: Pacing | None = None  # what pacing changed (None: not paced)

    @property
    def results_done_minute(self) -> int | None:
        return max(self.results_at) if self.results_at else None

    @property
    def tubes(self) -> int:
        return sum(c.tubes for c in self.collections)

    @property
    def samples(self) -> int:
        return sum(c.samples for c in self.collections)

    @property
    def within_share(self) -> float:
        """Share of the samples whose results meet the target (1 without samples)."""
        if not self.samples:
            return 1.0
        met = sum(
            c.samples for c, ok in zip(self.collections, self.within_target, strict=True) if ok
        )
        return met / self.samples

    @property
    def gap(self) -> float | None:
        done, bound = self.results_done_minute, self.lower_bound_minute
        if done is None or not bound:
            return None
        return done / bound - 1


def site_lab_km(sc: Scenario, radius_km: float = EARTH_RADIUS_KM) -> np.ndarray:
    """Great-circle km from each site (rows) to each lab (columns)."""
    labs = sc.labs or []
    return great_circle_km(
        np.array([s.lat for s in sc.sites])[:, None],
        np.array([s.lon for s in sc.sites])[:, None],
        np.array([b.lat for b in labs])[None, :],
        np.array([b.lon for b in labs])[None, :],
        radius_km=radius_km,
    )


def courier_minutes(sc: Scenario) -> np.ndarray:
    """Courier minutes from each site to each lab (the planner's travel convention)."""
    return travel_minutes(site_lab_km(sc), sc.courier_rules.speed_kmh)


def lab_hours(sc: Scenario) -> list[LabHours]:
    """Every lab's hours (made on demand, shared by the runs of one scenario)."""
    return [LabHours(sc, lab) for lab in sc.labs or []]


def route(plan: Plan, hours: Sequence[LabHours], travel: np.ndarray | None = None) -> LabPlan:
    """The lab stage for a plan of a scenario with labs, without the bound (``travel``:
    :func:`courier_minutes` of its scenario, when the caller routes many plans of it)."""
    sc = plan.scenario
    labs = sc.labs or []
    collections = collections_of(plan)
    travel = courier_minutes(sc) if travel is None else travel
    site_index = {s.id: i for i, s in enumerate(sc.sites)}
    limit = sc.courier_rules.max_swab_to_lab_minutes
    chosen = choose_labs(collections, travel, site_index, hours, limit)
    arrival: list[int] = []
    if collections:
        rows = np.array([site_index[c.site] for c in collections])
        arrivals = np.array([c.pickup for c in collections])[:, None] + travel[rows]
        oldest = np.array([c.oldest_swab for c in collections])[:, None]
        chosen = polish(collections, chosen, arrivals, arrivals - oldest <= limit, hours)
        arrival = [int(arrivals[i, j]) for i, j in enumerate(chosen)]
    tested = [0] * len(collections)
    loaded = {}
    for j, lab in enumerate(labs):
        mine = sorted((arrival[i], i) for i in range(len(collections)) if chosen[i] == j)
        queue = run_queue(hours[j], [a for a, _ in mine], [collections[i].tubes for _, i in mine])
        for (_, i), at in zip(mine, queue.tested_at, strict=True):
            tested[i] = at
        loaded[lab.id] = queue.loaded
    results = [t + labs[j].batch_minutes for t, j in zip(tested, chosen, strict=True)]
    last_hour = max([k for load in loaded.values() for k in load], default=0)
    for h in hours:
        h.ensure(last_hour + 1)
    return LabPlan(
        collections=tuple(collections),
        lab=tuple(labs[j].id for j in chosen),
        arrival=tuple(arrival),
        tested_at=tuple(tested),
        results_at=tuple(results),
        within_target=tuple(_within(sc, c, r) for c, r in zip(collections, results, strict=True)),
        capacity={
            lab.id: tuple(h.capacity[: last_hour + 1]) for lab, h in zip(labs, hours, strict=True)
        },
        loaded=loaded,
        lower_bound_minute=None,
    )


def _within(sc: Scenario, c: Collection, results_at: int) -> bool:
    """Rule 6: the collection's results meet the target (always, without one)."""
    target = sc.results_target
    if target is None:
        return True
    if target.within_minutes is not None and results_at - c.oldest_swab > target.within_minutes:
        return False
    by = None if target.by is None else int((target.by - sc.start).total_seconds() // 60)
    return by is None or results_at <= by
