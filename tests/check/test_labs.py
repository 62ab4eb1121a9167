"""Tests of the checker's lab rules (sampler.check.labs, lab_collections, lab_queue):
a planned folder with labs is valid, and each tampered file breaks the rule it should.

The tiny scenario with labs (tests/labs_tiny.py) is planned and written once; each test
edits a copy of the folder.
"""

from __future__ import annotations

import csv
import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from labs_tiny import labs_yaml

from sampler.budget import SolveParams
from sampler.check import check_plan
from sampler.check.lab_queue import lab_hour, run_lab
from sampler.export import write_plan
from sampler.loader import load_scenario_text
from sampler.solve import solve


@pytest.fixture(scope="module")
def planned(tiny_yaml: str, tmp_path_factory):
    sc = load_scenario_text(labs_yaml(tiny_yaml), "labs.yaml")
    folder = tmp_path_factory.mktemp("labs") / "plan"
    write_plan(solve(sc, SolveParams(time_limit=1, seed=0, workers=1)), folder)
    return sc, folder


@pytest.fixture
def folder(planned, tmp_path) -> Path:
    copy = tmp_path / "plan"
    shutil.copytree(planned[1], copy)
    return copy


def rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def write(path: Path, table: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(table)


def edit(path: Path, line: int, column: str, change) -> None:
    """Replace one cell (line 2 is the first row) with ``change(old)``."""
    table = rows(path)
    i = table[0].index(column)
    table[line - 1][i] = change(table[line - 1][i])
    write(path, table)


def later(minutes: int):
    return lambda text: (
        datetime.strptime(text, "%Y-%m-%d %H:%M") + timedelta(minutes=minutes)
    ).strftime("%Y-%m-%d %H:%M")


def test_the_planned_folder_is_valid(planned) -> None:
    sc, folder = planned
    report = check_plan(sc, folder)
    assert report.ok, report.summary()
    assert report.stats["collections"] == len(rows(folder / "collections.csv")) - 1 > 0


def test_missing_lab_files(planned, folder) -> None:
    (folder / "labs.csv").unlink()
    assert check_plan(planned[0], folder).rules == {"lab_files"}


def test_a_wrong_tube_count(planned, folder) -> None:
    path = folder / "collections.csv"
    edit(path, 2, "walk_in_tubes", lambda n: str(int(n) - 1))
    assert "lab_collections" in check_plan(planned[0], folder).rules


def test_a_wrong_pickup_time(planned, folder) -> None:
    edit(folder / "collections.csv", 2, "pickup", later(-10))
    assert "lab_collections" in check_plan(planned[0], folder).rules


def test_an_arrival_faster_than_the_courier(planned, folder) -> None:
    edit(folder / "collections.csv", 2, "arrival", later(-1))
    assert "lab_travel" in check_plan(planned[0], folder).rules


def test_an_arrival_past_the_swab_to_lab_limit(planned, folder) -> None:
    edit(folder / "collections.csv", 2, "oldest_swab", later(-300))
    assert "lab_swab_limit" in check_plan(planned[0], folder).rules


def test_a_tube_tested_out_of_turn(planned, folder) -> None:
    path = folder / "collections.csv"
    edit(path, 3, "tested_at", later(-60))
    edit(path, 3, "results_at", later(-60))
    assert "lab_fifo" in check_plan(planned[0], folder).rules


def test_a_result_not_batch_minutes_after_loading(planned, folder) -> None:
    edit(folder / "collections.csv", 2, "results_at", later(1))
    assert check_plan(planned[0], folder).rules == {"lab_results"}


def test_labs_csv_over_capacity_or_miscounted(planned, folder) -> None:
    path = folder / "labs.csv"
    table = rows(path)
    busy = next(i for i, r in enumerate(table) if i and r[4] != "0")
    write(
        path,
        [
            *table[:busy],
            [*table[busy][:4], str(int(table[busy][2]) + 1), table[busy][5]],
            *table[busy + 1 :],
        ],
    )
    assert check_plan(planned[0], folder).rules == {"lab_capacity"}


def test_plan_json_and_sites_results(planned, folder) -> None:
    plan = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    plan["results_done_at"] = "2022-11-10 09:00"
    (folder / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    assert check_plan(planned[0], folder).rules == {"lab_results"}


def test_results_status(planned, folder) -> None:
    """plan.json's results_status is what the last result and its bound say; a claim of
    optimal off the bound, or partial with everyone sampled, breaks lab_results."""
    path = folder / "plan.json"
    plan = json.loads(path.read_text(encoding="utf-8"))
    done, bound = plan["results_done_at"], plan["lower_bound_results_done_at"]
    assert plan["status"] != "partial"
    assert plan["results_status"] == ("optimal" if done == bound else "feasible")
    for claim in ("partial", "optimal" if done != bound else "feasible-ish"):
        path.write_text(json.dumps({**plan, "results_status": claim}), encoding="utf-8")
        assert check_plan(planned[0], folder).rules == {"lab_results"}, claim
    path.write_text(json.dumps(plan), encoding="utf-8")
    assert check_plan(planned[0], folder).ok


def test_the_checker_s_queue_by_hand(planned) -> None:
    sc = planned[0]
    far = sc.lab_by_id["far"]  # 20 an hour from 09:00; the horizon starts at 07:00
    assert lab_hour(sc, far, 1).loads_at is None
    assert (lab_hour(sc, far, 2).capacity, lab_hour(sc, far, 2).loads_at) == (20, 120)
    run = run_lab(sc, far, [10, 130, 130], [15, 10, 4])
    assert run.tested_at == [120, 180, 180]  # 15 at 09:00; 5 + 10 + 4 is 19 at 10:00
    assert run.loaded == {2: 15, 3: 14}
