"""What the checker reports: the rules it knows, and broken rules grouped one per rule id.

A badly broken plan can break one rule in thousands of rows. Grouping keeps the report
readable: one :class:`Violation` per rule id, with the number of cases and up to
``MAX_EXAMPLES`` concrete examples, in the order of :data:`RULES`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

MAX_EXAMPLES = 5

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
    # docs/labs.md, for a scenario with labs
    "lab_files": "With labs, collections.csv and labs.csv are present with their columns",
    "lab_collections": "collections.csv has the pickups, samples by mode and pooled tube "
    "counts that assignments.csv gives (docs/labs.md rules 1-3)",
    "lab_travel": "A collection arrives at its lab no sooner than pickup + courier minutes",
    "lab_swab_limit": "A collection arrives within max_swab_to_lab_minutes of its oldest swab",
    "lab_capacity": "labs.csv is the hour-by-hour count of the queues, and no lab loads more "
    "tubes in an hour than its capacity",
    "lab_fifo": "tested_at is when the lab's first-in, first-out queue loads the "
    "collection's last tube",
    "lab_results": "results_at = tested_at + batch_minutes; within_target, sites.csv "
    "results_at and plan.json's results agree with collections.csv",
    # sampler check --original (a replanned folder; sampler.check.replanned)
    "past": "Replan: every row of the original plan that ended by the cut (at, or the "
    "freeze time) is in the replanned folder unchanged",
    "changes": "Replan: after the cut the changes hold (sealed: no walk-in; a team that left "
    "or a pair sent home: no row ending later; a new team or site: nothing before it starts; "
    "the new stations and opening hours)",
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


class Findings:
    """Violations grouped by rule id: a count and the first few examples."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.examples: dict[str, list[str]] = {}

    def add(self, rule: str, example: str) -> None:
        """Record one case of ``rule``."""
        self.add_many(rule, [example], 1)

    def add_many(self, rule: str, examples: Iterable[str], count: int) -> None:
        """Record ``count`` cases of ``rule``, keeping the first few ``examples``."""
        if count <= 0:
            return
        self.counts[rule] += count
        kept = self.examples.setdefault(rule, [])
        for example in examples:
            if len(kept) >= MAX_EXAMPLES:
                break
            kept.append(example)

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
        self.add_many(rule, examples, len(bad))

    def violations(self) -> tuple[Violation, ...]:
        """One :class:`Violation` per broken rule, in the order of :data:`RULES`."""
        order = {rule: i for i, rule in enumerate(RULES)}
        out = []
        for rule in sorted(self.counts, key=lambda r: order.get(r, len(order))):
            n = self.counts[rule]
            message = f"{RULES.get(rule, rule)}: broken {n} time{'s' if n != 1 else ''}."
            out.append(Violation(rule, message, tuple(self.examples[rule])))
        return tuple(out)
