"""The independent plan checker: does a plan directory satisfy CONTRACT.md?

The checker reads the plan files and the scenario and re-derives every rule and every total
itself. It shares no code with the planner model (only the validated scenario is common), so
a bug in the model cannot hide behind the same bug in the checker.

Broken rules are grouped: one :class:`Violation` per rule id, with the number of cases and
up to five concrete examples, so a badly broken plan still gives a readable report.
Times are handled as whole minutes from the horizon start, as in :mod:`sampler.scenario`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sampler.scenario import ID_PATTERN, Scenario, Site

ROSTER_COLUMNS = ("team", "person", "pair", "role", "activity", "site", "start", "end")
ASSIGNMENT_COLUMNS = ("team", "pair", "site", "activity", "start", "end", "samples")
SITES_COLUMNS = (
    "site",
    "name",
    "district",
    "residents",
    "home_visits",
    "walk_in_sampled",
    "door_to_door_sampled",
    "coverage",
    "done_at",
)
# (and "the solver's statistics", under a key the contract does not name: "solver" here,
# checked when present)
PLAN_KEYS = ("coverage", "done_at", "lower_bound_done_at", "status")

WORK = ("walk_in", "door_to_door")
SUITED = (*WORK, "travel")  # activities done in a protective suit
ACTIVITIES = (*SUITED, "break")
ROLES = ("swab", "record")
STATUSES = ("optimal", "feasible", "partial")

# The contract does not fix the Earth radius: travel is measured with the smallest in use
# (WGS84 polar), so that a plan made under any convention passes, with no further slack
# (slack per trip would let a chain of short trips go unpaid altogether).
EARTH_RADIUS_KM = 6356.752
ROAD_FACTOR = 1.3
SAMPLE_TOLERANCE = 1e-6
COVERAGE_TOLERANCE = 1e-6
MAX_EXAMPLES = 5
TIME_FORMAT = "%Y-%m-%d %H:%M"

BOM = b"\xef\xbb\xbf"
FORMULA_START = ("=", "+", "-", "@")
_TRIGGERS = frozenset((*FORMULA_START, "'"))
_TRIGGER_AT_LINE_START = re.compile(r"(?m)^[=+\-@']")
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_TIME = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"
_COUNT = r"\d+"
_ID = re.compile(ID_PATTERN)
_FAR_PAST = -(10**9)


@dataclass(frozen=True)
class _Table:
    """A CSV file read as text."""

    cells: dict[str, Sequence[str]]  # contract column -> its cells, ' stripped
    lines: list[int]  # each row's line number in the file
    physical: list[str]  # the file's lines, when no cell spans lines (else empty)


# Rule id -> the rule of CONTRACT.md it checks, in report order.
RULES: dict[str, str] = {
    "files": "Every plan file is present (roster.csv, rosters/<team>.csv, assignments.csv, "
    "sites.csv, plan.json)",
    "format": "Plan files are UTF-8 CSV with a byte-order mark, the contract's columns first "
    "and in order, times as YYYY-MM-DD HH:MM, valid values, and every text cell that starts "
    "with =, +, - or @ written with a leading '",
    "team_rosters": "rosters/<team>.csv holds exactly the roster.csv rows of that team, one "
    "file per team with rows",
    "order": "roster.csv is ordered by team, person, start",
    "unknown_reference": "Every team and site named is in the scenario, and every pair in "
    "assignments.csv is a pair of that team in roster.csv",
    "team_size": "A team schedules at most its own people (pairs <= people // 2)",
    "pair_members": "A person id belongs to one team, pair and role, and each pair is two "
    "people of one team, one swab and one record",
    "interval": "Every interval starts before it ends",
    "overlap": "Rule 1: nobody is in two places at once (a person's intervals never overlap)",
    "horizon": "Rule 1: every interval lies inside the planning horizon",
    "availability": "Rule 1: every interval lies inside the team's availability",
    "open_window": "Rule 1: a site is worked only inside its open window",
    "pair_together": "Rule 2: a pair's two people work together (identical walk_in, "
    "door_to_door and travel rows)",
    "door_to_door_team": "Rule 2: only teams with door_to_door: true do home visits",
    "sealed_walk_in": "Rule 2: a sealed site gets no walk-in",
    "suit_stretch": "Rule 3: a stretch of work and travel with no pause of at least "
    "min_break_minutes lasts at most max_suit_minutes",
    "work_cap": "Rule 3: each person's work plus travel stays within max_work_minutes",
    "travel": "Rule 4: moving between two places takes at least the travel time the scenario "
    "implies, shown as travel rows; the first trip starts from the team's position",
    "stations": "Rule 5: at most `stations` pairs do walk-in at a site at once",
    "assignment_outside_roster": "An assignments.csv row lies inside its pair's roster rows "
    "for that site and activity",
    "assignment_overlap": "A pair's assignments.csv intervals never overlap",
    "rate": "Rule 6: samples in an interval never exceed the pair's rate times its length",
    "site_demand": "Rule 6: a site gets at most residents - home_visits walk-in samples and "
    "at most home_visits home samples",
    "site_table": "sites.csv has one row per scenario site, with the scenario's name, "
    "district, residents and home_visits (= residents when sealed)",
    "totals": "sites.csv walk_in_sampled, door_to_door_sampled, coverage and done_at match "
    "assignments.csv",
    "plan_json": "plan.json coverage, done_at, lower_bound_done_at and status agree with the plan",
}


@dataclass(frozen=True)
class Violation:
    """One broken rule: its id, a sentence naming the rule and the count, a few examples."""

    rule: str
    message: str
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckReport:
    """Everything the checker found in one plan directory."""

    violations: tuple[Violation, ...]
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the plan satisfies every rule."""
        return not self.violations

    @property
    def rules(self) -> set[str]:
        """Ids of the broken rules."""
        return {v.rule for v in self.violations}

    def summary(self) -> str:
        """Human-readable report: each broken rule with its examples, or a one-line OK."""
        s = self.stats
        facts = (
            f"{s.get('roster_rows', 0)} roster rows, {s.get('people', 0)} people, "
            f"{s.get('pairs', 0)} pairs, {s.get('assignment_rows', 0)} assignments, "
            f"{s.get('samples', 0)} of {s.get('residents', 0)} residents sampled"
        )
        if self.ok:
            return f"plan is valid: {facts}"
        lines = [f"plan is NOT valid: {len(self.violations)} rule(s) broken ({facts})"]
        for v in self.violations:
            lines.append(f"[{v.rule}] {v.message}")
            lines.extend(f"    {example}" for example in v.examples)
        return "\n".join(lines)


