"""The time-indexed LP plan: pairs posted for a whole stretch, and posts that follow a
site's open hours."""

from __future__ import annotations

from sampler import load_scenario_text
from sampler.bound import bounds_and_aim
from sampler.heuristics import lp_plan
from sampler.heuristics.lp_plan import TimeLp, lp_guided_start, lp_posts, lp_variables
from sampler.heuristics.posts import posted_dispatch
from sampler.instance import Instance
from sampler.model.cpmodel import CPModel
from sampler.model.crews import build_crews, with_trips

from .hints import broken_constraints


def test_the_lp_plan_posts_pairs_for_a_whole_segment(setting):
    """Within a segment (a suit stretch, cut where a site opens or closes) a crew's pairs
    keep their posts: what it has at each site at its busiest, summed over the sites, is at
    most the crew (no pair counted at one site at 08:00 and another at 10:00 of the same
    segment); and its posts dispatch to a solution of the model."""
    inst, _, crews, deadline = setting
    plan = TimeLp(inst, crews).plan(deadline)
    present: dict[tuple[int, int, int], float] = {}
    for (c, i, _, t), v in plan.pairs.items():
        present[c, i, t] = present.get((c, i, t), 0.0) + v
    segments = {crew.index: lp_plan._segments(inst, crew) for crew in crews}
    busiest: dict[tuple[int, int, int], float] = {}
    for (c, i, t), v in present.items():
        key = (c, segments[c][t], i)
        busiest[key] = max(busiest.get(key, 0.0), v)
    posted: dict[tuple[int, int], float] = {}
    for (c, k, _), v in busiest.items():
        posted[c, k] = posted.get((c, k), 0.0) + v
    assert posted
    assert all(v <= plan.crew_size[c] + 1e-6 for (c, _), v in posted.items())
    # A segment never runs across a site's opening or closing.
    for crew in crews:
        for i in crew.sites:
            for edge in inst.sites[i].open:
                if edge - 1 in segments[crew.index] and edge in segments[crew.index]:
                    assert segments[crew.index][edge - 1] != segments[crew.index][edge]
    start = lp_guided_start(inst, crews, deadline, attempts=1, rounds=2).counts
    model = CPModel(inst, with_trips(crews, start.trips))
    model.hint(start)
    assert broken_constraints(model) == []


def test_the_lp_size_is_counted_without_building_it(setting):
    """What the time limit weighs the LP plans by: its pair variables, counted as the LP
    makes them."""
    inst, _, crews, _ = setting
    assert lp_variables(inst, crews) == len(TimeLp(inst, crews).x) > 0


MORNING_YAML = """\
scenario: a sealed compound open only in the morning, and an all-day site
start: 2022-11-10T07:00
end: 2022-11-10T13:30
sites:
  - id: compound
    lat: 40.000
    lon: 113.000
    residents: 360
    sealed: true
    stations: 1
    open: "07:00-10:00"
  - id: estate
    lat: 40.009
    lon: 113.000
    residents: 1200
    home_visits: 0
    stations: 4
teams:
  - id: alpha
    people: 8
    lat: 40.000
    lon: 113.000
"""


def test_the_lp_plan_posts_every_pair_a_morning_site_needs_while_it_is_open():
    # Four pairs, one suit stretch 07:00-13:30. The compound's 360 home visits take all
    # four pairs (30 an hour each) for its three open hours; then the estate's 1,200 walk-in
    # residents take them 2.5 hours (120 an hour, 4 stations). Posting the LP's mean
    # presence over the whole stretch put 2 pairs at the compound (4 x 6 / 13 slots), and
    # the compound closed with 180 home visits left; posted for its open hours it gets 4.
    inst, crews, compound = _compound_and_estate(MORNING_YAML)
    counts = lp_guided_start(inst, crews, inst.n_slots, attempts=1, rounds=0).counts
    sampled = sum(n for (i, _, _), n in counts.samples.items() if i == compound)
    assert sampled == 360


CLOSING_YAML = """\
scenario: a morning-only compound's home visits, or an all-day estate's walk-in
start: 2022-11-10T07:00
end: 2022-11-10T13:30
sites:
  - id: compound
    lat: 40.000
    lon: 113.000
    residents: 120
    sealed: true
    stations: 1
    open: "07:00-09:00"
  - id: estate
    lat: 40.000
    lon: 113.001
    residents: 2000
    stations: 4
teams:
  - id: alpha
    people: 4
    lat: 40.000
    lon: 113.000
"""


