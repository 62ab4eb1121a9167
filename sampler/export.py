"""Plan files, as CONTRACT.md lays them out: roster.csv, rosters/<team>.csv,
assignments.csv, sites.csv and plan.json, with the scenario as planned (scenario.yaml).

CSV is written for spreadsheets: UTF-8 with a byte-order mark, one header row, local times
``YYYY-MM-DD HH:MM``, and any text cell that starts with ``=``, ``+``, ``-`` or ``@``
written with a leading ``'`` so that no spreadsheet evaluates it. Everything is written to
a staging folder beside the target and moved into place at the end, so a failure never
leaves half a plan (:mod:`sampler.output` says what is atomic, and what of an old folder
is kept). Nothing here depends on the clock: the same result gives the same bytes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sampler.labs.tables import collections_table, labs_table, site_results
from sampler.output import Output, prepare_output, staged
from sampler.plan import pair_ids, person_ids
from sampler.result import Result, Step

PLAN_FORMAT = "sampler-plan/1"
ROSTER_COLUMNS = ["team", "person", "pair", "role", "activity", "site", "start", "end"]
ASSIGNMENT_COLUMNS = ["team", "pair", "site", "activity", "start", "end", "samples"]
SITE_COLUMNS = [
    "site", "name", "district", "residents", "home_visits",
    "walk_in_sampled", "door_to_door_sampled", "coverage", "done_at",
]  # fmt: skip
FORMULA_START = ("=", "+", "-", "@")
REPORT_FILES = ("report.html", "roster.xlsx")


def neutralise(series: pd.Series) -> pd.Series:
    """Text cells that a spreadsheet would read as a formula get a leading ``'``."""
    text = series.astype(str)
    risky = text.str.startswith(FORMULA_START)
    return text.where(~risky, "'" + text)


def _times(result: Result, minutes: pd.Series) -> pd.Series:
    start = pd.Timestamp(result.scenario.start)
    stamps = start + pd.to_timedelta(minutes.astype("int64"), unit="min")
    return stamps.dt.strftime("%Y-%m-%d %H:%M")


def roster_table(result: Result) -> pd.DataFrame:
    """One row per person per interval, ordered by team, person, start."""
    rows = result.plan.rows
    if rows.empty:
        return pd.DataFrame(columns=[*ROSTER_COLUMNS, "site_name"])
    swabber: dict[str, str] = {}
    recorder: dict[str, str] = {}
    for team in result.scenario.teams:
        for pair, (swab, record) in zip(
            pair_ids(team.id, team.pairs), person_ids(team.id, team.pairs), strict=True
        ):
            swabber[pair], recorder[pair] = swab, record
    names = {s.id: s.name for s in result.scenario.sites}
    both = []
    for role, people in (("swab", swabber), ("record", recorder)):
        part = rows.copy()
        part["person"] = part.pair.map(people)
        part["role"] = role
        both.append(part)
    out = pd.concat(both, ignore_index=True)
    out = out.sort_values(["team", "person", "start"], kind="stable")
    out["site_name"] = out.site.map(names).fillna("")
    table = out[["team", "person", "pair", "role", "activity", "site", "start", "end", "site_name"]]
    table = table.assign(start=_times(result, table.start), end=_times(result, table.end))
    return table.reset_index(drop=True)


def assignments_table(result: Result) -> pd.DataFrame:
    """One row per pair per work interval at a site, with the residents it samples."""
    work = result.plan.work
    work = work.sort_values(["team", "pair", "start"], kind="stable")
    table = work[ASSIGNMENT_COLUMNS].copy()
    table["start"] = _times(result, table.start)
    table["end"] = _times(result, table.end)
    table["samples"] = table.samples.astype("int64")
    return table.reset_index(drop=True)


def sites_table(result: Result) -> pd.DataFrame:
    """One row per site: demand, planned totals, coverage and when it is done."""
    sc = result.scenario
    totals = result.plan.site_totals
    done = totals.done_minute
    table = pd.DataFrame(
        {
            "site": [s.id for s in sc.sites],
            "name": [s.name for s in sc.sites],
            "district": [s.district for s in sc.sites],
            "residents": totals.residents.to_numpy(),
            "home_visits": totals.home_demand.to_numpy(),
            "walk_in_sampled": totals.walk_in_sampled.to_numpy(),
            "door_to_door_sampled": totals.door_to_door_sampled.to_numpy(),
            "coverage": np.round(totals.coverage.to_numpy(dtype=float), 6),
            "done_at": [
                "" if pd.isna(m) else sc.at(int(m)).strftime("%Y-%m-%d %H:%M") for m in done
            ],
            "street": [s.street for s in sc.sites],
            "sealed": [str(s.sealed).lower() for s in sc.sites],
            "priority": [s.priority for s in sc.sites],
            "walk_in_short": totals.walk_in_short.to_numpy(),
            "home_short": totals.home_short.to_numpy(),
        }
    )
    if result.labs is not None:
        covered = totals.sampled >= totals.residents
        table["results_at"] = site_results(sc, result.labs, covered)
    return table


