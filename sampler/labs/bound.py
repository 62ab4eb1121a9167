"""A proven lower bound on the latest result of any plan that samples everyone
(docs/labs.md, "The bound"): a relaxation of transport and lab throughput.

Two facts every such plan obeys. The last swab is at done_at or later, and is picked up
then, carried to some lab and tested there: (a) the bound on done_at, plus the shortest
courier trip to a lab, plus the wait for its next loading, plus its batch minutes. And no
lab tests a tube before it could have arrived: the samples swabbed after a time t (at
least the residents less the most any plan can have sampled by t, the bound's curve)
make at least that many tubes (in pools of the largest size), and each lab can load them
only from t plus its shortest trip on, and not before any tube can reach it (a site's
first pickup is ``every_minutes`` after it opens, unless it could be done sooner), at its
capacity per hour: (b) the earliest time by which those hours' results could be out.
Trips here use the smallest Earth radius in use, so that no plan, checked under any
convention, beats them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from sampler.bound import Bounds
from sampler.geo import EARTH_RADIUS_KM_MIN, fewest_travel_minutes
from sampler.labs.hours import LabHours
from sampler.labs.stage import site_lab_km
from sampler.scenario import Scenario


def shortest_trips(sc: Scenario) -> np.ndarray:
    """Per lab, the shortest courier trip to it from any site (minutes, never too long)."""
    return trips(sc).min(axis=0)


def trips(sc: Scenario) -> np.ndarray:
    """Courier minutes, site by lab, never longer than any checker's."""
    km = site_lab_km(sc, radius_km=EARTH_RADIUS_KM_MIN)
    return fewest_travel_minutes(km, sc.courier_rules.speed_kmh)


def earliest_arrivals(sc: Scenario) -> np.ndarray:
    """Per lab, the earliest minute any tube can reach it. A site's first pickup is
    ``every_minutes`` after its first swab (at its opening or later), unless the site is
    done before: its last pickup is when its work ends, and no plan samples a site faster
    than its stations take its walk-in residents and every trained pair its home visits,
    at the fastest rates."""
    pairs = sum(t.pairs for t in sc.teams)
    home_pairs = sum(t.pairs for t in sc.teams if t.door_to_door)
    walk_rate = max((sc.rules(t).walk_in_per_hour for t in sc.teams if t.pairs), default=0.0)
    home_rate = max(
        (sc.rules(t).door_to_door_per_hour for t in sc.teams if t.pairs and t.door_to_door),
        default=0.0,
    )
    every = sc.courier_rules.every_minutes
    first = []
    for site in sc.sites:
        if not site.residents:
            first.append(math.inf)  # never picked up
            continue
        fastest = 0.0
        if site.walk_in_demand and pairs:
            fastest = site.walk_in_demand / (min(site.stations, pairs) * walk_rate) * 60
        if site.home_demand and home_pairs:
            fastest = max(fastest, site.home_demand / (home_pairs * home_rate) * 60)
        first.append(sc.open_minutes(site)[0] + min(every, math.floor(fastest)))
    return (np.array(first)[:, None] + trips(sc)).min(axis=0)


def fewest_tubes(sc: Scenario) -> int:
    """The tubes a plan sampling everyone makes at least: per site and mode, its residents
    in full tubes."""
    total = 0
    for site in sc.sites:
        walk, home = site.walk_in_demand, site.home_demand
        total += -(-walk // sc.per_tube(site, "walk_in")) + -(
            -home // sc.per_tube(site, "door_to_door")
        )
    return total


def results_bound(sc: Scenario, bounds: Bounds, hours: Sequence[LabHours]) -> int | None:
    """The bound in minutes from the horizon start; None when nobody can sample everyone."""
    if bounds.done_minute is None or not sc.labs or sc.total_residents == 0:
        return None
    shortest = shortest_trips(sc)
    last = min(
        h.loads_at[h.first_hour_from(bounds.done_minute + int(t))] + h.batch
        for h, t in zip(hours, shortest, strict=True)
    )
    largest = max(
        [sc.per_tube(s, "walk_in") for s in sc.sites]
        + [sc.per_tube(s, "door_to_door") for s in sc.sites]
    )
    slot = sc.slot_minutes
    after = [(0, fewest_tubes(sc))] + [
        ((k + 1) * slot, -(-(sc.total_residents - most) // largest))
        for k, most in enumerate(bounds.coverage_curve)
    ]
    arrive = earliest_arrivals(sc)
    return max([last] + [_throughput(hours, shortest, arrive, t, n) for t, n in after if n > 0])


def _throughput(
    hours: Sequence[LabHours], trips: np.ndarray, arrive: np.ndarray, t: int, tubes: int
) -> int:
    """The earliest R by which ``tubes`` tubes, none at lab j before ``t + trips[j]`` or
    ``arrive[j]``, could all have results, every lab loading at its capacity."""
    firsts = [
        h.first_hour_from(max(t + int(trip), int(a)))
        for h, trip, a in zip(hours, trips, arrive, strict=True)
    ]
    # Hour by hour over all labs until they could have loaded them all: no result the
    # answer needs comes from an hour later than that one plus the longest batch.
    k, got = min(firsts), 0
    while got < tubes:
        for h, first in zip(hours, firsts, strict=True):
            h.ensure(k + 1)
            got += h.capacity[k] if k >= first else 0
        k += 1
    last = k + max(h.batch for h in hours) // 60 + 1
    results = []  # (result minute, tubes)
    for h, first in zip(hours, firsts, strict=True):
        h.ensure(last + 1)
        results += [(h.loads_at[j] + h.batch, h.capacity[j]) for j in range(first, last + 1)]
    results.sort()
    done = 0
    for minute, n in results:
        done += n
        if done >= tubes:
            return minute
    raise AssertionError("unreachable: the hours up to last can load them all")
