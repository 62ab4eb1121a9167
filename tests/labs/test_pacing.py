"""sampler.labs.pacing: work taken later where the labs cannot keep up, so that more
results meet the target; every stretch kept whole, every paced plan valid.

The tiny scenario with labs (tests/labs_tiny.py) with a target of 3 hours instead of 4:
the two pairs sample all 360 residents between 07:00 and 09:30, but the near lab tests 6
tubes an hour and the far one opens at 09:00, so every morning swab waits past 3 hours
(none within the target unpaced). A pair that starts later has its tubes arrive when the
far lab is open and has room: most samples then meet the target.
"""

from __future__ import annotations

import pytest

import sampler.labs.pacing as pacing
from sampler.budget import SolveParams
from sampler.check import check_plan
from sampler.export import write_plan
from sampler.loader import load_scenario_text
from sampler.plan import BREAK
from sampler.solve import solve

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
