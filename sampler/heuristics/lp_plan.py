"""A time-indexed LP plan, turned into posts that whole pairs take up.

The LP (GLOP) is the counting model without the bookkeeping of moves: per crew, candidate
site, mode and slot, how many pairs sample there; crews may be any size; samples are the
exact rates; walk-in stations, open windows, the first trip from the base and the duty
patterns hold. As the posts it becomes, a crew's pairs are posted to sites for a whole suit
stretch, or the part of it until one of its sites opens or closes, three hours at most (a
segment): in each slot of a segment at most its posted pairs work at a site, and the posts
of a segment add up to at most the crew. Among the plans that sample everyone by a
deadline it prefers early samples and few changes of post from one segment to the next (a
change costs about a trip's worth of samples). Its mean presence per crew, stretch (or
segment) and site, rounded to whole pairs, gives the posts that the dispatcher of
:mod:`sampler.heuristics.posts` takes up: per stretch they move pairs less, per segment
they follow the LP where it moves them within a stretch; the start takes the better.

(Its first form charged a change of place from any slot to the next: GLOP took 6.2 s and
PDLP 3.7 s on a 29-site scenario's 28,700 variables (late_teams seed 1, loaded machine),
where the posted form takes 1.0 s for the same residents by the deadline; PDLP is slower
on the posted form, 8.8 s.)
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise

from ortools.linear_solver import pywraplp

from sampler.counts import Counts, quality, weighted_coverage, weighted_residents
from sampler.heuristics.dispatch import DispatchData
from sampler.heuristics.posts import Posts, improve_posts, posted_dispatch
from sampler.instance import MODES, WALK_IN, Instance
from sampler.model.crews import Crew
from sampler.model.posts_model import choose_posts

LATENESS = 1e-3  # objective weight of one sample one slot later (coverage weighs 1)
# Posts last at most this long in the LP (a stretch is cut into segments): on the worst
# small seeds at --time-limit 5, 3 hours left the understaffed seed 1 with 33,993 residents
# unsampled where whole stretches left 36,402 (and brought short_hours seed 7's end from
# 20:00 to 19:00), for 0.4-1.0 s more; 2 hours gained less and cost more.
SEGMENT_MINUTES = 180
# A resident at a site that closes by the deadline, against one at a site open after it.
CLOSING_WEIGHT = 10
# Rounds of the posts' local search (a part's) at or below which only the posts that dispatch
# better first are improved (see _improved).
FEWEST_ROUNDS = 3


@dataclass(frozen=True)
class LpPlan:
    """Pairs per crew, and pairs per crew, site, mode and slot, as the LP has them."""

    deadline: int
    crew_size: dict[int, float]
    pairs: dict[tuple[int, int, str, int], float]
    sampled: float


def first_work_slot(inst: Instance, crew: Crew, site: int) -> int:
    """The earliest slot a pair of the crew can sample at a site, coming from its base: at
    the start of the first suit stretch that holds the whole trip (travel is suit time, as
    the dispatchers have it: :meth:`Crew.arrival`); past the day if none does. (Counting
    the trip from the day's start across breaks, the LP posted pairs of a heat-rule day's
    team at a site 158 minutes from its base, beyond any two-hour stretch, which no pair
    could take up.)"""
    travel = int(crew.team.base_travel[site]) // inst.slot
    for start, end in crew.pattern.stretches:
        if start + travel < end:
            return start + travel
    return inst.n_slots


def lp_variables(inst: Instance, crews: tuple[Crew, ...]) -> int:
    """How many pair variables (crew, site, mode, slot) the time-indexed LP over these
    crews has: what its cost grows with."""
    n = 0
    for crew in crews:
        slots, team = crew.on_duty(), crew.team
        for i in crew.sites:
            site = inst.sites[i]
            modes = sum(team.can(mode) and site.demand(mode) > 0 for mode in MODES)
            if modes:
                first = max(first_work_slot(inst, crew, i), site.open[0])
                n += modes * max(0, bisect_left(slots, site.open[1]) - bisect_left(slots, first))
    return n


class TimeLp:
    """The time-indexed LP over all slots; ``plan(deadline)`` closes the slots from the
    deadline on. (GLOP solves it faster from scratch than from the previous basis, so each
    deadline gets a fresh copy: build it with ``TimeLp(inst, crews)`` per deadline.)"""

    def __init__(self, inst: Instance, crews: tuple[Crew, ...]):
        self.inst, self.crews = inst, crews
        lp = self.lp = pywraplp.Solver.CreateSolver("GLOP")
        objective = lp.Objective()
        objective.SetMaximization()
        self.size = {c.index: lp.NumVar(0, c.team.pairs, "") for c in crews}
        for team in inst.teams:
            row = lp.Constraint(0, team.pairs)
            for member in crews:
                if member.team.index == team.index:
                    row.SetCoefficient(self.size[member.index], 1)
        self.x: dict[tuple[int, int, str, int], pywraplp.Variable] = {}
        served: dict[tuple[int, str], pywraplp.Constraint] = {}
        self.got: list[tuple[pywraplp.Variable, int]] = []  # (residents sampled, site)
        walk_at: dict[tuple[int, int], pywraplp.Constraint] = {}
        for site in inst.sites:
            for mode in MODES:
                if site.demand(mode) > 0:
                    got = lp.NumVar(0, site.demand(mode), "")
                    self.got.append((got, site.index))
                    served[site.index, mode] = row = lp.Constraint(-lp.infinity(), 0)
                    row.SetCoefficient(got, 1)
        for crew in crews:
            c, team = crew.index, crew.team
            # One more pair posted at a site than the segment before is a trip: its travel
            # minutes and a new roster row cost samples the LP should not pretend to have.
            trip = sorted(a.minutes for a in crew.arcs if a.origin is not None) or [0]
            change_cost = 1 + team.rate(WALK_IN) * trip[len(trip) // 2] / 60
            segment_of = _segments(inst, crew)
            posted: dict[tuple[int, int], pywraplp.Variable] = {}  # (segment, site) -> pairs
            for t in crew.on_duty():
                k = segment_of[t]
                for i in crew.sites:
                    site = inst.sites[i]
                    if t < first_work_slot(inst, crew, i) or not site.open[0] <= t < site.open[1]:
                        continue
                    here = []
                    for mode in MODES:
                        if not team.can(mode) or site.demand(mode) == 0:
                            continue
                        var = self.x[c, i, mode, t] = lp.NumVar(0, team.pairs, "")
                        per_slot = team.rate(mode) * inst.slot / 60
                        if t == first_work_slot(inst, crew, i):
                            # The trip from the base takes part of its first slot.
                            lost = int(team.base_travel[i]) % inst.slot
                            per_slot *= 1 - lost / inst.slot
                        served[i, mode].SetCoefficient(var, -per_slot)
                        objective.SetCoefficient(
                            var, -LATENESS * (t + 1) * per_slot * site.site.priority
                        )
                        if mode == WALK_IN:
                            if (i, t) not in walk_at:
                                walk_at[i, t] = lp.Constraint(0, site.site.stations)
                            walk_at[i, t].SetCoefficient(var, 1)
                        here.append(var)
                    if here:  # the pairs at work here in slot t are at most its posted
                        if (k, i) not in posted:
                            posted[k, i] = lp.NumVar(0, team.pairs, "")
                        row = lp.Constraint(-lp.infinity(), 0)
                        row.SetCoefficient(posted[k, i], -1)
                        for var in here:
                            row.SetCoefficient(var, 1)
            by_segment: dict[int, list[pywraplp.Variable]] = defaultdict(list)
            for (k, _), var in posted.items():
                by_segment[k].append(var)
            for posts in by_segment.values():  # a segment's posts add up to at most the crew
                row = lp.Constraint(-lp.infinity(), 0)
                row.SetCoefficient(self.size[c], -1)
                for var in posts:
                    row.SetCoefficient(var, 1)
            for (k, i), var in posted.items():
                if k == 0:
                    # The first segment's posts are reached from the base (first_work_slot
                    # charges that trip); later posts are moves. (Charging the first ones
                    # too left 300 residents of a district with windows unsampled, not 117.)
                    continue
                change = lp.NumVar(0, lp.infinity(), "")
                objective.SetCoefficient(change, -change_cost)
                row = lp.Constraint(0, lp.infinity())  # change >= posted here - before
                row.SetCoefficient(change, 1)
                row.SetCoefficient(var, -1)
                if (k - 1, i) in posted:
                    row.SetCoefficient(posted[k - 1, i], 1)

    def plan(self, deadline: int) -> LpPlan | None:
        """The LP plan that samples the most residents by slot ``deadline``, early and
        steady."""
        if not self.x:
            return None
        for (c, _, _, t), var in self.x.items():
            var.SetUb(self.crews[c].team.pairs if t < deadline else 0)
        objective = self.lp.Objective()
        for var, i in self.got:
            site = self.inst.sites[i]
            # As counts.quality ranks plans: work at a site that closes by the deadline
            # cannot be topped up after it, so it comes before work that can (else the
            # slow home visits of a morning-only site are the first the LP gives up).
            # (With the deadline at the day's end nothing is topped up: residents are equal.)
            closing = CLOSING_WEIGHT if site.open[1] <= deadline < self.inst.n_slots else 1
            objective.SetCoefficient(var, site.site.priority * closing)
        values = self._solve()
        if values is None:
            return None
        pairs = {key: value for key, var in self.x.items() if (value := values[var.index()]) > 1e-6}
        sampled = sum(values[var.index()] for var, _ in self.got)
        size = {c: values[v.index()] for c, v in self.size.items()}
        return LpPlan(deadline, size, pairs, sampled)

    def _solve(self) -> list[float] | None:
        """Every variable's value (by index), from GLOP (values clipped at zero)."""
        if self.lp.Solve() not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            return None
        return [max(0.0, v.solution_value()) for v in self.lp.variables()]


