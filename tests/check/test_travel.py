"""Tests of sampler.check.travel: Rule 4, every move a travel row long enough for the distance."""

from __future__ import annotations

import numpy as np
import pytest

from sampler.check import travel_minutes
from sampler.loader import load_scenario_text

from .tiny import ALPHA, SCENARIO, check, pair_rows, replace_rows


def test_travel_minutes_by_hand():
    # 0.01 degrees of latitude = 1.10947 km (polar radius); x 1.3 / 20 km/h x 60 = 4.33 -> 5.
    got = travel_minutes(np.array([39.99, 40.0]), 113.0, np.array([40.0, 40.0]), 113.0, 20.0)
    assert got.tolist() == [5.0, 0.0]


def test_missing_travel(scenario, tmp_path, plan):
    replace_rows(plan, ALPHA, ("travel", "sealed-a", "09:00", "09:10"), None)
    report = check(scenario, tmp_path, plan)
    assert report.rules == {"travel"}
    assert "from site north" in report.violations[0].examples[0]


@pytest.mark.parametrize(("start", "ok"), [("09:05", True), ("09:06", False), ("09:07", False)])
def test_short_travel(scenario, tmp_path, plan, start, ok):
    """The trip needs 5 minutes (4.33 with the polar radius, the smallest in use, rounded
    up): 5 pass, 4 fail."""
    replace_rows(
        plan,
        ALPHA,
        ("travel", "sealed-a", "09:00", "09:10"),
        ("travel", "sealed-a", start, "09:10"),
    )
    report = check(scenario, tmp_path, plan)
    assert report.ok if ok else report.rules == {"travel"}, report.summary()


def test_first_trip_starts_at_team_position(scenario, tmp_path, plan):
    """alpha starts 5 travel minutes from north; -beta starts at north and needs no travel."""
    replace_rows(plan, ALPHA, ("travel", "north", "07:50", "08:00"), None)
    report = check(scenario, tmp_path, plan)
    assert report.rules == {"travel"}
    assert "team alpha's position" in report.violations[0].examples[0]


def test_a_one_minute_trip_still_needs_its_row(tmp_path, plan):
    """alpha based 0.002 degrees south of north (0.22 km: 0.87 minutes, rounded up to 1):
    its first trip may not be left out. (A minute of slack per trip would let a chain of
    such trips, site after site, cost no travel at all.)"""
    near = load_scenario_text(SCENARIO.replace("lat: 39.99", "lat: 39.998"), "near.yaml")
    assert check(near, tmp_path / "with", plan).ok
    replace_rows(plan, ALPHA, ("travel", "north", "07:50", "08:00"), None)
    report = check(near, tmp_path / "without", plan)
    assert report.rules == {"travel"}, report.summary()


@pytest.mark.parametrize(("end", "ok"), [("12:05", True), ("12:04", False)])
def test_a_trip_to_no_work_still_takes_its_time(scenario, tmp_path, plan, end, ok):
    """alpha ends its day with a trip from north to sealed-a (5 minutes) and no work there:
    the trip still has to last that long."""
    plan["roster"] += pair_rows(ALPHA, [("travel", "sealed-a", "12:00", end)])
    report = check(scenario, tmp_path, plan)
    assert report.ok if ok else report.rules == {"travel"}, report.summary()


def test_work_where_the_pair_is_not(scenario, tmp_path, plan):
    """After that trip to sealed-a, alpha works at north again (a row with no samples)
    without travelling back: it is not there."""
    plan["roster"] += pair_rows(
        ALPHA,
        [("travel", "sealed-a", "12:00", "12:05"), ("door_to_door", "north", "12:05", "12:10")],
    )
    report = check(scenario, tmp_path, plan)
    assert report.rules == {"travel"}, report.summary()
    assert "from site sealed-a" in report.violations[0].examples[0]


def test_travel_before_previous_work_does_not_count(scenario, tmp_path, plan):
    replace_rows(
        plan,
        ALPHA,
        ("travel", "sealed-a", "09:00", "09:10"),
        ("travel", "sealed-a", "07:40", "07:50"),
    )
    assert check(scenario, tmp_path, plan).rules == {"travel"}
