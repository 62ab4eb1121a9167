"""Tests of the staffing options: ``compare`` (sampler.compare) and ``least_staff``
(sampler.staff), through the library and through ``sampler compare`` / ``sampler staff``.

Scenarios are tiny (a second of planning each, ``time_limit=1``). ``ONE_SITE_YAML`` is the
hand-worked case for the least staff; see its comment.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from sampler import compare, least_staff
from sampler.bound import compute_bounds
from sampler.check import check_plan
from sampler.cli import app
from sampler.compare import best_in_columns, non_monotone
from sampler.instance import Instance
from sampler.loader import load_scenario, parse_yaml, scenario_from_data
from sampler.solve import SolveParams, solve
from sampler.staff import Guideline, parse_team_spec
from sampler.variants import VariantError, variants_from_sets

FAST = SolveParams(time_limit=1, seed=0)
runner = CliRunner()

# One site of 1000 walk-in residents with 10 stations; team ``solo`` starts at the site (no
# travel), rates are the defaults (120 residents per pair-hour). By 09:00 (120 minutes) one
# pair samples at most 240, so everyone by 09:00 needs ceil(1000 / 240) = 5 pairs = 10
# people, and 5 pairs do it: 5 x 240 = 1200 >= 1000, each on its own station. With 8 people
# (4 pairs) the lower bound is 1000 / (4 x 2 a minute) = 125 minutes: 09:05, after 09:00, a
# proof that 8 cannot. The guideline: 1000 / 360 = 2.8 samplers -> 4 people (2 pairs).
ONE_SITE_YAML = """\
scenario: one site, the team starts at it
start: 2022-11-10T07:00
end: 2022-11-10T13:00
sites:
  - id: big
    lat: 40.00
    lon: 113.00
    residents: 1000
    stations: 10
    open: 07:00-13:00
teams:
  - id: solo
    people: 2
    lat: 40.00
    lon: 113.00
