"""The benchmark runner: plan every tier, check it, run the baselines, write RESULTS.md.

Each tier runs in a fresh subprocess, so that its peak memory (``ru_maxrss``) is its own.
In it, the planner goes through the public API exactly as ``sampler plan`` does
(:func:`sampler.load_scenario`, :func:`sampler.solve`, :func:`sampler.write_plan`), each
step timed on its own; then :func:`sampler.check_plan` verifies the plan folder, and the two
baselines of :mod:`benchmarks.baselines` run on the same scenario object, are written and
checked the same way. A tier that runs past ``--timeout`` is stopped; the report then says
which step it was in, with the stack at that moment.

    python -m benchmarks --tiers lingqiu,street,district,city --seed 1

Generated scenarios and plan folders go to ``benchmarks/data/`` (not committed).
"""

from __future__ import annotations

import argparse
import faulthandler
import functools
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = HERE / "data"
RESULTS = HERE / "RESULTS.md"
LINGQIU = REPO / "scenarios" / "lingqiu-2022-11-10.yaml"
TIERS = ("lingqiu", "street", "district", "city")
# The planner's --time-limit per tier: what leaves room, load to files, for the targets.
TIME_LIMITS = {"lingqiu": 1.0, "street": 5.0, "district": 12.0, "city": 45.0}
BASELINES = ("rule_of_thumb", "naive_cpsat")
# Issue 14: a one-community change replanned (the tier's plan, the largest open community
# sealed at REPLAN_AT), within these wall seconds, at this --time-limit.
REPLAN_TARGETS = {"district": 15.0, "city": 60.0}
REPLAN_TIME_LIMITS = {"district": 6.0, "city": 10.0}
REPLAN_AT = "12:00"
DEFAULT_TIMEOUT = 600.0  # seconds per tier (planner, check and baselines together)
# The families' report is a file of its own (python -m benchmarks.families writes it), so
# that neither runner rewrites the other's figures.
FAMILIES_LINK = (
    "One seed per tier here; many seeds per kind of city (short opening hours, late teams, "
    "no door-to-door training, remote villages, understaffed days, priorities, mixed, heat-rule "
    "days), with "
    "the worst seed of each: [FAMILIES.md](FAMILIES.md) (`python -m benchmarks.families`)."
)


@dataclass(frozen=True)
class Target:
    """What the issue asks of one tier (None: no target for that figure)."""

    wall_seconds: float | None
    gap: float | None
    memory_mib: float | None


TARGETS = {
    "lingqiu": Target(2.0, 0.0, None),
    "district": Target(15.0, 0.03, 2048.0),
    "city": Target(60.0, 0.05, 4096.0),
}


# -- in the tier's own process ----------------------------------------------------------------


class _Recorder:
    """The tier's figures, rewritten to disk after every step (a timeout keeps what was done)."""

    def __init__(self, path: Path, progress: Path):
        self.path, self.progress = path, progress
        self.data: dict[str, Any] = {}
        self.started = time.perf_counter()

    def step(self, name: str) -> None:
        with self.progress.open("a", encoding="utf-8") as f:
            f.write(f"{time.perf_counter() - self.started:.2f} {name}\n")

    def save(self) -> None:
        self.path.write_text(json.dumps(self.data, ensure_ascii=False, indent=1), encoding="utf-8")


class _TreeMemory(threading.Thread):
    """Peak resident memory of this process and its descendants together.

    ``ru_maxrss`` sees this process only; the planner may plan parts of a city in worker
    processes, so their memory is sampled here too (every 0.5 s, from /proc; a scan costs
    about 2 ms).
    """

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kib = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.5):
            self.peak_kib = max(self.peak_kib, _tree_rss_kib(os.getpid()))

    def take(self) -> float:
        """The peak so far in MiB (at least this process's ``ru_maxrss``), then start afresh."""
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        peak = max(self.peak_kib, _tree_rss_kib(os.getpid()), own)
        self.peak_kib = 0
        return round(peak / 1024, 1)


def _tree_rss_kib(root: int) -> int:
    """Resident KiB of ``root`` and all its descendants now."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        children = [c for c, p in parents.items() if p == pid and c not in tree]
        tree.update(children)
        frontier += children
    page_kib = os.sysconf("SC_PAGE_SIZE") // 1024
    total = 0
    for pid in tree:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page_kib
        except OSError:
            continue
    return total


def _figures(result: Any, bound_minute: int | None) -> dict[str, Any]:
    """Coverage, done_at and the gap over the planner's lower bound, for any Result."""
    sc, plan = result.scenario, result.plan
    done = result.done_minute
    return {
        "status": str(result.status),
        "coverage": round(plan.coverage, 6),
        "sampled": plan.sampled,
        "done_minute": done,
        "done_at": None if done is None else sc.at(done).strftime("%H:%M"),
        "gap": gap(done, bound_minute),
        "people_used": plan.people_used,
        "moves": plan.moves,
    }


