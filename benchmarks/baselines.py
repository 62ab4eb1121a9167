"""Two baselines the planner is measured against, on the same scenario objects.

Both return a :class:`sampler.solve.Result` whose plan rows (team, pair, activity, site,
start, end, samples; minutes from the horizon start) follow CONTRACT.md, so that
:func:`sampler.write_plan` writes them and :func:`sampler.check_plan` verifies them exactly
as it verifies the planner's.

- :func:`rule_of_thumb`: the dispatcher's rule. Every pair follows one fixed suit pattern
  (from its team's start: a stretch of ``max_suit_minutes``, a ``min_break_minutes``
  pause, the next stretch, ... within ``max_work_minutes`` and the team's availability).
  In the order the stretches begin, team by team, each pair goes to the nearest
  community with residents left for it (from its base, then from where it is): walk-in if
  a station is free when it gets there, for as long as it stays free, else door to door;
  it samples there until its stretch ends or the residents run out (its row then ends on
  the slot grid), then goes on to the next nearest. Big communities soak up pairs in
  proportion to their residents; nothing is optimised or planned ahead.
- :func:`naive_cpsat`: the straightforward CP-SAT model, one boolean per pair, site, slot
  and mode, with every rule of the contract written out directly (the suit stretch by
  sliding windows, travel by forbidding work at another site in the slots a trip needs,
  stations, demand). It gets the planner's time limit, no warm start, and is not built at
  all beyond a size cap (the result says so).
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from sampler.bound import Bounds, compute_bounds
from sampler.budget import SolveParams
from sampler.geo import great_circle_km, travel_minutes
from sampler.instance import DOOR_TO_DOOR, MODES, WALK_IN, Instance
from sampler.plan import BREAK, PAIR_COLUMNS, TRAVEL, Plan, pair_ids
from sampler.result import Result, SolverStats, status_of
from sampler.scenario import Rules, Scenario, Team

DEFAULT_MAX_VARIABLES = 1_500_000  # beyond this the naive model is not built


@dataclass(frozen=True)
class Skipped:
    """A baseline that produced no plan, and why (``"no solution in 10 s"``, ...)."""

    name: str
    reason: str
    seconds: float
    size: dict[str, int]


# -- shared -----------------------------------------------------------------------------------


def _rules(sc: Scenario) -> dict[str, Rules]:
    return {t.id: sc.rules(t) for t in sc.teams}


def _ceil_to(minute: float, slot: int) -> int:
    return -(-math.ceil(minute) // slot) * slot


def _with_breaks(rows: list[list[Any]]) -> list[list[Any]]:
    """A pair's rows in time order, with a ``break`` row in every pause between them."""
    out: list[list[Any]] = []
    for row in sorted(rows, key=lambda r: (r[4], r[5])):
        if out and row[4] > out[-1][5]:
            out.append([row[0], row[1], BREAK, "", out[-1][5], row[4], 0])
        out.append(row)
    return out


def _result(
    sc: Scenario,
    rows: list[list[Any]],
    bounds: Bounds,
    params: SolveParams,
    timings: dict[str, float],
    model: dict[str, Any],
) -> Result:
    """Wrap plan rows into a Result the planner's export and the checker understand."""
    frame = pd.DataFrame(rows, columns=PAIR_COLUMNS)
    for column in ("start", "end", "samples"):
        frame[column] = frame[column].astype("int64")
    plan = Plan(sc, frame)
    slot = sc.slot_minutes
    bound = None if bounds.done_minute is None else _ceil_to(bounds.done_minute, slot)
    return Result(
        scenario=sc,
        plan=plan,
        status=status_of(plan, bound),
        bounds=bounds,
        lower_bound_minute=bound,
        shortfalls=(),  # sites.csv says what is short; the reasons are the planner's account
        timings=timings,
        solver=SolverStats(model=model),
        params=params,
    )


# -- (a) the dispatcher's rule of thumb -------------------------------------------------------


def duty_stretches(available: tuple[int, int], rules: Rules) -> list[tuple[int, int]]:
    """The fixed suit pattern: stretches from the team's start, in minutes."""
    a, b = available
    out: list[tuple[int, int]] = []
    used = 0
    start = a
    while start < b and used < rules.max_work_minutes:
        length = min(rules.max_suit_minutes, b - start, rules.max_work_minutes - used)
        out.append((start, start + length))
        used += length
        start += length + max(rules.min_break_minutes, 1)
    return out


