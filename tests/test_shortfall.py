"""Each reason a site is short names the limit that binds: one scenario per reason, sized by
hand so that only that limit can bind."""

from __future__ import annotations

import pandas as pd

from sampler import load_scenario_text, solve
from sampler.bound import compute_bounds
from sampler.budget import SolveParams
from sampler.instance import Instance
from sampler.plan import PAIR_COLUMNS, Plan
from sampler.shortfall import explain_shortfalls

HEAD = """\
scenario: shortfalls
start: 2022-11-10T08:00
end: 2022-11-10T14:00
sites:
"""


def reasons(sites: str, teams: str) -> dict[str, str]:
    """Site -> reason, for the planner's own plan of the scenario."""
    result = solve(load_scenario_text(HEAD + sites + "teams:\n" + teams), SolveParams(time_limit=1))
    return {s.site: s.reason for s in result.shortfalls}


def test_no_team_sent():
    found = reasons(
        "- {id: a, lat: 40.0, lon: 113.0, residents: 10}\n",
        "- {id: t, people: 0, lat: 40.0, lon: 113.0}\n",
    )
    assert found == {"a": "no team is sent"}


def test_skills_no_trained_team():
    found = reasons(
        "- {id: a, lat: 40.0, lon: 113.0, residents: 10, sealed: true}\n",
        "- {id: t, people: 2, lat: 40.0, lon: 113.0, door_to_door: false}\n",
    )
    assert found["a"].startswith("skills: no team sent is trained")


def test_skills_the_trained_team_cannot_reach_it():
    """The trained team is 60 km away (234 minutes' drive) and the site closes at 10:00;
    the untrained one is there."""
    found = reasons(
        "- {id: a, lat: 40.0, lon: 113.0, residents: 10, sealed: true, open: '08:00-10:00'}\n",
        "- {id: near, people: 2, lat: 40.0, lon: 113.0, door_to_door: false}\n"
        "- {id: far, people: 2, lat: 40.54, lon: 113.0}\n",
    )
    assert found["a"].startswith("skills: no team trained for door-to-door sampling can reach")


def test_reach_nobody_gets_there_while_it_is_open():
    """60 km away: 234 minutes' drive, and the site is open 08:00-09:00."""
    found = reasons(
        "- {id: a, lat: 40.0, lon: 113.0, residents: 10, open: '08:00-09:00'}\n",
        "- {id: far, people: 2, lat: 40.54, lon: 113.0}\n",
    )
    assert found["a"].startswith("reach: ")


def test_stations():
    """One station, 6 hours at 120 an hour: at most 720 of 2,000 walk-in residents, with
    pairs to spare."""
    found = reasons(
        "- {id: a, lat: 40.0, lon: 113.0, residents: 2000, stations: 1}\n",
        "- {id: t, people: 20, lat: 40.0, lon: 113.0}\n",
    )
    assert found["a"].startswith("stations: 1 stations over 6 open hours take at most 720")


def test_window():
    """Two compounds open 08:00-10:00 and one pair: 120 minutes there, 240 needed."""
    found = reasons(
        "- {id: a, lat: 40.0, lon: 113.0, residents: 60, sealed: true, open: '08:00-10:00'}\n"
        "- {id: b, lat: 40.0, lon: 113.0, residents: 60, sealed: true, open: '08:00-10:00'}\n",
        "- {id: t, people: 2, lat: 40.0, lon: 113.0}\n",
    )
    assert found and all(r.startswith("window: ") for r in found.values()), found
    assert "08:00-10:00" in next(iter(found.values()))


def test_staff():
    """One pair all day at 30 an hour: 180 of 400 home visits."""
    found = reasons(
        "- {id: a, lat: 40.0, lon: 113.0, residents: 400, sealed: true}\n",
        "- {id: t, people: 2, lat: 40.0, lon: 113.0}\n",
    )
    assert found["a"].startswith("staff: ")


def test_planner_only_where_the_bound_says_everyone_can_be_sampled():
    """An empty plan of a scenario the bound says can be finished: the shortfall is the
    planner's (and no longer --time-limit is promised)."""
    sc = load_scenario_text(
        HEAD
        + "- {id: a, lat: 40.0, lon: 113.0, residents: 100}\n"
        + "teams:\n- {id: t, people: 2, lat: 40.0, lon: 113.0}\n"
    )
    inst = Instance(sc)
    bounds = compute_bounds(inst)
    assert bounds.done_minute is not None
    empty = Plan(sc, pd.DataFrame(columns=PAIR_COLUMNS))
    (short,) = explain_shortfalls(inst, empty, bounds)
    assert short.reason.startswith("planner: ") and "--time-limit" not in short.reason
