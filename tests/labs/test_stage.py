"""sampler.labs (plan_labs): the lab stage of a planned day, as files, is what the checker
recomputes, for any labs, pooling and couriers; and the same input gives the same bytes.

The tiny scenario is planned once; each example gives it other labs (rates, hours, batch
minutes), pooling and pickups, runs the lab stage on the same sampling plan, writes the
folder and checks it.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sampler.budget import SolveParams
from sampler.check import check_plan
from sampler.export import write_plan
from sampler.labs import plan_labs
from sampler.plan import Plan
from sampler.scenario import ClockWindow, Scenario
from sampler.solve import solve


@pytest.fixture(scope="module")
def solved(labs_scenario):
    return solve(labs_scenario, SolveParams(time_limit=1, seed=0, workers=1))


def test_every_sample_is_collected_once(solved) -> None:
    labs = solved.labs
    assert labs.samples == solved.plan.sampled
    per_site = {}
    for c in labs.collections:
        per_site[c.site] = per_site.get(c.site, 0) + c.samples
    totals = solved.plan.site_totals
    assert per_site == {s: int(totals.sampled[s]) for s in totals.index if totals.sampled[s]}
    batch = {lab.id: lab.batch_minutes for lab in solved.scenario.labs}
    for c, lab, arrive, tested, result in zip(
        labs.collections, labs.lab, labs.arrival, labs.tested_at, labs.results_at, strict=True
    ):
        assert c.pickup <= arrive <= tested  # carried, then queued: never tested early
        assert result == tested + batch[lab]


def test_same_input_same_bytes(solved, tmp_path) -> None:
    one = write_plan(replace(solved, labs=plan_labs(solved.plan, solved.bounds)), tmp_path / "1")
    two = write_plan(replace(solved, labs=plan_labs(solved.plan, solved.bounds)), tmp_path / "2")
    for name in ("collections.csv", "labs.csv", "sites.csv", "plan.json"):
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


lab_settings = st.fixed_dictionaries(
    {
        "tubes_per_hour": st.integers(1, 40),
        "batch_minutes": st.integers(20, 300),
        "open": st.one_of(
            st.none(),
            st.tuples(st.integers(0, 23 * 60), st.integers(60, 20 * 60)).map(
                lambda w: ClockWindow(start=w[0], end=(w[0] + w[1]) % (24 * 60))
            ),
        ),
    }
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    near=lab_settings,
    far=lab_settings,
    every=st.integers(10, 120),
    walk_in=st.integers(1, 20),
    door_to_door=st.integers(1, 4),
)
def test_any_labs_give_a_plan_the_checker_accepts(
    solved, tmp_path_factory, near, far, every, walk_in, door_to_door
) -> None:
    sc = solved.scenario
    data = sc.model_dump(mode="json", exclude_none=True)
    for lab, update in zip(data["labs"], (near, far), strict=True):
        lab.update(update, open=None if update["open"] is None else str(update["open"]))
    data["pooling"] = {"walk_in": walk_in, "door_to_door": door_to_door}
    data["couriers"] = {"every_minutes": every, "speed_kmh": 30, "max_swab_to_lab_minutes": 240}
    other = Scenario.model_validate(data)  # validated afresh: no cached lookups of sc
    plan = Plan(other, solved.plan.rows)
    result = replace(solved, scenario=other, plan=plan, labs=plan_labs(plan, solved.bounds))
    folder = write_plan(result, tmp_path_factory.mktemp("any-labs") / "plan")
    report = check_plan(other, folder)
    assert report.ok, report.summary()
    bound = result.labs.lower_bound_minute
    assert bound is not None and bound <= result.labs.results_done_minute
