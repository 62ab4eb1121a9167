"""Large-neighbourhood search: a neighbourhood is kept only if the whole plan gets better,
and every plan it returns passes the checker."""

from __future__ import annotations

import dataclasses

import pandas as pd
from hypothesis import HealthCheck, given, settings

from sampler import check_plan, load_scenario_text, solve, write_plan
from sampler.budget import SolveParams
from sampler.lns import improve, score, serve_closing_sites
from sampler.plan import PAIR_COLUMNS, Plan
from sampler.result import status_of
from sampler.solve import solve_whole
from tests.test_properties import scenarios

ONE_SITE_TWO_PAIRS = """\
scenario: one compound, a pair left at the base
start: 2022-11-10T08:00
end: 2022-11-10T12:00
sites:
- {id: a, lat: 40.0, lon: 113.0, residents: 200, sealed: true}
- {id: b, lat: 40.001, lon: 113.0, residents: 0}
teams:
- {id: t, people: 4, lat: 40.0, lon: 113.0}
"""


def test_a_pair_left_at_the_base_is_sent_where_residents_are_left():
    """A plan that keeps one of two pairs at its base, and the other working two of the
    four hours, samples 60 of 200 home visits (30 an hour). Re-planned as a neighbourhood,
    a with both pairs (the unused one joins it) samples more: up to 240 in four hours."""
    sc = load_scenario_text(ONE_SITE_TWO_PAIRS)
    rows = pd.DataFrame([["t", "t-p01", "door_to_door", "a", 0, 120, 60]], columns=PAIR_COLUMNS)
    start = Plan(sc, rows)
    params = SolveParams(time_limit=1, seed=0).for_neighbourhood()
    better, stats = improve(start, params, solve_whole, count=3)
    assert stats.solved >= 1 and stats.improved >= 1
    assert better.sampled > start.sampled
    assert score(better) > score(start)
    assert set(better.rows.pair) == {"t-p01", "t-p02"}


def test_what_the_neighbourhoods_leave_is_topped_up():
    """With no neighbourhood solved, the residents the plan leaves still go to pairs with
    time to spare: of the 200 home visits (30 an hour), the working pair samples 60 more
    from 10:00 to 12:00 and the pair at the base 120 in four hours, so all 200 are
    sampled. (Before, a plan came out of the search as it went in when nothing improved.)"""
    sc = load_scenario_text(ONE_SITE_TWO_PAIRS)
    rows = pd.DataFrame([["t", "t-p01", "door_to_door", "a", 0, 120, 60]], columns=PAIR_COLUMNS)
    start = Plan(sc, rows)
    params = SolveParams(time_limit=1, seed=0).for_neighbourhood()
    topped, stats = improve(start, params, solve_whole, count=0)
    assert stats.solved == 0
    assert start.sampled == 60 and topped.sampled == 200 and topped.complete


def walking_in(team: str, pairs: range, site: str, trip: int, end: int, samples: int) -> list:
    """Rows of the team's pairs ``pairs`` (numbers): a trip to ``site`` from 07:00 for
    ``trip`` minutes, then walk-in there until ``end``, ``samples`` each."""
    return [
        [team, f"{team}-p{k:02d}", activity, site, start, stop, n]
        for k in pairs
        for activity, start, stop, n in (("travel", 0, trip, 0), ("walk_in", trip, end, samples))
    ]


def assert_passes_checker(sc, plan: Plan, tmp_path) -> None:
    """The plan, written as a result of the scenario, passes ``sampler check``."""
    result = solve(sc, SolveParams(time_limit=1, seed=0))
    changed = dataclasses.replace(
        result, plan=plan, status=status_of(plan, None), lower_bound_minute=None
    )
    report = check_plan(sc, write_plan(changed, tmp_path / "out"))
    assert report.ok, report.summary()


MORNING_COMPOUND = """\
scenario: a compound open 07:00-09:00 left short, both pairs at an all-day estate
start: 2022-11-10T07:00
end: 2022-11-10T13:30
sites:
- {id: compound, lat: 40.0, lon: 113.0, residents: 60, sealed: true, open: "07:00-09:00"}
- {id: estate, lat: 40.0, lon: 113.001, residents: 600, home_visits: 0, stations: 4}
teams:
- {id: t, people: 4, lat: 40.0, lon: 113.0}
"""


