"""The independent plan checker: does a plan directory satisfy CONTRACT.md?

The checker reads the plan files and the scenario and re-derives every rule and every total
itself. It shares no code with the planner model (only the validated scenario is common), so
a bug in the model cannot hide behind the same bug in the checker.

Broken rules are grouped: one :class:`Violation` per rule id, with the number of cases and
up to five concrete examples, so a badly broken plan still gives a readable report.

How the package is laid out (read :func:`check_plan` first: it calls everything in order):

- ``contract``: the files' columns, values and formats CONTRACT.md fixes;
- ``findings``: the rule ids (:data:`RULES`), :class:`Violation`, :class:`CheckReport`;
- ``context``: one run's scenario, folder and findings, and the helpers every rule uses;
- ``reading``, ``parsing``: the CSV files as text, then as typed rows;
- ``intervals``: vectorised interval arithmetic the rules share;
- the rules, one module per rule of the contract: ``files`` (rosters/ and order),
  ``people`` (pairs, Rule 1), ``pairs`` (Rule 2), ``suits`` (Rule 3), ``travel``
  (Rule 4), ``stations`` (Rule 5), ``assignments`` (Rule 6), ``totals`` (sites.csv and
  plan.json);
- with labs (docs/labs.md): ``lab_collections`` (collections.csv against assignments.csv),
  ``lab_queue`` (the labs' hours and queues), ``labs`` (every lab rule).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sampler.check.assignments import (
    check_assignment_overlap,
    check_inside_roster,
    check_rate,
    check_site_demand,
    site_totals,
)
from sampler.check.context import Context
from sampler.check.contract import (
    ASSIGNMENT_COLUMNS,
    PLAN_KEYS,
    ROSTER_COLUMNS,
    SITES_COLUMNS,
    SUITED,
)
from sampler.check.files import check_order, check_team_rosters
from sampler.check.findings import RULES, CheckReport, Violation
from sampler.check.labs import check_labs
from sampler.check.pairs import check_mode_and_site, check_pair_together
from sampler.check.parsing import (
    known_assignments,
    known_roster_rows,
    parse_assignments,
    parse_roster,
)
from sampler.check.people import (
    check_availability,
    check_horizon,
    check_open_window,
    check_overlap,
    check_people,
)
from sampler.check.reading import as_frame, read_table
from sampler.check.stations import check_stations
from sampler.check.suits import check_suit_stretch, check_work_cap
from sampler.check.totals import check_plan_json, check_sites_table
from sampler.check.travel import check_travel, travel_minutes
from sampler.scenario import Scenario

__all__ = [
    "ASSIGNMENT_COLUMNS",
    "PLAN_KEYS",
    "ROSTER_COLUMNS",
    "RULES",
    "SITES_COLUMNS",
    "CheckReport",
    "Violation",
    "check_plan",
    "travel_minutes",
]


def check_plan(scenario: Scenario, plan_dir: str | Path) -> CheckReport:
    """Check the plan directory ``plan_dir`` against ``scenario`` and every rule of the contract."""
    cx = Context(scenario, Path(plan_dir))
    roster_table = read_table(cx, "roster.csv", ROSTER_COLUMNS, ("start", "end"))
    roster_text = as_frame(roster_table, ROSTER_COLUMNS)
    assign_text = as_frame(
        read_table(cx, "assignments.csv", ASSIGNMENT_COLUMNS, ("start", "end", "samples")),
        ASSIGNMENT_COLUMNS,
    )
    sites_table = read_table(cx, "sites.csv", SITES_COLUMNS, SITES_COLUMNS[3:])

    check_team_rosters(cx, roster_table)
    roster, pair_team = _check_roster(cx, roster_text)
    per_site, assignments = _check_assignments(cx, assign_text, roster, pair_team)
    if sites_table is not None:
        check_sites_table(cx, as_frame(sites_table, SITES_COLUMNS), per_site)
    check_plan_json(cx, per_site)
    lab_stats = check_labs(cx, assignments, per_site)

    stats = {
        "roster_rows": len(roster_text),
        "assignment_rows": len(assign_text),
        "teams": int(roster["team"].nunique()),
        "people": int(roster["person"].nunique()),
        "pairs": int(roster["pair"].nunique()),
        "sites": len(scenario.sites),
        "residents": scenario.total_residents,
        "samples": int(per_site["walk_in"].sum() + per_site["door_to_door"].sum()),
        **lab_stats,
    }
    return CheckReport(cx.found.violations(), stats)


def _check_roster(cx: Context, text: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Rules 1 to 5 on roster.csv; returns its rows the rules could judge, and the team of
    every pair it names (for assignments.csv)."""
    roster = parse_roster(cx, text)
    check_order(cx, roster)
    pair_team = dict(zip(roster["pair"], roster["team"], strict=True))
    roster = known_roster_rows(cx, roster)
    pair_size = check_people(cx, roster)

    # Rule 1
    check_overlap(cx, roster)
    check_horizon(cx, roster)
    check_availability(cx, roster)
    check_open_window(cx, roster)
    # Rule 2
    check_pair_together(cx, roster, pair_size)
    check_mode_and_site(cx, roster, "roster.csv")
    # Rule 3
    suited = roster[roster["activity"].isin(SUITED)]
    check_suit_stretch(cx, suited)
    check_work_cap(cx, suited)
    # Rule 4
    check_travel(cx, roster)
    # Rule 5
    check_stations(cx, roster)
    return roster, pair_team


def _check_assignments(
    cx: Context, text: pd.DataFrame, roster: pd.DataFrame, pair_team: dict[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """assignments.csv against the roster and Rule 6; returns the totals per site and the
    well-formed rows at known sites."""
    # Totals count every well-formed assignment at a known site, even one that breaks
    # another rule: they are what assignments.csv says.
    assign_all = parse_assignments(cx, text)
    assignments = known_assignments(cx, assign_all, pair_team)
    check_mode_and_site(cx, assignments, "assignments.csv")
    check_inside_roster(cx, assignments, roster)
    check_assignment_overlap(cx, assignments)
    # Rule 6
    check_rate(cx, assignments)
    per_site = site_totals(cx, assign_all)
    check_site_demand(cx, per_site)
    return per_site, assign_all
