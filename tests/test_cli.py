"""Tests of the ``sampler`` command through its real entry point.

Most tests drive ``sampler.cli.app`` with typer's CliRunner (stdout and stderr apart); one
runs the installed console script in a subprocess. Exit statuses are CONTRACT.md's: plan
0 complete, 3 partial, 2 bad input with nothing written, 1 anything else; check 0 valid,
1 not valid.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import edit
from typer.testing import CliRunner, Result

from sampler.cli import app

TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
PLAN_FILES = [
    "assignments.csv",
    "plan.json",
    "roster.csv",
    "rosters/alpha.csv",
    "scenario.yaml",
    "sites.csv",
]

runner = CliRunner()


def run(*args: str | Path) -> Result:
    """``sampler ARGS`` in this process; never lets an exception through unnoticed."""
    result = runner.invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def plan(scenario: Path, out: Path, *extra: str) -> Result:
    return run("plan", scenario, "-o", out, "--time-limit", "1", *extra)


def files_in(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> bytes)."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def no_traceback(result: Result) -> None:
    assert "Traceback" not in result.stdout
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def tiny_run(tiny_yaml: str, tmp_path_factory: pytest.TempPathFactory):
    """``sampler plan tiny.yaml -o plan --time-limit 1 --json``, run once for the module:
    (scenario path, plan folder, CliRunner result)."""
    folder = tmp_path_factory.mktemp("cli")
    scenario = folder / "tiny.yaml"
    scenario.write_text(tiny_yaml, encoding="utf-8")
    out = folder / "plan"
    return scenario, out, plan(scenario, out, "--json")


# -- sampler plan ----------------------------------------------------------------------------


def test_plan_exits_0_and_writes_every_plan_file(tiny_run) -> None:
    _, out, result = tiny_run
    assert result.exit_code == 0, result.output
    no_traceback(result)
    assert sorted(files_in(out)) == PLAN_FILES


def test_plan_json_prints_the_summary(tiny_run) -> None:
    _, out, result = tiny_run
    summary = json.loads(result.stdout)
    assert summary["coverage"] == 1.0
    assert summary["status"] in ("optimal", "feasible")
    assert (summary["residents"], summary["sampled"]) == (360, 360)
    assert TIME.match(summary["done_at"]), summary["done_at"]
    assert TIME.match(summary["lower_bound_done_at"]), summary["lower_bound_done_at"]
    assert "2022-11-10 07:00" < summary["lower_bound_done_at"] <= summary["done_at"]
    assert summary["done_at"] <= "2022-11-10 13:00"
    assert summary["sites_short"] == []
    assert summary["warnings"] == []  # 4 people are 2 whole pairs
    written = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    for key in ("coverage", "done_at", "lower_bound_done_at", "status"):
        assert written[key] == summary[key], key


def test_plan_prints_a_readable_summary(tiny_yaml: str, tmp_path: Path) -> None:
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(tiny_yaml, encoding="utf-8")
    result = plan(scenario, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "coverage" in result.stdout
    assert "100.00% (360 of 360)" in result.stdout
    assert f"plan written to {tmp_path / 'out'}/" in result.stdout.replace("\n", "")


def test_bad_input_exits_2_names_file_line_key_and_writes_nothing(
    tiny_yaml: str, tmp_path: Path
) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(edit(tiny_yaml, "residents: 120", "residents: -5"), encoding="utf-8")
    out = tmp_path / "out"
    result = plan(scenario, out)
    assert result.exit_code == 2
    assert f"{scenario}:17: sites[1].residents: must be >= 0" in result.stderr
    assert result.stdout == ""
    no_traceback(result)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scenario.yaml"]


def test_every_bad_input_problem_is_printed(tiny_yaml: str, tmp_path: Path) -> None:
    text = edit(tiny_yaml, "stations: 2", "stations: 0")
    text = edit(text, "residents: 120", "residents: -5")
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(text, encoding="utf-8")
    result = plan(scenario, tmp_path / "out")
    assert result.exit_code == 2
    assert f"{scenario}:12: sites[0].stations: must be >= 1" in result.stderr
    assert f"{scenario}:17: sites[1].residents: must be >= 0" in result.stderr
    assert not (tmp_path / "out").exists()


def test_missing_scenario_file_exits_2(tmp_path: Path) -> None:
    result = plan(tmp_path / "nope.yaml", tmp_path / "out")
    assert result.exit_code == 2
    assert f"{tmp_path / 'nope.yaml'}: no such file" in result.stderr
    no_traceback(result)
    assert list(tmp_path.iterdir()) == []


def test_non_empty_folder_without_a_plan_is_left_untouched(tiny_yaml: str, tmp_path: Path) -> None:
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(tiny_yaml, encoding="utf-8")
    busy = tmp_path / "busy"
    (busy / "sub").mkdir(parents=True)
    (busy / "notes.txt").write_text("keep me\n", encoding="utf-8")
    (busy / "sub" / "roster.csv").write_text("not a plan\n", encoding="utf-8")
    before = files_in(busy)
    result = plan(scenario, busy)
    assert result.exit_code == 2
    assert "not a plan's (notes.txt, sub)" in result.stderr
    assert str(busy) in result.stderr
    no_traceback(result)
    assert files_in(busy) == before
    # Nothing half-written beside it either (no staging folders left behind).
    assert sorted(p.name for p in tmp_path.iterdir()) == ["busy", "tiny.yaml"]


def test_output_path_that_is_a_file_exits_2_and_is_left_untouched(
    tiny_yaml: str, tmp_path: Path
) -> None:
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(tiny_yaml, encoding="utf-8")
    target = tmp_path / "out.txt"
    target.write_text("mine\n", encoding="utf-8")
    result = plan(scenario, target)
    assert result.exit_code == 2
    assert "not a folder" in result.stderr
    assert target.read_text(encoding="utf-8") == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt", "tiny.yaml"]


def test_replanning_into_a_plan_folder_replaces_it(
    tiny_yaml: str, formula_yaml: str, tmp_path: Path
) -> None:
    tiny, formula = tmp_path / "tiny.yaml", tmp_path / "formula.yaml"
    tiny.write_text(tiny_yaml, encoding="utf-8")
    formula.write_text(formula_yaml, encoding="utf-8")
    out = tmp_path / "out"
    assert plan(tiny, out).exit_code == 0
    (out / "rosters" / "old-team.csv").write_text("from before\n", encoding="utf-8")
    (out / "notes.txt").write_text("the user's\n", encoding="utf-8")
    refused = plan(formula, out)
    assert refused.exit_code == 2 and "not a plan's (notes.txt)" in refused.stderr
    result = plan(formula, out, "--force")
    assert result.exit_code == 0, result.output
    # The plan's files are replaced (rosters/ as a whole); the user's file is kept.
    assert sorted(files_in(out)) == [
        "assignments.csv",
        "notes.txt",
        "plan.json",
        "roster.csv",
        "rosters/-team.csv",
        "scenario.yaml",
        "sites.csv",
    ]
    assert (out / "notes.txt").read_text(encoding="utf-8") == "the user's\n"
    document = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert document["residents"] == 180
    assert sorted(p.name for p in tmp_path.iterdir()) == ["formula.yaml", "out", "tiny.yaml"]


def test_demand_that_cannot_be_met_exits_3_with_a_partial_plan(
    short_yaml: str, tmp_path: Path
) -> None:
    scenario = tmp_path / "short.yaml"
    scenario.write_text(short_yaml, encoding="utf-8")
    out = tmp_path / "out"
    result = plan(scenario, out, "--json")
    assert result.exit_code == 3, result.output
    document = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert document["status"] == "partial"
    assert 0 < document["coverage"] <= 0.24
    assert document["done_at"] is None
    assert [s["site"] for s in document["sites_short"]] == ["big"]
    assert document["sites_short"][0]["walk_in_short"] >= 760
    assert json.loads(result.stdout)["status"] == "partial"
    assert sorted(files_in(out)) == [
        "assignments.csv",
        "plan.json",
        "roster.csv",
        "rosters/solo.csv",
        "scenario.yaml",
        "sites.csv",
    ]


def test_same_seed_gives_byte_identical_plans(tiny_yaml: str, tmp_path: Path) -> None:
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(tiny_yaml, encoding="utf-8")
    first, second = tmp_path / "first", tmp_path / "second"
    assert plan(scenario, first, "--seed", "7").exit_code == 0
    assert plan(scenario, second, "--seed", "7").exit_code == 0
    a, b = files_in(first), files_in(second)
    assert sorted(a) == PLAN_FILES
    assert sorted(a) == sorted(b)
    for name in a:
        assert a[name] == b[name], f"{name} differs between two runs with the same seed"


def test_default_output_folder_is_beside_the_scenario(tiny_yaml: str, tmp_path: Path) -> None:
    scenario = tmp_path / "street.yaml"
    scenario.write_text(tiny_yaml, encoding="utf-8")
    result = run("plan", scenario, "--time-limit", "1")
    assert result.exit_code == 0, result.output
    assert sorted(files_in(tmp_path / "street-plan")) == PLAN_FILES


# -- sampler check ---------------------------------------------------------------------------


def test_check_on_a_fresh_plan_exits_0(tiny_run) -> None:
    scenario, out, _ = tiny_run
    result = run("check", scenario, out)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("plan is valid")


def test_check_on_a_partial_plan_exits_0(short_yaml: str, tmp_path: Path) -> None:
    scenario = tmp_path / "short.yaml"
    scenario.write_text(short_yaml, encoding="utf-8")
    assert plan(scenario, tmp_path / "out").exit_code == 3
    result = run("check", scenario, tmp_path / "out")
    assert result.exit_code == 0, result.output


def corrupt_samples(plan_dir: Path, samples: int) -> None:
    """Set the samples of the first assignments.csv row (keeping BOM and format)."""
    path = plan_dir / "assignments.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    assert header[-1] == "samples"
    cells = lines[1].split(",")
    cells[-1] = str(samples)
    lines[1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")


def test_check_on_a_corrupted_plan_exits_1_and_names_the_rule(tiny_run, tmp_path: Path) -> None:
    scenario, out, _ = tiny_run
    broken = tmp_path / "broken"
    shutil.copytree(out, broken)
    corrupt_samples(broken, 999_999)
    result = run("check", scenario, broken)
    assert result.exit_code == 1
    assert result.stdout.startswith("plan is NOT valid")
    assert "[rate]" in result.stdout
    assert "999999 samples" in result.stdout
    no_traceback(result)

    as_json = run("check", scenario, broken, "--json")
    assert as_json.exit_code == 1
    report = json.loads(as_json.stdout)
    assert report["ok"] is False
    assert "rate" in [v["rule"] for v in report["violations"]]


def test_check_with_bad_scenario_or_missing_folder_exits_2(
    tiny_run, tiny_yaml: str, tmp_path: Path
) -> None:
    scenario, out, _ = tiny_run
    missing = run("check", scenario, tmp_path / "nowhere")
    assert missing.exit_code == 2
    assert "no such plan folder" in missing.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text(edit(tiny_yaml, "stations: 2", "stations: 0"), encoding="utf-8")
    result = run("check", bad, out)
    assert result.exit_code == 2
    assert f"{bad}:12: sites[0].stations: must be >= 1" in result.stderr


# -- sampler schema ----------------------------------------------------------------------------


def test_schema_prints_the_scenario_json_schema() -> None:
    result = run("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert set(schema["properties"]) == {
        "scenario",
        "start",
        "end",
        "slot_minutes",
        "defaults",
        "sites",
        "teams",
        "labs",  # and the lab blocks, docs/labs.md
        "pooling",
        "couriers",
        "results_target",
    }
    assert {"start", "end", "sites"} <= set(schema["required"])
    assert schema["additionalProperties"] is False
    site = schema["$defs"]["Site"]
    assert site["additionalProperties"] is False
    assert site["properties"]["residents"]["minimum"] == 0
    assert site["properties"]["stations"]["default"] == 4
    assert {"id", "lat", "lon", "residents"} <= set(site["required"])
    team = schema["$defs"]["Team"]
    assert "available" in team["properties"]
    assert "walk_in_per_hour" in schema["$defs"]["Rules"]["properties"]


# -- the installed console script -------------------------------------------------------------


def installed_script() -> Path:
    beside = Path(sys.executable).parent / "sampler"
    if beside.exists():
        return beside
    found = shutil.which("sampler")
    assert found, "the sampler console script is not installed"
    return Path(found)


def test_installed_console_script_plans(tiny_yaml: str, tmp_path: Path) -> None:
    (tmp_path / "tiny.yaml").write_text(tiny_yaml, encoding="utf-8")
    done = subprocess.run(
        [installed_script(), "plan", "tiny.yaml", "-o", "out", "--time-limit", "1", "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    summary = json.loads(done.stdout)
    assert summary["coverage"] == 1.0
    assert summary["status"] in ("optimal", "feasible")
    assert sorted(files_in(tmp_path / "out")) == PLAN_FILES


def test_team_starting_at_a_site_needs_no_travel_row(tiny_yaml, tmp_path):
    """A team whose base is a site's very place gets no zero-length travel row."""
    text = edit(tiny_yaml, "    lat: 39.995\n", "    lat: 40.00\n")
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(text, encoding="utf-8")
    runner = CliRunner()
    out = tmp_path / "out"
    planned = runner.invoke(app, ["plan", str(scenario), "-o", str(out), "--time-limit", "1"])
    assert planned.exit_code == 0, planned.output
    roster = (out / "roster.csv").read_text(encoding="utf-8-sig").splitlines()
    assert not [r for r in roster if ",travel," in r and r.split(",")[6] == r.split(",")[7]]
    checked = runner.invoke(app, ["check", str(scenario), str(out)])
    assert checked.exit_code == 0, checked.stdout


