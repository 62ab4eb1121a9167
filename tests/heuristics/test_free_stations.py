"""Walk-in residents left for want of a free station find one (heuristics/free_stations.py,
through ``top_up`` and ``pull_in``): a home-visit pair beside a free station turns walk-in,
and a pair on its first trip stops where stations stand free. Every plan passes the
checker."""

from __future__ import annotations

import pandas as pd
import pytest

from sampler import load_scenario, solve
from sampler.budget import SolveParams
from sampler.heuristics.topup import pull_in, top_up
from sampler.plan import PAIR_COLUMNS, TRAVEL

from .plans import checked, trip_minutes

SIDE_BY_SIDE_YAML = """\
scenario: a home-visit pair beside free walk-in stations
start: 2022-11-10T07:00
end: 2022-11-10T13:00
sites:
  - id: block
    lat: 40.00
    lon: 113.00
    residents: 300
    home_visits: 60
    stations: 2
teams:
  - id: home
    people: 2
    lat: 40.01
    lon: 113.00
"""


def test_walk_in_left_is_taken_by_a_home_visit_pair_while_a_station_is_free(write_yaml, tmp_path):
    scenario = load_scenario(write_yaml(SIDE_BY_SIDE_YAML))
    trip = trip_minutes(scenario, "home", "block")
    # 60 home visits take 120 of the row's 150 minutes; walk-in gets only an hour at the
    # end (120 of 240 residents).
    rows = pd.DataFrame(
        [
            ["home", "home-p01", TRAVEL, "block", 0, trip, 0],
            ["home", "home-p01", "door_to_door", "block", trip, trip + 150, 60],
            ["home", "home-p01", "walk_in", "block", trip + 150, trip + 210, 120],
        ],
        columns=PAIR_COLUMNS,
    )
    # Going on after its rows, the pair would need until trip + 270 for the walk-in left.
    deadline = trip + 240
    done = top_up(scenario, rows, deadline, all_or_nothing=True)
    assert done is not None
    first_walk_in = done[done.activity == "walk_in"].start.min()
    assert first_walk_in == trip  # the home-visit row's start now samples walk-in
    result = solve(scenario, SolveParams(time_limit=1))
    plan = checked(result, done, tmp_path / "plan")
    assert plan.complete
    assert plan.done_minute <= deadline


ON_THE_WAY_YAML = """\
scenario: a pair whose first trip passes a site that is short of time
start: 2022-11-10T07:00
end: 2022-11-10T13:00
sites:
  - id: near
    lat: 40.00
    lon: 113.00
    residents: 120
    stations: 1
  - id: far
    lat: 40.00
    lon: 113.02
    residents: 300
teams:
  - id: a
    people: 2
    lat: 40.01
    lon: 113.00
  - id: b
    people: 2
    lat: 40.01
    lon: 113.00
    available: "09:00-13:00"
"""


def on_the_way_rows(scenario) -> pd.DataFrame:
    """ON_THE_WAY's plan: a samples ``far`` all morning (until 160); b reaches ``near`` at
    09:00 and samples its 120 residents in an hour."""
    to_far, to_near = trip_minutes(scenario, "a", "far"), trip_minutes(scenario, "b", "near")
    return pd.DataFrame(
        [
            ["a", "a-p01", TRAVEL, "far", 0, to_far, 0],
            ["a", "a-p01", "walk_in", "far", to_far, 160, 300],
            ["b", "b-p01", TRAVEL, "near", 120, 120 + to_near, 0],
            ["b", "b-p01", "walk_in", "near", 120 + to_near, 180 + to_near, 120],
        ],
        columns=PAIR_COLUMNS,
    )


def test_a_pair_on_its_first_trip_samples_where_stations_stand_free(write_yaml, tmp_path):
    scenario = load_scenario(write_yaml(ON_THE_WAY_YAML))
    rows = on_the_way_rows(scenario)
    # By 180, near's last residents find no free station (b holds the only one from its
    # arrival, and a only gets there after 160): only a detour on a's first trip helps.
    earlier = pull_in(scenario, rows, 180)
    assert earlier is not None
    at_near = earlier[(earlier.site == "near") & (earlier.activity == "walk_in")]
    assert set(at_near.pair) == {"a-p01", "b-p01"}
    assert at_near[at_near.pair == "a-p01"].start.max() < 120
    result = solve(scenario, SolveParams(time_limit=1))
    plan = checked(result, earlier, tmp_path / "plan")
    assert plan.complete
    assert plan.done_minute <= 180


