"""Tests of sampler.check.parsing: empty intervals and unknown teams, sites and pairs."""

from __future__ import annotations

from .tiny import ALPHA, check, pair_rows, person_row, stamp


def test_empty_interval(scenario, tmp_path, plan):
    plan["roster"].append(person_row(ALPHA, 0, "break", "", "12:30", "12:30"))
    assert check(scenario, tmp_path, plan).rules == {"interval"}


def test_assignment_of_unknown_pair(scenario, tmp_path, plan):
    plan["assignments"].append(
        ["alpha", "alpha-p9", "north", "walk_in", stamp("08:30"), stamp("09:00"), "0"]
    )
    report = check(scenario, tmp_path, plan)
    assert report.rules == {"unknown_reference"}
    assert "alpha-p9" in report.violations[0].examples[0]


def test_unknown_site(scenario, tmp_path, plan):
    plan["roster"] += pair_rows(ALPHA, [("travel", "nowhere", "12:00", "12:10")])
    assert check(scenario, tmp_path, plan).rules == {"unknown_reference"}
