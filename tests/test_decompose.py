"""Cities in parts: parts of nearby sites of bounded size, every pair shared out once,
and a city planned in parts still gets a checked plan."""

from __future__ import annotations

import dataclasses
from collections import Counter

import numpy as np
import pytest

from benchmarks.generate import generate, write_scenario
from sampler import check_plan, decompose, load_scenario, load_scenario_text, solve, write_plan
from sampler.bound import compute_bounds
from sampler.decompose import part_size, split
from sampler.instance import Instance
from sampler.plan import Plan
from sampler.runners import LocalRunner
from sampler.solve import SolveParams, solve_whole


@pytest.fixture(scope="module")
def street(tmp_path_factory):
    """A synthetic street of about 40 sites (the benchmark generator, seed 3)."""
    path = write_scenario(generate("street", 3), tmp_path_factory.mktemp("street") / "s.yaml")
    return load_scenario(path)


@pytest.mark.parametrize("part_sites", [5, 8, 12])
def test_parts_cover_every_site_once_and_none_is_oversized(street, part_sites):
    inst = Instance(street)
    n = len(inst.sites)
    parts = split(inst, compute_bounds(inst, curve=False).done_minute, part_sites)
    assert sorted(i for p in parts for i in p.sites) == list(range(n))
    assert max(len(p.sites) for p in parts) <= 1.5 * part_sites


@pytest.mark.parametrize("early_by", [0, 90, 240])
def test_two_workers_split_the_city_as_one_does(street, early_by):
    """With two workers the share LPs of two deadlines are solved at once (the second a
    guess at the next probe): the same parts and shares, also where the deadline is too
    early and the search gallops and bisects to a later one."""
    inst = Instance(street)
    deadline = compute_bounds(inst, curve=False).done_minute - early_by
    one = split(inst, deadline, 8)
    assert split(inst, deadline, 8, workers=2) == one


def test_a_city_whose_sites_close_early_is_split_finer(street):
    """Sites that close before the deadline make parts of two thirds the size; open all
    day (the street as generated), the size asked for."""
    inst = Instance(street)
    deadline = compute_bounds(inst, curve=False).done_minute
    assert part_size(inst, deadline, 30) == 30
    closing = Instance(load_scenario_text(WEST_MORNING))
    assert part_size(closing, closing.scenario.horizon_minutes, 30) == 20
    assert part_size(closing, 0, 30) == 30  # (nothing closes before the start)


def test_every_pair_is_shared_out_once(street):
    inst = Instance(street)
    bounds = compute_bounds(inst, curve=False)
    parts = split(inst, bounds.done_minute, 10)
    sent = Counter()
    for part in parts:
        for team, pairs in part.pairs.items():
            assert pairs > 0
            sent[team] += pairs
    assert dict(sent) == {t.index: t.pairs for t in inst.teams if t.pairs}


def test_no_part_gets_far_less_staff_than_its_share_of_work(street):
    """The share LP gives each part the same margin: no part's staff-hours fall far below
    its share of the work (the rounding to whole pairs aside)."""
    inst = Instance(street)
    bounds = compute_bounds(inst, curve=False)
    parts = split(inst, bounds.done_minute, 10)
    work = np.array([sum(inst.sites[i].site.residents for i in p.sites) for p in parts], float)
    staff = np.array([sum(p.pairs.values()) for p in parts], float)
    ratio = (staff / staff.sum()) / (work / work.sum())
    assert ratio.min() > 0.3


def test_a_city_in_parts_passes_the_checker_and_counts_its_parts_done(street, tmp_path):
    steps = []
    result = solve(street, SolveParams(time_limit=2, seed=0, part_sites=10), on_step=steps.append)
    assert result.solver.parts is not None and result.solver.parts.parts >= 3
    n = result.solver.parts.parts
    parts = [(s.done, s.total) for s in steps if s.what == "planning parts"]
    assert parts == [(k, n) for k in range(n + 1)]  # each part counted once, as it is done
    retried = [s.done for s in steps if s.what == "planning late parts again"]
    assert retried == list(range(result.solver.parts.parts_retried + 1 if retried else 0))
    whats = [s.what for s in steps]
    assert whats[0] == "lower bound" and whats.index("topping up") > whats.index("planning parts")
    # Where its planning time went: the split, the parts, their second tries, inside solve.
    laps = result.timings
    assert {"split", "parts", "retries", "end_forward"} <= set(laps)
    assert laps["split"] + laps["parts"] + laps["retries"] <= laps["solve"] + 0.002  # (rounded)
    assert laps["end_forward"] <= laps["finish"]
    write_plan(result, tmp_path / "plan")
    report = check_plan(street, tmp_path / "plan")
    assert report.ok, report.violations
    assert result.plan.coverage > 0.99


