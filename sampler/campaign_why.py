"""Why a community falls behind its rhythm: one cause per day short, in the words of the
single-day shortfall reasons (:mod:`sampler.shortfall`), with rest told apart.

A day's plan names the limit that left a site short (``staff``, ``stations``, ``window``,
``reach``, ``skills``, ``planner``). Across days one more cause matters: staff held back
by the campaign's own rules (resting, starting late after their rest, hours cut by the
week's limit). When a day is short of staff and some team was held back that day, the cause
is ``rest``: it is the campaign's rules, not the teams sent, that ran out. A test waiting
for its ``min_gap`` is ``min_gap``; a round cut by a change of rhythm ``rhythm_changed``.
"""

from __future__ import annotations

from collections.abc import Sequence

CAUSES: dict[str, str] = {
    "rest": "staff held back by rest rules (resting, late starts, week's hours) on a day short",
    "staff": "the teams' pair-hours run out",
    "stations": "the community's stations cannot take its walk-in residents in its hours",
    "window": "the pair-time inside the community's open hours runs out",
    "reach": "no team can get there while it is open",
    "skills": "no team trained for door-to-door sampling",
    "no_team": "no team working",
    "planner": "the bound says they could be sampled; the plan did not find how",
    "min_gap": "the next test may not start yet (min_gap)",
    "rhythm_changed": "the rhythm changed before the round was finished",
    "not_planned": "nothing was planned on the day",
}
_STAFF = ("staff", "window", "reach", "no_team", "skills")


def day_cause(reason: str, held: Sequence[str]) -> tuple[str, str]:
    """(cause, why) for a site a day's plan left short with ``reason`` (plan.json's
    ``sites_short`` reason), given the teams held back by rest that day."""
    kind = reason.split(":", 1)[0].strip()
    if kind == "no team is sent":
        kind = "no_team"
    if kind not in CAUSES:
        kind = "planner"
    if kind in _STAFF and held:
        return "rest", f"{reason}; held back by rest: {'; '.join(held)}"
    return kind, reason
