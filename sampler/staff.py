"""``least_staff``: the fewest people a team needs so that everyone is sampled by a deadline.

The search uses the proven lower bound first. The bound (:mod:`sampler.bound`) never gets
later with more people, so bisection on it finds the smallest count ``B`` whose bound meets
the deadline; every count below ``B`` is ruled out with a proof, without planning. Plans
are heuristic: from ``B`` upwards the planner is run, galloping (2, 4, 8, ... more people)
until a plan meets the deadline, then bisecting between the last count that missed and the
first that met; the team's own count is planned first where the bound allows it, so that
an answer is never above a count the scenario already has and whose plan meets the
deadline (the generator's small seed 2 at --time-limit 2, 96 people sent and planned
done at 19:00, was answered 102 for 19:00: galloping from the bound's 76 planned 76, 78,
82 and 90, which missed, and 106, which met; then 98 and 100 missed. Planned first, 96
meets, and 84 to 94 miss: 96). The answer ``N`` is a count whose plan meets the deadline
while the count two below it either cannot (the bound proves it) or was planned and missed
(a plan, not a proof: a longer search might do better). Counts are even: people work in
pairs.

The plan search assumes that more people never give a later plan. The bound obeys that;
the planner, a heuristic, does not always (on yunzhou-shuibosi, 152 people were planned
done at 18:00 and 154 at 18:30), so a count below the answer may also have a plan that
meets the deadline. ``sampler compare`` over the counts shows it.

Counts are searched as pairs up to ``max_people``. When even that many cannot meet the
deadline by the bound (the deadline falls before the sites open, before anyone can arrive,
or the stations cannot take the residents in time), the result says why and nothing is
written.

The national guideline's rule of thumb, one sampler per 360 residents a day, is given
beside the answer: every person of a pair counted as a sampler, rounded up to whole pairs,
``people = 2 x ceil(residents / 720)``, for all the scenario's residents, against all the
people sent at the answer (this team and the others).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from sampler.bound import Bounds, compute_bounds
from sampler.budget import SolveParams
from sampler.export import write_plan
from sampler.geo import EARTH_RADIUS_KM_MIN, great_circle_km, travel_minutes
from sampler.instance import Instance
from sampler.loader import InputProblem, LineMap, ScenarioError, scenario_from_data
from sampler.output import Output, prepare_output
from sampler.plan_folder import TIME_FORMAT
from sampler.result import Result
from sampler.runners import Runner
from sampler.scenario import Scenario, Team, parse_clock
from sampler.solve import on_grid, solve
from sampler.variants import VariantError, close_match, parse_value, split_values

GUIDELINE_RESIDENTS_PER_SAMPLER = 360  # per day: national guideline, 3rd edition (2022)
DEFAULT_MAX_PEOPLE = 2000
SPEC_KEYS = ("at", *Team.model_fields)


@dataclass(frozen=True)
class Trial:
    """One count looked at: by its lower bound (no plan) or by a plan."""

    people: int
    by: str  # "bound" or "plan"
    meets: bool
    bound_minute: int | None  # the continuous lower bound on done_at; None: nobody finishes
    done_minute: int | None = None  # the plan's done_at (by plan); None: not everyone
    status: str | None = None  # the plan's status (by plan)
    coverage: float | None = None  # the plan's coverage (by plan)


@dataclass(frozen=True)
class Evidence:
    """Why ``people`` (the answer less one pair) does not make the deadline."""

    people: int
    kind: str  # "bound": a proof; "plan": a plan that misses (not a proof)
    text: str
    bound_done_at: datetime | None  # continuous lower bound; None: not everyone in the horizon
    bound_done_at_on_grid: datetime | None
    max_sampled: int  # most residents any plan can sample in the horizon (bound)
    plan_done_at: datetime | None = None  # kind "plan": when the plan is done (None: never)
    plan_status: str | None = None
    plan_coverage: float | None = None

    @property
    def proof(self) -> bool:
        return self.kind == "bound"


@dataclass(frozen=True)
class Guideline:
    """The national rule of thumb for the whole scenario."""

    residents: int
    samplers: float  # residents / 360
    people: int  # in whole pairs: 2 x ceil(residents / 720)

    @classmethod
    def of(cls, residents: int) -> Guideline:
        samplers = residents / GUIDELINE_RESIDENTS_PER_SAMPLER
        return cls(residents, samplers, 2 * math.ceil(samplers / 2))

    @property
    def rule(self) -> str:
        return (
            f"national guideline: samplers = residents / {GUIDELINE_RESIDENTS_PER_SAMPLER} a "
            f"day = {self.residents:,} / {GUIDELINE_RESIDENTS_PER_SAMPLER} = "
            f"{self.samplers:,.1f}; every person of a pair counted as a sampler, rounded up "
            f"to whole pairs: {self.people:,} people ({self.people // 2:,} pairs)"
        )


@dataclass(frozen=True)
class StaffResult:
    """The answer of :func:`least_staff`, with its evidence and the search that found it."""

    scenario: Scenario  # as given (with an added team at 0 people)
    team: str
    added: bool  # a new team (``add_team``) rather than one of the scenario's
    deadline: datetime
    people: int | None  # the answer; None: no count up to max_people meets the deadline
    result: Result | None  # the plan at the answer
    evidence: Evidence | None  # about people - 2 (None when the answer is 0 or none)
    guideline: Guideline
    other_people: int  # people of the other teams, as in the scenario
    max_people: int
    trials: tuple[Trial, ...] = ()
    reason: str | None = None  # why no count meets the deadline
    plan_dir: Path | None = None

    @property
    def found(self) -> bool:
        return self.people is not None

    def summary(self) -> dict[str, Any]:
        """Plain data (what ``--json`` prints and staff.json holds)."""
        at = _stamp
        res = self.result
        total = None if self.people is None else self.people + self.other_people
        ev = self.evidence
        return {
            "team": self.team,
            "added_team": self.added,
            "deadline": at(self.deadline),
            "found": self.found,
            "people": self.people,
            "pairs": None if self.people is None else self.people // 2,
            "done_at": res.summary()["done_at"] if res else None,
            "status": str(res.status) if res else None,
            "coverage": round(res.plan.coverage, 6) if res else None,
            "lower_bound_done_at": res.summary()["lower_bound_done_at"] if res else None,
            "people_all_teams": total,
            "evidence": None
            if ev is None
            else {
                "people": ev.people,
                "kind": ev.kind,
                "proof": ev.proof,
                "text": ev.text,
                "lower_bound_done_at": at(ev.bound_done_at),
                "lower_bound_done_at_on_grid": at(ev.bound_done_at_on_grid),
                "upper_bound_sampled": ev.max_sampled,
                "plan_done_at": at(ev.plan_done_at),
                "plan_status": ev.plan_status,
                "plan_coverage": ev.plan_coverage,
            },
            "guideline": {
                "residents": self.guideline.residents,
                "samplers": round(self.guideline.samplers, 2),
                "people": self.guideline.people,
                "rule": self.guideline.rule,
                "difference": None if total is None else total - self.guideline.people,
            },
            "reason": self.reason,
            "max_people": self.max_people,
            "plan_dir": None if self.plan_dir is None else str(self.plan_dir),
            "searched": [
                {
                    "people": t.people,
                    "by": t.by,
                    "meets": t.meets,
                    "lower_bound_done_at": at(self._at(t.bound_minute)),
                    "done_at": at(self._at(t.done_minute)) if t.by == "plan" else None,
                    "status": t.status,
                }
                for t in self.trials
            ],
        }

    def _at(self, minute: int | None) -> datetime | None:
        return None if minute is None else self.scenario.at(minute)


def _stamp(value: datetime | None) -> str | None:
    return None if value is None else value.strftime(TIME_FORMAT)


# -- the inputs ------------------------------------------------------------------------


def parse_deadline(scenario: Scenario, deadline: str | datetime) -> datetime:
    """``HH:MM`` on the scenario's day (the next day for a horizon past midnight, when
    that falls inside it), or a full ``YYYY-MM-DD HH:MM``."""
    if isinstance(deadline, datetime):
        return deadline.replace(tzinfo=None, second=0, microsecond=0)
    text = deadline.strip()
    if ":" in text and len(text) <= 5:
        minutes = parse_clock(text)
        same_day = datetime.combine(scenario.start.date(), datetime.min.time())
        first = same_day + timedelta(minutes=minutes)
        second = first + timedelta(days=1)
        return second if first <= scenario.start < second <= scenario.end else first
    try:
        return datetime.fromisoformat(text.replace(" ", "T", 1)).replace(tzinfo=None, second=0)
    except ValueError:
        raise ValueError(f"expected HH:MM (or YYYY-MM-DD HH:MM), got {deadline!r}") from None


def parse_team_spec(spec: str, scenario: Scenario) -> dict[str, Any]:
    """``id=extra,lat=40.1,lon=113.3,available=07:00-21:30,...`` -> a team mapping.

    Keys are those of a team in the scenario file (``id`` required; ``lat`` and ``lon``,
    or ``at=SITE`` for the position of a site); ``people``, if given, is ignored (it is
    what is searched). Values are read like ``--set`` values; quote one holding a comma.
    """
    team: dict[str, Any] = {}
    for piece in split_values(spec):
        key, sep, text = piece.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ValueError(f"{piece!r}: expected KEY=VALUE")
        if key not in SPEC_KEYS:
            raise ValueError(
                f"unknown key {key!r}{close_match(key, SPEC_KEYS)} "
                f"(allowed: {', '.join(SPEC_KEYS)})"
            )
        if key in team:
            raise ValueError(f"{key!r} is given twice")
        team[key] = parse_value(text)
    if "at" in team:
        site = scenario.site_by_id.get(str(team["at"]))
        if site is None:
            ids = list(scenario.site_by_id)
            raise ValueError(f"at={team['at']}: unknown site{close_match(str(team['at']), ids)}")
        if "lat" in team or "lon" in team:
            raise ValueError("give either at=SITE or lat and lon, not both")
        team.pop("at")
        team["lat"], team["lon"] = site.lat, site.lon
    for required in ("id", "lat", "lon"):
        if required not in team:
            raise ValueError(f"{required} is missing (a SPEC has at least id and lat, lon or at)")
    team["id"] = str(team["id"])
    if team["id"] in scenario.team_by_id:
        raise ValueError(f"a team {team['id']!r} is already in the scenario; use --team")
    team["people"] = 0
    return team


@dataclass(frozen=True)
class _Setup:
    data: dict[str, Any]  # the scenario data with the team in it
    index: int  # of the team in data["teams"]
    team: str
    added: bool


def _setup(
    data: Mapping[str, Any],
    scenario: Scenario,
    team: str | None,
    add_team: str | Mapping[str, Any] | None,
    file: str,
    lines: LineMap | None,
) -> _Setup:
    if (team is None) == (add_team is None):
        raise VariantError([InputProblem("--team", None, (), "give --team ID or --add-team SPEC")])
    out = copy.deepcopy(dict(data))
    teams = out.setdefault("teams", []) or []
    out["teams"] = teams
    if team is not None:
        ids = [t.id for t in scenario.teams]
        if team not in ids:
            message = (
                f"unknown team {team!r}{close_match(team, ids)} (teams: {', '.join(ids) or 'none'})"
            )
            raise VariantError([InputProblem(f"--team {team}", None, (), message)])
        return _Setup(out, ids.index(team), team, False)
    source = f"--add-team {add_team}" if isinstance(add_team, str) else "add_team"
    try:
        spec = parse_team_spec(add_team, scenario) if isinstance(add_team, str) else dict(add_team)  # type: ignore[arg-type]
        spec["people"] = 0
    except ValueError as exc:
        raise VariantError([InputProblem(source, None, (), str(exc))]) from None
    teams.append(spec)
    index = len(teams) - 1
    try:
        scenario_from_data(out, file, lines)
    except ScenarioError as exc:
        problems = []
        for p in exc.problems:
            if p.loc[:2] == ("teams", index):
                key = ".".join(str(k) for k in p.loc[2:]) or "team"
                problems.append(InputProblem(source, None, (), f"{key}: {p.message}"))
            else:
                problems.append(p)
        raise VariantError(problems) from None
    return _Setup(out, index, str(spec["id"]), True)


# -- the search ------------------------------------------------------------------------


class _Search:
    """Scenarios, bounds and plans at a given count of the team's people, each made once."""

    def __init__(
        self, setup: _Setup, slot: int, deadline: int, params: SolveParams, progress, runner
    ):
        self.setup, self.slot, self.deadline, self.params = setup, slot, deadline, params
        self.runner = runner
        self.progress = progress or (lambda message: None)
        self.bounds: dict[int, Bounds] = {}
        self.plans: dict[int, Result] = {}
        self.trials: list[Trial] = []

    def scenario(self, people: int) -> Scenario:
        data = copy.deepcopy(self.setup.data)
        data["teams"][self.setup.index]["people"] = people
        return scenario_from_data(data, f"{self.setup.team}={people}")

    def bound(self, people: int) -> Bounds:
        if people not in self.bounds:
            sc = self.scenario(people)
            inst = Instance(sc, patterns_per_team=self.params.patterns_per_team)
            self.bounds[people] = compute_bounds(inst, curve=False)
        return self.bounds[people]

    def bound_meets(self, people: int) -> bool:
        """Can a plan with this many people meet the deadline, by the bound? A plan ends
        its work on the slot grid, so the bound is rounded up to it."""
        b = self.bound(people)
        grid = on_grid(b.done_minute, self.slot)
        meets = grid is not None and grid <= self.deadline
        self.trials.append(Trial(people, "bound", meets, b.done_minute))
        return meets

    def plan_meets(self, people: int) -> bool:
        self.progress(f"planning with {people:,} people")
        if people not in self.plans:
            self.plans[people] = solve(self.scenario(people), self.params, runner=self.runner)
        result = self.plans[people]
        done = result.done_minute
        meets = result.plan.complete and done is not None and done <= self.deadline
        self.trials.append(
            Trial(
                people, "plan", meets, result.bounds.done_minute, done, str(result.status),
                round(result.plan.coverage, 6),
            )
        )  # fmt: skip
        return meets

    def least_by_bound(self, max_people: int) -> int | None:
        """The fewest people (in pairs, up to ``max_people``) whose bound meets the
        deadline, by bisection; None when even ``max_people`` cannot."""
        if self.bound_meets(0):
            return 0
        if not self.bound_meets(max_people):
            return None
        lo, hi = 0, max_people // 2  # in pairs: lo misses, hi meets
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if self.bound_meets(2 * mid) else (mid, hi)
        return 2 * hi

    def least_planned(self, lowest: int, max_people: int, sent: int = 0) -> int | None:
        """The fewest people from ``lowest`` up whose plan meets the deadline: galloping
        up, then bisecting between the last miss and the first meet; None when no plan
        up to ``max_people`` does. The team's own count ``sent``, where the bound allows
        it, is planned first: if it meets the deadline the answer is at most ``sent``
        (bisecting below it), else the galloping starts above it."""
        missed, step, people = lowest - 2, 2, lowest
        if lowest < sent <= max_people:
            if self.plan_meets(sent):
                return self._bisect(lowest - 2, sent)
            if sent >= max_people:
                return None
            missed, people, step = sent, min(sent + 2, max_people), 4  # (then 4, 8, ... more)
        while not self.plan_meets(people):
            missed = people
            if people >= max_people:
                return None
            people = min(people + step, max_people)
            step *= 2
        return self._bisect(missed, people)

    def _bisect(self, missed: int, people: int) -> int:
        """The fewest people between a count whose plan ``missed`` and one whose plan met
        the deadline (``people``), by bisection on plans."""
        while people - missed > 2:
            mid = (missed + people) // 4 * 2
            if self.plan_meets(mid):
                people = mid
            else:
                missed = mid
        return people


