"""Shared fixtures: tiny scenarios as YAML text, and a helper that writes one to a file.

The scenario texts are session-scoped strings (they never change); tests that need a
variant edit a copy with :func:`edit`. Line numbers quoted in the fixture docstrings are
the 1-based lines of the text, which the loader tests rely on.

Each scenario is small enough to solve in well under a second with ``--time-limit 1``.

Property tests draw the same examples on every run (Hypothesis's ``derandomize``), so
that a run on a clean checkout is repeatable; ``HYPOTHESIS_PROFILE=explore`` draws new
ones each run, to look for failures beyond them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

TINY_YAML = """\
scenario: tiny
start: 2022-11-10T07:00
end: 2022-11-10T13:00
sites:
  - id: north
    name: 北苑社区
    district: 平城区
    lat: 40.00
    lon: 113.00
    residents: 240
    home_visits: 30
    stations: 2
  - id: south
    name: 南苑社区
    lat: 39.99
    lon: 113.00
    residents: 120
teams:
  - id: alpha
    name: 灵丘
    people: 4
    lat: 39.995
    lon: 113.00
"""

SHORT_YAML = """\
scenario: one pair, two hours, a thousand residents
start: 2022-11-10T07:00
end: 2022-11-10T09:00
sites:
  - id: big
    lat: 40.00
    lon: 113.00
    residents: 1000
teams:
  - id: solo
    people: 2
    lat: 40.002
    lon: 113.00
"""

FORMULA_YAML = """\
scenario: "=cells a spreadsheet must not evaluate"
start: 2022-11-10T07:00
end: 2022-11-10T12:00
sites:
  - id: -dash
    name: "=SUM(A1)"
    district: "@cmd"
    lat: 40.00
    lon: 113.00
    residents: 120
  - id: plain
    name: "+1"
    district: "-2"
    lat: 40.005
    lon: 113.00
    residents: 60
teams:
  - id: -team
    name: "@leader"
    people: 2
    lat: 40.002
    lon: 113.00
"""

TWO_TEAMS_YAML = """\
scenario: two teams listed out of alphabetical order
start: 2022-11-10T07:00
end: 2022-11-10T12:00
sites:
  - id: east
    lat: 40.00
    lon: 113.01
    residents: 200
  - id: west
    lat: 40.00
    lon: 112.99
    residents: 200
    home_visits: 20
teams:
  - id: bravo
    people: 4
    lat: 40.001
    lon: 113.00
  - id: alpha
    people: 2
    lat: 39.999
    lon: 113.00
    door_to_door: false
"""


@pytest.fixture(scope="session")
def tiny_yaml() -> str:
    """One team of 4 people (2 pairs) and two small sites; everyone can be sampled.

    Horizon 07:00-13:00 on 10 Nov 2022, no ``defaults`` and no ``slot_minutes`` (so every
    default applies). Site ``north`` (lines 5-12): 240 residents, 30 at home, 2 stations;
    site ``south`` (lines 13-17): 120 residents, ``residents`` on line 17, nothing optional
    given. Team ``alpha`` (lines 19-23) starts between the two sites. Two pairs at 120
    residents per hour sample the 330 walk-in residents in under 1.5 hours and the 30 home
    visits in one more pair-hour, so the plan is complete well before 13:00.
    """
    return TINY_YAML


@pytest.fixture(scope="session")
def short_yaml() -> str:
    """A scenario whose demand cannot be met: the plan is partial.

    One pair (team ``solo``, 2 people) has two hours for 1000 walk-in residents at site
    ``big``; at 120 residents per pair-hour it samples at most 240, so coverage <= 0.24.
    """
    return SHORT_YAML


@pytest.fixture(scope="session")
def formula_yaml() -> str:
    """Ids and names that a spreadsheet would evaluate unless written with a leading '.

    Site ``-dash`` is named ``=SUM(A1)`` in district ``@cmd``; site ``plain`` is named
    ``+1`` in district ``-2``; the one pair of team ``-team`` (named ``@leader``) can
    sample all 180 residents in 1.5 hours of a 5-hour horizon.
    """
    return FORMULA_YAML


@pytest.fixture(scope="session")
def two_teams_yaml() -> str:
    """Two teams listed ``bravo`` then ``alpha`` (not alphabetical), two sites.

    ``bravo`` has 2 pairs, ``alpha`` 1 pair without home visits; 400 residents, 20 of them
    at home at ``west``. Used to check that roster.csv is ordered by team, person, start.
    """
    return TWO_TEAMS_YAML


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[..., Path]:
    """``write_yaml(text, name="scenario.yaml") -> Path``: the text as a UTF-8 file."""

    def write(text: str, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def edit(text: str, old: str, new: str) -> str:
    """``text`` with its one occurrence of ``old`` replaced by ``new``.

    Fails if ``old`` is not found exactly once, so that a variant never silently equals the
    original.
    """
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


SCENARIOS = Path(__file__).parent.parent / "scenarios"


@pytest.fixture(scope="module", params=["lingqiu-2022-11-10", "zhengzhou-jinshui-2022-11-15"])
def setting(request):
    """A shipped scenario on its grid, the bound's aim, the crews it steers, and the bound
    as a slot (rounded up): what the warm starts are made from."""
    from sampler import load_scenario
    from sampler.bound import bounds_and_aim
    from sampler.instance import Instance
    from sampler.model.crews import build_crews

    inst = Instance(load_scenario(SCENARIOS / f"{request.param}.yaml"))
    bounds, aim = bounds_and_aim(inst, curve=False)
    crews = build_crews(inst, aim.allocation)
    deadline = -(-(bounds.done_minute or inst.scenario.horizon_minutes) // inst.slot)
    return inst, aim, crews, deadline


@pytest.fixture(scope="module")
def starts(setting):
    """The warm starts of ``setting``, by name: the plain dispatcher, the one steered by
    the bound's shares, and the one taking up LP posts."""
    from sampler.heuristics.dispatch import dispatch_search, greedy_counts
    from sampler.heuristics.lp_plan import lp_guided_start

    inst, aim, crews, deadline = setting
    return {
        "dispatcher": greedy_counts(inst, crews, deadline),
        "steered": dispatch_search(inst, crews, deadline, aim.allocation, rounds=3),
        "posts": lp_guided_start(inst, crews, deadline, attempts=1, rounds=2).counts,
    }
