"""The best start: the dispatchers' plans and the LP plans', the best of them kept."""

from __future__ import annotations

from sampler.counts import quality
from sampler.heuristics.start import best_start


def test_without_the_dispatchers_the_start_is_the_lp_plan(setting, starts):
    """A part that takes the LP plan starts from it alone; with the dispatchers beside it
    the start is at least as good."""
    inst, aim, crews, deadline = setting
    alone = best_start(inst, crews, deadline, aim.allocation, 2, 1, dispatchers=False)
    assert alone.counts == starts["posts"]
    both = best_start(inst, crews, deadline, aim.allocation, 2, 1)
    best = max(quality(inst, c, deadline) for c in starts.values())
    assert quality(inst, both.counts, deadline) == best >= quality(inst, alone.counts, deadline)


def test_without_an_lp_plan_the_dispatchers_start_anyway(setting, starts):
    """No LP plan asked for: the dispatchers' plans are the starts, whatever is said."""
    inst, aim, crews, deadline = setting
    start = best_start(inst, crews, deadline, aim.allocation, 3, 0, dispatchers=False)
    dispatched = [starts["dispatcher"], starts["steered"]]
    assert start.counts == max(dispatched, key=lambda c: quality(inst, c, deadline))


def test_the_starts_tied_with_the_kept_one_come_with_it_first(setting):
    """Every start as good as the kept one by its counts but for how late its sites finish
    in all is listed, the kept one first, each once (the LP plans of every deadline too)."""
    inst, aim, crews, deadline = setting
    start = best_start(inst, crews, deadline, aim.allocation, 2, 3)
    assert start.ties and start.ties[0][0] is start.counts
    assert start.ties[0][1] == start.from_cp_posts
    key = quality(inst, start.counts, deadline)[:-1]
    assert all(quality(inst, c, deadline)[:-1] == key for c, _ in start.ties)
    assert len({id(c) for c, _ in start.ties}) == len(start.ties)