# -- progress on long work (issue 13) ----------------------------------------------------------


@pytest.mark.parametrize("as_json", [False, True])
def test_progress_shows_each_long_step_on_a_terminal_but_not_under_json(
    tiny_yaml: str, tmp_path: Path, monkeypatch, as_json: bool
) -> None:
    import io

    from rich.console import Console

    import sampler.cli

    screen = io.StringIO()
    monkeypatch.setattr(sampler.cli, "err", Console(file=screen, force_terminal=True, width=160))
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(tiny_yaml, encoding="utf-8")
    result = plan(scenario, tmp_path / "out", "--report", *(["--json"] if as_json else []))
    assert result.exit_code == 0, result.output
    shown = screen.getvalue()
    steps = ("lower bound", "planning", "topping up", "writing the plan files", "report.html")
    if as_json:
        assert shown == ""
    else:
        for step in steps:
            assert step in shown, step


def test_the_library_is_silent_without_callbacks(tiny_yaml: str, tmp_path: Path, capfd) -> None:
    from sampler import load_scenario_text, solve, write_plan
    from sampler.solve import SolveParams

    result = solve(load_scenario_text(tiny_yaml, "tiny.yaml"), SolveParams(time_limit=1))
    write_plan(result, tmp_path / "out", reports=True)
    assert capfd.readouterr() == ("", "")


