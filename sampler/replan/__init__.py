"""Mid-day replanning: ``replan(plan_dir, changes) -> Replan``, the morning kept and the
afternoon re-made (issue 14; the changes file is docs/changes.md).

The past is frozen (:mod:`sampler.replan.state`): rows that ended by ``at`` stay, pairs
start the afternoon where they are with the suit and work time they have used. Changes
become a whole-day scenario (:mod:`sampler.replan.whole_day`), valid for the morning and
the afternoon at once, which ``sampler check`` verifies the new folder against.

Disruption is the last thing weighed, after residents sampled (priority-weighted) and
done_at, and the time a replan takes grows with the neighbourhood of the change, not with
the city. The pairs re-planned are chosen ring by ring (:mod:`sampler.replan.neighbourhood`):
the sites nearest to what changed, and the pairs with work there after ``at`` (with the
pairs whose afternoon no longer holds, new pairs, and idle pairs standing within reach),
each ring about three times the one before, the last every site. Each ring is first tried
as an extension: only the pairs whose afternoon no longer holds are re-planned, and the
ring's other pairs keep every row and may add work after their last one (an afternoon
planned afresh ends well after its bound, and a plan's pairs mostly have time left after
their last row); then the rings re-plan their pairs' afternoons whole (arrivals go
straight to these: they leave nothing to add). A ring's afternoon holds its own sites and
those its pairs leave work at; every other pair keeps its rows after ``at`` as they were.
The rings stop at the first that samples everyone by the planned done_at (for arrivals:
while a larger ring does better), at the first that does no better than the one before,
or when the time limit, shared among them, is spent. The day kept is the best of those
tried by (weighted residents, earlier done_at, fewer pairs changed). A pair whose rows
after ``at`` differ counts as one change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sampler.bound import Bounds, bounds_and_aim
from sampler.budget import SolveParams
from sampler.changes import ChangesFile, load_changes
from sampler.export import write_plan
from sampler.instance import WALK_IN, Instance
from sampler.labs import plan_labs
from sampler.lns import most_at_once, score
from sampler.loader import ScenarioError
from sampler.output import Output
from sampler.plan import (
    BREAK,
    PAIR_COLUMNS,
    TRAVEL,
    Plan,
    Row,
    pair_ids,
    person_ids,
    with_breaks,
)
from sampler.plan_folder import PlanFolderError, read_plan_folder
from sampler.replan.afternoon import (
    Duty,
    afternoon_scenario,
    duty,
    plan_afternoon,
    station_window,
    stretch_too_long,
)
from sampler.replan.neighbourhood import Ring, centres, rings
from sampler.replan.state import PairState, pair_rows, pair_state, sampled, split_at
from sampler.replan.whole_day import Effects, apply_changes, minute_of
from sampler.result import Result, SolverStats, status_of
from sampler.scenario import Scenario, format_clock
from sampler.shortfall import explain_shortfalls
from sampler.solve import on_grid, reported_bound

__all__ = ["Replan", "load_changes", "replan", "write_replan"]

MIN_SHARE = 1.0  # seconds of the time limit a ring's afternoon gets at least
RINGS_EXPECTED = 4  # a ring gets at least this share of the time limit (most stop by three)
SUIT_RETRIES = 3  # afternoons planned again with breaks first for pairs whose stretch ran over
CHANGES_COLUMNS = ["team", "person", "pair", "role", "changed", "was", "now"]


@dataclass(frozen=True)
class Replan:
    """A replanned day: the whole-day result, and how it differs from the plan it replaces."""

    result: Result
    at: int  # minutes from the horizon start
    tier: str  # which set of re-planned pairs gave the plan ("kept": nothing changed)
    pairs_changed: tuple[str, ...]
    changes: pd.DataFrame  # changes.csv: per person, what was and what now is after ``at``
    effects: dict[str, Any] = field(default_factory=dict)
    radius: int = 0  # travel minutes from what changed to the farthest site of the ring kept
    asked_at: int | None = None  # the changes' at, when --freeze-until put the cut later
    rings_tried: int = 0

    @property
    def people_changed(self) -> int:
        """People whose afternoon changed: both people of every pair moved."""
        return 2 * len(self.pairs_changed)

    def document(self) -> dict[str, Any]:
        """What plan.json gets: ``replanned_at``, ``pairs_moved`` and a ``replan`` section."""
        stamp = "%Y-%m-%d %H:%M"
        frozen = {}
        if self.asked_at is not None:
            frozen = {"frozen_until": self.result.scenario.at(self.at).strftime(stamp)}
        asked = self.at if self.asked_at is None else self.asked_at
        return {
            "replanned_at": self.result.scenario.at(asked).strftime(stamp),
            **frozen,
            "pairs_moved": len(self.pairs_changed),
            "people_changed": self.people_changed,
            "replan": {
                "people_changed": self.people_changed,
                "replanned_pairs": self.tier,
                "reach_minutes": self.radius,
                "rings_tried": self.rings_tried,
                **self.effects,
            },
        }


def replan(
    plan_dir: str | Path,
    changes: str | Path | ChangesFile,
    params: SolveParams | None = None,
    freeze_until: int | None = None,
) -> Replan:
    """Replan a plan folder's day from ``changes.at``: the morning kept, the afternoon
    re-made. ``freeze_until`` (a clock time, minutes after midnight, not before ``at``):
    the plan is kept as it is until then too, and the changes take effect from then.
    Raises :class:`~sampler.loader.ScenarioError` (file, line, key) for changes that cannot
    apply, :class:`PlanFolderError` for a folder that cannot be read."""
    params = params or SolveParams()
    cf = changes if isinstance(changes, ChangesFile) else load_changes(changes)
    folder = read_plan_folder(plan_dir)
    if folder.scenario is None:
        raise PlanFolderError(f"{folder.path / 'scenario.yaml'}: missing (needed to replan)")
    original = folder.scenario
    rows = pair_rows(folder)
    whole, fx = _applied(cf, original, rows)
    if freeze_until is not None:
        freeze = minute_of(original, freeze_until)
        if not fx.at <= freeze < original.horizon_minutes - original.slot_minutes + 1:
            raise ScenarioError(
                [cf.problem(("at",), f"--freeze-until {format_clock(freeze_until)} is not "
                            "between at and the last slot of the day")]
            )  # fmt: skip
        if freeze > fx.at:
            whole, fx = _applied(_frozen_until(cf, freeze_until), original, rows)
    target = Plan(original, rows).done_minute
    day = _replan(whole, rows, fx, params, not cf.changes.changes, target)
    asked = minute_of(original, cf.changes.at)
    return replace(day, asked_at=asked) if asked != day.at else day


def _applied(cf: ChangesFile, original: Scenario, rows: pd.DataFrame) -> tuple[Scenario, Effects]:
    """The whole-day scenario and the changes' effects, from the plan's rows cut at ``at``."""
    cut, _ = split_at(rows, minute_of(original, cf.changes.at))
    walk = cut[cut.activity == WALK_IN]
    busiest = {site: most_at_once(part) for site, part in walk.groupby("site")}
    work = cut[cut.activity.isin([WALK_IN, "door_to_door"])]
    first_work = {
        site: (int(part.start.min()), int(part.end.max())) for site, part in work.groupby("site")
    }
    return apply_changes(cf, original, sampled(cut), busiest, first_work)


def _frozen_until(cf: ChangesFile, clock: int) -> ChangesFile:
    """The changes as if made at ``clock``: ``at`` and every later time no earlier."""
    items = []
    for change in cf.changes.changes:
        body = change.body
        if getattr(body, "at", None) is not None and _later(body.at, clock, cf.changes.at):
            body = body.model_copy(update={"at": clock})
        items.append(change.model_copy(update={change.kind: body}))
    moved = cf.changes.model_copy(update={"at": clock, "changes": items})
    return ChangesFile(moved, cf.file, cf.lines)


def _later(a: int, b: int, since: int) -> bool:
    """Whether clock ``b`` comes after clock ``a``, both counted from clock ``since``."""
    day = 24 * 60
    return (b - since) % day > (a - since) % day


def _replan(
    whole: Scenario,
    rows: pd.DataFrame,
    fx: Effects,
    params: SolveParams,
    unchanged: bool,
    target: int | None,
) -> Replan:
    """The day replanned; ``unchanged`` (no changes): the plan as it was, since re-optimising
    an unchanged day is ``sampler plan``'s work, not a replan's. ``target``: the original
    plan's done_at (None if it left residents)."""
    at = fx.at
    frozen, later = split_at(rows, at)
    frozen_by_pair = _by_pair(frozen)
    busy = rows[(rows.end > at) & (rows.activity != BREAK)]
    last_end = busy.groupby("pair").end.max().to_dict()
    at_changed = set(busy.pair[busy.site.isin(fx.changed_sites)])
    pairs_sites = busy[busy.activity != TRAVEL].drop_duplicates(["pair", "site"])
    work_sites: dict[str, set[str]] = {}
    for pair, site in zip(pairs_sites.pair, pairs_sites.site, strict=True):
        work_sites.setdefault(pair, set()).add(site)
    states: dict[tuple[str, str], PairState] = {}
    invalid: set[str] = set()
    for team in whole.teams:
        end = whole.available_minutes(team)[1]
        for pair in pair_ids(team.id, team.pairs):
            until = fx.until.get(pair, end)
            state = pair_state(whole, team.id, pair, frozen_by_pair.get(pair), at, until)
            if pair in fx.joins:
                state = replace(state, free=max(state.free, fx.joins[pair]))
            states[(team.id, pair)] = state
            if pair in last_end and (
                pair in at_changed or int(last_end[pair]) > until or pair in fx.joins
            ):
                invalid.add(pair)
    disturbed = set(fx.changed_sites) | set(later[later.pair.isin(invalid)].site) - {""}
    bases = set(fx.new_teams) | {
        state.team for (_, pair), state in states.items() if pair in fx.joins
    }
    must = invalid | set(fx.joins)
    ladder = rings(whole, centres(whole, disturbed, bases), must, states, work_sites,
                   set(fx.changed_sites))  # fmt: skip
    if not disturbed and not bases:  # nothing near anything: the pairs that must, or none
        ladder.insert(0, Ring(frozenset(), 0, frozenset(must), False))
    elif not (fx.new_teams or fx.joins):
        # The least disruption first: only the pairs that must are re-planned, and each
        # ring's other pairs keep their afternoon and may add work after it (an arrival
        # leaves nothing to add: its rings re-plan).
        ladder[:0] = [
            replace(ring, pairs=frozenset(must), extend=ring.pairs - must)
            for ring in ladder
            if not ring.whole
        ]
    # Pairs that join (a new team, more people) are not moved: they had no plan to change.
    original_pairs = (set(rows.pair) | {p for _, p in states}) - set(fx.joins)
    was = _afternoon(rows, at)  # what every pair was to do after at (each ring compares)
    best: tuple | None = None
    if unchanged:
        best = ((), "kept", Plan(whole, rows), SolverStats(), [], 0)
    # Arrivals may finish the day earlier than planned: for them the rings grow while the
    # day gets better; for any other change, the first ring that samples everyone by the
    # planned done_at is enough (a change its neighbourhood absorbs moves no pair beyond).
    arrivals = bool(fx.new_teams or fx.joins)
    tried: list[tuple[frozenset[str], frozenset[str]]] = []
    spent, total = 0.0, max(1, len(states))
    for n, ring in enumerate(() if unchanged else ladder):
        if (ring.pairs, ring.extend) in tried:
            continue
        size = len(ring.pairs | ring.extend)
        share = params.time_limit * max(size / total, 1 / RINGS_EXPECTED)
        share = max(MIN_SHARE, min(params.time_limit if ring.whole else share,
                                   params.time_limit - spent))  # fmt: skip
        if best is not None and spent + MIN_SHARE > params.time_limit:
            # The time limit is spent; while residents are left, the whole afternoon (the
            # last ring) is still tried for them, the rings before it are not.
            if best[2].complete:
                break
            if not ring.whole:
                continue
        tried.append((ring.pairs, ring.extend))
        # A ring planned again for its suit stretches spends its share again, within
        # what is left of the limit (the first plan gets its share however little is left).
        budget = max(share, params.time_limit - spent)
        plan, stats, touched, used = _with_freed(
            whole, rows, frozen, fx, states, ring.pairs, params.for_ring(share), budget,
            None if ring.whole else ring.sites, ring.extend,
        )  # fmt: skip
        spent += used
        moved = [p for p in _pairs_changed(was, plan.rows, at, touched) if p in original_pairs]
        key = (*score(plan)[:2], -len(moved))
        better = best is None or key[:2] > best[0][:2]
        if best is None or key > best[0]:
            kind = "extend" if ring.extend else "ring"
            same = sum(1 for r in ladder[: n + 1] if bool(r.extend) == bool(ring.extend))
            name = "all" if ring.whole else f"{kind}{same}"
            best = (key, name, plan, stats, moved, ring.radius)
        done = plan.done_minute
        if not arrivals and done is not None and (target is None or done <= target):
            break  # absorbed: everyone sampled by the planned done_at
        if not better and best[2].complete:
            break  # a larger ring did not do better
    assert best is not None
    _, tier, plan, stats, moved, radius = best
    result = _result(
        whole, plan, frozen, at, params, _relaxed_scenario(whole, fx, frozen, states), stats
    )
    effects = {
        "teams_added": sorted(fx.new_teams),
        "pairs_sent_home": sorted(p for p, t in fx.until.items() if t < whole.horizon_minutes),
        "sites_changed": sorted(fx.changed_sites),
        "sites_sealed": sorted(fx.sealed),
    }
    table = _changes_table(whole, was, plan.rows, at, moved, set(fx.joins))
    return Replan(
        result, at, tier, tuple(moved), table, effects, radius=radius, rings_tried=len(tried)
    )