def travel_minutes(lat1: Any, lon1: Any, lat2: Any, lon2: Any, speed_kmh: Any) -> np.ndarray:
    """Travel minutes the scenario implies: great-circle km x 1.3 / speed x 60, rounded up.

    Great-circle distance by the haversine formula with the polar Earth radius (the
    smallest in use); vectorised over numpy arrays.
    """
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dphi = phi2 - phi1
    dlam = np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlam / 2) ** 2
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    # The small epsilon keeps an exact whole number of minutes from rounding up once more.
    return np.ceil(km * ROAD_FACTOR / np.asarray(speed_kmh, dtype=float) * 60 - 1e-9)


def check_plan(scenario: Scenario, plan_dir: str | Path) -> CheckReport:
    """Check the plan directory ``plan_dir`` against ``scenario`` and every rule of the contract."""
    return _PlanCheck(scenario, Path(plan_dir)).run()


class _Findings:
    """Violations grouped by rule id: a count and the first few examples."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.examples: dict[str, list[str]] = {}

    def add(self, rule: str, example: str) -> None:
        self.add_many(rule, [example], 1)

    def add_many(self, rule: str, examples: Iterable[str], count: int) -> None:
        if count <= 0:
            return
        self.counts[rule] += count
        kept = self.examples.setdefault(rule, [])
        for example in examples:
            if len(kept) >= MAX_EXAMPLES:
                break
            kept.append(example)

    def violations(self) -> tuple[Violation, ...]:
        order = {rule: i for i, rule in enumerate(RULES)}
        out = []
        for rule in sorted(self.counts, key=lambda r: order.get(r, len(order))):
            n = self.counts[rule]
            message = f"{RULES.get(rule, rule)}: broken {n} time{'s' if n != 1 else ''}."
            out.append(Violation(rule, message, tuple(self.examples[rule])))
        return tuple(out)


def _empty(columns: Iterable[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in (*columns, "line")})


def _group_ids(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """One integer per distinct combination of ``keys`` (cheaper to sort than strings)."""
    if len(keys) == 1:
        return pd.factorize(frame[keys[0]])[0]
    return frame.groupby(keys, sort=False).ngroup().to_numpy()


def _by_group_then_time(frame: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """``frame`` sorted by group of ``keys``, then start and end; and the sorted group ids."""
    groups = _group_ids(frame, keys)
    order = np.lexsort((frame["end"].to_numpy(), frame["start"].to_numpy(), groups))
    return frame.iloc[order].reset_index(drop=True), groups[order]


def _prev_max_end(groups: np.ndarray, ends: Any) -> np.ndarray:
    """For rows sorted by group and start: the latest end among earlier rows of the group.

    NaN for the first row of each group.
    """
    ends = np.asarray(ends)
    prev = np.full(len(ends), np.nan)
    if len(ends) > 1:
        running = pd.Series(ends).groupby(groups).cummax().to_numpy(float)
        prev[1:] = running[:-1]
        prev[np.flatnonzero(groups[1:] != groups[:-1]) + 1] = np.nan
    return prev


def _merge_touching(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Intervals merged per group of ``keys`` where they overlap or touch (end == next start)."""
    if frame.empty:
        return frame[[*keys, "start", "end"]].reset_index(drop=True)
    f, groups = _by_group_then_time(frame, keys)
    prev = _prev_max_end(groups, f["end"])
    firsts = np.flatnonzero(np.isnan(prev) | (f["start"].to_numpy() > prev))
    out = f.loc[firsts, keys].reset_index(drop=True)
    out["start"] = f["start"].to_numpy()[firsts]
    out["end"] = np.maximum.reduceat(f["end"].to_numpy(), firsts)
    return out


