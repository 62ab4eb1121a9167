"""The changes file of ``sampler replan``: what changed at mid-day, as docs/changes.md lays it out.

A changes file is read as strictly as a scenario (the same YAML reading, so an unquoted
``13:30`` stays a clock time, and the same errors naming file, line and key), but it is only
half checked here: whether a site or team id exists, whether a time lies between ``at`` and
the end of the day, whether a correction leaves fewer residents than were already sampled,
all depend on the plan being replanned. :func:`problems_against` checks those against the
plan's scenario and what its morning sampled, and names the changes file's lines too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from sampler.loader import InputProblem, LineMap, ScenarioError, problems_of, read_scenario_data
from sampler.scenario import Id, Site, Team, Window, format_clock, parse_clock

CHANGES_FORMAT = 1


def _parse_clock_value(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(f'expected a clock time like "13:30", got the number {value}')
    if not isinstance(value, str):
        raise ValueError(f'expected a clock time like "13:30", got {value!r}')
    return parse_clock(value)


Clock = Annotated[
    int,
    BeforeValidator(_parse_clock_value),
    PlainSerializer(format_clock, return_type=str),
    WithJsonSchema(
        {"type": "string", "pattern": r"^\s*[0-2]?\d:[0-5]\d\s*$", "examples": ["13:30"]}
    ),
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TeamLeaves(_Frozen):
    """A team stops work and goes: nothing of it after ``at`` (default: the file's ``at``)."""

    team: Id = Field(description="The team's id.")
    at: Clock | None = Field(None, description="When it leaves, HH:MM; default the file's at.")


class TeamPeople(_Frozen):
    """A team's head count changes: the pairs with the highest numbers are sent home (or new
    pairs join at the team's base)."""

    team: Id = Field(description="The team's id.")
    people: int = Field(ge=0, le=100_000, description="People from then on.")
    at: Clock | None = Field(None, description="From when, HH:MM; default the file's at.")


class Seal(_Frozen):
    """A community is sealed (封控区): no more walk-in; its unsampled residents are visited at
    home. Planned as sealed from the file's ``at`` whatever its own time (never later)."""

    site: Id = Field(description="The site's id.")
    at: Clock | None = Field(None, description="From when, HH:MM; default the file's at.")


class Residents(_Frozen):
    """A community's head count corrected (and, if given, how many of them at home)."""

    site: Id = Field(description="The site's id.")
    residents: int = Field(ge=0, description="Everyone to be sampled, the morning included.")
    home_visits: int | None = Field(None, ge=0, description="Of whom at home; default as before.")


class Stations(_Frozen):
    """A community's walk-in stations that can run at once, from ``at`` (at least one)."""

    site: Id = Field(description="The site's id.")
    stations: int = Field(ge=1, le=1000, description="Walk-in stations from at on.")


class OpenHours(_Frozen):
    """A community's opening hours for the rest of the day."""

    site: Id = Field(description="The site's id.")
    open: Window = Field(description="HH:MM-HH:MM; only the part after at matters.")


CHANGE_KINDS = (
    "add_team", "team_leaves", "team_people",
    "add_site", "seal", "residents", "stations", "open",
)  # fmt: skip


class Change(_Frozen):
    """One change: a mapping with exactly one of the keys below."""

    add_team: Team | None = Field(None, description="A team arriving: a full scenario team.")
    team_leaves: TeamLeaves | None = None
    team_people: TeamPeople | None = None
    add_site: Site | None = Field(None, description="A community added: a full scenario site.")
    seal: Seal | None = None
    residents: Residents | None = None
    stations: Stations | None = None
    open: OpenHours | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Change:
        given = [k for k in CHANGE_KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"each change holds exactly one of: {', '.join(CHANGE_KINDS)}")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in CHANGE_KINDS if getattr(self, k) is not None)

    @property
    def body(self) -> Any:
        return getattr(self, self.kind)


class Changes(_Frozen):
    """A whole changes file: when, and what changed."""

    version: int = Field(CHANGES_FORMAT, ge=1, le=CHANGES_FORMAT, description="Format version.")
    at: Clock = Field(description="When the replan happens, HH:MM: the past before it is kept.")
    note: str = Field("", description="Free text, e.g. who called the change in.")
    changes: list[Change] = Field(default_factory=list)


@dataclass(frozen=True)
class ChangesFile:
    """The changes with where they came from, so that later checks can name lines too."""

    changes: Changes
    file: str
    lines: LineMap

    def problem(self, loc: tuple[str | int, ...], message: str) -> InputProblem:
        return InputProblem(self.file, self.lines.line_for(loc), loc, message)


def changes_from_data(
    data: Any, file: str = "<changes>", lines: LineMap | None = None
) -> ChangesFile:
    """Validate already-parsed data; raises :class:`ScenarioError` naming file and line."""
    lines = lines or LineMap()
    if not isinstance(data, dict):
        raise ScenarioError([InputProblem(file, 1, (), "expected a mapping of keys at the top")])
    try:
        return ChangesFile(Changes.model_validate(data), file, lines)
    except ValidationError as exc:
        problems = problems_of(exc, file, lines, _owner)
    problems.sort(key=lambda p: (p.line or 0, str(p.loc)))
    raise ScenarioError(problems)


def _owner(loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model owning the last key of ``loc`` (for 'did you mean' hints)."""
    if not loc:
        return Changes
    if loc[0] != "changes":
        return None
    if len(loc) == 2:
        return Change
    if len(loc) == 3:
        kinds: dict[str, type[BaseModel]] = {
            "add_team": Team, "team_leaves": TeamLeaves, "team_people": TeamPeople,
            "add_site": Site, "seal": Seal, "residents": Residents, "stations": Stations,
            "open": OpenHours,
        }  # fmt: skip
        return kinds.get(str(loc[2]))
    return None


def load_changes(path: str | Path) -> ChangesFile:
    """Read and validate a changes file (its own rules; see :func:`problems_against`)."""
    data, lines = read_scenario_data(path)
    return changes_from_data(data, str(path), lines)


def changes_schema() -> dict[str, Any]:
    """The JSON Schema of the changes file (``sampler schema --changes``)."""
    document = Changes.model_json_schema()
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "sampler changes, version 1"
    return document