def _with_freed(
    whole: Scenario,
    rows: pd.DataFrame,
    frozen: pd.DataFrame,
    fx: Effects,
    states: dict[tuple[str, str], PairState],
    freed: frozenset[str],
    params: SolveParams,
    budget: float,
    sites: frozenset[str] | None = None,
    extend: frozenset[str] = frozenset(),
) -> tuple[Plan, SolverStats, frozenset[str], float]:
    """The day with the ``freed`` pairs' afternoons re-planned and every other pair's kept,
    and the pairs whose rows were made again; ``sites``: the neighbourhood (None: every
    site), which the afternoon holds with the sites the freed pairs leave work at.
    ``extend``: pairs that keep their rows and may add work after them (what is left
    after the kept rows: the changes' own work, and what the freed pairs leave).

    Each plan of the afternoon spends ``params.time_limit``; it is planned again with the
    break first for pairs whose stretch ran over (up to ``SUIT_RETRIES`` times) only while
    that stays within ``budget`` seconds, and the seconds spent are returned."""
    at = fx.at
    kept_rows = rows[~rows.pair.isin(freed)]
    # A trip under way when the pair's day ends (its team leaves at at) is not made.
    until = frozen.pair.map({pair: state.until for (_, pair), state in states.items()})
    frozen = frozen[frozen.pair.isin(freed) & (frozen.end <= until)]
    # The pairs that extend start where their kept rows leave them.
    kept_busy = rows[rows.pair.isin(extend) & (rows.activity != BREAK)]
    kept_by_pair = _by_pair(kept_busy)
    starts = {
        key: state if key[1] in freed else
        pair_state(whole, key[0], key[1], kept_by_pair.get(key[1]), at, state.until)
        for key, state in states.items()
        if key[1] in freed or key[1] in extend
    }  # fmt: skip
    base = pd.concat([frozen, kept_busy], ignore_index=True)
    fixed = pd.concat([kept_rows, frozen], ignore_index=True)
    done = sampled(fixed[fixed.activity != BREAK])
    if sites is not None:
        left_behind = rows[rows.pair.isin(freed) & (rows.end > at)].site
        sites = sites | frozenset(left_behind) - {""}
    left: dict[str, tuple[int, int]] = {}
    for site in whole.sites:
        if sites is not None and site.id not in sites:
            continue
        walk_done = done.get((site.id, WALK_IN), 0)
        home_done = done.get((site.id, "door_to_door"), 0)
        walk = site.walk_in_demand - walk_done
        home = site.home_demand - home_done
        if site.id in fx.sealed:
            walk, home = 0, walk + home
        left[site.id] = (max(0, walk), max(0, home))
    kept_walk = kept_rows[(kept_rows.activity == WALK_IN) & (kept_rows.end > at)]
    by_site = {site: part for site, part in kept_walk.groupby("site")}
    slowest = min((whole.rules(t).walk_in_per_hour for t in whole.teams), default=1.0)
    frees = sorted(state.free for state in starts.values())
    ready = frees[(len(frees) - 1) // 2] if frees else None  # (the lower median)
    windows = {
        site.id: station_window(
            by_site.get(site.id),
            fx.stations.get(site.id, site.stations),
            fx.opens.get(site.id, whole.open_minutes(site)),
            at,
            whole.slot_minutes,
            math.ceil(left[site.id][0] * 60 / slowest),  # station-minutes for the walk-in left
            ready,
        )
        for site in whole.sites
        if site.id in left
    }
    break_first: set[str] = set()
    stats = SolverStats()
    used = 0.0
    for retry in range(SUIT_RETRIES + 1):
        duties: dict[tuple[str, str], tuple[PairState, Duty]] = {}
        for key, state in starts.items():
            d = duty(whole, state, key[1] in break_first)
            if d is not None:
                duties[key] = (state, d)
        sub, members = afternoon_scenario(whole, fx, left, windows, duties)
        new = pd.DataFrame(columns=PAIR_COLUMNS)
        if sub is not None:
            new, result = plan_afternoon(sub, members, whole, at, params)
            stats = result.solver
            used += params.time_limit
        mine = pd.concat([base, new], ignore_index=True)
        over = {
            pair
            for (team, pair), (_, d) in duties.items()
            if d.went_on and stretch_too_long(whole, team, mine[mine.pair == pair])
        }
        if not over:
            break
        if retry == SUIT_RETRIES or used + params.time_limit > budget:
            # Still too long, and no retry left: those pairs keep only their morning (or
            # their rows).
            new = new[~new.pair.isin(over)]
            break
        break_first |= over
    # A pair that extends and was given no work keeps its rows as they were (its breaks).
    touched = freed | (extend & set(new.pair))
    # The plan's breaks that ended by at stay as written (a pause that now runs on past
    # one of them, or that no row follows any more, gets a break of its own after it).
    past_breaks = rows[(rows.activity == BREAK) & (rows.end <= at)]
    mine = pd.concat([base, new, past_breaks], ignore_index=True)
    mine = mine[mine.pair.isin(touched)]
    out = [kept_rows[~kept_rows.pair.isin(touched)]]
    for _pair, part in mine.groupby("pair", sort=True):
        records = [Row(*r) for r in part[PAIR_COLUMNS].sort_values("start").to_numpy().tolist()]
        out.append(pd.DataFrame(with_breaks(records), columns=PAIR_COLUMNS))
    merged = pd.concat(out, ignore_index=True)
    merged = merged.astype({"start": "int64", "end": "int64", "samples": "int64"})
    merged = merged.sort_values(["team", "pair", "start"], kind="stable").reset_index(drop=True)
    return Plan(whole, merged), stats, frozenset(touched), used


def _relaxed_scenario(
    whole: Scenario, fx: Effects, frozen: pd.DataFrame, states: dict[tuple[str, str], PairState]
) -> Scenario | None:
    """The afternoon with every pair free to re-plan (its place, start, end of day and work
    left, full suit stretches: a relaxation), for the proven bound on the rest of the day."""
    done = sampled(frozen)
    left = {}
    for site in whole.sites:
        walk = site.walk_in_demand - done.get((site.id, WALK_IN), 0)
        home = site.home_demand - done.get((site.id, "door_to_door"), 0)
        left[site.id] = (0, max(0, walk) + max(0, home)) if site.id in fx.sealed else (
            max(0, walk), max(0, home))  # fmt: skip
    duties = {}
    for key, state in states.items():
        rules = whole.rules(whole.team_by_id[state.team])
        d = Duty(
            state.free,
            state.until,
            rules.max_suit_minutes,
            rules.max_work_minutes - state.used,
            False,
        )
        if d.end > d.start and d.max_work > 0:
            duties[key] = (state, d)
    windows = {
        s.id: (fx.stations.get(s.id, s.stations), *fx.opens.get(s.id, whole.open_minutes(s)))
        for s in whole.sites
    }
    sub, _ = afternoon_scenario(whole, fx, left, windows, duties)
    return sub


def _result(
    sc: Scenario,
    plan: Plan,
    frozen: pd.DataFrame,
    at: int,
    params: SolveParams,
    relaxed: Scenario | None,
    stats: SolverStats,
) -> Result:
    """The whole day as a :class:`Result`, its bound the afternoon's (from ``at``) given the
    frozen morning."""
    frozen_total = sum(sampled(frozen).values())
    slot = sc.slot_minutes
    curve_before = _curve(frozen, at, sc)
    if relaxed is not None:
        bounds, _ = bounds_and_aim(Instance(relaxed))
        sub_slot = relaxed.slot_minutes
        done = None if bounds.done_minute is None else at + bounds.done_minute
        grid = None if bounds.done_minute is None else at + on_grid(bounds.done_minute, sub_slot)
        curve = list(curve_before)
        for k in range(len(curve_before), sc.n_slots):
            end = (k + 1) * slot - at
            j = min(max(0, -(-end // sub_slot) - 1), len(bounds.coverage_curve) - 1)
            extra = bounds.coverage_curve[j] if bounds.coverage_curve else 0
            curve.append(frozen_total + extra)
        bounds = Bounds(
            done_minute=done,
            max_sampled=frozen_total + bounds.max_sampled,
            short_by_site=bounds.short_by_site,
            lp_solves=bounds.lp_solves,
            clustered=bounds.clustered,
            coverage_curve=tuple(curve),
        )
    else:
        done = plan.done_minute
        grid = done
        bounds = Bounds(
            done_minute=done,
            max_sampled=plan.sampled,
            coverage_curve=tuple(curve_before) + (plan.sampled,) * (sc.n_slots - len(curve_before)),
        )
    grid = reported_bound(plan, bounds, grid)
    return Result(
        scenario=sc,
        plan=plan,
        status=status_of(plan, grid),
        bounds=bounds,
        lower_bound_minute=grid,
        shortfalls=tuple(explain_shortfalls(Instance(sc), plan, bounds)),
        timings={},
        solver=stats,
        params=params,
        labs=plan_labs(plan, bounds) if sc.labs else None,  # docs/labs.md
    )


def _curve(frozen: pd.DataFrame, at: int, sc: Scenario) -> list[int]:
    """Residents sampled by the end of each slot up to ``at``, from the frozen rows (each
    row's samples spread evenly over it)."""
    work = frozen[frozen.activity.isin([WALK_IN, "door_to_door"])]
    out = []
    k = 0
    while (k + 1) * sc.slot_minutes <= at:
        t = (k + 1) * sc.slot_minutes
        share = ((t - work.start) / (work.end - work.start).clip(lower=1)).clip(0, 1)
        out.append(int(np.floor((work.samples * share).sum() + 1e-9)))
        k += 1
    return out


def _by_pair(rows: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray, str]]:
    """Per pair: its rows' starts and ends (time order) and the site of its last row."""
    rows = rows.sort_values(["pair", "start"], kind="stable")
    pairs = rows.pair.to_numpy()
    if len(pairs) == 0:
        return {}
    cuts = np.flatnonzero(pairs[1:] != pairs[:-1]) + 1
    starts, ends = rows.start.to_numpy(dtype=np.int64), rows.end.to_numpy(dtype=np.int64)
    sites = rows.site.to_numpy()
    out = {}
    for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, len(pairs)], strict=True):
        out[pairs[lo]] = (starts[lo:hi], ends[lo:hi], str(sites[hi - 1]))
    return out


def _afternoon(rows: pd.DataFrame, at: int, only=None) -> dict[str, list[tuple]]:
    """Per pair (of ``only``, if given): its work and travel after ``at`` (clipped there),
    adjacent rows of the same activity at the same site joined, as (activity, site, start,
    end)."""
    busy = rows[(rows.activity != BREAK) & (rows.end > at)]
    if only is not None:
        busy = busy[busy.pair.isin(only)]
    busy = busy.sort_values(["pair", "start"], kind="stable")
    out: dict[str, list[tuple]] = {}
    columns = (busy.pair, busy.activity, busy.site, busy.start, busy.end)
    for pair, a, s, start, end in zip(*columns, strict=True):
        items = out.setdefault(pair, [])
        start = max(int(start), at)
        if items and items[-1][0] == a and items[-1][1] == s and items[-1][3] == start:
            items[-1] = (a, s, items[-1][2], int(end))
        else:
            items.append((a, s, start, int(end)))
    return out


def _pairs_changed(
    was: dict[str, list[tuple]], after: pd.DataFrame, at: int, only: frozenset[str]
) -> list[str]:
    """Pairs (of ``only``: the re-planned ones, the others' rows are kept) whose afternoon
    differs from ``was`` (the original plan's :func:`_afternoon`); each is one change."""
    now = _afternoon(after, at, only)
    return sorted(p for p in only if was.get(p, []) != now.get(p, []))


def _changes_table(
    sc: Scenario, was: dict[str, list[tuple]], after: pd.DataFrame, at: int, moved, joins=()
) -> pd.DataFrame:
    """changes.csv: per person, what they were to do after ``at`` and what they now do;
    ``changed`` is yes, no, or new (a pair that joined)."""
    now = _afternoon(after, at)
    moved = set(moved)
    records = []
    for team in sc.teams:
        for pair, people in zip(
            pair_ids(team.id, team.pairs), person_ids(team.id, team.pairs), strict=True
        ):
            for role, person in zip(("swab", "record"), people, strict=True):
                records.append(
                    [team.id, person, pair, role, "new" if pair in joins else
                     "yes" if pair in moved else "no",
                     _describe(sc, was.get(pair, [])), _describe(sc, now.get(pair, []))]
                )  # fmt: skip
    return pd.DataFrame(records, columns=CHANGES_COLUMNS)


def _describe(sc: Scenario, items: list[tuple]) -> str:
    if not items:
        return "nothing"
    return "; ".join(f"{sc.at(s):%H:%M}-{sc.at(e):%H:%M} {a} {site}" for a, site, s, e in items)


def write_replan(
    replanned: Replan,
    out_dir: str | Path | Output,
    *,
    force: bool = False,
    reports: bool | None = None,
) -> Path:
    """The replanned day's plan folder: the usual files, changes.csv, and plan.json with
    ``replanned_at``, ``pairs_moved`` and the ``replan`` section; ``reports`` as for
    :func:`~sampler.export.write_plan` (report.html then has the changes section)."""
    return write_plan(
        replanned.result,
        out_dir,
        force=force,
        reports=reports,
        extra=replanned.document(),
        tables={"changes.csv": replanned.changes},
    )
