"""The ``sampler`` command: a thin layer over the library.

Exit statuses (CONTRACT.md): 0 a plan that samples every resident was written; 3 a valid
partial plan was written; 2 bad input, nothing written; 1 anything else, nothing
half-written left behind. ``sampler check`` exits 0 for a valid plan and 1 otherwise.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich import box
from rich import progress as rich_progress
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sampler.budget import SolveParams
from sampler.campaign import CampaignResult, plan_campaign
from sampler.campaign_check import CampaignCheck, check_campaign
from sampler.campaign_file import campaign_schema, is_campaign_file, load_campaign
from sampler.changes import changes_schema, load_changes
from sampler.check import CheckReport, check_plan
from sampler.check.replanned import check_replan
from sampler.compare import (
    ERROR,
    best_in_columns,
    compare,
    csv_frame,
    non_monotone,
    varied_paths,
)
from sampler.export import REPORT_FILES, write_plan, write_reports
from sampler.loader import (
    InputProblem,
    ScenarioError,
    load_scenario,
    read_scenario_data,
    scenario_from_data,
)
from sampler.output import OutputError, prepare_output
from sampler.plan_folder import PlanFolderError
from sampler.replan import replan, write_replan
from sampler.result import Progress, Result, Status, Step, staffing_warnings
from sampler.runners import CLUSTER_ENV, ClusterError, DaskRunner, Runner, runner_for
from sampler.scenario import Scenario, parse_clock
from sampler.solve import solve
from sampler.staff import DEFAULT_MAX_PEOPLE, StaffResult, least_staff
from sampler.variants import (
    Variant,
    VariantError,
    slug,
    variants_from_file,
    variants_from_sets,
)

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


class _Display:
    """The progress display on stderr: what is being done, and for work that can be counted
    (parts, variants) a bar with an estimate of the time left. Off (silent) under --json or
    when stderr is not a terminal, so that scripts and logs get only the results."""

    def __init__(self, enabled: bool, scenario: Scenario | None = None):
        self.scenario = scenario
        self.bar = None
        if enabled:
            self.bar = rich_progress.Progress(
                rich_progress.SpinnerColumn(),
                rich_progress.TextColumn("{task.description}"),
                rich_progress.BarColumn(),
                rich_progress.TextColumn("{task.fields[count]}"),
                rich_progress.TimeElapsedColumn(),
                rich_progress.TextColumn("{task.fields[left]}"),
                rich_progress.TimeRemainingColumn(),
                console=err,
                transient=True,
            )
        self.task: rich_progress.TaskID | None = None
        self.what = ""

    def __enter__(self) -> _Display:
        if self.bar:
            self.bar.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self.bar:
            self.bar.__exit__(*exc)

    def step(self, step: Step) -> None:
        """A step begins, or counts on (a new step restarts the clock and the estimate)."""
        if not self.bar:
            return
        if self.task is None or step.what != self.what:
            if self.task is not None:
                self.bar.remove_task(self.task)
            self.task = self.bar.add_task(step.what, total=None, count="", left="")
            self.what = step.what
            self.bar.refresh()  # a short step shows too, not only those a tick catches
        counted = step.total > 0
        self.bar.update(
            self.task,
            description=step.what,
            total=step.total if counted else None,
            completed=step.done,
            count=f"{step.done:,}/{step.total:,}" if counted else "",
            left="left" if counted else "",
        )

    def solving(self, progress: Progress) -> None:
        """A better solution: its done_at and share sampled."""
        if not self.bar or self.scenario is None:
            return
        sc = self.scenario
        done = sc.at(progress.done_slots * sc.slot_minutes).strftime("%H:%M")
        share = progress.sampled / max(1, sc.total_residents)
        if self.task is None:
            self.step(Step("planning"))
        if self.task is None:
            return  # (no bar was made: nothing to update)
        # The same step goes on (its clock too); only what it has found changes.
        self.bar.update(
            self.task,
            description=f"planning · {progress.stage} · best done_at {done} · sampled {share:.1%}",
        )

    def variants(self, done: int, total: int, name: str) -> None:
        """compare's report: variants done of all (and the one just done)."""
        self.step(Step("planning variants", done, total))
        if self.bar and self.task is not None and name:
            self.bar.update(self.task, description=f"planning variants (last: {name})")

    def search(self, message: str) -> None:
        """staff's report: what the search is doing."""
        self.step(Step(f"searching: {message}"))