class _PlanCheck:
    """One run of the checker over one plan directory."""

    def __init__(self, scenario: Scenario, plan_dir: Path) -> None:
        self.sc = scenario
        self.dir = plan_dir
        self.found = _Findings()
        self.teams = scenario.team_by_id
        self.sites = scenario.site_by_id
        self.team_rules = {t.id: scenario.rules(t) for t in scenario.teams}
        one_day = scenario.start.date() == scenario.at(scenario.horizon_minutes).date()
        self._clock_format = "%H:%M" if one_day else "%m-%d %H:%M"
        self.pair_size: dict[str, int] = {}
        self.stats: dict[str, Any] = {}

    # -- driver -----------------------------------------------------------------------

    def run(self) -> CheckReport:
        roster_table = self.read_table("roster.csv", ROSTER_COLUMNS, ("start", "end"))
        roster_text = self.frame(roster_table, ROSTER_COLUMNS)
        assign_text = self.frame(
            self.read_table("assignments.csv", ASSIGNMENT_COLUMNS, ("start", "end", "samples")),
            ASSIGNMENT_COLUMNS,
        )
        sites_table = self.read_table("sites.csv", SITES_COLUMNS, SITES_COLUMNS[3:])

        self.check_team_rosters(roster_table)
        roster = self.parse_roster(roster_text)
        self.check_order(roster)
        pair_team = dict(zip(roster["pair"], roster["team"], strict=True))
        roster = self.known_roster_rows(roster)
        self.check_people(roster)

        # Rule 1
        self.check_overlap(roster)
        self.check_horizon(roster)
        self.check_availability(roster)
        self.check_open_window(roster)
        # Rule 2
        self.check_pair_together(roster)
        self.check_mode_and_site(roster, "roster.csv")
        # Rule 3
        suited = roster[roster["activity"].isin(SUITED)]
        self.check_suit_stretch(suited)
        self.check_work_cap(suited)
        # Rule 4
        self.check_travel(roster)
        # Rule 5
        self.check_stations(roster)

        # Totals count every well-formed assignment at a known site, even one that breaks
        # another rule: they are what assignments.csv says.
        assign_all = self.parse_assignments(assign_text)
        assignments = self.known_assignments(assign_all, pair_team)
        self.check_mode_and_site(assignments, "assignments.csv")
        self.check_inside_roster(assignments, roster)
        self.check_assignment_overlap(assignments)
        # Rule 6
        self.check_rate(assignments)
        per_site = self.site_totals(assign_all)
        self.check_site_demand(per_site)

        if sites_table is not None:
            self.check_sites_table(self.frame(sites_table, SITES_COLUMNS), per_site)
        self.check_plan_json(per_site)

        self.stats.update(
            roster_rows=len(roster_text),
            assignment_rows=len(assign_text),
            teams=int(roster["team"].nunique()),
            people=int(roster["person"].nunique()),
            pairs=int(roster["pair"].nunique()),
            sites=len(self.sc.sites),
            residents=self.sc.total_residents,
            samples=int(per_site["walk_in"].sum() + per_site["door_to_door"].sum()),
        )
        return CheckReport(self.found.violations(), self.stats)

    # -- helpers ----------------------------------------------------------------------

    def t(self, minute: Any) -> str:
        """Minutes from the horizon start, shown as a clock time for examples."""
        return self.sc.at(int(minute)).strftime(self._clock_format)

    def stamp(self, minute: Any) -> str:
        """Minutes from the horizon start as the plan files write a time."""
        return self.sc.at(int(minute)).strftime(TIME_FORMAT)

    def rule_by_team(self, key: str) -> dict[str, Any]:
        """One rate or limit for every team, its own override or the default."""
        return {team: getattr(rules, key) for team, rules in self.team_rules.items()}

    def flag(
        self, rule: str, frame: pd.DataFrame, mask: Any, describe: Callable[[Any], str]
    ) -> None:
        """Record the rows of ``frame`` picked by ``mask`` as cases of ``rule``; describe the
        first few."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        bad = frame[mask]
        examples = [describe(row) for row in bad.head(MAX_EXAMPLES).itertuples(index=False)]
        self.found.add_many(rule, examples, len(bad))

    def row(self, file: str, r: Any) -> str:
        """A roster or assignments row as an example."""
        who = getattr(r, "person", None) or f"pair {r.pair}"
        where = f" {r.site}" if r.site else ""
        return f"{file} line {r.line}: {who} {r.activity}{where} {self.t(r.start)}-{self.t(r.end)}"

    # -- reading ----------------------------------------------------------------------

    def read_text(self, name: str, missing: str = "files") -> str | None:
        """A plan file's text; reports it missing (as rule ``missing``), without byte-order
        mark or not UTF-8."""
        path = self.dir / name
        if not path.is_file():
            self.found.add(missing, f"{name} is missing")
            return None
        raw = path.read_bytes()
        if not raw.startswith(BOM):
            self.found.add("format", f"{name}: no UTF-8 byte-order mark at the start")
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            self.found.add("format", f"{name}: not UTF-8 ({exc.reason} at byte {exc.start})")
            return None

    def read_table(
        self, name: str, columns: tuple[str, ...], numeric: Iterable[str], text: str | None = None
    ) -> _Table | None:
        """Read one CSV file as text: the contract's columns with ``'`` stripped, and lines.

        Checks the byte-order mark, the header, field counts and formula-like cells. Returns
        None when the file is missing or unusable.
        """
        text = self.read_text(name) if text is None else text
        if text is None:
            return None
        physical = io.StringIO(text, newline="").readlines()
        try:
            records = list(csv.reader(physical, strict=True))
        except csv.Error as exc:
            self.found.add("format", f"{name}: not valid CSV ({exc})")
            return None
        if not records:
            self.found.add("format", f"{name}: empty file, no header row")
            return None
        header = records[0]
        if tuple(header[: len(columns)]) != columns:
            self.found.add(
                "format",
                f"{name}: header starts {','.join(header[: len(columns)])!r}, "
                f"expected {','.join(columns)!r}",
            )
            return None
        single_line = len(records) == len(physical)
        if single_line:
            numbers: Sequence[int] = range(1, len(records) + 1)
        else:  # a quoted cell spans lines: ask the reader where each record ends
            reader = csv.reader(physical, strict=True)
            numbers = [reader.line_num for _ in reader]
        width = len(header)
        keep = [i for i in range(1, len(records)) if len(records[i]) == width]
        if len(keep) != len(records) - 1:
            wrong = [
                f"{name} line {numbers[i]}: {len(records[i])} fields, the header has {width}"
                for i in range(1, len(records))
                if records[i] and len(records[i]) != width  # [] is a blank line
            ]
            self.found.add_many("format", wrong, len(wrong))
        rows = [records[i] for i in keep]
        lines = [numbers[i] for i in keep]
        numeric = set(numeric)
        by_column = list(zip(*rows, strict=True)) if rows else [()] * width
        data: dict[str, Sequence[str]] = {}
        for index, head in enumerate(header):
            contract = index < len(columns)
            label = columns[index] if contract else f"{head} (column {index + 1})"
            # Extra columns are ignored, but they are cells of the file too; a plain number
            # there (a longitude, say) is not text.
            values = self.unquote(
                name, label, by_column[index], lines, not contract or label in numeric
            )
            if contract:
                data[label] = values
        physical_text = [line.rstrip("\r\n") for line in physical] if single_line else []
        return _Table(data, lines, physical_text)

    def frame(self, table: _Table | None, columns: tuple[str, ...]) -> pd.DataFrame:
        """A table read by :meth:`read_table` as a DataFrame of text plus ``line``."""
        if table is None:
            return _empty(columns)
        frame = pd.DataFrame({c: pd.Series(table.cells[c], dtype=object) for c in columns})
        frame["line"] = np.asarray(table.lines, dtype=np.int64)
        return frame

    def unquote(
        self, name: str, column: str, values: Sequence[str], lines: list[int], numeric: bool
    ) -> Sequence[str]:
        """Strip the ' written before formula-like text; report such text written without it.

        A text cell starting with =, +, - or @ must be written with a leading '. In numeric
        columns a plain number such as -3 is not text (its value is checked elsewhere).
        """
        # One C-speed scan of the whole column first: most columns have no such cell.
        if not _TRIGGER_AT_LINE_START.search("\n".join(values)):
            return values
        values = list(values)
        bare = []
        for i, v in enumerate(values):
            if v[:1] not in _TRIGGERS:
                continue
            if v[0] == "'":
                if v[1:2] in FORMULA_START:
                    values[i] = v[1:]
            elif not (numeric and re.fullmatch(_NUMBER, v)):
                bare.append(i)
        if bare:
            n, first = len(bare), bare[0]
            self.found.add_many(
                "format",
                [
                    f"{name} {column}: {n} cell{'s' if n != 1 else ''} start with =, +, - or @ "
                    f"without a leading ', e.g. line {lines[first]}: {values[first]!r}"
                ],
                n,
            )
        return values

    def parse_times(self, name: str, frame: pd.DataFrame, columns: Iterable[str]) -> pd.Series:
        """Turn time cells into minutes from the horizon start; returns a mask of good rows."""
        ok = pd.Series(True, index=frame.index)
        for column in columns:
            # Plans reuse a few hundred distinct times at most: parse each once.
            minutes = {v: self.minutes(v) for v in set(frame[column])}
            parsed = frame[column].map(minutes)
            good = parsed.notna()
            if not good.all():
                bad = frame.loc[~good, ["line", column]]
                self.found.add_many(
                    "format",
                    (
                        f"{name} line {line}: {column} {value!r} is not a YYYY-MM-DD HH:MM time"
                        for line, value in bad.head(MAX_EXAMPLES).itertuples(index=False)
                    ),
                    len(bad),
                )
                ok &= good
            frame[column] = parsed.fillna(0).astype(np.int64)
        return ok

    def minutes(self, text: str) -> int | None:
        """``YYYY-MM-DD HH:MM`` -> minutes from the horizon start; None if not such a time."""
        if not re.fullmatch(_TIME, text):
            return None
        try:
            moment = datetime.strptime(text, TIME_FORMAT)
        except ValueError:
            return None
        return int((moment - self.sc.start).total_seconds() // 60)

    def bad_values(self, name: str, frame: pd.DataFrame, mask: pd.Series, what: str) -> None:
        """Report the rows of ``mask`` as badly formed: ``what`` says how."""
        if not mask.any():
            return
        bad = frame[mask]
        self.found.add_many(
            "format",
            (f"{name} line {r.line}: {what}" for r in bad.head(MAX_EXAMPLES).itertuples()),
            len(bad),
        )

    def parse_roster(self, text: pd.DataFrame) -> pd.DataFrame:
        """roster.csv rows whose values are well formed, times as minutes."""
        name = "roster.csv"
        f = text.copy()
        ok = self.parse_times(name, f, ("start", "end"))
        for column in ("team", "person", "pair"):
            missing = f[column] == ""
            self.bad_values(name, f, missing, f"{column} is empty")
            ok &= ~missing
        role = ~f["role"].isin(ROLES)
        self.bad_values(name, f, role, f"role is not one of {', '.join(ROLES)}")
        activity = ~f["activity"].isin(ACTIVITIES)
        self.bad_values(name, f, activity, f"activity is not one of {', '.join(ACTIVITIES)}")
        is_break = f["activity"] == "break"
        no_site = ~activity & ~is_break & (f["site"] == "")
        self.bad_values(name, f, no_site, "a work or travel row needs a site")
        break_site = is_break & (f["site"] != "")
        self.bad_values(name, f, break_site, "a break row must leave site empty")
        ok &= ~(role | activity | no_site | break_site)
        return f[ok].reset_index(drop=True)

    def interval_rows(self, file: str, frame: pd.DataFrame) -> pd.Series:
        """Mask of rows that start before they end; the others are reported."""
        good = frame["start"] < frame["end"]
        self.flag("interval", frame, ~good, lambda r: self.row(file, r))
        return good

    def known_roster_rows(self, roster: pd.DataFrame) -> pd.DataFrame:
        """Roster rows with a proper interval and known team and site; others are reported.

        Adds integer codes ``pid`` (person), ``qid`` (pair) and ``sid`` (site, -1 for none),
        which group and sort much faster than the ids themselves.
        """
        good = self.interval_rows("roster.csv", roster)
        team = roster["team"].isin(self.teams.keys())
        self.flag(
            "unknown_reference",
            roster,
            ~team,
            lambda r: f"roster.csv line {r.line}: team {r.team!r} is not in the scenario",
        )
        site = (roster["site"] == "") | roster["site"].isin(self.sites.keys())
        self.flag(
            "unknown_reference",
            roster,
            ~site,
            lambda r: f"roster.csv line {r.line}: site {r.site!r} is not in the scenario",
        )
        f = roster[good & team & site].reset_index(drop=True)
        f["pid"] = pd.factorize(f["person"])[0]
        f["qid"] = pd.factorize(f["pair"])[0]
        f["sid"] = f["site"].map(self.site_code).fillna(-1).astype(np.int64)
        return f

    @cached_property
    def site_code(self) -> dict[str, int]:
        return {s.id: i for i, s in enumerate(self.sc.sites)}

    def parse_assignments(self, text: pd.DataFrame) -> pd.DataFrame:
        """assignments.csv rows whose values are well formed and whose site is known."""
        name = "assignments.csv"
        f = text.copy()
        ok = self.parse_times(name, f, ("start", "end"))
        for column in ("team", "pair", "site"):
            missing = f[column] == ""
            self.bad_values(name, f, missing, f"{column} is empty")
            ok &= ~missing
        activity = ~f["activity"].isin(WORK)
        self.bad_values(name, f, activity, f"activity is not one of {', '.join(WORK)}")
        count = f["samples"].astype(str).str.fullmatch(_COUNT).astype(bool)
        self.bad_values(name, f, ~count, "samples is not a non-negative integer")
        ok &= ~activity & count
        f = f[ok].copy()
        f["samples"] = f["samples"].astype(np.int64)
        site = f["site"].isin(self.sites.keys())
        self.flag(
            "unknown_reference",
            f,
            ~site,
            lambda r: f"{name} line {r.line}: site {r.site!r} is not in the scenario",
        )
        return f[site].reset_index(drop=True)

    def known_assignments(self, f: pd.DataFrame, pair_team: dict[str, str]) -> pd.DataFrame:
        """Assignments with a proper interval, a known team and a pair of that team."""
        name = "assignments.csv"
        good = self.interval_rows(name, f)
        team = f["team"].isin(self.teams.keys())
        self.flag(
            "unknown_reference",
            f,
            ~team,
            lambda r: f"{name} line {r.line}: team {r.team!r} is not in the scenario",
        )
        roster_team = f["pair"].map(pair_team)
        pair = team & (roster_team == f["team"])
        self.flag(
            "unknown_reference",
            f.assign(roster_team=roster_team),
            team & ~pair,
            lambda r: (
                f"{name} line {r.line}: pair {r.pair!r} of team {r.team!r} is "
                + (
                    "not in roster.csv"
                    if pd.isna(r.roster_team)
                    else f"in team {r.roster_team!r} in roster.csv"
                )
            ),
        )
        return f[good & pair].reset_index(drop=True)

    # -- files ------------------------------------------------------------------------

    def check_team_rosters(self, roster: _Table | None) -> None:
        """With a rosters/ folder (not in the contract: ours, and optional), rosters/<team>.csv
        exists for each team with rows and holds exactly its rows."""
        if roster is None or not (self.dir / "rosters").is_dir():
            return  # nothing to compare with, or no team files to compare
        rows_of: dict[str, list[int]] = {}
        for index, team in enumerate(roster.cells["team"]):
            rows_of.setdefault(team, []).append(index)
        for team, indexes in sorted(rows_of.items()):
            if not _ID.fullmatch(team):
                continue  # not a usable file name; reported as an unknown team
            name = f"rosters/{team}.csv"
            text = self.read_text(name, missing="team_rosters")
            if text is None:
                continue
            if roster.physical:
                # The usual case, cheap: the very same lines as in roster.csv.
                want_text = [roster.physical[0]] + [
                    roster.physical[roster.lines[i] - 1] for i in indexes
                ]
                lines = io.StringIO(text, newline="").readlines()
                if [ln.rstrip("\r\n") for ln in lines if ln.strip("\r\n")] == want_text:
                    continue
            own = self.read_table(name, ROSTER_COLUMNS, ("start", "end"), text)
            if own is None:
                continue
            want = [tuple(roster.cells[c][i] for c in ROSTER_COLUMNS) for i in indexes]
            got = list(zip(*(own.cells[c] for c in ROSTER_COLUMNS), strict=True))
            if want == got:
                continue
            missing = Counter(want) - Counter(got)
            extra = Counter(got) - Counter(want)
            if not missing and not extra:
                self.found.add("team_rosters", f"{name}: the rows of roster.csv, in another order")
                continue
            detail = []
            if missing:
                detail.append(
                    f"{missing.total()} roster.csv rows missing, e.g. "
                    f"{','.join(next(iter(missing)))}"
                )
            if extra:
                detail.append(
                    f"{extra.total()} rows not in roster.csv, e.g. {','.join(next(iter(extra)))}"
                )
            self.found.add("team_rosters", f"{name}: " + "; ".join(detail))
        folder = self.dir / "rosters"
        if folder.is_dir():
            for path in sorted(folder.glob("*.csv")):
                if path.stem in rows_of:
                    continue
                name = f"rosters/{path.name}"
                own = self.read_table(name, ROSTER_COLUMNS, ("start", "end"))
                if own is not None and own.lines:
                    self.found.add(
                        "team_rosters",
                        f"{name} has {len(own.lines)} rows, roster.csv none of team {path.stem}",
                    )

    def check_order(self, roster: pd.DataFrame) -> None:
        """roster.csv rows are ordered by team, person (plain string order) and start."""
        if len(roster) < 2:
            return
        team = roster["team"].to_numpy(dtype=object)
        person = roster["person"].to_numpy(dtype=object)
        start = roster["start"].to_numpy()
        t0, t1 = team[:-1], team[1:]
        p0, p1 = person[:-1], person[1:]
        before = (t1 < t0) | ((t1 == t0) & ((p1 < p0) | ((p1 == p0) & (start[1:] < start[:-1]))))
        self.flag(
            "order",
            roster.iloc[1:],
            before,
            lambda r: (
                f"roster.csv line {r.line}: {r.team} {r.person} {self.t(r.start)} comes "
                "after a row it should precede"
            ),
        )

    # -- people and pairs -------------------------------------------------------------

    def check_people(self, roster: pd.DataFrame) -> None:
        """Person ids are unique in the plan; pairs are one swab and one record of one team."""
        people = roster.drop_duplicates(["pid", "team", "qid", "role"])
        uses = people.groupby("pid")["pid"].transform("size")
        split = people[uses > 1]
        examples = []
        for _, rows in list(split.groupby("pid", sort=False))[:MAX_EXAMPLES]:
            seen = "; ".join(f"team {r.team} pair {r.pair} {r.role}" for r in rows.itertuples())
            examples.append(f"person {rows['person'].iloc[0]} appears as {seen}")
        self.found.add_many("pair_members", examples, int(split["pid"].nunique()))

        members = people.drop_duplicates(["qid", "pid"]).assign(
            swab=lambda m: m["role"] == "swab", record=lambda m: m["role"] == "record"
        )
        by_pair = members.groupby("qid", sort=False)
        pairs = pd.DataFrame(
            {
                "pair": by_pair["pair"].first(),
                "people": by_pair.size(),
                "swab": by_pair["swab"].sum(),
                "record": by_pair["record"].sum(),
                "teams": by_pair["team"].nunique(),
            }
        )
        bad = (
            (pairs["people"] != 2)
            | (pairs["swab"] != 1)
            | (pairs["record"] != 1)
            | (pairs["teams"] != 1)
        )
        self.flag(
            "pair_members",
            pairs,
            bad,
            lambda r: (
                f"pair {r.pair}: {r.people} people, {r.swab} swab, {r.record} record, "
                f"{r.teams} team(s)"
            ),
        )
        self.pair_size = dict(zip(pairs["pair"], pairs["people"], strict=True))

        per_team = members.groupby("team")["qid"].nunique()
        for team, n in per_team.items():
            allowed = self.teams[str(team)].pairs
            if n > allowed:
                self.found.add(
                    "team_size",
                    f"team {team}: {n} pairs, but {self.teams[str(team)].people} people make "
                    f"{allowed}",
                )

    # -- rule 1 -----------------------------------------------------------------------

    def check_overlap(self, roster: pd.DataFrame) -> None:
        """Nobody is in two places at once: a person's intervals never overlap (touching is ok)."""
        f, people = _by_group_then_time(roster, ["pid"])
        prev = _prev_max_end(people, f["end"])
        self.flag(
            "overlap",
            f.assign(prev=prev),
            f["start"].to_numpy() < prev,
            lambda r: (
                f"{self.row('roster.csv', r)} starts before an earlier interval of "
                f"{r.person} ends ({self.t(r.prev)})"
            ),
        )

    def check_horizon(self, roster: pd.DataFrame) -> None:
        """Every interval lies inside the planning horizon."""
        outside = (roster["start"] < 0) | (roster["end"] > self.sc.horizon_minutes)
        self.flag(
            "horizon",
            roster,
            outside,
            lambda r: (
                f"{self.row('roster.csv', r)} is outside the horizon "
                f"{self.t(0)}-{self.t(self.sc.horizon_minutes)}"
            ),
        )

    def check_availability(self, roster: pd.DataFrame) -> None:
        """Every interval, breaks included, lies inside the team's availability."""
        window = {t.id: self.sc.available_minutes(t) for t in self.sc.teams}
        first = roster["team"].map({t: w[0] for t, w in window.items()})
        last = roster["team"].map({t: w[1] for t, w in window.items()})
        outside = (roster["start"] < first) | (roster["end"] > last)
        self.flag(
            "availability",
            roster,
            outside,
            lambda r: (
                f"{self.row('roster.csv', r)} is outside team {r.team}'s availability "
                f"{self.t(window[r.team][0])}-{self.t(window[r.team][1])}"
            ),
        )

    def check_open_window(self, roster: pd.DataFrame) -> None:
        """Walk-in and home visits lie inside the site's open window.

        Travel and breaks are not work at the site.
        """
        work = roster[roster["activity"].isin(WORK)]
        window = {s.id: self.sc.open_minutes(s) for s in self.sc.sites}
        first = work["site"].map({s: w[0] for s, w in window.items()})
        last = work["site"].map({s: w[1] for s, w in window.items()})
        closed = (work["start"] < first) | (work["end"] > last)
        self.flag(
            "open_window",
            work,
            closed,
            lambda r: (
                f"{self.row('roster.csv', r)} is outside the site's open window "
                f"{self.t(window[r.site][0])}-{self.t(window[r.site][1])}"
            ),
        )

    # -- rule 2 -----------------------------------------------------------------------

    def check_pair_together(self, roster: pd.DataFrame) -> None:
        """Both people of a pair have identical walk_in, door_to_door and travel rows."""
        suited = roster[roster["activity"].isin(SUITED)]
        keys = ["qid", "activity", "sid", "start", "end"]
        rows = suited.drop_duplicates([*keys, "pid"])
        together = rows.groupby(keys, sort=False)["pid"].transform("size")
        size = rows["pair"].map(self.pair_size)
        self.flag(
            "pair_together",
            rows,
            together < size,
            lambda r: (
                f"{self.row('roster.csv', r)}: the other person of pair {r.pair} has no such row"
            ),
        )

    def check_mode_and_site(self, frame: pd.DataFrame, file: str) -> None:
        """Only teams with door_to_door: true do home visits; a sealed site gets no walk-in."""
        untrained = {t.id for t in self.sc.teams if not t.door_to_door}
        sealed = {s.id for s in self.sc.sites if s.sealed}
        home = (frame["activity"] == "door_to_door") & frame["team"].isin(untrained)
        self.flag(
            "door_to_door_team",
            frame,
            home,
            lambda r: f"{self.row(file, r)}: team {r.team} has door_to_door: false",
        )
        walk = (frame["activity"] == "walk_in") & frame["site"].isin(sealed)
        self.flag(
            "sealed_walk_in",
            frame,
            walk,
            lambda r: f"{self.row(file, r)}: site {r.site} is sealed",
        )

    # -- rule 3 -----------------------------------------------------------------------

    def check_suit_stretch(self, suited: pd.DataFrame) -> None:
        """A stretch of work and travel without a pause >= min_break lasts <= max_suit minutes.

        A person's work and travel rows in time order form one stretch while each pause
        (next start - stretch end so far) is shorter than the team's min_break_minutes.
        """
        if suited.empty:
            return
        f, people = _by_group_then_time(suited, ["pid"])
        min_break = f["team"].map(self.rule_by_team("min_break_minutes")).to_numpy()
        prev = _prev_max_end(people, f["end"])
        firsts = np.flatnonzero(np.isnan(prev) | (f["start"].to_numpy() - prev >= min_break))
        stretches = f.loc[firsts, ["person", "team", "start"]].reset_index(drop=True)
        stretches["end"] = np.maximum.reduceat(f["end"].to_numpy(), firsts)
        stretches["span"] = stretches["end"] - stretches["start"]
        limit = stretches["team"].map(self.rule_by_team("max_suit_minutes"))
        self.flag(
            "suit_stretch",
            stretches,
            stretches["span"] > limit,
            lambda r: (
                f"{r.person}: {self.t(r.start)}-{self.t(r.end)} is {r.span} min in one "
                f"suit (max {self.team_rules[r.team].max_suit_minutes}; a pause under "
                f"{self.team_rules[r.team].min_break_minutes} min does not end a stretch)"
            ),
        )

    def check_work_cap(self, suited: pd.DataFrame) -> None:
        """Each person's work plus travel minutes stay within max_work_minutes."""
        if suited.empty:
            return
        minutes = (suited["end"] - suited["start"]).groupby(suited["pid"]).sum()
        total = suited.drop_duplicates("pid").set_index("pid")[["person", "team"]]
        total["minutes"] = minutes
        limit = total["team"].map(self.rule_by_team("max_work_minutes"))
        self.flag(
            "work_cap",
            total,
            total["minutes"] > limit,
            lambda r: (
                f"{r.person}: {r.minutes} min of work and travel "
                f"(max {self.team_rules[r.team].max_work_minutes})"
            ),
        )

    # -- rule 4 -----------------------------------------------------------------------

    def check_travel(self, roster: pd.DataFrame) -> None:
        """Each move is shown by a travel row to where it goes, at least as long as the trip.

        Walking a person's work and travel rows in time order, from the team's position: a
        travel row (or several in a row to the same site) moves the person to its site and
        must last at least the trip from where the person was; a work row at a site other
        than where the person is needs a trip there first. No travel is needed over a
        distance of zero.
        """
        suited = roster[roster["activity"].isin(SUITED)]
        if suited.empty:
            return
        s, people = _by_group_then_time(suited, ["pid"])
        travel = (s["activity"] == "travel").to_numpy()
        sid, ends = s["sid"].to_numpy(), s["end"].to_numpy()
        minutes = (s["end"] - s["start"]).to_numpy()
        # Every row leaves the person at its site: where it was before a row is the site of
        # its previous row (its team's position, -1, before its first).
        same = np.r_[False, people[1:] == people[:-1]]
        place = np.where(same, np.r_[-1, sid[:-1]], -1)
        since = np.where(same, np.r_[_FAR_PAST, ends[:-1]], _FAR_PAST)
        # A trip in several rows in a row to the same site is one move, made by its first.
        going_on = travel & np.r_[False, travel[:-1]] & same & (place == sid)
        first_leg = travel & ~going_on
        trip = np.cumsum(first_leg) - 1
        got = np.bincount(trip[travel], weights=minutes[travel], minlength=int(first_leg.sum()))
        moving = first_leg | (~travel & (sid != place))
        rows = np.flatnonzero(moving)
        if not len(rows):
            return
        got_by_row = np.zeros(len(s), dtype=np.int64)
        got_by_row[first_leg] = np.rint(got).astype(np.int64)
        moves = s.iloc[rows].reset_index(drop=True)
        origin_ids = place[rows].astype(np.int64)
        lat = np.array([site.lat for site in self.sc.sites])
        lon = np.array([site.lon for site in self.sc.sites])
        base_lat = moves["team"].map({t.id: t.lat for t in self.sc.teams}).to_numpy(float)
        base_lon = moves["team"].map({t.id: t.lon for t in self.sc.teams}).to_numpy(float)
        at_base = origin_ids < 0
        dest = moves["sid"].to_numpy()
        need = travel_minutes(
            np.where(at_base, base_lat, lat[np.maximum(origin_ids, 0)]),
            np.where(at_base, base_lon, lon[np.maximum(origin_ids, 0)]),
            lat[dest],
            lon[dest],
            moves["team"].map(self.rule_by_team("travel_speed_kmh")).to_numpy(float),
        ).astype(np.int64)
        moves = moves.assign(origin=origin_ids, after=since[rows], need=need, got=got_by_row[rows])
        self.flag("travel", moves, moves["got"] < moves["need"], self.describe_move)

    def describe_move(self, r: Any) -> str:
        origin = (
            f"team {r.team}'s position" if r.origin < 0 else f"site {self.sc.sites[r.origin].id}"
        )
        since = "" if r.after == _FAR_PAST else f" after {self.t(r.after)}"
        return (
            f"{self.row('roster.csv', r)} needs {r.need} min of travel from {origin}{since}; "
            f"travel rows to {r.site} there give {r.got} min"
        )

    # -- rule 5 -----------------------------------------------------------------------

    def check_stations(self, roster: pd.DataFrame) -> None:
        """At every instant at most `stations` distinct pairs do walk-in at a site."""
        walk = roster[roster["activity"] == "walk_in"]
        if walk.empty:
            return
        # Per pair first, so that the two people of a pair count once.
        spans = _merge_touching(walk, ["sid", "qid"])
        n = len(spans)
        site = np.r_[spans["sid"].to_numpy(), spans["sid"].to_numpy()]
        time = np.r_[spans["start"].to_numpy(), spans["end"].to_numpy()]
        delta = np.r_[np.ones(n, dtype=np.int64), -np.ones(n, dtype=np.int64)]
        # Ends before starts at the same minute: touching intervals do not share a station.
        order = np.lexsort((delta, time, site))
        site, time, delta = site[order], time[order], delta[order]
        busy = np.cumsum(delta)  # each site's events sum to zero, so no reset is needed
        stations = np.array([s.stations for s in self.sc.sites])[site]
        events = pd.DataFrame({"site": site, "time": time, "busy": busy, "k": stations})
        self.flag(
            "stations",
            events,
            (delta > 0) & (busy > stations),
            lambda r: (
                f"site {self.sc.sites[r.site].id}: {r.busy} pairs do walk-in at "
                f"{self.t(r.time)}, stations {r.k}"
            ),
        )

    # -- assignments and rule 6 -------------------------------------------------------

    def check_inside_roster(self, assignments: pd.DataFrame, roster: pd.DataFrame) -> None:
        """Each assignment lies inside one of its pair's roster rows (touching rows joined)."""
        if assignments.empty:
            return
        work = roster[roster["activity"].isin(WORK)]
        spans = _merge_touching(work, ["pair", "pid", "sid", "activity"])
        spans["site"] = [self.sc.sites[i].id for i in spans["sid"]]
        a = assignments.assign(row=np.arange(len(assignments)))
        keys = ["pair", "site", "activity"]
        paired = a[["row", *keys, "start", "end"]].merge(
            spans[[*keys, "start", "end"]].rename(columns={"start": "r_start", "end": "r_end"}),
            on=keys,
        )
        covered = paired[
            (paired["r_start"] <= paired["start"]) & (paired["r_end"] >= paired["end"])
        ]
        self.flag(
            "assignment_outside_roster",
            a,
            ~a["row"].isin(covered["row"]),
            lambda r: (
                f"{self.row('assignments.csv', r)} is not inside a roster.csv "
                f"{r.activity} row of pair {r.pair} at {r.site}"
            ),
        )

    def check_assignment_overlap(self, assignments: pd.DataFrame) -> None:
        """A pair samples in one interval at a time: its assignments never overlap."""
        f, pairs = _by_group_then_time(assignments, ["pair"])
        prev = _prev_max_end(pairs, f["end"])
        self.flag(
            "assignment_overlap",
            f,
            f["start"].to_numpy() < prev,
            lambda r: f"{self.row('assignments.csv', r)} overlaps an earlier assignment",
        )

    def check_rate(self, assignments: pd.DataFrame) -> None:
        """samples <= the team's rate for the activity x the interval's hours."""
        f = assignments
        if f.empty:
            return
        walk = f["team"].map(self.rule_by_team("walk_in_per_hour"))
        home = f["team"].map(self.rule_by_team("door_to_door_per_hour"))
        rate = np.where(f["activity"] == "walk_in", walk, home)
        cap = rate * (f["end"] - f["start"]) / 60
        over = f["samples"] > cap + SAMPLE_TOLERANCE
        self.flag(
            "rate",
            f.assign(cap=cap),
            over,
            lambda r: (
                f"{self.row('assignments.csv', r)}: {r.samples} samples, at most "
                f"{r.cap:g} at the team's rate"
            ),
        )

    def site_totals(self, assignments: pd.DataFrame) -> pd.DataFrame:
        """Per scenario site: walk-in and home samples and done_at from assignments.csv."""
        out = pd.DataFrame(index=[s.id for s in self.sc.sites])
        for activity in WORK:
            own = assignments[assignments["activity"] == activity]
            sums = own.groupby("site")["samples"].sum()
            out[activity] = sums.reindex(out.index).fillna(0).astype(np.int64)
        sampled = assignments[assignments["samples"] > 0]
        out["last_end"] = sampled.groupby("site")["end"].max().reindex(out.index)
        out["residents"] = [s.residents for s in self.sc.sites]
        out["covered"] = out["walk_in"] + out["door_to_door"] >= out["residents"]
        return out

    def check_site_demand(self, per_site: pd.DataFrame) -> None:
        """A site gets <= residents - home_visits walk-in and <= home_visits home samples."""
        for site in self.sc.sites:
            walk, home = per_site.at[site.id, "walk_in"], per_site.at[site.id, "door_to_door"]
            if walk > site.walk_in_demand:
                self.found.add(
                    "site_demand",
                    f"site {site.id}: {walk} walk-in samples, at most {site.walk_in_demand}"
                    + (" (sealed)" if site.sealed else ""),
                )
            if home > site.home_demand:
                self.found.add(
                    "site_demand",
                    f"site {site.id}: {home} home samples, at most {site.home_demand}",
                )

    # -- totals -----------------------------------------------------------------------

    def check_sites_table(self, text: pd.DataFrame, per_site: pd.DataFrame) -> None:
        """sites.csv: one row per site, scenario columns as in the scenario, totals recomputed."""
        name = "sites.csv"
        f = text
        seen = f["site"].value_counts()
        for site, n in seen[seen > 1].items():
            self.found.add("site_table", f"{name}: site {site} has {n} rows")
        self.flag(
            "site_table",
            f,
            ~f["site"].isin(self.sites.keys()),
            lambda r: f"{name} line {r.line}: site {r.site!r} is not in the scenario",
        )
        for site in self.sc.sites:
            if site.id not in seen.index:
                self.found.add("site_table", f"{name}: no row for site {site.id}")
        f = f[f["site"].isin(self.sites.keys())].drop_duplicates("site")
        for r in f.itertuples(index=False):
            self.check_site_row(r, self.sites[r.site], per_site.loc[r.site])

    def check_site_row(self, r: Any, site: Site, mine: pd.Series) -> None:
        """One sites.csv row against the scenario and the totals of assignments.csv."""
        where = f"sites.csv line {r.line} ({site.id})"

        def count(column: str) -> int | None:
            value = getattr(r, column)
            if re.fullmatch(_COUNT, value):
                return int(value)
            self.found.add("format", f"{where}: {column} {value!r} is not a whole number")
            return None

        for column, want in (("name", site.name), ("district", site.district)):
            if getattr(r, column) != want:
                self.found.add(
                    "site_table", f"{where}: {column} {getattr(r, column)!r}, scenario {want!r}"
                )
        for column, want_n in (("residents", site.residents), ("home_visits", site.home_demand)):
            got_n = count(column)
            if got_n is not None and got_n != want_n:
                self.found.add("site_table", f"{where}: {column} {got_n}, scenario {want_n}")
        walk, home = int(mine["walk_in"]), int(mine["door_to_door"])
        for column, want_n in (("walk_in_sampled", walk), ("door_to_door_sampled", home)):
            got_n = count(column)
            if got_n is not None and got_n != want_n:
                self.found.add(
                    "totals", f"{where}: {column} {got_n}, assignments.csv sums to {want_n}"
                )
        want_cov = (walk + home) / site.residents if site.residents else 1.0
        try:
            got_cov = float(r.coverage)
            if not np.isfinite(got_cov):
                raise ValueError
        except ValueError:
            self.found.add("format", f"{where}: coverage {r.coverage!r} is not a number")
        else:
            if abs(got_cov - want_cov) > COVERAGE_TOLERANCE:
                self.found.add(
                    "totals",
                    f"{where}: coverage {r.coverage}, assignments.csv gives {want_cov:.6f}",
                )
        got_done = r.done_at
        if got_done and self.minutes(got_done) is None:
            self.found.add(
                "format", f"{where}: done_at {got_done!r} is not a YYYY-MM-DD HH:MM time"
            )
            return
        if not mine["covered"]:
            if got_done:
                self.found.add(
                    "totals",
                    f"{where}: done_at {got_done}, but the site is not "
                    "fully covered (expected empty)",
                )
        elif site.residents == 0:
            if got_done not in ("", self.stamp(0)):
                self.found.add(
                    "totals",
                    f"{where}: done_at {got_done} for a site with no "
                    "residents (expected empty or the horizon start)",
                )
        elif got_done != self.stamp(mine["last_end"]):
            self.found.add(
                "totals",
                f"{where}: done_at {got_done or '(empty)'}, but its last sampled interval "
                f"ends {self.stamp(mine['last_end'])}",
            )

    def check_plan_json(self, per_site: pd.DataFrame) -> None:
        """plan.json coverage, done_at, status and lower bound agree with assignments.csv."""
        path = self.dir / "plan.json"
        if not path.is_file():
            self.found.add("files", "plan.json is missing")
            return
        try:
            plan = json.loads(path.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            self.found.add("format", f"plan.json: not valid JSON ({exc})")
            return
        if not isinstance(plan, dict):
            self.found.add("format", "plan.json: expected a JSON object at the top")
            return
        missing = [k for k in PLAN_KEYS if k not in plan]
        if missing:
            self.found.add("format", f"plan.json: missing {', '.join(missing)}")
            return
        problems = []
        coverage = plan["coverage"]
        if isinstance(coverage, bool) or not isinstance(coverage, int | float):
            problems.append(f"coverage {coverage!r} is not a number")
        times: dict[str, int | None] = {}
        for key in ("done_at", "lower_bound_done_at"):
            value = plan[key]
            if value is None:
                times[key] = None
            elif isinstance(value, str) and self.minutes(value) is not None:
                times[key] = self.minutes(value)
            else:
                problems.append(f"{key} {value!r} is not a YYYY-MM-DD HH:MM time or null")
        if plan["status"] not in STATUSES:
            problems.append(f"status {plan['status']!r} is not one of {', '.join(STATUSES)}")
        if "solver" in plan and not isinstance(plan["solver"], dict):
            problems.append("solver is not an object")
        if problems:
            self.found.add_many("format", (f"plan.json: {p}" for p in problems), len(problems))
            return

        total = self.sc.total_residents
        sampled = int(per_site["walk_in"].sum() + per_site["door_to_door"].sum())
        want_cov = sampled / total if total else 1.0
        if abs(float(coverage) - want_cov) > COVERAGE_TOLERANCE:
            self.found.add(
                "plan_json", f"plan.json: coverage {coverage}, assignments.csv gives {want_cov:.6f}"
            )
        fully = bool(per_site["covered"].all())
        done, bound = times["done_at"], times["lower_bound_done_at"]
        ends = per_site.loc[per_site["residents"] > 0, "last_end"]
        shown = "null" if done is None else self.stamp(done)
        if not fully:
            if done is not None:
                self.found.add(
                    "plan_json", f"plan.json: done_at {shown}, but not every site is fully covered"
                )
        elif ends.empty:
            if done not in (None, 0):
                self.found.add(
                    "plan_json",
                    f"plan.json: done_at {shown} with no residents to "
                    "sample (expected null or the horizon start)",
                )
        elif done != int(ends.max()):
            self.found.add(
                "plan_json",
                f"plan.json: done_at {shown}, but the last site is done at "
                f"{self.stamp(ends.max())}",
            )
        status = plan["status"]
        if fully == (status == "partial"):
            self.found.add(
                "plan_json",
                f"plan.json: status {status!r}, but "
                + ("every resident is sampled" if fully else "not every resident is sampled"),
            )
        if done is not None and bound is not None and bound > done:
            self.found.add(
                "plan_json",
                f"plan.json: lower_bound_done_at {self.stamp(bound)} is after done_at {shown}",
            )
        if status == "optimal" and fully and total > 0 and (done is None or bound != done):
            self.found.add(
                "plan_json",
                f"plan.json: status 'optimal', but done_at {shown} is not the lower bound "
                + ("null" if bound is None else self.stamp(bound)),
            )
