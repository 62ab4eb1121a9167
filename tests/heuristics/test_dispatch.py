"""The dispatchers' plans are solutions of the counting model.

Each warm start (the plain dispatcher, the one steered by the bound's shares, and the one
taking up LP posts; the ``starts`` fixture) is put into the CP model as a hint, and every
linear constraint of the model is evaluated on it: none may be broken.
"""

from __future__ import annotations

from sampler import load_scenario_text
from sampler.bound import bounds_and_aim
from sampler.heuristics.dispatch import greedy_counts
from sampler.heuristics.posts import Posts, posted_dispatch
from sampler.instance import Instance
from sampler.model.cpmodel import CPModel
from sampler.model.crews import CandidateOptions, build_crews, with_trips

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


def test_pairs_leave_a_site_that_has_closed_with_work_left():
    """A compound open 07:00-10:00 has more home visits than four pairs can make; at 10:00
    they go on to the estate next door (they stood idle there until their next stretch)."""
    text = """\
scenario: a morning compound with too much work, and an estate
start: 2022-11-10T07:00
end: 2022-11-10T13:30
sites:
  - {id: compound, lat: 40.0, lon: 113.0, residents: 600, sealed: true, stations: 1,
     open: "07:00-10:00"}
  - {id: estate, lat: 40.0, lon: 113.001, residents: 600, stations: 4}
teams:
  - {id: alpha, people: 8, lat: 40.0, lon: 113.0}
"""
    inst = Instance(load_scenario_text(text), patterns_per_team=1)
    _, aim = bounds_and_aim(inst, curve=False)
    crews = build_crews(inst, aim.allocation)
    counts = greedy_counts(inst, crews, inst.n_slots)
    closes = 180 // inst.slot
    estate = next(s.index for s in inst.sites if s.site.id == "estate")
    assert sum(n for (i, _, _), n in counts.samples.items() if i == estate) == 600
    assert all(t >= closes for (i, _, t) in counts.samples if i == estate)


def test_a_pair_with_nothing_left_around_it_goes_farther():
    """Arcs join each site to its nearest only (here east <-> middle and west <-> far west:
    no way west along arcs). Two pairs posted at the east site finish it within the hour,
    and the middle one is done too; the west site still has work: they go there rather
    than stand idle, and the model gets their trip as an arc (its plan stays a solution of
    the model)."""
    text = """\
scenario: four sites in a row
start: 2022-11-10T07:00
end: 2022-11-10T12:00
sites:
  - {id: east, lat: 40.0, lon: 113.02, residents: 100, stations: 2}
  - {id: middle, lat: 40.0, lon: 113.01, residents: 20, stations: 2}
  - {id: west, lat: 40.0, lon: 113.0, residents: 600, stations: 2}
  - {id: far_west, lat: 40.0, lon: 112.995, residents: 10, stations: 2}
teams:
  - {id: alpha, people: 4, lat: 40.0, lon: 113.02, max_suit_minutes: 300}
"""
    inst = Instance(load_scenario_text(text), patterns_per_team=1)
    _, aim = bounds_and_aim(inst, curve=False)
    crews = build_crews(inst, aim.allocation, CandidateOptions(neighbours=1))
    index = {s.site.id: s.index for s in inst.sites}
    assert all((a.origin, a.dest) != (index["east"], index["west"]) for a in crews[0].arcs)
    posts = Posts(
        inst.n_slots,
        {0: 2},
        {(0, 0, index["east"]): 2},
        {(0, 0, index["east"]): 2},
        0,
    )
    counts = posted_dispatch(inst, crews, posts)
    at_west = sum(n for (i, _, _), n in counts.samples.items() if i == index["west"])
    assert at_west > 0
    model = CPModel(inst, with_trips(crews, counts.trips))
    model.hint(counts)
    assert broken_constraints(model) == []
