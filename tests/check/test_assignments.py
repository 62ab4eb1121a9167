"""Tests of sampler.check.assignments: assignments inside the roster, and Rule 6."""

from __future__ import annotations

from .tiny import assignment, check, stamp


def test_samples_above_rate(scenario, tmp_path, plan):
    """30 samples in 10 minutes at 120 an hour (at most 20)."""
    assignment(plan, "-beta-p1", "10:00")[5] = stamp("10:10")
    assert check(scenario, tmp_path, plan).rules == {"rate"}


def test_assignment_outside_roster(scenario, tmp_path, plan):
    assignment(plan, "-beta-p1", "10:00")[5] = stamp("10:40")
    assert check(scenario, tmp_path, plan).rules == {"assignment_outside_roster"}


def test_assignments_of_a_pair_overlap(scenario, tmp_path, plan):
    plan["assignments"].append(
        ["alpha", "alpha-p1", "north", "walk_in", stamp("08:30"), stamp("09:00"), "0"]
    )
    assert check(scenario, tmp_path, plan).rules == {"assignment_overlap"}


def test_site_over_sampled(scenario, tmp_path, plan):
    """60 more walk-in samples at north than its 270 walk-in residents; totals kept in step."""
    assignment(plan, "-beta-p1", "10:00")[6] = "60"
    plan["sites"][0][5] = "300"
    plan["sites"][0][7] = "1.1"
    plan["plan"]["coverage"] = 350 / 320
    assert check(scenario, tmp_path, plan).rules == {"site_demand"}