def _summary_tables(result: Result) -> list[Table]:
    s = result.summary()
    head = Table(title=f"{s['scenario'] or 'plan'}", show_header=False, title_justify="left")
    head.add_column(style="bold")
    head.add_column()
    gap = "-" if s["gap"] is None else f"{s['gap']:.1%}"
    if "results_status" in s:  # with labs: the sampling's status, then the results'
        head.add_row("status", f"{s['status']} (sampling) · results {s['results_status']}")
    else:
        head.add_row("status", s["status"])
    head.add_row("coverage", f"{s['coverage']:.2%} ({s['sampled']:,} of {s['residents']:,})")
    head.add_row("done_at", s["done_at"] or "not everyone sampled")
    bound = s["lower_bound_done_at"] or "none (the horizon is too short)"
    head.add_row("lower bound", f"{bound}   gap {gap}")
    if "results_done_at" in s:  # a scenario with labs (docs/labs.md)
        results_gap = "-" if s["results_gap"] is None else f"{s['results_gap']:.1%}"
        head.add_row("last result", s["results_done_at"] or "no samples")
        head.add_row(
            "its bound", f"{s['lower_bound_results_done_at'] or 'none'}   gap {results_gap}"
        )
        if s["results_within_target"] is not None:
            head.add_row("within target", f"{s['results_within_target']:.1%} of samples")
    head.add_row("people used", f"{s['people_used']:,} of {s['people_sent']:,}")
    if s["pairs_left_home"]:
        head.add_row("left at home", f"{s['pairs_left_home']:,} pairs (they would only ride)")
    if s["pairs_traded"]:
        head.add_row(
            "traded",
            f"{s['pairs_traded']:,} pairs re-planned: more priority-weighted residents "
            "(or as many for fewer staff-hours)",
        )
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
    workers: _Workers = 2,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    report: Annotated[
        bool, typer.Option("--report", help="Also write report.html and roster.xlsx.")
    ] = False,
    force: Annotated[bool, _FORCE] = False,
    cluster: Annotated[str | None, _CLUSTER] = None,
) -> None:
    """Plan a scenario and write roster.csv, rosters/, assignments.csv, sites.csv, plan.json."""
    sc = _load(scenario)
    target = out_dir or scenario.with_name(f"{scenario.stem}-plan")
    params = SolveParams(time_limit=time_limit, seed=seed, workers=workers)
    try:
        output = prepare_output(target, force=force)  # before minutes of planning
        # An old report would describe the old plan: it is made again for the new one.
        report = report or any((output.folder / name).exists() for name in REPORT_FILES)
        with runner_for(cluster, workers) as runner:
            _announce(runner)
            with _Display(err.is_terminal and not as_json, sc) as display:
                result = solve(
                    sc, params, on_progress=display.solving, on_step=display.step, runner=runner
                )
                written = write_plan(result, output, reports=report, on_step=display.step)
        reports = [written / name for name in REPORT_FILES] if report else []
    except (OutputError, ClusterError) as exc:
        raise _fail_input(exc) from None
    except Exception as exc:
        raise _internal_error(exc) from None
    if as_json:
        out.print_json(json.dumps(result.summary(), ensure_ascii=False))
    else:
        for table in _summary_tables(result):
            out.print(table)
        for warning in staffing_warnings(result.scenario):
            err.print(f"[yellow]warning:[/yellow] {warning}", markup=True, soft_wrap=True)
        out.print(f"plan written to {written}/")
        for path in reports:
            out.print(f"{path.name} written to {path}")
    raise typer.Exit(EXIT_PARTIAL if result.status is Status.PARTIAL else EXIT_OK)


