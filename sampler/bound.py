"""Proven bounds by linear programming (GLOP): the earliest possible ``done_at`` and the
most residents any plan can sample.

The relaxation forgets which pair does what and when; it keeps only capacities that every
valid plan (CONTRACT.md, in continuous time) must respect by a deadline ``tau``:

- a pair of team k works at most ``min(W, S(D)) - T_ki`` minutes by ``tau`` if it works at
  site i, where D is the time it is available before ``tau`` (and the last closing),
  ``S(D)`` the most suit time D can hold (stretches of at most ``max_suit`` separated by
  breaks of ``min_break``), and T_ki the trip from its base to i: the trip is worn in the
  suit. Counting its work at each site as a share of that, the shares of one pair add up
  to at most 1: a pair that works at sites V has travelled at
  least ``max T_ki`` over V (trips keep the triangle inequality: great-circle distances do,
  and rounding each trip up to a whole minute only lengthens a chain of them), so all its
  work fits in ``min(W, S(D)) - max T_ki``. This is what charges each site its own trip,
  not the shortest trip to any site;
- at site i it works only between its arrival from the base (or the opening) and ``tau``
  (or the closing), so at most ``min(W - T_ki, S(D_ki), S(E_ki) - T_ki)`` minutes, E_ki
  running from its availability to that end;
- walk-in pair-minutes at a site are at most ``stations`` times its open minutes after the
  first team can arrive;
- (what steers only: the proofs do not assume it) no leg of a pair's day is longer than
  a suit stretch: the planner makes each trip one travel row, worn in the suit, so a site
  reached by no such chain of legs from a team's base is out of that team's reach
  (``_out_of_reach``). A plan may pause a trip for a break (the checker takes a trip in
  several travel rows), so the proofs still count such a team;
- every resident is sampled, at the team's rate.

If that LP is infeasible at ``tau``, no plan is done by ``tau``; the smallest feasible
``tau`` (found by bisection on whole minutes) is a lower bound on ``done_at``. The
bisection runs first on the looser LP that charges each pair only its shortest trip from
its base (``min(W, S(D)) - T0`` minutes of work), whose answer the planner aims at, and
then on from there with the shares above. The most residents are proven with the shares
too; the coverage curve (one LP per slot) is the looser LP's with the shortest trip,
clipped to them. What steers (that aim, and the allocation the LP for the most residents
hands a partial plan) counts the suit time from the arrival at a site instead, as before
the proofs wore the trip in the suit (see pair_minutes_by).
Travel times here use the smallest Earth radius in use, so the bound holds under any
convention.

A city too large for one LP per team and site is relaxed further, still validly: teams with
the same rules, hours and base become one group (nothing is lost: their pairs are alike),
and nearby sites one cluster (demand and station-minutes added up, open from the earliest
opening to the latest closing, travel: the shortest to any of them). Only when that would
leave fewer than ``MIN_CLUSTERS`` clusters are teams with different bases merged too
(travel: the shortest of theirs), which costs the bound much more: a team based at a site
lends the whole group its zero-minute trip. The LP is built once and only its bounds and
the pairs' shares change from one deadline to the next, so GLOP re-solves from its last
basis.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.linear_solver import pywraplp

from sampler.clusters import kmeans_labels
from sampler.geo import EARTH_RADIUS_KM_MIN, fewest_travel_minutes, great_circle_km
from sampler.instance import DOOR_TO_DOOR, MODES, WALK_IN, Instance
from sampler.scenario import Rules

MAX_LP_CELLS = 15_000  # team groups x site clusters above which sites are clustered
MIN_CLUSTERS = 24  # site clusters below which teams with different bases are merged
REFINE_CELLS = 3_000  # above this the bound stays on the slot grid (no minute bisection)
MAX_WINDOWS = 64  # interval cuts: at most this many windows (from the sites' open windows)


def pair_minutes_by(rules, available, travel, opens, closes, deadline, trip_worn=True):
    """Most minutes one pair can work at a place by ``deadline``: after its trip there
    from the base (``travel``), inside its ``available`` (start, end) and the place's
    (``opens``, ``closes``), within the suit rule and its work cap less the trip. Numbers or
    numpy arrays; may be negative (no time at all). The bound and the city's parts both
    use it, so that they agree on what a pair can give (the parts as the aim counts).

    ``trip_worn``: the trip is worn in the suit too, so the trip and the work after it fit
    in the suit time from leaving the base (at its availability at the soonest) to the end;
    tighter than the suit time after arrival where the trip's minutes would need one more
    break (a proof). Without it, the suit time is counted from arrival: what the aim and
    the city's parts steer by (counting the trip there took two of the short-hours
    family's ten small seeds 30 minutes later and left 16 residents on a third)."""
    a0, a1 = available
    end = np.minimum(np.minimum(deadline, a1), closes)
    suit, rest = rules.max_suit_minutes, rules.min_break_minutes
    work = max_suit_time(end - np.maximum(a0 + travel, opens), suit, rest)
    if trip_worn:
        work = np.minimum(work, max_suit_time(end - a0, suit, rest) - travel)
    return np.minimum(rules.max_work_minutes - travel, work)


