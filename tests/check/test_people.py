"""Tests of sampler.check.people: pairs and team size, and Rule 1 (overlap, horizon,
availability, open window)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from sampler.check.context import Context
from sampler.loader import load_scenario_text
from sampler.scenario import ClockWindow, Scenario, window_offsets

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


@pytest.mark.parametrize("horizon_start", ["00:00", "07:00", "16:00", "20:00", "23:30"])
def test_the_checker_reads_clock_windows_as_the_scenario_does(
    scenario: Scenario, tmp_path: Path, horizon_start: str
) -> None:
    """The checker reads ``open`` and ``available`` itself (sampler.check.context); both
    readings agree on every window, those across midnight (18:00-02:00) included."""
    hour, minute = map(int, horizon_start.split(":"))
    start = datetime(2022, 11, 20, hour, minute)
    cx = Context(scenario.model_copy(update={"start": start}), tmp_path)
    clocks = [0, 30, 120, 7 * 60, 18 * 60, 20 * 60 + 30, 23 * 60 + 30, 24 * 60]
    windows = [ClockWindow(start=a, end=b) for a in clocks for b in clocks if a % 1440 != b % 1440]
    assert any(w.crosses_midnight for w in windows)
    # Only windows a scenario can hold (a horizon is 24 hours at most) are compared: the
    # loader refuses the others, so the checker never sees them.
    held = [w for w in windows if window_offsets(start, w)[1] <= 24 * 60]
    assert len(held) >= len(windows) // 3 and any(w.crosses_midnight for w in held)
    for window in held:
        assert cx.window(window) == window_offsets(start, window), str(window)
    night = cx.window(ClockWindow(start=18 * 60, end=2 * 60))
    assert night[1] - night[0] == 8 * 60