class _Sites:
    """Demand left, walk-in stations in use minute by minute, and distances."""

    def __init__(self, sc: Scenario):
        self.sites = sc.sites
        self.lat = np.array([s.lat for s in sc.sites], dtype=float)
        self.lon = np.array([s.lon for s in sc.sites], dtype=float)
        opens = np.array([sc.open_minutes(s) for s in sc.sites], dtype=np.int64).reshape(-1, 2)
        self.opens, self.closes = opens[:, 0], opens[:, 1]
        self.stations = np.array([s.stations for s in sc.sites], dtype=np.int64)
        self.left = {
            WALK_IN: np.array([s.walk_in_demand for s in sc.sites], dtype=np.int64),
            DOOR_TO_DOOR: np.array([s.home_demand for s in sc.sites], dtype=np.int64),
        }
        # Walk-in pairs at each site in each minute: 2,400 sites x 1,440 minutes is 7 MB.
        self.in_use = np.zeros((len(sc.sites), sc.horizon_minutes + 1), dtype=np.int16)
        self._nearest: dict[tuple[float, float, float], tuple[np.ndarray, np.ndarray]] = {}

    def nearest(self, lat: float, lon: float, speed: float) -> tuple[np.ndarray, np.ndarray]:
        """Site indices from (lat, lon), nearest first, and the travel minutes to each."""
        key = (lat, lon, speed)
        if key not in self._nearest:
            km = great_circle_km(lat, lon, self.lat, self.lon)
            order = np.argsort(km, kind="stable")
            self._nearest[key] = (order, travel_minutes(km[order], speed))
        return self._nearest[key]

    def station_free_until(self, i: int, start: int, end: int) -> int:
        """How long a walk-in station free at ``start`` stays free (at most until ``end``)."""
        busy = np.flatnonzero(self.in_use[i, start:end] >= self.stations[i])
        return start + int(busy[0]) if busy.size else end


def rule_of_thumb(
    sc: Scenario, bounds: Bounds | None = None, params: SolveParams | None = None
) -> Result:
    """The dispatcher's rule of thumb (see the module docstring) as a checkable plan."""
    params = params or SolveParams()
    clock = time.perf_counter()
    bounds = bounds if bounds is not None else compute_bounds(Instance(sc))
    bound_seconds = time.perf_counter() - clock
    clock = time.perf_counter()
    slot = sc.slot_minutes
    rules = _rules(sc)
    sites = _Sites(sc)
    teams = [t for t in sc.teams if t.pairs > 0]
    # (stretch start, team order, stretch index): stretches are dispatched as they begin.
    stretches = {t.id: duty_stretches(sc.available_minutes(t), rules[t.id]) for t in teams}
    agenda = sorted(
        (stretch[0], k, r) for k, t in enumerate(teams) for r, stretch in enumerate(stretches[t.id])
    )
    rows: dict[str, list[list[Any]]] = defaultdict(list)
    place: dict[str, int | None] = {}  # pair -> site where it is (None: its base)
    for _, k, r in agenda:
        team = teams[k]
        rule = rules[team.id]
        for pair in pair_ids(team.id, team.pairs):
            _dispatch_stretch(
                sites, team, rule, pair, stretches[team.id][r], place, rows[pair], slot
            )
    out = [row for pair_rows in rows.values() for row in _with_breaks(pair_rows)]
    timings = {"bound": round(bound_seconds, 3), "solve": round(time.perf_counter() - clock, 3)}
    return _result(sc, out, bounds, params, timings, {"pairs": len(rows)})


