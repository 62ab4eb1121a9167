"""Tests of sampler.check.stations: Rule 5, at most `stations` pairs do walk-in at once."""

from __future__ import annotations

from .tiny import BETA, check, replace_rows


def test_station_cap(scenario, tmp_path, plan):
    """north has one station; -beta starts walk-in at 08:50, while alpha is there until 09:00."""
    replace_rows(
        plan, BETA, ("walk_in", "north", "09:00", "10:00"), ("walk_in", "north", "08:50", "10:00")
    )
    report = check(scenario, tmp_path, plan)
    assert report.rules == {"stations"}
    assert "2 pairs" in report.violations[0].examples[0]