def test_a_site_that_closes_early_draws_pairs_from_work_that_can_wait(tmp_path):
    """Both pairs walk in at the estate from 07:01 to 09:31 (300 residents each, 120 an
    hour, all 600), and the compound's 60 home visits (30 an hour) are left when it closes
    at 09:00. The estate stays open: drawing its two nearest pairs (60 visits in half of
    the compound's two hours at 30 an hour take two) and topping up the compound first,
    one pair samples all 60 by 09:00 and the other the estate's 600, until 12:01:
    everyone is sampled, and the plan passes the checker."""
    sc = load_scenario_text(MORNING_COMPOUND)
    start = Plan(
        sc, pd.DataFrame(walking_in("t", range(1, 3), "estate", 1, 151, 300), columns=PAIR_COLUMNS)
    )
    assert start.sampled == 600 and not start.complete
    served = serve_closing_sites(start)
    assert served.complete and served.sampled == 660
    assert score(served) > score(start)
    assert_passes_checker(sc, served, tmp_path)


FAR_AND_NEAR = """\
scenario: a compound open 07:00-09:00; the pairs working beside it come from far
start: 2022-11-10T07:00
end: 2022-11-10T15:00
sites:
- {id: compound, lat: 40.0, lon: 113.0, residents: 60, sealed: true, open: "07:00-09:00"}
- {id: near, lat: 40.0, lon: 113.001, residents: 1080, home_visits: 0, stations: 9}
- {id: far, lat: 40.2, lon: 113.0, residents: 120, home_visits: 0}
teams:
- {id: away, people: 18, lat: 40.23, lon: 113.0}
- {id: local, people: 2, lat: 40.0, lon: 113.0}
"""


def test_a_site_that_closes_early_draws_the_pairs_that_can_reach_it_soonest(tmp_path):
    """The compound's 60 home visits are left when it closes at 09:00. Nine pairs of
    ``away`` walk in beside it (at ``near``) from 08:40, their base 26 km off: freed,
    they would reach the compound at 08:40 too. The one pair of ``local`` works at
    ``far``, 22 km away, but starts the day at the compound. Drawn by where they work,
    two of ``away``'s pairs would come (20 minutes each: 20 home visits); drawn by how
    soon they can reach it, ``local``'s pair comes first, samples the compound from
    07:00 to 09:00 (60 at 30 an hour) and goes on to ``far``: everyone is sampled, and
    the plan passes the checker."""
    sc = load_scenario_text(FAR_AND_NEAR)
    away = walking_in("away", range(1, 10), "near", 100, 160, 120)
    local = walking_in("local", range(1, 2), "far", 100, 160, 120)
    start = Plan(sc, pd.DataFrame(away + local, columns=PAIR_COLUMNS))
    assert start.sampled == 1200 and not start.complete
    served = serve_closing_sites(start)
    assert served.complete
    compound = served.rows[served.rows.site == "compound"]
    assert set(compound.pair[compound.samples > 0]) == {"local-p01"}
    assert_passes_checker(sc, served, tmp_path)


THREE_COMPOUNDS = """\
scenario: three compounds open 07:00-09:00, two beside one team, one 33 km off beside another
start: 2022-11-10T07:00
end: 2022-11-10T15:00
sites:
- {id: a, lat: 40.0, lon: 113.0, residents: 60, sealed: true, open: "07:00-09:00"}
- {id: b, lat: 40.0, lon: 113.002, residents: 40, sealed: true, open: "07:00-09:00"}
- {id: estate-a, lat: 40.0, lon: 113.001, residents: 960, home_visits: 0, stations: 8}
- {id: c, lat: 40.3, lon: 113.0, residents: 20, sealed: true, open: "07:00-09:00"}
- {id: estate-c, lat: 40.3, lon: 113.001, residents: 360, home_visits: 0}
teams:
- {id: ta, people: 16, lat: 40.0, lon: 113.0}
- {id: tc, people: 2, lat: 40.3, lon: 113.0}
"""


def test_each_try_of_the_closing_sites_is_a_site_still_short():
    """All pairs walk in at the estates from 07:01: ``ta``'s eight at ``estate-a`` for an
    hour, ``tc``'s one at ``estate-c`` for three; the compounds' 120 home visits are left.
    With two tries: ``a`` (60 left) draws ``ta``'s pairs, whose top-up serves ``a`` and
    ``b`` and then the estate; ``c`` stays short (``tc``'s pair is busy until 10:01).
    ``b`` is no longer short, so the second try is ``c``: ``tc``'s pair samples it first,
    then its estate. (Had ``b`` taken the second try, ``c``'s 20 would be left.)"""
    sc = load_scenario_text(THREE_COMPOUNDS)
    ta = walking_in("ta", range(1, 9), "estate-a", 1, 61, 120)
    tc = walking_in("tc", range(1, 2), "estate-c", 1, 181, 360)
    start = Plan(sc, pd.DataFrame(ta + tc, columns=PAIR_COLUMNS))
    assert start.sampled == 1320 and not start.complete
    served = serve_closing_sites(start, tries=2)
    assert served.complete
    c = served.rows[(served.rows.site == "c") & (served.rows.samples > 0)]
    assert set(c.pair) == {"tc-p01"}


