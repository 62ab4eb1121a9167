"""sampler.labs.bound: no choice of labs beats the bound, and each part of it holds.

The tiny scenario is planned once; then every way of sending its collections to its two
labs is run through the first-in, first-out queues (the exact times), with each lab's
trips, and the latest result of each is compared with the bound.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from sampler.budget import SolveParams
from sampler.labs import courier_minutes
from sampler.labs.bound import fewest_tubes, results_bound
from sampler.labs.hours import LabHours
from sampler.labs.queue import run_queue
from sampler.solve import solve


@pytest.fixture(scope="module")
def solved(labs_scenario):
    return solve(labs_scenario, SolveParams(time_limit=1, seed=0, workers=1))


def _latest_result(sc, collections, choice) -> int:
    travel = courier_minutes(sc)
    index = {s.id: i for i, s in enumerate(sc.sites)}
    latest = 0
    for j, lab in enumerate(sc.labs):
        mine = sorted(
            (c.pickup + int(travel[index[c.site], j]), c.tubes)
            for c, k in zip(collections, choice, strict=True)
            if k == j
        )
        if mine:
            queue = run_queue(LabHours(sc, lab), [a for a, _ in mine], [n for _, n in mine])
            latest = max(latest, max(queue.tested_at) + lab.batch_minutes)
    return latest


def test_no_choice_of_labs_beats_the_bound(solved) -> None:
    sc, labs = solved.scenario, solved.labs
    assert labs.lower_bound_minute is not None
    collections = labs.collections
    assert len(collections) <= 10  # 2 ** n choices
    best = min(
        _latest_result(sc, collections, choice)
        for choice in itertools.product(range(len(sc.labs)), repeat=len(collections))
    )
    assert labs.lower_bound_minute <= best <= labs.results_done_minute
    # The greedy alone sends all to far (13:30); polished, south goes to near: the best.
    assert labs.results_done_minute == best
    assert _latest_result(sc, collections, [sc.labs.index(sc.lab_by_id[n]) for n in labs.lab]) == (
        labs.results_done_minute
    )


def test_the_bound_counts_every_tube_a_full_round_needs(labs_scenario) -> None:
    # north: 210 walk-in (21 tubes), 30 at home (30); south: 120 walk-in (12).
    assert fewest_tubes(labs_scenario) == 63


def test_the_bound_is_at_least_the_last_swab_carried_and_tested(solved) -> None:
    sc, bounds = solved.scenario, solved.bounds
    hours = [LabHours(sc, lab) for lab in sc.labs]
    bound = results_bound(sc, bounds, hours)
    # From the earliest done_at, the nearest lab (near, about 3 minutes from north) loads
    # at its next hour and has results 60 minutes later.
    assert bound >= -(-(bounds.done_minute + 1) // 60) * 60 + 60
    # and the 63 tubes: near's 6 and far's 20 an hour from 09:00 cannot test them all
    # before 11:00; far's 11:00 loading has results at 12:30, near's at 12:00.
    assert bound >= 12 * 60 - 7 * 60


def test_without_a_full_round_there_is_no_bound(solved) -> None:
    sc = solved.scenario
    hours = [LabHours(sc, lab) for lab in sc.labs]
    assert results_bound(sc, replace(solved.bounds, done_minute=None), hours) is None
