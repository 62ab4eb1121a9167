"""Tests of sampler.scenario: the frozen schema models and the values derived from them.

Times inside the horizon are whole minutes from the horizon start; clock windows are read
on the horizon's day, and on the next day for the part of a horizon past midnight.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from conftest import edit
from pydantic import ValidationError

from sampler.loader import ScenarioError, load_scenario_text
from sampler.scenario import ClockWindow, Rules, Scenario, format_loc, parse_clock

NIGHT_YAML = """\
scenario: a night shift, 20:00 to 04:00 the next morning
start: 2022-11-10T20:00
end: 2022-11-11T04:00
slot_minutes: 60
sites:
  - id: early
    lat: 40.0
    lon: 113.0
    residents: 100
    open: "21:00-23:00"
  - id: late
    lat: 40.0
    lon: 113.0
    residents: 100
    open: "01:00-03:00"
  - id: midnight
    lat: 40.0
    lon: 113.0
    residents: 100
    open: "00:00-04:00"
  - id: evening
    lat: 40.0
    lon: 113.0
    residents: 100
    open: "22:00-24:00"
teams:
  - id: night
    people: 2
    lat: 40.0
    lon: 113.0
    available: "20:00-24:00"
"""


def load(text: str) -> Scenario:
    return load_scenario_text(text, "scenario.yaml")


# -- windows as minutes from the horizon start -----------------------------------------


def test_window_minutes_inside_one_day(tiny_yaml: str) -> None:
    sc = load(tiny_yaml)  # 07:00-13:00
    assert sc.horizon_minutes == 360
    assert sc.n_slots == 12
    assert sc.window_minutes(None) == (0, 360)
    assert sc.window_minutes(ClockWindow(start=8 * 60, end=11 * 60 + 30)) == (60, 270)
    assert sc.window_minutes(ClockWindow(start=7 * 60, end=13 * 60)) == (0, 360)


def test_open_and_available_read_their_windows(tiny_yaml: str) -> None:
    text = edit(tiny_yaml, "    stations: 2", '    stations: 2\n    open: "09:15-12:00"')
    text = edit(text, "    people: 4", '    people: 4\n    available: "07:30-10:00"')
    sc = load(text)
    assert sc.open_minutes(sc.sites[0]) == (135, 300)
    assert sc.open_minutes(sc.sites[1]) == (0, 360)  # no window: the whole horizon
    assert sc.available_minutes(sc.teams[0]) == (30, 180)


def test_sites_closing_before_a_minute_are_those_whose_window_ends_sooner(tiny_yaml: str) -> None:
    """A site open 09:15-12:00 (minute 300) closes before 12:01, not before 12:00; a site
    with no window closes with the horizon."""
    text = edit(tiny_yaml, "    stations: 2", '    stations: 2\n    open: "09:15-12:00"')
    sc = load(text)
    first = sc.sites[0].id
    assert sc.sites_closing_before(300) == frozenset()
    assert sc.sites_closing_before(301) == {first}
    assert sc.sites_closing_before(361) == {s.id for s in sc.sites}


def test_horizon_past_midnight_reads_early_clock_times_as_the_next_day() -> None:
    sc = load(NIGHT_YAML)
    assert sc.horizon_minutes == 8 * 60
    assert sc.n_slots == 8
    early, late, midnight, evening = sc.sites
    assert sc.open_minutes(early) == (60, 180)  # 21:00-23:00
    assert sc.open_minutes(late) == (300, 420)  # 01:00-03:00 next day
    assert sc.open_minutes(midnight) == (240, 480)  # 00:00-04:00 next day
    assert sc.open_minutes(evening) == (120, 240)  # 22:00-24:00
    assert sc.available_minutes(sc.teams[0]) == (0, 240)
    assert sc.at(300) == datetime(2022, 11, 11, 1, 0)
    assert sc.at(0) == datetime(2022, 11, 10, 20, 0)


def test_horizon_past_midnight_rejects_a_window_outside_it() -> None:
    text = edit(NIGHT_YAML, 'open: "01:00-03:00"', 'open: "05:00-06:00"')
    with pytest.raises(ScenarioError) as caught:
        load(text)
    assert str(caught.value) == (
        "scenario.yaml:15: sites[1].open: 05:00-06:00 is not inside the horizon 20:00-04:00"
    )


def test_a_trailing_part_slot_is_not_planned(tiny_yaml: str) -> None:
    text = edit(tiny_yaml, "end: 2022-11-10T13:00", "end: 2022-11-10T13:20")
    sc = load(text)
    assert sc.horizon_minutes == 380
    assert sc.n_slots == 12
    assert load("slot_minutes: 20\n" + text).n_slots == 19


def test_at_turns_minutes_into_local_times(tiny_yaml: str) -> None:
    sc = load(tiny_yaml)
    assert sc.at(0) == datetime(2022, 11, 10, 7, 0)
    assert sc.at(95) == datetime(2022, 11, 10, 8, 35)


# -- rules(): team overrides on top of defaults -----------------------------------------


RULES_YAML = """\
start: 2022-11-10T07:00
end: 2022-11-10T21:00
defaults:
  walk_in_per_hour: 100
  max_suit_minutes: 240
sites:
  - id: s
    lat: 40.0
    lon: 113.0
    residents: 10