@app.command()
def check(
    scenario: Annotated[Path, typer.Argument(help="The scenario the plan is for.")],
    plan_dir: Annotated[Path, typer.Argument(help="A plan folder written by `sampler plan`.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
    original: Annotated[
        Path | None,
        typer.Option(help="The plan folder a replan replaced: its past must be kept."),
    ] = None,
    changes: Annotated[
        Path | None, typer.Option(help="The changes file of the replan (with --original).")
    ] = None,
    freeze_until: Annotated[
        str | None,
        typer.Option(help="HH:MM: the original's rows ended by then must be kept too."),
    ] = None,
) -> None:
    """Verify a plan folder against every rule of CONTRACT.md, from the files alone.

    With --original (a replanned folder, SCENARIO its scenario.yaml): also every row of the
    original plan that ended by the replan's time (or --freeze-until) is kept unchanged, and
    with --changes, the changes hold after it (docs/changes.md).

    Given a campaign file (a top-level ``campaign:`` key) and a campaign folder, checks
    every day folder and every rule across days (docs/campaign.md)."""
    if is_campaign_file(scenario):
        _check_campaign(scenario, plan_dir, as_json)
    sc = _load(scenario)
    if not plan_dir.is_dir():
        raise _fail_input(FileNotFoundError(f"{plan_dir}: no such plan folder"))
    if original is None and (changes is not None or freeze_until is not None):
        raise _fail_input(ValueError("--changes and --freeze-until need --original PLAN_DIR"))
    cf = freeze = None
    if original is not None:
        try:
            cf = None if changes is None else load_changes(changes)
            freeze = None if freeze_until is None else parse_clock(freeze_until)
        except (ScenarioError, ValueError) as exc:
            raise _fail_input(exc) from None
        if not original.is_dir():
            raise _fail_input(FileNotFoundError(f"{original}: no such plan folder"))
    try:
        report = check_plan(sc, plan_dir)
        if original is not None:
            report = check_replan(
                sc, plan_dir, original, None if cf is None else cf.changes, freeze, report=report
            )
    except Exception as exc:
        raise _internal_error(exc) from None
    _print_check(report, as_json)


def _print_check(report: CheckReport | CampaignCheck, as_json: bool) -> None:
    """A check's findings, as text or JSON; always ends in an exit (0 valid, 1 not)."""
    if as_json:
        findings = [
            {"rule": v.rule, "message": v.message, "examples": list(v.examples)}
            for v in report.violations
        ]
        out.print_json(json.dumps({"ok": report.ok, "violations": findings}, ensure_ascii=False))
    else:
        out.print(report.summary(), markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_ERROR)


def _check_campaign(campaign: Path, out_dir: Path, as_json: bool) -> None:
    """``sampler check CAMPAIGN OUT``; always ends in an exit."""
    try:
        loaded = load_campaign(campaign)
    except ScenarioError as exc:
        raise _fail_input(exc) from None
    if not out_dir.is_dir():
        raise _fail_input(FileNotFoundError(f"{out_dir}: no such campaign folder"))
    try:
        report = check_campaign(loaded, out_dir)
    except Exception as exc:
        raise _internal_error(exc) from None
    _print_check(report, as_json)


@app.command()
def schema(
    changes: Annotated[
        bool, typer.Option("--changes", help="The changes file of `sampler replan` instead.")
    ] = False,
    campaign: Annotated[
        bool, typer.Option("--campaign", help="The campaign file's schema instead.")
    ] = False,
) -> None:
    """Print the JSON Schema of the scenario format (for editors)."""
    if campaign:
        sys.stdout.write(json.dumps(campaign_schema(), ensure_ascii=False, indent=2) + "\n")
        return
    if changes:
        document = changes_schema()
    else:
        document = Scenario.model_json_schema()
        document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        document["title"] = "sampler scenario, version 1"
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


@app.command("replan")
def replan_command(
    plan_dir: Annotated[Path, typer.Argument(help="The plan folder of the day so far.")],
    changes: Annotated[Path, typer.Argument(help="What changed (YAML, docs/changes.md).")],
    out_dir: Annotated[Path, typer.Option("-o", "--out", help="The new plan folder.")],
    time_limit: Annotated[
        float, typer.Option(help="Seconds of solver effort per attempt (deterministic).", min=0.1)
    ] = 10.0,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same plan.")] = 0,
    workers: _Workers = 2,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    report: Annotated[
        bool,
        typer.Option("--report", help="Also write report.html (with the changes) and roster.xlsx."),
    ] = False,
    force: Annotated[bool, _FORCE] = False,
    freeze_until: Annotated[
        str | None,
        typer.Option(
            help="HH:MM, not before the changes' at: keep the plan as it is until then too "
            "(work already sent out); the changes take effect from then."
        ),
    ] = None,
) -> None:
    """Replan a day from the time the changes give: the morning kept, the afternoon re-made.

    Writes the whole day's plan folder into OUT (with the changed scenario as scenario.yaml,
    which `sampler check OUT/scenario.yaml OUT` verifies), changes.csv (per person, what
    they were to do after that time and what they now do), and plan.json with replanned_at
    and pairs_moved. Bad changes exit 2 with nothing written.
    """
    params = SolveParams(time_limit=time_limit, seed=seed, workers=workers)
    try:
        output = prepare_output(out_dir, force=force)
        changes_file = load_changes(changes)
        freeze = None if freeze_until is None else parse_clock(freeze_until)
        replanned = replan(plan_dir, changes_file, params, freeze)
    except (ScenarioError, OutputError, PlanFolderError, ValueError) as exc:
        raise _fail_input(exc) from None
    except Exception as exc:
        raise _internal_error(exc) from None
    try:
        # None: as the folder had them (an old report would describe the old plan).
        written = write_replan(replanned, output, reports=report or None)
    except Exception as exc:
        raise _internal_error(exc) from None
    result = replanned.result
    if as_json:
        summary = {**result.summary(), **replanned.document()}
        summary.pop("timings", None)
        out.print_json(json.dumps(summary, ensure_ascii=False))
    else:
        for table in _summary_tables(result):
            out.print(table)
        document = replanned.document()
        out.print(
            f"replanned at {document['replanned_at']}: {document['pairs_moved']} pairs "
            f"({document['replan']['people_changed']} people) changed their afternoon"
        )
        out.print(f"plan written to {written}/ (changes.csv: per person, before and after)")
        for path in (written / name for name in REPORT_FILES):
            if path.exists():
                out.print(f"{path.name} written to {path}")
    raise typer.Exit(EXIT_PARTIAL if result.status is Status.PARTIAL else EXIT_OK)


_Workers = Annotated[int, typer.Option(help="Solver threads.", min=1, max=64)]
_FORCE = typer.Option(
    "--force",
    help="Write into a folder that holds other files too (they are kept; only the files "
    "this command writes are replaced).",
)
_CLUSTER = typer.Option(
    "--cluster",
    envvar=CLUSTER_ENV,
    show_envvar=True,
    help="Run the work (variants, a city's parts) on Dask: a running scheduler's address "
    "(tcp://127.0.0.1:8786), or local:N to start a LocalCluster of N one-thread workers "
    "here. Default: worker processes on this machine. Needs the cluster extra "
    "(pip install -e '.[cluster]'); results are the same, byte for byte.",
)


def _announce(runner: Runner) -> None:
    """Where to watch a cluster at work (stderr, so that --json output stays clean)."""
    if isinstance(runner, DaskRunner):
        where = runner.dashboard or "none (install bokeh, or start the scheduler with one)"
        err.print(f"Dask cluster: {runner.client.scheduler.address}; dashboard: {where}")


@app.command("report")
def report_command(
    plan_dir: Annotated[
        Path, typer.Argument(help="A plan folder (`sampler plan`) or campaign folder.")
    ],
) -> None:
    """Write report.html (one offline page) and roster.xlsx into a plan folder; into a
    campaign folder (one with campaign.json), campaign.html."""
    try:
        with _Display(err.is_terminal) as display:
            if (plan_dir / "campaign.json").is_file():
                from sampler.report.campaign_page import write_campaign_report

                written = [write_campaign_report(plan_dir)]
            else:
                written = write_reports(plan_dir, display.step)
    except (PlanFolderError, ScenarioError, OutputError) as exc:
        raise _fail_input(exc) from None
    except Exception as exc:
        raise _internal_error(exc) from None
    for path in written:
        out.print(f"{path.name} written to {path}")


# -- staffing options: sampler compare, sampler staff ----------------------------------


_COMPARE_HELP = (
    "Plan variants of a scenario side by side: a plan, a row and a point on a chart each."
    "\n\n"
    "Writes OUT/<variant>/ plan folders, OUT/compare.csv (one row per variant: the values "
    "set, people, coverage, done_at, lower bound, gap, staff-hours, moves, sites not "
    "finished) and OUT/compare.png and compare.svg (done_at and coverage against the "
    "varied value). Variant folders are named by index and change, e.g. "
    "02-yunzhou.people=50; with --variants, by the names in the file."
    "\n\n"
    "A PATH names a key, sites and teams by their id: teams.ID.KEY, sites.ID.KEY, "
    "defaults.KEY, or a top-level key (slot_minutes, start, end, scenario). Values are "
    "YAML scalars as in the scenario file: 50, false, 12:30-21:30 (clock times stay "
    "text); quote a value holding a comma; null removes the key (its default applies). "
    "Several --set make every combination; --zip pairs them instead. A variants file "
    "maps names to {PATH: value}, e.g. early: {teams.yunzhou.available: 07:00-21:30}."
    "\n\n"
    "Every variant is checked before anything is planned: a bad path or value exits 2, "
    "naming the --set argument (or the variants file, line and key), with nothing written. "
    "Each variant is solved with one solver thread, so the results do not depend on "
    "--jobs or --cluster. A variant that fails is a row with status error and its error; "
    "the others go on. Exit 0 once the comparison is written, partial variants included; "
    "1 when a variant failed (the comparison is written all the same)."
)

_STAFF_HELP = (
    "The fewest people a team needs so that every resident is sampled by a deadline."
    "\n\n"
    "Counts are even (pairs). Counts whose lower bound misses the deadline are ruled out "
    "without planning; from the first count the bound allows, plans are made (galloping "
    "up, then bisecting) until one meets the deadline. Printed: the people, the plan's "
    "done_at, and why two fewer cannot make it: the lower bound (a proof) or a plan that "
    "misses (not a proof, the planner being a heuristic). Beside it, the national "
    "guideline (samplers = residents / 360 a day), counting every person of a pair as a "
    "sampler and rounding up to whole pairs, for all residents, against all the people "
    "sent at the answer. The plan at the answer is written to OUT with staff.json."
    "\n\n"
    "--team ID counts the people of a team in the scenario; --add-team SPEC adds a new "
    "one. SPEC is comma-separated KEY=VALUE with the keys of a team in the scenario file: "
    "id (required), lat and lon or at=SITE_ID (start at that site), and optionally "
    "available, door_to_door, walk_in_per_hour, door_to_door_per_hour, "
    "max_suit_minutes, min_break_minutes, max_work_minutes, travel_speed_kmh, name "
    "(people, if given, is ignored: it is what is searched). Example: "
    "id=extra,at=shuibosi,available=07:00-21:30,walk_in_per_hour=100"
    "\n\n"
    "Exit 0 with the plan written; 3 when no count up to --max-people meets the deadline "
    "(the reason is printed, nothing is written); 2 bad input; 1 anything else."
)


def _read_data(path: Path):
    """The scenario as plain data and its line map, validated (exit 2 if it is not)."""
    try:
        data, lines = read_scenario_data(path)
        scenario_from_data(data, str(path), lines)
    except ScenarioError as exc:
        raise _fail_input(exc) from None
    return data, lines


@app.command("compare", help=_COMPARE_HELP)
def compare_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (YAML, CONTRACT.md format).")],
    sets: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="PATH=V1,V2,... : values for one key, e.g. teams.yunzhou.people=0,50,100, "
            "teams.yunzhou.available=07:00-21:30,12:30-21:30, sites.dachi.sealed=false,true, "
            "defaults.max_suit_minutes=240,390, slot_minutes=15,30. Sites and teams are named "
            "by id; values are YAML (clock times stay text; quote a value with a comma; null "
            "restores the default). Repeat --set: every combination is planned.",
        ),
    ] = None,
    zip_sets: Annotated[
        bool, typer.Option("--zip", help="Pair the --set values (first with first...).")
    ] = False,
    variants_file: Annotated[
        Path | None,
        typer.Option(
            "--variants",
            help="YAML file of named variants: NAME: {PATH: value, ...} (instead of --set).",
        ),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option("-o", "--out", help="Output folder (default: <scenario>-compare)."),
    ] = None,
    time_limit: Annotated[
        float, typer.Option(help="Seconds of solver effort per variant.", min=0.1)
    ] = 10.0,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same plans.")] = 0,
    jobs: Annotated[
        int | None,
        typer.Option(help="Variants planned at once (default: the core count).", min=1),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the rows as JSON.")] = False,
    force: Annotated[bool, _FORCE] = False,
    cluster: Annotated[str | None, _CLUSTER] = None,
) -> None:
    """Plan variants of a scenario side by side (see ``_COMPARE_HELP``)."""
    data, lines = _read_data(scenario)
    try:
        if bool(sets) == (variants_file is not None):
            raise VariantError(
                [InputProblem("compare", None, (), "give --set PATH=V1,V2,... or --variants FILE")]
            )
        if variants_file is not None:
            variants = variants_from_file(data, variants_file, str(scenario), lines)
        else:
            variants = variants_from_sets(data, sets or [], zip_sets, str(scenario), lines)
    except ScenarioError as exc:
        raise _fail_input(exc) from None
    target = out_dir or scenario.with_name(f"{scenario.stem}-compare")
    params = SolveParams(time_limit=time_limit, seed=seed, workers=1)
    try:
        with runner_for(cluster, jobs) as runner:
            _announce(runner)
            with _Display(err.is_terminal and not as_json) as display:
                display.variants(0, len(variants), "")
                frame = compare(
                    data, variants, target, params, progress=display.variants, force=force,
                    runner=runner,
                )  # fmt: skip
    except (OutputError, ClusterError) as exc:
        raise _fail_input(exc) from None
    except Exception as exc:
        raise _internal_error(exc) from None
    if as_json:
        rows = csv_frame(frame).astype(object).where(frame.notna(), None)
        out.print_json(json.dumps(rows.to_dict(orient="records"), ensure_ascii=False))
    else:
        # Off a terminal (a file, a pipe) the table keeps its natural width.
        wide = out if out.is_terminal else Console(highlight=False, width=200)
        wide.print(_compare_table(frame, variants))
        for note in non_monotone(frame):
            err.print(f"[yellow]note:[/yellow] {note} (the planner is a heuristic)", soft_wrap=True)
        out.print(f"{len(frame)} plans, compare.csv, compare.png, compare.svg written to {target}/")
    failed = frame[frame["status"] == ERROR]
    for _, row in failed.iterrows():
        err.print(f"[red]error:[/red] variant {row['variant']}: {row['error']}", soft_wrap=True)
    raise typer.Exit(EXIT_ERROR if len(failed) else EXIT_OK)