def station_minutes(stations, opens, closes, deadline, earliest=-np.inf):
    """Walk-in station-minutes a place offers by ``deadline``: its stations times its open
    minutes from when anyone can be there (``earliest``). Numbers or numpy arrays."""
    return stations * np.maximum(0.0, np.minimum(deadline, closes) - np.maximum(opens, earliest))


def max_suit_time(window, suit: float, rest: float):
    """Most minutes of work and travel that fit in ``window`` minutes under the suit rule
    (numbers or numpy arrays)."""
    if np.ndim(window) == 0:
        return _max_suit_minutes(max(float(window), 0.0), suit, rest)
    window = np.maximum(np.asarray(window, dtype=float), 0.0)
    if rest <= 0:
        return window
    best = np.zeros_like(window)
    stretches = 1
    while True:
        best = np.maximum(best, np.minimum(stretches * suit, window - (stretches - 1) * rest))
        if np.all((stretches - 1) * rest >= window) or np.all(stretches * suit >= window):
            return best
        stretches += 1


def _max_suit_minutes(window: float, suit: float, rest: float) -> float:
    """max_suit_time for one window, in plain floats (the city split asks it 28,000 times a
    share LP, where numpy's per-call cost was half the LP's building)."""
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
    """What the relaxation proves about a scenario (and nothing else: see :class:`Aim`)."""

    done_minute: int | None  # earliest done_at, minutes from start; None: nobody can finish
    max_sampled: int  # most residents any plan can sample in the horizon
    short_by_site: dict[str, tuple[int, int]] = field(default_factory=dict)  # walk, home
    lp_solves: int = 0
    clustered: bool = False
    # Most residents any plan can have sampled by the end of each slot (the best curve).
    coverage_curve: tuple[int, ...] = ()


@dataclass(frozen=True)
class Aim:
    """Advice for the heuristics, not a proof: what the planner aims at and how the LP
    shares the work out at that aim."""

    # The earliest done_at of the relaxation that charges each team only its shortest trip
    # (never after the bound; see _earliest_done).
    minute: int | None = None
    # (team, site, mode) -> pair-minutes, at the bound (site level only, when not clustered)
    allocation: dict[tuple[int, int, str], float] = field(default_factory=dict)


@dataclass(frozen=True)
class _Units:
    """The relaxation's units: groups of teams and clusters of sites."""

    group_of: np.ndarray  # team index -> group
    cluster_of: np.ndarray  # site index -> cluster
    pairs: np.ndarray  # per group
    avail: np.ndarray  # per group: (start, end) minutes
    rules: list  # per group: Rules
    can_home: np.ndarray  # per group
    travel: np.ndarray  # group x site, minutes (shortest of the group's teams)
    reach: np.ndarray  # the same, infinite where the planner cannot go (_out_of_reach)
    demand: np.ndarray  # cluster x mode
    opens: np.ndarray  # per site (start, end) minutes


