"""Tests of sampler.check.suits: Rule 3, the suit stretch and the work cap."""

from __future__ import annotations

import pytest

from sampler.loader import load_scenario_text

from .tiny import ALPHA, SCENARIO, check, pair_rows, replace_rows


@pytest.mark.parametrize(("pause", "ok"), [(60, True), (59, False), (30, False)])
def test_suit_stretch(scenario, tmp_path, plan, pause, ok):
    """alpha stays at sealed-a until the pause before 10:50 is ``pause`` minutes.

    With a pause of 60 minutes the stretches are 07:50-.. and 10:50-12:00; a shorter pause
    joins them into 07:50-12:00 = 250 minutes > 180.
    """
    end = f"{(650 - pause) // 60:02d}:{(650 - pause) % 60:02d}"
    replace_rows(
        plan,
        ALPHA,
        ("door_to_door", "sealed-a", "09:10", "09:50"),
        ("door_to_door", "sealed-a", "09:10", end),
    )
    replace_rows(plan, ALPHA, ("break", "", "09:50", "10:50"), ("break", "", end, "10:50"))
    report = check(scenario, tmp_path, plan)
    if ok:
        assert report.ok, report.summary()
    else:
        assert report.rules == {"suit_stretch"}
        assert "250 min" in report.violations[0].examples[0]


def test_team_override_of_suit_limit(tmp_path, plan):
    """alpha's own max_suit_minutes of 100 is shorter than its 120-minute first stretch."""
    text = SCENARIO.replace("    lat: 39.99\n", "    lat: 39.99\n    max_suit_minutes: 100\n")
    report = check(load_scenario_text(text), tmp_path, plan)
    assert report.rules == {"suit_stretch"}


def test_work_cap(scenario, tmp_path, plan):
    """An extra hour of home visits brings alpha to 250 minutes of work and travel > 240."""
    plan["roster"] += pair_rows(ALPHA, [("door_to_door", "north", "12:00", "13:00")])
    assert check(scenario, tmp_path, plan).rules == {"work_cap"}
