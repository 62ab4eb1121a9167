"""sampler.solve: of starts the counts cannot tell apart, the whole plan keeps the one
whose finished plan (named, topped up, pulled in towards the bound) samples the most, then
ends first; teams told to take turns among duty patterns do."""

from __future__ import annotations

from dataclasses import replace

from sampler import load_scenario_text
from sampler.bound import bounds_and_aim
from sampler.heuristics.refill import pulled_in
from sampler.heuristics.topup import top_up
from sampler.lns import score
from sampler.plan import Plan
from sampler.roster import build_pair_rows
from sampler.solve import SolveParams, best_finished, on_grid, solve_whole
from tests.test_instance import HOT_DAY


def _finished(inst, counts, bound_minute):
    sc = inst.scenario
    plan = Plan(sc, top_up(sc, build_pair_rows(inst, counts)))
    return score(pulled_in(plan, bound_minute)[0])[:2]  # (residents, then done_at)


def test_of_tied_starts_the_one_whose_finished_plan_is_best_is_kept(setting, starts):
    inst, _, _, _ = setting
    bounds, _ = bounds_and_aim(inst, curve=False)
    bound = on_grid(bounds.done_minute, inst.slot) or inst.scenario.horizon_minutes
    options = [(c, name == "posts") for name, c in sorted(starts.items())]
    kept, from_cp = best_finished(inst, tuple(options), bound)
    finished = [_finished(inst, c, bound) for c, _ in options]
    assert _finished(inst, kept, bound) == max(finished)
    # The first of those that finish alike: its own flag comes with it.
    first = finished.index(max(finished))
    assert kept is options[first][0] and from_cp == options[first][1]


def test_starts_that_finish_alike_keep_the_first(setting, starts):
    inst, _, _, _ = setting
    bounds, _ = bounds_and_aim(inst, curve=False)
    bound = on_grid(bounds.done_minute, inst.slot) or inst.scenario.horizon_minutes
    same = starts["posts"]
    assert best_finished(inst, ((same, True), (same, False)), bound) == (same, True)


def test_teams_taking_turns_stagger_their_breaks_and_keep_the_stations_busy():
    """One site of 12 stations and 9,000 residents, four teams of five pairs under two-hour
    suits, one duty pattern a team. The stations' own limit: 9,000 / 120 an hour = 75
    pair-hours, 6 h 15 on 12 stations, 13:30 on the slot grid. Each team taking the best
    pattern, every team breaks at 09:00, 11:30 and 14:00 and the stations stand idle then
    (15:00); taking turns, the breaks are staggered and the plan ends at 13:30."""
    scenario = load_scenario_text(HOT_DAY)
    params = SolveParams(time_limit=1, seed=0, patterns_per_team=1)

    def planned(take_turns: bool) -> tuple[int | None, int]:
        plan = solve_whole(scenario, replace(params, take_turns=take_turns)).plan
        breaks = plan.rows[plan.rows.activity == "break"]
        return plan.done_minute, breaks.groupby("team").start.min().nunique()

    assert planned(False) == (480, 1)
    done, first_breaks = planned(True)
    assert done == 390 and first_breaks > 1