def _compare_table(frame: pd.DataFrame, variants: list[Variant]) -> Table:
    """The comparison as compare.csv has it; the best value of each column marked *."""
    best = best_in_columns(frame)
    # The values set, unless every variant's name already spells them out (--set).
    named = all(slug(c.label) in v.name for v in variants for c in v.changes)
    paths = [] if named else varied_paths(variants)
    table = Table(title="variants", title_justify="left", box=box.SIMPLE_HEAD)
    shown = {
        "status": "status", "people": "people", "coverage": "coverage", "done_at": "done_at",
        "lower_bound_done_at": "bound", "gap": "gap", "staff_hours": "staff-h",
        "moves": "moves", "sites_not_finished": "short",
    }  # fmt: skip
    if "results_done_at" in frame.columns:  # with labs (docs/labs.md)
        shown |= {"results_done_at": "last result", "results_within_target": "in target"}
    longest = max((len(v.name) for v in variants), default=7)
    table.add_column("variant", overflow="fold", min_width=min(24, longest))
    for path in paths:
        table.add_column(path, justify="right", overflow="fold")
    for column, title in shown.items():
        table.add_column(title, justify="left" if column == "status" else "right")
    for k in range(len(frame)):
        row = frame.iloc[k]
        cells = [escape(str(row["variant"])), *(escape(str(row[p])) for p in paths)]
        for column in shown:
            text = escape(_cell(column, row[column]))
            cells.append(f"[bold green]*{text}[/bold green]" if k in best.get(column, ()) else text)
        table.add_row(*cells)
    table.caption = (
        "* best in its column (people, staff-hours, moves: among variants that sample "
        "everyone); short: sites not finished"
    )
    return table


