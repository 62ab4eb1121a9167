"""The dispatchers' plans are solutions of the counting model.

Each warm start (the plain dispatcher, the one steered by the bound's shares, and the one
taking up LP posts; the ``starts`` fixture) is put into the CP model as a hint, and every
linear constraint of the model is evaluated on it: none may be broken.
"""

from __future__ import annotations

from sampler.model.cpmodel import CPModel
from sampler.model.crews import with_trips

from .hints import broken_constraints


def test_every_start_is_a_solution_of_the_model(setting, starts):
    inst, _, crews, _ = setting
    for name, counts in starts.items():
        model = CPModel(inst, with_trips(crews, counts.trips))
        model.hint(counts)
        assert broken_constraints(model) == [], name


def test_no_pair_is_sent_to_a_site_that_closes_before_it_lands():
    """Sites open 07:00-12:00 still have work at noon in the issue-12 morning example; the
    dispatchers send nobody there once they could only arrive after it closed."""
    from test_bound import MORNING_WINDOWS  # (tests/ is on the path: it has no __init__)

    from sampler import load_scenario_text
    from sampler.bound import bounds_and_aim
    from sampler.heuristics.dispatch import dispatch_search, greedy_counts
    from sampler.instance import Instance
    from sampler.model.crews import build_crews

    inst = Instance(load_scenario_text(MORNING_WINDOWS))
    _, aim = bounds_and_aim(inst, curve=False)
    crews = build_crews(inst, aim.allocation)
    for counts in (
        greedy_counts(inst, crews, inst.n_slots),
        dispatch_search(inst, crews, inst.n_slots, aim.allocation, rounds=3),
    ):
        late = [t for t in counts.trips if t.arrive >= inst.sites[t.dest].open[1]]
        assert late == []


def test_residents_a_closed_window_leaves_count_first():
    """Judged against a deadline, a start that leaves residents where the site has closed
    by then is worse than one that leaves more where the site is still open (top-up can
    still reach those); without a deadline, residents are residents."""
    from test_bound import MORNING_WINDOWS  # (tests/ is on the path: it has no __init__)

    from sampler import load_scenario_text
    from sampler.counts import Counts, quality
    from sampler.instance import WALK_IN, Instance

    inst = Instance(load_scenario_text(MORNING_WINDOWS))
    morning = next(s.index for s in inst.sites if s.open[1] < inst.n_slots // 2)
    all_day = next(s.index for s in inst.sites if s.open[1] == inst.n_slots)
    deadline = inst.n_slots - 4

    def leaving(site: int, n: int) -> Counts:
        samples = {(s.index, WALK_IN, 0): s.site.residents for s in inst.sites}
        samples[site, WALK_IN, 0] -= n
        return Counts((), {}, samples, {}, (), 1)

    at_morning, at_all_day = leaving(morning, 5), leaving(all_day, 10)
    assert quality(inst, at_all_day, deadline) > quality(inst, at_morning, deadline)
    assert quality(inst, at_morning) > quality(inst, at_all_day)
