"""Proven bounds by linear programming (GLOP): the earliest possible ``done_at`` and the
most residents any plan can sample.

The relaxation forgets which pair does what and when; it keeps only capacities that every
valid plan (CONTRACT.md, in continuous time) must respect by a deadline ``tau``:

- a pair of team k works at most ``min(W, S(D)) - T0`` minutes by ``tau``, where D is the
  time it is available before ``tau``, ``S(D)`` the most suit time D can hold (stretches of
  at most ``max_suit`` separated by breaks of ``min_break``), and T0 its shortest first trip;
- at site i it works only between its arrival from the base (or the opening) and ``tau``
  (or the closing), so at most ``min(W - T_ki, S(D_ki))`` minutes;
- walk-in pair-minutes at a site are at most ``stations`` times its open minutes;
- every resident is sampled, at the team's rate.

If that LP is infeasible at ``tau``, no plan is done by ``tau``; the smallest feasible
``tau`` (found by bisection on whole minutes) is a lower bound on ``done_at``. Travel times
here use the smallest Earth radius in use, so the bound holds under any convention.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from ortools.linear_solver import pywraplp

from sampler.geo import EARTH_RADIUS_KM_MIN, great_circle_km, travel_minutes
from sampler.instance import DOOR_TO_DOOR, MODES, WALK_IN, Instance


def max_suit_time(window: float, suit: float, rest: float) -> float:
    """Most minutes of work and travel that fit in ``window`` minutes under the suit rule."""
    if window <= 0:
        return 0.0
    if rest <= 0:
        return window
    best = 0.0
    stretches = 1
    while True:
        best = max(best, min(stretches * suit, window - (stretches - 1) * rest))
        if (stretches - 1) * rest >= window or stretches * suit >= window:
            return best
        stretches += 1


@dataclass(frozen=True)
class Bounds:
    """What the relaxation proves about a scenario."""

    done_minute: int | None  # earliest done_at, minutes from start; None: nobody can finish
    max_sampled: int  # most residents any plan can sample in the horizon
    short_by_site: dict[str, tuple[int, int]] = field(default_factory=dict)  # walk, home
    allocation: dict[tuple[int, int, str], float] = field(
        default_factory=dict
    )  # (team, site, mode) -> pair-minutes
    lp_solves: int = 0


class _Relaxation:
    """The LP at one deadline; rebuilt per deadline (it is small: teams x sites x modes)."""

    def __init__(self, inst: Instance):
        self.inst = inst
        sc = inst.scenario
        self.teams = inst.teams
        self.avail = [sc.available_minutes(t.team) for t in self.teams]
        self.open = [sc.open_minutes(s.site) for s in inst.sites]
        ll = inst.site_latlon
        # Optimistic travel: the bound must hold for any radius convention.
        self.travel = np.array(
            [
                travel_minutes(
                    great_circle_km(
                        t.team.lat, t.team.lon, ll[:, 0], ll[:, 1], EARTH_RADIUS_KM_MIN
                    ),
                    t.rules.travel_speed_kmh,
                )
                for t in self.teams
            ],
            dtype=float,
        ).reshape(len(self.teams), len(inst.sites))

    def team_minutes(self, k: int, tau: float) -> float:
        team = self.teams[k]
        r = team.rules
        a0, a1 = self.avail[k]
        suit = max_suit_time(min(tau, a1) - a0, r.max_suit_minutes, r.min_break_minutes)
        first_trip = float(self.travel[k].min()) if self.travel.shape[1] else 0.0
        return max(0.0, min(r.max_work_minutes, suit) - first_trip)

    def site_minutes(self, k: int, i: int, tau: float) -> float:
        team = self.teams[k]
        r = team.rules
        a0, a1 = self.avail[k]
        o0, o1 = self.open[i]
        window = min(tau, a1, o1) - max(a0 + self.travel[k, i], o0)
        suit = max_suit_time(window, r.max_suit_minutes, r.min_break_minutes)
        return max(0.0, min(r.max_work_minutes - self.travel[k, i], suit))

    def station_minutes(self, i: int, tau: float) -> float:
        o0, o1 = self.open[i]
        if not self.teams:
            return 0.0
        earliest = min(self.avail[k][0] + self.travel[k, i] for k in range(len(self.teams)))
        return max(0.0, min(tau, o1) - max(o0, earliest))

    def solve(self, tau: float, cover_all: bool):
        """Feasibility of sampling everyone by ``tau`` (cover_all), or the most sampled."""
        inst = self.inst
        lp = pywraplp.Solver.CreateSolver("GLOP")
        h: dict[tuple[int, int, str], pywraplp.Variable] = {}
        served = {}
        for site in inst.sites:
            i = site.index
            for mode in MODES:
                demand = site.demand(mode)
                if demand == 0:
                    continue
                terms = []
                for team in self.teams:
                    k = team.index
                    if not team.can(mode):
                        continue
                    ub = team.pairs * self.site_minutes(k, i, tau)
                    if ub <= 0:
                        continue
                    var = lp.NumVar(0, ub, f"h_{k}_{i}_{mode}")
                    h[k, i, mode] = var
                    terms.append(var * (team.rate(mode) / 60.0))
                if cover_all:
                    # Half a resident of slack: an integral plan that meets demand exactly is
                    # still feasible here despite floating-point tolerance.
                    if not terms:
                        return None
                    lp.Add(sum(terms) >= demand - 0.5)
                else:
                    s = lp.NumVar(0, demand, f"served_{i}_{mode}")
                    served[i, mode] = s
                    lp.Add(s <= sum(terms) if terms else s <= 0)
            walk = [h[k, i, WALK_IN] for k in range(len(self.teams)) if (k, i, WALK_IN) in h]
            if walk:
                lp.Add(sum(walk) <= site.site.stations * self.station_minutes(i, tau))
        for team in self.teams:
            k = team.index
            mine = [v for (kk, _, _), v in h.items() if kk == k]
            if mine:
                lp.Add(sum(mine) <= team.pairs * self.team_minutes(k, tau))
        if not cover_all:
            lp.Maximize(sum(served.values()) if served else 0)
        status = lp.Solve()
        if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            return None
        allocation = {key: var.solution_value() for key, var in h.items()}
        if cover_all:
            return allocation, {}
        return allocation, {key: var.solution_value() for key, var in served.items()}


def compute_bounds(inst: Instance) -> Bounds:
    """Earliest possible done_at and most residents sampled, both proven by LP."""
    relax = _Relaxation(inst)
    horizon = inst.scenario.horizon_minutes
    solves = 1
    most = relax.solve(horizon, cover_all=False)
    allocation, served = most if most else ({}, {})
    max_sampled = int(np.floor(sum(served.values()) + 1e-6))
    short: dict[str, tuple[int, int]] = {}
    for site in inst.sites:
        walk = site.demand(WALK_IN) - served.get((site.index, WALK_IN), 0.0)
        home = site.demand(DOOR_TO_DOOR) - served.get((site.index, DOOR_TO_DOOR), 0.0)
        walk, home = int(np.ceil(walk - 1e-6)), int(np.ceil(home - 1e-6))
        if walk > 0 or home > 0:
            short[site.id] = (walk, home)
    total = inst.scenario.total_residents
    if total == 0:
        return Bounds(0, 0, {}, {}, solves)
    solves += 1
    if short or relax.solve(horizon, cover_all=True) is None:
        return Bounds(None, max_sampled, short, allocation, solves)
    lo, hi = 0, horizon  # infeasible at lo (nothing sampled at time 0), feasible at hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        solves += 1
        if relax.solve(mid, cover_all=True) is None:
            lo = mid
        else:
            hi = mid
    solves += 1
    at_bound = relax.solve(hi, cover_all=True)
    return Bounds(hi, max_sampled, {}, at_bound[0] if at_bound else allocation, solves)