BASE_AT_A_SITE_YAML = """\
scenario: base at a site
start: 2022-11-10T07:00
end: 2022-11-10T13:00
sites:
  - id: near
    lat: 40.01
    lon: 113.00
    residents: 60
    stations: 1
  - id: x
    lat: 40.00
    lon: 113.02
    residents: 100
teams:
  - id: a
    people: 2
    lat: 40.01
    lon: 113.00
    available: "07:00-10:00"
"""

TWO_ROUNDS_YAML = """\
scenario: second detour round
start: 2022-11-10T07:00
end: 2022-11-10T13:00
sites:
  - id: x
    lat: 40.00
    lon: 113.02
    residents: 100
  - id: s1
    lat: 40.005
    lon: 113.01
    residents: 50
    stations: 1
    open: "09:00-13:00"
  - id: s2
    lat: 40.012
    lon: 113.005
    residents: 20
    stations: 1
teams:
  - id: a
    people: 2
    lat: 40.01
    lon: 113.00
    available: "07:00-12:00"
"""


@pytest.mark.parametrize(("text", "end"), [(BASE_AT_A_SITE_YAML, 180), (TWO_ROUNDS_YAML, 300)])
def test_detours_keep_every_row_valid(text, end, write_yaml, tmp_path):
    """One pair samples ``x`` until ``end``; the other sites' residents are left. Whatever the
    detours do, every row has a length, work stays inside open windows, and the plan
    passes the checker."""
    scenario = load_scenario(write_yaml(text))
    to_x = trip_minutes(scenario, "a", "x")
    rows = pd.DataFrame(
        [["a", "a-p01", TRAVEL, "x", 0, to_x, 0], ["a", "a-p01", "walk_in", "x", to_x, end, 100]],
        columns=PAIR_COLUMNS,
    )
    topped = top_up(scenario, rows)
    assert (topped.start < topped.end).all()
    assert topped[topped.site != "x"].samples.sum() > 0  # the detours did something
    result = solve(scenario, SolveParams(time_limit=1))
    checked(result, topped, tmp_path / "plan")


MORNING_ONLY_YAML = """\
scenario: a detour past a community that closes in the morning
start: 2022-11-10T07:00
end: 2022-11-10T13:00
sites:
  - id: near
    lat: 40.00
    lon: 113.00
    residents: 120
    stations: 1
  - id: morning
    lat: 40.00
    lon: 113.02
    residents: 71
    sealed: true
    open: "07:00-09:30"
  - id: day
    lat: 40.001
    lon: 113.02
    residents: 304
teams:
  - id: a
    people: 2
    lat: 40.01
    lon: 113.00
  - id: c
    people: 2
    lat: 40.01
    lon: 113.00
    door_to_door: false
  - id: b
    people: 2
    lat: 40.01
    lon: 113.00
    available: "09:00-13:00"
"""


def morning_rows(scenario, home: int) -> pd.DataFrame:
    """a's home visits at ``morning`` (``home`` of them) until it closes at 150, c's walk-in
    at ``day`` until 160 (if the scenario has c), b's walk-in at ``near`` for an hour from
    its arrival after 09:00 (120 residents)."""
    to_n = trip_minutes(scenario, "b", "near")
    rows = walking(scenario, "a", "morning", "door_to_door", 150, home)
    if "c" in scenario.team_by_id:
        to_d = trip_minutes(scenario, "c", "day")
        rows += walking(scenario, "c", "day", "walk_in", 160, 2 * (160 - to_d))
    rows += [
        ["b", "b-p01", TRAVEL, "near", 120, 120 + to_n, 0],
        ["b", "b-p01", "walk_in", "near", 120 + to_n, 180 + to_n, 120],
    ]
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)


def walking(scenario, team: str, site: str, activity: str, end: int, samples: int) -> list:
    """The team's one pair: its trip to ``site`` from 07:00, then work there until ``end``."""
    trip = trip_minutes(scenario, team, site)
    return [
        [team, f"{team}-p01", TRAVEL, site, 0, trip, 0],
        [team, f"{team}-p01", activity, site, trip, end, samples],
    ]


