"""The scenario on its slot grid: each team's duty patterns."""

from __future__ import annotations

from sampler import load_scenario_text
from sampler.instance import TAKING_TURNS, Instance

HOT_DAY = """\
scenario: three teams side by side under the heat rules
start: 2022-07-15T07:00
end: 2022-07-15T21:30
defaults: {max_suit_minutes: 120, min_break_minutes: 30}
sites:
  - {id: a, lat: 40.0, lon: 113.0, residents: 9000, stations: 12}
teams:
  - {id: t1, people: 10, lat: 40.0, lon: 113.01}
  - {id: t2, people: 10, lat: 40.0, lon: 113.01}
  - {id: t3, people: 10, lat: 40.0, lon: 113.01}
  - {id: t4, people: 10, lat: 40.0, lon: 113.01}
"""


def breaks(inst: Instance) -> list[tuple[int, ...]]:
    """Each team's break slots (the ends of its stretches but the last)."""
    return [tuple(b for _, b in t.patterns[0].stretches[:-1]) for t in inst.teams]


def test_teams_with_one_pattern_each_take_the_best_one_alike():
    """Two-hour suits, half-hour breaks: every team's one pattern is the best, so all
    four break at the same slots."""
    inst = Instance(load_scenario_text(HOT_DAY), patterns_per_team=1)
    assert all(len(t.patterns) == 1 for t in inst.teams)
    assert len(set(breaks(inst))) == 1


def test_teams_taking_turns_break_at_different_slots():
    """Taking turns, the teams in order take the spread patterns one after another: the
    first three break at three different times, the fourth as the first; each one's
    pattern is one a team with three patterns is offered."""
    sc = load_scenario_text(HOT_DAY)
    inst = Instance(sc, patterns_per_team=1, taking_turns=True)
    offered = Instance(sc, patterns_per_team=TAKING_TURNS).teams[0].patterns
    assert len(offered) == TAKING_TURNS == 3
    assert [t.patterns for t in inst.teams] == [(offered[k % 3],) for k in range(4)]
    assert len(set(breaks(inst)[:3])) == 3


def test_taking_turns_leaves_teams_with_several_patterns_as_they_are():
    sc = load_scenario_text(HOT_DAY)
    turns = Instance(sc, patterns_per_team=3, taking_turns=True)
    assert [t.patterns for t in turns.teams] == [t.patterns for t in Instance(sc).teams]