NIGHT_ROUND_YAML = """\
scenario: a night round
start: 2022-11-20T16:00
end: 2022-11-21T04:00
sites:
  - id: yard
    name: 夜场社区
    lat: 40.0
    lon: 113.0
    residents: 1000
    stations: 2
    open: 20:00-02:00
teams:
  - id: night
    people: 4
    lat: 40.0
    lon: 113.01
    available: "18:00-02:00"
"""


def test_a_night_round_across_midnight_is_planned_and_checked_valid(tmp_path: Path) -> None:
    """Two pairs at 120 an hour sample the 1,000 residents of a site open 20:00-02:00 in
    about 4.2 hours from 20:00: the work runs past midnight, and must stop by 02:00."""
    scenario = tmp_path / "night.yaml"
    scenario.write_text(NIGHT_ROUND_YAML, encoding="utf-8")
    out = tmp_path / "out"
    result = plan(scenario, out)
    assert result.exit_code == 0, result.output
    with (out / "assignments.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert sum(int(r["samples"]) for r in rows) == 1000
    assert min(r["start"] for r in rows) >= "2022-11-20 20:00"
    assert max(r["end"] for r in rows) <= "2022-11-21 02:00"
    assert any(r["end"] > "2022-11-21 00:00" for r in rows)  # work after midnight
    assert json.loads((out / "plan.json").read_text())["done_at"].startswith("2022-11-21")
    checked = run("check", scenario, out)
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.startswith("plan is valid")
    # The checker reads the window across midnight too: work to 02:30 is past it.
    last = max(r["end"] for r in rows)
    for name in ("roster.csv", "rosters/night.csv", "assignments.csv"):
        path = out / name
        path.write_bytes(path.read_bytes().replace(last.encode(), b"2022-11-21 02:30"))
    broken = run("check", scenario, out)
    assert broken.exit_code == 1, broken.output
    assert "[open_window]" in broken.stdout and "[availability]" in broken.stdout
    assert "outside the site's open window 11-20 20:00-11-21 02:00" in broken.stdout


def test_people_who_cannot_form_a_pair_are_a_warning(tiny_yaml: str, tmp_path: Path) -> None:
    """Three people are one pair and one left over; a team of one has no pair at all: both
    were silent, the second even without a roster file."""
    text = edit(tiny_yaml, "    people: 4", "    people: 3")
    text += "  - id: lone\n    people: 1\n    lat: 40.0\n    lon: 113.0\n"
    scenario = tmp_path / "odd.yaml"
    scenario.write_text(text, encoding="utf-8")
    result = plan(scenario, tmp_path / "out")
    assert result.exit_code == 0, result.output
    expected = [
        "team alpha: 3 people form 1 pair; 1 person is not scheduled (pairs are two people)",
        "team lone: 1 person cannot form a pair (swabber + recorder); the team is not "
        "scheduled and has no roster",
    ]
    written = json.loads((tmp_path / "out" / "plan.json").read_text(encoding="utf-8"))
    assert written["warnings"] == expected
    printed = " ".join(result.stderr.split())
    assert all(f"warning: {w}" in printed for w in expected), result.stderr
    assert not (tmp_path / "out" / "rosters" / "lone.csv").exists()
    assert json.loads(plan(scenario, tmp_path / "again", "--json").stdout)["warnings"] == expected


def test_plan_with_labs_prints_the_results_and_check_accepts(tiny_yaml: str, tmp_path: Path):
    """docs/labs.md: the summary has the last result and its bound; the folder its lab
    files, valid by ``sampler check``; without labs the summary has no such line."""
    from labs_tiny import labs_yaml

    scenario = tmp_path / "labs.yaml"
    scenario.write_text(labs_yaml(tiny_yaml), encoding="utf-8")
    result = plan(scenario, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "last result" in result.stdout and "within target" in result.stdout
    written = json.loads((tmp_path / "out" / "plan.json").read_text(encoding="utf-8"))
    # the status speaks of the results too (docs/labs.md)
    assert f"{written['status']} (sampling) · results {written['results_status']}" in (
        result.stdout
    )
    assert written["results_status"] in ("optimal", "feasible")
    assert {"collections.csv", "labs.csv"} <= set(files_in(tmp_path / "out"))
    checked = run("check", str(scenario), str(tmp_path / "out"))
    assert checked.exit_code == 0, checked.output
    plain = tmp_path / "plain.yaml"
    plain.write_text(tiny_yaml, encoding="utf-8")
    plain_out = plan(plain, tmp_path / "plain").stdout
    assert "last result" not in plain_out and "(sampling)" not in plain_out
    assert "results_status" not in json.loads(
        (tmp_path / "plain" / "plan.json").read_text(encoding="utf-8")
    )


def test_python_dash_m_runs_the_cli(tmp_path) -> None:
    """``python -m sampler`` is the ``sampler`` command (for a machine without its script
    on the PATH, or a profiler)."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "sampler", "schema"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert '"scenario"' in done.stdout


def test_a_partial_plan_says_how_many_pairs_it_traded(tmp_path: Path) -> None:
    """The shipped Yunzhou morning (the local 60 alone cannot sample the street) keeps
    pairs at cheap work once planned; the trade (heuristics/trade.py) sends some of them
    where residents left are worth more, and the summary and plan.json say how many."""
    shipped = Path(__file__).parent.parent / "scenarios" / "yunzhou-shuibosi-morning.yaml"
    out = tmp_path / "out"
    result = run("plan", shipped, "-o", out, "--time-limit", "2")
    assert result.exit_code == 3, result.output
    written = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    kept = written["solver"]["trades"]["kept"]
    assert kept >= 1 and written["pairs_traded"] == kept
    assert written["solver"]["trades"]["tried"] >= kept
    assert re.search(rf"traded\s*│\s*{kept} pairs re-planned", result.stdout)
    assert run("check", shipped, out).exit_code == 0
