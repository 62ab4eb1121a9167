"""What a campaign is once planned: its rounds (and the tests in them), each team's state
on each day, the days' headline figures, and the whole :class:`CampaignResult` with the
document ``campaign.json`` is (docs/campaign.md). Kept apart from the planner
(:mod:`sampler.campaign`) that fills them, as a day's ``Result`` is from ``solve``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from sampler.campaign_file import Campaign
from sampler.scenario import Scenario

CAMPAIGN_FORMAT = "sampler-campaign/1"


@dataclass
class Round:
    """One round of one community: due from ``first_day``, met when nobody is left."""

    site: str
    rhythm: str
    first_day: int
    walk_in: int  # residents still to sample at a walk-in station, in the current test
    home: int  # still to sample at home, in the current test
    residents: int
    tests: int = 1  # tests of every resident in the round (rounds: N)
    gap_hours: float = 0.0  # from a test's first sample to the next test's first
    test: int = 1  # the test under way
    test_started: datetime | None = None  # the current test's first sample
    open_from: datetime | None = None  # the current test may not start before
    last_day: int = 0
    finished_day: int | None = None
    done_at: str | None = None
    why: str = ""
    cause: str = ""  # campaign_why.CAUSES: the last day's
    behind: list[dict[str, Any]] = field(default_factory=list)  # each day it was left short

    @property
    def now(self) -> int:
        """Residents left in the test under way."""
        return self.walk_in + self.home

    @property
    def left(self) -> int:
        """Samples left in the round: this test's and the tests still to come."""
        return self.now + (self.tests - self.test) * self.residents

    def next_test(self, home: int) -> None:
        """The test under way is finished; the next starts ``gap_hours`` after it did."""
        assert self.test_started is not None
        self.test += 1
        self.walk_in, self.home = self.residents - home, home
        self.open_from = self.test_started + timedelta(hours=self.gap_hours)
        self.test_started = None

    def document(self, days: int, rhythm_days: int | None) -> dict[str, Any]:
        cut = rhythm_days is not None and self.first_day + rhythm_days - 1 > days
        done = self.test - (self.now > 0)
        return {
            "site": self.site, "rhythm": self.rhythm, "first_day": self.first_day,
            "last_day": self.last_day, "met": self.left == 0, "residents": self.residents,
            "tests": self.tests, "tests_done": done,
            "sampled": self.tests * self.residents - self.left,
            "finished_day": self.finished_day,
            "done_at": self.done_at, "cut_by_campaign_end": cut,
            "why": "" if self.left == 0 else self.why,
            "cause": "" if self.left == 0 else self.cause,
            "days_short": self.behind,
        }  # fmt: skip


@dataclass(frozen=True)
class TeamDay:
    """A team on one day: ``working`` (in the day's scenario, with ``available``),
    ``absent``, or ``resting`` (``why`` says which rule)."""

    state: str
    available: str | None = None
    why: str = ""
    max_work_minutes: int | None = None  # cut by the week's hours; None: the scenario's
    held: str = ""  # how the campaign's rest rules held a working team back, if they did


@dataclass(frozen=True)
class DayPlan:
    """One day: what was due, which teams came, and the plan's headline figures."""

    day: int
    date: str
    folder: str | None  # None when nothing was due
    due: tuple[str, ...]
    teams: dict[str, TeamDay]
    summary: dict[str, Any] = field(default_factory=dict)

    def document(self) -> dict[str, Any]:
        s = self.summary
        return {
            "day": self.day, "date": self.date, "folder": self.folder,
            "sites_due": list(self.due), "status": s.get("status"),
            "coverage": s.get("coverage"), "done_at": s.get("done_at"),
            "lower_bound_done_at": s.get("lower_bound_done_at"),
            "teams": {t: {"state": d.state, "available": d.available, "why": d.why,
                          "max_work_minutes": d.max_work_minutes}
                      for t, d in self.teams.items()},
        }  # fmt: skip


@dataclass(frozen=True)
class CampaignResult:
    """The campaign as planned: its days, every round, and the two tables."""

    spec: Campaign
    template: Scenario
    days: tuple[DayPlan, ...]
    rounds: tuple[Round, ...]
    by_day: pd.DataFrame  # campaign.csv
    people: pd.DataFrame  # people.csv

    @property
    def met(self) -> bool:
        """Every round of every community met."""
        return all(r.left == 0 for r in self.rounds)

    def document(self) -> dict[str, Any]:
        """campaign.json: rounds met or not, per community and in all, and every day."""
        spec = self.spec
        rhythm_days = {r.key: r.days for r in spec.rhythms}
        rounds = [r.document(spec.days, rhythm_days[r.rhythm]) for r in self.rounds]
        communities = []
        for site in self.template.sites:
            own = [r for r in rounds if r["site"] == site.id]
            met = sum(r["met"] for r in own)
            behind = sorted({r["cause"] for r in own if not r["met"]})
            communities.append(
                {"site": site.id, "rounds": len(own), "rounds_met": met,
                 "met": met == len(own), "causes": behind}
            )  # fmt: skip
        return {
            "format": CAMPAIGN_FORMAT,
            "campaign": spec.campaign,
            "first_day": self.template.start.strftime("%Y-%m-%d"),
            "days": spec.days,
            "days_planned": sum(d.folder is not None for d in self.days),
            "met": self.met,
            "rounds": len(rounds),
            "rounds_met": sum(r["met"] for r in rounds),
            "communities": communities,
            "by_day": [d.document() for d in self.days],
            "round_list": rounds,
        }
