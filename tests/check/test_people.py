"""Tests of sampler.check.people: pairs and team size, and Rule 1 (overlap, horizon,
availability, open window)."""

from __future__ import annotations

from sampler.loader import load_scenario_text

from .tiny import ALPHA, BETA, SCENARIO, assignment, check, person_row, replace_rows, stamp


def test_overlap(scenario, tmp_path, plan):
    plan["roster"].append(person_row(ALPHA, 0, "break", "", "09:30", "10:00"))
    assert check(scenario, tmp_path, plan).rules == {"overlap"}


def test_touching_intervals_do_not_overlap(scenario, tmp_path, plan):
    plan["roster"].append(person_row(ALPHA, 0, "break", "", "12:00", "12:30"))
    assert check(scenario, tmp_path, plan).ok


def test_outside_horizon(scenario, tmp_path, plan):
    """alpha has no ``available`` window, so its availability is the horizon too."""
    plan["roster"].append(person_row(ALPHA, 0, "break", "", "20:30", "21:30"))
    assert check(scenario, tmp_path, plan).rules == {"horizon", "availability"}


def test_outside_availability(scenario, tmp_path, plan):
    """-beta is available until 11:00; its last walk-in now runs to 11:30."""
    replace_rows(
        plan, BETA, ("walk_in", "north", "10:00", "10:30"), ("walk_in", "north", "10:00", "11:30")
    )
    assert check(scenario, tmp_path, plan).rules == {"availability"}


def test_outside_open_window(scenario, tmp_path, plan):
    """north opens at 08:00; alpha starts walk-in there at 07:50."""
    replace_rows(
        plan, ALPHA, ("travel", "north", "07:50", "08:00"), ("travel", "north", "07:40", "07:50")
    )
    replace_rows(
        plan, ALPHA, ("walk_in", "north", "08:00", "09:00"), ("walk_in", "north", "07:50", "09:00")
    )
    assignment(plan, "alpha-p1", "08:00")[4] = stamp("07:50")
    report = check(scenario, tmp_path, plan)
    assert report.rules == {"open_window"}
    assert "08:00-20:00" in report.violations[0].examples[0]


def test_pair_members_differ(scenario, tmp_path, plan):
    plan["roster"].remove(person_row(ALPHA, 1, "walk_in", "north", "08:00", "09:00"))
    plan["roster"].append(person_row(ALPHA, 1, "walk_in", "north", "08:00", "08:50"))
    assert check(scenario, tmp_path, plan).rules == {"pair_together"}


def test_pair_needs_one_swab_and_one_record(scenario, tmp_path, plan):
    plan["roster"] = [[*r[:3], "swab", *r[4:]] if r[1] == "alpha-02" else r for r in plan["roster"]]
    assert check(scenario, tmp_path, plan).rules == {"pair_members"}


def test_team_size(tmp_path, plan):
    """With only one person, alpha cannot form its pair."""
    text = SCENARIO.replace("  - id: alpha\n    people: 2", "  - id: alpha\n    people: 1")
    assert check(load_scenario_text(text), tmp_path, plan).rules == {"team_size"}
