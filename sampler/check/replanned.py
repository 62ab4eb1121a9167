"""A replanned folder against the plan it replaced and the changes (``sampler check
--original``).

Every rule of the contract across the replan's boundary is :func:`check_plan`'s on the
whole day against the changed scenario (a suit stretch begun in the morning and ended in
the afternoon is one stretch there). What only the original plan and the changes can say
is checked here, again from the files alone and sharing no code with the planner:

- ``past``: every roster.csv and assignments.csv row of the original plan that ended by the
  cut (``at``, or ``--freeze-until`` when later) is in the new folder exactly as it was;
- ``changes``: after the cut, a sealed community gets no walk-in, a team that leaves or a
  pair sent home has no row ending after its time, a new team nothing before it may start,
  a new community nothing before ``at``, walk-in stays within the new station count and
  work inside the new opening hours.

The changes file is read with :mod:`sampler.changes` (a format, like the scenario's), and
its times are worked out here.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pandas as pd

from sampler.changes import Changes
from sampler.check.findings import CheckReport, Findings
from sampler.scenario import Scenario

FORMAT = "%Y-%m-%d %H:%M"
WORK = ("walk_in", "door_to_door")


def _csv(path: Path) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _stamp(sc: Scenario, clock: int) -> str:
    """A clock time (minutes after midnight) as the first such moment in the horizon."""
    first = sc.start.hour * 60 + sc.start.minute
    return (sc.start + timedelta(minutes=(clock - first) % (24 * 60))).strftime(FORMAT)


def replanned_at(plan_dir: Path) -> tuple[str | None, str | None]:
    """plan.json's ``replanned_at`` and ``frozen_until`` (None when absent)."""
    try:
        doc = json.loads((plan_dir / "plan.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, None
    return doc.get("replanned_at"), doc.get("frozen_until")


def check_replan(
    scenario: Scenario,
    plan_dir: str | Path,
    original_dir: str | Path,
    changes: Changes | None = None,
    freeze_until: int | None = None,
    report: CheckReport | None = None,
) -> CheckReport:
    """``report`` (check_plan's on the folder) with the ``past`` and ``changes`` rules
    added; the cut is the changes' ``at`` (else plan.json's ``replanned_at``), or
    ``freeze_until`` (a clock time, minutes after midnight) when later."""
    from sampler.check import check_plan  # (the package imports this module's rules)

    plan_dir, original_dir = Path(plan_dir), Path(original_dir)
    report = report or check_plan(scenario, plan_dir)
    found = Findings()
    written_at, written_freeze = replanned_at(plan_dir)
    at = _stamp(scenario, changes.at) if changes is not None else written_at
    if at is None:
        found.add("past", "no changes file and no replanned_at in plan.json: no cut to check")
        return _merged(report, found)
    if changes is not None and written_at is not None and written_at != at:
        found.add("past", f"plan.json says replanned_at {written_at}, the changes say {at}")
    cut = max(at, _stamp(scenario, freeze_until) if freeze_until is not None else at)
    cut = max(cut, written_freeze or cut)
    for name in ("roster.csv", "assignments.csv"):
        _check_past(found, name, _csv(original_dir / name), _csv(plan_dir / name), cut)
    roster = _csv(plan_dir / "roster.csv")
    if changes is not None and roster is not None:
        _check_changes(found, scenario, changes, roster, cut)
    return _merged(report, found)


def _merged(report: CheckReport, found: Findings) -> CheckReport:
    extra = found.violations()
    return CheckReport(tuple(report.violations) + extra, report.stats)


def _check_past(
    found: Findings, name: str, before: pd.DataFrame | None, after: pd.DataFrame | None, cut: str
) -> None:
    """Every row of ``before`` that ended by ``cut`` is a row of ``after``, every cell the
    same (times are written as YYYY-MM-DD HH:MM, so text order is time order)."""
    if before is None or after is None:
        found.add("past", f"{name}: missing in the original or the replanned folder")
        return
    ended = before[before.end <= cut]
    columns = [c for c in before.columns if c in after.columns]
    if len(columns) != len(before.columns):
        found.add("past", f"{name}: columns differ from the original's")
        return
    kept = ended.merge(after[columns].drop_duplicates(), on=columns, how="left", indicator=True)
    lost = kept[kept._merge == "left_only"]
    examples = [
        f"{name}: {r.pair} {r.activity} {r.site} {r.start}-{r.end} is gone or changed"
        for r in lost.head(5).itertuples()
    ]
    found.add_many("past", examples, len(lost))


def _check_changes(
    found: Findings, sc: Scenario, changes: Changes, roster: pd.DataFrame, cut: str
) -> None:
    """The changes' own rules on the replanned roster after the cut."""
    at = _stamp(sc, changes.at)
    swab = roster[roster.role == "swab"]
    for change in changes.changes:
        kind, body = change.kind, change.body
        if kind == "seal":
            bad = swab[(swab.site == body.site) & (swab.activity == "walk_in") & (swab.end > cut)]
            _flag(found, bad, f"walk-in at sealed {body.site} after {cut[-5:]}")
        elif kind in ("team_leaves", "team_people"):
            when = max(at, _stamp(sc, body.at)) if body.at is not None else at
            rows = swab[(swab.team == body.team) & (swab.end > when)]
            if kind == "team_people":
                numbers = rows.pair.str.rsplit("-p", n=1).str[-1]
                rows = rows[pd.to_numeric(numbers, errors="coerce") > body.people // 2]
            _flag(found, rows, f"{body.team} works after {when[-5:]}")
        elif kind == "add_team" and body.available is not None:
            start = max(at, _stamp(sc, body.available.start))
            _flag(found, swab[(swab.team == body.id) & (swab.start < start)], f"before {start}")
        elif kind == "add_team":
            _flag(found, swab[(swab.team == body.id) & (swab.start < at)], f"before {at}")
        elif kind == "add_site":
            work = swab[(swab.site == body.id) & swab.activity.isin(WORK) & (swab.start < at)]
            _flag(found, work, f"new site {body.id} worked before {at[-5:]}")
        elif kind == "stations":
            walk = swab[(swab.site == body.site) & (swab.activity == "walk_in")]
            walk = walk[walk.end > cut]
            most = _most_at_once(walk, cut)
            if most > body.stations:
                found.add(
                    "changes", f"{body.site}: {most} pairs walk-in at once after {cut[-5:]}, "
                    f"stations {body.stations}",
                )  # fmt: skip
        elif kind == "open":
            a, b = _stamp(sc, body.open.start), _stamp(sc, body.open.end)
            if b <= a:
                b = (pd.Timestamp(b) + pd.Timedelta(days=1)).strftime(FORMAT)
            work = swab[(swab.site == body.site) & swab.activity.isin(WORK) & (swab.end > cut)]
            outside = work[(work.start.where(work.start > cut, cut) < a) | (work.end > b)]
            _flag(found, outside, f"{body.site} worked outside {body.open}")


def _most_at_once(walk: pd.DataFrame, cut: str) -> int:
    events = sorted(
        [(max(s, cut), 1) for s in walk.start] + [(e, -1) for e in walk.end],
        key=lambda x: (x[0], x[1]),
    )
    running = most = 0
    for _, step in events:
        running += step
        most = max(most, running)
    return most


def _flag(found: Findings, rows: pd.DataFrame, what: str) -> None:
    examples = [
        f"{what}: {r.pair} {r.activity} {r.site} {r.start}-{r.end}"
        for r in rows.head(5).itertuples()
    ]
    found.add_many("changes", examples, len(rows))
