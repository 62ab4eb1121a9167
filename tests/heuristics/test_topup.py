"""Top-up and bringing a plan's end forward (``pull_in``): work after a deadline goes to
pairs with time to spare before it, or nothing changes. Every plan it returns passes the
checker. (Walk-in residents that need a free station: test_free_stations.py.)"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sampler import load_scenario, solve
from sampler.budget import SolveParams
from sampler.heuristics import topup
from sampler.heuristics.topup import pull_in, top_up, without_idle_trips
from sampler.plan import PAIR_COLUMNS, TRAVEL

from .plans import checked, trip_minutes

SCENARIOS = Path(__file__).parents[2] / "scenarios"

TWO_PAIRS_YAML = """\
scenario: two pairs, one of them idle
start: 2022-11-10T07:00
end: 2022-11-10T13:00
sites:
  - id: yard
    lat: 40.00
    lon: 113.00
    residents: 240
    stations: 2
teams:
  - id: early
    people: 2
    lat: 40.01
    lon: 113.00
  - id: late
    people: 2
    lat: 40.01
    lon: 113.00
"""


def _late_plan(scenario) -> pd.DataFrame:
    """The ``late`` pair idles at its base until 09:00, then samples everyone by 11:00;
    the ``early`` pair does nothing."""
    trip = trip_minutes(scenario, "late", "yard")
    rows = [
        ["late", "late-p01", TRAVEL, "yard", 120 - trip, 120, 0],
        ["late", "late-p01", "walk_in", "yard", 120, 240, 240],
    ]
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)


@pytest.fixture
def two_pairs(write_yaml):
    return load_scenario(write_yaml(TWO_PAIRS_YAML))


def test_late_work_moves_to_the_idle_pair(two_pairs, tmp_path):
    result = solve(two_pairs, SolveParams(time_limit=1))
    late = _late_plan(two_pairs)
    assert checked(result, late, tmp_path / "late").done_minute == 240
    earlier = pull_in(two_pairs, late, 180)
    assert earlier is not None
    plan = checked(result, earlier, tmp_path / "earlier")
    assert plan.complete
    assert plan.done_minute <= 180
    assert set(earlier.pair[earlier.samples > 0]) == {"late-p01", "early-p01"}


def test_a_deadline_nobody_can_meet_changes_nothing(two_pairs):
    # 240 residents at 120 an hour a pair: two pairs need an hour, and the trip first.
    assert pull_in(two_pairs, _late_plan(two_pairs), 60) is None


def test_a_plan_already_done_by_the_deadline_is_kept(two_pairs):
    late = _late_plan(two_pairs)
    assert pull_in(two_pairs, late, 240) is late


def test_an_all_or_nothing_top_up_gives_up_after_its_first_pass_past_the_limit(
    two_pairs, monkeypatch
):
    """By 08:00 the two pairs, after their 5-minute trips, sample 220 of the 240 residents:
    all or nothing, the top-up fails; with ``give_up_over`` below what its first pass
    leaves, it stops there (one pass, not the passes that might take some back); with a
    limit of 0, a top-up that places everyone still succeeds."""
    passes = []
    one_pass = topup._top_up

    def counted(*args, **kwargs):
        passes.append(kwargs.get("give_up_over"))
        return one_pass(*args, **kwargs)

    monkeypatch.setattr(topup, "_top_up", counted)
    empty = pd.DataFrame(columns=PAIR_COLUMNS)
    assert top_up(two_pairs, empty, 60, all_or_nothing=True) is None
    assert len(passes) > 1  # (the swap pass and the detour rounds)
    passes.clear()
    assert top_up(two_pairs, empty, 60, all_or_nothing=True, give_up_over=10) is None
    assert passes == [10]
    done = top_up(two_pairs, empty, 240, all_or_nothing=True, give_up_over=0)
    assert done is not None and int(done.samples.sum()) == 240


def test_of_pairs_equally_good_the_first_by_name_samples(write_yaml):
    """Two pairs from one base, alike in all but their names, the team listed first named
    last: one pair can sample everyone as soon as the other, and the tie goes by name."""
    text = TWO_PAIRS_YAML.replace("id: early", "id: zulu").replace("id: late", "id: alpha")
    scenario = load_scenario(write_yaml(text))
    out = top_up(scenario, pd.DataFrame(columns=PAIR_COLUMNS))
    assert out is not None
    assert set(out.pair[out.samples > 0]) == {"alpha-p01"}
    assert int(out.samples.sum()) == 240


def test_a_pair_idle_at_the_site_samples_in_its_pause(two_pairs):
    """The late pair samples 100 residents 07:0x-08:00 and 100 10:00-11:00 at the yard,
    idle there in between; the early pair stays at home. The 40 left are sampled in the
    pause, as early as it allows: 08:00-08:20 (a full hour's break still before 10:00),
    not after 11:00 or after a break."""
    trip = trip_minutes(two_pairs, "late", "yard")
    rows = pd.DataFrame(
        [
            ["late", "late-p01", TRAVEL, "yard", 0, trip, 0],
            ["late", "late-p01", "walk_in", "yard", trip, 60, 100],
            ["late", "late-p01", "walk_in", "yard", 180, 240, 100],
        ],
        columns=PAIR_COLUMNS,
    )
    out = top_up(two_pairs, rows, at_home=frozenset({"early-p01"}))
    assert out is not None
    added = out[(out.samples > 0) & ~out.start.isin([trip, 180])]
    assert added[["pair", "start", "end", "samples"]].values.tolist() == [["late-p01", 60, 80, 40]]


@pytest.mark.parametrize("deadline", [600, 630, 660, 690, 720])
def test_pulled_in_plans_of_a_shipped_scenario_pass_the_checker(deadline, tmp_path):
    scenario = load_scenario(SCENARIOS / "yunzhou-shuibosi.yaml")
    result = solve(scenario, SolveParams(time_limit=1, seed=0))
    earlier = pull_in(scenario, result.plan.rows, deadline)
    if earlier is None:
        assert result.plan.done_minute > deadline
        return
    plan = checked(result, earlier, tmp_path / "plan")
    assert plan.complete
    assert plan.done_minute <= deadline


TWO_SITES_YAML = """\
scenario: one pair, two sites
start: 2022-11-10T07:00
end: 2022-11-10T13:00
sites:
  - id: a
    lat: 40.00
    lon: 113.00
    residents: 250
  - id: b
    lat: 40.00
    lon: 113.02
    residents: 166
teams:
  - id: solo
    people: 2
    lat: 40.01
    lon: 113.00
"""


def test_work_after_a_pause_filled_at_a_site_still_travels_back_there(write_yaml, tmp_path):
    """The pair pauses at ``a`` before leaving for ``b``; top-up first fills that pause at
    ``a``, then sends the pair back to ``a`` after ``b``: that needs a trip from ``b``."""
    scenario = load_scenario(write_yaml(TWO_SITES_YAML))
    to_a, a_to_b = (
        trip_minutes(scenario, "solo", "a"),
        trip_minutes(scenario, "solo", "b", origin="a"),
    )
    rows = pd.DataFrame(
        [
            ["solo", "solo-p01", TRAVEL, "a", 0, to_a, 0],
            ["solo", "solo-p01", "walk_in", "a", to_a, 100, 190],
            ["solo", "solo-p01", TRAVEL, "b", 110, 110 + a_to_b, 0],
            ["solo", "solo-p01", "walk_in", "b", 110 + a_to_b, 200, 166],
        ],
        columns=PAIR_COLUMNS,
    )
    # 60 residents left at a: 20 fit in the pause, and 20 in the 10 minutes after the trip
    # back (by the deadline); neither finishes them, so the pause is filled first.
    deadline = 200 + a_to_b + 10
    topped = top_up(scenario, rows, deadline)
    mine = topped.sort_values("start")
    back = mine[(mine.site == "a") & (mine.start >= 200)]
    assert len(back) == 2 and back.activity.tolist() == [TRAVEL, "walk_in"]
    assert mine[(mine.site == "a") & (mine.activity == "walk_in")].samples.sum() == 230
    result = solve(scenario, SolveParams(time_limit=1))
    checked(result, topped, tmp_path / "plan")


# Found in review: a team based at a site (a detour with no trip to it), and a second
# round of detours in front of work that waits for its site to open.


def test_a_trip_that_ends_the_day_is_dropped_and_the_pair_tops_up(two_pairs, tmp_path):
    """A pair sent to a site where nothing was left for it (its day ends on the trip) stays
    where it last worked: the trip goes, and the pair is free to take work left."""
    trip = trip_minutes(two_pairs, "early", "yard")
    rows = pd.DataFrame(
        [
            ["early", "early-p01", TRAVEL, "yard", 0, trip, 0],
            ["early", "early-p01", "walk_in", "yard", trip, 120, 200],
            ["early", "early-p01", TRAVEL, "yard", 120, 120 + trip, 0],  # to nothing
        ],
        columns=PAIR_COLUMNS,
    )
    assert len(without_idle_trips(rows)) == 2
    assert (without_idle_trips(rows).end <= 120).all()
    # A pair whose trips (and the break between them) all landed after the work ran out
    # has no rows left, where it once had a break alone.
    lost = pd.DataFrame(
        [
            ["late", "late-p01", TRAVEL, "yard", 0, trip, 0],
            ["late", "late-p01", "break", "", trip, 200, 0],
            ["late", "late-p01", TRAVEL, "yard", 200, 200 + trip, 0],
        ],
        columns=PAIR_COLUMNS,
    )
    assert without_idle_trips(
        pd.concat([rows, lost], ignore_index=True)
    ).pair.unique().tolist() == ["early-p01"]
    assert top_up(two_pairs, pd.concat([rows, lost], ignore_index=True)).samples.sum() == 240
    topped = top_up(two_pairs, rows)
    assert topped.samples.sum() == 240  # the 40 left found a pair
    last = topped.sort_values(["pair", "start"]).groupby("pair").tail(1)
    assert (last.activity != TRAVEL).all()