def plan_document(result: Result) -> dict[str, Any]:
    """plan.json: the summary, the bounds and the solver's statistics.

    Wall-clock timings are left out: they differ from run to run, and the same scenario
    and seed must give the same bytes.
    """
    summary = result.summary()
    summary.pop("timings", None)
    return {
        "format": PLAN_FORMAT,
        **summary,
        "start": result.scenario.start.strftime("%Y-%m-%d %H:%M"),
        "end": result.scenario.end.strftime("%Y-%m-%d %H:%M"),
        "slot_minutes": result.scenario.slot_minutes,
        "walk_in_sampled": int(result.plan.site_totals.walk_in_sampled.sum()),
        # The most residents any plan can have sampled by the end of each slot (LP bound).
        "bound_curve": [
            {
                "at": result.scenario.at((k + 1) * result.scenario.slot_minutes).strftime(
                    "%Y-%m-%d %H:%M"
                ),
                "residents": n,
            }
            for k, n in enumerate(result.bounds.coverage_curve)
        ],
        "door_to_door_sampled": int(result.plan.site_totals.door_to_door_sampled.sum()),
        "solver": result.solver.document(result.params),
    }


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8 with BOM, text cells neutralised against formula evaluation."""
    _write_neutralised(_neutralised(frame), path)


def _neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = neutralise(out[column].fillna(""))
    return out


def _write_neutralised(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")


def write_plan(
    result: Result,
    out_dir: str | Path | Output,
    *,
    force: bool = False,
    reports: bool | None = None,
    on_step: Callable[[Step], None] | None = None,
    extra: dict[str, Any] | None = None,
    tables: dict[str, pd.DataFrame] | None = None,
) -> Path:
    """Write every plan file into ``out_dir`` (replacing an earlier plan there); returns it
    as given (a symlink stays one; the folder it points to is written).

    ``out_dir`` may be an :class:`~sampler.output.Output` checked before planning; otherwise
    it is checked here (``force``: write into a folder holding files not of a plan, and keep
    them). ``reports``: also write report.html and roster.xlsx, inside the same atomic move;
    None writes them if the old folder had them (an old report would describe the old plan).
    ``extra``: keys added at the end of plan.json; ``tables``: more CSV files by name (a
    replan's changes.csv), written like the others, inside the same atomic move.
    """
    out = out_dir if isinstance(out_dir, Output) else prepare_output(out_dir, force=force)
    step = on_step or (lambda _: None)
    if reports is None:
        reports = any((out.folder / name).exists() for name in REPORT_FILES)
    with staged(out) as staging:
        step(Step("writing the plan files"))
        roster = roster_table(result)
        safe = _neutralised(roster)  # once for the whole roster and every team's part
        _write_neutralised(safe, staging / "roster.csv")
        (staging / "rosters").mkdir()
        for team, rows in safe.groupby(roster["team"], sort=True):
            _write_neutralised(rows, staging / "rosters" / f"{team}.csv")
        write_csv(assignments_table(result), staging / "assignments.csv")
        write_csv(sites_table(result), staging / "sites.csv")
        tables = {**(tables or {}), **_lab_tables(result)}
        for name, table in sorted(tables.items()):
            write_csv(table, staging / name)
        document = json.dumps(
            {**plan_document(result), **(extra or {})}, ensure_ascii=False, indent=2
        )
        (staging / "plan.json").write_text(document + "\n", encoding="utf-8")
        # The scenario as planned, so that the folder is complete on its own (reports).
        scenario = result.scenario.model_dump(mode="json", exclude_none=True)
        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml: the same text, faster
        text = yaml.dump(scenario, Dumper=dumper, allow_unicode=True, sort_keys=False)
        (staging / "scenario.yaml").write_text(text, encoding="utf-8")
        if reports:
            write_reports(staging, step)
    return out.path


def _lab_tables(result: Result) -> dict[str, pd.DataFrame]:
    """collections.csv and labs.csv, for a scenario with labs (docs/labs.md)."""
    if result.labs is None:
        return {}
    sc = result.scenario
    return {
        "collections.csv": collections_table(sc, result.labs),
        "labs.csv": labs_table(sc, result.labs),
    }


def write_reports(plan_dir: Path, step: Callable[[Step], None] | None = None) -> list[Path]:
    """report.html and roster.xlsx into a plan folder, from its files."""
    from sampler.report import write_report  # the page and openpyxl: only when asked for
    from sampler.workbook import write_workbook

    step = step or (lambda _: None)
    step(Step("writing report.html"))
    page = write_report(plan_dir)
    step(Step("writing roster.xlsx"))
    return [page, write_workbook(plan_dir)]
