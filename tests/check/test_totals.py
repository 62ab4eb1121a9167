"""Tests of sampler.check.totals: sites.csv and plan.json against the sums of assignments.csv."""

from __future__ import annotations

import pytest

from .tiny import check, stamp


@pytest.mark.parametrize(
    ("column", "value"),
    [(5, "269"), (6, "31"), (7, "0.9"), (8, stamp("11:30")), (8, "")],
    ids=["walk_in_sampled", "door_to_door_sampled", "coverage", "done_at", "done_at-empty"],
)
def test_wrong_sites_totals(scenario, tmp_path, plan, column, value):
    plan["sites"][0][column] = value
    assert check(scenario, tmp_path, plan).rules == {"totals"}


def test_wrong_sites_scenario_columns(scenario, tmp_path, plan):
    plan["sites"][1][4] = "0"  # a sealed site's home_visits are all its residents
    assert check(scenario, tmp_path, plan).rules == {"site_table"}


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("coverage", 0.9),
        ("done_at", stamp("11:00")),
        ("done_at", None),
        ("status", "partial"),
        ("status", "optimal"),
        ("lower_bound_done_at", stamp("13:00")),
    ],
)
def test_wrong_plan_json(scenario, tmp_path, plan, key, value):
    plan["plan"][key] = value
    assert check(scenario, tmp_path, plan).rules == {"plan_json"}


def test_optimal_when_done_at_meets_lower_bound(scenario, tmp_path, plan):
    plan["plan"].update(status="optimal", lower_bound_done_at=stamp("12:00"))
    assert check(scenario, tmp_path, plan).ok


def test_plan_json_without_status(scenario, tmp_path, plan):
    del plan["plan"]["status"]
    assert check(scenario, tmp_path, plan).rules == {"format"}
