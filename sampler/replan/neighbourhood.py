"""Where a replan looks: rings of sites around what changed, and the pairs within them.

A change to one community should move the pairs near it and leave the rest of the city's
afternoon as it was, and cost time in proportion to its neighbourhood, not to the city. So
the pairs re-planned are chosen ring by ring: the sites nearest (by travel) to what
changed, ``RING_SITES`` of them at first (no farther than ``REACH_MINUTES`` of travel) and
``RING_GROWTH`` times as many (and as far) each ring after, the last ring every site. A
ring's pairs are those with work at one of its sites after ``at`` and the idle pairs
standing inside its radius; its afternoon scenario holds its sites and the sites its pairs
leave work at, and nothing else (every other pair keeps its rows, so every other site
keeps its afternoon). The replan tries each ring first as an extension (``Ring.extend``):
the same sites, but only the pairs that must are re-planned, and the ring's other pairs
keep their rows and may only add work after them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sampler.geo import great_circle_km, travel_minutes
from sampler.replan.state import PairState
from sampler.scenario import Scenario

RING_SITES = 12  # sites in the first ring (with the changed ones)
RING_GROWTH = 3  # each ring holds this many times the sites of the one before
RING_MOST = 0.5  # a ring holds at most this share of the sites; then the whole day
REACH_MINUTES = 30  # and reaches at most this far (travel), times RING_GROWTH each ring after


@dataclass(frozen=True)
class Ring:
    """One neighbourhood: its sites, its radius in travel minutes, the pairs it re-plans."""

    sites: frozenset[str]
    radius: int  # travel minutes from the nearest centre to its farthest site
    pairs: frozenset[str]
    whole: bool  # every site (and so every pair): the whole afternoon re-planned
    # Pairs that keep their rows and may only add work after them (an extension ring;
    # ``pairs`` are then only those whose afternoon no longer holds).
    extend: frozenset[str] = frozenset()


def centres(whole: Scenario, disturbed: set[str], bases: set[str]) -> list[tuple[float, float]]:
    """The places a replan grows from: the disturbed sites and the bases of joining teams."""
    places = [(whole.site_by_id[s].lat, whole.site_by_id[s].lon) for s in sorted(disturbed)]
    places += [(whole.team_by_id[t].lat, whole.team_by_id[t].lon) for t in sorted(bases)]
    return places


def _minutes_from(whole: Scenario, places: list[tuple[float, float]], lat, lon) -> np.ndarray:
    """Travel minutes (at the scenario's default speed) from the nearest of ``places``."""
    speed = whole.defaults.travel_speed_kmh
    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    best = np.full(lat.shape, np.iinfo(np.int64).max, dtype=np.int64)
    for p_lat, p_lon in places:
        best = np.minimum(best, travel_minutes(great_circle_km(p_lat, p_lon, lat, lon), speed))
    return best


def rings(
    whole: Scenario,
    places: list[tuple[float, float]],
    must: set[str],
    states: dict[tuple[str, str], PairState],
    work_sites: dict[str, set[str]],
    always: set[str],
) -> list[Ring]:
    """The rings, smallest first; the last holds every site. ``must``: pairs re-planned in
    every ring (their afternoon no longer holds, or they join); ``work_sites``: per pair,
    the sites it works at after ``at``; ``always``: sites in every ring (the changed ones)."""
    ids = [s.id for s in whole.sites]
    if not places:
        return [Ring(frozenset(ids), 0, frozenset(p for _, p in states), True)]
    minutes = _minutes_from(
        whole, places, [s.lat for s in whole.sites], [s.lon for s in whole.sites]
    )
    order = sorted(range(len(ids)), key=lambda i: (int(minutes[i]), ids[i]))
    keys = sorted(states)
    stand = _minutes_from(
        whole, places, [states[k].lat for k in keys], [states[k].lon for k in keys]
    )
    standing = {k[1]: int(m) for k, m in zip(keys, stand, strict=True)}
    out: list[Ring] = []
    size, reach, farthest = RING_SITES, REACH_MINUTES, int(minutes.max())
    while True:
        radius = min(int(minutes[order[min(size, len(ids)) - 1]]), reach)
        if radius >= farthest or int((minutes <= radius).sum()) > RING_MOST * len(ids):
            break  # (a ring of most of the city costs what the whole does)
        sites = {ids[i] for i in order if minutes[i] <= radius} | always
        pairs = set(must)
        for pair, where in work_sites.items():
            if where & sites:
                pairs.add(pair)
        pairs |= {p for p, m in standing.items() if m <= radius and not work_sites.get(p)}
        ring = Ring(frozenset(sites), radius, frozenset(pairs), False)
        if not out or ring.pairs != out[-1].pairs or ring.sites != out[-1].sites:
            out.append(ring)
        size, reach = size * RING_GROWTH, reach * RING_GROWTH
    out.append(Ring(frozenset(ids), farthest, frozenset(p for _, p in states), True))
    return out
