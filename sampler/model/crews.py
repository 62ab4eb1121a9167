"""Crews and the places they may go: the structure the CP model is built over.

A crew is the pairs of one team that follow one duty pattern (a squad, 小分队). Pairs of a
crew are interchangeable, so the model counts them. Each team considers only its candidate
sites, and pairs move only along arcs between nearby candidates; both keep the model small
at city scale without ruling out what a good plan needs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from sampler.duty import DutyPattern
from sampler.geo import travel_minutes
from sampler.instance import MODES, WALK_IN, Instance, TeamData


@dataclass(frozen=True)
class Arc:
    """A trip from ``origin`` (a site index, or None for the team base) to ``dest``."""

    origin: int | None
    dest: int
    minutes: int


@dataclass(frozen=True)
class Crew:
    """Pairs of one team following one duty pattern."""

    index: int
    team: TeamData
    pattern: DutyPattern
    sites: tuple[int, ...]
    arcs: tuple[Arc, ...]  # between sites, and from the base

    @property
    def id(self) -> str:
        return f"{self.team.id}#{self.index}"

    def on_duty(self) -> list[int]:
        return self.pattern.slots

    @cached_property
    def _previous(self) -> dict[int, int | None]:
        slots = self.pattern.slots
        return {t: (slots[k - 1] if k else None) for k, t in enumerate(slots)}

    def previous(self, slot: int) -> int | None:
        """The on-duty slot before ``slot`` (across a break), or None on the first."""
        return self._previous[slot]

    def arrival(self, arc: Arc, depart: int, slot_minutes: int) -> tuple[int, int] | None:
        """(arrival slot, minutes lost in it) for a trip leaving at the start of ``depart``.

        The whole trip must lie in the stretch it starts in, since travel is suit time.
        """
        stretch = self.pattern.stretch_of(depart)
        if stretch is None:
            return None
        arrive = depart + arc.minutes // slot_minutes
        if arrive >= stretch[1]:
            return None
        return arrive, arc.minutes % slot_minutes


CLOSES_EARLY = 60  # minutes: a site that closes this long before the day's end or more


@dataclass(frozen=True)
class CandidateOptions:
    """How much of the city each team may consider."""

    max_sites: int = 16  # candidate sites per team (more only to cover every site)
    nearest: int = 4  # sites added near the base beyond those the LP uses
    neighbours: int = 6  # arcs from each site to its nearest candidates
    cover: int = 2  # every site is a candidate of at least this many capable teams
    # ...whose pairs could give it this many times its work inside its open window
    cover_capacity: float = 1.5


def _reachable(inst: Instance, team: TeamData, site) -> bool:
    """Can a pair of the team get to the site while it is open, and work there at all?"""
    useful = any(site.demand(m) > 0 and team.can(m) for m in MODES)
    return useful and _arrival(inst, team, site) < inst.minute(site.open[1])


def candidate_sites(
    inst: Instance, allocation: dict, options: CandidateOptions
) -> dict[int, tuple[int, ...]]:
    """Sites worth considering, per team: those the LP bound gives it, then the nearest;
    then every site that no capable team considers yet goes to the nearest capable ones."""
    chosen: dict[int, list[int]] = {}
    for team in inst.teams:
        reachable = [s.index for s in inst.sites if _reachable(inst, team, s)]
        if len(reachable) <= options.max_sites:
            chosen[team.index] = reachable
            continue
        used = sorted(
            {i for (k, i, _), v in allocation.items() if k == team.index and v > 1e-6},
            key=lambda i: (-sum(allocation.get((team.index, i, m), 0.0) for m in MODES), i),
        )
        by_distance = sorted(reachable, key=lambda i: (team.base_travel[i], i))
        mine: list[int] = []
        for i in used[: options.max_sites - options.nearest] + by_distance:
            if i not in mine and i in reachable:
                mine.append(i)
            if len(mine) >= options.max_sites:
                break
        chosen[team.index] = mine
    closes_early = inst.scenario.sites_closing_before(inst.scenario.horizon_minutes - CLOSES_EARLY)
    for site in inst.sites:
        for mode in MODES:
            if site.demand(mode) == 0:
                continue
            capable = [t for t in inst.teams if t.can(mode) and _reachable(inst, t, site)]
            have = sum(1 for t in capable if site.index in chosen[t.index])
            for team in sorted(capable, key=lambda t: (t.base_travel[site.index], t.index)):
                if have >= options.cover:
                    break
                if site.index not in chosen[team.index]:
                    chosen[team.index].append(site.index)
                    have += 1
            # At a site that closes early, teams that reach it too late to do its work in
            # its window do not cover it (a site open 07:00-11:00 whose candidates arrive
            # at 10:00): then the teams that can be there soonest are added until they could.
            if site.site.id not in closes_early:
                continue
            wanted = options.cover_capacity * site.demand(mode)
            cover = _WindowCover(inst, site, mode)
            for team in capable:
                if site.index in chosen[team.index]:
                    cover.add(team)
            for team in sorted(capable, key=lambda t: (_arrival(inst, t, site), t.index)):
                if cover.residents() >= wanted:
                    break
                if site.index not in chosen[team.index]:
                    chosen[team.index].append(site.index)
                    cover.add(team)
    return {k: tuple(sorted(v)) for k, v in chosen.items()}


def _arrival(inst: Instance, team: TeamData, site) -> int:
    """The minute a pair of the team can be at the site at the soonest, from its base."""
    return int(team.available[0] * inst.slot + team.base_travel[site.index])


class _WindowCover:
    """Residents the teams added could sample at a site in one mode inside its open window,
    each from its soonest arrival, all of them there and nowhere else (a generous estimate;
    walk-in at most a pair per station, and the stations staffed from the first arrival)."""

    def __init__(self, inst: Instance, site, mode: str):
        self.inst, self.site, self.mode = inst, site, mode
        self.opens, self.closes = inst.minute(site.open[0]), inst.minute(site.open[1])
        self.given = 0.0
        self.first: int | None = None  # the soonest arrival of the teams added
        self.fastest = 0.0

    def add(self, team: TeamData) -> None:
        arrive = _arrival(self.inst, team, self.site)
        begin = max(self.opens, arrive)
        end = min(self.closes, team.available[1] * self.inst.slot)
        stations = self.site.site.stations
        pairs = team.pairs if self.mode != WALK_IN else min(team.pairs, stations)
        self.given += pairs * max(0, end - begin) * team.rate(self.mode) / 60
        self.first = arrive if self.first is None else min(self.first, arrive)
        self.fastest = max(self.fastest, team.rate(self.mode))

    def residents(self) -> float:
        if self.mode != WALK_IN or self.first is None:
            return self.given
        begin = max(self.opens, self.first)
        room = self.site.site.stations * max(0, self.closes - begin) * self.fastest / 60
        return min(self.given, room)


def crew_arcs(
    inst: Instance, team: TeamData, sites: tuple[int, ...], options: CandidateOptions
) -> tuple[Arc, ...]:
    """Trips from the base to every candidate, and between each candidate and its neighbours."""
    arcs = [Arc(None, i, int(team.base_travel[i])) for i in sites]
    if len(sites) > 1:
        onward: dict[int, list[tuple[int, int]]] = defaultdict(list)  # origin -> (minutes, dest)
        for (i, j), minutes in site_trips(inst, team, sites).items():
            onward[i].append((minutes, j))
        for i in sites:
            order = sorted(onward[i])[: options.neighbours]
            arcs += [Arc(i, j, travel) for travel, j in order]
        # Keep the neighbour relation symmetric so a pair can always go back.
        have = {(a.origin, a.dest) for a in arcs}
        for arc in list(arcs):
            if arc.origin is not None and (arc.dest, arc.origin) not in have:
                arcs.append(Arc(arc.dest, arc.origin, arc.minutes))
                have.add((arc.dest, arc.origin))
    return tuple(arcs)


def build_crews(
    inst: Instance, allocation: dict, options: CandidateOptions | None = None
) -> tuple[Crew, ...]:
    """Every (team, duty pattern) crew with its candidate sites and arcs."""
    options = options or CandidateOptions()
    candidates = candidate_sites(inst, allocation, options)
    crews: list[Crew] = []
    for team in inst.teams:
        sites = candidates[team.index]
        if not sites:
            continue
        arcs = crew_arcs(inst, team, sites, options)
        for pattern in team.patterns:
            crews.append(Crew(len(crews), team, pattern, sites, arcs))
    return tuple(crews)


def site_trips(
    inst: Instance, team: TeamData, sites: tuple[int, ...]
) -> dict[tuple[int, int], int]:
    """Travel minutes between a team's candidate sites, for the trips that fit in a suit
    stretch (travel is suit time): the arcs' and the dispatchers' one source."""
    if len(sites) < 2:
        return {}
    minutes = travel_minutes(inst.site_km(np.array(sites)), team.rules.travel_speed_kmh)
    longest = team.limits.suit * inst.slot
    return {
        (i, j): int(minutes[a, b])
        for a, i in enumerate(sites)
        for b, j in enumerate(sites)
        if i != j and minutes[a, b] < longest
    }


def with_trips(crews: tuple[Crew, ...], trips) -> tuple[Crew, ...]:
    """The crews, each with an arc for every trip of ``trips`` (TripCounts) it lacks: the
    dispatchers send a pair beyond its site's neighbours when nothing is left around it,
    and the model searches from their plan."""
    extra: dict[int, dict[tuple[int | None, int], int]] = {}
    for trip in trips:
        extra.setdefault(trip.crew, {})[trip.origin, trip.dest] = trip.minutes
    out = []
    for crew in crews:
        more = dict(extra.get(crew.index, {}))
        for arc in crew.arcs:
            more.pop((arc.origin, arc.dest), None)
        if more:
            added = tuple(Arc(o, d, m) for (o, d), m in sorted(more.items(), key=_arc_order))
            crew = replace(crew, arcs=crew.arcs + added)
        out.append(crew)
    return tuple(out)


def _arc_order(item: tuple) -> tuple:
    (origin, dest), _ = item
    return (-1 if origin is None else origin, dest)


def model_size(inst: Instance, crews: tuple[Crew, ...]) -> int:
    """About how many variables the counting model over these crews has."""
    return sum(len(c.on_duty()) * (4 * len(c.sites) + 2 * len(c.arcs)) for c in crews)
