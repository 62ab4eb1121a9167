"""Tests of sampler.loader: YAML scenario files in, a Scenario or file:line:key errors out.

Most cases edit one line of the ``tiny_yaml`` fixture (see its docstring for the line
numbers) and assert the one problem reported, written exactly as the user sees it:
``scenario.yaml:17: sites[1].residents: must be >= 0``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from conftest import edit

from sampler import loader
from sampler.loader import (
    InputProblem,
    ScenarioError,
    load_scenario,
    load_scenario_text,
    parse_yaml,
)
from sampler.scenario import ClockWindow, Rules, Scenario

FILE = "scenario.yaml"


def problems_of(text: str) -> list[str]:
    """Every problem the loader reports for ``text``, as printed; fails if it loads."""
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, FILE)
    problems = caught.value.problems
    assert problems, "a ScenarioError must list at least one problem"
    assert all(isinstance(p, InputProblem) for p in problems)
    return [str(p) for p in problems]


def only_problem(text: str) -> str:
    """The single problem reported for ``text``."""
    problems = problems_of(text)
    assert len(problems) == 1, problems
    return problems[0]


# -- a valid scenario and its defaults -------------------------------------------------


def test_tiny_scenario_loads_with_its_values(tiny_yaml: str) -> None:
    sc = load_scenario_text(tiny_yaml, FILE)
    assert isinstance(sc, Scenario)
    assert sc.scenario == "tiny"
    assert sc.start == datetime(2022, 11, 10, 7, 0)
    assert sc.end == datetime(2022, 11, 10, 13, 0)
    assert [s.id for s in sc.sites] == ["north", "south"]
    north, south = sc.sites
    assert (north.name, north.district, north.lat, north.lon) == ("北苑社区", "平城区", 40.0, 113.0)
    assert (north.residents, north.home_visits, north.stations) == (240, 30, 2)
    assert (south.residents, south.lat) == (120, 39.99)
    [team] = sc.teams
    assert (team.id, team.name, team.people, team.pairs) == ("alpha", "灵丘", 4, 2)
    assert sc.total_residents == 360


def test_defaults_applied_when_keys_are_left_out(tiny_yaml: str) -> None:
    """README: slot_minutes 30; rates and limits 120/30/390/60/780/20; stations 4,
    home_visits 0, sealed false, priority 1, door_to_door true; open and available the
    whole horizon."""
    sc = load_scenario_text(tiny_yaml, FILE)
    assert sc.slot_minutes == 30
    assert sc.defaults.model_dump() == {
        "walk_in_per_hour": 120,
        "door_to_door_per_hour": 30,
        "max_suit_minutes": 390,
        "min_break_minutes": 60,
        "max_work_minutes": 780,
        "travel_speed_kmh": 20,
    }
    south = sc.site_by_id["south"]
    assert south.name == "南苑社区"
    assert (south.district, south.street) == ("", "")
    assert (south.home_visits, south.stations, south.sealed, south.priority) == (0, 4, False, 1)
    assert south.open is None
    assert sc.open_minutes(south) == (0, 360)
    team = sc.team_by_id["alpha"]
    assert team.door_to_door is True
    assert team.available is None
    assert sc.available_minutes(team) == (0, 360)
    assert sc.rules(team) == Rules()


def test_load_from_a_file_on_disk(tiny_yaml: str, write_yaml) -> None:
    path = write_yaml(tiny_yaml)
    assert load_scenario(path) == load_scenario_text(tiny_yaml, FILE)
    assert load_scenario(str(path)).total_residents == 360


def test_a_byte_order_mark_at_the_start_of_the_file_is_accepted(tiny_yaml: str, tmp_path) -> None:
    """Spreadsheet-minded editors on Windows save UTF-8 with a BOM."""
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + tiny_yaml.encode("utf-8"))
    assert load_scenario(path).scenario == "tiny"


def test_a_file_error_names_the_path_given(tiny_yaml: str, write_yaml) -> None:
    path = write_yaml(edit(tiny_yaml, "residents: 120", "residents: -5"), "street.yaml")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    [problem] = caught.value.problems
    assert problem.file == str(path)
    assert problem.line == 17
    assert problem.loc == ("sites", 1, "residents")
    assert str(problem) == f"{path}:17: sites[1].residents: must be >= 0"
    assert str(caught.value) == f"{path}:17: sites[1].residents: must be >= 0"


# -- one bad input, one problem: file, line, key path, message -------------------------

BAD_INPUTS = [
    pytest.param(
        ("residents: 120", "residents: -5"),
        "scenario.yaml:17: sites[1].residents: must be >= 0",
        id="negative-residents",
    ),
    pytest.param(
        ("home_visits: 30", "home_visits: 241"),
        "scenario.yaml:11: sites[0].home_visits: must be <= residents (240)",
        id="home-visits-over-residents",
    ),
    pytest.param(
        ("stations: 2", "stations: 0"),
        "scenario.yaml:12: sites[0].stations: must be >= 1",
        id="no-stations",
    ),
    pytest.param(
        ("    people: 4", "    people: -2"),
        "scenario.yaml:21: teams[0].people: must be >= 0",
        id="negative-people",
    ),
    pytest.param(
        ("id: south", "id: north"),
        "scenario.yaml:13: sites[1].id: duplicate site id 'north' (also sites[0])",
        id="duplicate-site-id",
    ),
    pytest.param(
        ("    residents: 120", "    residents: 120\n    residents: 130"),
        "scenario.yaml:18: sites[1].residents: duplicate key",
        id="duplicate-yaml-key",
    ),
    pytest.param(
        ("    residents: 120\n", ""),
        "scenario.yaml:13: sites[1].residents: required key is missing",
        id="missing-key-at-parent-line",
    ),
    pytest.param(
        ("    lat: 39.995\n", ""),
        "scenario.yaml:19: teams[0].lat: required key is missing",
        id="missing-team-lat",
    ),
    pytest.param(
        ("scenario: tiny\n", "scenario: tiny\nslot_minutes: 25\n"),
        "scenario.yaml:2: slot_minutes: must be one of 10, 15, 20, 30, 60",
        id="slot-minutes-not-allowed",
    ),
    pytest.param(
        ("end: 2022-11-10T13:00", "end: 2022-11-10T06:00"),
        "scenario.yaml:3: end: must be after start (2022-11-10T07:00)",
        id="end-before-start",
    ),
    pytest.param(
        ("end: 2022-11-10T13:00", "end: 2022-11-11T07:30"),
        "scenario.yaml:3: end: the horizon is one day at most in version 1 (end - start <= 24 h)",
        id="horizon-over-24h",
    ),
    pytest.param(
        ("    stations: 2", "    stations: 2\n    open: 14:00-15:00"),
        "scenario.yaml:13: sites[0].open: 14:00-15:00 is not inside the horizon 07:00-13:00",
        id="open-after-horizon",
    ),
    pytest.param(
        ("    stations: 2", '    stations: 2\n    open: "06:00-09:00"'),
        "scenario.yaml:13: sites[0].open: 06:00-09:00 is not inside the horizon 07:00-13:00",
        id="open-starts-before-horizon",
    ),
    pytest.param(
        ("    people: 4", "    people: 4\n    available: 05:00-09:00"),
        "scenario.yaml:22: teams[0].available: 05:00-09:00 is not inside the horizon 07:00-13:00",
        id="available-outside-horizon",
    ),
    pytest.param(
        ("    stations: 2", "    stations: 2\n    open: 10:00-09:00"),
        "scenario.yaml:13: sites[0].open: 10:00-09:00 is not inside the horizon 07:00-13:00"
        " (it ends at 09:00 the next day)",
        id="window-crossing-midnight-past-the-horizon",
    ),
    pytest.param(
        ("    stations: 2", "    stations: 2\n    open: 09:00-09:00"),
        "scenario.yaml:13: sites[0].open: window '09:00-09:00' is empty: it ends when it starts",
        id="window-empty",
    ),
    pytest.param(
        ("    residents: 120", "    residents: 1e9"),
        "scenario.yaml:17: sites[1].residents: must be a whole number written in digits"
        " (like 4400), got '1e9'",
        id="residents-in-e-notation",
    ),
    pytest.param(
        ("    people: 4", "    people: 4.5"),
        "scenario.yaml:21: teams[0].people: must be a whole number written in digits"
        " (like 4400), got 4.5",
        id="people-with-a-fraction",
    ),
    pytest.param(
        ("    stations: 2", "    stations: 2\n    open: mornings"),
        "scenario.yaml:13: sites[0].open: expected a window like \"07:00-21:00\", got 'mornings'",
        id="window-not-a-window",
    ),
    pytest.param(
        ("id: south", "id: south side"),
        "scenario.yaml:13: sites[1].id: must use only letters, digits, '-' and '_'",
        id="site-id-with-space",
    ),
    pytest.param(
        ("id: alpha", "id: alpha/2"),
        "scenario.yaml:19: teams[0].id: must use only letters, digits, '-' and '_'",
        id="team-id-with-slash",
    ),
    pytest.param(
        ("id: south", "id: 南苑"),
        "scenario.yaml:13: sites[1].id: must use only letters, digits, '-' and '_'",
        id="site-id-not-ascii",
    ),
]


@pytest.mark.parametrize(("change", "expected"), BAD_INPUTS)
def test_bad_input_names_file_line_and_key(
    tiny_yaml: str, change: tuple[str, str], expected: str
) -> None:
    assert only_problem(edit(tiny_yaml, *change)) == expected


def test_lat_out_of_range(tiny_yaml: str) -> None:
    problem = only_problem(edit(tiny_yaml, "    lat: 39.99\n", "    lat: 99.99\n"))
    # The bound may be printed as 90 or 90.0.
    assert problem in (
        "scenario.yaml:15: sites[1].lat: must be <= 90",
        "scenario.yaml:15: sites[1].lat: must be <= 90.0",
    )


def test_duplicate_team_id(tiny_yaml: str) -> None:
    text = tiny_yaml + "  - id: alpha\n    people: 2\n    lat: 40.0\n    lon: 113.0\n"
    assert only_problem(text) == (
        "scenario.yaml:24: teams[1].id: duplicate team id 'alpha' (also teams[0])"
    )


# -- unknown keys, with a did-you-mean hint ---------------------------------------------

UNKNOWN_KEYS = [
    pytest.param(
        ("scenario: tiny\n", "scenario: tiny\nslot_minute: 15\n"),
        "scenario.yaml:2: slot_minute: unknown key; did you mean 'slot_minutes'?",
        "slot_minutes",
        id="top-level",
    ),
    pytest.param(
        ("    residents: 120", "    residents: 120\n    resident: 3"),
        "scenario.yaml:18: sites[1].resident: unknown key; did you mean 'residents'?",
        "home_visits",
        id="in-a-site",
    ),
    pytest.param(
        ("    people: 4", "    people: 4\n    door2door: true"),
        "scenario.yaml:22: teams[0].door2door: unknown key; did you mean 'door_to_door'?",
        "travel_speed_kmh",
        id="in-a-team",
    ),
    pytest.param(
        ("sites:\n", "defaults:\n  walk_in_per_hr: 100\nsites:\n"),
        "scenario.yaml:5: defaults.walk_in_per_hr: unknown key; did you mean 'walk_in_per_hour'?",
        "min_break_minutes",
        id="in-defaults",
    ),
]


@pytest.mark.parametrize(("change", "expected_start", "allowed_key"), UNKNOWN_KEYS)
def test_unknown_key_is_an_error_with_a_hint(
    tiny_yaml: str, change: tuple[str, str], expected_start: str, allowed_key: str
) -> None:
    problem = only_problem(edit(tiny_yaml, *change))
    assert problem.startswith(expected_start), problem
    assert "allowed:" in problem and allowed_key in problem


def test_unknown_key_with_nothing_close_has_no_hint(tiny_yaml: str) -> None:
    problem = only_problem(edit(tiny_yaml, "    people: 4", "    people: 4\n    xyzzy: 1"))
    assert problem.startswith("scenario.yaml:22: teams[0].xyzzy: unknown key (allowed: id, ")
    assert "did you mean" not in problem


# -- YAML text that is not a scenario ---------------------------------------------------


def test_invalid_yaml_syntax_names_the_line(tiny_yaml: str) -> None:
    # Line 12 is indented by three spaces instead of four.
    problem = only_problem(edit(tiny_yaml, "    stations: 2", "   stations: 2"))
    assert problem.startswith("scenario.yaml:12: not valid YAML: "), problem


def test_a_control_character_is_invalid_yaml_on_its_line(tiny_yaml: str) -> None:
    problem = only_problem(edit(tiny_yaml, "scenario: tiny", "scenario: tiny\x07"))
    assert problem.startswith("scenario.yaml:1: not valid YAML: unacceptable character #x0007")


def test_unclosed_quote_is_invalid_yaml(tiny_yaml: str) -> None:
    problem = only_problem(edit(tiny_yaml, "scenario: tiny", 'scenario: "tiny'))
    assert problem.startswith("scenario.yaml:"), problem
    assert ": not valid YAML: " in problem


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file(text: str) -> None:
    assert only_problem(text) == "scenario.yaml:1: the file is empty"


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", "42\n"])
def test_top_level_must_be_a_mapping(text: str) -> None:
    assert only_problem(text) == "scenario.yaml:1: expected a mapping of keys at the top"


def test_file_not_found(tmp_path) -> None:
    path = tmp_path / "missing.yaml"
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert [str(p) for p in caught.value.problems] == [f"{path}: no such file"]


def test_non_utf8_bytes(tmp_path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("scenario: Qingyuan Straße\n".encode("latin-1"))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    [problem] = caught.value.problems
    assert str(problem).startswith(f"{path}: not UTF-8 text"), str(problem)


# -- YAML 1.1 pitfalls: clock times and timestamps --------------------------------------


def test_unquoted_clock_time_is_never_read_as_a_number(tiny_yaml: str) -> None:
    """PyYAML reads an unquoted 12:30 as 750 (base 60); the loader keeps the text."""
    problem = only_problem(edit(tiny_yaml, "    stations: 2", "    stations: 2\n    open: 12:30"))
    assert problem == (
        "scenario.yaml:13: sites[0].open: expected a window like \"07:00-21:00\", got '12:30'"
    )
    assert "750" not in problem


def test_clock_time_as_a_count_is_rejected_not_converted(tiny_yaml: str) -> None:
    """``residents: 1:30`` must not become 90 residents."""
    problem = only_problem(edit(tiny_yaml, "residents: 120", "residents: 1:30"))
    assert problem.startswith("scenario.yaml:17: sites[1].residents: "), problem
    assert "90" not in problem


def test_unquoted_window_works(tiny_yaml: str) -> None:
    text = edit(tiny_yaml, "    stations: 2", "    stations: 2\n    open: 07:00-12:30")
    sc = load_scenario_text(text, FILE)
    assert sc.sites[0].open == ClockWindow(start=7 * 60, end=12 * 60 + 30)
    assert str(sc.sites[0].open) == "07:00-12:30"
    assert sc.open_minutes(sc.sites[0]) == (0, 330)


def test_quoted_and_unquoted_windows_are_the_same(tiny_yaml: str) -> None:
    quoted = edit(tiny_yaml, "    stations: 2", '    stations: 2\n    open: "08:00-11:00"')
    unquoted = edit(tiny_yaml, "    stations: 2", "    stations: 2\n    open: 08:00-11:00")
    assert load_scenario_text(quoted, FILE) == load_scenario_text(unquoted, FILE)


def test_yaml_timestamp_and_iso_string_give_the_same_scenario(tiny_yaml: str) -> None:
    timestamp = edit(tiny_yaml, "start: 2022-11-10T07:00", "start: 2022-11-10 07:00:00")
    string = edit(tiny_yaml, "start: 2022-11-10T07:00", 'start: "2022-11-10T07:00"')
    a, b = load_scenario_text(timestamp, FILE), load_scenario_text(string, FILE)
    assert a.start == b.start == datetime(2022, 11, 10, 7, 0)
    assert a == b
    assert a.model_dump() == b.model_dump() == load_scenario_text(tiny_yaml, FILE).model_dump()


def test_bare_clock_time_as_start_is_rejected_clearly(tiny_yaml: str) -> None:
    problem = only_problem(edit(tiny_yaml, "start: 2022-11-10T07:00", "start: 07:00"))
    assert problem == (
        "scenario.yaml:2: start: expected a local date and time like 2022-11-10T07:00, got '07:00'"
    )


# -- several problems at once -----------------------------------------------------------


def test_every_field_problem_in_a_file_is_reported(tiny_yaml: str) -> None:
    text = edit(tiny_yaml, "stations: 2", "stations: 0")
    text = edit(text, "residents: 120", "residents: -5")
    text = edit(text, "    people: 4", "    people: 4\n    avail: 07:00-09:00")
    assert problems_of(text) == [
        "scenario.yaml:12: sites[0].stations: must be >= 1",
        "scenario.yaml:17: sites[1].residents: must be >= 0",
        "scenario.yaml:22: teams[0].avail: unknown key; did you mean 'available'? (allowed: "
        "id, name, people, lat, lon, available, door_to_door, walk_in_per_hour, "
        "door_to_door_per_hour, max_suit_minutes, min_break_minutes, max_work_minutes, "
        "travel_speed_kmh)",
    ]


def test_every_cross_reference_problem_is_reported(tiny_yaml: str) -> None:
    text = edit(tiny_yaml, "id: south", "id: north")
    text = edit(text, "    stations: 2", "    stations: 2\n    open: 14:00-15:00")
    text += "  - id: alpha\n    people: 2\n    lat: 40.0\n    lon: 113.0\n"
    assert problems_of(text) == [
        "scenario.yaml:13: sites[0].open: 14:00-15:00 is not inside the horizon 07:00-13:00",
        "scenario.yaml:14: sites[1].id: duplicate site id 'north' (also sites[0])",
        "scenario.yaml:25: teams[1].id: duplicate team id 'alpha' (also teams[0])",
    ]


def test_field_and_cross_reference_problems_are_all_reported(tiny_yaml):
    """A bad field does not hide a duplicate id: one pass reports both, in line order."""
    text = edit(tiny_yaml, "residents: 120", "residents: -5")
    text = edit(text, "id: south", "id: north")
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, "scenario.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "scenario.yaml:13: sites[1].id: duplicate site id 'north' (also sites[0])",
        "scenario.yaml:17: sites[1].residents: must be >= 0",
    ]


SHIPPED = Path(__file__).parent.parent / "scenarios"


@pytest.mark.parametrize(
    "name", sorted(str(p.relative_to(SHIPPED)) for p in SHIPPED.rglob("*.yaml"))
)
def test_libyaml_and_the_python_parser_read_the_same(name, monkeypatch):
    """Scenarios are parsed by libyaml when it is there; the data and the line of every
    key are what PyYAML's own parser gives (it still reports errors)."""
    text = (SHIPPED / name).read_text(encoding="utf-8")
    text += "extra_clock: 12:30\n"  # a plain clock time: never read as a number
    fast = parse_yaml(text)
    monkeypatch.setattr(loader, "_compose", lambda text: None)
    slow = parse_yaml(text)
    assert fast[0] == slow[0]
    assert fast[1].lines == slow[1].lines
    assert fast[0]["extra_clock"] == "12:30"