def gap(done: int | None, bound: int | None) -> float | None:
    """(done_at - start) / (bound - start) - 1, as the issue defines it."""
    if done is None or bound is None:
        return None
    if bound == 0:
        return 0.0 if done == 0 else float("inf")
    return round(done / bound - 1, 6)


def _check(scenario: Any, folder: Path) -> dict[str, Any]:
    from sampler import check_plan

    clock = time.perf_counter()
    report = check_plan(scenario, folder)
    return {
        "ok": report.ok,
        "seconds": round(time.perf_counter() - clock, 3),
        "broken": {v.rule: v.message for v in report.violations},
    }


def measure_tier(
    tier: str,
    scenario_path: Path,
    time_limit: float,
    seed: int,
    out: Path,
    plans: Path,
    naive_cap: int,
    baselines: bool = True,
) -> None:
    """Plan, export, check and compare one tier; figures go to ``out`` (JSON)."""
    memory = _TreeMemory()
    memory.start()
    rec = _Recorder(out, out.with_suffix(".progress"))
    rec.data.update(tier=tier, scenario=str(scenario_path), time_limit=time_limit, seed=seed)
    rec.step("import")
    clock = time.perf_counter()
    from benchmarks import baselines as bl
    from sampler import SolveParams, load_scenario, solve, write_plan

    rec.data["import_seconds"] = round(time.perf_counter() - clock, 3)

    rec.step("load")
    clock = time.perf_counter()
    sc = load_scenario(scenario_path)
    load_s = time.perf_counter() - clock
    rec.data["size"] = {
        "sites": len(sc.sites),
        "residents": sc.total_residents,
        "teams": len(sc.teams),
        "people": sum(t.people for t in sc.teams),
    }
    rec.step("solve")
    params = SolveParams(time_limit=time_limit, seed=seed)
    clock = time.perf_counter()
    result = solve(sc, params)
    solve_s = time.perf_counter() - clock
    rec.step("export")
    clock = time.perf_counter()
    write_plan(result, plans / "planner")
    export_s = time.perf_counter() - clock
    bound = result.lower_bound_minute
    rec.data["planner"] = {
        "load_seconds": round(load_s, 3),
        "solve_seconds": round(solve_s, 3),
        "export_seconds": round(export_s, 3),
        "wall_seconds": round(load_s + solve_s + export_s, 3),
        "solve_steps": result.timings,
        "peak_rss_mib": memory.take(),
        "bound_minute": bound,
        "bound_at": None if bound is None else sc.at(bound).strftime("%H:%M"),
        "bound_continuous": result.bounds.done_minute,
        "model": result.solver.model,
        "crews": result.solver.crews,
        "reproducible": result.solver.reproducible,
        **_figures(result, bound),
    }
    rec.save()
    rec.step("check")
    rec.data["planner"]["check"] = _check(sc, plans / "planner")
    rec.data["planner"]["check_rss_mib"] = memory.take()
    rec.save()
    if tier in REPLAN_TARGETS:
        rec.step("replan")
        rec.data["replan"] = measure_replan(sc, plans, REPLAN_TIME_LIMITS[tier], seed, memory)
        rec.save()
    if not baselines:
        rec.step("done")
        return

    rec.step("rule_of_thumb")
    clock = time.perf_counter()
    rule = bl.rule_of_thumb(sc, result.bounds, params)
    seconds = time.perf_counter() - clock
    rec.data["rule_of_thumb"] = _baseline(rule, seconds, bound, sc, plans / "rule_of_thumb")
    rec.save()
    rec.step("naive_cpsat")
    clock = time.perf_counter()
    naive = bl.naive_cpsat(sc, result.bounds, params, max_variables=naive_cap)
    seconds = time.perf_counter() - clock
    rec.data["naive_cpsat"] = _baseline(naive, seconds, bound, sc, plans / "naive_cpsat")
    rec.data["baselines_rss_mib"] = memory.take()
    rec.save()
    rec.step("done")