def test_a_pull_in_detours_no_pair_from_a_community_that_closes_before_it(write_yaml, tmp_path):
    """A pull-in to 180 needs a detour through ``near`` before b holds its one station.
    a's home visits at ``morning`` fill the community's hours (it closes at 150); a detour
    there would give back 5 of them that nobody can make before it closes (c has no
    door-to-door training, b is busy), and the pull-in would fail. c's walk-in at ``day``
    can wait: c makes the detour, and a samples what c gave back after 150."""
    scenario = load_scenario(write_yaml(MORNING_ONLY_YAML))
    home = (150 - trip_minutes(scenario, "a", "morning")) // 2  # 30 an hour
    assert home == scenario.site_by_id["morning"].residents  # every home visit there
    earlier = pull_in(scenario, morning_rows(scenario, home), 180)
    assert earlier is not None
    at_morning = earlier[earlier.site == "morning"]
    assert at_morning.samples.sum() == home
    assert set(at_morning.pair) == {"a-p01"}
    detour = earlier[(earlier.site == "near") & (earlier.start < 120)]
    assert set(detour.pair) == {"c-p01"}
    result = solve(scenario, SolveParams(time_limit=1))
    plan = checked(result, earlier, tmp_path / "plan")
    assert plan.complete
    assert plan.done_minute <= 180


def test_a_pull_in_detours_a_pair_with_time_to_spare_at_a_community_that_closes(
    write_yaml, tmp_path
):
    """Without c and ``day``, and with 60 home visits where a's morning holds 71: a's detour through
    ``near`` (10 residents there) costs it 9 minutes at ``morning``, which its slack
    covers. It gives nothing back, so it may go, and the pull-in to 180 holds."""
    text = MORNING_ONLY_YAML.replace("residents: 71", "residents: 60")
    text = text[: text.index("  - id: day")] + text[text.index("teams:") :]
    text = text[: text.index("  - id: c")] + text[text.index("  - id: b") :]
    scenario = load_scenario(write_yaml(text))
    earlier = pull_in(scenario, morning_rows(scenario, 60), 180)
    assert earlier is not None
    assert earlier[earlier.site == "morning"].samples.sum() == 60
    detour = earlier[(earlier.site == "near") & (earlier.start < 120)]
    assert set(detour.pair) == {"a-p01"}
    result = solve(scenario, SolveParams(time_limit=1))
    plan = checked(result, earlier, tmp_path / "plan")
    assert plan.complete


def test_a_pull_in_that_fails_tries_again_keeping_the_sites_found_short(write_yaml, monkeypatch):
    """Where a pull-in's detour rounds fail, they are tried again, each round keeping whole
    the sites found short when a round began (their stations are what is short: a
    short-hours district's pull-in to 19:00 had each round give back about 300 walk-in
    residents where the round before had served). In ON_THE_WAY's pull-in to 170, ``near``
    is short (30); a's detour serves it and gives back 14 at ``far``, which the next rounds
    cannot make up. Tried again, the round after keeps ``near`` whole. To 180 the first
    rounds hold, and nothing is tried again."""
    import sampler.heuristics.topup as topup

    scenario = load_scenario(write_yaml(ON_THE_WAY_YAML))
    rows = on_the_way_rows(scenario)
    calls: list[tuple[set[str], frozenset[str]]] = []
    real = topup.detours

    def spy(scenario, rows, left, deadline, kept_whole=frozenset()):
        calls.append(({site for site, _ in left}, kept_whole))
        return real(scenario, rows, left, deadline, kept_whole)

    monkeypatch.setattr(topup, "detours", spy)
    assert pull_in(scenario, rows, 170) is None
    rounds = topup.DETOUR_ROUNDS
    assert len(calls) == 2 * rounds
    assert calls[0] == ({"near"}, frozenset()) and calls[1] == ({"far"}, frozenset())
    assert calls[rounds] == ({"near"}, {"near"})
    assert calls[rounds + 1] == ({"far"}, {"near", "far"})  # (near kept, though served)
    calls.clear()
    assert pull_in(scenario, rows, 180) is not None
    assert calls == [({"near"}, frozenset())]
