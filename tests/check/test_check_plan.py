"""Tests of check_plan as a whole: the valid plan, an empty one, and how broken rules are
grouped."""

from __future__ import annotations

from .tiny import ALPHA, check, person_row


def test_valid_plan_passes(scenario, tmp_path, plan):
    """Also: alpha travels to north before it opens (travel is not work at the site), -beta
    needs no travel from its own position at north, and '-beta' and '=SUM(A1)' are read back
    without their leading '."""
    report = check(scenario, tmp_path, plan)
    assert report.ok, report.summary()
    assert report.violations == ()
    assert report.summary().startswith("plan is valid:")
    assert report.stats["people"] == 4
    assert report.stats["pairs"] == 2
    assert report.stats["roster_rows"] == 18
    assert report.stats["samples"] == 320


def test_empty_partial_plan_is_valid(scenario, tmp_path):
    """Nobody scheduled: a valid partial plan with coverage 0 and no done_at."""
    empty = {
        "roster": [],
        "assignments": [],
        "sites": [
            ["north", "北苑社区", "平城区", "300", "30", "0", "0", "0", ""],
            ["sealed-a", "=SUM(A1)", "", "20", "20", "0", "0", "0.0", ""],
        ],
        "plan": {
            "coverage": 0,
            "done_at": None,
            "lower_bound_done_at": None,
            "status": "partial",
            "solver": {},
        },
    }
    report = check(scenario, tmp_path, empty)
    assert report.ok, report.summary()


def test_violations_are_grouped(scenario, tmp_path, plan):
    """Eight copies of one break give seven overlaps: one violation, five examples."""
    plan["roster"] += [person_row(ALPHA, 0, "break", "", "12:00", "12:30")] * 8
    report = check(scenario, tmp_path, plan)
    assert report.rules == {"overlap"}
    (violation,) = report.violations
    assert "broken 7 times" in violation.message
    assert len(violation.examples) == 5
    text = report.summary()
    assert text.startswith("plan is NOT valid") and "[overlap]" in text
