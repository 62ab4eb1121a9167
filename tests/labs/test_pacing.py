"""sampler.labs.pacing: work taken later where the labs cannot keep up, so that more
results meet the target; every stretch kept whole, every paced plan valid.

The tiny scenario with labs (tests/labs_tiny.py) with a target of 3 hours instead of 4:
the two pairs sample all 360 residents between 07:00 and 09:30, but the near lab tests 6
tubes an hour and the far one opens at 09:00, so every morning swab waits past 3 hours
(none within the target unpaced). A pair that starts later has its tubes arrive when the
far lab is open and has room: most samples then meet the target.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sampler.labs.pacing as pacing
from sampler.budget import SolveParams
from sampler.check import check_plan
from sampler.export import write_plan
from sampler.labs import paced_labs
from sampler.loader import load_scenario_text
from sampler.plan import BREAK, Plan
from sampler.scenario import Scenario
from sampler.solve import solve, status_of

PARAMS = SolveParams(time_limit=1, seed=0, workers=1)


@pytest.fixture(scope="module")
def tight(tiny_yaml: str):
    """The tiny labs scenario with results due within 180 minutes of the swab."""
    from labs_tiny import labs_yaml

    text = labs_yaml(tiny_yaml).replace("within_minutes: 240", "within_minutes: 180")
    return load_scenario_text(text, "tight.yaml")


@pytest.fixture(scope="module")
def unpaced(tight):
    """The same scenario planned with pacing switched off (no round over the pairs)."""
    saved = pacing.PASSES
    pacing.PASSES = 0
    try:
        return solve(tight, PARAMS)
    finally:
        pacing.PASSES = saved


@pytest.fixture(scope="module")
def paced(tight):
    return solve(tight, PARAMS)


def test_unpaced_misses_the_target(unpaced) -> None:
    """The premise: without pacing no sample meets the 3-hour target."""
    assert unpaced.labs.within_share == 0.0
    assert unpaced.labs.pacing.pairs_delayed == 0


def test_pacing_gets_results_within_the_target(paced, unpaced) -> None:
    labs = paced.labs
    assert labs.pacing.unmet_before == unpaced.labs.samples  # what pacing started from
    assert labs.within_share > 0.85  # 0.0 unpaced
    assert labs.pacing.pairs_delayed >= 1 and labs.pacing.pair_minutes >= 30
    assert paced.plan.sampled == unpaced.plan.sampled == paced.scenario.total_residents


def test_paced_plan_is_valid(paced, tmp_path) -> None:
    out = write_plan(paced, tmp_path / "paced")
    report = check_plan(paced.scenario, out)
    assert report.ok, report.findings


def test_each_stretch_moves_whole(paced, unpaced) -> None:
    """A paced pair does what it did, in the same order, every row as long as before; the
    rows from some point on are later by one delay (in whole slots), the pause before them
    longer by it; nothing ends after the horizon."""
    slot = paced.scenario.slot_minutes
    for pair, before in unpaced.plan.rows.groupby("pair"):
        after = paced.plan.rows[paced.plan.rows.pair == pair].sort_values("start")
        before = before.sort_values("start")
        assert list(after.activity) == list(before.activity)
        assert list(after.site) == list(before.site)
        assert list(after.samples) == list(before.samples)
        shift = (after.start.to_numpy() - before.start.to_numpy()).tolist()
        lengths_after = (after.end - after.start).to_numpy()
        lengths_before = (before.end - before.start).to_numpy()
        moved = [d for d in shift if d]
        assert len(set(moved)) <= 1 and all(d % slot == 0 and d > 0 for d in moved)
        first = next((k for k, d in enumerate(shift) if d), len(shift))
        assert all(shift[first:]), "a delay moves every row after its first"
        for k, (a, b) in enumerate(zip(lengths_after, lengths_before, strict=True)):
            if k == first - 1 and moved:
                assert before.activity.iloc[k] == BREAK and a == b + moved[0]
            else:
                assert a == b
        assert after.end.max() <= paced.scenario.horizon_minutes


def test_nothing_changes_when_the_target_is_met(labs_scenario) -> None:
    """The tiny scenario's own 4-hour target is met by every sample: the plan is the one
    the sampling stage made, row for row."""
    result = solve(labs_scenario, PARAMS)
    saved = pacing.PASSES
    pacing.PASSES = 0
    try:
        unpaced = solve(labs_scenario, PARAMS)
    finally:
        pacing.PASSES = saved
    assert result.labs.within_share == 1.0
    assert result.labs.pacing.routed == 0
    assert result.plan.rows.equals(unpaced.plan.rows)


def test_same_input_same_paced_bytes(tight, tmp_path) -> None:
    one = write_plan(solve(tight, PARAMS), tmp_path / "1")
    two = write_plan(solve(tight, PARAMS), tmp_path / "2")
    for name in ("roster.csv", "assignments.csv", "collections.csv", "plan.json"):
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


lab_settings = st.fixed_dictionaries(
    {"tubes_per_hour": st.integers(1, 30), "batch_minutes": st.integers(20, 240)}
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    near=lab_settings,
    far=lab_settings,
    within=st.integers(60, 420),
    every=st.integers(10, 120),
)
def test_any_paced_plan_passes_the_checker(
    unpaced, tmp_path_factory, near, far, within, every
) -> None:
    """Whatever the labs and the target, the paced plan is valid by ``sampler check`` (the
    roster rules included), samples what the plan it started from did, and misses the
    target for no more samples than it did."""
    sc = unpaced.scenario
    data = sc.model_dump(mode="json", exclude_none=True)
    for lab, update in zip(data["labs"], (near, far), strict=True):
        lab.update(update, open=lab.get("open") and str(sc.lab_by_id[lab["id"]].open))
    data["results_target"] = {"within_minutes": within}
    data["couriers"] = {"every_minutes": every, "speed_kmh": 30, "max_swab_to_lab_minutes": 240}
    other = Scenario.model_validate(data)  # validated afresh: no cached lookups of sc
    plan, labs = paced_labs(Plan(other, unpaced.plan.rows), unpaced.bounds)
    result = replace(
        unpaced,
        scenario=other,
        plan=plan,
        labs=labs,
        status=status_of(plan, unpaced.lower_bound_minute),
    )
    folder = write_plan(result, tmp_path_factory.mktemp("paced") / "plan")
    report = check_plan(other, folder)
    assert report.ok, report.summary()
    assert plan.sampled == unpaced.plan.sampled
    unmet = sum(
        c.samples for c, ok in zip(labs.collections, labs.within_target, strict=True) if not ok
    )
    assert unmet <= labs.pacing.unmet_before
    assert (labs.pacing.pairs_delayed > 0) == (not plan.rows.equals(unpaced.plan.rows))


def test_a_group_moves_each_pair_once() -> None:
    """A pair's last stretch and its whole day may fall in one group of a large plan: only
    the first is moved (both would move the last stretch twice, past its room), and none of
    a pair moved earlier in the round."""
    import numpy as np

    def tail(pair: str, depth: int) -> pacing._Tail:
        return pacing._Tail(pair, np.arange(3), -1, 60, frozenset({"north"}), depth)

    last_a, day_a, last_b, day_c = tail("a", 0), tail("a", 1), tail("b", 0), tail("c", 1)
    group = [last_a, last_b, day_a, day_c]
    assert pacing._one_per_pair(group, set()) == [last_a, last_b, day_c]
    assert pacing._one_per_pair(group, {"b"}) == [last_a, day_c]
