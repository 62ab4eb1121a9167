"""CP-SAT's posts: whole pairs per crew, stretch and site, where the residents are, within
the stations."""

from __future__ import annotations

from sampler import load_scenario_text
from sampler.bound import bounds_and_aim
from sampler.instance import Instance
from sampler.model.crews import build_crews
from sampler.model.posts_model import choose_posts

# One team of two pairs working one stretch (08:00-12:00), based at a. a has 120 walk-in
# residents and one station; b (next door) has 120 home visits. A pair samples 120 an hour
# walk-in and 30 at home: one pair at a's station does a, one pair at home in b does b in
# the four hours (240 in all); two pairs at a would sample 120 (one station), two in b 120.
SCENARIO = """\
scenario: posts
start: 2022-11-10T08:00
end: 2022-11-10T12:00
sites:
- {id: a, lat: 40.0, lon: 113.0, residents: 120, stations: 1}
- {id: b, lat: 40.0, lon: 113.0001, residents: 120, sealed: true}
teams:
- {id: t, people: 4, lat: 40.0, lon: 113.0}
"""


def _setting():
    inst = Instance(load_scenario_text(SCENARIO), patterns_per_team=1)
    _, aim = bounds_and_aim(inst, curve=False)
    crews = build_crews(inst, aim.allocation)
    (crew,) = [c for c in crews if c.team.pairs]
    return inst, crews, crew


def test_posts_go_where_the_residents_are_within_the_stations():
    inst, crews, crew = _setting()
    a, b = (s.index for s in inst.sites)
    # A poor hint: both pairs walk-in at a (one station, and a needs one pair-hour).
    hint_at, hint_walk = {(crew.index, 0, a): 2}, {(crew.index, 0, a): 2}
    size = {c.index: (c.team.pairs if c is crew else 0) for c in crews}
    chosen = choose_posts(inst, crews, inst.n_slots, size, hint_at, hint_walk, 1.0, 0)
    assert chosen is not None
    at, walk = chosen
    assert walk.get((crew.index, 0, a), 0) <= 1  # one station
    assert at.get((crew.index, 0, a), 0) == 1 and at.get((crew.index, 0, b), 0) == 1


def test_the_same_input_gives_the_same_posts():
    inst, crews, _ = _setting()
    size = {c.index: c.team.pairs for c in crews}
    runs = [choose_posts(inst, crews, inst.n_slots, size, {}, {}, 0.5, 3) for _ in range(2)]
    assert runs[0] == runs[1]