def _units(inst: Instance) -> _Units:
    sc = inst.scenario
    teams = inst.teams
    keys: dict[tuple, int] = {}
    group_of = np.zeros(len(teams), dtype=np.int64)
    many = len(teams) * len(inst.sites) > MAX_LP_CELLS

    def alike(team, base: bool) -> tuple:
        key = (team.rules, sc.available_minutes(team.team), team.team.door_to_door)
        return (*key, (team.team.lat, team.team.lon)) if base else key

    # Teams are merged only when the city is large; merging keeps their pairs and their
    # rules, and each group keeps the shortest of its members' trips.
    by_base = many and len({alike(t, True) for t in teams}) * MIN_CLUSTERS <= MAX_LP_CELLS
    for team in teams:
        key = alike(team, by_base) if many else (team.index,)
        group_of[team.index] = keys.setdefault(key, len(keys))
    n_groups = len(keys)
    ll = inst.site_latlon
    travel = np.full((n_groups, len(inst.sites)), np.inf)
    pairs = np.zeros(n_groups)
    avail = np.zeros((n_groups, 2))
    rules: list[Rules | None] = [None] * n_groups
    can_home = np.zeros(n_groups, dtype=bool)
    for team in teams:
        g = group_of[team.index]
        km = great_circle_km(team.team.lat, team.team.lon, ll[:, 0], ll[:, 1], EARTH_RADIUS_KM_MIN)
        travel[g] = np.minimum(travel[g], fewest_travel_minutes(km, team.rules.travel_speed_kmh))
        pairs[g] += team.pairs
        avail[g] = sc.available_minutes(team.team)
        rules[g] = team.rules
        can_home[g] = team.team.door_to_door
    clusters = max(1, MAX_LP_CELLS // max(1, n_groups))
    if n_groups * len(inst.sites) > MAX_LP_CELLS and clusters < len(inst.sites):
        cluster_of = kmeans_labels(ll, clusters)
    else:
        cluster_of = np.arange(len(inst.sites))
    n_clusters = int(cluster_of.max()) + 1 if len(cluster_of) else 0
    demand = np.zeros((n_clusters, len(MODES)))
    for site in inst.sites:
        for m, mode in enumerate(MODES):
            demand[cluster_of[site.index], m] += site.demand(mode)
    opens = np.array([sc.open_minutes(s.site) for s in inst.sites], dtype=float).reshape(-1, 2)
    reach = _out_of_reach(inst, travel, rules)
    return _Units(group_of, cluster_of, pairs, avail, rules, can_home, travel, reach, demand, opens)


def _out_of_reach(inst: Instance, travel: np.ndarray, rules: list) -> np.ndarray:
    """``travel`` (group x site) with no trip (infinite) to the sites a group cannot reach
    as the planner plans: what steers, not what proves.

    The planner makes each trip one travel row, worn in the suit (CONTRACT rule 3), so no
    leg of its pairs' days is longer than ``max_suit_minutes`` (nor ``max_work_minutes``):
    a site is reached only by such legs, from the base or from a site reached before (legs
    at their shortest, the smallest Earth radius). A heat rule of two-hour stretches leaves
    a team based 40 km off (160 minutes) nowhere to go; steered by the whole bound, the
    planner had allocated it work. A plan may pause a trip for a break (the checker takes
    a trip in several travel rows), so the proofs count such teams still."""
    limits = [min(r.max_suit_minutes, r.max_work_minutes) if r else 0.0 for r in rules]
    if all((travel[g] <= limits[g]).all() for g in range(len(limits))):
        return travel  # every site one leg from every base: the usual case
    ll = inst.site_latlon
    km = great_circle_km(
        ll[:, 0][:, None], ll[:, 1][:, None], ll[:, 0], ll[:, 1], EARTH_RADIUS_KM_MIN
    )
    travel = travel.copy()
    components: dict[tuple[float, float], np.ndarray] = {}
    for g, rule in enumerate(rules):
        if rule is None:
            continue
        direct = travel[g] <= limits[g]
        if direct.all():
            continue
        key = (limits[g], rule.travel_speed_kmh)
        if key not in components:
            legs = fewest_travel_minutes(km, rule.travel_speed_kmh) <= limits[g]
            components[key] = _components(legs)
        label = components[key]
        travel[g, ~np.isin(label, label[direct])] = np.inf
    return travel


def _components(linked: np.ndarray) -> np.ndarray:
    """Connected components of a symmetric boolean adjacency matrix: a label per node."""
    label = np.full(len(linked), -1, dtype=np.int64)
    for start in range(len(linked)):
        if label[start] >= 0:
            continue
        label[start] = start
        frontier = np.array([start])
        while frontier.size:
            reached = linked[frontier].any(axis=0) & (label < 0)
            label[reached] = start
            frontier = np.flatnonzero(reached)
    return label


class _Relaxation:
    """The LP over groups and clusters, built once; ``solve(tau)`` re-bounds and re-solves."""

    def __init__(self, inst: Instance, units: _Units, cover_all: bool):
        self.inst, self.cover_all = inst, cover_all
        self.site_trips = False  # (see charge_site_trips)
        # Solving for the allocation that steers: without the cuts whose window holds every
        # site (see bounds_and_aim).
        self.steering = False
        # Counting the suit time from arrival, as the aim does (see pair_minutes_by).
        self.from_arrival = False
        u = self.u = units
        n_clusters = u.demand.shape[0]
        self.lp = lp = pywraplp.Solver.CreateSolver("GLOP")
        # Earliest arrival and travel per (group, cluster): the shortest over its sites.
        self.travel_c = np.full((len(u.pairs), n_clusters), np.inf)
        self.reach_c = np.full((len(u.pairs), n_clusters), np.inf)  # (what steers)
        self.use_reach = True  # steer by the trips the planner makes (reach_c)
        for c in range(n_clusters):
            members = u.cluster_of == c
            if members.any():
                self.travel_c[:, c] = u.travel[:, members].min(axis=1)
                self.reach_c[:, c] = u.reach[:, members].min(axis=1)
        self.open_c = np.zeros((n_clusters, 2))
        for c in range(n_clusters):
            members = u.opens[u.cluster_of == c]
            self.open_c[c] = (members[:, 0].min(), members[:, 1].max())
        self.last_close = float(self.open_c[:, 1].max(initial=0.0))
        self.h: dict[tuple[int, int, int], pywraplp.Variable] = {}
        # Per group, its variables and their clusters: its pairs' shares change with tau.
        self.group_cells: dict[int, list[tuple[pywraplp.Variable, int]]] = defaultdict(list)
        # Rows as (variable, coefficient) lists, built in one pass over the variables.
        demand_terms: dict[tuple[int, int], list] = defaultdict(list)
        walk_terms: dict[int, list] = defaultdict(list)
        walk = MODES.index(WALK_IN)
        for g in range(len(u.pairs)):
            if u.pairs[g] <= 0:
                continue
            for c in range(n_clusters):
                for m, mode in enumerate(MODES):
                    if u.demand[c, m] <= 0 or (mode == DOOR_TO_DOOR and not u.can_home[g]):
                        continue
                    var = lp.NumVar(0, 0, "")
                    self.h[g, c, m] = var
                    rate = u.rules[g].rate(mode) / 60.0
                    demand_terms[c, m].append((var, rate))
                    self.group_cells[g].append((var, c))
                    if m == walk:
                        walk_terms[c].append(var)
        self.cell_g = np.array([g for g, _, _ in self.h], dtype=np.int64)
        self.cell_c = np.array([c for _, c, _ in self.h], dtype=np.int64)
        self.feasible_at_all = True
        self.served: dict[tuple[int, int], pywraplp.Variable] = {}
        for c in range(n_clusters):
            for m in range(len(MODES)):
                if u.demand[c, m] <= 0:
                    continue
                terms = demand_terms.get((c, m), [])
                if cover_all:
                    if not terms:
                        self.feasible_at_all = False
                        continue
                    # Half a resident of slack: an integral plan that meets demand exactly
                    # is still feasible here despite floating-point tolerance.
                    row = lp.Constraint(float(u.demand[c, m]) - 0.5, lp.infinity())
                else:
                    served = lp.NumVar(0, u.demand[c, m], "")
                    self.served[c, m] = served
                    row = lp.Constraint(0, lp.infinity())  # work - served >= 0
                    row.SetCoefficient(served, -1)
                for var, rate in terms:
                    row.SetCoefficient(var, rate)
        self.station_rows: dict[int, pywraplp.Constraint] = {}
        for c in range(n_clusters):
            if walk_terms.get(c):
                self.station_rows[c] = row = lp.Constraint(-lp.infinity(), 0)
                for var in walk_terms[c]:
                    row.SetCoefficient(var, 1)
        # A group's pair-minutes are at most its pairs' days less their shortest trip (the
        # bound set with tau), until charge_site_trips.
        self.team_rows = {}
        for g, cells in self.group_cells.items():
            self.team_rows[g] = row = lp.Constraint(-lp.infinity(), 0)
            for var, _ in cells:
                row.SetCoefficient(var, 1)
        if not cover_all:
            objective = lp.Objective()
            for served in self.served.values():
                objective.SetCoefficient(served, 1)
            objective.SetMaximization()
        # The interval cuts: from the start for the most residents; for the earliest done_at
        # only once the aim is taken (see charge_site_trips).
        self.window_rows = [] if cover_all else self._window_rows(n_clusters)
        self.stations = np.array([s.site.stations for s in inst.sites], dtype=float)
        # Earliest any team can be at each site, for its station-minutes.
        reach = u.avail[:, :1] + u.travel if len(u.pairs) else np.full((1, len(inst.sites)), np.inf)
        self.earliest = reach.min(axis=0) if len(u.pairs) else np.full(len(inst.sites), np.inf)

    def _window_rows(
        self, n_clusters: int
    ) -> list[tuple[int, tuple[float, float], float, Any, bool]]:
        """Interval cuts: a pair's work at the sites open only inside a window W fits in
        its time inside W. Without them every such site could take the pair's whole window
        (three sites open 07:00-12:00 would each get a whole morning). One row per group and
        window from one site's opening to another's closing, short of the whole horizon (the
        team rows cover that): (group, window, the group's shortest trip to its sites, row,
        whether the window holds every site)."""
        lp, horizon = self.lp, self.inst.scenario.horizon_minutes
        opens = sorted({float(o) for o in self.open_c[:, 0]})
        closes = sorted({float(c) for c in self.open_c[:, 1]})
        windows = [(o, c) for o in opens for c in closes if o < c][:MAX_WINDOWS]
        rows = []
        for o, c in windows:
            inside = (self.open_c[:, 0] >= o) & (self.open_c[:, 1] <= c)
            if not inside.any() or (o <= 0 and c >= horizon):
                continue
            for g, cells in self.group_cells.items():
                terms = [var for var, cl in cells if inside[cl]]
                if not terms:
                    continue
                row = lp.Constraint(-lp.infinity(), 0)
                for var in terms:
                    row.SetCoefficient(var, 1)
                travel = float(self.travel_c[g, inside].min())
                rows.append((g, (o, c), travel, row, bool(inside.all())))
        return rows

    @property
    def trip_worn(self) -> bool:
        """The trip worn in the suit, and nobody working after the last site closes (see
        pair_minutes_by): in the proofs (the most residents, the earliest done_at with each
        site's own trip), not in what steers."""
        return not self.from_arrival and (self.site_trips or not self.cover_all)

    def _set_deadline(self, tau: float) -> None:
        u = self.u
        worn = self.trip_worn
        # The proofs count every trip; what steers, only those the planner can make.
        travel_c = self.reach_c if self.use_reach and not worn else self.travel_c
        caps = np.zeros_like(self.travel_c)
        for g in range(len(u.pairs)):
            minutes = pair_minutes_by(
                u.rules[g], u.avail[g], travel_c[g], self.open_c[:, 0], self.open_c[:, 1],
                tau, worn,
            )  # fmt: skip
            caps[g] = u.pairs[g] * np.maximum(0.0, minutes)
        for var, ub in zip(self.h.values(), caps[self.cell_g, self.cell_c].tolist(), strict=True):
            var.SetUb(ub)
        for g, row in self.team_rows.items():
            r = u.rules[g]
            a0, a1 = u.avail[g]
            end = min(tau, a1, self.last_close if worn else np.inf)
            suit = float(max_suit_time(end - a0, r.max_suit_minutes, r.min_break_minutes))
            room = min(r.max_work_minutes, suit) - travel_c[g]
            if not self.site_trips:
                row.SetUb(u.pairs[g] * max(0.0, float(room.max(initial=0.0))))
                continue
            # Where no pair has time left after the trip, none can work there at all; 1
            # keeps the row finite (and looser than that).
            share = np.where(room >= 1, 1.0 / np.maximum(room, 1.0), 1.0)
            for var, c in self.group_cells[g]:
                row.SetCoefficient(var, float(share[c]))
        for g, (w_open, w_close), travel, row, everywhere in self.window_rows:
            if everywhere and self.steering:
                row.SetUb(self.lp.infinity())
                continue
            minutes = pair_minutes_by(u.rules[g], u.avail[g], travel, w_open, w_close, tau, worn)
            row.SetUb(float(u.pairs[g] * max(0.0, float(minutes))))
        per_site = station_minutes(self.stations, u.opens[:, 0], u.opens[:, 1], tau, self.earliest)
        for c, row in self.station_rows.items():
            row.SetUb(float(per_site[u.cluster_of == c].sum()))

    def charge_site_trips(self) -> None:
        """From now on, charge each site its own trip: each pair's shares of its day (its
        work at a site over its day less the trip there) add up to at most 1; and share
        the pairs' time inside each window among the sites open only there (the interval
        cuts, which the LP for the most residents has from the start). Tighter, but dearer
        to re-solve: the coefficients change with the deadline. The looser LP before this
        is what the planner aims at: the cuts prove more than they steer."""
        if not self.site_trips:
            self.site_trips = True
            for g, row in self.team_rows.items():
                row.SetUb(float(self.u.pairs[g]))
            if self.cover_all:
                self.window_rows = self._window_rows(self.u.demand.shape[0])

    def solve(self, tau: float) -> bool:
        """Is the LP feasible at ``tau`` (cover_all), or solved (max coverage)?"""
        if not self.feasible_at_all:
            return False
        self._set_deadline(tau)
        return self.lp.Solve() in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE)

    def allocation(self) -> dict[tuple[int, int, str], float]:
        """Pair-minutes per (team, site, mode), when teams and sites were not merged."""
        u = self.u
        if len(np.unique(u.group_of)) != len(u.group_of) or u.demand.shape[0] != len(u.opens):
            return {}
        team_of_group = {int(g): k for k, g in enumerate(u.group_of)}
        return {
            (team_of_group[g], c, MODES[m]): var.solution_value()
            for (g, c, m), var in self.h.items()
            if var.solution_value() > 1e-9
        }

    @property
    def clustered(self) -> bool:
        return self.u.demand.shape[0] != len(self.u.opens) or len(
            np.unique(self.u.group_of)
        ) != len(self.u.group_of)


