"""Reading a plan folder back for people: the report and the roster workbook.

Only the files of the folder are used (plan.json, sites.csv, assignments.csv, roster.csv,
rosters/<team>.csv and, when present, the scenario as planned, scenario.yaml), so a report
can be made for any plan folder, also one copied elsewhere, without the solver.

Text cells come back as written before export: the leading ``'`` that keeps a spreadsheet
from evaluating ``=``, ``+``, ``-`` or ``@`` is taken off again. Times become minutes from
the horizon start, which is what charts need.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sampler.loader import ScenarioError, load_scenario, scenario_from_data
from sampler.scenario import Scenario

try:  # libyaml: a city's scenario.yaml (thousands of sites) in a fraction of a second
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

TIME_FORMAT = "%Y-%m-%d %H:%M"
FORMULA_START = ("=", "+", "-", "@")


class PlanFolderError(Exception):
    """The folder is not a readable plan folder (a file is missing or malformed)."""


def unquote(series: pd.Series) -> pd.Series:
    """Text as it was before export: a ``'`` written before ``=``, ``+``, ``-``, ``@`` goes."""
    text = series.astype(str)
    quoted = text.str.startswith("'")
    if not quoted.any():  # the common case, and a fast one
        return text
    quoted &= text.str[1:2].isin(FORMULA_START)
    return text.where(~quoted, text.str[1:])


def read_scenario(path: Path) -> Scenario:
    """The scenario as planned. export wrote it, so it is read with the fast C parser; should
    it not validate, the loader reads it again to name file, line and key."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=_Loader)
        return scenario_from_data(data, str(path))
    except (yaml.YAMLError, ScenarioError, UnicodeDecodeError):
        return load_scenario(path)


def read_table(path: Path) -> pd.DataFrame:
    """A plan CSV as text columns (UTF-8 with BOM), formula guards taken off."""
    try:
        frame = pd.read_csv(
            path, dtype=str, keep_default_na=False, encoding="utf-8-sig", na_filter=False
        )
    except FileNotFoundError:
        raise PlanFolderError(f"{path}: missing") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise PlanFolderError(f"{path}: not a plan CSV ({exc})") from None
    for column in frame.columns:
        frame[column] = unquote(frame[column])
    return frame


def parse_time(text: str | None) -> datetime | None:
    """``YYYY-MM-DD HH:MM`` (the plan files' format); empty or None gives None."""
    return datetime.strptime(text, TIME_FORMAT) if text else None


@dataclass(frozen=True)
class PlanFolder:
    """The files of one plan folder, read once."""

    path: Path
    plan: dict[str, Any]
    sites: pd.DataFrame
    assignments: pd.DataFrame
    roster: pd.DataFrame
    scenario: Scenario | None
    start: datetime
    end: datetime
    notes: list[str] = field(default_factory=list)

    @property
    def horizon_minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    def minutes(self, column: pd.Series) -> pd.Series:
        """Times of a plan CSV column as whole minutes from the horizon start."""
        stamps = pd.to_datetime(column, format=TIME_FORMAT)
        return ((stamps - pd.Timestamp(self.start)) // pd.Timedelta(minutes=1)).astype("int64")

    def minute(self, text: str | None) -> int | None:
        """One time of the plan files as minutes from the horizon start."""
        at = parse_time(text)
        return None if at is None else int((at - self.start).total_seconds() // 60)

    def team_roster_files(self) -> dict[str, Path]:
        """rosters/<team>.csv by team id, in plan.json's team order, then by name."""
        folder = self.path / "rosters"
        files = {p.stem: p for p in sorted(folder.glob("*.csv"))} if folder.is_dir() else {}
        order = [t["team"] for t in self.plan.get("teams", []) if t.get("team") in files]
        return {team: files[team] for team in [*order, *(t for t in files if t not in order)]}


def read_plan_folder(plan_dir: str | Path, *, roster: bool = True) -> PlanFolder:
    """Read a plan folder written by ``sampler plan`` (roster.csv only if ``roster``)."""
    path = Path(plan_dir)
    if not path.is_dir():
        raise PlanFolderError(f"{path}: no such plan folder")
    try:
        plan = json.loads((path / "plan.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PlanFolderError(f"{path / 'plan.json'}: missing") from None
    except json.JSONDecodeError as exc:
        raise PlanFolderError(f"{path / 'plan.json'}: not JSON ({exc})") from None
    notes: list[str] = []
    scenario = None
    if (path / "scenario.yaml").is_file():
        scenario = read_scenario(path / "scenario.yaml")
    else:
        notes.append("scenario.yaml is not in the plan folder: no map, no team bases")
    start = parse_time(plan.get("start")) or (scenario.start if scenario else None)
    end = parse_time(plan.get("end")) or (scenario.end if scenario else None)
    if start is None or end is None:
        raise PlanFolderError(f"{path / 'plan.json'}: no start and end of the horizon")
    empty = pd.DataFrame(columns=["team", "person", "pair", "role", "activity", "site"])
    return PlanFolder(
        path=path,
        plan=plan,
        sites=read_table(path / "sites.csv"),
        assignments=read_table(path / "assignments.csv"),
        roster=read_table(path / "roster.csv") if roster else empty,
        scenario=scenario,
        start=start,
        end=end,
        notes=notes,
    )


def replace_atomically(target: Path, suffix: str, write: Callable[[Path], object]) -> Path:
    """Write a file beside ``target`` with ``write`` and move it into place, so a failure
    never leaves half a file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=suffix, dir=target.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
