"""``compare``: plan every variant of a scenario and put the results side by side.

Each variant is planned in a worker process into ``OUT/<variant>/``, a normal plan folder;
``OUT/compare.csv`` has one row per variant and ``OUT/compare.png`` / ``compare.svg`` chart
done_at and coverage against the varied value. Every variant is solved with one CP-SAT
worker, and the solver stops on deterministic time, so the results do not depend on how
many variants run at once (``jobs``): the same input gives the same compare.csv, byte for
byte. The folder is checked before anything is planned, written beside the target and moved
into place at the end, so a failure never leaves half a comparison (:mod:`sampler.output`).

The planner is a heuristic with a proven lower bound: more people can, rarely, give a later
plan than fewer (the bound itself never gets later). :func:`non_monotone` lists any such
pair of rows so that a reader is told rather than misled.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sampler.budget import SolveParams
from sampler.export import write_csv, write_plan
from sampler.loader import scenario_from_data
from sampler.output import prepare_output, staged
from sampler.plan_folder import TIME_FORMAT
from sampler.runners import LocalRunner, Runner
from sampler.solve import solve
from sampler.variants import Variant, variants_from_mapping

COMPARE_FILES = ("compare.csv", "compare.png", "compare.svg")
FIGURE_COLUMNS = [
    "status", "people", "people_used", "coverage", "done_at", "lower_bound_done_at", "gap",
    "staff_hours", "moves", "sites_not_finished", "sites_short", "error",
]  # fmt: skip
# At the end, only when a variant's scenario has labs (docs/labs.md): the results.
LAB_COLUMNS = [
    "results_status", "results_done_at", "lower_bound_results_done_at", "results_gap",
    "results_within_target",
]  # fmt: skip
INT_COLUMNS = ("people", "people_used", "moves", "sites_not_finished")
ERROR = "error"  # the status of a variant that failed; the error column says why
ERROR_FIGURES = {column: None for column in FIGURE_COLUMNS} | {"status": ERROR, "sites_short": ""}
TIME_COLUMNS = ("done_at", "lower_bound_done_at")
LAB_TIME_COLUMNS = ("results_done_at", "lower_bound_results_done_at")

Progress = Callable[[int, int, str], None]  # (variants done, variants in all, name just done)


def compare(
    scenario_data: Mapping[str, Any],
    variants: Sequence[Variant] | Mapping[str, Mapping[str, Any]],
    out_dir: str | Path | None = None,
    params: SolveParams | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
    force: bool = False,
    runner: Runner | None = None,
) -> pd.DataFrame:
    """Plan each variant; one row per variant, in the variants' order.

    ``scenario_data`` is the scenario as plain data (:func:`sampler.loader.read_scenario_data`);
    ``variants`` come from :mod:`sampler.variants` or are given as ``{name: {path: value}}``.
    Columns: ``variant``; one per varied path (the value set, as text, or a number when every
    value of the path is one; empty where a variant leaves it as in the scenario); then
    ``status``, ``people`` (sent), ``people_used``, ``coverage``, ``done_at``,
    ``lower_bound_done_at`` (timestamps, NaT when not everyone is sampled / no bound),
    ``gap``, ``staff_hours``, ``moves``, ``sites_not_finished`` and ``sites_short`` (ids);
    and when any variant's scenario has labs, at the end, ``results_status``,
    ``results_done_at``, ``lower_bound_results_done_at`` (timestamps, NaT when none),
    ``results_gap`` and ``results_within_target`` (empty for a variant without labs or,
    the last, without a target).

    With ``out_dir``, writes ``OUT/<variant>/`` plan folders, compare.csv and the chart
    (replacing an earlier comparison there; ``force``: also a folder holding other files,
    which are kept). ``jobs`` worker processes (default: the core count) plan the variants,
    or ``runner`` (:mod:`sampler.runners`: a Dask cluster) does; each gets ``params`` with
    ``workers=1``. A variant that fails has status ``error`` and its error in ``error``
    (empty for the others); the other variants are planned all the same.
    """
    if isinstance(variants, Mapping):
        variants = variants_from_mapping(scenario_data, variants)
    variants = list(variants)
    names = [v.name for v in variants]
    if not variants or len(set(names)) != len(names):
        raise ValueError("compare needs at least one variant, and distinct variant names")
    for variant in variants:
        scenario_from_data(variant.data, variant.name)  # everything valid before anything runs
    params = dataclasses.replace(params or SolveParams(), workers=1)
    out = None
    if out_dir is not None:
        out = prepare_output(out_dir, in_comparison, "comparison", force)
    with staged(out) if out is not None else nullcontext(None) as staging:
        figures = _plan_all(variants, params, staging, runner or LocalRunner(jobs), progress)
        frame = comparison_table(variants, figures)
        if staging is not None:
            write_comparison(frame, staging)
    return frame


def in_comparison(entry: Path) -> bool:
    """An entry a comparison writes: its table and charts, and variants' plan folders."""
    return entry.name in COMPARE_FILES or (entry.is_dir() and (entry / "plan.json").exists())


