"""The changes checked against the plan, and the whole-day scenario they make.

A changes file is checked here against the plan's scenario and its frozen morning: ids that
exist (a new one that does not), times between ``at`` and the end of the day (the past is
kept as planned, so a change cannot reach back before ``at``), a team that leaves after it
arrived, corrections that leave at least what was already sampled. Every problem names the
changes file's line, and nothing is planned or written until all are gone.

The whole-day scenario is what ``sampler check`` verifies the replanned folder against, so
it must hold the morning and the afternoon at once. Version 1 scenarios have one value per
key for the whole day; where a change cannot be said that way, the scenario holds what
both halves satisfy, and plan.json's ``replan`` section records the change itself:

- a team that leaves: its ``available`` ends then;
- people sent home: the team keeps its head count (its pairs keep their ids), the pairs
  sent home have no rows after the change;
- a community sealed after walk-in there: ``sealed`` stays false and ``home_visits``
  becomes everyone not sampled walk-in by then (so no more walk-in fits);
- stations: the larger of the old and the new count (the afternoon is planned with the new);
- opening hours: from the first work there in the morning (or the new opening) to the new
  closing (the afternoon is planned inside the new hours).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sampler.changes import ChangesFile
from sampler.instance import DOOR_TO_DOOR, WALK_IN
from sampler.loader import InputProblem, ScenarioError
from sampler.plan import pair_ids, person_ids
from sampler.scenario import ClockWindow, Scenario, Team, format_clock, window_offsets
from sampler.variants import close_match


def minute_of(sc: Scenario, clock: int) -> int:
    """A clock time (minutes after midnight) as minutes from the horizon start."""
    return window_offsets(sc.start, ClockWindow(start=clock, end=clock))[0]


def clock_of(sc: Scenario, minute: int) -> str:
    """Minutes from the horizon start as a clock time ``HH:MM`` (``24:00`` at midnight)."""
    clock = sc.start.hour * 60 + sc.start.minute + minute
    return format_clock(clock - 24 * 60 if clock > 24 * 60 else clock)


@dataclass
class Effects:
    """What the changes do, in minutes of the whole-day scenario."""

    at: int
    until: dict[str, int] = field(default_factory=dict)  # pair -> the end of its day
    joins: dict[str, int] = field(default_factory=dict)  # new pair -> when it may start
    changed_sites: set[str] = field(default_factory=set)
    sealed: set[str] = field(default_factory=set)
    stations: dict[str, int] = field(default_factory=dict)  # site -> afternoon stations
    opens: dict[str, tuple[int, int]] = field(default_factory=dict)  # site -> afternoon hours
    new_teams: set[str] = field(default_factory=set)


def _pairs(team_id: str, people: int) -> list[str]:
    return pair_ids(team_id, people // 2)


def apply_changes(
    cf: ChangesFile,
    sc: Scenario,
    done: dict[tuple[str, str], int],
    busiest: dict[str, int],
    first_work: dict[str, tuple[int, int]],
) -> tuple[Scenario, Effects]:
    """The whole-day scenario and the changes' effects; raises :class:`ScenarioError` naming
    the changes file's lines for every change that cannot apply to this plan.

    ``done``: samples by (site, mode) before ``at``; ``busiest``: most walk-in pairs at once
    at a site before ``at``; ``first_work``: per site, the first start and last end of work
    there before ``at``.
    """
    ch = cf.changes
    problems: list[InputProblem] = []
    horizon = f"{sc.start:%H:%M}-{sc.end:%H:%M}"
    at = minute_of(sc, ch.at)
    if not 0 < at < sc.horizon_minutes:
        raise ScenarioError(
            [
                cf.problem(
                    ("at",), f"{format_clock(ch.at)} is not inside the plan's horizon {horizon}"
                )
            ]
        )
    if at + sc.slot_minutes > sc.horizon_minutes:
        raise ScenarioError(
            [
                cf.problem(
                    ("at",),
                    f"less than one slot ({sc.slot_minutes} min) of the day is left after it",
                )
            ]
        )
    data = sc.model_dump(mode="json", exclude_none=True)
    teams = {t["id"]: t for t in data["teams"]}
    sites = {s["id"]: s for s in data["sites"]}
    fx = Effects(at=at)

    def bad(problem: tuple) -> None:
        problems.append(cf.problem(*problem))

    def when(loc: tuple, clock: int | None) -> int | None:
        if clock is None:
            return at
        minute = minute_of(sc, clock)
        if minute > sc.horizon_minutes:
            bad((loc, f"{format_clock(clock)} is not inside the plan's horizon {horizon}"))
            return None
        if minute < at:
            bad(
                (
                    loc,
                    f"{format_clock(clock)} is before at "
                    f"({format_clock(ch.at)}): the past is kept as planned",
                )
            )
            return None
        return minute

    def window_ok(loc: tuple, window: ClockWindow | None) -> tuple[int, int] | None:
        if window is None:
            return 0, sc.horizon_minutes
        a, b = window_offsets(sc.start, window)
        if a < 0 or b > sc.horizon_minutes or a >= b:
            bad((loc, f"{window} is not inside the horizon {horizon}"))
            return None
        return a, b

    for i, change in enumerate(ch.changes):
        kind, body = change.kind, change.body
        loc = ("changes", i, kind)
        if kind == "add_team":
            if body.id in teams:
                problems.append(
                    cf.problem((*loc, "id"), f"team {body.id!r} is already in the plan")
                )
                continue
            span = window_ok((*loc, "available"), body.available)
            if span is None:
                continue
            if span[1] <= at:
                problems.append(
                    cf.problem((*loc, "available"), f"ends before at ({format_clock(ch.at)})")
                )
                continue
            teams[body.id] = body.model_dump(mode="json", exclude_none=True)
            fx.new_teams.add(body.id)
            for pair in _pairs(body.id, body.people):
                fx.joins[pair] = max(at, span[0])
            continue
        if kind in ("team_leaves", "team_people"):
            if body.team not in teams:
                bad(((*loc, "team"), _unknown("team", body.team, teams)))
                continue
            minute = when((*loc, "at"), body.at)
            if minute is None:
                continue
            entry = teams[body.team]
            window = sc.available_minutes(Team.model_validate(entry))
            if kind == "team_leaves":
                if minute <= window[0]:
                    bad(
                        (
                            (*loc, "at"),
                            f"{clock_of(sc, minute)} is before the "
                            f"team arrives ({clock_of(sc, window[0])})",
                        )
                    )
                    continue
                entry["available"] = f"{clock_of(sc, window[0])}-{clock_of(sc, minute)}"
                for pair in _pairs(body.team, entry["people"]):
                    fx.until[pair] = min(fx.until.get(pair, minute), minute)
                continue
            old = entry["people"]
            widths = {len(p) for p, _ in person_ids(body.team, max(old, body.people) // 2)[-1:]}
            widths |= {len(p) for p, _ in person_ids(body.team, old // 2)[-1:]}
            if old and len(widths) > 1:
                bad(
                    (
                        (*loc, "people"),
                        f"{old} -> {body.people} would rename "
                        "the team's people; add a new team for the extra people",
                    )
                )
                continue
            kept = _pairs(body.team, min(old, body.people))
            for pair in _pairs(body.team, old)[len(kept) :]:
                fx.until[pair] = min(fx.until.get(pair, minute), minute)
            for pair in _pairs(body.team, body.people)[len(_pairs(body.team, old)) :]:
                fx.joins[pair] = max(minute, window[0])
            entry["people"] = max(old, body.people)
            continue
        if kind == "add_site":
            if body.id in sites:
                problems.append(
                    cf.problem((*loc, "id"), f"site {body.id!r} is already in the plan")
                )
                continue
            if window_ok((*loc, "open"), body.open) is None:
                continue
            sites[body.id] = body.model_dump(mode="json", exclude_none=True)
            fx.changed_sites.add(body.id)
            continue
        if body.site not in sites:
            bad(((*loc, "site"), _unknown("site", body.site, sites)))
            continue
        entry = sites[body.site]
        walk_done = done.get((body.site, WALK_IN), 0)
        home_done = done.get((body.site, DOOR_TO_DOOR), 0)
        fx.changed_sites.add(body.site)
        if kind == "seal":
            if when((*loc, "at"), body.at) is not None:
                fx.sealed.add(body.site)
        elif kind == "residents":
            if body.residents < walk_done + home_done:
                bad(
                    (
                        (*loc, "residents"),
                        f"{walk_done + home_done} are already sampled here before at",
                    )
                )
                continue
            entry["residents"] = body.residents
            if body.home_visits is not None:
                entry["home_visits"] = body.home_visits
            home = entry.get("home_visits", 0)
            if home > body.residents:
                bad(
                    (
                        (*loc, "home_visits" if body.home_visits is not None else "residents"),
                        f"home visits ({home}) exceed residents ({body.residents})",
                    )
                )
                continue
            sealed = entry.get("sealed", False)
            if not sealed and (home < home_done or body.residents - home < walk_done):
                bad(
                    (
                        loc,
                        f"{walk_done} walk-in and {home_done} at home "
                        "are already sampled here before at",
                    )
                )
        elif kind == "stations":
            fx.stations[body.site] = body.stations
            entry["stations"] = max(
                body.stations, entry.get("stations", 4), busiest.get(body.site, 0)
            )
        elif kind == "open":
            span = window_ok((*loc, "open"), body.open)
            if span is None:
                continue
            fx.opens[body.site] = span
            a, b = span
            if body.site in first_work:
                a, b = min(a, first_work[body.site][0]), max(b, first_work[body.site][1])
            entry["open"] = f"{clock_of(sc, a)}-{clock_of(sc, b)}"
    if problems:
        raise ScenarioError(problems)
    for site_id in fx.sealed:
        entry = sites[site_id]
        walk_done = done.get((site_id, WALK_IN), 0)
        if walk_done == 0:
            entry["sealed"] = True
        else:
            entry["sealed"] = False
            entry["home_visits"] = entry["residents"] - walk_done
    data["teams"] = list(teams.values())
    data["sites"] = list(sites.values())
    return Scenario.model_validate(data), fx


def _unknown(kind: str, ident: str, known: dict[str, Any]) -> str:
    return f"unknown {kind} {ident!r}{close_match(ident, list(known))}"