def measure_replan(
    sc: Any, plans: Path, time_limit: float, seed: int, memory: _TreeMemory
) -> dict[str, Any]:
    """The planner's plan replanned at REPLAN_AT with its largest open community sealed:
    read, replan and write timed together (as ``sampler replan`` does them), then checked."""
    from sampler import SolveParams, replan
    from sampler.changes import changes_from_data
    from sampler.replan import write_replan

    site = max((s for s in sc.sites if not s.sealed), key=lambda s: (s.residents, s.id))
    data = {"at": REPLAN_AT, "changes": [{"seal": {"site": site.id}}]}
    changes = changes_from_data(data, "<benchmark>")
    memory.take()
    clock = time.perf_counter()
    day = replan(plans / "planner", changes, SolveParams(time_limit=time_limit, seed=seed))
    write_replan(day, plans / "replan")
    seconds = time.perf_counter() - clock
    doc = day.document()
    plan = day.result.plan
    return {
        "change": f"seal {site.id} at {REPLAN_AT}",
        "time_limit": time_limit,
        "wall_seconds": round(seconds, 3),
        "peak_rss_mib": memory.take(),
        "pairs": sum(t.pairs for t in day.result.scenario.teams),
        "pairs_moved": doc["pairs_moved"],
        "people_changed": doc["people_changed"],
        "replanned_pairs": doc["replan"]["replanned_pairs"],
        "reach_minutes": doc["replan"]["reach_minutes"],
        "rings_tried": doc["replan"]["rings_tried"],
        "coverage": plan.coverage,
        "done_at": None if plan.done_minute is None else f"{sc.at(plan.done_minute):%H:%M}",
        "check": _check(day.result.scenario, plans / "replan"),
    }


def _baseline(
    outcome: Any, seconds: float, bound: int | None, sc: Any, folder: Path
) -> dict[str, Any]:
    """A baseline's figures; its plan is written to ``folder`` and checked like the planner's."""
    from benchmarks.baselines import Skipped
    from sampler import write_plan

    if isinstance(outcome, Skipped):
        return {"skipped": outcome.reason, "seconds": round(seconds, 3), "size": outcome.size}
    write_plan(outcome, folder)
    return {
        "seconds": round(seconds, 3),
        "steps": outcome.timings,
        "size": outcome.solver.model,
        **_figures(outcome, bound),
        "check": _check(sc, folder),
    }


# -- the parent: scenarios, processes, report ---------------------------------------------------


def scenario_for(tier: str, seed: int, data: Path) -> tuple[Path, float]:
    """The tier's scenario file (generated afresh for every tier but lingqiu)."""
    if tier == "lingqiu":
        return LINGQIU, 0.0
    from benchmarks.generate import generate_file

    path = data / f"{tier}-seed{seed}.yaml"
    clock = time.perf_counter()
    generate_file(tier, seed, path)
    return path, round(time.perf_counter() - clock, 3)


def run_tier(
    tier: str, seed: int, time_limit: float, timeout: float, data: Path, args: argparse.Namespace
) -> dict[str, Any]:
    """One tier in a fresh process; its figures, or how far it got before the timeout."""
    path, generate_s = scenario_for(tier, seed, data)
    load_average = round(os.getloadavg()[0], 2)
    stem = f"{tier}-seed{seed}"
    out = data / f"{stem}.json"
    progress, stack, log = (out.with_suffix(s) for s in (".progress", ".stack", ".log"))
    for f in (out, progress, stack):
        f.unlink(missing_ok=True)
    command = [
        sys.executable, "-m", "benchmarks.run", "--child", tier,
        "--scenario", str(path), "--seed", str(seed), "--time-limit", str(time_limit),
        "--out", str(out), "--plans", str(data / "plans" / stem),
        "--naive-cap", str(args.naive_cap), "--stack-after", str(max(1.0, timeout - 3)),
    ]  # fmt: skip
    if args.no_baselines:
        command.append("--no-baselines")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    clock = time.perf_counter()
    timed_out, code = False, None
    raw = out.with_suffix(".pyspy")
    raw.unlink(missing_ok=True)
    with log.open("w", encoding="utf-8") as err:
        child = subprocess.Popen(command, cwd=REPO, env=env, stderr=err)
        spy = _start_py_spy(child.pid, raw, timeout) if args.profile else None
        try:
            code = child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            if spy is not None:  # it stops a moment before the timeout: let it write
                _wait(spy, 15)
            child.kill()
            child.wait()
        if spy is not None:
            _wait(spy, 30)
    record: dict[str, Any] = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    shown = os.path.relpath(path, REPO) if path.is_relative_to(REPO) else str(path)
    record.update(tier=tier, scenario=shown, generate_seconds=generate_s, returncode=code)
    record["load_average"] = load_average
    record["process_seconds"] = round(time.perf_counter() - clock, 1)
    if raw.exists():
        try:
            record["profile"] = profile_summary(raw)
        except (OSError, ValueError) as exc:  # a profile is a help, never a reason to fail
            print(f"{tier}: py-spy output unreadable ({exc})", file=sys.stderr)
    if timed_out or code != 0:
        steps = progress.read_text(encoding="utf-8").split() if progress.exists() else []
        record["stopped"] = {
            "timed_out": timed_out,
            "after_seconds": record["process_seconds"],
            "step": steps[-1] if steps else "start",
            "stack": _sampler_frames(stack) if stack.exists() else [],
            "log_tail": log.read_text(encoding="utf-8")[-2000:],
        }
    return record