def _cell(column: str, value) -> str:
    if pd.isna(value):  # a variant that failed has no figures
        return "-"
    if column in ("done_at", "lower_bound_done_at"):
        return "-" if pd.isna(value) else value.strftime("%H:%M")
    if column == "results_done_at":  # may be the next day
        return value.strftime("%m-%d %H:%M")
    if column in ("coverage", "results_within_target"):
        return f"{value:.1%}"
    if column == "gap":
        return "-" if pd.isna(value) else f"{value:.1%}"
    if column == "staff_hours":
        return f"{value:,.1f}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


@app.command("staff", help=_STAFF_HELP)
def staff_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (YAML, CONTRACT.md format).")],
    deadline: Annotated[
        str,
        typer.Option(help="Everyone sampled by HH:MM on the scenario's day (or YYYY-MM-DD HH:MM)."),
    ],
    team: Annotated[
        str | None, typer.Option("--team", help="The team whose people are counted (its id).")
    ] = None,
    add_team: Annotated[
        str | None,
        typer.Option(
            "--add-team",
            help="A new team whose people are counted, as SPEC (see above).",
        ),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option("-o", "--out", help="Plan folder (default: <scenario>-staff)."),
    ] = None,
    max_people: Annotated[
        int, typer.Option(help="Largest count of the team's people tried.", min=0)
    ] = DEFAULT_MAX_PEOPLE,
    time_limit: Annotated[
        float, typer.Option(help="Seconds of solver effort per plan.", min=0.1)
    ] = 10.0,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same plans.")] = 0,
    workers: _Workers = 2,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
    force: Annotated[bool, _FORCE] = False,
    cluster: Annotated[str | None, _CLUSTER] = None,
) -> None:
    """The fewest people a team needs for a deadline (see ``_STAFF_HELP``)."""
    data, lines = _read_data(scenario)
    target = out_dir or scenario.with_name(f"{scenario.stem}-staff")
    params = SolveParams(time_limit=time_limit, seed=seed, workers=workers)
    try:
        with runner_for(cluster, workers) as runner:
            _announce(runner)
            with _Display(err.is_terminal and not as_json) as display:
                display.search("lower bounds")
                found = least_staff(
                    data, deadline, team=team, add_team=add_team, out_dir=target,
                    params=params, max_people=max_people, progress=display.search,
                    file=str(scenario), lines=lines, force=force, runner=runner,
                )  # fmt: skip
    except (ScenarioError, OutputError, ClusterError) as exc:
        raise _fail_input(exc) from None
    except Exception as exc:
        raise _internal_error(exc) from None
    if as_json:
        out.print_json(json.dumps(found.summary(), ensure_ascii=False))
    else:
        out.print(_staff_table(found))
        if found.plan_dir is not None:
            out.print(f"plan written to {found.plan_dir}/")
    raise typer.Exit(EXIT_OK if found.found else EXIT_PARTIAL)