def _segments(inst: Instance, crew: Crew) -> dict[int, int]:
    """Per on-duty slot, its segment: the crew's suit stretches, cut where one of its sites
    opens or closes (pairs posted to a site that closes move on then) and every
    ``SEGMENT_MINUTES``, numbered in order."""
    return {t: k for k, (a, b) in enumerate(segment_spans(inst, crew)) for t in range(a, b)}


def segment_spans(inst: Instance, crew: Crew) -> tuple[tuple[int, int], ...]:
    """The crew's segments as slot ranges ``[a, b)``, in order (see :func:`_segments`)."""
    spans: list[tuple[int, int]] = []
    step = max(1, SEGMENT_MINUTES // inst.slot)
    for a, b in crew.pattern.stretches:
        cuts = {a, b, *range(a, b, step)}
        for i in crew.sites:
            cuts.update(x for x in inst.sites[i].open if a < x < b)
        spans.extend(pairwise(sorted(cuts)))
    return tuple(spans)


def lp_posts(
    inst: Instance, crews: tuple[Crew, ...], plan: LpPlan, by_segment: bool = False
) -> Posts:
    """Whole-pair posts from an LP plan: per crew and suit stretch (or, ``by_segment``, per
    segment of one: the LP's own posts), its mean presence at each site over it, rounded
    by largest remainders."""
    by_team: dict[int, list[Crew]] = defaultdict(list)
    for crew in crews:
        by_team[crew.team.index].append(crew)
    size: dict[int, int] = {}
    for team_crews in by_team.values():
        # Every pair is sent, even those the LP could spare: the dispatcher finds them work.
        n = team_crews[0].team.pairs
        shares = [plan.crew_size.get(c.index, 0.0) for c in team_crews]
        for crew, k in zip(team_crews, round_shares(shares, n), strict=True):
            size[crew.index] = k
    spans = {c.index: segment_spans(inst, c) if by_segment else c.pattern.stretches for c in crews}
    present: dict[tuple[int, int, int], float] = defaultdict(float)
    walking: dict[tuple[int, int, int], float] = defaultdict(float)
    span_of: dict[tuple[int, int], int] = {}
    for crew in crews:
        for s, (a, b) in enumerate(spans[crew.index]):
            for t in range(a, b):
                span_of[crew.index, t] = s
    for (c, i, mode, t), v in plan.pairs.items():
        s = span_of[c, t]
        a, b = spans[c][s]
        # A site that closes before the span ends needs its pairs for as long as it is
        # open (they move on when it closes): its mean is over those slots, not the span.
        slots = _open_slots(inst, crews[c], i, a, b) if _closes_in(inst, i, a, b) else b - a
        present[c, s, i] += v / slots
        if mode == WALK_IN:
            walking[c, s, i] += v / slots
    at: dict[tuple[int, int, int], int] = {}
    walk: dict[tuple[int, int, int], int] = {}
    for crew in crews:
        c = crew.index
        for s, span in enumerate(spans[c]):
            posted = _closing_posts(inst, crew, present, s, span, size[c])
            left = size[c] - sum(posted.values())
            sites = [i for i in crew.sites if i not in posted]
            means = [present.get((c, s, i), 0.0) for i in sites]
            counts = round_shares(means, left if sum(means) > 0 else 0)
            posted.update(zip(sites, counts, strict=True))
            for i, n in posted.items():
                if n:
                    at[c, s, i] = n
                    share = walking.get((c, s, i), 0.0) / max(present[c, s, i], 1e-9)
                    walk[c, s, i] = min(n, round(share * n))
    spans_kept = spans if by_segment else {}
    return Posts(plan.deadline, size, at, walk, round(plan.sampled), dict(plan.pairs), spans_kept)


def _closes_in(inst: Instance, site: int, a: int, b: int) -> bool:
    """Does the site close inside the stretch of slots [a, b)?"""
    return a < inst.sites[site].open[1] < b


def _open_slots(inst: Instance, crew: Crew, site: int, a: int, b: int) -> int:
    """Slots of the stretch [a, b) in which the crew can work at the site (at least one)."""
    opens, closes = inst.sites[site].open
    return max(1, min(b, closes) - max(a, opens, first_work_slot(inst, crew, site)))


def _closing_posts(
    inst: Instance,
    crew: Crew,
    present: dict[tuple[int, int, int], float],
    s: int,
    span: tuple[int, int],
    size: int,
) -> dict[int, int]:
    """Posts at the sites that close inside span ``s`` (slots ``span``), earliest closing
    first: each its mean presence while open, rounded, as long as the crew's pairs last."""
    a, b = span
    closing = [
        i for i in crew.sites if present.get((crew.index, s, i), 0) and _closes_in(inst, i, a, b)
    ]
    posted: dict[int, int] = {}
    left = size
    for i in sorted(closing, key=lambda i: (inst.sites[i].open[1], i)):
        posted[i] = min(left, round(present[crew.index, s, i]))
        left -= posted[i]
    return posted


@dataclass(frozen=True)
class LpStart:
    """The LP plan's best dispatch, and how the CP-SAT posts did against the rounded ones:
    tried at each deadline, better (after the posts' local search) in ``cp_won``, and
    whether the start kept comes from them. ``attempts``: each deadline's dispatch, in
    order, with whether it comes from CP-SAT's posts."""

    counts: Counts
    cp_tried: int = 0
    cp_won: int = 0
    from_cp: bool = False
    attempts: tuple[tuple[Counts, bool], ...] = ()


def lp_guided_start(
    inst: Instance,
    crews: tuple[Crew, ...],
    bound_slot: int,
    attempts: int = 3,
    rounds: int = 20,
    data: DispatchData | None = None,
    cp_budget: float = 0.0,
    seed: int = 0,
) -> LpStart | None:
    """The best dispatch of LP plans with deadlines from the bound on (each improved by
    moving posts, from its posts per stretch or per segment, whichever dispatches better
    where the deadline is before the day's end), until one samples everyone by its
    deadline. With ``cp_budget`` (deterministic seconds), CP-SAT also chooses whole-pair
    posts from each LP plan's rounded ones (:mod:`sampler.model.posts_model`), and the
    better dispatch is kept."""
    best: LpStart | None = None
    tried = won = 0
    dispatched: list[tuple[Counts, bool]] = []  # each deadline's
    total = weighted_residents(inst)
    deadline = first = max(1, bound_slot)  # every attempt is judged by the first deadline
    for _ in range(attempts):
        plan = TimeLp(inst, crews).plan(deadline)
        if plan is not None:
            whole = lp_posts(inst, crews, plan)
            counts = _improved(inst, crews, plan, whole, rounds, data)
            from_cp = False
            chosen = (
                choose_posts(
                    inst, crews, deadline, whole.crew_size, whole.at, whole.walk, cp_budget, seed
                )
                if cp_budget > 0
                else None
            )
            if chosen is not None:
                tried += 1
                cp = Posts(plan.deadline, whole.crew_size, chosen[0], chosen[1], 0)
                _, cp_counts = improve_posts(inst, crews, cp, rounds, data)
                if quality(inst, cp_counts, deadline) > quality(inst, counts, deadline):
                    counts, from_cp, won = cp_counts, True, won + 1
            dispatched.append((counts, from_cp))
            if best is None or quality(inst, counts, first) > quality(inst, best.counts, first):
                best = LpStart(counts, from_cp=from_cp)
            if weighted_coverage(inst, counts) >= total and counts.done_slots <= deadline:
                break
        if deadline >= inst.n_slots:
            break
        deadline += 1
    if best is None:
        return None
    return LpStart(best.counts, tried, won, best.from_cp, tuple(dispatched))


def _improved(
    inst: Instance,
    crews: tuple[Crew, ...],
    plan: LpPlan,
    whole: Posts,
    rounds: int,
    data: DispatchData | None,
) -> Counts:
    """The dispatch of an LP plan's posts after ``rounds`` of their local search: posts per
    stretch (``whole``), or, where the deadline is before the day's end, per segment if
    that is better.

    Posts per segment follow the LP where it moves pairs within a stretch (to a site that
    opens at 10:00); per stretch they make fewer moves. With more than ``FEWEST_ROUNDS``
    rounds (a whole small scenario) both are improved and the better kept (the first on a
    tie): over the 60 small seeds of the six families that finish, 3 better and none worse.
    With fewer (a district's or city's part) only the better first dispatch is improved:
    over 10 seeds of the short-hours district 8 better, 2 worse, 3,531 residents more, as
    fast, where improving both took 1.9 s more a seed. At the day's end, where only
    coverage counts, improving both made 2 of the 20 understaffed and priorities small
    seeds better and 2 worse: there the posts stay per stretch."""
    if plan.deadline >= inst.n_slots:
        return improve_posts(inst, crews, whole, rounds, data)[1]
    finer = lp_posts(inst, crews, plan, by_segment=True)
    if rounds > FEWEST_ROUNDS:
        options = [improve_posts(inst, crews, p, rounds, data)[1] for p in (whole, finer)]
        return max(options, key=lambda c: quality(inst, c, plan.deadline))
    by_stretch, by_segment = (posted_dispatch(inst, crews, p, data) for p in (whole, finer))
    if quality(inst, by_segment, plan.deadline) > quality(inst, by_stretch, plan.deadline):
        return improve_posts(inst, crews, finer, rounds, data, by_segment)[1]
    return improve_posts(inst, crews, whole, rounds, data, by_stretch)[1]


def round_shares(values: list[float], total: int) -> list[int]:
    """Whole numbers in proportion to ``values`` summing to ``total`` (largest remainders)."""
    if not values:
        return []
    mass = sum(values)
    if mass <= 1e-9:
        return [total // len(values) + (j < total % len(values)) for j in range(len(values))]
    exact = [v * total / mass for v in values]
    whole = [int(e) for e in exact]
    order = sorted(range(len(values)), key=lambda j: (-(exact[j] - whole[j]), j))
    for j in order[: total - sum(whole)]:
        whole[j] += 1
    return whole
