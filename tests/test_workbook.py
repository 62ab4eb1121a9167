"""Tests of roster.xlsx: opened with openpyxl, compared with the CSV rosters row for row.

The plans come from the real ``sampler plan`` on tiny scenarios (conftest.py): one with
Chinese names and one whose names a spreadsheet would take for formulas.
"""

from __future__ import annotations

import csv
import json
import subprocess
import time
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from conftest import edit
from typer.testing import CliRunner

from sampler.cli import app
from sampler.workbook import PAIR_COLUMNS, SHEET_NAME_MAX, sheet_names, write_workbook

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


def expected_pair_lines(folder: Path, team: str) -> list[list[str]]:
    """What a team's sheet should hold, from the CSV files: the swabber's roster rows, the
    recorder beside, the site name beside the site, and the samples assignments.csv gives
    the pair inside each work row."""
    header, *body = csv_rows(folder / "rosters" / f"{team}.csv")
    rows = [dict(zip(header, r, strict=True)) for r in body]
    recorder = {r["pair"]: r["person"] for r in rows if r["role"] == "record"}
    work = csv_rows(folder / "assignments.csv")
    header, work = work[0], [dict(zip(work[0], r, strict=True)) for r in work[1:]]
    assert header[-1] == "samples"
    lines = []
    for r in sorted(
        (r for r in rows if r["role"] == "swab"), key=lambda r: (r["pair"], r["start"])
    ):
        samples = sum(
            int(a["samples"]) for a in work
            if (a["pair"], a["site"], a["activity"]) == (r["pair"], r["site"], r["activity"])
            and r["start"] <= a["start"] and a["end"] <= r["end"]
        )  # fmt: skip
        lines.append([
            r["pair"], r["person"], recorder[r["pair"]], r["activity"], r["site"],
            r["site_name"], r["start"], r["end"],
            str(samples) if r["activity"] in ("walk_in", "door_to_door") else "",
        ])  # fmt: skip
    return lines


def sheet_lines(sheet) -> list[list[str]]:
    """A team sheet's rows after the header, as the CSV would write them."""
    return [[as_csv_text(v) for v in row] for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_team_sheets_have_one_line_per_pair_interval_with_its_samples(two_team_book: Path) -> None:
    book = openpyxl.load_workbook(two_team_book / "roster.xlsx")
    for path in (two_team_book / "rosters").glob("*.csv"):
        sheet = book[path.stem]
        assert [c.value for c in sheet[1]] == PAIR_COLUMNS
        expected = expected_pair_lines(two_team_book, path.stem)
        assert sheet_lines(sheet) == expected, path.name
        assert len(expected) == (len(csv_rows(path)) - 1) // 2  # two people, one line
        samples = [int(line[-1]) for line in expected if line[-1]]
        assert samples and all(n > 0 for n in samples)
    total = sum(
        int(v) for name in book.sheetnames[1:] for (v,) in
        book[name].iter_rows(min_row=2, min_col=9, max_col=9, values_only=True) if v
    )  # fmt: skip
    assert total == 400  # every resident of the scenario, as assignments.csv has them


def test_team_sheets_print_landscape_one_page_wide_with_the_header_repeated(
    two_team_book: Path,
) -> None:
    book = openpyxl.load_workbook(two_team_book / "roster.xlsx")
    for name in book.sheetnames:
        sheet = book[name]
        assert sheet.page_setup.orientation == "landscape", name
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, name
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0), name
        assert "&P" in sheet.oddFooter.center.text
    for team in ("alpha", "bravo"):
        assert book[team].print_title_rows == "$1:$1"
        assert team in book[team].oddHeader.center.text