def _dispatch_stretch(
    sites: _Sites,
    team: Team,
    rule: Rules,
    pair: str,
    stretch: tuple[int, int],
    place: dict[str, int | None],
    rows: list[list[Any]],
    slot: int,
) -> None:
    """One pair, one suit stretch: the nearest community with residents left for it (walk-in
    if a station is free when it gets there, else door to door), again and again."""
    now, end = stretch
    while now < end:
        here = place.get(pair)
        lat, lon = (team.lat, team.lon) if here is None else (sites.lat[here], sites.lon[here])
        order, minutes = sites.nearest(float(lat), float(lon), rule.travel_speed_kmh)
        start = np.maximum(now + minutes, sites.opens[order])
        stop = np.minimum(end, sites.closes[order]) // slot * slot
        # Only what can be reached and worked a while in this stretch is worth a trip.
        room = stop - start >= min(slot, end - now)
        at_start = sites.in_use[order, np.minimum(start, sites.in_use.shape[1] - 1)]
        walk = room & (sites.left[WALK_IN][order] > 0) & (at_start < sites.stations[order])
        home = room & (sites.left[DOOR_TO_DOOR][order] > 0) & team.door_to_door
        claim = None
        for k in np.flatnonzero(walk | home).tolist():
            claim = _claim(
                sites,
                rule,
                int(order[k]),
                bool(walk[k]),
                bool(home[k]),
                int(start[k]),
                int(stop[k]),
                slot,
            )
            if claim is not None:
                break
        if claim is None:
            return
        i, mode, begin, finish, samples = claim
        site_id = sites.sites[i].id
        if minutes[k] > 0:
            rows.append([team.id, pair, TRAVEL, site_id, now, now + int(minutes[k]), 0])
        rows.append([team.id, pair, mode, site_id, begin, finish, samples])
        sites.left[mode][i] -= samples
        if mode == WALK_IN:
            sites.in_use[i, begin:finish] += 1
        place[pair] = i
        now = finish


def _claim(
    sites: _Sites, rule: Rules, i: int, walk: bool, home: bool, begin: int, stop: int, slot: int
) -> tuple[int, str, int, int, int] | None:
    """(site, mode, start, end, samples) of one pair's row at site i: walk-in while a station
    stays free, else door to door; the row ends when the residents run out (on the grid)."""
    for mode, ok in ((WALK_IN, walk), (DOOR_TO_DOOR, home)):
        if not ok:
            continue
        until = stop
        if mode == WALK_IN:
            until = sites.station_free_until(i, begin, stop) // slot * slot
        rate = rule.walk_in_per_hour if mode == WALK_IN else rule.door_to_door_per_hour
        samples = min(int(sites.left[mode][i]), math.floor(rate * (until - begin) / 60 + 1e-9))
        if samples > 0:
            return i, mode, begin, min(until, _ceil_to(begin + samples * 60 / rate, slot)), samples
    return None


# -- (b) the straightforward CP-SAT model -----------------------------------------------------


@dataclass
class _PairCells:
    """One pair's variables: x[(site, slot, mode)], w[slot] (working), s[slot] (in suit)."""

    team: Team
    pair: str
    x: dict[tuple[int, int, str], cp_model.IntVar]
    w: dict[int, cp_model.IntVar]
    s: dict[int, cp_model.IntVar]


