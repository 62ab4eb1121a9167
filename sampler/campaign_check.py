"""``sampler check CAMPAIGN OUT``: a campaign's folder against its campaign file, from the
files alone.

It shares no code with the campaign planner (:mod:`sampler.campaign`): the rounds, who is
present and who is sealed are worked out again here from the campaign file, and what was
done is read from each day's ``roster.csv`` and ``assignments.csv``, so a mistake in the
planner's bookkeeping cannot hide behind the same mistake here. Each day folder is checked
with the single-day checker against its own ``scenario.yaml``; the day's scenario is
trusted for that day's rules only: the cross-day rules (rest, days in a row, teams that
were not there, sealed communities, rounds) are judged against the campaign file.

Rounds not met are not a broken rule (a campaign may lack the staff, as a day may); a
``campaign.json`` that claims a round met, or leaves one out, is.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from sampler.campaign_file import Campaign, LoadedCampaign, load_campaign
from sampler.check import check_plan
from sampler.check.findings import Findings, Violation
from sampler.loader import ScenarioError, load_scenario
from sampler.plan_folder import read_table

CAMPAIGN_RULES: dict[str, str] = {
    "campaign_files": "campaign.json is present and names the day folders, each of which is there",
    "day_plan": "Every day folder is a valid plan of its own scenario.yaml (sampler check)",
    "day_scenario": "A day's scenario.yaml has the campaign's horizon for that day",
    "team_absent": "A team has no rows on a day it has not arrived or has left",
    "rest": "A person rests at least min_rest_hours between the last row of one day they "
    "work and the first row of the next",
    "consecutive_days": "A person works at most max_consecutive_days days in a row",
    "week_hours": "A person's work and travel in any 7 days in a row is at most max_week_hours",
    "sealed_walk_in": "A community sealed on a day (by the campaign) gets no walk-in that day",
    "round_oversampled": "A round samples at most the community's residents (times its tests)",
    "tests_apart": "With rounds/within: a day's samples at a community belong to one test, and "
    "a test starts at least min_gap after the community's previous test started",
    "rounds_claimed": "campaign.json lists every round, and says met exactly when every "
    "resident was sampled within it",
}
_FMT = "%Y-%m-%d %H:%M"


@dataclass(frozen=True)
class CampaignCheck:
    """Everything the campaign check found."""

    violations: tuple[Violation, ...]
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.violations

    def summary(self) -> str:
        s = self.stats
        facts = (
            f"{s.get('days_checked', 0)} day folders, {s.get('rounds', 0)} rounds, "
            f"{s.get('rounds_met', 0)} met"
        )
        if self.ok:
            return f"campaign is valid: {facts}"
        lines = [f"campaign is NOT valid: {len(self.violations)} rule(s) broken ({facts})"]
        for v in self.violations:
            lines.append(f"[{v.rule}] {v.message}")
            lines.extend(f"    {example}" for example in v.examples)
        return "\n".join(lines)


def check_campaign(campaign: LoadedCampaign | str | Path, out_dir: str | Path) -> CampaignCheck:
    """Check a campaign folder written by ``sampler campaign`` against its campaign file."""
    loaded = campaign if isinstance(campaign, LoadedCampaign) else load_campaign(campaign)
    spec, out = loaded.spec, Path(out_dir)
    found = Findings()
    width = max(2, len(str(spec.days)))
    claims = _claims(out, found)
    listed = {d["day"]: d.get("folder") for d in claims.get("by_day", [])}
    rows, samples, checked = [], [], 0
    for day in range(1, spec.days + 1):
        name = f"day-{day:0{width}d}"
        folder = out / name
        if not folder.is_dir():
            if listed.get(day):
                found.add("campaign_files", f"{name}: campaign.json names it; it is missing")
            continue
        if claims and listed.get(day) != name:
            found.add("campaign_files", f"{name}: a day folder campaign.json does not name")
        checked += 1
        start = loaded.scenario.start + timedelta(days=day - 1)
        if not _check_day(folder, name, start, loaded, found):
            continue
        roster = read_table(folder / "roster.csv")
        rows.append(roster.assign(day=day))
        work = read_table(folder / "assignments.csv")
        samples.append(work.assign(day=day))
    roster = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    work = pd.concat(samples, ignore_index=True) if samples else pd.DataFrame()
    present, sealed = _day_states(spec, loaded)
    if not roster.empty:
        _check_people(spec, roster, present, found)
    rounds = _rounds(spec, loaded, sealed, work, found)
    if claims:
        _check_claims(rounds, claims, found)
    violations = []
    for v in found.violations():
        count = found.counts[v.rule]
        message = f"{CAMPAIGN_RULES.get(v.rule, v.rule)}: broken {count} time{'s' * (count != 1)}."
        violations.append(Violation(v.rule, message, v.examples))
    order = list(CAMPAIGN_RULES)
    violations.sort(key=lambda v: order.index(v.rule))
    stats = {
        "days_checked": checked,
        "rounds": len(rounds),
        "rounds_met": sum(r["met"] for r in rounds),
    }
    return CampaignCheck(tuple(violations), stats)


def _claims(out: Path, found: Findings) -> dict[str, Any]:
    try:
        return json.loads((out / "campaign.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        found.add("campaign_files", f"campaign.json: {exc}")
        return {}


def _check_day(
    folder: Path, name: str, start: datetime, loaded: LoadedCampaign, found: Findings
) -> bool:
    """The single-day check of one folder; False when it cannot be read at all."""
    try:
        scenario = load_scenario(folder / "scenario.yaml")
    except ScenarioError as exc:
        found.add("day_plan", f"{name}: {exc.problems[0]}")
        return False
    length = loaded.scenario.end - loaded.scenario.start
    if scenario.start != start or scenario.end - scenario.start != length:
        found.add(
            "day_scenario",
            f"{name}: horizon {scenario.start:%Y-%m-%d %H:%M}-{scenario.end:%Y-%m-%d %H:%M}, "
            f"the campaign's is from {start:%Y-%m-%d %H:%M} for {length}",
        )
    report = check_plan(scenario, folder)
    for v in report.violations:
        found.add_many("day_plan", [f"{name}: [{v.rule}] {v.message}"], 1)
    return (folder / "roster.csv").is_file() and (folder / "assignments.csv").is_file()


def _day_states(
    spec: Campaign, loaded: LoadedCampaign
) -> tuple[dict[int, set[str]], dict[int, set[str]]]:
    """Per day, the teams present and the communities sealed, walking the days forward."""
    teams = [t.id for t in loaded.scenario.teams]
    first_move: dict[str, str] = {}
    for change in sorted(spec.changes, key=lambda c: c.day):
        for team in change.teams_arrive:
            first_move.setdefault(team, "arrive")
        for team in change.teams_leave:
            first_move.setdefault(team, "leave")
    here = {t for t in teams if first_move.get(t) != "arrive"}
    seals = {s.id for s in loaded.scenario.sites if s.sealed}
    present, sealed = {}, {}
    for day in range(1, spec.days + 1):
        for change in (c for c in spec.changes if c.day == day):
            here = (here | set(change.teams_arrive)) - set(change.teams_leave)
            seals = (seals | set(change.seal)) - set(change.release)
        present[day], sealed[day] = set(here), set(seals)
    return present, sealed


def _check_people(
    spec: Campaign, roster: pd.DataFrame, present: dict[int, set[str]], found: Findings
) -> None:
    """Absent teams, rest between days and days in a row, person by person."""
    pairs = set(zip(roster["team"], roster["day"], strict=True))
    for team, day in sorted(p for p in pairs if p[0] not in present[p[1]]):
        found.add("team_absent", f"day {day}: team {team} has rows but is not there")
    roster = roster.assign(
        start=pd.to_datetime(roster["start"], format=_FMT),
        end=pd.to_datetime(roster["end"], format=_FMT),
    )
    days = roster.groupby(["team", "person", "day"]).agg(
        first=("start", "min"), last=("end", "max")
    )
    busy = roster[roster["activity"] != "break"]
    busy = busy.assign(minutes=(busy["end"] - busy["start"]).dt.total_seconds() / 60)
    minutes = busy.groupby(["team", "person", "day"])["minutes"].sum().to_dict()
    for team, person, day in sorted(minutes):
        limits = spec.staff.teams.get(team)
        week = spec.staff.max_week_hours
        if limits is not None and limits.max_week_hours is not None:
            week = limits.max_week_hours
        if week is None:
            continue
        total = sum(minutes.get((team, person, d), 0.0) for d in range(day - 6, day + 1))
        if total > week * 60 + 1e-6:
            found.add(
                "week_hours",
                f"{person}: {total / 60:g} h of work and travel in days {max(1, day - 6)}-{day}; "
                f"at most {week:g} h",
            )
    for (team, person), own in days.groupby(level=[0, 1]):
        rest = spec.staff.min_rest_hours
        limits = spec.staff.teams.get(team)
        if limits is not None and limits.min_rest_hours is not None:
            rest = limits.min_rest_hours
        most = spec.staff.max_consecutive_days
        if limits is not None and limits.max_consecutive_days is not None:
            most = limits.max_consecutive_days
        worked = own.reset_index().sort_values("day")
        run, prev = 0, None
        for row in worked.itertuples(index=False):
            if prev is not None:
                hours = (row.first - prev.last).total_seconds() / 3600
                if hours < rest:
                    found.add(
                        "rest",
                        f"{person}: {hours:g} h between {prev.last:%Y-%m-%d %H:%M} (day "
                        f"{prev.day}) and {row.first:%Y-%m-%d %H:%M} (day {row.day}); "
                        f"at least {rest:g} h",
                    )
            run = run + 1 if prev is not None and row.day == prev.day + 1 else 1
            if most is not None and run > most:
                found.add(
                    "consecutive_days",
                    f"{person}: day {row.day} is day {run} in a row; at most {most}",
                )
            prev = row


def _rounds(
    spec: Campaign,
    loaded: LoadedCampaign,
    sealed: dict[int, set[str]],
    work: pd.DataFrame,
    found: Findings,
) -> list[dict[str, Any]]:
    """Every round of every community, worked out again, with what was sampled in it."""
    done: dict[tuple[str, int], int] = defaultdict(int)
    began: dict[tuple[str, int], datetime] = {}
    if not work.empty:
        work = work.assign(samples=pd.to_numeric(work["samples"], errors="coerce").fillna(0))
        busy = work[work["samples"] > 0]
        for (site, day), starts in busy.groupby(["site", "day"])["start"]:
            began[(site, int(day))] = datetime.strptime(min(starts), _FMT)
        for (site, day, activity), n in (
            work.groupby(["site", "day", "activity"])["samples"].sum().items()
        ):
            done[(site, int(day))] += int(n)
            if activity == "walk_in" and n > 0 and site in sealed[int(day)]:
                found.add(
                    "sealed_walk_in",
                    f"day {day}: {site} is sealed and got {int(n)} walk-in samples",
                )
    rounds = []
    changes = sorted(spec.changes, key=lambda c: c.day)
    for site in loaded.scenario.sites:
        spans: list[tuple[str, int, int]] = []  # rhythm, first day, last day
        for day in range(1, spec.days + 1):
            is_sealed = site.id in sealed[day]
            rule = next(
                r for r in spec.rhythms
                if (site.id in r.sites if r.sites is not None else r.sealed in (None, is_sealed))
            )  # fmt: skip
            length = rule.days or spec.days
            if spans and spans[-1][0] == rule.key and day - spans[-1][1] < length:
                spans[-1] = (rule.key, spans[-1][1], day)
            else:
                spans.append((rule.key, day, day))
        tests = {r.key: (r.tests, r.gap_hours) for r in spec.rhythms}
        for every, first, last in spans:
            count, gap = tests[every]
            residents = site.residents  # as the changes up to the round's first day say
            for change in (c for c in changes if c.day <= first):
                residents = change.residents.get(site.id, residents)
            sampled = sum(done[(site.id, d)] for d in range(first, last + 1))
            if sampled > residents * count:
                found.add(
                    "round_oversampled",
                    f"{site.id}, round from day {first}: {sampled} samples, "
                    f"{residents} residents x {count} test(s)",
                )
            if count > 1:
                _check_tests(site.id, residents, gap, range(first, last + 1), done, began, found)
            rounds.append(
                {"site": site.id, "rhythm": every, "first_day": first, "last_day": last,
                 "met": sampled >= residents * count}
            )  # fmt: skip
    return rounds


def _check_tests(
    site: str,
    residents: int,
    gap: float,
    days: range,
    done: dict[tuple[str, int], int],
    began: dict[tuple[str, int], datetime],
    found: Findings,
) -> None:
    """A round of several tests, told apart from the samples alone: the days' samples fill
    test 1 up to the residents, then test 2, ...; no day's samples run into two tests, and
    each test's first sample is ``gap`` hours or more after the previous test's."""
    if residents <= 0:
        return
    total, started = 0, None  # samples so far; the previous test's first sample
    test_start: datetime | None = None
    for day in days:
        n = done[(site, day)]
        if n <= 0:
            continue
        test = total // residents if residents else 0
        if (total + n - 1) // residents != test:
            found.add(
                "tests_apart",
                f"{site}, day {day}: {n} samples run from test {test + 1} into test "
                f"{(total + n - 1) // residents + 1}",
            )
        if total % residents == 0:  # a test starts today
            started, test_start = test_start, began[(site, day)]
            if started is not None and test_start - started < timedelta(hours=gap):
                hours = (test_start - started).total_seconds() / 3600
                found.add(
                    "tests_apart",
                    f"{site}, day {day}: test {test + 1} starts {test_start:%Y-%m-%d %H:%M}, "
                    f"{hours:g} h after test {test} started; at least {gap:g} h",
                )
        total += n


def _check_claims(rounds: list[dict[str, Any]], claims: dict[str, Any], found: Findings) -> None:
    said = {(r.get("site"), r.get("first_day")): r for r in claims.get("round_list", [])}
    for r in rounds:
        claim = said.pop((r["site"], r["first_day"]), None)
        what = f"{r['site']}, round of days {r['first_day']}-{r['last_day']} ({r['rhythm']})"
        if claim is None:
            found.add("rounds_claimed", f"{what}: not in campaign.json")
        elif bool(claim.get("met")) != r["met"] or claim.get("last_day") != r["last_day"]:
            found.add(
                "rounds_claimed",
                f"{what}: campaign.json says met={claim.get('met')} "
                f"to day {claim.get('last_day')}, "
                f"the files say met={r['met']}",
            )
    for site, first in said:
        found.add(
            "rounds_claimed",
            f"{site}, round from day {first}: in campaign.json, not in the campaign",
        )
