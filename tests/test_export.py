"""Tests of sampler.export: the plan files' format, as CONTRACT.md fixes it.

Every CSV is UTF-8 with a byte-order mark, one header row whose first columns are exactly
the contract's (extra columns only at the end), local times ``YYYY-MM-DD HH:MM``, and any
text cell starting with ``=``, ``+``, ``-`` or ``@`` written with a leading ``'``. The
plans are solved once per module (tiny scenarios, one second of solver effort).
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import edit

from sampler.export import neutralise, write_plan
from sampler.loader import load_scenario_text
from sampler.solve import SolveParams, solve

BOM = b"\xef\xbb\xbf"
TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
FORMULA_START = ("=", "+", "-", "@")

# Written out here rather than imported, so that the test holds the export to the contract.
ROSTER = ["team", "person", "pair", "role", "activity", "site", "start", "end"]
ASSIGNMENTS = ["team", "pair", "site", "activity", "start", "end", "samples"]
SITES = [
    "site", "name", "district", "residents", "home_visits",
    "walk_in_sampled", "door_to_door_sampled", "coverage", "done_at",
]  # fmt: skip


def _plan(text: str, out: Path) -> Path:
    scenario = load_scenario_text(text, "scenario.yaml")
    result = solve(scenario, SolveParams(time_limit=1, seed=0, workers=2))
    return write_plan(result, out)


@pytest.fixture(scope="module")
def tiny_plan(tiny_yaml: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The plan folder of ``tiny_yaml``."""
    return _plan(tiny_yaml, tmp_path_factory.mktemp("tiny") / "plan")


