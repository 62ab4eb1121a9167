"""The dispatchers' plans are solutions of the counting model, and rostering keeps them.

Each warm start (the plain dispatcher, the one steered by the bound's shares, and the one
taking up LP posts) is put into the CP model as a hint, and every linear constraint of the
model is evaluated on it: none may be broken. Then the counts are turned into a roster and
the plan samples exactly what the counts say.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sampler import load_scenario
from sampler.bound import bounds_and_aim
from sampler.counts import Counts
from sampler.heuristics import lp_plan
from sampler.heuristics.dispatch import dispatch_search, greedy_counts
from sampler.heuristics.lp_plan import TimeLp, lp_guided_start
from sampler.instance import Instance
from sampler.model.cpmodel import CPModel
from sampler.model.crews import build_crews
from sampler.plan import Plan
from sampler.roster import build_pair_rows

SCENARIOS = Path(__file__).parent.parent / "scenarios"


def broken_constraints(model: CPModel) -> list[str]:
    """Linear constraints of the model that the current hint breaks (names of their vars)."""
    proto = model.model.proto
    hint = dict(zip(proto.solution_hint.vars, proto.solution_hint.values, strict=True))
    names = [v.name for v in proto.variables]
    broken = []
    for index, var in enumerate(proto.variables):
        domain = list(var.domain)
        if not domain[0] <= hint.get(index, 0) <= domain[-1]:
            broken.append(f"domain of {names[index]}")
    for constraint in proto.constraints:
        if not constraint.has_linear() or len(constraint.enforcement_literal):
            continue
        linear = constraint.linear
        value = sum(c * hint.get(v, 0) for v, c in zip(linear.vars, linear.coeffs, strict=True))
        domain = list(linear.domain)
        if not domain[0] <= value <= domain[-1]:
            broken.append(", ".join(names[v] for v in linear.vars[:4]))
    return broken


@pytest.fixture(scope="module", params=["lingqiu-2022-11-10", "zhengzhou-jinshui-2022-11-15"])
def setting(request):
    inst = Instance(load_scenario(SCENARIOS / f"{request.param}.yaml"))
    bounds, aim = bounds_and_aim(inst, curve=False)
    crews = build_crews(inst, aim.allocation)
    deadline = -(-(bounds.done_minute or inst.scenario.horizon_minutes) // inst.slot)
    return inst, aim, crews, deadline


def starts(inst, aim, crews, deadline) -> dict[str, Counts]:
    return {
        "dispatcher": greedy_counts(inst, crews, deadline),
        "steered": dispatch_search(inst, crews, deadline, aim.allocation, rounds=3),
        "posts": lp_guided_start(inst, crews, deadline, attempts=1, rounds=2).counts,
    }


def test_every_start_is_a_solution_of_the_model(setting):
    inst, aim, crews, deadline = setting
    for name, counts in starts(inst, aim, crews, deadline).items():
        model = CPModel(inst, crews)
        model.hint(counts)
        assert broken_constraints(model) == [], name


def test_rosters_carry_every_sample_of_the_counts(setting):
    inst, aim, crews, deadline = setting
    for name, counts in starts(inst, aim, crews, deadline).items():
        plan = Plan(inst.scenario, build_pair_rows(inst, counts))
        assert plan.sampled == sum(counts.samples.values()), name
        assert plan.sampled <= inst.scenario.total_residents


def test_a_large_lp_plan_from_pdlp_agrees_with_glop(setting, monkeypatch):
    """Above ``PDLP_ABOVE`` variables the LP plan comes from PDLP, to a relative accuracy
    of 1e-3: on the shipped scenarios it samples what GLOP's does within that, sends the
    same pairs, stays within each variable's bounds, and its posts still dispatch to a
    solution of the model."""
    inst, _, crews, deadline = setting
    exact = TimeLp(inst, crews).plan(deadline)
    monkeypatch.setattr(lp_plan, "PDLP_ABOVE", 0)
    first_order = TimeLp(inst, crews).plan(deadline)
    assert first_order.sampled == pytest.approx(exact.sampled, rel=2e-3)
    assert sum(first_order.crew_size.values()) == pytest.approx(
        sum(exact.crew_size.values()), rel=2e-3
    )
    # Within every variable's bounds, to PDLP's accuracy (it may end a hair outside).
    pairs = {c.index: c.team.pairs for c in crews}
    assert all(v <= pairs[c] * (1 + 1e-3) for (c, _, _, _), v in first_order.pairs.items())
    model = CPModel(inst, crews)
    model.hint(lp_guided_start(inst, crews, deadline, attempts=1, rounds=2).counts)
    assert broken_constraints(model) == []


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


def test_the_lp_plan_posts_every_pair_a_morning_site_needs_while_it_is_open(tmp_path):
    # Four pairs, one suit stretch 07:00-13:30. The compound's 360 home visits take all
    # four pairs (30 an hour each) for its three open hours; then the estate's 1,200 walk-in
    # residents take them 2.5 hours (120 an hour, 4 stations). Posting the LP's mean
    # presence over the whole stretch put 2 pairs at the compound (4 x 6 / 13 slots), and
    # the compound closed with 180 home visits left; posted for its open hours it gets 4.
    path = tmp_path / "morning.yaml"
    path.write_text(MORNING_YAML, encoding="utf-8")
    inst = Instance(load_scenario(path), patterns_per_team=1)
    _, aim = bounds_and_aim(inst, curve=False)
    crews = build_crews(inst, aim.allocation)
    counts = lp_guided_start(inst, crews, inst.n_slots, attempts=1, rounds=0).counts
    compound = next(s.index for s in inst.sites if s.site.id == "compound")
    sampled = sum(n for (i, _, _), n in counts.samples.items() if i == compound)
    assert sampled == 360
