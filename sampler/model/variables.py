"""The decision variables of the CP model, and the questions constraints ask about them.

Per crew c, candidate site i, on-duty slot t and mode m:

- ``at[c, i, t]``: pairs of c located at site i (working, idle or on break there);
- ``work[c, i, m, t]``: of those, pairs sampling in mode m;
- ``samples[i, m, t]``: residents sampled at site i in mode m in slot t, by all crews;
- ``kept[c, i, m, t]``: of the working pairs, those already working there in that mode in
  the slot before (their row of the roster goes on; every other working pair starts a row);
- ``trip[c, arc, t, m]``: pairs leaving the arc's origin (a site, or the base) at the start
  of t; a trip that lands during a slot also says the mode m they work in on arrival;
- ``active[t]``: some resident is still being sampled in slot t (so done_at >= end of t).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from math import ceil

from ortools.sat.python import cp_model

from sampler.instance import MODES, WALK_IN, Instance
from sampler.model.crews import Arc, Crew

IntVar = cp_model.IntVar


@dataclass
class Trip:
    """One trip variable with where and when it lands."""

    var: IntVar
    crew: Crew
    arc: Arc
    depart: int
    arrive: int
    lost_minutes: int
    mode: str | None  # the mode it works in on arrival, when it arrives during a slot


@dataclass
class Variables:
    """All variables of one model, indexed for the constraint builders."""

    inst: Instance
    crews: tuple[Crew, ...]
    at: dict[tuple[int, int, int], IntVar] = field(default_factory=dict)
    work: dict[tuple[int, int, str, int], IntVar] = field(default_factory=dict)
    samples: dict[tuple[int, str, int], IntVar] = field(default_factory=dict)
    kept: dict[tuple[int, int, str, int], IntVar] = field(default_factory=dict)
    trips: list[Trip] = field(default_factory=list)
    active: list[IntVar] = field(default_factory=list)
    _arriving: dict[tuple[int, int, int], list[Trip]] = field(
        default_factory=lambda: defaultdict(list)
    )
    _leaving: dict[tuple[int, int, int], list[Trip]] = field(
        default_factory=lambda: defaultdict(list)
    )
    _crews_at: dict[tuple[int, str, int], list[int]] = field(
        default_factory=lambda: defaultdict(list)
    )

    @classmethod
    def create(cls, model: cp_model.CpModel, inst: Instance, crews: tuple[Crew, ...]) -> Variables:
        v = cls(inst, crews)
        slot_minutes = inst.slot
        for crew in crews:
            c, team = crew.index, crew.team
            n = team.pairs
            for t in crew.on_duty():
                for i in crew.sites:
                    v.at[c, i, t] = model.new_int_var(0, n, f"at_{c}_{i}_{t}")
                    site = inst.sites[i]
                    if not site.open[0] <= t < site.open[1]:
                        continue
                    for mode in MODES:
                        if not team.can(mode) or site.demand(mode) == 0:
                            continue
                        top = min(n, site.site.stations) if mode == WALK_IN else n
                        key = (c, i, mode, t)
                        v.work[key] = model.new_int_var(0, top, f"w_{c}_{i}_{mode[0]}_{t}")
                        if (c, i, mode, t - 1) in v.work and crew.previous(t) == t - 1:
                            v.kept[key] = model.new_int_var(0, top, f"k_{c}_{i}_{mode[0]}_{t}")
                        v._crews_at[i, mode, t].append(c)
            for t in crew.on_duty():
                for arc in crew.arcs:
                    if arc.origin is not None and crew.previous(t) is None:
                        continue  # nobody is at a site before the first on-duty slot
                    landing = crew.arrival(arc, t, slot_minutes)
                    if landing is None:
                        continue
                    arrive, lost = landing
                    # A pair arriving during a slot either works it, in a mode fixed by the
                    # trip so that its lost minutes are charged to that mode only, or
                    # waits for the next slot (mode None).
                    modes = [m for m in MODES if (c, arc.dest, m, arrive) in v.work] if lost else []
                    for on_arrival in [*modes, None]:
                        origin = "b" if arc.origin is None else arc.origin
                        tag = on_arrival[0] if on_arrival else "x"
                        name = f"trip_{c}_{origin}_{arc.dest}_{t}_{tag}"
                        trip = Trip(
                            model.new_int_var(0, n, name), crew, arc, t, arrive, lost, on_arrival
                        )
                        v.trips.append(trip)
                        v._arriving[c, arc.dest, arrive].append(trip)
                        if arc.origin is not None:
                            v._leaving[c, arc.origin, t].append(trip)
        for (i, mode, t), crews_here in sorted(v._crews_at.items()):
            site = inst.sites[i]
            top = sum(
                ceil(crews[c].team.rate(mode) * slot_minutes / 60)
                * (
                    min(crews[c].team.pairs, site.site.stations)
                    if mode == WALK_IN
                    else crews[c].team.pairs
                )
                for c in crews_here
            )
            v.samples[i, mode, t] = model.new_int_var(
                0, min(site.demand(mode), top), f"s_{i}_{mode[0]}_{t}"
            )
        v.active = [model.new_bool_var(f"active_{t}") for t in range(inst.n_slots)]
        return v

    # -- questions the constraints ask ----------------------------------------------------

    def pairs_at(self, crew: int, site: int, slot: int) -> IntVar | None:
        return self.at.get((crew, site, slot))

    def working(self, crew: int, site: int, slot: int) -> list[tuple[str, IntVar]]:
        """(mode, working pairs) of a crew at a site in a slot."""
        out = []
        for mode in MODES:
            key = (crew, site, mode, slot)
            if key in self.work:
                out.append((mode, self.work[key]))
        return out

    def crews_working(self, site: int, mode: str, slot: int) -> list[int]:
        """Crews that may sample at a site in a mode in a slot."""
        return self._crews_at.get((site, mode, slot), [])

    def kept_working(self, crew: int, site: int, mode: str, slot: int) -> IntVar | None:
        return self.kept.get((crew, site, mode, slot))

    def arriving(self, crew: int, site: int, slot: int, mode: str | None = None) -> list[Trip]:
        """Trips landing at a site in a slot; with ``mode``, those that work it in that mode."""
        trips = self._arriving.get((crew, site, slot), [])
        return trips if mode is None else [tr for tr in trips if tr.mode == mode]

    def waiting(self, crew: int, site: int, slot: int) -> list[Trip]:
        """Trips landing during a slot whose pairs wait for the next slot to work."""
        trips = self._arriving.get((crew, site, slot), [])
        return [tr for tr in trips if tr.lost_minutes and tr.mode is None]

    def leaving(self, crew: int, site: int, slot: int) -> list[Trip]:
        return self._leaving.get((crew, site, slot), [])

    def samples_at(self, site: int, mode: str) -> list[IntVar]:
        return [x for (i, m, _), x in self.samples.items() if i == site and m == mode]

    def samples_in(self, slot: int) -> list[IntVar]:
        return [x for (_, _, t), x in self.samples.items() if t == slot]

    def base_trips(self, team: int) -> list[Trip]:
        return [tr for tr in self.trips if tr.arc.origin is None and tr.crew.team.index == team]

    def site_trips(self) -> list[Trip]:
        return [tr for tr in self.trips if tr.arc.origin is not None]
