"""Output folders (issue 13): checked before planning, stale staging folders removed, files
that are not the plan's kept, symlinks kept, and the plan folder whole after a kill.

Run as root, a folder cannot be made unwritable by its mode, so the unwritable cases make
the probe fail as the file system would (EACCES, EROFS); planning is replaced by a function
that fails the test if it is reached.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

import sampler.cli
from sampler.cli import app
from sampler.export import write_plan
from sampler.loader import load_scenario_text
from sampler.solve import SolveParams, solve

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]


def files_in(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def tiny_result(tiny_yaml: str):
    """The tiny scenario planned once for the module."""
    return solve(load_scenario_text(tiny_yaml, "tiny.yaml"), SolveParams(time_limit=1, seed=0))


@pytest.fixture
def scenario(tiny_yaml: str, tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(tiny_yaml, encoding="utf-8")
    return path


def _no_planning(*_args, **_kwargs):
    raise AssertionError("planned before the output folder was checked")


def _probe_fails(code: int):
    real = tempfile.mkdtemp

    def mkdtemp(*args, **kwargs):
        if str(kwargs.get("prefix", "")).startswith(".sampler-probe."):
            raise OSError(code, os.strerror(code))
        return real(*args, **kwargs)

    return mkdtemp


# -- item 1: checked before any planning -----------------------------------------------


@pytest.mark.parametrize("code", [errno.EACCES, errno.EROFS])
def test_unwritable_output_is_refused_before_planning(
    scenario: Path, tmp_path: Path, monkeypatch, code: int
) -> None:
    monkeypatch.setattr(sampler.cli, "solve", _no_planning)
    monkeypatch.setattr(tempfile, "mkdtemp", _probe_fails(code))
    out = tmp_path / "imm" / "plan"
    result = runner.invoke(app, ["plan", str(scenario), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert f"error: {out}: cannot write there" in result.stderr
    assert os.strerror(code) in result.stderr
    assert "internal error" not in result.stderr and ".plan." not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.yaml"]


def test_compare_staff_and_report_check_their_folder_first(
    scenario: Path, tmp_path: Path, monkeypatch, tiny_result
) -> None:
    plan_dir = tmp_path / "made"
    write_plan(tiny_result, plan_dir)
    before = files_in(plan_dir)
    monkeypatch.setattr(tempfile, "mkdtemp", _probe_fails(errno.EROFS))
    out = tmp_path / "ro"
    commands = {
        "compare": ["compare", str(scenario), "--set", "teams.alpha.people=2,4", "-o", str(out)],
        "staff": ["staff", str(scenario), "--deadline", "12:00", "--team", "alpha", "-o", str(out)],
        "report": ["report", str(plan_dir)],
    }
    for name, args in commands.items():
        result = runner.invoke(app, args)
        shown = plan_dir if name == "report" else out
        assert result.exit_code == 2, (name, result.output)
        assert f"error: {shown}: cannot write there" in result.stderr, name
        assert "Read-only file system" in result.stderr, name
    assert files_in(plan_dir) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["made", "tiny.yaml"]


def test_a_mount_point_or_a_file_on_the_way_is_refused_before_planning(
    scenario: Path, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(sampler.cli, "solve", _no_planning)
    stick = tmp_path / "stick"
    stick.mkdir()
    monkeypatch.setattr(os.path, "ismount", lambda p: Path(p) == stick)
    result = runner.invoke(app, ["plan", str(scenario), "-o", str(stick)])
    assert result.exit_code == 2
    assert f"error: {stick}: is a mount point" in result.stderr
    assert f"{stick / 'plan'}" in result.stderr  # what to use instead
    (tmp_path / "a.txt").write_text("mine")
    result = runner.invoke(app, ["plan", str(scenario), "-o", str(tmp_path / "a.txt" / "plan")])
    assert result.exit_code == 2
    assert f"{tmp_path / 'a.txt'} is a file, not a folder" in result.stderr
    assert list(stick.iterdir()) == [] and (tmp_path / "a.txt").read_text() == "mine"


# -- item 3: stale staging folders -------------------------------------------------------


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_staging_folders_of_dead_runs_are_removed(tiny_result, tmp_path: Path) -> None:
    dead, alive = _dead_pid(), os.getpid()
    stale = [f".out.{dead}.abcd_123", f".out.old.{dead}.zz9zz9zz"]
    kept = [f".out.{alive}.abcd_123", f".other.{dead}.abcd_123", ".out.abcd_123", f".out.{dead}.x"]
    for name in stale + kept:
        (tmp_path / name / "rosters").mkdir(parents=True)
        (tmp_path / name / "roster.csv").write_text("half\n")
    write_plan(tiny_result, tmp_path / "out")
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(["out", *kept])


KILLED_WRITE = textwrap.dedent(
    """
    import os, signal, sys
    from sampler.export import write_plan
    from sampler.loader import load_scenario
    from sampler.solve import SolveParams, solve

    result = solve(load_scenario(sys.argv[1]), SolveParams(time_limit=1, seed=1))

    def kill_midway(step):
        if step.what == "writing roster.xlsx":  # plan files and report.html are staged
            os.kill(os.getpid(), signal.SIGKILL)

    write_plan(result, sys.argv[2], reports=True, on_step=kill_midway)
    """
)


def test_a_write_killed_midway_leaves_the_old_plan_whole_and_its_staging_goes_next_run(
    scenario: Path, tmp_path: Path, tiny_result
) -> None:
    out = tmp_path / "out"
    write_plan(tiny_result, out)
    before = files_in(out)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_WRITE, str(scenario), str(out)], env=env, timeout=120
    )
    assert killed.returncode == -signal.SIGKILL
    assert files_in(out) == before
    staging = [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]
    assert len(staging) == 1 and (staging[0] / "report.html").exists()
    write_plan(tiny_result, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "tiny.yaml"]


# -- item 4: only the plan's files, symlinks kept ----------------------------------------


def test_foreign_files_refuse_unless_forced_and_are_then_kept(tiny_result, tmp_path) -> None:
    from sampler.output import OutputError

    out = tmp_path / "out"
    write_plan(tiny_result, out)
    (out / "notes.txt").write_text("call the street office at 6\n")
    (out / "photos").mkdir()
    (out / "photos" / "a.jpg").write_bytes(b"\xff\xd8")
    inode = (out / "notes.txt").stat().st_ino
    with pytest.raises(OutputError, match=r"not a plan's \(notes.txt, photos\)"):
        write_plan(tiny_result, out)
    (out / ".report.k1_x9zqa.html").write_text("<html")  # left by a killed `sampler report`
    write_plan(tiny_result, out, force=True)
    assert (out / "notes.txt").stat().st_ino == inode  # the same file, not a copy
    assert not (out / ".report.k1_x9zqa.html").exists()  # ours: replaced, not kept
    assert (out / "photos" / "a.jpg").read_bytes() == b"\xff\xd8"
    assert (out / "plan.json").exists()


def test_an_old_report_is_made_again_not_dropped(scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["plan", str(scenario), "-o", str(out), "--time-limit", "1"]
    assert runner.invoke(app, [*args, "--report"]).exit_code == 0
    (out / "report.html").write_text("old")
    (out / ".roster.ab_12cd3.xlsx").write_text("half")  # a killed `sampler report`: no refusal
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "<html" in (out / "report.html").read_text(encoding="utf-8")
    assert (out / "roster.xlsx").exists() and not (out / ".roster.ab_12cd3.xlsx").exists()


def test_a_symlinked_output_keeps_pointing_where_it_did(tiny_result, tmp_path: Path) -> None:
    (tmp_path / "plans").mkdir()
    latest = tmp_path / "latest"
    latest.symlink_to(Path("plans") / "day1")  # dangling at first
    for _ in range(2):  # made, then replaced
        assert write_plan(tiny_result, latest) == latest
        assert latest.is_symlink() and os.readlink(latest) == str(Path("plans") / "day1")
        assert (tmp_path / "plans" / "day1" / "plan.json").exists()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["latest", "plans"]
        assert [p.name for p in (tmp_path / "plans").iterdir()] == ["day1"]