def _start_py_spy(pid: int, raw: Path, timeout: float) -> subprocess.Popen[bytes] | None:
    """py-spy sampling the tier's process (native frames too: GLOP, CP-SAT), if installed."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(py_spy).exists():
        print("--profile: py-spy is not installed (pip install py-spy)", file=sys.stderr)
        return None
    command = [
        py_spy, "record", "--pid", str(pid), "--subprocesses", "--format", "raw", "-o", str(raw),
        "--rate", str(PROFILE_RATE), "--nonblocking", "--duration", str(max(1, int(timeout) - 2)),
    ]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait(process: subprocess.Popen[bytes], seconds: float) -> None:
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.terminate()
        process.wait()


# Where a sample's time goes: the first of these (function, module) found in its stack.
PHASES = (
    ("baselines", "_baseline", "run.py"),
    ("baselines", "rule_of_thumb", "baselines.py"),
    ("baselines", "naive_cpsat", "baselines.py"),
    ("check", "check_plan", "__init__.py"),  # sampler/check/__init__.py
    ("load", "load_scenario", "loader.py"),
    ("export", "write_plan", "export.py"),
    ("bound (LP)", "bounds_and_aim", "bound.py"),
    ("crews", "build_crews", "crews.py"),
    ("model build", "CPModel.__post_init__", "cpmodel.py"),
    ("warm start", "best_start", "start.py"),
    ("CP-SAT", "CPModel.solve", "cpmodel.py"),
    ("roster", "build_pair_rows", "roster.py"),
    ("solve: other", "solve", "solve.py"),
)
PROFILE_RATE = 20  # samples a second


def profile_summary(raw: Path, top: int = 20) -> dict[str, Any]:
    """Seconds per phase, and the planner's functions by inclusive share, from py-spy."""
    phases: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    innermost: dict[str, int] = {}
    total = 0
    for stack, n in _raw_stacks(raw):
        frames = [_frame(f) for f in stack.split(";")]
        if ("_TreeMemory.run", "run.py") in frames:
            continue  # the benchmark's own memory sampling, not the planner
        total += n
        phase = next((name for name, fn, module in PHASES if (fn, module) in frames), "other")
        phases[phase] = phases.get(phase, 0) + n
        inner = "{} ({})".format(*frames[-1])
        innermost[inner] = innermost.get(inner, 0) + n
        ours = {(fn, m) for fn, m in frames if m in _planner_modules() and fn != "<module>"}
        for key in {f"{fn} ({module})" for fn, module in ours}:
            inclusive[key] = inclusive.get(key, 0) + n

    def ranked(counts: dict[str, int], scale: float, digits: int) -> dict[str, float]:
        ordered = sorted(counts.items(), key=lambda kv: -kv[1])
        return {k: round(v / scale, digits) for k, v in ordered}

    return {
        "seconds": round(total / PROFILE_RATE, 1),
        "phases": ranked(phases, PROFILE_RATE, 1),
        "functions": dict(list(ranked(inclusive, max(total, 1), 4).items())[:top]),
        "innermost": dict(list(ranked(innermost, max(total, 1), 4).items())[:8]),
    }


def _raw_stacks(raw: Path) -> list[tuple[str, int]]:
    """(stack, samples) from py-spy's raw format; a frame name may hold a line break, so a
    record ends only at a line ending in its count."""
    out: list[tuple[str, int]] = []
    pending = ""
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        pending += line
        stack, _, count = pending.rpartition(" ")
        if stack and count.isdigit():
            out.append((stack, int(count)))
            pending = ""
    return out


@functools.cache
def _planner_modules() -> frozenset[str]:
    """File names of the planner's modules (py-spy shortens paths, so names are all we have)."""
    return frozenset(p.name for p in (REPO / "sampler").rglob("*.py")) - {"__init__.py"}


def _frame(text: str) -> tuple[str, str]:
    """``"solve (sampler/solve.py:178)"`` -> (``"solve"``, ``"solve.py"``)."""
    name, _, where = text.rpartition(" (")
    return name, where.rsplit(":", 1)[0].rsplit("/", 1)[-1]


