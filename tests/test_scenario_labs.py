"""The ``labs:`` keys of the scenario (docs/labs.md): read strictly, errors naming file,
line and key, and a scenario without them unchanged."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from conftest import edit
from labs_tiny import labs_yaml
from typer.testing import CliRunner

from sampler.cli import app
from sampler.loader import ScenarioError, load_scenario_text
from sampler.scenario import Pooling

FILE = "scenario.yaml"


def problems_of(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, FILE)
    return [str(p) for p in caught.value.problems]


def test_labs_load_with_their_values_and_defaults(tiny_yaml: str) -> None:
    sc = load_scenario_text(labs_yaml(tiny_yaml), FILE)
    near, far = sc.labs
    assert (near.id, near.tubes_per_hour, near.batch_minutes, near.open) == ("near", 6, 60, None)
    assert (far.open.start, far.open.end) == (9 * 60, 24 * 60)
    assert sc.courier_rules.every_minutes == 60
    assert sc.results_target.within_minutes == 240
    north = sc.site_by_id["north"]
    assert (sc.per_tube(north, "walk_in"), sc.per_tube(north, "door_to_door")) == (10, 1)


def test_pooling_defaults_and_a_site_override(tiny_yaml: str) -> None:
    text = labs_yaml(tiny_yaml).replace(
        "    stations: 2\n", "    stations: 2\n    door_to_door_per_tube: 3\n"
    )
    text = edit(text, "  walk_in: 10\n  door_to_door: 1\n", "  walk_in: 20\n")
    sc = load_scenario_text(text, FILE)
    north, south = sc.sites
    assert sc.per_tube(north, "door_to_door") == 3
    assert sc.per_tube(south, "door_to_door") == Pooling().door_to_door == 1
    assert sc.per_tube(south, "walk_in") == 20


def test_without_labs_nothing_new_is_dumped(tiny_yaml: str) -> None:
    dumped = load_scenario_text(tiny_yaml, FILE).model_dump(mode="json", exclude_none=True)
    assert not {"labs", "pooling", "couriers", "results_target"} & set(dumped)
    assert all("door_to_door_per_tube" not in site for site in dumped["sites"])


def test_unknown_lab_key_names_line_and_allowed_keys(tiny_yaml: str) -> None:
    text = edit(labs_yaml(tiny_yaml), "    batch_minutes: 60\n", "    batch_minute: 60\n")
    problems = problems_of(text)
    assert (
        "scenario.yaml:30: labs[0].batch_minute: unknown key; did you mean 'batch_minutes'?"
        in (problems[-1])
    )
    assert problems[0] == "scenario.yaml:25: labs[0].batch_minutes: required key is missing"


def test_out_of_range_and_duplicate_labs(tiny_yaml: str) -> None:
    text = edit(labs_yaml(tiny_yaml), "    tubes_per_hour: 6\n", "    tubes_per_hour: 0\n")
    assert problems_of(text) == ["scenario.yaml:29: labs[0].tubes_per_hour: must be >= 1"]
    text = edit(labs_yaml(tiny_yaml), "  - id: far\n", "  - id: near\n")
    assert problems_of(text) == [
        "scenario.yaml:31: labs[1].id: duplicate lab id 'near' (also labs[0])"
    ]


def test_lab_blocks_need_labs(tiny_yaml: str) -> None:
    text = tiny_yaml + "pooling:\n  walk_in: 20\n"
    assert problems_of(text) == [
        "scenario.yaml:24: pooling: applies only with labs: (the scenario names no labs)"
    ]


def test_target_before_the_start_is_an_error(tiny_yaml: str) -> None:
    text = labs_yaml(tiny_yaml) + "  by: 2022-11-10T06:00\n"
    assert problems_of(text) == [
        "scenario.yaml:46: results_target.by: must be after start (2022-11-10T07:00)"
    ]
    text = labs_yaml(tiny_yaml) + "  by: 2022-11-11T03:00\n"
    assert load_scenario_text(text, FILE).results_target.by == datetime(2022, 11, 11, 3, 0)


def test_a_site_out_of_every_lab_s_reach_is_an_error(tiny_yaml: str) -> None:
    text = edit(
        labs_yaml(tiny_yaml), "  max_swab_to_lab_minutes: 240\n", "  max_swab_to_lab_minutes: 63\n"
    )
    problems = problems_of(text)
    assert problems[0].startswith(
        "scenario.yaml:13: sites[1]: no lab within reach: the nearest, near,"
    )
    assert "which leaves 3" in problems[0] and len(problems) == 1
    text = edit(labs_yaml(tiny_yaml), "  every_minutes: 60\n", "  every_minutes: 240\n")
    assert problems_of(text) == [
        "scenario.yaml:41: couriers.every_minutes: must be less than max_swab_to_lab_minutes "
        "(240): a tube picked up that late is already too old"
    ]


def test_schema_describes_the_labs() -> None:
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert {"labs", "pooling", "couriers", "results_target"} <= set(document["properties"])
    lab = document["$defs"]["Lab"]
    assert {"tubes_per_hour", "batch_minutes", "open"} <= set(lab["properties"])
    assert lab["additionalProperties"] is False