teams:
  - id: plain
    people: 2
    lat: 40.0
    lon: 113.0
  - id: fast
    people: 2
    lat: 40.0
    lon: 113.0
    walk_in_per_hour: 150
    min_break_minutes: 30
    travel_speed_kmh: 35.5
"""


def test_rules_without_overrides_are_the_defaults_block() -> None:
    sc = load(RULES_YAML)
    plain = sc.team_by_id["plain"]
    assert sc.rules(plain) == sc.defaults
    assert sc.rules(plain).model_dump() == {
        "walk_in_per_hour": 100,
        "door_to_door_per_hour": 30,
        "max_suit_minutes": 240,
        "min_break_minutes": 60,
        "max_work_minutes": 780,
        "travel_speed_kmh": 20,
    }


def test_rules_apply_each_team_override_and_keep_the_rest() -> None:
    sc = load(RULES_YAML)
    rules = sc.rules(sc.team_by_id["fast"])
    assert rules.model_dump() == {
        "walk_in_per_hour": 150,
        "door_to_door_per_hour": 30,
        "max_suit_minutes": 240,
        "min_break_minutes": 30,
        "max_work_minutes": 780,
        "travel_speed_kmh": 35.5,
    }
    # The defaults block itself is unchanged.
    assert sc.defaults.walk_in_per_hour == 100
    assert sc.defaults.min_break_minutes == 60


def test_rules_defaults_without_a_defaults_block(tiny_yaml: str) -> None:
    sc = load(tiny_yaml)
    assert sc.rules(sc.teams[0]) == Rules()
    assert Rules().model_dump() == {
        "walk_in_per_hour": 120,
        "door_to_door_per_hour": 30,
        "max_suit_minutes": 390,
        "min_break_minutes": 60,
        "max_work_minutes": 780,
        "travel_speed_kmh": 20,
    }


# -- sites: what is sampled at home and at walk-in stations ------------------------------


DEMAND_YAML = """\
start: 2022-11-10T07:00
end: 2022-11-10T21:00
sites:
  - id: open-site
    name: 苹果园社区
    lat: 40.0
    lon: 113.0
    residents: 4400
    home_visits: 900
  - id: sealed-site
    lat: 40.0
    lon: 113.0
    residents: 300
    home_visits: 40
    sealed: true
  - id: nobody-home
    lat: 40.0
    lon: 113.0
    residents: 50
"""


def test_home_and_walk_in_demand() -> None:
    sc = load(DEMAND_YAML)
    open_site, sealed, nobody_home = sc.sites
    assert (open_site.home_demand, open_site.walk_in_demand) == (900, 3500)
    # Sealed: every resident is sampled at home, whatever home_visits says.
    assert (sealed.home_demand, sealed.walk_in_demand) == (300, 0)
    assert (nobody_home.home_demand, nobody_home.walk_in_demand) == (0, 50)
    assert sc.total_residents == 4750
    assert sc.teams == []


def test_labels_fall_back_to_ids() -> None:
    sc = load(DEMAND_YAML)
    assert sc.sites[0].label == "苹果园社区"
    assert sc.sites[1].label == "sealed-site"


def test_team_pairs_leave_the_odd_person_out(tiny_yaml: str) -> None:
    for people, pairs in ((0, 0), (1, 0), (5, 2), (52, 26)):
        sc = load(edit(tiny_yaml, "people: 4", f"people: {people}"))
        assert sc.teams[0].pairs == pairs


# -- the models are frozen and strict ----------------------------------------------------


def test_models_are_frozen(tiny_yaml: str) -> None:
    sc = load(tiny_yaml)
    with pytest.raises(ValidationError):
        sc.sites[0].residents = 1  # type: ignore[misc]
    with pytest.raises(ValidationError):
        sc.slot_minutes = 15  # type: ignore[misc]


def test_lookup_tables(tiny_yaml: str) -> None:
    sc = load(tiny_yaml)
    assert list(sc.site_by_id) == ["north", "south"]
    assert sc.site_by_id["south"].residents == 120
    assert list(sc.team_by_id) == ["alpha"]


def test_scenario_serialises_back_to_contract_text(tiny_yaml: str) -> None:
    text = edit(tiny_yaml, "    stations: 2", "    stations: 2\n    open: 07:30-12:00")
    dumped = load(text).model_dump(mode="json")
    assert dumped["start"] == "2022-11-10T07:00"
    assert dumped["end"] == "2022-11-10T13:00"
    assert dumped["sites"][0]["open"] == "07:30-12:00"
    assert Scenario.model_validate(dumped) == load(text)


# -- small helpers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("07:30", 450), ("7:05", 425), ("00:00", 0), ("24:00", 1440), (" 12:00 ", 720)],
)
def test_parse_clock(text: str, minutes: int) -> None:
    assert parse_clock(text) == minutes


@pytest.mark.parametrize("text", ["24:01", "7", "12:60", "noon", "25:00"])
def test_parse_clock_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_clock(text)


def test_format_loc() -> None:
    assert format_loc(("sites", 1, "residents")) == "sites[1].residents"
    assert format_loc(("defaults", "walk_in_per_hour")) == "defaults.walk_in_per_hour"
    assert format_loc(()) == "(top level)"