@pytest.fixture(scope="module")
def formula_plan(formula_yaml: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The plan folder of ``formula_yaml`` (ids and names a spreadsheet would evaluate)."""
    return _plan(formula_yaml, tmp_path_factory.mktemp("formula") / "plan")


@pytest.fixture(scope="module")
def two_teams_plan(two_teams_yaml: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The plan folder of ``two_teams_yaml`` (teams listed bravo, then alpha)."""
    return _plan(two_teams_yaml, tmp_path_factory.mktemp("two") / "plan")


def read_rows(path: Path) -> list[list[str]]:
    """A CSV file's rows as written (cells not un-neutralised), header first."""
    data = path.read_bytes()
    assert data.startswith(BOM), f"{path.name}: no byte-order mark"
    return list(csv.reader(io.StringIO(data[len(BOM) :].decode("utf-8"), newline="")))


def read_dicts(path: Path) -> list[dict[str, str]]:
    header, *rows = read_rows(path)
    return [dict(zip(header, row, strict=True)) for row in rows]


def csv_files(plan: Path) -> list[Path]:
    return sorted(plan.rglob("*.csv"))


def unquote(cell: str) -> str:
    return cell[1:] if cell.startswith("'") else cell


# -- byte-order mark and header -----------------------------------------------------------


def test_plan_folder_holds_the_contract_files(tiny_plan: Path) -> None:
    names = sorted(str(p.relative_to(tiny_plan)) for p in tiny_plan.rglob("*") if p.is_file())
    assert names == [
        "assignments.csv",
        "plan.json",
        "roster.csv",
        "rosters/alpha.csv",
        "scenario.yaml",
        "sites.csv",
    ]


@pytest.mark.parametrize("plan_name", ["tiny_plan", "formula_plan", "two_teams_plan"])
def test_every_csv_starts_with_one_utf8_bom(plan_name: str, request) -> None:
    plan: Path = request.getfixturevalue(plan_name)
    files = csv_files(plan)
    assert len(files) >= 4
    for path in files:
        data = path.read_bytes()
        assert data[:3] == BOM, path.name
        assert data[3:6] != BOM, f"{path.name}: BOM written twice"
        data[3:].decode("utf-8")  # the rest is valid UTF-8


def test_chinese_text_survives_as_utf8(tiny_plan: Path) -> None:
    sites = read_dicts(tiny_plan / "sites.csv")
    assert [(s["site"], s["name"], s["district"]) for s in sites] == [
        ("north", "北苑社区", "平城区"),
        ("south", "南苑社区", ""),
    ]
    assert "北苑社区".encode() in (tiny_plan / "roster.csv").read_bytes()


@pytest.mark.parametrize(
    ("name", "contract"),
    [
        ("roster.csv", ROSTER),
        ("rosters/alpha.csv", ROSTER),
        ("assignments.csv", ASSIGNMENTS),
        ("sites.csv", SITES),
    ],
)
def test_header_starts_with_the_contract_columns(tiny_plan: Path, name: str, contract) -> None:
    header = read_rows(tiny_plan / name)[0]
    assert header[: len(contract)] == contract
    extras = header[len(contract) :]
    # Extra columns only at the end, never repeating a contract column.
    assert not set(extras) & set(contract)
    assert len(set(header)) == len(header)


def test_readme_extra_columns(tiny_plan: Path) -> None:
    """README: roster.csv then site_name; sites.csv then street, sealed, priority, shorts."""
    assert read_rows(tiny_plan / "roster.csv")[0][len(ROSTER)] == "site_name"
    sites_extra = read_rows(tiny_plan / "sites.csv")[0][len(SITES) :]
    assert sites_extra[:3] == ["street", "sealed", "priority"]


def test_one_header_row_comma_separated_newline_terminated(tiny_plan: Path) -> None:
    for path in csv_files(tiny_plan):
        text = path.read_bytes()[3:].decode("utf-8")
        first = text.split("\n", 1)[0]
        assert "," in first and ";" not in first and "\t" not in first
        assert text.endswith("\n")
        assert "\r" not in text
        rows = read_rows(path)
        assert all(len(row) == len(rows[0]) for row in rows), path.name


# -- times ------------------------------------------------------------------------------------


def test_times_are_local_yyyy_mm_dd_hh_mm(tiny_plan: Path) -> None:
    for name in ("roster.csv", "assignments.csv"):
        rows = read_dicts(tiny_plan / name)
        assert rows, name
        for row in rows:
            assert TIME.match(row["start"]), row
            assert TIME.match(row["end"]), row
            assert "2022-11-10 07:00" <= row["start"] <= row["end"] <= "2022-11-10 13:00"
    sites = read_dicts(tiny_plan / "sites.csv")
    assert all(TIME.match(s["done_at"]) for s in sites), sites


def test_first_trip_starts_at_the_horizon_start(tiny_plan: Path) -> None:
    roster = read_dicts(tiny_plan / "roster.csv")
    assert min(r["start"] for r in roster) == "2022-11-10 07:00"


def test_done_at_is_the_end_of_the_last_assignment_with_samples(tiny_plan: Path) -> None:
    work = read_dicts(tiny_plan / "assignments.csv")
    for site in read_dicts(tiny_plan / "sites.csv"):
        ends = [a["end"] for a in work if a["site"] == site["site"] and int(a["samples"]) > 0]
        assert site["done_at"] == max(ends)


def test_sites_totals_are_whole_numbers_and_coverage_a_fraction(tiny_plan: Path) -> None:
    sites = {s["site"]: s for s in read_dicts(tiny_plan / "sites.csv")}
    north = sites["north"]
    assert (north["residents"], north["home_visits"]) == ("240", "30")
    assert int(north["walk_in_sampled"]) + int(north["door_to_door_sampled"]) == 240
    assert int(north["door_to_door_sampled"]) == 30
    assert float(north["coverage"]) == 1.0
    assert sites["south"]["walk_in_sampled"] == "120"
    work = read_dicts(tiny_plan / "assignments.csv")
    assert all(a["samples"].isdigit() for a in work)
    assert sum(int(a["samples"]) for a in work) == 360


def test_sealed_site_home_visits_is_residents(tmp_path: Path, tiny_yaml: str) -> None:
    text = edit(tiny_yaml, "    residents: 120\n", "    residents: 20\n    sealed: true\n")
    sites = {s["site"]: s for s in read_dicts(_plan(text, tmp_path / "plan") / "sites.csv")}
    assert (sites["south"]["residents"], sites["south"]["home_visits"]) == ("20", "20")
    assert sites["south"]["walk_in_sampled"] == "0"
    assert sites["south"]["sealed"] == "true"


def test_plan_json_is_plain_utf8_json(tiny_plan: Path) -> None:
    data = (tiny_plan / "plan.json").read_bytes()
    assert not data.startswith(BOM)
    plan = json.loads(data.decode("utf-8"))
    assert plan["coverage"] == 1.0
    assert plan["status"] in ("optimal", "feasible")
    assert TIME.match(plan["done_at"]) and TIME.match(plan["lower_bound_done_at"])
    assert plan["lower_bound_done_at"] <= plan["done_at"]
    assert "solver" in plan


# -- cells a spreadsheet would evaluate ------------------------------------------------------


def test_neutralise_prefixes_formula_starts_only() -> None:
    cells = pd.Series(["=SUM(A1)", "+1", "-dash", "@cmd", "a=b", "", "北苑", "'x"])
    assert neutralise(cells).tolist() == [
        "'=SUM(A1)", "'+1", "'-dash", "'@cmd", "a=b", "", "北苑", "'x",
    ]  # fmt: skip


def test_no_csv_cell_starts_with_a_formula_character(formula_plan: Path) -> None:
    for path in csv_files(formula_plan):
        for row in read_rows(path):
            for cell in row:
                assert not cell.startswith(FORMULA_START), f"{path.name}: {cell!r}"


def test_sites_csv_neutralises_ids_names_and_districts(formula_plan: Path) -> None:
    sites = read_dicts(formula_plan / "sites.csv")
    assert [(s["site"], s["name"], s["district"]) for s in sites] == [
        ("'-dash", "'=SUM(A1)", "'@cmd"),
        ("plain", "'+1", "'-2"),
    ]
    # Numbers are numbers, not text: they keep no quote.
    assert [s["residents"] for s in sites] == ["120", "60"]


def test_roster_neutralises_every_cell_where_the_site_or_team_appears(
    formula_plan: Path,
) -> None:
    roster = read_dicts(formula_plan / "roster.csv")
    assert roster
    at_dash = [r for r in roster if r["site"] == "'-dash"]
    at_plain = [r for r in roster if r["site"] == "plain"]
    assert at_dash and at_plain
    assert {r["site_name"] for r in at_dash} == {"'=SUM(A1)"}
    assert {r["site_name"] for r in at_plain} == {"'+1"}
    assert {r["team"] for r in roster} == {"'-team"}
    assert {r["pair"] for r in roster} == {"'-team-p01"}
    assert {r["person"] for r in roster} == {"'-team-01", "'-team-02"}
    assert not any(r["site"] in ("-dash", "=SUM(A1)") for r in roster)


def test_assignments_and_team_roster_neutralise_too(formula_plan: Path) -> None:
    work = read_dicts(formula_plan / "assignments.csv")
    assert {a["site"] for a in work} == {"'-dash", "plain"}
    assert {a["team"] for a in work} == {"'-team"}
    # The team file is named by the id itself; its cells are neutralised like roster.csv.
    team_file = formula_plan / "rosters" / "-team.csv"
    assert team_file.exists()
    assert read_rows(team_file) == read_rows(formula_plan / "roster.csv")


# -- roster order and per-team files -----------------------------------------------------------


def test_roster_rows_ordered_by_team_person_start(two_teams_plan: Path) -> None:
    roster = read_dicts(two_teams_plan / "roster.csv")
    keys = [(unquote(r["team"]), unquote(r["person"]), r["start"]) for r in roster]
    assert keys == sorted(keys)
    # Teams are listed bravo, then alpha, in the scenario; the roster is by team id.
    teams = [k[0] for k in keys]
    assert teams[0] == "alpha" and teams[-1] == "bravo"
    assert sorted(set(teams)) == ["alpha", "bravo"]


def test_roster_has_both_people_of_every_pair(two_teams_plan: Path) -> None:
    roster = read_dicts(two_teams_plan / "roster.csv")
    people = {(r["pair"], r["person"], r["role"]) for r in roster}
    pairs = {pair for pair, _, _ in people}
    assert pairs == {"alpha-p01", "bravo-p01", "bravo-p02"}
    for pair in pairs:
        assert sorted(role for p, _, role in people if p == pair) == ["record", "swab"]
    assert {r["activity"] for r in roster} <= {"walk_in", "door_to_door", "travel", "break"}
    # alpha does no home visits.
    assert not [r for r in roster if r["team"] == "alpha" and r["activity"] == "door_to_door"]


def test_team_files_hold_exactly_their_team_rows(two_teams_plan: Path) -> None:
    header, *rows = read_rows(two_teams_plan / "roster.csv")
    files = sorted(p.name for p in (two_teams_plan / "rosters").iterdir())
    assert files == ["alpha.csv", "bravo.csv"]
    for team in ("alpha", "bravo"):
        own_header, *own = read_rows(two_teams_plan / "rosters" / f"{team}.csv")
        assert own_header == header
        assert own == [row for row in rows if row[0] == team]
        assert own