def _plan_all(
    variants: list[Variant],
    params: SolveParams,
    staging: Path | None,
    runner: Runner,
    progress: Progress | None,
) -> list[dict[str, Any]]:
    tasks = [(v.name, v.data, params, staging is not None) for v in variants]

    def done(count: int, total: int, k: int) -> None:
        if progress:
            progress(count, total, tasks[k][0])

    outcomes = runner.map(plan_variant, tasks, done)
    if staging is not None:
        for variant, outcome in zip(variants, outcomes, strict=True):
            for relative, content in outcome.files:
                path = staging / variant.name / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
    return [o.figures for o in outcomes]


@dataclass(frozen=True)
class VariantOutcome:
    """What planning one variant gives back: its figures (a row of compare.csv, as plain
    data) and its plan folder's files, which the caller writes: a worker on another machine
    cannot reach the comparison's folder."""

    figures: dict[str, Any]
    files: tuple[tuple[str, bytes], ...] = ()  # (path inside the plan folder, content)


def plan_variant(task: tuple[str, dict[str, Any], SolveParams, bool]) -> VariantOutcome:
    """Plan one variant (in a worker process, or on a cluster); with its plan folder's
    files when asked (``task[3]``).

    A variant that fails for its own reasons (an exception from planning or writing it)
    gives a row with status ``error`` and the error's type and message, and the other
    variants go on; the message holds nothing of where it ran, so that the row is the same
    whatever ran it. A lost worker is not the variant's failure: that task raises (the
    runner's engine runs it again)."""
    name, data, params, with_files = task
    try:
        scenario = scenario_from_data(data, name)
        result = solve(scenario, params)
        files: tuple[tuple[str, bytes], ...] = ()
        if with_files:
            with tempfile.TemporaryDirectory(prefix="sampler-variant-") as tmp:
                folder = write_plan(result, Path(tmp) / "plan")
                files = tuple(
                    (path.relative_to(folder).as_posix(), path.read_bytes())
                    for path in sorted(folder.rglob("*"))
                    if path.is_file()
                )
    except Exception as exc:
        return VariantOutcome({**ERROR_FIGURES, "error": f"{type(exc).__name__}: {exc}"})
    s = result.summary()
    figures = {
        "status": s["status"],
        "people": s["people_sent"],
        "people_used": s["people_used"],
        "coverage": s["coverage"],
        "done_at": s["done_at"],
        "lower_bound_done_at": s["lower_bound_done_at"],
        "gap": s["gap"],
        "staff_hours": s["staff_hours"],
        "moves": s["moves"],
        "sites_not_finished": len(s["sites_short"]),
        "sites_short": " ".join(row["site"] for row in s["sites_short"]),
        "error": "",
        **{column: s.get(column) for column in LAB_COLUMNS},  # None without labs
    }
    return VariantOutcome(figures, files)