def _staff_table(found: StaffResult) -> Table:
    s = found.summary()
    who = f"new team {found.team}" if found.added else f"team {found.team}"
    table = Table(
        title=f"least staff: {who}, everyone sampled by {s['deadline']}",
        show_header=False, title_justify="left",
    )  # fmt: skip
    table.add_column(style="bold")
    table.add_column()
    g = s["guideline"]
    if found.found:
        table.add_row("people", f"{s['people']:,} ({s['pairs']:,} pairs)")
        table.add_row(
            "done_at", f"{s['done_at']} ({s['status']}; lower bound {s['lower_bound_done_at']})"
        )
        if found.evidence is not None:
            table.add_row(f"{found.evidence.people:,} people", escape(found.evidence.text))
        else:
            table.add_row("", "the other teams alone meet the deadline")
        others = f" with the other teams' {found.other_people:,}" if found.other_people else ""
        diff = g["difference"]
        table.add_row(
            "guideline",
            f"{g['people']:,} people ({g['residents']:,} residents / 360 = {g['samplers']:,.1f} "
            f"samplers, rounded up to whole pairs); {s['people_all_teams']:,} people{others} "
            f"at the answer: {abs(diff):,} {'more' if diff >= 0 else 'fewer'} than the guideline",
        )
    else:
        table.add_row("people", f"none up to {found.max_people:,} meets the deadline")
        table.add_row("why", escape(s["reason"]))
        table.add_row(
            "guideline", f"{g['people']:,} people ({g['residents']:,} residents / 360, in pairs)"
        )
    bounds = [t for t in found.trials if t.by == "bound"]
    plans = ", ".join(
        f"{t.people:,} {'meets' if t.meets else 'misses'}" for t in found.trials if t.by == "plan"
    )
    table.add_row("searched", f"{len(bounds)} lower bounds; plans: {plans or 'none'}")
    return table