def compute_bounds(inst: Instance, curve: bool = True) -> Bounds:
    """Earliest possible done_at, most residents sampled in the horizon and (with
    ``curve``) by the end of each slot, all proven by LP."""
    return bounds_and_aim(inst, curve)[0]


def bounds_and_aim(inst: Instance, curve: bool = True) -> tuple[Bounds, Aim]:
    """The bounds (:func:`compute_bounds`), and the aim the same LPs give the planner."""
    horizon = inst.scenario.horizon_minutes
    units = _units(inst)
    most = _Relaxation(inst, units, cover_all=False)
    allocation: dict[tuple[int, int, str], float] = {}
    steering_solves = 0
    if not most.clustered:  # (a clustered LP has no allocation to give)
        # What steers first, counting the suit from arrival: the allocation is one of many
        # optima, and GLOP's path to it from the proof's basis lost the priorities family's
        # seed 1 1,068 residents. Without the cuts whose window holds every site (they
        # prove; steering by them cost its worst seed 1.9% of its priority-weighted
        # residents).
        most.from_arrival = True
        most.solve(horizon)
        steering_solves = 1
        if any(everywhere for *_, everywhere in most.window_rows):
            most.steering = True
            most.solve(horizon)
            most.steering = False
            steering_solves = 2
        allocation = most.allocation()
        most.from_arrival = False
    most.solve(horizon)
    loose_max, loose_short = _most_residents(inst, most)
    done, aim, extra, every_allocation = _earliest_done(inst, units, loose_max, loose_short)
    # From the slot end by which the LP can sample everyone, the curve is at its top.
    full = None if aim is None else -(-aim // inst.slot)
    curve_values, curve_solves = _coverage_curve(inst, most, loose_max, full) if curve else ((), 0)
    # Then the proof charges each site its own trip (see charge_site_trips). The
    # understaffed family's worst seed: at most 158,299 residents with the shortest trip
    # only, 157,638 with each site's. The curve stays on the looser LP (clipped): its
    # shares' coefficients change with each deadline (charging the curve too took a
    # district 1.5 s more).
    most.charge_site_trips()
    most.solve(horizon)
    max_sampled, short = _most_residents(inst, most)
    curve_values = tuple(min(v, max_sampled) for v in curve_values)
    steer = allocation if done is None else every_allocation  # (what steers is as before)
    if max_sampled < inst.scenario.total_residents:
        # Proven short, nobody finishes (the earliest-done LP's half resident of slack per
        # site can let it pass where this one, to the resident, does not).
        done = None
    solves = 2 + steering_solves + curve_solves
    bounds = Bounds(
        done, max_sampled, short if done is None else {}, solves + extra, most.clustered,
        curve_values,
    )  # fmt: skip
    return bounds, Aim(aim, steer)


def _most_residents(inst: Instance, most: _Relaxation) -> tuple[int, dict[str, tuple[int, int]]]:
    """The most residents of the LP just solved, and what it leaves short per site (walk,
    home; site level only, when not clustered)."""
    served = {key: var.solution_value() for key, var in most.served.items()}
    short: dict[str, tuple[int, int]] = {}
    if not most.clustered:
        for site in inst.sites:
            walk = site.demand(WALK_IN) - served.get((site.index, 0), 0.0)
            home = site.demand(DOOR_TO_DOOR) - served.get((site.index, 1), 0.0)
            walk, home = int(np.ceil(walk - 1e-6)), int(np.ceil(home - 1e-6))
            if walk > 0 or home > 0:
                short[site.id] = (walk, home)
    return int(np.floor(sum(served.values()) + 1e-6)), short


def _coverage_curve(
    inst: Instance, most: _Relaxation, max_sampled: int, full: int | None
) -> tuple[tuple[int, ...], int]:
    """Most residents sampled by the end of each slot (the last one, and from slot
    ``full`` on when given: ``max_sampled``), and the LP solves that took.

    For a large city the LP is solved every few slots only; the slots between take the
    value of the next one solved, still a bound since the curve never falls.
    """
    n = inst.n_slots
    if n == 0:
        return (), 0
    step = 1 if not most.clustered else max(1, -(-n // 8))
    solved: dict[int, int] = {n: max_sampled}
    for k in range(step, n if full is None else min(n, full), step):
        most.solve(k * inst.slot)
        solved[k] = int(np.floor(sum(v.solution_value() for v in most.served.values()) + 1e-6))
    points = sorted(solved)
    values = tuple(solved[next(p for p in points if p >= k)] for k in range(1, n + 1))
    return values, len(solved) - 1


def _earliest_done(inst: Instance, units: _Units, max_sampled: int, short: dict):
    """(earliest done_at or None, the planner's aim, LP solves, allocation at the aim).

    The LP that charges each group only its shortest trip is bisected first: it re-solves
    from its last basis, its answer is what the planner aims at (a little early, which
    keeps the dispatchers pressing) and its allocation steers them. The bound is then
    raised, from there, while the LP that charges each site its own trip (dearer: its
    coefficients change with the deadline) is infeasible.
    """
    horizon = inst.scenario.horizon_minutes
    total = inst.scenario.total_residents
    if total == 0:
        return 0, 0, 0, {}
    if max_sampled < total - 1e-6 and short:
        return None, None, 0, {}
    every = _Relaxation(inst, units, cover_all=True)
    solves = 1
    if not every.solve(horizon):
        if units.reach is units.travel:
            return None, None, solves, {}
        # Not everyone by the trips the planner makes: aim as the proofs count.
        every.use_reach = False
        solves += 1
        if not every.solve(horizon):
            return None, None, solves, {}
    lo, hi = 0, horizon  # infeasible at lo (nothing is sampled at time 0), feasible at hi
    slot = inst.slot
    # On the slot grid first (the bound is reported there), then to the minute.
    refine = len(every.h) <= REFINE_CELLS
    lo, hi, n = _bisect(every, lo, hi, slot)
    solves += n
    if refine:
        lo, hi, n = _bisect(every, lo, hi, 1)
        solves += n
    allocation = {}
    if not every.clustered:  # (a clustered LP has no allocation to give)
        solves += 1
        every.solve(hi)
        allocation = every.allocation()
    aim = hi if refine else lo + 1
    every.charge_site_trips()
    if every.use_reach and units.reach is not units.travel:
        # The aim counted only the trips the planner makes; the proofs count them all, so
        # they may be feasible before it: search them from the start.
        solves += 1
        if every.solve(hi):
            lo, hi, n = _bisect(every, 0, hi, slot)
            solves += n
    while True:
        solves += 1
        if every.solve(hi):
            break
        if hi >= horizon:
            return None, aim, solves, allocation
        lo, hi = hi, min(horizon, hi + slot)
    if refine:
        lo, hi, n = _bisect(every, lo, hi, 1)
        return hi, aim, solves + n, allocation
    # Large: nothing is sampled by lo (infeasible), so lo + 1 is a lower bound (and on the
    # slot grid, hi).
    return lo + 1, aim, solves, allocation


def _bisect(lp: _Relaxation, lo: int, hi: int, step: int) -> tuple[int, int, int]:
    """(lo, hi, LP solves): narrowed to at most ``step`` apart (on multiples of ``step``
    where possible), infeasible at lo and feasible at hi as they were given."""
    solves = 0
    while hi - lo > step:
        mid = ((lo + hi) // 2 // step) * step
        mid = mid if lo < mid < hi else (lo + hi) // 2
        solves += 1
        if lp.solve(mid):
            hi = mid
        else:
            lo = mid
    return lo, hi, solves