def test_a_city_in_parts_reports_cp_sat_posts_summed_over_its_parts(street):
    """Each part's CP-SAT posts (tried, better than the rounded LP posts, kept as its
    start) are the city's, summed: here every part tried them once and won, and those of
    an odd number of sites kept them."""

    def part_solver(scenario, params):
        result = solve_whole(scenario, params)
        kept = len(scenario.sites) % 2
        posts = {"tried": 1, "won": 1, "kept": kept}
        return dataclasses.replace(
            result, solver=dataclasses.replace(result.solver, cp_posts=posts)
        )

    inst = Instance(street)
    params = SolveParams(time_limit=1, seed=0, part_sites=10)
    deadline = compute_bounds(inst, curve=False).done_minute
    _, stats = decompose.plan_in_parts(
        street, inst, deadline, params, part_solver, runner=LocalRunner(1)
    )
    assert stats.parts is not None
    n = stats.parts.parts
    odd = sum(size % 2 for size in stats.parts.part_sites)
    assert stats.cp_posts == {"tried": n, "won": n, "kept": odd}
    assert 0 < odd < n  # (the test tells kept from tried)


WEST_MORNING = """\
scenario: morning compounds and an estate west, estates east, one team between
start: 2022-11-10T07:00
end: 2022-11-10T21:00
sites:
  - {id: w1, lat: 40.0, lon: 113.0, residents: 300, sealed: true, stations: 1,
     open: "07:00-12:00"}
  - {id: w2, lat: 40.002, lon: 113.0, residents: 300, sealed: true, stations: 1,
     open: "07:00-12:00"}
  - {id: w3, lat: 40.001, lon: 113.001, residents: 3000, stations: 6}
  - {id: e1, lat: 40.0, lon: 113.2, residents: 9000, stations: 10}
  - {id: e2, lat: 40.002, lon: 113.2, residents: 9000, stations: 10}
teams:
  - {id: alpha, people: 40, lat: 40.0, lon: 113.1}
"""


def test_work_that_closes_early_gets_its_margin_of_pairs(monkeypatch):
    """The west part's 600 home visits must be made by noon and its estate's walk-in can
    wait: shared for its whole work at the bound, the west gets 5 of the 20 pairs (675
    home visits' worth by noon, a margin of 1.125 that trips and whole posts eat); with
    the morning's work shared out EARLY_MARGIN times over, 6 (810: 1.35 times)."""
    inst = Instance(load_scenario_text(WEST_MORNING))
    deadline = compute_bounds(inst, curve=False).done_minute

    def west_pairs() -> int:
        parts = split(inst, deadline, 2.5)
        west = next(p for p in parts if inst.sites[p.sites[0]].site.id.startswith("w"))
        assert {inst.sites[i].site.id for i in west.sites} == {"w1", "w2", "w3"}
        return sum(west.pairs.values())

    with_margin = west_pairs()
    monkeypatch.setattr(decompose, "EARLY_MARGIN", 1.0)
    assert west_pairs() == 5
    assert with_margin == 6


@pytest.mark.parametrize("suit", [120, 390])
def test_a_late_part_that_had_the_lp_plan_at_once_tries_again_taking_turns(suit):
    """Both parts come back unfinished from their first try (made so here). The west
    part, whose homes close at noon, had the LP plan at once: under two-hour suits its
    second try has its teams take turns among duty patterns; under the default 390
    minutes it is not tried again. The east part had the dispatchers only: its second
    try gets the LP plan, as before. A part tried again keeps its better plan (the
    second: the first planned nothing)."""
    scenario = load_scenario_text(
        WEST_MORNING.replace(
            "start:", f"defaults: {{max_suit_minutes: {suit}, min_break_minutes: 30}}\nstart:"
        )
    )
    inst = Instance(scenario)
    tries: list[tuple[str, bool, bool]] = []

    def part_solver(sc, params):
        tries.append((sc.sites[0].id[0], params.lp_plan, params.take_turns))
        result = solve_whole(sc, params)
        if len(tries) <= 2:  # (the first tries: nothing planned)
            return dataclasses.replace(result, plan=Plan(sc, result.plan.rows.iloc[:0]))
        return result

    params = SolveParams(time_limit=1, seed=0, part_sites=4)
    deadline = compute_bounds(inst, curve=False).done_minute
    rows, stats = decompose.plan_in_parts(
        scenario, inst, deadline, params, part_solver, runner=LocalRunner(1)
    )
    assert sorted(tries[:2]) == [("e", False, False), ("w", True, False)]
    again = [("e", True, False)] + ([("w", True, True)] if suit == 120 else [])
    assert sorted(tries[2:]) == again
    assert stats.parts is not None and stats.parts.parts_retried == len(again)
    assert Plan(scenario, rows).sampled > 0


EVENING_WEST = """\
scenario: a community open in the evening only west, estates east
start: 2022-07-15T07:00
end: 2022-07-15T21:30
sites:
  - {id: w1, lat: 40.0, lon: 113.0, residents: 3000, stations: 12, open: "15:00-21:00"}
  - {id: w2, lat: 40.002, lon: 113.0, residents: 300, stations: 2}
  - {id: e1, lat: 40.0, lon: 113.2, residents: 6000, stations: 10}
  - {id: e2, lat: 40.002, lon: 113.2, residents: 6000, stations: 10}
teams:
  - {id: early, people: 20, lat: 40.0, lon: 113.05, available: "07:00-14:00"}
  - {id: late, people: 20, lat: 40.0, lon: 113.15}
"""