# -- campaigns: several days -------------------------------------------------------------


@app.command("campaign")
def campaign_command(
    campaign: Annotated[Path, typer.Argument(help="Campaign file (YAML, docs/campaign.md).")],
    out_dir: Annotated[
        Path | None, typer.Option("-o", "--out", help="Folder (default: <campaign>-plan).")
    ] = None,
    time_limit: Annotated[
        float, typer.Option(help="Seconds of solver effort per day (deterministic).", min=0.1)
    ] = 10.0,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same plans.")] = 0,
    workers: _Workers = 2,
    as_json: Annotated[bool, typer.Option("--json", help="Print campaign.json's figures.")] = False,
    force: Annotated[bool, _FORCE] = False,
    report: Annotated[
        bool, typer.Option("--report", help="Also write campaign.html (days by communities).")
    ] = False,
) -> None:
    """Plan a campaign day by day: OUT/day-01/... plan folders, campaign.csv, people.csv
    and campaign.json (--report: campaign.html). Exit 0 when every round is met, 3 when
    some is not, 2 bad input."""
    try:
        loaded = load_campaign(campaign)
    except ScenarioError as exc:
        raise _fail_input(exc) from None
    target = out_dir or campaign.with_name(f"{campaign.stem}-plan")
    params = SolveParams(time_limit=time_limit, seed=seed, workers=workers)
    try:
        with _Display(err.is_terminal and not as_json) as display:
            found = plan_campaign(
                loaded, target, params, force=force, report=report, on_step=display.step
            )
    except OutputError as exc:
        raise _fail_input(exc) from None
    except Exception as exc:
        raise _internal_error(exc) from None
    document = found.document()
    if as_json:
        document.pop("round_list")
        out.print_json(json.dumps(document, ensure_ascii=False))
    else:
        out.print(_campaign_table(found))
        for r in found.rounds:
            if r.left:
                err.print(
                    f"[yellow]not met:[/yellow] {r.site}, round from day {r.first_day} "
                    f"({r.rhythm}): {r.left:,} of {r.residents * r.tests:,} samples left; "
                    f"{r.cause}: {escape(r.why)}",
                    soft_wrap=True,
                )
        out.print(f"campaign written to {target}/")
    raise typer.Exit(EXIT_OK if found.met else EXIT_PARTIAL)


def _campaign_table(found: CampaignResult) -> Table:
    met = sum(r.left == 0 for r in found.rounds)
    table = Table(
        title=f"{found.spec.campaign}: {met} of {len(found.rounds)} rounds met",
        title_justify="left", box=box.SIMPLE_HEAD,
    )  # fmt: skip
    for column in ("day", "date", "due", "status", "done_at", "bound", "teams working"):
        table.add_column(column, justify="left" if column in ("date", "status") else "right")
    for d in found.days:
        s = d.summary
        working = sum(t.state == "working" for t in d.teams.values())
        table.add_row(
            str(d.day), d.date, str(len(d.due)), s.get("status") or "nothing due",
            (s.get("done_at") or "-")[-5:], (s.get("lower_bound_done_at") or "-")[-5:],
            f"{working} of {len(d.teams)}",
        )  # fmt: skip
    return table


def main() -> None:
    """Console-script entry point."""
    app()
