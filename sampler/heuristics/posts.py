"""Posts: where each squad's pairs stand for each suit stretch (or segment of one), and a
dispatcher that takes them up.

A crew's pairs keep one post (a site, and how many of them staff walk-in stations) for a
whole span, a suit stretch or a segment of one (:attr:`Posts.spans`), moving only between
spans (from their base before the first). The dispatcher takes up the posts with named
pairs at each span's start and keeps working the way a team leader would: when a site
runs out of walk-in residents its pairs go door to door, and when it runs out altogether
they go where work remains. Its plan is a feasible
solution of the counting model. A local search moves single posts from sites that finish
early to sites that finish late while that makes the dispatched plan better.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from sampler.counts import Counts, quality, site_finish
from sampler.heuristics.dispatch import DispatchData, Dispatcher, DispatchPair
from sampler.instance import DOOR_TO_DOOR, WALK_IN, Instance
from sampler.model.crews import Crew

CLOSING_ROUNDS = 6  # more rounds while sites that close by the deadline are short


@dataclass(frozen=True)
class Posts:
    """Whole pairs per crew, span (a suit stretch, or a segment of one) and site, and of
    those how many do walk-in."""

    deadline: int
    crew_size: dict[int, int]
    at: dict[tuple[int, int, int], int]  # (crew, span, site) -> pairs
    walk: dict[tuple[int, int, int], int]  # (crew, span, site) -> pairs doing walk-in
    sampled: int  # residents the plan behind the posts samples by the deadline
    # (crew, site, mode, slot) -> pairs, where the posts come from a finer plan (the LP)
    modes: dict[tuple[int, int, str, int], float] = field(default_factory=dict)
    # crew -> the slot ranges its posts hold for, where they are not its suit stretches
    spans: dict[int, tuple[tuple[int, int], ...]] = field(default_factory=dict)

    def spans_of(self, crew: Crew) -> tuple[tuple[int, int], ...]:
        """The slot ranges ``[a, b)`` the crew's posts hold for, in order: its suit
        stretches, or segments of them."""
        return self.spans.get(crew.index) or crew.pattern.stretches


def posted_dispatch(
    inst: Instance, crews: tuple[Crew, ...], posts: Posts, data: DispatchData | None = None
) -> Counts:
    """Take up the posts with named pairs, and keep working where work remains."""
    return _TakePosts(inst, crews, posts, data).run()


def improve_posts(
    inst: Instance,
    crews: tuple[Crew, ...],
    posts: Posts,
    rounds: int = 20,
    data: DispatchData | None = None,
    dispatched: Counts | None = None,
) -> tuple[Posts, Counts]:
    """Local search on the posts: move one pair's post from the site that finishes with
    most to spare to the one that finishes last (first to a site left short that closes by
    the deadline), and keep the move if the dispatched plan is better (:func:`quality` by
    the deadline: residents left where a site closes by then, coverage, done_at, how late
    sites finish in all). While such sites are left short, and the deadline is before the
    day's end, up to ``CLOSING_ROUNDS`` more rounds. (``dispatched``: the posts' dispatch,
    where the caller has made it already.)"""
    best_posts = posts
    best = dispatched if dispatched is not None else posted_dispatch(inst, crews, posts, data)
    best_key = quality(inst, best, posts.deadline)
    tried: set[tuple] = set()
    closed = {s.index for s in inst.sites if s.open[1] <= posts.deadline}
    spent = 0
    while spent < rounds or (
        spent < rounds + CLOSING_ROUNDS and best_key[0] < 0 and posts.deadline < inst.n_slots
    ):
        spent += 1
        finish, short = site_finish(inst, best)
        # Sites left short that close by the deadline first: nothing can make up for them.
        late = sorted(
            finish, key=lambda i: (-(short[i] > 0), -(short[i] > 0 and i in closed), -finish[i], i)
        )
        early = sorted(finish, key=lambda i: (finish[i], i))
        move = _a_move(inst, crews, best_posts, late[:3], early, closed, tried)
        if move is None:
            break
        tried.add(move)
        c, s, i, j = move
        at = dict(best_posts.at)
        at[c, s, i] -= 1
        at[c, s, j] = at.get((c, s, j), 0) + 1
        walk = dict(best_posts.walk)
        if walk.get((c, s, i), 0) > at[c, s, i]:
            walk[c, s, i] = at[c, s, i]
        candidate = replace(best_posts, at=at, walk=walk, sampled=0)
        counts = posted_dispatch(inst, crews, candidate, data)
        key = quality(inst, counts, posts.deadline)
        if key > best_key:
            best_posts, best, best_key = candidate, counts, key
            tried.clear()
    return best_posts, best


def _a_move(inst, crews, posts: Posts, late: list[int], early: list[int], closed, tried: set):
    """(crew, span, from, to): a post to shift from an early-finishing site to a late one.

    A post for a site that closes by the deadline (``closed``) comes first from a site open
    after it (whose work can wait), in the span that overlaps the site's open hours
    most; where every site closes by the deadline (the day's end), from any site."""
    rank = {i: k for k, i in enumerate(early)}
    for j in late:
        if j in closed:
            move = _to_closing_site(inst, crews, posts, j, closed, rank, tried)
            if move is not None:
                return move
        for i in early:
            if i == j:
                continue
            for (c, s, site), n in sorted(posts.at.items()):
                if site != i or n <= 0 or j not in crews[c].sites:
                    continue
                if (c, s, i, j) not in tried:
                    return (c, s, i, j)
    return None


def _to_closing_site(inst, crews, posts: Posts, j: int, closed, rank: dict[int, int], tried):
    """(crew, span, from, j): the untried post at a site open after the deadline whose
    span overlaps site j's open hours most (the earliest-finishing site first)."""
    opens, closes = inst.sites[j].open
    options = []
    for (c, s, i), n in posts.at.items():
        if n <= 0 or i in closed or j not in crews[c].sites or (c, s, i, j) in tried:
            continue
        a, b = posts.spans_of(crews[c])[s]
        overlap = min(b, closes) - max(a, opens)
        if overlap > 0:
            options.append((-overlap, rank[i], c, s, i))
    if not options:
        return None
    _, _, c, s, i = min(options)
    return (c, s, i, j)


class _TakePosts(Dispatcher):
    """The dispatcher, with each span's posts taken up at its start."""

    def __init__(
        self, inst: Instance, crews: tuple[Crew, ...], posts: Posts, data: DispatchData | None
    ):
        super().__init__(inst, crews, posts.deadline, {}, {}, data)
        self.posts = posts
        for crew in crews:
            self.pairs[crew.index] = [
                DispatchPair(crew, k) for k in range(posts.crew_size.get(crew.index, 0))
            ]
        self.walk_posts: dict[tuple[int, int], int] = {}
        # crew -> {first slot of a span: the span's number}
        self.span_starts = {
            c.index: {a: s for s, (a, _) in enumerate(posts.spans_of(c))} for c in crews
        }

    def _slot_starts(self, crew: Crew, t: int) -> None:
        s = self.span_starts[crew.index].get(t)
        if s is not None:
            self._take_up(crew, t, s)

    def _take_up(self, crew: Crew, t: int, s: int) -> None:
        """Pairs take up the crew's posts for span ``s`` (a stretch, or a segment of one)."""
        c = crew.index
        goal = {i: self.posts.at.get((c, s, i), 0) for i in crew.sites}
        there: dict[int, list[DispatchPair]] = defaultdict(list)
        for p in self.pairs[c]:
            if p.place is not None:
                there[p.place].append(p)
        spare = [p for p in self.pairs[c] if p.place is None]
        if crew.previous(t) is not None:
            for i, here in sorted(there.items()):
                extra = len(here) - goal.get(i, 0)
                if extra > 0:
                    spare.extend([p for p in here if p.transit_until < t][:extra])
        for i in sorted(goal, key=lambda i: (-goal[i], i)):
            for _ in range(goal[i] - len(there.get(i, []))):
                choice = _nearest(self, spare, crew, i, t)
                if choice is None:
                    break
                pair, arc, landing = choice
                spare.remove(pair)
                self._move(pair, arc, landing, t)
        for i in crew.sites:
            self.walk_posts[c, i] = self.posts.walk.get((c, s, i), 0)

    def _mode_for(self, pair, i, t, cells, wanted, stations) -> str | None:
        """The finer plan's mode for this slot where there is one, else the post's; a pair
        keeps its mode when that is as good; any mode with work left rather than none."""
        c = pair.crew.index
        same = pair.last[1] if pair.last is not None and pair.last[0] == i else None
        if self.posts.modes:

            def preference(mode: str) -> tuple:
                room = self.posts.modes.get((c, i, mode, t), 0.0) - len(cells[mode])
                return (room <= 0, mode != same, -room)

            order = sorted((WALK_IN, DOOR_TO_DOOR), key=preference)
        else:
            posted = self.walk_posts.get((c, i), 0)
            first = WALK_IN if len(cells[WALK_IN]) < posted else DOOR_TO_DOOR
            order = [same] if same else []
            order += [m for m in (first, WALK_IN, DOOR_TO_DOOR) if m not in order]
        return self._first_with_room(order, i, t, cells, wanted, stations)


def _nearest(sim: Dispatcher, spare: list[DispatchPair], crew: Crew, dest: int, t: int):
    """The spare pair with the shortest trip to ``dest`` that fits its stretch."""
    best = None
    for pair in spare:
        if pair.place == dest:
            continue
        arc = sim.data.trip(crew, pair.place, dest)
        if arc is None:
            continue
        landing = crew.arrival(arc, t, sim.slot)
        if landing is None:
            continue
        key = (arc.minutes, pair.place is not None)
        if best is None or key < best[0]:
            best = (key, pair, arc, landing)
    return None if best is None else best[1:]
