"""Tests of roster.xlsx: opened with openpyxl, compared with the CSV rosters row for row.

The plans come from the real ``sampler plan`` on tiny scenarios (conftest.py): one with
Chinese names and one whose names a spreadsheet would take for formulas.
"""

from __future__ import annotations

import csv
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from conftest import edit
from typer.testing import CliRunner

from sampler.cli import app
from sampler.workbook import SHEET_NAME_MAX, sheet_names, write_workbook

runner = CliRunner()


def planned(text: str, folder: Path) -> Path:
    """``sampler plan`` on the scenario text (one second), the plan folder."""
    scenario = folder / "scenario.yaml"
    scenario.write_text(text, encoding="utf-8")
    out = folder / "plan"
    result = runner.invoke(app, ["plan", str(scenario), "-o", str(out), "--time-limit", "1"])
    assert result.exit_code in (0, 3), result.output
    return out


def csv_rows(path: Path) -> list[list[str]]:
    """A plan CSV as written (BOM, neutralised cells)."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def as_csv_text(value: object) -> str:
    """A workbook cell as the CSV writes it: times as text, formula-like text with a '."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    text = str(value)
    return "'" + text if text.startswith(("=", "+", "-", "@")) else text


@pytest.fixture(scope="module")
def two_team_book(two_teams_yaml: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The plan of conftest's two-team scenario (teams ``bravo`` and ``alpha``) with its
    roster.xlsx written."""
    out = planned(two_teams_yaml, tmp_path_factory.mktemp("two"))
    write_workbook(out)
    return out


@pytest.fixture(scope="module")
def formula_book(formula_yaml: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The plan of conftest's formula scenario (site ``=SUM(A1)``, team ``-team``)."""
    out = planned(formula_yaml, tmp_path_factory.mktemp("formula"))
    write_workbook(out)
    return out


def test_summary_sheet_first_then_one_sheet_per_team_roster(two_team_book: Path) -> None:
    book = openpyxl.load_workbook(two_team_book / "roster.xlsx")
    teams = sorted(p.stem for p in (two_team_book / "rosters").glob("*.csv"))
    assert book.sheetnames[0] == "summary"
    assert sorted(book.sheetnames[1:]) == teams == ["alpha", "bravo"]


def test_team_sheets_match_the_csv_rosters_row_for_row(two_team_book: Path) -> None:
    book = openpyxl.load_workbook(two_team_book / "roster.xlsx")
    for path in (two_team_book / "rosters").glob("*.csv"):
        expected = csv_rows(path)
        got = [[as_csv_text(v) for v in row] for row in book[path.stem].iter_rows(values_only=True)]
        assert got == expected, path.name
        assert len(got) > 1


def test_header_frozen_times_are_datetimes_columns_fit(two_team_book: Path) -> None:
    book = openpyxl.load_workbook(two_team_book / "roster.xlsx")
    sheet = book["bravo"]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    for name in ("start", "end"):
        column = header.index(name) + 1
        cells = [sheet.cell(row=r, column=column) for r in range(2, sheet.max_row + 1)]
        assert all(isinstance(c.value, datetime) for c in cells), name
        assert all(c.is_date and "yy" in c.number_format and "hh" in c.number_format for c in cells)
        width = sheet.column_dimensions[openpyxl.utils.get_column_letter(column)].width
        assert width >= len("2022-11-10 07:00")
    for i, name in enumerate(header, start=1):
        column = sheet[openpyxl.utils.get_column_letter(i)]
        longest = max(len(as_csv_text(c.value)) for c in column)
        width = sheet.column_dimensions[openpyxl.utils.get_column_letter(i)].width
        assert width >= min(longest, 40), name


def test_summary_sheet_has_headline_and_a_line_per_team(two_team_book: Path) -> None:
    sheet = openpyxl.load_workbook(two_team_book / "roster.xlsx")["summary"]
    rows = list(sheet.iter_rows(values_only=True))
    labels = {r[0]: r[1] for r in rows if r and r[0]}
    assert labels["coverage"] == 1 and labels["residents"] == 400
    assert labels["status"] in ("optimal", "feasible")
    header = next(i for i, r in enumerate(rows) if r[0] == "sheet")
    teams = {r[1]: r for r in rows[header + 1 :]}
    assert set(teams) == {"alpha", "bravo"}
    rosters = two_team_book / "rosters"
    for team, row in teams.items():
        assert row[0] == team  # the sheet of the team
        assert row[-1] == len(csv_rows(rosters / f"{team}.csv")) - 1


def test_formula_like_text_is_stored_as_text_without_the_csv_quote(formula_book: Path) -> None:
    book = openpyxl.load_workbook(formula_book / "roster.xlsx")
    sheet = book["-team"]
    cells = [c for row in sheet.iter_rows() for c in row]
    names = {c.value for c in cells}
    assert {"=SUM(A1)", "-team", "-dash", "+1"} <= names
    assert not any(isinstance(c.value, str) and c.value.startswith("'") for c in cells)
    assert all(c.data_type != "f" for c in cells)
    # What Excel reads: no formula element anywhere in the file.
    with zipfile.ZipFile(formula_book / "roster.xlsx") as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name
    # The CSV rows are the same once the CSV's guard quote is put back.
    expected = csv_rows(formula_book / "rosters" / "-team.csv")
    assert [[as_csv_text(v) for v in r] for r in sheet.iter_rows(values_only=True)] == expected


def test_chinese_names_in_the_workbook(tiny_yaml: str, tmp_path: Path) -> None:
    out = planned(tiny_yaml, tmp_path)
    book = openpyxl.load_workbook(write_workbook(out))
    values = {c.value for row in book["alpha"].iter_rows() for c in row}
    assert "北苑社区" in values
    summary = {c.value for row in book["summary"].iter_rows() for c in row}
    assert "灵丘" in summary  # the team's name


def test_sheet_names_are_safe_for_excel_and_unique() -> None:
    long = "a" * 64
    names = sheet_names([long, long[:40], "x[1]:*?/\\y", "History", "Alpha", "alpha", "Summary"])
    values = list(names.values())
    assert all(0 < len(v) <= SHEET_NAME_MAX for v in values)
    assert not any(ch in v for v in values for ch in "[]:*?/\\")
    folded = [v.casefold() for v in values] + ["summary"]
    assert len(set(folded)) == len(folded)  # unique ignoring case, and not "summary"
    assert names["History"].casefold() != "history"
    assert names["x[1]:*?/\\y"] == "x_1______y"
    assert names["Alpha"] == "Alpha"


def test_a_team_id_longer_than_a_sheet_name(tiny_yaml: str, tmp_path: Path) -> None:
    team = "a-very-long-team-identifier-of-forty-characters"
    out = planned(edit(tiny_yaml, "id: alpha", f"id: {team}"), tmp_path)
    book = openpyxl.load_workbook(write_workbook(out))
    assert book.sheetnames == ["summary", team[:SHEET_NAME_MAX]]