"""


def data_of(text: str) -> dict[str, Any]:
    parsed, _ = parse_yaml(text, "scenario.yaml")
    return parsed


def run(*args: str | Path) -> Result:
    result = runner.invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


# -- compare -----------------------------------------------------------------------------


def test_compare_plans_every_variant_into_a_checked_plan_folder(tiny_yaml, tmp_path) -> None:
    data = data_of(tiny_yaml)
    variants = variants_from_sets(data, ["teams.alpha.people=0,2,4"])
    seen: list[tuple[int, int, str]] = []
    frame = compare(
        data, variants, tmp_path / "out", FAST, jobs=1, progress=lambda *a: seen.append(a)
    )
    assert list(frame.variant) == [v.name for v in variants]
    assert list(frame["teams.alpha.people"]) == [0, 2, 4]
    assert [s[:2] for s in seen] == [(1, 3), (2, 3), (3, 3)]
    for variant in variants:
        folder = tmp_path / "out" / variant.name
        report = check_plan(variant.scenario(), folder)
        assert report.ok, report.summary()
    for name in ("compare.csv", "compare.png", "compare.svg"):
        assert (tmp_path / "out" / name).stat().st_size > 0
    csv = (tmp_path / "out" / "compare.csv").read_bytes()
    assert csv.startswith(b"\xef\xbb\xbf")
    header = csv[3:].decode().splitlines()[0].split(",")
    assert header == [
        "variant", "teams.alpha.people", "status", "people", "people_used", "coverage",
        "done_at", "lower_bound_done_at", "gap", "staff_hours", "moves",
        "sites_not_finished", "sites_short", "error",
    ]  # fmt: skip
    nobody = frame.iloc[0]
    assert (nobody.status, nobody.coverage, nobody.sites_not_finished) == ("partial", 0.0, 2)
    assert pd.isna(nobody.done_at)


def test_compare_with_labs_has_the_results_columns(tiny_yaml, tmp_path) -> None:
    """docs/labs.md: with labs, compare.csv ends with the results columns, each what the
    variant's plan.json says; the terminal table shows the last result."""
    from labs_tiny import labs_yaml

    scenario = tmp_path / "labs.yaml"
    scenario.write_text(labs_yaml(tiny_yaml), encoding="utf-8")
    out = tmp_path / "out"
    result = run("compare", scenario, "--set", "teams.alpha.people=2,4", "-o", out, "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "last result" in result.stdout and "in target" in result.stdout
    lines = (out / "compare.csv").read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    assert header[-6:] == [
        "error", "results_status", "results_done_at", "lower_bound_results_done_at",
        "results_gap", "results_within_target",
    ]  # fmt: skip
    for line in lines[1:]:
        row = dict(zip(header, line.split(","), strict=True))
        plan = json.loads((out / row["variant"] / "plan.json").read_text(encoding="utf-8"))
        assert row["results_done_at"] == plan["results_done_at"] != ""
        assert row["lower_bound_results_done_at"] == plan["lower_bound_results_done_at"]
        assert row["results_status"] == plan["results_status"]
        assert float(row["results_within_target"]) == plan["results_within_target"]


def test_more_people_never_mean_a_later_done_at_or_lower_coverage(tiny_yaml) -> None:
    """Monotonicity on a small scenario: 0, 2, 4, 6, 8 people of team alpha."""
    data = data_of(tiny_yaml)
    variants = variants_from_sets(data, ["teams.alpha.people=0,2,4,6,8"])
    frame = compare(data, variants, None, FAST, jobs=1)
    assert list(frame.coverage) == sorted(frame.coverage)
    done = [d for d in frame.done_at if not pd.isna(d)]
    assert done == sorted(done, reverse=True)
    assert not pd.isna(frame.done_at.iloc[-1])
    assert non_monotone(frame) == []
    bounds = list(frame.lower_bound_done_at.dropna())
    assert bounds == sorted(bounds, reverse=True)


def test_jobs_do_not_change_the_results(tiny_yaml, tmp_path) -> None:
    """--jobs 1 and --jobs 2 give byte-identical compare.csv and plan files."""
    data = data_of(tiny_yaml)
    variants = variants_from_sets(data, ["teams.alpha.people=2,4", "sites.north.stations=1,2"])
    compare(data, variants, tmp_path / "one", FAST, jobs=1)
    compare(data, variants, tmp_path / "two", FAST, jobs=2)
    one, two = tmp_path / "one", tmp_path / "two"
    assert (one / "compare.csv").read_bytes() == (two / "compare.csv").read_bytes()
    for variant in variants:
        for name in ("plan.json", "roster.csv", "assignments.csv"):
            assert (one / variant.name / name).read_bytes() == (
                two / variant.name / name
            ).read_bytes()


def test_compare_takes_named_variants_as_a_mapping(tiny_yaml) -> None:
    data = data_of(tiny_yaml)
    frame = compare(data, {"as-is": {}, "small": {"teams.alpha.people": 2}}, None, FAST, jobs=1)
    assert list(frame.variant) == ["as-is", "small"]
    assert list(frame["teams.alpha.people"].astype(str)) == ["", "2"]
    assert list(frame.people) == [4, 2]


def test_compare_rejects_a_bad_mapping_before_planning(tiny_yaml, tmp_path) -> None:
    with pytest.raises(VariantError):
        compare(data_of(tiny_yaml), {"x": {"teams.beta.people": 2}}, tmp_path / "out", FAST)
    assert not (tmp_path / "out").exists()


def test_best_in_columns_and_non_monotone_on_a_hand_made_table() -> None:
    t = pd.Timestamp
    frame = pd.DataFrame(
        {
            "variant": ["a", "b", "c"],
            "teams.x.people": [2, 4, 6],
            "coverage": [0.5, 1.0, 1.0],
            "done_at": [pd.NaT, t("2022-11-10 10:00"), t("2022-11-10 10:30")],
            "lower_bound_done_at": [pd.NaT, t("2022-11-10 09:30"), t("2022-11-10 09:00")],
            "gap": [None, 0.2, 0.5],
            "sites_not_finished": [1, 0, 0],
            "people": [2, 4, 6],
            "staff_hours": [1.0, 8.0, 9.0],
            "moves": [0, 3, 2],
            "status": ["partial", "feasible", "feasible"],
            "people_used": [2, 4, 6],
            "sites_short": ["s", "", ""],
        }
    )
    best = best_in_columns(frame)
    assert best["coverage"] == {1, 2}
    assert best["done_at"] == {1}
    assert best["lower_bound_done_at"] == {2}
    assert best["staff_hours"] == {1}  # the partial plan's 1.0 does not count
    assert best["moves"] == {2}
    assert non_monotone(frame) == [
        "teams.x.people: 6 people (c) are done at 10:30, later than 4 people (b, 10:00)"
    ]


# -- least staff ---------------------------------------------------------------------------


def test_least_staff_on_the_hand_worked_scenario(tmp_path) -> None:
    data = data_of(ONE_SITE_YAML)
    found = least_staff(
        data, "09:00", team="solo", out_dir=tmp_path / "out", params=FAST, max_people=40
    )
    assert found.people == 10
    assert found.result is not None and found.result.plan.complete
    assert found.result.scenario.at(found.result.done_minute).strftime("%H:%M") <= "09:00"
    assert found.evidence is not None
    assert (found.evidence.people, found.evidence.kind, found.evidence.proof) == (8, "bound", True)
    assert found.evidence.bound_done_at.strftime("%H:%M") == "09:05"
    assert found.guideline == Guideline(1000, 1000 / 360, 4)
    assert found.summary()["guideline"]["difference"] == 6
    # Counts below the first the bound allows are never planned.
    assert all(t.people >= 10 for t in found.trials if t.by == "plan")
    # The plan folder keeps the scenario at the answer; the checker reads it back.
    assert check_plan(load_scenario(tmp_path / "out" / "scenario.yaml"), tmp_path / "out").ok
    assert json.loads((tmp_path / "out" / "staff.json").read_text())["people"] == 10


def test_the_team_s_own_count_is_planned_first_and_bounds_the_answer() -> None:
    """solo sent with 16 people: the bound allows 10 by 09:00, and 16 is planned first.
    It meets the deadline, so the answer is searched below it (10), never above."""
    data = data_of(ONE_SITE_YAML)
    data["teams"][0]["people"] = 16
    found = least_staff(data, "09:00", team="solo", params=FAST, max_people=40)
    planned = [t.people for t in found.trials if t.by == "plan"]
    assert planned[0] == 16 and max(planned) == 16
    assert found.people == 10


def test_the_evidence_for_two_fewer_holds_when_planned_again(tmp_path) -> None:
    """Re-plan N-2 from scratch: its bound (a proof) or its plan misses the deadline."""
    data = data_of(ONE_SITE_YAML)
    found = least_staff(data, "09:00", team="solo", params=FAST, max_people=40)
    assert found.evidence is not None
    fewer = data_of(ONE_SITE_YAML)
    fewer["teams"][0]["people"] = found.evidence.people
    scenario = scenario_from_data(fewer)
    deadline = 120  # 09:00, minutes after 07:00
    if found.evidence.kind == "bound":
        bound = compute_bounds(Instance(scenario))
        assert bound.done_minute is None or bound.done_minute > deadline
    result = solve(scenario, FAST)
    assert result.done_minute is None or result.done_minute > deadline


def test_a_deadline_off_the_slot_grid_is_proven_on_the_grid() -> None:
    """By 09:10 the bound for 8 people (09:05) would allow them; plans end on 30-minute
    slots, so 8 people are done at 09:30 at the earliest: still 10."""
    found = least_staff(data_of(ONE_SITE_YAML), "09:10", team="solo", params=FAST, max_people=40)
    assert found.people == 10
    assert found.evidence is not None and found.evidence.kind == "bound"
    assert "30-minute slot grid" in found.evidence.text


def test_a_new_team_from_a_spec(tmp_path) -> None:
    """The same site, with a new team at it besides solo's 2 people: 8 more make 5 pairs."""
    found = least_staff(
        data_of(ONE_SITE_YAML),
        "09:00",
        add_team="id=extra,at=big,available=07:00-13:00",
        params=FAST,
        max_people=40,
    )
    assert (found.team, found.added, found.people, found.other_people) == ("extra", True, 8, 2)


def test_team_spec_grammar_and_errors() -> None:
    scenario = scenario_from_data(data_of(ONE_SITE_YAML))
    spec = parse_team_spec("id=extra,lat=40.1,lon=113.2,available=12:30-13:00,people=50", scenario)
    assert spec == {
        "id": "extra",
        "lat": 40.1,
        "lon": 113.2,
        "available": "12:30-13:00",
        "people": 0,
    }
    for bad, message in [
        ("id=extra,lat=40.1", "lon is missing"),
        ("id=solo,at=big", "already in the scenario"),
        ("id=extra,at=small", "unknown site"),
        ("id=extra,at=big,speed=3", "unknown key 'speed'"),
        ("id=extra,at=big,lat=40", "either at=SITE or lat and lon"),
    ]:
        with pytest.raises(ValueError, match=message):
            parse_team_spec(bad, scenario)


def test_no_count_can_beat_a_site_that_opens_after_the_deadline() -> None:
    text = ONE_SITE_YAML.replace("open: 07:00-13:00", "open: 08:00-13:00")
    found = least_staff(data_of(text), "07:30", team="solo", params=FAST, max_people=40)
    assert found.people is None and found.result is None
    assert "even with 40 people" in found.reason
    assert "site big opens at 08:00, not before 07:30" in found.reason


def test_bad_staff_input_is_an_error_before_anything_runs(tmp_path) -> None:
    data = data_of(ONE_SITE_YAML)
    with pytest.raises(VariantError, match="unknown team 'sol'; did you mean 'solo'"):
        least_staff(data, "09:00", team="sol", out_dir=tmp_path / "out")
    with pytest.raises(VariantError, match="give --team ID or --add-team SPEC"):
        least_staff(data, "09:00")
    with pytest.raises(VariantError, match="expected HH:MM"):
        least_staff(data, "nine", team="solo")
    assert not (tmp_path / "out").exists()


# -- the command line --------------------------------------------------------------------


def test_cli_compare_end_to_end(tiny_yaml, write_yaml, tmp_path) -> None:
    scenario = write_yaml(tiny_yaml)
    out = tmp_path / "out"
    result = run(
        "compare",
        scenario,
        "--set",
        "teams.alpha.people=0,2,4",
        "-o",
        out,
        "--time-limit",
        "1",
        "--jobs",
        "2",
    )
    assert result.exit_code == 0, result.output
    assert "02-alpha.people=2" in result.stdout
    assert "* best in its column" in result.stdout
    folders = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert folders == ["01-alpha.people=0", "02-alpha.people=2", "03-alpha.people=4"]
    sc = load_scenario(scenario)
    for name in folders[1:]:
        check = run("check", out / name / "scenario.yaml", out / name)
        assert check.exit_code == 0, check.output
    assert sc.teams[0].people == 4  # the scenario file itself is untouched
    again = run(
        "compare",
        scenario,
        "--set",
        "teams.alpha.people=2",
        "-o",
        out,
        "--time-limit",
        "1",
        "--json",
    )
    assert again.exit_code == 0
    rows = json.loads(again.stdout)
    assert [r["variant"] for r in rows] == ["01-alpha.people=2"]
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["01-alpha.people=2"]


def test_cli_compare_bad_set_exits_2_before_anything_runs(tiny_yaml, write_yaml, tmp_path) -> None:
    scenario = write_yaml(tiny_yaml)
    out = tmp_path / "out"
    cases = [
        (["--set", "teams.beta.people=0,2"], "--set teams.beta.people=0,2: unknown team 'beta'"),
        (
            ["--set", "teams.alpha.people=2,x"],
            "teams.alpha.people=x: must be a whole number written in digits",
        ),
        (
            ["--set", "teams.alpha.people=2,4", "--set", "sites.north.stations=1", "--zip"],
            "--zip: every --set needs",
        ),
        (["--set", "teams.alpha.people=-2"], "teams.alpha.people=-2: must be >= 0"),
        ([], "give --set PATH=V1,V2,... or --variants FILE"),
    ]
    for extra, message in cases:
        result = run("compare", scenario, *extra, "-o", out, "--time-limit", "1")
        assert result.exit_code == 2, (extra, result.output)
        assert message in result.stderr, result.stderr
        assert "Traceback" not in result.output
        assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scenario.yaml"]


def test_cli_compare_with_a_variants_file_error_names_its_line(
    tiny_yaml, write_yaml, tmp_path
) -> None:
    scenario = write_yaml(tiny_yaml)
    variants = write_yaml("ok: {}\nlate:\n  teams.alpha.available: 12:30\n", "variants.yaml")
    result = run("compare", scenario, "--variants", variants, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert f"{variants}:3: late.teams.alpha.available: expected a window" in result.stderr
    assert not (tmp_path / "out").exists()


def test_cli_compare_never_replaces_a_folder_that_is_not_a_comparison(
    tiny_yaml, write_yaml, tmp_path
) -> None:
    scenario = write_yaml(tiny_yaml)
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    result = run(
        "compare", scenario, "--set", "teams.alpha.people=2", "-o", out, "--time-limit", "1"
    )
    assert result.exit_code == 2
    assert "not a comparison's" in result.stderr
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_cli_staff_end_to_end(write_yaml, tmp_path) -> None:
    scenario = write_yaml(ONE_SITE_YAML)
    out = tmp_path / "out"
    args = (
        "staff",
        scenario,
        "--deadline",
        "09:00",
        "--team",
        "solo",
        "-o",
        out,
        "--time-limit",
        "1",
        "--max-people",
        "40",
    )
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert (answer["people"], answer["pairs"], answer["done_at"]) == (10, 5, "2022-11-10 09:00")
    assert answer["evidence"]["kind"] == "bound" and answer["evidence"]["proof"] is True
    assert answer["guideline"]["people"] == 4
    # The plan is for the scenario at the answer, which the folder keeps (scenario.yaml).
    assert run("check", out / "scenario.yaml", out).exit_code == 0
    assert run("check", scenario, out).exit_code == 1  # solo has 2 people in the file
    shown = run(*args)
    assert shown.exit_code == 0
    assert (
        "10 (5 pairs)" in shown.stdout and "proof" in shown.stdout and "guideline" in shown.stdout
    )


def test_cli_staff_exits_3_and_writes_nothing_when_no_count_can(write_yaml, tmp_path) -> None:
    scenario = write_yaml(ONE_SITE_YAML)
    out = tmp_path / "out"
    result = run(
        "staff", scenario, "--deadline", "07:20", "--team", "solo", "-o", out, "--max-people", "40"
    )
    assert result.exit_code == 3, result.output
    assert "even with 40 people no plan is done before" in result.stdout
    assert not out.exists()


def test_cli_staff_bad_input_exits_2(write_yaml, tmp_path) -> None:
    scenario = write_yaml(ONE_SITE_YAML)
    out = tmp_path / "out"
    for extra, message in [
        (["--team", "sol"], "--team sol: unknown team 'sol'"),
        (["--team", "solo", "--add-team", "id=x,at=big"], "give --team ID or --add-team SPEC"),
        (["--add-team", "id=x,at=big,rate=3"], "--add-team id=x,at=big,rate=3: unknown key 'rate'"),
        (
            ["--add-team", "id=x,at=big,available=06:00-09:00"],
            "available: 06:00-09:00 is not inside the horizon",
        ),
    ]:
        result = run("staff", scenario, "--deadline", "09:00", *extra, "-o", out)
        assert result.exit_code == 2, (extra, result.output)
        assert message in result.stderr, result.stderr
        assert not out.exists()
