"""What a time limit buys: one policy, derived deterministically from the limit."""

from __future__ import annotations

import pytest

from sampler.budget import (
    CP_WALL_PER_DETERMINISTIC,
    FULL_PART_SECONDS,
    LP_PLAN_SECONDS,
    LP_PLANS_SHARE,
    LP_SECONDS_PER_VARIABLE,
    MIN_CP_SECONDS,
    MOST_LP_PLANS,
    MOST_NEIGHBOURHOODS,
    NEIGHBOURHOOD_POSTS,
    NEIGHBOURHOODS_AFTER_PARTS,
    NEIGHBOURHOODS_PER_SECOND,
    PARTS_SHARE,
    POLISH_SHARE,
    RESCUE_BUDGET,
    RETRY_CANDIDATES,
    SHORT_PART_SECONDS,
    SHORT_RETRY_CANDIDATES,
    SHORT_RETRY_POSTS,
    SolveParams,
)


def test_cp_sat_polishes_only_with_time_or_to_finish_what_was_left():
    assert SolveParams(time_limit=MIN_CP_SECONDS).cp_budget(unfinished=False) == pytest.approx(
        0.3 * MIN_CP_SECONDS
    )
    short = SolveParams(time_limit=1.0)
    assert short.cp_budget(unfinished=False) is None
    assert short.cp_budget(unfinished=True) == RESCUE_BUDGET
    assert SolveParams(time_limit=1.0, rescue=False).cp_budget(unfinished=True) is None


def test_a_part_gets_twice_its_share_and_one_thread():
    params = SolveParams(time_limit=12, seed=7, workers=2)
    part = params.for_part(parts=12, sites=30)
    assert part.time_limit == pytest.approx(2.0 * PARTS_SHARE)
    assert (part.seed, part.workers, part.patterns_per_team) == (7, 1, 1)
    assert part.lp_plan is (part.time_limit >= LP_PLAN_SECONDS)
    assert part.candidates.max_sites == 30
    assert params.for_part(parts=1, sites=5).candidates.max_sites == 16
    # However many parts, each gets at least half a second.
    assert params.for_part(parts=1000, sites=30).time_limit == 0.5


def test_a_plan_made_in_parts_gets_fewer_neighbourhoods_after_them():
    """The parts spend the limit; a plan made whole has only the neighbourhoods."""
    params = SolveParams(time_limit=12)
    assert params.neighbourhoods() == MOST_NEIGHBOURHOODS
    assert params.neighbourhoods(after_parts=True) == NEIGHBOURHOODS_AFTER_PARTS
    assert NEIGHBOURHOODS_AFTER_PARTS < MOST_NEIGHBOURHOODS
    short = SolveParams(time_limit=2)  # (fewer than either cap)
    expected = int(2 * NEIGHBOURHOODS_PER_SECOND)
    assert short.neighbourhoods() == short.neighbourhoods(after_parts=True) == expected


def test_a_retry_takes_the_lp_plan_on_fewer_sites():
    retry = SolveParams(time_limit=12).for_part(parts=12, sites=40).retry()  # (1.5 s)
    assert retry.lp_plan and retry.candidates.max_sites == RETRY_CANDIDATES
    assert retry.posts_cp == NEIGHBOURHOOD_POSTS
    assert not retry.dispatch_starts and SolveParams().dispatch_starts


def test_a_short_part_retries_on_a_smaller_lp():
    """A city's parts, with less time each than a district's, retry on fewer candidate
    sites with less for CP-SAT's posts; in between, in proportion."""
    short = SolveParams(time_limit=SHORT_PART_SECONDS).retry()
    assert short.candidates.max_sites == SHORT_RETRY_CANDIDATES
    assert short.posts_cp == pytest.approx(SHORT_RETRY_POSTS)
    assert SolveParams(time_limit=0.5).retry().candidates.max_sites == SHORT_RETRY_CANDIDATES
    full = SolveParams(time_limit=FULL_PART_SECONDS).retry()
    assert (full.candidates.max_sites, full.posts_cp) == (RETRY_CANDIDATES, NEIGHBOURHOOD_POSTS)
    middle = SolveParams(time_limit=(SHORT_PART_SECONDS + FULL_PART_SECONDS) / 2).retry()
    assert middle.candidates.max_sites == (RETRY_CANDIDATES + SHORT_RETRY_CANDIDATES) // 2
    assert SHORT_RETRY_POSTS < middle.posts_cp < NEIGHBOURHOOD_POSTS


