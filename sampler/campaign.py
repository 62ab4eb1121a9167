"""Campaigns: a scenario planned day after day, with testing rhythms and staff rest.

Days are planned in order, each as an ordinary scenario solved by :func:`sampler.solve`,
because a day's plan is what a command centre hands out before dawn, and it must stand on
its own (``sampler check`` on its folder alone). What one day leaves the next is carried
between them:

- **Rounds.** A community's rhythm (``every: 2d``) cuts the campaign into rounds from day 1
  (days 1-2, 3-4, ...); a round is due on its first day, and a community not finished
  stays due on the round's later days with only the residents still to sample (a resident
  is sampled once a round). A change of rhythm (a community sealed, and so daily) starts a
  new round; the unfinished old one is not met. A round is met when every resident was
  sampled within it (and within the campaign's days).
- **Tests.** ``rounds: N, within: Dd`` asks N tests in each D-day round, one a day at most;
  the next test opens at a community ``min_gap`` after the previous one's first sample
  there (the community's ``open`` window is cut), because a day's scenario can say when a
  site may be worked, not which resident comes when.
- **Rest.** Availability is a team's, not a person's, in a scenario: a team that worked
  starts the next day no earlier than its latest person's last row plus its rest, on the
  slot grid (so every one of its people rests at least that long). A team that has worked
  ``max_consecutive_days`` days in a row rests the next day, and may rest earlier on a day
  that needs it less (:mod:`sampler.campaign_rest`). ``max_week_hours`` cuts a team's
  ``max_work_minutes`` to its busiest person's hours left.

A team left out of a day (absent, resting, or with no time left after its rest) is not in
that day's scenario, so its people have no rows that day. Why a community fell behind is
:mod:`sampler.campaign_why`'s; what the campaign is once planned,
:mod:`sampler.campaign_result`'s.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from sampler.budget import SolveParams
from sampler.campaign_file import Campaign, LoadedCampaign, load_campaign
from sampler.campaign_rest import Run, early_rests, pair_hours, team_pair_hours
from sampler.campaign_result import CampaignResult, DayPlan, Round, TeamDay
from sampler.campaign_why import day_cause
from sampler.export import assignments_table, roster_table, sites_table, write_csv, write_plan
from sampler.loader import scenario_from_data
from sampler.output import prepare_output, staged
from sampler.result import Result, Step
from sampler.scenario import Scenario, format_clock
from sampler.solve import solve

CAMPAIGN_FILES = ("campaign.csv", "people.csv", "campaign.json", "campaign.html")
TIME = "%Y-%m-%d %H:%M"


def day_folder(day: int, days: int) -> str:
    """``day-01``: wide enough that the folders sort by day."""
    return f"day-{day:0{max(2, len(str(days)))}d}"


def in_campaign(entry: Path) -> bool:
    """An entry a campaign writes: its tables and its day folders."""
    name = entry.name
    return name in CAMPAIGN_FILES or (name.startswith("day-") and name[4:].isdigit())


def plan_campaign(
    campaign: LoadedCampaign | str | Path,
    out_dir: str | Path | None = None,
    params: SolveParams | None = None,
    *,
    force: bool = False,
    report: bool = False,
    on_step: Callable[[Step], None] | None = None,
) -> CampaignResult:
    """Plan every day of a campaign in order; with ``out_dir``, write ``OUT/day-01/``...
    (plan folders), ``campaign.csv``, ``people.csv`` and ``campaign.json``, all at once at
    the end (replacing an earlier campaign there; ``force``: also a folder holding other
    files, which are kept); ``report``: also ``campaign.html``. Raises
    :class:`~sampler.loader.ScenarioError` on bad input."""
    loaded = campaign if isinstance(campaign, LoadedCampaign) else load_campaign(campaign)
    params = params or SolveParams()
    step = on_step or (lambda _: None)
    out = prepare_output(out_dir, in_campaign, "campaign", force) if out_dir else None
    planner = _Planner(loaded.spec, loaded.scenario)
    plans: dict[str, Result] = {}
    for day in range(1, loaded.spec.days + 1):
        step(Step(f"planning day {day} of {loaded.spec.days}", day - 1, loaded.spec.days))
        result = planner.plan_day(day, params)
        if result is not None:
            plans[day_folder(day, loaded.spec.days)] = result
    found = planner.result()
    if out is not None:
        step(Step("writing the campaign"))
        with staged(out) as staging:
            for name, result in plans.items():
                write_plan(result, staging / name)
            write_csv(found.by_day, staging / "campaign.csv")
            write_csv(found.people, staging / "people.csv")
            text = json.dumps(found.document(), ensure_ascii=False, indent=2)
            (staging / "campaign.json").write_text(text + "\n", encoding="utf-8")
            if report:
                from sampler.report.campaign_page import write_campaign_report

                step(Step("writing campaign.html"))
                write_campaign_report(staging)
    return found


class _Planner:
    """The state carried from day to day: rounds, each team's last row and streak, each
    person's last row (for people.csv)."""

    def __init__(self, spec: Campaign, template: Scenario):
        self.spec, self.template = spec, template
        self.template_data = template.model_dump(mode="json", exclude_none=True)
        self.current: dict[str, Round] = {}
        self.closed: list[Round] = []
        self.team_end: dict[str, datetime] = {}
        self.streak: dict[str, int] = {t.id: 0 for t in template.teams}
        self.person_end: dict[str, datetime] = {}
        self.work_minutes: dict[tuple[tuple[str, str], int], int] = {}  # (team, person), day
        self._week_day, self._week_used = 0, dict[str, int]()  # the busiest, by team
        self.person_streak: dict[str, tuple[int, int]] = {}  # person: (last day, run)
        self.days: list[DayPlan] = []
        self.by_day: list[dict[str, Any]] = []
        self.people: list[dict[str, Any]] = []

    # -- the state of the day ------------------------------------------------------------

    def sealed(self, site: str, day: int) -> bool:
        state = self.template.site_by_id[site].sealed
        for change in sorted(self.spec.changes, key=lambda c: c.day):
            if change.day <= day and site in change.seal:
                state = True
            elif change.day <= day and site in change.release:
                state = False
        return state

    def population(self, site: str, day: int) -> tuple[int, int]:
        """Residents and home visits of a community for rounds starting on ``day``."""
        own = self.template.site_by_id[site]
        residents, home = own.residents, own.home_visits
        for change in sorted(self.spec.changes, key=lambda c: c.day):
            if change.day <= day:
                residents = change.residents.get(site, residents)
                home = change.home_visits.get(site, home)
        return residents, home

    def present(self, team: str, day: int) -> bool:
        changes = sorted(self.spec.changes, key=lambda c: c.day)
        events = [
            (c.day, team in c.teams_arrive)
            for c in changes
            if team in c.teams_arrive + c.teams_leave
        ]
        state = not events or not events[0][1]  # absent until its first arrival
        for when, arrives in events:
            if when <= day:
                state = arrives
        return state

    def _rounds_for(self, day: int) -> dict[str, bool]:
        """Start, carry or close each community's round; returns each one's sealed state."""
        states = {}
        for site in self.template.sites:
            sealed = self.sealed(site.id, day)
            states[site.id] = sealed
            rhythm = next(r for r in self.spec.rhythms if r.selects(site.id, sealed))
            cur = self.current.get(site.id)
            new = cur is None or cur.rhythm != rhythm.key
            if cur is not None and rhythm.days is not None:
                new = new or day >= cur.first_day + rhythm.days
            if new:
                if cur is not None:
                    cur.last_day = day - 1
                    if cur.left and not cur.why:
                        cur.why = "rhythm changed before it was finished"
                    if cur.left and not cur.cause:
                        cur.cause = "rhythm_changed"
                    self.closed.append(cur)
                residents, home = self.population(site.id, day)
                home = residents if sealed else home
                self.current[site.id] = Round(
                    site.id, rhythm.key, day, residents - home, home, residents,
                    rhythm.tests, rhythm.gap_hours,
                )  # fmt: skip
            elif sealed and cur is not None and cur.walk_in:
                cur.home, cur.walk_in = cur.home + cur.walk_in, 0  # sealed: all at home now
        return states

    def _teams_for(self, day: int, start: datetime) -> dict[str, TeamDay]:
        sc = self.template
        out = {}
        for team in sc.teams:
            most = self.spec.staff.consecutive_days(team.id)
            if not self.present(team.id, day):
                out[team.id] = TeamDay("absent")
                continue
            if most is not None and self.streak[team.id] >= most:
                out[team.id] = TeamDay("resting", why=f"worked {most} days in a row")
                continue
            lo, hi = sc.available_minutes(team)
            own = lo
            last = self.team_end.get(team.id)
            if last is not None:
                rest = timedelta(hours=self.spec.staff.rest_hours(team.id))
                earliest = (last + rest - start).total_seconds() / 60
                slot = sc.slot_minutes
                lo = max(lo, math.ceil(earliest / slot) * slot)
            if hi - lo < sc.slot_minutes:
                why = f"rests until {(last + rest).strftime(TIME)}" if last else "no time"
                out[team.id] = TeamDay("resting", why=why)
                continue
            window: str | None = f"{_clock(start, lo)}-{_clock(start, hi)}"
            if lo == own:  # not cut: as in the scenario (a whole 24 h day has no clock window)
                window = None if team.available is None else str(team.available)
            week = self._week_minutes_left(team.id, day)
            if week is not None and week < sc.slot_minutes:
                limit = self.spec.staff.week_hours(team.id)
                why = f"worked its {limit:g} h in the last 7 days"
                out[team.id] = TeamDay("resting", why=why)
                continue
            cut = week if week is not None and week < sc.rules(team).max_work_minutes else None
            held = [f"starts {_clock(start, lo)} after its rest"] if lo > own else []
            held += [f"works at most {cut} min (week's hours)"] if cut is not None else []
            out[team.id] = TeamDay("working", window, max_work_minutes=cut, held=", ".join(held))
        runs = {
            t: Run(self.streak[t], most, team_pair_hours(sc, sc.team_by_id[t]))
            for t, d in out.items()
            if d.state == "working" and (most := self.spec.staff.consecutive_days(t)) is not None
        }
        if runs:
            demand = self._demand_by_day(day)
            early = early_rests(
                day, self.spec.days, runs, lambda d: demand.get(d, 0.0), self.present
            )
            for t, why in early.items():
                out[t] = TeamDay("resting", why=why)
        return out

    def _week_minutes_left(self, team: str, day: int) -> int | None:
        """Work and travel minutes the team's busiest person may still do today under
        ``max_week_hours`` (any 7 days in a row); None without a limit."""
        limit = self.spec.staff.week_hours(team)
        if limit is None:
            return None
        if self._week_day != day:  # the busiest person of each team, once a day
            used: defaultdict[tuple[str, str], int] = defaultdict(int)
            for (who, when), minutes in self.work_minutes.items():
                if day - 6 <= when < day:
                    used[who] += minutes
            self._week_used = {}
            for (own, _), minutes in used.items():
                self._week_used[own] = max(self._week_used.get(own, 0), minutes)
            self._week_day = day
        return int(limit * 60) - self._week_used.get(team, 0)

    def _demand_by_day(self, day: int) -> dict[int, float]:
        """Pair-hours due: today's from the rounds as they stand, later days' from the
        rounds that start on them (the rhythms and seals are known ahead; what a day will
        leave over is not)."""
        sc = self.template
        out = {day: sum(pair_hours(sc, r.walk_in, r.home) for r in self.current.values())}
        # tests still to come in the rounds under way, one a day from tomorrow
        for r in self.current.values():
            home = min(self.population(r.site, r.first_day)[1], r.residents)
            need = pair_hours(sc, r.residents - home, home)
            for k in range(r.tests - r.test):
                out[day + 1 + k] = out.get(day + 1 + k, 0.0) + need
        for site in sc.sites:
            cur = self.current[site.id]
            every, first = cur.rhythm, cur.first_day
            for when in range(day + 1, self.spec.days + 1):
                sealed = self.sealed(site.id, when)
                rhythm = next(r for r in self.spec.rhythms if r.selects(site.id, sealed))
                if rhythm.key == every and (rhythm.days is None or when < first + rhythm.days):
                    continue
                every, first = rhythm.key, when
                residents, home = self.population(site.id, when)
                home = residents if sealed else home
                for test in range(when, min(when + rhythm.tests, self.spec.days + 1)):
                    out[test] = out.get(test, 0.0) + pair_hours(sc, residents - home, home)
        return out

    def day_scenario(self, day: int) -> tuple[Scenario | None, dict[str, TeamDay], dict[str, bool]]:
        """The day's scenario (None when no community is due), its teams and seals."""
        states = self._rounds_for(day)
        shift = timedelta(days=day - 1)
        start = self.template.start + shift
        teams = self._teams_for(day, start)
        data = dict(self.template_data)
        data["scenario"] = f"{self.template.scenario} · day {day}".strip(" ·")
        data["start"] = start.strftime("%Y-%m-%dT%H:%M")
        data["end"] = (self.template.end + shift).strftime("%Y-%m-%dT%H:%M")
        data["sites"] = []
        for site in self.template_data["sites"]:
            cur = self.current[site["id"]]
            opening = self._opening(cur, start)
            if cur.now and opening is not False:
                row = {**site, "residents": cur.now, "home_visits": cur.home,
                       "sealed": states[site["id"]]}  # fmt: skip
                if opening is not None:
                    row["open"] = opening
                data["sites"].append(row)
        data["teams"] = [
            {**t, "available": teams[t["id"]].available}
            | ({"max_work_minutes": cut} if (cut := teams[t["id"]].max_work_minutes) else {})
            for t in self.template_data["teams"]
            if teams[t["id"]].state == "working"
        ]
        if not data["sites"]:
            return None, teams, states
        return scenario_from_data(data, f"day {day}"), teams, states

    def _opening(self, cur: Round, start: datetime) -> str | bool | None:
        """The site's open window on a day starting at ``start`` when a test's gap cuts it
        (None: not cut; False: closed all day, the test may not start yet)."""
        if cur.open_from is None or cur.open_from <= start:
            return None
        sc = self.template
        lo, hi = sc.open_minutes(sc.site_by_id[cur.site])
        slot = sc.slot_minutes
        cut = math.ceil((cur.open_from - start).total_seconds() / 60 / slot) * slot
        if cut > lo:
            lo = cut
        if hi - lo < slot:
            return False
        return f"{_clock(start, lo)}-{_clock(start, hi)}"

    # -- a day planned -------------------------------------------------------------------

    def plan_day(self, day: int, params: SolveParams) -> Result | None:
        sc, teams, states = self.day_scenario(day)
        date = (self.template.start + timedelta(days=day - 1)).strftime("%Y-%m-%d")
        result = solve(sc, params) if sc is not None else None
        sampled: dict[str, tuple[int, int, str | None]] = {}
        reasons: dict[str, str] = {}
        first: dict[str, datetime] = {}
        if result is not None:
            table = sites_table(result)
            for row in table.itertuples(index=False):
                done = row.done_at or None
                sampled[row.site] = (int(row.walk_in_sampled), int(row.door_to_door_sampled), done)
            reasons = {s["site"]: s["reason"] for s in result.summary()["sites_short"]}
            work = assignments_table(result)
            work = work[work["samples"] > 0]
            for site, starts in work.groupby("site")["start"]:
                first[str(site)] = datetime.strptime(min(starts), TIME)
        self._carry_people(day, date, result)
        held = [
            f"{t} {d.state} ({d.why})" if d.state == "resting" else f"{t} {d.held}"
            for t, d in teams.items()
            if d.state == "resting" or d.held
        ]
        due = []
        for site in self.template.sites:
            cur = self.current[site.id]
            is_due = site.id in sampled
            due_now, left, test, cause = cur.now, 0, cur.test, ""
            walk, home, done = sampled.get(site.id, (0, 0, None))
            if is_due:
                due.append(site.id)
                cur.walk_in -= walk
                cur.home -= home
                if cur.test_started is None and site.id in first:
                    cur.test_started = first[site.id]
                left, test = cur.now, cur.test
                if cur.now == 0 and cur.test < cur.tests:
                    home_visits = self.population(site.id, cur.first_day)[1]
                    cur.next_test(cur.residents if states[site.id] else home_visits)
                elif cur.left == 0:
                    cur.finished_day, cur.done_at = day, done
                else:
                    reason = reasons.get(site.id, "planner: not finished")
                    cause, why = day_cause(reason, held)
                    cur.why = f"day {day}: {why}"
            elif cur.left and cur.open_from is not None:
                cause = "min_gap"
                cur.why = (
                    f"day {day}: test {cur.test} may not start before "
                    f"{cur.open_from.strftime(TIME)} (min_gap)"
                )
            elif cur.left and sc is None:
                cause = "not_planned"
                cur.why = f"day {day}: nothing planned"
            if cause:
                cur.cause = cause
                cur.behind.append({"day": day, "test": cur.test, "left": cur.now, "cause": cause})
            self.by_day.append(
                {"day": day, "date": date, "site": site.id, "name": site.name,
                 "sealed": str(states[site.id]).lower(), "rhythm": cur.rhythm,
                 "round_first_day": cur.first_day, "due": str(is_due).lower(),
                 "residents_due": due_now if is_due else 0, "sampled": walk + home,
                 "left": left if is_due else 0, "done_at": done or "",
                 "test": test if is_due else "", "cause": cause}
            )  # fmt: skip
        folder = day_folder(day, self.spec.days) if result is not None else None
        summary = result.summary() if result is not None else {}
        self.days.append(DayPlan(day, date, folder, tuple(due), teams, summary))
        return result

    def _carry_people(self, day: int, date: str, result: Result | None) -> None:
        """Each person's day from the roster; the teams' last rows and streaks."""
        worked: set[str] = set()
        if result is not None:
            roster = roster_table(result)
            roster = roster.assign(
                start=pd.to_datetime(roster["start"], format=TIME),
                end=pd.to_datetime(roster["end"], format=TIME),
            )
            busy = (roster["end"] - roster["start"]).dt.total_seconds() // 60
            roster = roster.assign(busy=busy.where(roster["activity"] != "break", 0))
            # one row per person (a city has tens of thousands: no per-group pandas work)
            per_person = roster.groupby(["team", "person"], sort=True).agg(
                first=("start", "min"), last=("end", "max"), minutes=("busy", "sum")
            )
            for (team, person), first_ts, last_ts, busy_minutes in zip(
                per_person.index, per_person["first"], per_person["last"],
                per_person["minutes"], strict=True,
            ):  # fmt: skip
                first, last = first_ts.to_pydatetime(), last_ts.to_pydatetime()
                minutes = int(busy_minutes)
                self.work_minutes[(team, person), day] = minutes
                hours = minutes / 60
                before = self.person_end.get(person)
                rest = "" if before is None else round((first - before).total_seconds() / 3600, 2)
                yesterday = self.person_streak.get(person, (0, 0))
                streak = yesterday[1] + 1 if yesterday[0] == day - 1 else 1
                self.person_streak[person] = (day, streak)
                self.people.append(
                    {"day": day, "date": date, "team": team, "person": person,
                     "first_start": first.strftime(TIME), "last_end": last.strftime(TIME),
                     "work_hours": round(hours, 2),
                     "rest_hours": rest,
                     "consecutive_days": streak}
                )  # fmt: skip
                self.person_end[person] = last
                self.team_end[team] = (
                    max(last, self.team_end.get(team, last)) if team in worked else last
                )
                worked.add(team)
        for team in self.streak:
            self.streak[team] = self.streak[team] + 1 if team in worked else 0

    def result(self) -> CampaignResult:
        rounds = list(self.closed)
        for cur in self.current.values():
            cur.last_day = self.spec.days
            rounds.append(cur)
        rounds.sort(key=lambda r: (r.site, r.first_day))
        return CampaignResult(
            self.spec, self.template, tuple(self.days), tuple(rounds),
            pd.DataFrame(self.by_day, columns=BY_DAY_COLUMNS),
            pd.DataFrame(self.people, columns=PEOPLE_COLUMNS),
        )  # fmt: skip


BY_DAY_COLUMNS = [
    "day", "date", "site", "name", "sealed", "rhythm", "round_first_day", "due",
    "residents_due", "sampled", "left", "done_at", "test", "cause",
]  # fmt: skip
PEOPLE_COLUMNS = [
    "day", "date", "team", "person", "first_start", "last_end", "work_hours", "rest_hours",
    "consecutive_days",
]  # fmt: skip


def _clock(start: datetime, minute: int) -> str:
    at = start + timedelta(minutes=minute)
    return format_clock(at.hour * 60 + at.minute)
