"""Tests of sampler.check.files: rosters/<team>.csv against roster.csv, and roster.csv's order."""

from __future__ import annotations

import json

from sampler.check import check_plan

from .tiny import check, write_plan


def test_team_roster_file_differs(scenario, tmp_path, plan):
    folder = write_plan(tmp_path / "plan", plan)
    path = folder / "rosters" / "alpha.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), encoding="utf-8-sig")
    assert check_plan(scenario, folder).rules == {"team_rosters"}


def test_team_roster_file_missing(scenario, tmp_path, plan):
    folder = write_plan(tmp_path / "plan", plan)
    (folder / "rosters" / "-beta.csv").unlink()
    assert check_plan(scenario, folder).rules == {"team_rosters"}


def test_a_plan_folder_with_only_the_contract_files_is_checked(scenario, tmp_path, plan):
    """roster.csv, assignments.csv, sites.csv and plan.json are all the contract names: a
    folder without our rosters/ and without a "solver" key in plan.json is valid."""
    folder = write_plan(tmp_path / "plan", plan)
    for path in (folder / "rosters").iterdir():
        path.unlink()
    (folder / "rosters").rmdir()
    data = json.loads((folder / "plan.json").read_text(encoding="utf-8-sig"))
    del data["solver"]
    (folder / "plan.json").write_text(json.dumps(data), encoding="utf-8")
    report = check_plan(scenario, folder)
    assert report.ok, report.summary()


def test_team_roster_file_for_a_team_without_rows(scenario, tmp_path, plan):
    folder = write_plan(tmp_path / "plan", plan)
    other = folder / "rosters" / "gamma.csv"
    other.write_bytes((folder / "rosters" / "alpha.csv").read_bytes())
    assert check_plan(scenario, folder).rules == {"team_rosters"}


def test_roster_order(scenario, tmp_path, plan):
    plan["roster"].reverse()
    assert "order" in check(scenario, tmp_path, plan, sort=False).rules