def test_cp_sat_polishes_with_what_the_start_leaves():
    """The start's LP plans are paid first: CP-SAT's polish gets what is left of its share
    of the limit (never less than a tenth of a second, never more than a third of the
    limit), and a plan left unfinished still gets the rescue budget."""
    params = SolveParams(time_limit=5)
    assert params.cp_budget(unfinished=False) == pytest.approx(params.solver_budget)
    left = (POLISH_SHARE * 5 - 3.0) / CP_WALL_PER_DETERMINISTIC
    assert params.cp_budget(unfinished=False, spent=3.0) == pytest.approx(left)
    assert params.cp_budget(unfinished=False, spent=60.0) == pytest.approx(0.1)
    assert params.cp_budget(unfinished=True, spent=60.0) == RESCUE_BUDGET


def test_a_model_too_large_for_its_budget_is_not_polished():
    """CP-SAT polishes a model only where its budget can load it, and never above
    max_model_variables however long it has."""
    params = SolveParams(time_limit=5)
    assert params.polishes(20_000, 1.5)
    assert not params.polishes(40_000, 1.5)
    assert params.polishes(40_000, 3.0)
    assert not params.polishes(70_000, 100.0)
    assert not params.polishes(100, None)


def test_lp_plans_fit_the_time_limit(setting):
    """The start's LP plans cost their LP's size, CP-SAT's posts and dispatches: a small
    LP gets three where a large one gets fewer, as many as fit in the limit's share, and
    never none; few rounds (a part's effort) get one."""
    inst = setting[0]
    params = SolveParams(time_limit=5)
    assert params.lp_plans(inst, 100) == MOST_LP_PLANS
    dear = int(LP_PLANS_SHARE * params.time_limit / LP_SECONDS_PER_VARIABLE)  # all of it
    assert params.lp_plans(inst, dear) == 1
    assert SolveParams(time_limit=15).lp_plans(inst, dear) == MOST_LP_PLANS - 1
    assert params.lp_plans(inst, 100 * dear) == 1
    assert SolveParams(time_limit=60, rounds=3).lp_plans(inst, 100) == 1


def test_rounds_given_are_kept():
    assert SolveParams(rounds=7).rounds_for(inst=None) == 7  # type: ignore[arg-type]


def test_a_part_of_a_whole_told_no_lp_plan_gets_none():
    """A replan's ring says no LP plan; its parts must not take one up however long they
    have, while a part of an ordinary plan takes one with time enough."""
    assert SolveParams(time_limit=60, lp_plan=False).for_part(parts=2, sites=30).lp_plan is False
    assert SolveParams(time_limit=60).for_part(parts=2, sites=30).lp_plan is True


def test_the_afternoon_replan_budget_is_pairs_cut_in_proportion_to_the_limit():
    """README: 1,000 pairs cut at --time-limit 5, 2,400 at 12; none without time."""
    assert SolveParams(time_limit=5).refill_pairs() == 1_000
    assert SolveParams(time_limit=12).refill_pairs() == 2_400
    assert SolveParams(time_limit=0.001).refill_pairs() == 0


def test_trades_grow_with_the_limit_and_shrink_for_a_city():
    """README: 20 trades at --time-limit 5 on a small plan (a top-up each, 0.1 s), at most
    30; an understaffed district's top-up (1,275 pairs, 400 sites) about 2 s, so 2 at
    --time-limit 12; a city's (7,565 pairs, 2,400 sites) about 73 s: none at 45."""
    assert SolveParams(time_limit=5).trades(pairs=200, sites=40) == 20
    assert SolveParams(time_limit=60).trades(pairs=200, sites=40) == 30
    assert SolveParams(time_limit=12).trades(pairs=1_275, sites=400) == 2
    assert SolveParams(time_limit=45).trades(pairs=7_565, sites=2_400) == 0
    assert SolveParams(time_limit=0.01).trades(pairs=200, sites=40) == 0
