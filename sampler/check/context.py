"""One run of the checker: the scenario, the plan folder and the findings so far.

Every reading step and rule check takes this :class:`Context` as its first argument, so a
rule states only its own logic; the scenario lookups, the time conversions and the way a
row is quoted in an example are shared here, and read the same in every report line.
Times are whole minutes from the horizon start, as in :mod:`sampler.scenario`.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from sampler.check.contract import TIME_FORMAT, TIME_PATTERN
from sampler.check.findings import Findings
from sampler.scenario import ClockWindow, Scenario

DAY = 24 * 60


class Context:
    """The scenario and plan folder of one check, its findings, and helpers every rule uses."""

    def __init__(self, scenario: Scenario, plan_dir: Path) -> None:
        self.sc = scenario
        self.dir = plan_dir
        self.found = Findings()
        self.teams = scenario.team_by_id
        self.sites = scenario.site_by_id
        self.team_rules = {t.id: scenario.rules(t) for t in scenario.teams}
        one_day = scenario.start.date() == scenario.at(scenario.horizon_minutes).date()
        self._clock_format = "%H:%M" if one_day else "%m-%d %H:%M"

    def t(self, minute: Any) -> str:
        """Minutes from the horizon start, shown as a clock time for examples."""
        return self.sc.at(int(minute)).strftime(self._clock_format)

    def stamp(self, minute: Any) -> str:
        """Minutes from the horizon start as the plan files write a time."""
        return self.sc.at(int(minute)).strftime(TIME_FORMAT)

    def minutes(self, text: str) -> int | None:
        """``YYYY-MM-DD HH:MM`` -> minutes from the horizon start; None if not such a time."""
        if not re.fullmatch(TIME_PATTERN, text):
            return None
        try:
            moment = datetime.strptime(text, TIME_FORMAT)
        except ValueError:
            return None
        return int((moment - self.sc.start).total_seconds() // 60)

    def window(self, clock: ClockWindow | None) -> tuple[int, int]:
        """A site's ``open`` or a team's ``available`` as minutes from the horizon start.

        Read here, not with the planner's ``Scenario.open_minutes``, so that a planner that
        misreads a window is caught: it opens when its start clock first comes round in the
        horizon (the next day for a clock before the horizon's start) and lasts from start
        to end clock, through midnight when the end clock is the earlier one (a night round
        ``18:00-02:00``). None is the whole horizon.
        """
        if clock is None:
            return 0, self.sc.horizon_minutes
        opens = (clock.start - (self.sc.start.hour * 60 + self.sc.start.minute)) % DAY
        lasts = (clock.end - clock.start) % DAY or DAY  # 00:00-24:00 is a whole day
        return opens, opens + lasts

    def rule_by_team(self, key: str) -> dict[str, Any]:
        """One rate or limit for every team, its own override or the default."""
        return {team: getattr(rules, key) for team, rules in self.team_rules.items()}

    @cached_property
    def site_code(self) -> dict[str, int]:
        """Site id -> its index in the scenario's sites."""
        return {s.id: i for i, s in enumerate(self.sc.sites)}

    def row(self, file: str, r: Any) -> str:
        """A roster or assignments row as an example."""
        who = getattr(r, "person", None) or f"pair {r.pair}"
        where = f" {r.site}" if r.site else ""
        return f"{file} line {r.line}: {who} {r.activity}{where} {self.t(r.start)}-{self.t(r.end)}"