def test_the_lp_plan_does_the_work_that_cannot_wait_first():
    # Two pairs, the deadline at 09:00. Their four pair-hours sample the compound's 120
    # home visits (30 an hour) before it closes, or 480 of the estate's walk-in residents
    # (120 an hour). Residents for residents the estate wins; but its work can be done
    # after the deadline and the compound's cannot, so the LP plan visits the compound.
    inst, crews, compound = _compound_and_estate(CLOSING_YAML)
    plan = TimeLp(inst, crews).plan(120 // inst.slot)
    at_compound = sum(v for (_, i, _, _), v in plan.pairs.items() if i == compound)
    assert at_compound * 30 * inst.slot / 60 >= 120 - 1e-6


OPENS_LATER_YAML = """\
scenario: a site that opens at 10:00 beside one open all day, a team on duty till 13:30
start: 2022-11-10T07:00
end: 2022-11-10T21:30
sites:
  - id: early
    lat: 40.000
    lon: 113.000
    residents: 1440
    stations: 4
  - id: late
    lat: 40.001
    lon: 113.000
    residents: 1600
    stations: 4
    open: "10:00-21:00"
teams:
  - id: alpha
    people: 8
    lat: 40.000
    lon: 113.000
    available: "07:00-13:30"
"""


def test_posts_per_segment_follow_the_lp_within_a_stretch():
    # Four pairs, one suit stretch 07:00-13:30 (13 slots), based at `early`. By 13:30 they
    # sample everyone only by staffing all four walk-in stations at `early` until 10:00
    # (4 x 3 h x 120 = 1,440) and all four at `late` from then (4 x 3.5 h x 120 = 1,680
    # for 1,600, the one-minute trip included), which is the LP's plan. Its mean presence
    # over the stretch posts 2 pairs at each for the whole stretch: two wait for `late` to
    # open, and 643 residents are left. Posted per segment (cut at 10:00) the pairs move
    # at 10:00 and everyone is sampled.
    inst = Instance(load_scenario_text(OPENS_LATER_YAML), patterns_per_team=1)
    _, aim = bounds_and_aim(inst, curve=False)
    crews = build_crews(inst, aim.allocation)
    deadline = (13 * 60 + 30 - 7 * 60) // inst.slot
    plan = TimeLp(inst, crews).plan(deadline)
    everyone = sum(s.site.residents for s in inst.sites)
    assert plan is not None and round(plan.sampled) == everyone
    by_stretch = posted_dispatch(inst, crews, lp_posts(inst, crews, plan))
    by_segment = posted_dispatch(inst, crews, lp_posts(inst, crews, plan, by_segment=True))
    assert sum(by_stretch.samples.values()) < everyone
    assert sum(by_segment.samples.values()) == everyone
    # The start takes the better of the two (no local search here to make up the loss).
    start = lp_guided_start(inst, crews, deadline, attempts=1, rounds=0).counts
    assert sum(start.samples.values()) == everyone and start.done_slots <= deadline


SHORT_SUITS_YAML = """\
scenario: one-hour suit stretches, a site 32 minutes away and one 87 minutes away
start: 2022-11-10T07:00
end: 2022-11-10T13:00
defaults: {max_suit_minutes: 60, min_break_minutes: 30}
sites:
  - {id: near, lat: 40.072, lon: 113.0, residents: 100}
  - {id: far, lat: 40.2, lon: 113.0, residents: 100}
teams:
  - {id: alpha, people: 4, lat: 40.0, lon: 113.0}
"""


def test_the_lp_starts_a_pair_only_where_its_trip_fits_in_one_stretch():
    # Stretches of two 30-minute slots (one where a pattern's first is shortened). The trip
    # to `near` takes one slot: it fits in a two-slot stretch, not in a one-slot one, so a
    # pair starts work there one slot into the first stretch that is two slots long. The
    # trip to `far` takes two slots, as long as any stretch: no pair ever works there (the
    # LP had them leave at 07:00 and work from 08:00, across a break).
    inst = Instance(load_scenario_text(SHORT_SUITS_YAML))
    crews = build_crews(inst, {})
    near, far = (next(s.index for s in inst.sites if s.site.id == n) for n in ("near", "far"))
    for crew in crews:
        start = next(a for a, b in crew.pattern.stretches if b - a >= 2)
        assert lp_plan.first_work_slot(inst, crew, near) == start + 1
        assert lp_plan.first_work_slot(inst, crew, far) == inst.n_slots
    plan = TimeLp(inst, crews).plan(inst.n_slots)
    assert plan is not None
    assert not any(i == far for (_, i, _, _) in plan.pairs)


def _compound_and_estate(text: str):
    """(instance with one duty pattern, crews, the compound's site index) of a scenario."""
    inst = Instance(load_scenario_text(text), patterns_per_team=1)
    _, aim = bounds_and_aim(inst, curve=False)
    compound = next(s.index for s in inst.sites if s.site.id == "compound")
    return inst, build_crews(inst, aim.allocation), compound