def comparison_table(
    variants: Sequence[Variant], figures: Sequence[dict[str, Any]]
) -> pd.DataFrame:
    """One row per variant: its name, the values it sets, and the plan's figures."""
    paths = varied_paths(variants)
    labs = any(v.data.get("labs") for v in variants)
    rows = []
    for variant, fig in zip(variants, figures, strict=True):
        values = variant.values()
        rows.append({"variant": variant.name, **{p: values.get(p, "") for p in paths}, **fig})
    columns = ["variant", *paths, *FIGURE_COLUMNS, *(LAB_COLUMNS if labs else [])]
    frame = pd.DataFrame(rows, columns=columns)
    for path in paths:
        set_values = [c.value for v in variants for c in v.changes if c.path == path]
        numeric = all(_is_number(x) for x in set_values) and len(set_values) == len(variants)
        frame[path] = set_values if numeric else frame[path].astype(object)
    for column in TIME_COLUMNS:
        frame[column] = pd.to_datetime(frame[column], format=TIME_FORMAT)
    frame["gap"] = frame["gap"].astype(float)
    for column in INT_COLUMNS:  # whole numbers stay whole beside a failed variant's blank
        if frame[column].isna().any():
            frame[column] = frame[column].astype("Int64")
    frame["coverage"] = frame["coverage"].astype(float)
    frame["error"] = frame["error"].fillna("").astype(object)
    if labs:
        for column in LAB_TIME_COLUMNS:
            frame[column] = pd.to_datetime(frame[column], format=TIME_FORMAT)
        for column in ("results_gap", "results_within_target"):
            frame[column] = frame[column].astype(float)
        frame["results_status"] = frame["results_status"].fillna("").astype(object)
    return frame


def figure_columns(frame: pd.DataFrame) -> list[str]:
    """The columns of plan figures (every column but the variant and the values set)."""
    return [*FIGURE_COLUMNS, *(c for c in LAB_COLUMNS if c in frame.columns)]


