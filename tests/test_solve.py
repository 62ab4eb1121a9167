"""sampler.solve: of starts the counts cannot tell apart, the whole plan keeps the one
whose finished plan (named, topped up, pulled in towards the bound) samples the most, then
ends first."""

from __future__ import annotations

from sampler.bound import bounds_and_aim
from sampler.heuristics.refill import pulled_in
from sampler.heuristics.topup import top_up
from sampler.lns import score
from sampler.plan import Plan
from sampler.roster import build_pair_rows
from sampler.solve import best_finished, on_grid


def _finished(inst, counts, bound_minute):
    sc = inst.scenario
    plan = Plan(sc, top_up(sc, build_pair_rows(inst, counts)))
    return score(pulled_in(plan, bound_minute)[0])[:2]  # (residents, then done_at)


def test_of_tied_starts_the_one_whose_finished_plan_is_best_is_kept(setting, starts):
    inst, _, _, _ = setting
    bounds, _ = bounds_and_aim(inst, curve=False)
    bound = on_grid(bounds.done_minute, inst.slot) or inst.scenario.horizon_minutes
    options = [(c, name == "posts") for name, c in sorted(starts.items())]
    kept, from_cp = best_finished(inst, tuple(options), bound)
    finished = [_finished(inst, c, bound) for c, _ in options]
    assert _finished(inst, kept, bound) == max(finished)
    # The first of those that finish alike: its own flag comes with it.
    first = finished.index(max(finished))
    assert kept is options[first][0] and from_cp == options[first][1]


def test_starts_that_finish_alike_keep_the_first(setting, starts):
    inst, _, _, _ = setting
    bounds, _ = bounds_and_aim(inst, curve=False)
    bound = on_grid(bounds.done_minute, inst.slot) or inst.scenario.horizon_minutes
    same = starts["posts"]
    assert best_finished(inst, ((same, True), (same, False)), bound) == (same, True)
