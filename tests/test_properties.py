"""Property: every plan of a random small scenario passes the independent checker and never
claims more than the scenario allows (nor beats its own proven bounds)."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sampler import check_plan, load_scenario_text, solve, write_plan
from sampler.solve import SolveParams, Status

WINDOWS = [None, "08:00-14:00", "09:00-13:00", "10:30-14:00", "08:00-11:00"]


@st.composite
def scenarios(draw) -> str:
    """A small scenario in the CONTRACT format, as YAML text."""
    n_sites = draw(st.integers(1, 4))
    sites = []
    for k in range(n_sites):
        residents = draw(st.integers(0, 400))
        site = {
            "id": f"s{k}",
            "lat": 40.0 + draw(st.integers(-30, 30)) / 1000,
            "lon": 113.0 + draw(st.integers(-30, 30)) / 1000,
            "residents": residents,
            "home_visits": draw(st.integers(0, residents)),
            "sealed": draw(st.booleans()),
            "stations": draw(st.integers(1, 4)),
            "priority": draw(st.integers(1, 2)),
        }
        window = draw(st.sampled_from(WINDOWS))
        if window:
            site["open"] = window
        sites.append(site)
    teams = []
    for k in range(draw(st.integers(1, 3))):
        team = {
            "id": f"t{k}",
            "people": draw(st.integers(0, 8)),
            "lat": 40.0 + draw(st.integers(-60, 60)) / 1000,
            "lon": 113.0 + draw(st.integers(-60, 60)) / 1000,
            "door_to_door": draw(st.booleans()),
            "walk_in_per_hour": draw(st.sampled_from([45, 60, 75, 120])),
            "door_to_door_per_hour": draw(st.sampled_from([20, 21, 30])),
            "max_suit_minutes": draw(st.sampled_from([90, 120, 240, 390])),
        }
        window = draw(st.sampled_from(WINDOWS))
        if window:
            team["available"] = window
        teams.append(team)
    scenario = {
        "scenario": "random",
        "start": "2022-11-10T08:00",
        "end": "2022-11-10T14:00",
        "slot_minutes": draw(st.sampled_from([30, 60])),
        "sites": sites,
        "teams": teams,
    }
    return yaml.safe_dump(scenario, sort_keys=False)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=scenarios())
def test_every_plan_passes_the_checker(text, tmp_path_factory):
    scenario = load_scenario_text(text, "random.yaml")
    result = solve(scenario, SolveParams(time_limit=1, seed=0))
    out = write_plan(result, tmp_path_factory.mktemp("plan") / "out")
    report = check_plan(scenario, out)
    assert report.ok, report.summary() + "\n" + text

    plan = result.plan
    assert plan.sampled <= scenario.total_residents
    assert plan.sampled <= result.bounds.max_sampled
    assert (result.status is Status.PARTIAL) == (plan.sampled < scenario.total_residents)
    if result.done_minute is not None and result.lower_bound_minute is not None:
        assert result.done_minute >= result.lower_bound_minute
    if result.lower_bound_minute is None:
        assert result.status is Status.PARTIAL
