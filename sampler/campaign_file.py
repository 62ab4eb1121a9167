"""Campaign files: several days of one scenario, testing rhythms and staff rest
(docs/campaign.md).

A campaign file names a scenario file (its communities and teams; its horizon is day 1's)
and says which communities are due on which days and how long teams must rest. It is read
as strictly as a scenario (the same YAML reading, the same file:line:key errors), and
cross-checked against the scenario it names: every id it mentions must be there, and every
community must have a rhythm in every sealed state it can take, so that no community drops
out of the campaign by a typo.

A file is told from a scenario by its top-level ``campaign:`` key, which a scenario may
not have (its keys are fixed), so ``sampler check`` can take either.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sampler.loader import (
    InputProblem,
    LineMap,
    Loc,
    ScenarioError,
    load_scenario,
    parse_yaml,
    validation_problems,
)
from sampler.scenario import ID_PATTERN, Scenario

MAX_DAYS = 366
_EVERY = re.compile(r"^(?:([1-9][0-9]{0,2})d|once)$")
_DAYS = re.compile(r"^([1-9][0-9]{0,2})d$")
_HOURS = re.compile(r"^([0-9]{1,4}(?:\.[0-9]+)?)h$")
_CAMPAIGN_KEY = re.compile(r"^[\"']?campaign[\"']?[ \t]*:", re.MULTILINE)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Rhythm(_Frozen):
    """How often the communities it selects are sampled: ``every: 1d`` (a round daily),
    ``2d``, ... or ``once`` in the whole campaign; or ``rounds: 3, within: 3d`` (three
    tests of every resident in each 3-day window, one a day at most, the next test of a
    community starting ``min_gap`` after the previous one started there). It selects by
    ``sites`` (ids), by ``sealed`` (the community's state on the day), or, with neither,
    every community."""

    sites: list[str] | None = Field(None, description="Community ids this rhythm applies to.")
    sealed: bool | None = Field(
        None, description="Applies to communities sealed (true) or not (false) on the day."
    )
    every: str | None = Field(
        None, description="'1d', '2d', ... (a round every N days) or 'once'; or rounds/within."
    )
    rounds: int | None = Field(
        None, ge=1, le=MAX_DAYS, description="Tests of every resident in each 'within' window."
    )
    within: str | None = Field(
        None, description="The window of 'rounds' tests, '3d': days 1-3, 4-6, ..."
    )
    min_gap: str | None = Field(
        None, description="With rounds: hours from a community's test's start to its next "
        "test's start, '24h' (default 0h).",
    )  # fmt: skip

    @field_validator("every", mode="before")
    @classmethod
    def _every_text(cls, value: Any) -> Any:
        if value is None:
            return value
        if not isinstance(value, str) or not _EVERY.match(value.strip()):
            raise ValueError(f"must be 'once' or a number of days like '1d' or '2d', got {value!r}")
        return value.strip()

    @field_validator("within", mode="before")
    @classmethod
    def _within_text(cls, value: Any) -> Any:
        if value is None:
            return value
        if not isinstance(value, str) or not _DAYS.match(value.strip()):
            raise ValueError(f"must be a number of days like '3d', got {value!r}")
        return value.strip()

    @field_validator("min_gap", mode="before")
    @classmethod
    def _gap_text(cls, value: Any) -> Any:
        if value is None:
            return value
        if not isinstance(value, str) or not _HOURS.match(value.strip()):
            raise ValueError(f"must be a number of hours like '24h', got {value!r}")
        return value.strip()

    @field_validator("sites")
    @classmethod
    def _site_ids(cls, value: list[str] | None) -> list[str] | None:
        for ident in value or []:
            if not re.match(ID_PATTERN, ident):
                raise ValueError(f"{ident!r}: ids use only letters, digits, '-' and '_'")
        return value

    @model_validator(mode="after")
    def _one_selector(self) -> Rhythm:
        if self.sites is not None and self.sealed is not None:
            raise ValueError("select by sites or by sealed, not both")
        if (self.every is None) == (self.rounds is None):
            raise ValueError("give 'every', or 'rounds' and 'within', not both")
        if (self.rounds is None) != (self.within is None):
            raise ValueError("'rounds' and 'within' go together")
        if self.min_gap is not None and self.rounds is None:
            raise ValueError("'min_gap' goes with 'rounds' and 'within'")
        if self.rounds is not None and self.rounds > (self.days or 0):
            raise ValueError(f"{self.rounds} rounds within {self.within}: at most one test a day")
        return self

    @property
    def key(self) -> str:
        """How the rhythm is named in the tables: ``2d``, ``once`` or ``3 in 3d``."""
        return self.every if self.every is not None else f"{self.rounds} in {self.within}"

    @property
    def days(self) -> int | None:
        """Days in one round, or one window of tests (None: one for the whole campaign)."""
        text = self.within if self.within is not None else self.every
        match = _EVERY.match(text or "")
        return int(match[1]) if match and match[1] else None

    @property
    def tests(self) -> int:
        """Tests of every resident in a round (1 with ``every``)."""
        return self.rounds or 1

    @property
    def gap_hours(self) -> float:
        """Hours from a test's start at a community to the next test's start there."""
        match = _HOURS.match(self.min_gap or "0h")
        return float(match[1]) if match else 0.0

    def selects(self, site: str, sealed: bool) -> bool:
        """Does this rhythm apply to ``site`` on a day it is (or is not) sealed?"""
        if self.sites is not None:
            return site in self.sites
        return self.sealed is None or self.sealed == sealed


class TeamStaff(_Frozen):
    """One team's own rest rules; a key left out takes the campaign's."""

    min_rest_hours: float | None = Field(None, ge=0, le=168)
    max_consecutive_days: int | None = Field(None, ge=1, le=MAX_DAYS)
    max_week_hours: float | None = Field(None, gt=0, le=168)


class Staff(_Frozen):
    """Rest rules across days, for every person."""

    min_rest_hours: float = Field(
        12, ge=0, le=168, description="Hours from a person's last row of a day they work to "
        "their first row of the next day they work.",
    )  # fmt: skip
    max_consecutive_days: int | None = Field(
        None, ge=1, le=MAX_DAYS, description="Most days in a row a team works; none: no limit."
    )
    max_week_hours: float | None = Field(
        None, gt=0, le=168, description="Most hours of work and travel a person does in any "
        "7 days in a row; none: no limit.",
    )  # fmt: skip
    teams: dict[str, TeamStaff] = Field(default_factory=dict, description="Per-team overrides.")

    def week_hours(self, team: str) -> float | None:
        own = self.teams.get(team)
        if own and own.max_week_hours is not None:
            return own.max_week_hours
        return self.max_week_hours

    def rest_hours(self, team: str) -> float:
        own = self.teams.get(team)
        return own.min_rest_hours if own and own.min_rest_hours is not None else self.min_rest_hours

    def consecutive_days(self, team: str) -> int | None:
        own = self.teams.get(team)
        if own and own.max_consecutive_days is not None:
            return own.max_consecutive_days
        return self.max_consecutive_days


class Change(_Frozen):
    """What changes from a given day on: teams arrive or leave, communities are sealed or
    released."""

    day: int = Field(ge=1, le=MAX_DAYS, description="The first day the change holds.")
    teams_arrive: list[str] = Field(default_factory=list)
    teams_leave: list[str] = Field(default_factory=list)
    seal: list[str] = Field(default_factory=list)
    release: list[str] = Field(default_factory=list)
    residents: dict[str, int] = Field(
        default_factory=dict, description="Residents of a community from this day's rounds on."
    )
    home_visits: dict[str, int] = Field(
        default_factory=dict, description="Of whom sampled at home, from this day's rounds on."
    )

    @field_validator("residents", "home_visits")
    @classmethod
    def _counts(cls, value: dict[str, int]) -> dict[str, int]:
        for ident, count in value.items():
            if count < 0:
                raise ValueError(f"{ident}: must be >= 0, got {count}")
        return value


class Campaign(_Frozen):
    """A whole campaign file (version 1)."""

    campaign: str = Field(description="Title, free text; the key that marks a campaign file.")
    scenario: str = Field(
        min_length=1, description="Scenario file, relative to this file; its date is day 1."
    )
    days: int = Field(ge=1, le=MAX_DAYS, description="Days planned, from the scenario's date.")
    staff: Staff = Field(default_factory=Staff)
    rhythms: list[Rhythm] = Field(min_length=1, description="The first that selects applies.")
    changes: list[Change] = Field(default_factory=list)


_MODELS: dict[tuple[str, ...], type[BaseModel]] = {
    (): Campaign, ("staff",): Staff, ("rhythms",): Rhythm, ("changes",): Change,
}  # fmt: skip


@dataclass(frozen=True)
class LoadedCampaign:
    """A validated campaign file and the scenario it names (the day template)."""

    spec: Campaign
    scenario: Scenario
    file: Path
    scenario_file: Path


class CampaignError(ScenarioError):
    """A campaign file that cannot be used; ``problems`` lists every issue found."""


def is_campaign_text(text: str) -> bool:
    """Does this YAML text have a top-level ``campaign:`` key (and so is a campaign)?"""
    return _CAMPAIGN_KEY.search(text) is not None


def is_campaign_file(path: str | Path) -> bool:
    """True for a readable file with a top-level ``campaign:`` key."""
    try:
        return is_campaign_text(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        return False


def load_campaign(path: str | Path) -> LoadedCampaign:
    """Read and validate a campaign file and its scenario; raises :class:`ScenarioError`
    (a :class:`CampaignError` for the campaign file itself) naming file, line and key."""
    path = Path(path)
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        why = "no such file" if isinstance(exc, FileNotFoundError) else str(exc)
        raise CampaignError([InputProblem(file, None, (), why)]) from None
    data, lines = parse_yaml(text, file)
    spec = campaign_from_data(data, file, lines)
    scenario_file = path.parent / spec.scenario
    if not scenario_file.is_file():
        line = lines.line_for(("scenario",))
        raise CampaignError(
            [InputProblem(file, line, ("scenario",), f"no such file {scenario_file}")]
        )
    scenario = load_scenario(scenario_file)
    problems = [
        InputProblem(file, lines.line_for(loc), loc, message)
        for loc, message in cross_problems(spec, scenario)
    ]
    if problems:
        raise CampaignError(problems)
    return LoadedCampaign(spec, scenario, path, scenario_file)


def campaign_from_data(
    data: Any, file: str = "<campaign>", lines: LineMap | None = None
) -> Campaign:
    """Validate parsed campaign data on its own (the scenario's ids are checked apart)."""
    lines = lines or LineMap()
    if not isinstance(data, dict):
        raise CampaignError([InputProblem(file, 1, (), "expected a mapping of keys at the top")])
    try:
        return Campaign.model_validate(data)
    except ValidationError as exc:
        problems = [_with_hint(p) for p in validation_problems(exc, file, lines)]
    problems.sort(key=lambda p: (p.line or 0, str(p.loc)))
    raise CampaignError(problems)


def _with_hint(problem: InputProblem) -> InputProblem:
    """An unknown key gets the allowed keys of the mapping it is in (and the closest)."""
    if not problem.message.startswith("unknown key"):
        return problem
    owner = _MODELS.get(tuple(p for p in problem.loc[:-1] if isinstance(p, str)))
    if owner is None and problem.loc[:1] == ("staff",) and len(problem.loc) == 4:
        owner = TeamStaff
    if owner is None:
        return problem
    allowed = list(owner.model_fields)
    close = difflib.get_close_matches(str(problem.loc[-1]), allowed, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    message = f"unknown key{hint} (allowed: {', '.join(allowed)})"
    return InputProblem(problem.file, problem.line, problem.loc, message)


def cross_problems(spec: Campaign, scenario: Scenario) -> list[tuple[Loc, str]]:
    """What the campaign says that its scenario contradicts: unknown ids, changes after
    the last day, a team arriving and leaving on one day, communities without a rhythm."""
    sites, teams = scenario.site_by_id, scenario.team_by_id
    out: list[tuple[Loc, str]] = []
    listed: dict[str, int] = {}
    for k, rhythm in enumerate(spec.rhythms):
        for j, ident in enumerate(rhythm.sites or []):
            if ident not in sites:
                out.append((("rhythms", k, "sites", j), f"unknown site {ident!r}"))
            elif ident in listed:
                out.append(
                    (("rhythms", k, "sites", j), f"{ident!r} is in rhythms[{listed[ident]}] too")
                )
            listed.setdefault(ident, k)
    for ident in spec.staff.teams:
        if ident not in teams:
            out.append((("staff", "teams", ident), f"unknown team {ident!r}"))
    for k, change in enumerate(spec.changes):
        if change.day > spec.days:
            out.append((("changes", k, "day"), f"the campaign has {spec.days} days"))
        for key, known, kind in (
            ("teams_arrive", teams, "team"), ("teams_leave", teams, "team"),
            ("seal", sites, "site"), ("release", sites, "site"),
        ):  # fmt: skip
            for j, ident in enumerate(getattr(change, key)):
                if ident not in known:
                    out.append((("changes", k, key, j), f"unknown {kind} {ident!r}"))
        for key in ("residents", "home_visits"):
            for ident in getattr(change, key):
                if ident not in sites:
                    out.append((("changes", k, key, ident), f"unknown site {ident!r}"))
        for a, b in (("teams_arrive", "teams_leave"), ("seal", "release")):
            for ident in sorted(set(getattr(change, a)) & set(getattr(change, b))):
                out.append((("changes", k, b), f"{ident!r} is in {a} and {b} on the same day"))
    for site in scenario.sites:
        residents, home = site.residents, site.home_visits
        for k, change in sorted(enumerate(spec.changes), key=lambda kc: kc[1].day):
            residents = change.residents.get(site.id, residents)
            home = change.home_visits.get(site.id, home)
            if home > residents:
                key = "home_visits" if site.id in change.home_visits else "residents"
                out.append(
                    (("changes", k, key, site.id),
                     f"{site.id}: home_visits {home} > residents {residents} from day {change.day}")
                )  # fmt: skip
        states = {site.sealed}
        states |= {True for c in spec.changes if site.id in c.seal}
        states |= {False for c in spec.changes if site.id in c.release}
        for sealed in sorted(states):
            if not any(r.selects(site.id, sealed) for r in spec.rhythms):
                state = "sealed" if sealed else "not sealed"
                out.append((("rhythms",), f"no rhythm selects site {site.id!r} when {state}"))
    return out


def campaign_schema() -> dict[str, Any]:
    """The JSON Schema of campaign files (for editors)."""
    document = Campaign.model_json_schema()
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "sampler campaign, version 1"
    return document
