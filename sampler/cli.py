"""The ``sampler`` command: a thin layer over the library.

Exit statuses (CONTRACT.md): 0 a plan that samples every resident was written; 3 a valid
partial plan was written; 2 bad input, nothing written; 1 anything else, nothing
half-written left behind. ``sampler check`` exits 0 for a valid plan and 1 otherwise.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from sampler.check import check_plan
from sampler.export import OutputError, write_plan
from sampler.loader import ScenarioError, load_scenario
from sampler.model.cpmodel import Progress
from sampler.plan_folder import PlanFolderError
from sampler.report import write_report
from sampler.scenario import Scenario
from sampler.solve import Result, SolveParams, Status, solve

EXIT_OK, EXIT_ERROR, EXIT_BAD_INPUT, EXIT_PARTIAL = 0, 1, 2, 3

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Plan mass nucleic-acid sampling: which pairs go where, when, in which mode.",
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False)
out = Console(highlight=False)


def _fail_input(exc: Exception) -> typer.Exit:
    if isinstance(exc, ScenarioError):
        for problem in exc.problems:
            err.print(f"[red]error:[/red] {problem}", markup=True, soft_wrap=True)
    else:
        err.print(f"[red]error:[/red] {exc}", soft_wrap=True)
    return typer.Exit(EXIT_BAD_INPUT)


def _load(path: Path) -> Scenario:
    try:
        return load_scenario(path)
    except ScenarioError as exc:
        raise _fail_input(exc) from None


def _internal_error(exc: BaseException) -> typer.Exit:
    err.print(f"[red]internal error:[/red] {type(exc).__name__}: {exc}", soft_wrap=True)
    if os.environ.get("SAMPLER_DEBUG"):
        err.print(traceback.format_exc())
    else:
        err.print("(set SAMPLER_DEBUG=1 for the traceback)")
    return typer.Exit(EXIT_ERROR)


class _LiveLine:
    """The one-line progress report while solving (stderr, only on a terminal)."""

    def __init__(self, scenario: Scenario, bound: str | None, enabled: bool):
        self.scenario, self.bound = scenario, bound
        self.started = time.perf_counter()
        self.status = err.status("solving...") if enabled else None

    def __enter__(self) -> _LiveLine:
        if self.status:
            self.status.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self.status:
            self.status.__exit__(*exc)

    def __call__(self, progress: Progress) -> None:
        if not self.status:
            return
        sc = self.scenario
        done = sc.at(progress.done_slots * sc.slot_minutes).strftime("%H:%M")
        share = progress.sampled / max(1, sc.total_residents)
        self.status.update(
            f"solving {time.perf_counter() - self.started:5.1f}s · {progress.stage} · "
            f"best done_at {done} · sampled {share:.1%}"
        )


def _summary_tables(result: Result) -> list[Table]:
    s = result.summary()
    head = Table(title=f"{s['scenario'] or 'plan'}", show_header=False, title_justify="left")
    head.add_column(style="bold")
    head.add_column()
    gap = "-" if s["gap"] is None else f"{s['gap']:.1%}"
    head.add_row("status", s["status"])
    head.add_row("coverage", f"{s['coverage']:.2%} ({s['sampled']:,} of {s['residents']:,})")
    head.add_row("done_at", s["done_at"] or "not everyone sampled")
    bound = s["lower_bound_done_at"] or "none (the horizon is too short)"
    head.add_row("lower bound", f"{bound}   gap {gap}")
    head.add_row("people used", f"{s['people_used']:,} of {s['people_sent']:,}")
    head.add_row("staff-hours", f"{s['staff_hours']:,.1f}")
    head.add_row("moves", f"{s['moves']:,}")
    tables = [head]
    teams = Table(title="teams", title_justify="left")
    for column in ("team", "people", "used", "sampling h", "travel h", "moves", "utilisation"):
        teams.add_column(column, justify="left" if column == "team" else "right")
    for t in s["teams"][:50]:
        teams.add_row(
            t["team"], str(t["people"]), str(t["people_used"]), f"{t['sampling_hours']:.1f}",
            f"{t['travel_hours']:.1f}", str(t["moves"]), f"{t['utilisation']:.0%}",
        )  # fmt: skip
    if len(s["teams"]) > 50:
        teams.caption = f"... and {len(s['teams']) - 50} more teams (see plan.json)"
    tables.append(teams)
    if s["sites_short"]:
        short = Table(title="sites not finished", title_justify="left")
        for column in ("site", "walk-in short", "home short", "pair-hours", "why"):
            short.add_column(column)
        for row in s["sites_short"][:30]:
            short.add_row(
                row["site"], str(row["walk_in_short"]), str(row["home_short"]),
                f"{row['pair_hours_short']:.1f}", row["reason"],
            )  # fmt: skip
        tables.append(short)
    return tables


@app.command()
def plan(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (YAML, CONTRACT.md format).")],
    out_dir: Annotated[
        Path | None, typer.Option("-o", "--out", help="Plan folder (default: <scenario>-plan).")
    ] = None,
    time_limit: Annotated[
        float, typer.Option(help="Seconds of solver effort (deterministic).", min=0.1)
    ] = 10.0,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same plan.")] = 0,
    workers: Annotated[int, typer.Option(help="Solver threads.", min=1, max=64)] = 2,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    report: Annotated[
        bool, typer.Option("--report", help="Also write report.html and roster.xlsx.")
    ] = False,
) -> None:
    """Plan a scenario and write roster.csv, rosters/, assignments.csv, sites.csv, plan.json."""
    sc = _load(scenario)
    target = out_dir or scenario.with_name(f"{scenario.stem}-plan")
    params = SolveParams(time_limit=time_limit, seed=seed, workers=workers)
    try:
        with _LiveLine(sc, None, enabled=err.is_terminal and not as_json) as live:
            result = solve(sc, params, on_progress=live)
        written = write_plan(result, target)
        reports = _write_reports(written) if report else []
    except OutputError as exc:
        raise _fail_input(exc) from None
    except Exception as exc:
        raise _internal_error(exc) from None
    if as_json:
        out.print_json(json.dumps(result.summary(), ensure_ascii=False))
    else:
        for table in _summary_tables(result):
            out.print(table)
        out.print(f"plan written to {written}/")
        for path in reports:
            out.print(f"{path.name} written to {path}")
    raise typer.Exit(EXIT_PARTIAL if result.status is Status.PARTIAL else EXIT_OK)


@app.command()
def check(
    scenario: Annotated[Path, typer.Argument(help="The scenario the plan is for.")],
    plan_dir: Annotated[Path, typer.Argument(help="A plan folder written by `sampler plan`.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
) -> None:
    """Verify a plan folder against every rule of CONTRACT.md, from the files alone."""
    sc = _load(scenario)
    if not plan_dir.is_dir():
        raise _fail_input(FileNotFoundError(f"{plan_dir}: no such plan folder"))
    try:
        report = check_plan(sc, plan_dir)
    except Exception as exc:
        raise _internal_error(exc) from None
    if as_json:
        findings = [
            {"rule": v.rule, "message": v.message, "examples": list(v.examples)}
            for v in report.violations
        ]
        out.print_json(json.dumps({"ok": report.ok, "violations": findings}, ensure_ascii=False))
    else:
        out.print(report.summary(), markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_ERROR)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the scenario format (for editors)."""
    document = Scenario.model_json_schema()
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "sampler scenario, version 1"
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def _write_reports(plan_dir: Path) -> list[Path]:
    """report.html and roster.xlsx, from the plan folder's files."""
    from sampler.workbook import write_workbook  # openpyxl: imported only when needed

    return [write_report(plan_dir), write_workbook(plan_dir)]


@app.command("report")
def report_command(
    plan_dir: Annotated[Path, typer.Argument(help="A plan folder written by `sampler plan`.")],
) -> None:
    """Write report.html (one offline page) and roster.xlsx into a plan folder."""
    try:
        written = _write_reports(plan_dir)
    except (PlanFolderError, ScenarioError) as exc:
        raise _fail_input(exc) from None
    except Exception as exc:
        raise _internal_error(exc) from None
    for path in written:
        out.print(f"{path.name} written to {path}")


def main() -> None:
    """Console-script entry point."""
    app()