def test_header_frozen_times_are_clock_times_columns_fit(two_team_book: Path) -> None:
    """A one-day horizon shows times as hh:mm (the date is in the page header)."""
    sheet = openpyxl.load_workbook(two_team_book / "roster.xlsx")["bravo"]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    for name in ("start", "end"):
        column = header.index(name) + 1
        cells = [sheet.cell(row=r, column=column) for r in range(2, sheet.max_row + 1)]
        assert all(isinstance(c.value, datetime) for c in cells), name
        assert all(c.is_date and c.number_format == "hh:mm" for c in cells)
    for i, name in enumerate(header, start=1):
        column = sheet[openpyxl.utils.get_column_letter(i)]
        longest = max(
            len(as_csv_text(c.value)) for c in column if not isinstance(c.value, datetime)
        )
        width = sheet.column_dimensions[openpyxl.utils.get_column_letter(i)].width
        assert width >= min(longest, 40), name


def test_roster_xlsx_is_the_same_bytes_when_written_again(two_team_book: Path) -> None:
    """openpyxl stamps the time of writing into the file; a second later it must not show."""
    first = (two_team_book / "roster.xlsx").read_bytes()
    time.sleep(1.1)
    assert write_workbook(two_team_book).read_bytes() == first
    with zipfile.ZipFile(two_team_book / "roster.xlsx") as z:
        assert {info.date_time for info in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert b"2022-11-10T07:00:00Z" in z.read("docProps/core.xml")


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
        assert row[-1] == (len(csv_rows(rosters / f"{team}.csv")) - 1) // 2  # pair lines


def test_formula_like_text_is_stored_as_text_without_the_csv_quote(formula_book: Path) -> None:
    book = openpyxl.load_workbook(formula_book / "roster.xlsx")
    sheet = book["-team"]
    cells = [c for row in sheet.iter_rows() for c in row]
    names = {c.value for c in cells}
    assert {"=SUM(A1)", "-team-p01", "-team-01", "-team-02", "-dash", "+1"} <= names
    assert not any(isinstance(c.value, str) and c.value.startswith("'") for c in cells)
    assert all(c.data_type != "f" for c in cells)
    # What Excel reads: no formula element anywhere in the file.
    with zipfile.ZipFile(formula_book / "roster.xlsx") as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name
    # The CSV rows are the same once the CSV's guard quote is put back.
    assert sheet_lines(sheet) == expected_pair_lines(formula_book, "-team")


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


def test_a_night_round_shows_the_day_with_each_time(tiny_yaml: str, tmp_path: Path) -> None:
    """A horizon past midnight: hh:mm alone would not say which night's 01:00 it is."""
    text = edit(tiny_yaml, "start: 2022-11-10T07:00", "start: 2022-11-10T20:00")
    out = planned(edit(text, "end: 2022-11-10T13:00", "end: 2022-11-11T02:00"), tmp_path)
    sheet = openpyxl.load_workbook(write_workbook(out))["alpha"]
    starts = [c for (c,) in sheet.iter_rows(min_row=2, min_col=7, max_col=7)]
    assert starts and all(c.number_format == "mm-dd hh:mm" for c in starts)
    assert sheet_lines(sheet) == expected_pair_lines(out, "alpha")


# -- LibreOffice (Debian's libreoffice-calc; .ci/run installs it when missing) ----------

# The CSV import options the README gives: comma, double quote, UTF-8 (76), from line 1.
CSV_IMPORT = "CSV:44,34,76,1"
# CSV export of every sheet (the last option, -1) to <name>-<sheet>.csv, in UTF-8.
CSV_EXPORT_ALL = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def soffice(tmp_path: Path, *args: str | Path) -> None:
    """Headless LibreOffice with a profile of its own (another soffice running on the
    machine would otherwise take the job and this one return having done nothing)."""
    profile = (tmp_path / "lo-profile").as_uri()
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", *map(str, args)],
        capture_output=True, text=True, timeout=180, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_libreoffice_reads_roster_xlsx_with_chinese_intact(tiny_yaml: str, tmp_path: Path) -> None:
    out = planned(tiny_yaml, tmp_path)
    write_workbook(out)
    soffice(
        tmp_path, "--convert-to", CSV_EXPORT_ALL, "--outdir", tmp_path / "lo", out / "roster.xlsx"
    )
    team = (tmp_path / "lo" / "roster-alpha.csv").read_text(encoding="utf-8")
    summary = (tmp_path / "lo" / "roster-summary.csv").read_text(encoding="utf-8")
    assert "北苑社区" in team and "灵丘" in summary
    assert team.splitlines()[0] == ",".join(PAIR_COLUMNS)


def test_the_readme_way_to_open_a_csv_in_libreoffice_keeps_chinese(
    tiny_yaml: str, tmp_path: Path
) -> None:
    """LibreOffice takes a CSV it opens without asking for the system's legacy encoding,
    BOM or not (北苑 became mojibake); the README's import options read it as UTF-8."""
    assert f'--infilter="{CSV_IMPORT}"' in (Path(__file__).parents[1] / "README.md").read_text()
    out = planned(tiny_yaml, tmp_path)
    soffice(tmp_path, f"--infilter={CSV_IMPORT}", "--convert-to", "xlsx", "--outdir",
            tmp_path / "lo", out / "roster.csv")  # fmt: skip
    sheet = openpyxl.load_workbook(tmp_path / "lo" / "roster.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == csv_rows(out / "roster.csv")[0]  # no BOM glued to 'team'
    names = {r[-1] for r in rows[1:]}
    assert "北苑社区" in names, names


def test_the_summary_sheet_repeats_plan_json_warnings(tiny_yaml: str, tmp_path: Path) -> None:
    """A leader reading the printout learns that one of three people has no pair."""
    out = planned(edit(tiny_yaml, "    people: 4", "    people: 3"), tmp_path)
    warnings = json.loads((out / "plan.json").read_text(encoding="utf-8"))["warnings"]
    assert warnings == [
        "team alpha: 3 people form 1 pair; 1 person is not scheduled (pairs are two people)"
    ]
    sheet = openpyxl.load_workbook(write_workbook(out))["summary"]
    rows = [r[:2] for r in sheet.iter_rows(values_only=True) if r and r[0] == "warning"]
    assert rows == [("warning", warnings[0])]


# -- with labs (docs/labs.md) ------------------------------------------------------------


def test_a_plan_with_labs_has_a_labs_sheet_of_its_collections(
    tiny_yaml: str, tmp_path: Path
) -> None:
    """The labs sheet comes last: collections.csv line for line, with the site's and the
    lab's names, times as date-times with their day; the summary has the results; a team
    called ``labs`` gets another sheet name. Without labs: no labs sheet (the tests above)."""
    from labs_tiny import labs_yaml

    text = labs_yaml(tiny_yaml).replace("id: alpha", "id: labs")
    out = planned(text, tmp_path)
    write_workbook(out)
    book = openpyxl.load_workbook(out / "roster.xlsx")
    assert book.sheetnames[0] == "summary" and book.sheetnames[-1] == "labs"
    assert len(book.sheetnames) == 3 and book.sheetnames[1] != "labs"  # the team's: labs~2
    lines = list(book["labs"].iter_rows(values_only=True))
    collections = csv_rows(out / "collections.csv")
    header = collections[0]
    assert list(lines[0])[:5] == ["site", "site_name", "pickup", "tubes", "samples"]
    assert len(lines) == len(collections) > 1
    names = {"north": "北苑社区", "south": "南苑社区", "near": "近处医院", "far": ""}  # the YAML's
    for line, row in zip(lines[1:], collections[1:], strict=True):
        got = dict(zip(lines[0], line, strict=True))
        want = dict(zip(header, row, strict=True))
        for column in ("site", "pickup", "tubes", "samples", "lab", "arrival", "results_at"):
            assert as_csv_text(got[column]) == want[column], column
        assert isinstance(got["results_at"], datetime) and isinstance(got["tubes"], int)
        assert (got["site_name"], got["lab_name"] or "") == (
            names[want["site"]],
            names[want["lab"]],
        )
    summary = {r[0]: r[1] for r in book["summary"].iter_rows(values_only=True) if r and r[0]}
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert summary["results_done_at"] == plan["results_done_at"]
    assert summary["results status"] == plan["results_status"]
    assert summary["within target"] == pytest.approx(plan["results_within_target"])
