"""Tests of sampler.variants: the ``--set PATH=V1,V2,...`` grammar, variants files, and
their errors, each written exactly as the user sees it.

The scenario is the ``tiny_yaml`` fixture (team ``alpha`` of 4 people; sites ``north`` and
``south``; horizon 07:00-13:00), read as plain data the way ``sampler compare`` reads it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from sampler.loader import ScenarioError, parse_yaml
from sampler.variants import (
    NAME_PATTERN,
    VariantError,
    apply_changes,
    parse_value,
    split_values,
    variants_from_file,
    variants_from_mapping,
    variants_from_sets,
)

FILE = "scenario.yaml"
SAFE = re.compile(r"^[A-Za-z0-9._=+-]+$")


@pytest.fixture
def data(tiny_yaml: str) -> dict[str, Any]:
    parsed, _ = parse_yaml(tiny_yaml, FILE)
    return parsed


def errors(data: dict[str, Any], *sets: str, zip_sets: bool = False) -> list[str]:
    """Every problem reported for these --set arguments, as printed; fails if none."""
    with pytest.raises(VariantError) as caught:
        variants_from_sets(data, list(sets), zip_sets, FILE)
    return [str(p) for p in caught.value.problems]


# -- the grammar -----------------------------------------------------------------------


def test_one_set_gives_one_variant_per_value_named_by_index_and_change(data) -> None:
    variants = variants_from_sets(data, ["teams.alpha.people=0,2,4"])
    assert [v.name for v in variants] == [
        "01-alpha.people=0",
        "02-alpha.people=2",
        "03-alpha.people=4",
    ]
    assert [v.data["teams"][0]["people"] for v in variants] == [0, 2, 4]
    assert [v.values() for v in variants][1] == {"teams.alpha.people": "2"}
    assert variants[2].scenario().teams[0].pairs == 2


def test_clock_times_stay_text_and_windows_are_not_numbers(data) -> None:
    """An unquoted 12:30 is the base-60 number 750 in YAML 1.1; here it is never one."""
    variants = variants_from_sets(data, ["teams.alpha.available=07:00-13:00,09:30-13:00"])
    assert [v.data["teams"][0]["available"] for v in variants] == ["07:00-13:00", "09:30-13:00"]
    assert str(variants[1].scenario().teams[0].available) == "09:30-13:00"
    assert parse_value("12:30") == "12:30"
    assert parse_value("07:00") == "07:00"
    assert variants[1].name == "02-alpha.available=0930-1300"  # no ':' in a folder name


def test_values_are_yaml_scalars(data) -> None:
    assert parse_value("50") == 50
    assert parse_value("0.5") == 0.5
    assert parse_value("false") is False
    assert parse_value("'07:00'") == "07:00"
    assert parse_value("北苑") == "北苑"
    assert parse_value("null") is None


def test_quoted_values_may_hold_commas() -> None:
    assert split_values("a,'b, c', \"d,e\" ,f") == ["a", "'b, c'", '"d,e"', "f"]
    assert parse_value("'b, c'") == "b, c"


def test_every_kind_of_path(data) -> None:
    sets = [
        "sites.north.sealed=true",
        "defaults.max_suit_minutes=240",
        "slot_minutes=15",
        "teams.alpha.walk_in_per_hour=100",
    ]
    [variant] = variants_from_sets(data, sets)
    sc = variant.scenario()
    assert sc.site_by_id["north"].sealed is True
    assert sc.defaults.max_suit_minutes == 240  # the scenario had no defaults block at all
    assert sc.slot_minutes == 15
    assert sc.rules(sc.teams[0]).walk_in_per_hour == 100


def test_null_removes_a_key_so_that_its_default_applies(data) -> None:
    [variant] = variants_from_sets(data, ["sites.north.stations=null"])
    assert "stations" not in variant.data["sites"][0]
    assert variant.scenario().sites[0].stations == 4


def test_variants_never_change_the_scenario_data(data, tiny_yaml: str) -> None:
    before, _ = parse_yaml(tiny_yaml, FILE)
    variants_from_sets(data, ["teams.alpha.people=0,2", "defaults.max_suit_minutes=240"])
    assert data == before


def test_cartesian_product_by_default_last_set_fastest(data) -> None:
    variants = variants_from_sets(
        data, ["teams.alpha.people=0,2,4", "sites.north.stations=1,2"], zip_sets=False
    )
    assert len(variants) == 6
    assert [v.name for v in variants][:3] == [
        "01-alpha.people=0+north.stations=1",
        "02-alpha.people=0+north.stations=2",
        "03-alpha.people=2+north.stations=1",
    ]


def test_zip_pairs_the_values(data) -> None:
    variants = variants_from_sets(
        data, ["teams.alpha.people=0,2,4", "sites.north.stations=1,2,3"], zip_sets=True
    )
    assert len(variants) == 3
    assert [(v.data["teams"][0]["people"], v.data["sites"][0]["stations"]) for v in variants] == [
        (0, 1),
        (2, 2),
        (4, 3),
    ]


def test_names_are_filesystem_safe_and_deterministic(data) -> None:
    sets = ["scenario='a/b: c',北苑 x", "teams.alpha.available=07:00-13:00"]
    first = [v.name for v in variants_from_sets(data, sets)]
    assert first == [v.name for v in variants_from_sets(data, sets)]
    assert all(SAFE.match(name) for name in first), first
    assert len(set(first)) == len(first)


# -- errors ------------------------------------------------------------------------------


def test_unknown_team_id_names_the_argument_and_suggests(data) -> None:
    assert errors(data, "teams.alpah.people=0,2") == [
        "--set teams.alpah.people=0,2: unknown team 'alpah'; did you mean 'alpha'? (teams: alpha)"
    ]


def test_unknown_site_id(data) -> None:
    assert errors(data, "sites.west.residents=10") == [
        "--set sites.west.residents=10: unknown site 'west' (sites: north, south)"
    ]


def test_unknown_key_lists_the_allowed_ones(data) -> None:
    [message] = errors(data, "teams.alpha.peple=2")
    assert message.startswith("--set teams.alpha.peple=2: unknown team key 'peple'; did you mean")
    assert "allowed: name, people, lat, lon, available" in message
    [message] = errors(data, "defaults.max_suite_minutes=240")
    assert "did you mean 'max_suit_minutes'?" in message
    [message] = errors(data, "horizon=3")
    assert message.startswith("--set horizon=3: unknown key 'horizon'")


def test_paths_of_the_wrong_shape(data) -> None:
    assert errors(data, "teams.alpha=2") == [
        "--set teams.alpha=2: a team path is teams.ID.KEY (e.g. teams.alpha.people)"
    ]
    assert errors(data, "teams.alpha.id=beta") == [
        "--set teams.alpha.id=beta: the id addresses the team; it cannot be varied"
    ]
    assert errors(data, "teams.alpha.people") == [
        "--set teams.alpha.people: expected PATH=V1,V2,... (e.g. teams.yunzhou.people=0,50,100)"
    ]


def test_bad_value_type_names_the_value(data) -> None:
    assert errors(data, "teams.alpha.people=2,many") == [
        "--set teams.alpha.people=2,many: teams.alpha.people=many: "
        "must be a whole number written in digits (like 4400), got 'many'"
    ]
    assert errors(data, "teams.alpha.available=12:30") == [
        "--set teams.alpha.available=12:30: teams.alpha.available=12:30: "
        "expected a window like \"07:00-21:00\", got '12:30'"
    ]


def test_out_of_range_value_is_an_error(data) -> None:
    assert errors(data, "teams.alpha.people=-2,2") == [
        "--set teams.alpha.people=-2,2: teams.alpha.people=-2: must be >= 0"
    ]


def test_empty_value_and_unbalanced_quote(data) -> None:
    [message] = errors(data, "teams.alpha.people=2,")
    assert "empty value" in message
    [message] = errors(data, "scenario='a")
    assert "unbalanced" in message


def test_zip_lengths_must_match(data) -> None:
    assert errors(data, "teams.alpha.people=0,2,4", "sites.north.stations=1,2", zip_sets=True) == [
        "--zip: every --set needs the same number of values to pair them "
        "(--set teams.alpha.people=0,2,4 has 3; --set sites.north.stations=1,2 has 2)"
    ]


def test_the_same_path_twice_is_an_error(data) -> None:
    [message] = errors(data, "teams.alpha.people=0", "teams.alpha.people=2")
    assert message == (
        "--set teams.alpha.people=2: teams.alpha.people is also set by --set teams.alpha.people=0"
    )


def test_a_rule_over_several_keys_is_put_on_the_change_that_breaks_it(data) -> None:
    """Moving the end of the horizon before a window ends breaks the window's rule; the
    error names the --set that moved it and the scenario line of the window."""
    data["teams"][0]["available"] = "07:00-13:00"
    assert errors(data, "end=2022-11-10T12:00") == [
        "--set end=2022-11-10T12:00: end=2022-11-10T12:00: "
        "scenario.yaml: teams[0].available: 07:00-13:00 is not inside the horizon 07:00-12:00"
    ]


def test_every_problem_is_reported_at_once(data) -> None:
    problems = errors(data, "teams.alpah.people=2", "sites.north.stations=0")
    assert len(problems) == 1  # the unknown team stops before validation...
    problems = errors(data, "teams.alpha.people=-2", "sites.north.stations=0")
    assert len(problems) == 2  # ...but every invalid value is listed


def test_a_bad_scenario_is_reported_as_the_scenario_error(tiny_yaml: str) -> None:
    bad, lines = parse_yaml(tiny_yaml.replace("residents: 120", "residents: -1"), FILE)
    with pytest.raises(ScenarioError) as caught:
        variants_from_sets(bad, ["teams.alpha.people=2"], False, FILE, lines)
    assert [str(p) for p in caught.value.problems] == [
        "scenario.yaml:17: sites[1].residents: must be >= 0"
    ]


# -- variants files ----------------------------------------------------------------------


def test_variants_file_names_its_variants(data, tmp_path: Path) -> None:
    path = tmp_path / "variants.yaml"
    path.write_text(
        "as-planned: {}\nlate:\n  teams.alpha.available: 09:30-13:00\n  teams.alpha.people: 6\n",
        encoding="utf-8",
    )
    variants = variants_from_file(data, path)
    assert [v.name for v in variants] == ["as-planned", "late"]
    assert variants[0].data == data
    assert variants[1].values() == {
        "teams.alpha.available": "09:30-13:00",
        "teams.alpha.people": "6",
    }
    assert variants[1].data["teams"][0]["available"] == "09:30-13:00"


def test_variants_file_errors_name_file_line_and_key(data, tmp_path: Path) -> None:
    path = tmp_path / "variants.yaml"
    path.write_text(
        "fine:\n"
        "  teams.alpha.people: 2\n"
        "typo:\n"
        "  teams.alpha.peeple: 2\n"
        "bad:\n"
        "  teams.alpha.people: -4\n",
        encoding="utf-8",
    )
    with pytest.raises(VariantError) as caught:
        variants_from_file(data, path)
    [problem] = [str(p) for p in caught.value.problems]
    assert problem.startswith(f"{path}:4: typo.teams.alpha.peeple: unknown team key 'peeple'")
    path.write_text("bad:\n  teams.alpha.people: -4\n", encoding="utf-8")
    with pytest.raises(VariantError) as caught:
        variants_from_file(data, path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:2: bad.teams.alpha.people: must be >= 0"
    ]


def test_variant_names_must_be_safe(data) -> None:
    with pytest.raises(VariantError) as caught:
        variants_from_mapping(data, {"../evil": {}}, "v.yaml")
    assert "a variant name uses letters, digits" in str(caught.value)
    assert NAME_PATTERN.match("yunzhou.people=50")


def test_missing_variants_file(data, tmp_path: Path) -> None:
    with pytest.raises(VariantError) as caught:
        variants_from_file(data, tmp_path / "none.yaml")
    assert str(caught.value) == f"{tmp_path / 'none.yaml'}: no such file"


def test_apply_changes_creates_missing_blocks(data) -> None:
    [variant] = variants_from_sets(data, ["defaults.travel_speed_kmh=30"])
    assert "defaults" not in data
    assert apply_changes(data, variant.changes)["defaults"] == {"travel_speed_kmh": 30}