# The compound needs both pairs' two hours (120 home visits at 30 an hour).
MORNING_COMPOUND_FOR_TWO = MORNING_COMPOUND.replace("residents: 60,", "residents: 120,")


def test_a_closing_site_whose_try_is_kept_tries_again(tmp_path, monkeypatch):
    """One pair drawn at a time: the compound's 120 home visits need both pairs' two hours
    (30 an hour). The first try draws one pair, which samples 60 there before the estate:
    kept, and the compound is still short. It tries again and draws the other: everyone is
    sampled (the estate's 600 after 09:00). Tried once only, 60 would be left."""
    monkeypatch.setattr("sampler.lns.CLOSING_PAIRS", 1)
    sc = load_scenario_text(MORNING_COMPOUND_FOR_TWO)
    start = Plan(
        sc, pd.DataFrame(walking_in("t", range(1, 3), "estate", 1, 151, 300), columns=PAIR_COLUMNS)
    )
    assert start.sampled == 600 and not start.complete
    served = serve_closing_sites(start, tries=2)
    assert served.complete and served.sampled == 720
    compound = served.rows[(served.rows.site == "compound") & (served.rows.samples > 0)]
    assert set(compound.pair) == {"t-p01", "t-p02"}
    assert_passes_checker(sc, served, tmp_path)


# Twenty-four pairs walk in at a 24-station estate; the compound's 1,440 home visits need
# all twenty-four for its two open hours (30 an hour).
TWENTY_FOUR_PAIRS_AT_THE_ESTATE = (
    MORNING_COMPOUND.replace("residents: 60,", "residents: 1440,")
    .replace("residents: 600, home_visits: 0, stations: 4", "residents: 7200, stations: 24")
    .replace("people: 4,", "people: 48,")
)


def test_a_closing_site_tried_again_draws_twice_as_many_pairs(tmp_path):
    """Twenty-four pairs walk in at the estate from 07:01 to 09:31 (300 each, all 7,200);
    the compound's 1,440 home visits are left when it closes at 09:00, and need every
    pair's two hours there. The first try draws 8 (60 each: 960 left), and is kept; the
    second may draw twice as many, and draws the other 16: the compound is sampled by
    09:00, and the estate after it. (Eight again would leave 480: a heat district's
    communities open 07:00-11:00 drew 8 a try and ran out of tries with 1,954 left.)"""
    sc = load_scenario_text(TWENTY_FOUR_PAIRS_AT_THE_ESTATE)
    start = Plan(
        sc,
        pd.DataFrame(walking_in("t", range(1, 25), "estate", 1, 151, 300), columns=PAIR_COLUMNS),
    )
    assert start.sampled == 7200 and not start.complete
    served = serve_closing_sites(start, tries=2)
    assert served.complete and served.sampled == 8640
    compound = served.rows[(served.rows.site == "compound") & (served.rows.samples > 0)]
    assert compound.pair.nunique() == 24
    assert_passes_checker(sc, served, tmp_path)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=scenarios())
def test_neighbourhoods_never_make_a_plan_worse_nor_invalid(text, tmp_path_factory):
    scenario = load_scenario_text(text, "random.yaml")
    result = solve(scenario, SolveParams(time_limit=0.5, seed=0))  # (no neighbourhoods)
    params = SolveParams(time_limit=1, seed=0).for_neighbourhood()
    plan, stats = improve(result.plan, params, solve_whole, count=4)
    assert score(plan) >= score(result.plan)
    assert stats.improved <= stats.solved <= 4
    bound = result.lower_bound_minute if plan.complete else None
    changed = dataclasses.replace(
        result, plan=plan, status=status_of(plan, bound), lower_bound_minute=bound, shortfalls=()
    )
    out = write_plan(changed, tmp_path_factory.mktemp("lns") / "out")
    report = check_plan(scenario, out)
    assert report.ok, report.summary() + "\n" + text


def test_a_closing_site_whose_draw_is_not_kept_draws_again_only_the_pairs_it_needs(
    monkeypatch,
):
    """The compound's 60 home visits need one pair's two open hours (30 an hour). Both
    pairs at the estate can be drawn: the first try draws both. Here the top-up gives
    nothing back (a spy that returns the rows it gets), so the try leaves the plan worse
    and is not kept; the next draws only the one pair the compound needs."""
    drawn: list[int] = []

    def spy(scenario, rows, *args, **kwargs):
        drawn.append(2 - rows.pair.nunique())
        return rows

    monkeypatch.setattr("sampler.lns.top_up", spy)
    sc = load_scenario_text(MORNING_COMPOUND)
    start = Plan(
        sc, pd.DataFrame(walking_in("t", range(1, 3), "estate", 1, 151, 300), columns=PAIR_COLUMNS)
    )
    served = serve_closing_sites(start)
    assert drawn == [2, 1]
    assert served is start
