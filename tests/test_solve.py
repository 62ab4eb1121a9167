"""``solve``: the crews a time limit buys."""

from __future__ import annotations

import importlib
from pathlib import Path

from sampler import load_scenario, solve
from sampler.budget import SolveParams

# The module, not the function the package exports under the same name.
solve_module = importlib.import_module("sampler.solve")

LINGQIU = Path(__file__).parent.parent / "scenarios" / "lingqiu-2022-11-10.yaml"


def test_squads_give_way_to_one_duty_pattern_when_their_lp_plans_do_not_fit(monkeypatch):
    """Lingqiu's one team: squads (three duty patterns) make an LP of 1,153 variables, one
    pattern 401. Priced here at a millisecond a variable, two squad LP plans (2.3 s) fit
    60% of 10 s but not of 2 s, where two one-pattern plans (0.8 s) do: the planner then
    plans with one crew, not three."""
    monkeypatch.setattr(solve_module, "lp_attempt_seconds", lambda size, posts: size / 1000)
    scenario = load_scenario(LINGQIU)
    roomy = solve(scenario, SolveParams(time_limit=10))
    short = solve(scenario, SolveParams(time_limit=2))
    assert roomy.solver.crews == 3
    assert short.solver.crews == 1
    assert short.plan.complete  # one pattern still samples everyone