def varied_paths(variants: Sequence[Variant]) -> list[str]:
    """The paths any variant sets, in order of first appearance."""
    return list(dict.fromkeys(c.path for v in variants for c in v.changes))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The table as compare.csv holds it: times as ``YYYY-MM-DD HH:MM``, empty when none."""
    out = frame.copy()
    for column in (*TIME_COLUMNS, *(c for c in LAB_TIME_COLUMNS if c in out.columns)):
        text = out[column].dt.strftime(TIME_FORMAT).astype(object)
        out[column] = text.where(out[column].notna(), "")
    return out


def write_comparison(frame: pd.DataFrame, folder: Path) -> list[Path]:
    """compare.csv, compare.png and compare.svg into ``folder``."""
    write_csv(csv_frame(frame), folder / "compare.csv")
    paths = [c for c in frame.columns if c not in ("variant", *figure_columns(frame))]
    png, svg = folder / "compare.png", folder / "compare.svg"
    write_chart(frame, paths, png, svg)
    return [folder / "compare.csv", png, svg]


# -- reading the table -----------------------------------------------------------------


def best_in_columns(frame: pd.DataFrame) -> dict[str, set[int]]:
    """Column -> row positions holding its best value (ties: all of them).

    Highest coverage; earliest done_at and bound; smallest gap and fewest sites not
    finished; and, among the variants that sample everyone, fewest people, staff-hours and
    moves (a plan that leaves residents out would otherwise win those), and with labs the
    earliest last result and the highest share within the target.
    """
    complete = frame["coverage"] >= 1.0
    best: dict[str, set[int]] = {}
    rules: list[tuple[str, bool, bool]] = [  # column, higher is better, complete rows only
        ("coverage", True, False),
        ("done_at", False, False),
        ("lower_bound_done_at", False, False),
        ("gap", False, False),
        ("sites_not_finished", False, False),
        ("people", False, True),
        ("staff_hours", False, True),
        ("moves", False, True),
        ("results_done_at", False, True),  # with labs
        ("results_within_target", True, True),
    ]
    for column, higher, only_complete in rules:
        if column not in frame.columns:
            continue
        values = frame[column].where(complete) if only_complete else frame[column]
        if values.isna().all():
            continue
        target = values.max() if higher else values.min()
        hits = (values == target).fillna(False).to_numpy(dtype=bool)
        best[column] = {int(k) for k in np.flatnonzero(hits)}
    return best


def non_monotone(frame: pd.DataFrame) -> list[str]:
    """Pairs of variants where more people of a team gave a later done_at or a lower
    coverage, everything else varied being equal (one line each; empty when none).
    Variants that failed say nothing either way."""
    frame = frame[frame["status"] != ERROR]
    paths = [c for c in frame.columns if c not in ("variant", *figure_columns(frame))]
    notes = []
    for path in paths:
        if not path.endswith(".people") or not pd.api.types.is_numeric_dtype(frame[path]):
            continue
        others = [p for p in paths if p != path]
        groups = frame.groupby(others, sort=False, dropna=False) if others else [((), frame)]
        for _, group in groups:
            ordered = group.sort_values(path, kind="stable")
            for (_, a), (_, b) in zip(
                ordered.iterrows(), ordered.iloc[1:].iterrows(), strict=False
            ):
                if b[path] <= a[path]:
                    continue
                if b["coverage"] < a["coverage"]:
                    notes.append(
                        f"{path}: {b[path]} people ({b['variant']}) sample {b['coverage']:.2%}, "
                        f"less than {a[path]} people ({a['variant']}, {a['coverage']:.2%})"
                    )
                later = pd.isna(b["done_at"]) and not pd.isna(a["done_at"])
                if not pd.isna(a["done_at"]) and not pd.isna(b["done_at"]):
                    later = b["done_at"] > a["done_at"]
                if later:
                    notes.append(
                        f"{path}: {b[path]} people ({b['variant']}) are done at "
                        f"{_stamp(b['done_at'])}, later than {a[path]} people ({a['variant']}, "
                        f"{_stamp(a['done_at'])})"
                    )
    return notes


def _stamp(value: Any) -> str:
    return "never (not everyone sampled)" if pd.isna(value) else value.strftime("%H:%M")


# -- the chart -------------------------------------------------------------------------


def write_chart(frame: pd.DataFrame, paths: Sequence[str], png: Path, svg: Path) -> None:
    """done_at (with its lower bound) and coverage against the varied value: a numeric
    axis for one numeric path, else the variants in order with their labels."""
    import matplotlib  # a second to import: only when a chart is drawn

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, PercentFormatter

    if len(paths) == 1 and pd.api.types.is_numeric_dtype(frame[paths[0]]):
        order = frame.sort_values(paths[0], kind="stable")
        x = order[paths[0]].to_numpy(dtype=float)
        labels, xlabel = None, paths[0]
    else:
        order = frame
        x = np.arange(len(frame), dtype=float)
        labels = list(frame[paths[0]].astype(str)) if len(paths) == 1 else list(frame["variant"])
        xlabel = paths[0] if len(paths) == 1 else "variant"
    stamps = pd.concat([frame[c] for c in TIME_COLUMNS]).dropna()
    day = stamps.min().normalize() if len(stamps) else None  # hours are counted from its 00:00

    def hours(column: str) -> np.ndarray:
        stamps = order[column]
        if day is None:
            return np.full(len(order), np.nan)
        return ((stamps - day).dt.total_seconds() / 3600).to_numpy(dtype=float)

    fig = Figure(figsize=(8.0, 6.5), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True)
    done = hours("done_at")
    top.plot(x, done, "o-", color="#1f77b4", label="done_at (plan)")
    top.plot(
        x, hours("lower_bound_done_at"), "s--", color="#7f7f7f", mfc="none", label="lower bound"
    )
    missing = np.isnan(done) & ~np.isnan(order["coverage"].to_numpy(dtype=float))
    # No done_at to draw: a dotted line across the panel, so that no time is suggested.
    for k, at in enumerate(x[missing]):
        label = "not everyone sampled (no done_at)" if k == 0 else None
        top.axvline(at, color="#d62728", linestyle=":", linewidth=1.5, label=label)
    top.yaxis.set_major_formatter(FuncFormatter(_clock))
    top.set_ylabel("done_at (everyone sampled)")
    top.grid(True, alpha=0.3)
    top.legend(loc="best", fontsize="small")
    bottom.plot(x, order["coverage"].to_numpy(dtype=float), "o-", color="#2ca02c")
    bottom.yaxis.set_major_formatter(PercentFormatter(1.0))
    bottom.set_ylim(min(0.0, float(order["coverage"].min())) - 0.02, 1.04)
    bottom.set_ylabel("coverage")
    bottom.set_xlabel(xlabel)
    bottom.grid(True, alpha=0.3)
    if labels is not None:
        slanted = len(paths) > 1
        bottom.set_xticks(
            x, labels, rotation=30 if slanted else 0, ha="right" if slanted else "center",
            fontsize="small",
        )  # fmt: skip
    fig.suptitle(f"sampler compare: {len(frame)} variants")
    with matplotlib.rc_context({"svg.hashsalt": "sampler-compare", "svg.fonttype": "none"}):
        fig.savefig(png, dpi=110, metadata={"Software": None})
        fig.savefig(svg, metadata={"Date": None, "Creator": None})


def _clock(hours: float, _position: Any = None) -> str:
    minutes = round(hours * 60)
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


# -- the output folder -----------------------------------------------------------------