def naive_size(sc: Scenario) -> int:
    """Booleans x[pair, site, slot, mode] the naive model would have (before building it)."""
    slot = sc.slot_minutes
    rules = _rules(sc)
    lat = np.array([s.lat for s in sc.sites])
    lon = np.array([s.lon for s in sc.sites])
    opens = np.array([_slots(sc.open_minutes(s), slot, sc.n_slots) for s in sc.sites])
    walk = np.array([s.walk_in_demand > 0 for s in sc.sites])
    home = np.array([s.home_demand > 0 for s in sc.sites])
    total = 0
    for team in sc.teams:
        if team.pairs == 0:
            continue
        a, b = _slots(sc.available_minutes(team), slot, sc.n_slots)
        reach = travel_minutes(
            great_circle_km(team.lat, team.lon, lat, lon), rules[team.id].travel_speed_kmh
        )
        first = np.maximum(opens[:, 0], a + -(-reach // slot))
        cells = np.clip(np.minimum(opens[:, 1], b) - first, 0, None)
        modes = walk.astype(int) + (home.astype(int) if team.door_to_door else 0)
        total += team.pairs * int((cells * modes).sum())
    return total


def _slots(minutes: tuple[int, int], slot: int, n_slots: int) -> tuple[int, int]:
    """Whole slots inside [a, b) minutes."""
    a, b = minutes
    return -(-a // slot), min(b // slot, n_slots)


def naive_cpsat(
    sc: Scenario,
    bounds: Bounds | None = None,
    params: SolveParams | None = None,
    max_variables: int = DEFAULT_MAX_VARIABLES,
) -> Result | Skipped:
    """The straightforward CP-SAT model (see the module docstring), given
    ``params.time_limit`` wall seconds; :class:`Skipped` when it is too big or finds nothing."""
    params = params or SolveParams()
    name = "naive CP-SAT"
    n = naive_size(sc)
    if n > max_variables:
        return Skipped(name, f"skipped: {n:,} variables (cap {max_variables:,})", 0.0, {"x": n})
    clock = time.perf_counter()
    bounds = bounds if bounds is not None else compute_bounds(Instance(sc))
    bound_seconds = time.perf_counter() - clock
    clock = time.perf_counter()
    model = cp_model.CpModel()
    built = _NaiveModel(sc, model)
    build_seconds = time.perf_counter() - clock
    size = {
        "x": len(built.all_x),
        "variables": len(model.proto.variables),
        "constraints": len(model.proto.constraints),
    }
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = params.time_limit
    solver.parameters.num_workers = params.workers
    solver.parameters.random_seed = params.seed
    clock = time.perf_counter()
    status = solver.solve(model)
    solve_seconds = time.perf_counter() - clock
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Skipped(
            name,
            f"no solution in {params.time_limit:g} s ({solver.status_name(status)})",
            round(build_seconds + solve_seconds, 3),
            size,
        )
    rows = built.rows(solver)
    timings = {
        "bound": round(bound_seconds, 3),
        "build": round(build_seconds, 3),
        "solve": round(solve_seconds, 3),
    }
    return _result(sc, rows, bounds, params, timings, size)


class _NaiveModel:
    """x[p, i, t, m] booleans and the contract's rules written out directly.

    - one place per slot, and working implies in suit: sum_i,m x[p,i,t,m] = w[p,t] <= s[p,t];
    - availability, open windows, modes (sealed: no walk-in; door to door only if trained);
    - first trip: the pair leaves its base when its day starts (in suit for the trip) and
      works at site i no earlier than the slot after it can arrive;
    - travel: working at i in slot t forbids working at any j != i in the slots t+1 .. t+g
      where g = ceil(travel(i, j) / slot); the trip is in suit: an arrival at j in slot t
      keeps the pair in suit for the longest trip into j before it;
    - suit stretch: any suit+1 consecutive slots hold at most ``suit`` in-suit slots, and an
      out-of-suit run inside the day lasts at least ``ceil(min_break / slot)`` slots;
    - work cap: in-suit slots (idle ones too, conservatively) <= max_work / slot;
    - stations: walk-in pairs at a site in a slot <= stations;
    - demand: samples per site and mode <= demand and <= sum of x * floor(rate * slot / 60).
    Objective: residents sampled (priority-weighted), then the last working slot.
    """

    def __init__(self, sc: Scenario, model: cp_model.CpModel):
        self.sc, self.model = sc, model
        slot, n_slots = sc.slot_minutes, sc.n_slots
        self.slot = slot
        rules = _rules(sc)
        self.rules = rules
        lat = np.array([s.lat for s in sc.sites])
        lon = np.array([s.lon for s in sc.sites])
        self.site_km = great_circle_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
        opens = [_slots(sc.open_minutes(s), slot, n_slots) for s in sc.sites]
        self.pairs: list[_PairCells] = []
        self.all_x: list[cp_model.IntVar] = []
        by_site_mode: dict[tuple[int, str], list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
        walk_at: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
        done = model.new_int_var(0, n_slots, "done")
        self.base_travel: dict[str, np.ndarray] = {}
        self.site_travel: dict[float, np.ndarray] = {}
        for team in sc.teams:
            if team.pairs == 0:
                continue
            rule = rules[team.id]
            a, b = _slots(sc.available_minutes(team), slot, n_slots)
            base = travel_minutes(
                great_circle_km(team.lat, team.lon, lat, lon), rule.travel_speed_kmh
            )
            self.base_travel[team.id] = base
            gaps = self._gaps(rule.travel_speed_kmh)
            reach = a + -(-base // slot)
            caps = {
                WALK_IN: math.floor(rule.walk_in_per_hour * slot / 60 + 1e-9),
                DOOR_TO_DOOR: math.floor(rule.door_to_door_per_hour * slot / 60 + 1e-9),
            }
            for pair in pair_ids(team.id, team.pairs):
                cells = self._pair(team, pair, rule, (a, b), opens, reach, gaps, done)
                self.pairs.append(cells)
                for (i, t, mode), var in cells.x.items():
                    by_site_mode[i, mode].append((caps[mode], var))
                    if mode == WALK_IN:
                        walk_at[i, t].append(var)
        for (i, _), xs in walk_at.items():
            if len(xs) > sc.sites[i].stations:
                model.add(sum(xs) <= sc.sites[i].stations)
        self.samples: dict[tuple[int, str], cp_model.IntVar] = {}
        for (i, mode), terms in by_site_mode.items():
            site = sc.sites[i]
            demand = site.walk_in_demand if mode == WALK_IN else site.home_demand
            var = model.new_int_var(0, demand, f"n_{i}_{mode}")
            model.add(
                var
                <= cp_model.LinearExpr.weighted_sum([v for _, v in terms], [c for c, _ in terms])
            )
            self.samples[i, mode] = var
        weighted = cp_model.LinearExpr.weighted_sum(
            list(self.samples.values()), [sc.sites[i].priority for i, _ in self.samples]
        )
        model.maximize((n_slots + 1) * weighted - done)

    def _gaps(self, speed: float) -> np.ndarray:
        """Slots a trip between two sites needs, site by site (0 on the diagonal)."""
        if speed not in self.site_travel:
            minutes = travel_minutes(self.site_km, speed)
            self.site_travel[speed] = minutes
        return -(-self.site_travel[speed] // self.slot)

    def _pair(self, team, pair, rule, avail, opens, reach, gaps, done) -> _PairCells:
        m, sc = self.model, self.sc
        a, b = avail
        x: dict[tuple[int, int, str], cp_model.IntVar] = {}
        at: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
        for i, site in enumerate(sc.sites):
            modes = [
                mode
                for mode in MODES
                if (site.walk_in_demand if mode == WALK_IN else site.home_demand) > 0
                and (mode == WALK_IN or team.door_to_door)
            ]
            for t in range(max(opens[i][0], int(reach[i]), a), min(opens[i][1], b)):
                for mode in modes:
                    var = m.new_bool_var(f"x_{pair}_{i}_{t}_{mode[0]}")
                    x[i, t, mode] = var
                    at[i, t].append(var)
                    self.all_x.append(var)
        s = {t: m.new_bool_var(f"s_{pair}_{t}") for t in range(a, b)}
        w = {t: m.new_bool_var(f"w_{pair}_{t}") for t in range(a, b)}
        by_slot: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for (_, t, _), var in x.items():
            by_slot[t].append(var)
        for t in range(a, b):
            m.add(sum(by_slot[t]) == w[t])
            m.add(w[t] <= s[t])
            m.add(done >= (t + 1) * w[t])
        sites_used = sorted({i for i, _ in at})
        # First trip: in suit from the start of the day for the longest trip it may make.
        if sites_used:
            first_trip = -(-int(max(self.base_travel[team.id][sites_used])) // self.slot)
            works = m.new_bool_var(f"u_{pair}")
            m.add_max_equality(works, list(w.values()))
            for t in range(a, min(b, a + first_trip)):
                m.add_implication(works, s[t])
        # Travel between sites: no work elsewhere in the slots the trip needs, in suit.
        used = np.array(sites_used, dtype=np.int64)
        for i in sites_used:
            g = gaps[i, used]
            into = int(gaps[used, i].max(initial=0))
            near = used[(g == 0) & (used != i)].tolist()  # same place: no trip needed
            further = {d: used[g >= d].tolist() for d in range(2, int(g.max(initial=0)) + 1)}
            for t in range(a, b):
                here = at.get((i, t))
                if not here:
                    continue
                if t + 1 < b:  # the next slot: any other site (but one at the same place)
                    same = [v for j in (i, *near) for v in at.get((j, t + 1), ())]
                    m.add(sum(here) + w[t + 1] - sum(same) <= 1)
                for d, far_sites in further.items():
                    far = [v for j in far_sites for v in at.get((j, t + d), ())]
                    if far:
                        m.add(sum(here) + sum(far) <= 1)
                before = at.get((i, t - 1), [])
                for k in range(1, into + 1):
                    if t - k >= a:
                        m.add(sum(here) - sum(before) <= s[t - k])
        # Suit stretch and breaks.
        suit = rule.max_suit_minutes // self.slot
        rest = -(-rule.min_break_minutes // self.slot)
        slots = list(range(a, b))
        for start in range(a, b - suit):
            m.add(sum(s[t] for t in range(start, start + suit + 1)) <= suit)
        for t in slots[1:]:
            for k in range(1, rest):
                if t + k < b:
                    m.add(s[t + k] + s[t - 1] - s[t] <= 1)
        m.add(sum(s.values()) <= rule.max_work_minutes // self.slot)
        return _PairCells(team, pair, x, w, s)

    def rows(self, solver: cp_model.CpSolver) -> list[list[Any]]:
        """The solution as plan rows: work runs, samples earliest first, trips, breaks."""
        slot = self.slot
        runs: list[list[Any]] = []  # team, pair, mode, site index, start, end, capacity
        for cells in self.pairs:
            rule = self.rules[cells.team.id]
            chosen = sorted((t, i, mode) for (i, t, mode), v in cells.x.items() if solver.value(v))
            for t, i, mode in chosen:
                last = runs[-1] if runs else None
                if (
                    last
                    and last[1] == cells.pair
                    and last[3] == i
                    and last[2] == mode
                    and last[5] == t * slot
                ):
                    last[5] += slot
                else:
                    runs.append(
                        [cells.team.id, cells.pair, mode, i, t * slot, (t + 1) * slot, rule]
                    )
        # Samples: each site and mode's total into its rows, earliest first.
        want = {key: int(solver.value(v)) for key, v in self.samples.items()}
        taken = [0] * len(runs)
        for index in sorted(range(len(runs)), key=lambda r: (runs[r][4], runs[r][1])):
            _, _, mode, i, start, end, rule = runs[index]
            rate = rule.walk_in_per_hour if mode == WALK_IN else rule.door_to_door_per_hour
            room = math.floor(rate * (end - start) / 60 + 1e-9)
            taken[index] = min(room, want.get((i, mode), 0))
            want[i, mode] = want.get((i, mode), 0) - taken[index]
        by_pair: dict[str, list[list[Any]]] = defaultdict(list)
        for run, samples in zip(runs, taken, strict=True):
            if samples > 0:  # a pair standing by without samples is left out of the roster
                by_pair[run[1]].append([*run[:6], samples])
        return [row for pair in self.pairs for row in self._day(pair, by_pair.get(pair.pair, []))]

    def _day(self, cells: _PairCells, work: list[list[Any]]) -> list[list[Any]]:
        """A pair's work rows with the trips before them: from its base when its day starts,
        then between sites just before each arrival."""
        if not work:
            return []
        sites = self.sc.sites
        rule = self.rules[cells.team.id]
        trips = self.site_travel[rule.travel_speed_kmh]
        out: list[list[Any]] = []
        day_start = min(cells.s) * self.slot
        previous: int | None = None
        for team, pair, mode, i, start, end, samples in work:
            if previous is None:
                minutes = int(self.base_travel[team][i])
                if minutes > 0:
                    out.append([team, pair, TRAVEL, sites[i].id, day_start, day_start + minutes, 0])
            elif previous != i and trips[previous, i] > 0:
                out.append(
                    [team, pair, TRAVEL, sites[i].id, start - int(trips[previous, i]), start, 0]
                )
            out.append([team, pair, mode, sites[i].id, start, end, samples])
            previous = i
        return _with_breaks(out)


def describe(result: Result | Skipped) -> str:
    """One line for a log."""
    if isinstance(result, Skipped):
        return f"{result.name}: {result.reason}"
    plan = result.plan
    done = result.done_minute
    at = "-" if done is None else result.scenario.at(done).strftime("%H:%M")
    return f"{result.status}: coverage {plan.coverage:.2%}, done_at {at}"