def _sampler_frames(stack: Path) -> list[str]:
    """The main thread's frames in a faulthandler dump (innermost first): the innermost
    one wherever it is (GLOP, CP-SAT, pandas...), then the project's own."""
    frames: list[str] = []
    for line in stack.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line.startswith("File "):
            if frames:
                break  # one thread is enough: the main one comes first
            continue
        if not frames or "/sampler/" in line or "/benchmarks/" in line:
            frames.append(line)
    return frames[:12]


def _machine() -> dict[str, str]:
    cpu = "unknown"
    memory = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
                break
    except OSError:
        pass
    try:
        from importlib.metadata import version

        ortools_version = version("ortools")
    except Exception:  # pragma: no cover - not installed as a distribution
        ortools_version = "?"
    return {
        "cpu": cpu,
        "nproc": str(len(os.sched_getaffinity(0))),
        "memory": memory,
        "python": platform.python_version(),
        "ortools": ortools_version,
        "os": platform.platform(),
    }


def _version() -> str:
    """The planner's commit, and whether sampler/ had uncommitted changes when measured."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "sampler"],
            cwd=REPO,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "sampler at an unknown commit"
    state = "with uncommitted changes in sampler/" if dirty else "clean"
    return f"sampler at commit {head or '?'} ({state})"


# -- the report ---------------------------------------------------------------------------------


# Steps timed inside another (sampler.solve): a city's split, parts and second tries inside
# its solve, bringing the end forward inside the finish.
INSIDE = {"split": "solve", "parts": "solve", "retries": "solve", "end_forward": "finish"}


def step_text(steps: dict[str, float], seconds=None) -> str:
    """The planner's steps, each followed by those timed inside it in brackets (so that no
    second is read twice): ``bound 2.3, solve 8.0 [split 0.2, parts 3.8], ...``
    (``seconds``: how a number is written, by default as the tables write it)."""
    shown = seconds or _s
    out = []
    for name, value in steps.items():
        if name in INSIDE and INSIDE[name] in steps:
            continue
        inner = [f"{k} {shown(v)}" for k, v in steps.items() if INSIDE.get(k) == name]
        out.append(f"{name} {shown(value)}" + (f" [{', '.join(inner)}]" if inner else ""))
    return ", ".join(out)


def _s(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _pct(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{100 * value:.{digits}f}%"


def _ahead(planner: dict[str, Any], other: dict[str, Any]) -> str:
    """How far ahead the planner is of a baseline, in the field's terms."""
    if "skipped" in other:
        return "baseline has no plan"
    p_done, o_done = planner.get("done_minute"), other.get("done_minute")
    if p_done is not None and o_done is not None:
        diff = o_done - p_done
        if diff == 0:
            return "same done_at"
        return f"planner done {abs(diff)} min {'earlier' if diff > 0 else 'later'}"
    if p_done is not None:
        left = planner["sampled"] - other["sampled"]
        return f"planner finishes; baseline leaves {left:,} residents ({1 - other['coverage']:.2%})"
    if o_done is not None:
        return "baseline finishes, planner does not"
    return f"coverage {planner['coverage']:.2%} vs {other['coverage']:.2%}"