def test_work_that_opens_late_gets_pairs_still_there_when_it_opens():
    """The west's community opens at 15:00; the team based nearest it leaves at 14:00.
    Its 3,000 residents need 25 pair-hours after 15:00 (at 120 an hour), so at least 5 of
    the all-day team's pairs even if they stayed until 21:00; the early team's are of no
    use there. (Counted by closing time alone, the early team's morning paid for the
    west's evening: the west got 5 early pairs and no late ones.)"""
    inst = Instance(load_scenario_text(EVENING_WEST))
    deadline = compute_bounds(inst, curve=False).done_minute
    parts = split(inst, deadline, 2)
    west = next(p for p in parts if inst.sites[p.sites[0]].site.id.startswith("w"))
    assert {inst.sites[i].site.id for i in west.sites} == {"w1", "w2"}
    early, late = (next(t for t in inst.teams if t.id == name) for name in ("early", "late"))
    assert early.index not in west.pairs
    assert west.pairs.get(late.index, 0) >= 5


def _evening_west_with_estates(estates: int) -> str:
    """An evening-only community and an all-day one west, whose only near team leaves at
    14:00; ``estates`` all-day estates east, near an all-day team."""
    east = "\n".join(
        f"  - {{id: e{k}, lat: {40.0 + 0.01 * k:.3f}, lon: 113.3, residents: 2000, stations: 10}}"
        for k in range(estates)
    )
    return f"""\
scenario: one evening-only community west whose only near team leaves at 14:00
start: 2022-07-15T07:00
end: 2022-07-15T21:30
sites:
  - {{id: w1, lat: 40.0, lon: 112.9, residents: 1000, stations: 10, open: "15:00-21:00"}}
  - {{id: w2, lat: 40.001, lon: 112.9, residents: 1000, stations: 10}}
{east}
teams:
  - {{id: early, people: 40, lat: 40.0, lon: 112.91, available: "07:00-14:00"}}
  - {{id: all, people: 60, lat: 40.06, lon: 113.31}}
"""


def test_a_part_that_opens_late_draws_teams_still_at_work_then(monkeypatch):
    """The west's evening-only community has no near team still at work after 15:00 (a
    second reading of the split found it): without a draw, the share LP had no pair for
    it at any deadline, its ratio was zero, and every team went to its nearest part alone
    (12 of the 13 eastern estates got nobody). The west draws the all-day team, and every
    part gets pairs."""
    inst = Instance(load_scenario_text(_evening_west_with_estates(13)))
    parts = [(0, 1)] + [(i,) for i in range(2, len(inst.sites))]
    monkeypatch.setattr(decompose, "_balanced", lambda *args, **kwargs: parts)
    shares = split(inst, compute_bounds(inst, curve=False).done_minute, 1)
    every_day = next(t for t in inst.teams if t.id == "all")
    assert shares[0].pairs.get(every_day.index, 0) > 0
    assert all(part.pairs for part in shares)


def test_the_dearest_parts_are_handed_out_first_and_outcomes_keep_the_parts_order() -> None:
    """Parts with the LP plan go first, then the larger (sites x pairs), ties in order; the
    outcomes come back in the parts' own order whatever order they ran in."""
    from sampler.decompose import _dearest_first, _run

    def part(sites: int, people: int, lp: bool) -> tuple:
        text = "\n".join(
            [
                "scenario: part",
                "start: 2022-11-10T07:00",
                "end: 2022-11-10T21:00",
                "sites:",
                *[
                    f"  - {{id: s{k}, lat: 40.0, lon: {113 + k / 100}, residents: 100}}"
                    for k in range(sites)
                ],
                "teams:",
                f"  - {{id: t, people: {people}, lat: 40.0, lon: 113.0}}",
            ]
        )
        return (None, load_scenario_text(text), SolveParams(time_limit=1, lp_plan=lp))

    jobs = [part(2, 4, False), part(3, 10, True), part(5, 2, False), part(1, 2, True)]
    assert _dearest_first(jobs) == [1, 3, 2, 0]  # (LP: 3 x 5 > 1 x 1; then 5 x 1 > 2 x 2)

    class Recording:
        """Runs the jobs here, in the order given, and notes which part each was."""

        def __init__(self) -> None:
            self.ran: list[int] = []

        def map(self, fn, items, on_done=None):
            self.ran = [len(item[1].sites) for item in items]
            return [len(item[1].sites) * 10 for item in items]

    runner = Recording()
    outcomes = _run(jobs, runner, "planning parts", None)  # type: ignore[arg-type]
    assert runner.ran == [3, 1, 5, 2]
    assert outcomes == [20, 30, 50, 10]