def least_staff(
    scenario_data: Mapping[str, Any],
    deadline: str | datetime,
    team: str | None = None,
    add_team: str | Mapping[str, Any] | None = None,
    out_dir: str | Path | None = None,
    params: SolveParams | None = None,
    max_people: int = DEFAULT_MAX_PEOPLE,
    progress: Callable[[str], None] | None = None,
    file: str = "<scenario>",
    lines: LineMap | None = None,
    force: bool = False,
    runner: Runner | None = None,
) -> StaffResult:
    """The fewest people (in pairs) for ``team`` (or a new team ``add_team``) so that
    every resident is sampled by ``deadline``; see the module docstring for the search.

    ``scenario_data`` is the scenario as plain data (:func:`sampler.loader.read_scenario_data`).
    With ``out_dir``, the plan at the answer is written there (a plan folder, plus
    ``staff.json``; ``force``: also into a folder holding other files, which are kept); it is
    checked before anything is planned, and nothing is written when no count up to
    ``max_people`` meets the deadline. Bad input raises :class:`~sampler.loader.ScenarioError`
    (a VariantError naming the option) before anything is planned. Counts are planned one
    after another (each depends on the last); a city's parts within each plan run on
    ``runner`` (:mod:`sampler.runners`), by default in ``params.workers`` processes here.
    """
    params = params or SolveParams()
    base = scenario_from_data(scenario_data, file, lines)
    setup = _setup(scenario_data, base, team, add_team, file, lines)
    try:
        when = parse_deadline(base, deadline)
    except ValueError as exc:
        raise VariantError([InputProblem(f"--deadline {deadline}", None, (), str(exc))]) from None
    out = None if out_dir is None else prepare_output(out_dir, force=force)  # before planning
    scenario = scenario_from_data(setup.data, file)
    minute = int((when - scenario.start).total_seconds() // 60)
    max_people = max(0, max_people) // 2 * 2
    others = sum(t.people for t in scenario.teams if t.id != setup.team)
    search = _Search(setup, scenario.slot_minutes, minute, params, progress, runner)
    common: dict[str, Any] = {
        "scenario": scenario,
        "team": setup.team,
        "added": setup.added,
        "deadline": when,
        "guideline": Guideline.of(scenario.total_residents),
        "other_people": others,
        "max_people": max_people,
    }

    def none_meets(reason: str) -> StaffResult:
        return StaffResult(
            people=None, result=None, evidence=None, trials=tuple(search.trials),
            reason=reason, **common,
        )  # fmt: skip

    if minute <= 0:
        return none_meets(
            f"the deadline {when:%Y-%m-%d %H:%M} is not after the start of the horizon "
            f"({scenario.start:%Y-%m-%d %H:%M})"
        )
    search.progress("lower bounds")
    lowest = search.least_by_bound(max_people)
    if lowest is None:
        return none_meets(_why_not(search, max_people))
    sent = 0 if setup.added else scenario.team_by_id[setup.team].people // 2 * 2
    people = search.least_planned(lowest, max_people, sent)
    if people is None:
        return none_meets(
            f"no plan with up to {max_people:,} people met the deadline, although the "
            f"lower bound does not rule out {lowest:,} or more: try a longer "
            "--time-limit or a higher --max-people",
        )
    result = search.plans[people]
    evidence = None if people == 0 else _evidence(search, people - 2, people - 2 < lowest)
    staff = StaffResult(
        people=people, result=result, evidence=evidence, trials=tuple(search.trials), **common
    )
    return staff if out is None else _written(staff, result, out)


def _written(staff: StaffResult, result: Result, out: Path | Output) -> StaffResult:
    """The plan at the answer (``result``) written to ``out``, with ``staff.json``."""
    written = write_plan(result, out)
    staff = dataclasses.replace(staff, plan_dir=written)
    document = json.dumps(staff.summary(), ensure_ascii=False, indent=2)
    (written / "staff.json").write_text(document + "\n", encoding="utf-8")
    return staff


def _evidence(search: _Search, people: int, by_bound: bool) -> Evidence:
    """What shows that ``people`` cannot make it: the bound (a proof) or the plan."""
    b = search.bound(people)
    sc = search.scenario(people)
    grid = on_grid(b.done_minute, search.slot)
    bound_at = None if b.done_minute is None else sc.at(b.done_minute)
    grid_at = None if grid is None else sc.at(grid)
    deadline = sc.at(search.deadline).strftime("%H:%M")
    common: dict[str, Any] = {
        "people": people,
        "bound_done_at": bound_at,
        "bound_done_at_on_grid": grid_at,
        "max_sampled": b.max_sampled,
    }
    if by_bound:
        if b.done_minute is None:
            text = (
                f"proof: with {people:,} people no plan samples everyone in the horizon "
                f"(at most {b.max_sampled:,} of {sc.total_residents:,}, lower bound)"
            )
        elif b.done_minute > search.deadline:
            text = (
                f"proof: with {people:,} people no plan is done before {bound_at:%H:%M} "
                f"(lower bound), after the deadline {deadline}"
            )
        else:
            text = (
                f"proof for plans on the {search.slot}-minute slot grid (as sampler makes "
                f"them): with {people:,} people none is done before {grid_at:%H:%M} (the lower "
                f"bound {bound_at:%H:%M} rounded up to the grid), after the deadline {deadline}"
            )
        return Evidence(kind="bound", text=text, **common)
    plan = search.plans[people]
    done = plan.done_minute
    done_at = None if done is None else sc.at(done)
    if done_at is None:
        what = f"does not sample everyone (coverage {plan.plan.coverage:.2%})"
    else:
        what = f"is done at {done_at:%H:%M}, after the deadline {deadline}"
    bound_text = "no bound" if bound_at is None else f"the lower bound {bound_at:%H:%M}"
    text = (
        f"a plan that misses, not a proof: the plan with {people:,} people {what}; "
        f"{bound_text} does not rule out a better plan"
    )
    return Evidence(
        kind="plan", text=text, plan_done_at=done_at, plan_status=str(plan.status),
        plan_coverage=round(plan.plan.coverage, 6), **common,
    )  # fmt: skip


def _why_not(search: _Search, people: int) -> str:
    """Why even ``people`` cannot meet the deadline: the bound, and the limits behind it."""
    sc = search.scenario(people)
    b = search.bound(people)
    deadline = search.deadline
    hhmm = sc.at(deadline).strftime("%H:%M")
    if b.done_minute is None:
        head = (
            f"even with {people:,} people not everyone can be sampled in the horizon (at most "
            f"{b.max_sampled:,} of {sc.total_residents:,}, lower bound)"
        )
    else:
        head = (
            f"even with {people:,} people no plan is done before "
            f"{sc.at(b.done_minute):%H:%M} (lower bound), after the deadline {hhmm}"
        )
    return "; ".join([head, *_limits(sc, search.setup.team, deadline)])


def _limits(sc: Scenario, team_id: str, deadline: int) -> list[str]:
    """Plain reasons behind a late bound: sites that open late, teams that arrive late,
    stations that cannot take the walk-in residents in time (the first few)."""
    reasons: list[str] = []
    teams = [t for t in sc.teams if t.pairs > 0]
    hhmm = sc.at(deadline).strftime("%H:%M")
    team = sc.team_by_id[team_id]
    arrival = _arrivals(sc, teams)
    if team.pairs > 0:
        earliest = int(arrival[teams.index(team)].min())
        if earliest >= deadline:
            reasons.append(
                f"team {team_id} is available from {sc.at(sc.available_minutes(team)[0]):%H:%M} "
                f"and reaches its nearest site at {sc.at(earliest):%H:%M} at the earliest"
            )
    for i, site in enumerate(sc.sites):
        if site.residents == 0:
            continue
        opens, closes = sc.open_minutes(site)
        start = max(opens, int(arrival[:, i].min()) if teams else 10**9)
        if opens >= deadline:
            reasons.append(f"site {site.id} opens at {sc.at(opens):%H:%M}, not before {hhmm}")
        elif start >= deadline:
            reasons.append(f"no team can be at site {site.id} before {sc.at(start):%H:%M}")
        elif site.home_demand > 0 and not any(t.door_to_door for t in teams):
            reasons.append(f"site {site.id} has home visits and no team sent does them")
        elif site.walk_in_demand > 0:
            rate = max(sc.rules(t).walk_in_per_hour for t in teams)
            need = site.walk_in_demand / (site.stations * rate) * 60
            if start + need > min(deadline, closes):
                reasons.append(
                    f"site {site.id}: {site.walk_in_demand:,} walk-in residents at "
                    f"{site.stations} stations of at most {rate:g} an hour take "
                    f"{need / 60:.1f} h from {sc.at(start):%H:%M}"
                )
    if len(reasons) > 5:
        reasons = [*reasons[:5], f"and {len(reasons) - 5} more such limits"]
    return reasons


def _arrivals(sc: Scenario, teams: list[Team]) -> np.ndarray:
    """Team x site: the earliest minute the team can be at the site (shortest travel)."""
    lat = np.array([s.lat for s in sc.sites])
    lon = np.array([s.lon for s in sc.sites])
    out = np.zeros((len(teams), len(sc.sites)))
    for k, t in enumerate(teams):
        km = great_circle_km(t.lat, t.lon, lat, lon, EARTH_RADIUS_KM_MIN)
        out[k] = sc.available_minutes(t)[0] + travel_minutes(km, sc.rules(t).travel_speed_kmh)
    return out