def targets(records: list[dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    """(tier, target, measured, met) rows for the issue's targets."""
    rows: list[tuple[str, str, str, str]] = []
    for r in records:
        tier, p = r["tier"], r.get("planner")
        if p is None:
            rows.append((tier, "a plan at all", f"stopped in {r['stopped']['step']}", _met(False)))
            continue
        rows += _tier_targets(tier, p, TARGETS.get(tier))
        check = p.get("check")
        if check is not None:
            shown = "passes" if check["ok"] else "fails: " + ", ".join(check["broken"])
            rows.append((tier, "plan passes sampler check", shown, _met(check["ok"])))
        rp = r.get("replan")
        if rp is not None:
            limit = REPLAN_TARGETS[tier]
            rows.append((
                tier, f"one-community replan <= {limit:g} s (issue 14)",
                f"{rp['wall_seconds']:.2f} s, {rp['pairs_moved']:,} of {rp['pairs']:,} pairs moved",
                _met(rp["wall_seconds"] <= limit and rp["check"]["ok"]),
            ))  # fmt: skip
        rule = r.get("rule_of_thumb")
        if rule is not None:
            done, other = p["done_minute"], rule.get("done_minute")
            beats = done is not None and (other is None or done < other)
            at_bound = done is not None and done == other == p["bound_minute"]
            verdict = "tie: both at the proven bound" if at_bound else _met(beats)
            rows.append((tier, "beats the rule of thumb on done_at", _ahead(p, rule), verdict))
    by_tier = {r["tier"]: r for r in records}
    district, city = by_tier.get("district", {}), by_tier.get("city", {})
    if district.get("planner") and city.get("planner"):
        growth = city["planner"]["wall_seconds"] / district["planner"]["wall_seconds"]
        sites = city["size"]["sites"] / district["size"]["sites"]
        shown = f"x{growth:.1f} time for x{sites:.1f} sites"
        rows.append(
            ("district to city", "time grows no faster than sites", shown, _met(growth <= sites))
        )
    return rows


def _tier_targets(
    tier: str, p: dict[str, Any], target: Target | None
) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    if target is None:
        return rows
    if target.wall_seconds is not None:
        wall = p["wall_seconds"]
        limit = f"wall time load to files <= {target.wall_seconds:g} s"
        rows.append((tier, limit, f"{wall:.2f} s", _met(wall <= target.wall_seconds)))
    if target.gap is not None:
        g = p["gap"]
        what = "gap 0 (proven optimal)" if target.gap == 0 else f"gap <= {target.gap:.0%}"
        shown = f"{p['status']}, no gap" if g is None else f"{g:.2%} ({p['status']})"
        rows.append((tier, what, shown, _met(g is not None and g <= target.gap + 1e-12)))
    if target.memory_mib is not None:
        rss = p["peak_rss_mib"]
        limit = f"peak memory <= {target.memory_mib / 1024:g} GiB"
        rows.append((tier, limit, f"{rss:,.0f} MiB", _met(rss <= target.memory_mib)))
    return rows


def _met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def run_facts(command: str, seed: int) -> dict[str, Any]:
    """What RESULTS.md says about the run itself, taken when it starts."""
    return {
        "command": command,
        "seed": seed,
        "date": f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        "version": _version(),
        "machine": _machine(),
    }


def report(records: list[dict[str, Any]], facts: dict[str, Any]) -> str:
    """RESULTS.md: machine, command, figures per tier, baselines, targets."""
    m = facts["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"Written by `{facts['command']}` on {facts['date']}, seed {facts['seed']}; "
        f"{facts['version']}.",
        "",
        f"Machine: {m['cpu']}, {m['nproc']} CPUs (`nproc`), {m['memory']} memory; "
        f"Python {m['python']}, OR-Tools {m['ortools']}; {m['os']}.",
        "",
        FAMILIES_LINK,
        "",
        "Load average (1 minute) when each tier started: "
        + ", ".join(f"{r['tier']} {r.get('load_average', '?')}" for r in records)
        + f" (on {m['nproc']} CPUs; above about 1, other work shared the machine and the "
        "times are longer than on an idle one).",
        "",
        "Wall time is load + solve + export, measured separately in a fresh process per tier "
        "(interpreter start and imports not included; they are listed). Peak memory is the "
        "RSS of the process and any worker processes it starts, together (sampled from "
        "/proc every 0.5 s, and at least the process's own `ru_maxrss`), up to the plan files. "
        "The gap is (done_at - start) / (bound - start) - 1 over the planner's lower bound on "
        "the slot grid (`lower_bound_done_at`); the baselines are measured against the same "
        "bound.",
        "",
        "## Scenarios",
        "",
        "| tier | file | sites | residents | teams | people | generated in |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in records:
        size = r.get("size", {})
        file = r["scenario"]
        lines.append(
            f"| {r['tier']} | `{file}` | {size.get('sites', 0):,} | {size.get('residents', 0):,} "
            f"| {size.get('teams', 0):,} | {size.get('people', 0):,} | "
            f"{'shipped' if r['tier'] == 'lingqiu' else _s(r['generate_seconds']) + ' s'} |"
        )
    lines += [
        "",
        "## Planner",
        "",
        "| tier | time limit | import | load | solve (the planner's own steps) | export "
        "| **load to files** | check | peak RSS | status | coverage | done_at | bound | gap |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for r in records:
        p = r.get("planner")
        if p is None:
            st = r.get("stopped", {})
            lines.append(
                f"| {r['tier']} | {_s(r.get('time_limit'), 0)} s | | | stopped after "
                f"{st.get('after_seconds', '?')} s in `{st.get('step', '?')}` | | | | | | | | | |"
            )
            continue
        parts = step_text(p["solve_steps"])
        check = p.get("check")
        check_s = (
            "-" if check is None else f"{_s(check['seconds'])} s {'ok' if check['ok'] else 'FAILS'}"
        )
        lines.append(
            f"| {r['tier']} | {r['time_limit']:g} s | {_s(r.get('import_seconds'))} s "
            f"| {_s(p['load_seconds'])} s | {_s(p['solve_seconds'])} s ({parts}) "
            f"| {_s(p['export_seconds'])} s | **{_s(p['wall_seconds'])} s** | {check_s} "
            f"| {p['peak_rss_mib']:,.0f} MiB | {p['status']} | {_pct(p['coverage'], 2)} "
            f"| {p['done_at'] or '-'} | {p['bound_at'] or '-'} | {_pct(p['gap'])} |"
        )
    replans = [r for r in records if r.get("replan")]
    if replans:
        lines += [
            "",
            "## Replan (issue 14)",
            "",
            "The planner's plan replanned at 12:00 with its largest open community sealed: "
            "read, replan and write, in the tier's process (`sampler.replan`).",
            "",
            "| tier | change | time limit | **wall** | peak RSS (the process so far, its plan "
            "included) | pairs moved | ring kept | reach | rings tried | coverage "
            "| done_at (plan's) | check |",
            "|---|---|---:|---:|---:|---:|---|---:|---:|---:|---|---|",
        ]
        for r in replans:
            rp, p = r["replan"], r["planner"]
            lines.append(
                f"| {r['tier']} | {rp['change']} | {rp['time_limit']:g} s "
                f"| **{_s(rp['wall_seconds'])} s** | {rp['peak_rss_mib']:,.0f} MiB "
                f"| {rp['pairs_moved']:,} of {rp['pairs']:,} | {rp['replanned_pairs']} "
                f"| {rp['reach_minutes']} min | {rp['rings_tried']} | {_pct(rp['coverage'], 2)} "
                f"| {rp['done_at'] or '-'} ({p['done_at'] or '-'}) "
                f"| {'ok' if rp['check']['ok'] else 'FAILS'} |"
            )
    lines += [
        "",
        "## Baselines",
        "",
        "Same scenario object, same lower bound. The rule of thumb: nearest community with "
        "residents left, fixed suit pattern (see `benchmarks/baselines.py`). The naive CP-SAT "
        "model: one boolean per pair, site, slot and mode, the planner's time limit in wall "
        "seconds, no warm start; not built above the variable cap.",
        "",
        "| tier | method | time | status | coverage | done_at | gap | check | planner ahead by |",
        "|---|---|---:|---|---:|---:|---:|---|---|",
    ]
    for r in records:
        p = r.get("planner")
        for key, label in (("rule_of_thumb", "rule of thumb"), ("naive_cpsat", "naive CP-SAT")):
            b = r.get(key)
            if b is None:
                continue
            if "skipped" in b:
                lines.append(
                    f"| {r['tier']} | {label} | {_s(b['seconds'])} s | {b['skipped']} | | | | | |"
                )
                continue
            check = b["check"]
            lines.append(
                f"| {r['tier']} | {label} | {_s(b['seconds'])} s | {b['status']} "
                f"| {_pct(b['coverage'], 2)} | {b['done_at'] or '-'} | {_pct(b['gap'])} "
                f"| {'ok' if check['ok'] else 'FAILS: ' + ', '.join(check['broken'])} "
                f"| {_ahead(p, b) if p else '-'} |"
            )
    lines += [
        "",
        "## Targets (issue 3)",
        "",
        "| tier | target | measured | met |",
        "|---|---|---|---|",
    ]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in targets(records)]
    profiled = [r for r in records if "profile" in r]
    if profiled:
        lines += [
            "",
            "## Where the time went (py-spy, `--profile`)",
            "",
            "Sampled seconds by step (planner, check and baselines; summed over the tier's "
            "process, its threads and any worker processes, so not wall time), then the "
            "planner's functions by share of all samples (inclusive), and the innermost frames "
            "(where the CPU actually was).",
            "",
        ]
        for r in profiled:
            prof = r["profile"]
            steps = ", ".join(f"{k} {v:g} s" for k, v in prof["phases"].items())
            funcs = ", ".join(f"`{k}` {v:.0%}" for k, v in prof["functions"].items() if v >= 0.02)
            inner = ", ".join(f"`{k}` {v:.0%}" for k, v in prof["innermost"].items() if v >= 0.02)
            lines += [
                f"- **{r['tier']}** ({prof['seconds']:g} s sampled): {steps}.",
                f"  Functions: {funcs}.",
                f"  Innermost: {inner}.",
            ]
    stopped = [r for r in records if "stopped" in r]
    if stopped:
        lines += ["", "## Stopped tiers", ""]
        for r in stopped:
            st = r["stopped"]
            why = "timed out" if st["timed_out"] else f"exit status {r['returncode']}"
            lines.append(
                f"- **{r['tier']}**: {why} after {st['after_seconds']} s in step `{st['step']}`."
            )
            if st["stack"]:
                lines.append("  Stack at the time (innermost first):")
                lines += [f"  - `{frame}`" for frame in st["stack"]]
    lines.append("")
    return "\n".join(lines)


def print_table(records: list[dict[str, Any]]) -> None:
    """A short table on the terminal."""
    columns = (
        "tier      method           wall s  RSS MiB status     coverage done_at  bound     gap"
    )
    print(columns + "  check")
    print("-" * (len(columns) + 7))
    for r in records:
        p = r.get("planner")
        if p is None:
            st = r.get("stopped", {})
            print(f"{r['tier']:9} planner        stopped after {st.get('after_seconds')} s", end="")
            print(f" in {st.get('step')}")
            continue
        rows = [("planner", p["wall_seconds"], p["peak_rss_mib"], p)]
        rows += [(key, r[key]["seconds"], None, r[key]) for key in BASELINES if key in r]
        for name, wall, rss, f in rows:
            lead = f"{r['tier']:9} {name:14} {wall:8.2f} {'' if rss is None else f'{rss:.0f}':>8}"
            if "skipped" in f:
                print(f"{lead} {f['skipped']}")
                continue
            check = f.get("check")
            ok = "-" if check is None else "ok" if check["ok"] else "FAILS"
            print(
                f"{lead} {f['status']:9} {f['coverage']:9.2%} {f['done_at'] or '-':>7} "
                f"{p['bound_at'] or '-':>6} {_pct(f['gap']):>7}  {ok}"
            )


# -- command line -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks [--tiers ...] [--seed N] [--time-limit S] [--timeout S]``."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--tiers", default=",".join(TIERS), help="comma-separated, from: " + ", ".join(TIERS)
    )
    parser.add_argument("--seed", type=int, default=1, help="generator and solver seed")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help="planner time limit for every tier (default per tier: "
        + ", ".join(f"{k} {v:g}" for k, v in TIME_LIMITS.items())
        + ")",
    )
    parser.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT, help="stop a tier after this many seconds"
    )
    parser.add_argument(
        "--naive-cap",
        type=int,
        default=1_500_000,
        help="largest naive CP-SAT model built (booleans)",
    )
    parser.add_argument("--no-baselines", action="store_true", help="planner only")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="sample each tier with py-spy (if installed) and report where the time went",
    )
    parser.add_argument("--data", type=Path, default=DATA, help="where scenarios and plans go")
    parser.add_argument("--results", type=Path, default=RESULTS, help="the report to write")
    parser.add_argument(
        "--report-from",
        type=Path,
        default=None,
        help="write the report again from a run's data/results-seed<N>.json, running nothing",
    )
    # The tier's own process:
    parser.add_argument("--child", choices=TIERS, help=argparse.SUPPRESS)
    parser.add_argument("--scenario", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--plans", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--stack-after", type=float, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)  # fmt: skip

    if args.child:
        if args.stack_after:
            stack = args.out.with_suffix(".stack").open("w", encoding="utf-8")
            faulthandler.dump_traceback_later(args.stack_after, file=stack)
        measure_tier(
            args.child, args.scenario, args.time_limit, args.seed, args.out, args.plans,
            args.naive_cap, baselines=not args.no_baselines,
        )  # fmt: skip
        return 0

    if args.report_from:
        saved = json.loads(args.report_from.read_text(encoding="utf-8"))
        return _finish(saved["records"], saved["facts"], args.results)
    tiers = [t.strip() for t in args.tiers.split(",") if t.strip()]
    unknown = sorted(set(tiers) - set(TIERS))
    if unknown:
        parser.error(f"unknown tier(s): {', '.join(unknown)}")
    args.data.mkdir(parents=True, exist_ok=True)
    command = "python -m benchmarks " + " ".join(argv if argv is not None else sys.argv[1:])
    facts = run_facts(command.strip(), args.seed)
    records = []
    for tier in tiers:
        limit = args.time_limit if args.time_limit is not None else TIME_LIMITS[tier]
        print(
            f"-- {tier}: time limit {limit:g} s, timeout {args.timeout:g} s",
            file=sys.stderr,
            flush=True,
        )
        record = run_tier(tier, args.seed, limit, args.timeout, args.data, args)
        record.setdefault("time_limit", limit)
        records.append(record)
    saved = {"facts": facts, "records": records}
    (args.data / f"results-seed{args.seed}.json").write_text(
        json.dumps(saved, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return _finish(records, facts, args.results)


def _finish(records: list[dict[str, Any]], facts: dict[str, Any], results: Path) -> int:
    """Print the table, write RESULTS.md; 0 when every tier's plan passed the checker."""
    print_table(records)
    results.write_text(report(records, facts), encoding="utf-8")
    print(f"written {os.path.relpath(results, Path.cwd())}", file=sys.stderr)
    ok = all("planner" in r and r["planner"].get("check", {}).get("ok") for r in records)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
