"""The scenario: frozen pydantic models of CONTRACT.md's scenario format, version 1.

A scenario is validated once, here; everything downstream may trust it. Times inside the
horizon are handled as whole minutes from the horizon start (``int``), which is what the
model, the plan and the checker all speak.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import cached_property
from typing import Annotated, Any

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    field_validator,
    model_validator,
)

ID_PATTERN = r"^[A-Za-z0-9_-]+$"
SLOT_CHOICES = (10, 15, 20, 30, 60)
MAX_HORIZON_MINUTES = 24 * 60

_CLOCK = re.compile(r"^\s*([01]?\d|2[0-4]):([0-5]\d)\s*$")
_WINDOW = re.compile(r"^\s*([0-2]?\d:[0-5]\d)\s*-\s*([0-2]?\d:[0-5]\d)\s*$")


class ScenarioProblem(ValueError):
    """Cross-reference problems found after the fields themselves validated.

    Each problem is ``(location, message)`` where location is a key path such as
    ``("sites", 2, "open")``, so that the loader can name the YAML line.
    """

    def __init__(self, problems: list[tuple[tuple[str | int, ...], str]]):
        self.problems = problems
        super().__init__("; ".join(f"{format_loc(loc)}: {msg}" for loc, msg in problems))


def format_loc(loc: tuple[str | int, ...]) -> str:
    """``("sites", 1, "residents")`` -> ``sites[1].residents``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def parse_clock(text: str) -> int:
    """``"07:30"`` -> 450 minutes after midnight; ``"24:00"`` is allowed as end of day."""
    m = _CLOCK.match(text)
    if not m:
        raise ValueError(f"expected a clock time HH:MM, got {text!r}")
    minutes = int(m.group(1)) * 60 + int(m.group(2))
    if minutes > MAX_HORIZON_MINUTES:
        raise ValueError(f"{text!r} is past 24:00")
    return minutes


def format_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class ClockWindow(BaseModel):
    """A window of clock times, written ``"HH:MM-HH:MM"``. One whose end is before its
    start crosses midnight and ends the next day (``18:00-02:00``, a night round): the
    clock is what a command centre writes, and a horizon may run past midnight."""

    model_config = ConfigDict(frozen=True)

    start: int  # minutes after midnight
    end: int

    @property
    def crosses_midnight(self) -> bool:
        return self.end < self.start

    @property
    def minutes(self) -> int:
        """How long the window lasts."""
        return self.end - self.start + (24 * 60 if self.crosses_midnight else 0)

    def __str__(self) -> str:
        return f"{format_clock(self.start)}-{format_clock(self.end)}"


def _parse_window(value: Any) -> Any:
    if isinstance(value, ClockWindow):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        # PyYAML 1.1 reads an unquoted 12:30 as the base-60 integer 750; the loader keeps
        # such scalars as text, so an int here came from Python, not from a clock time.
        raise ValueError(
            f'expected a window like "07:00-21:00", got the number {value}; quote clock times'
        )
    if not isinstance(value, str):
        raise ValueError(f'expected a window like "07:00-21:00", got {value!r}')
    m = _WINDOW.match(value)
    if not m:
        raise ValueError(f'expected a window like "07:00-21:00", got {value!r}')
    window = ClockWindow(start=parse_clock(m.group(1)), end=parse_clock(m.group(2)))
    if window.minutes == 0:  # 07:00-07:00, 24:00-00:00
        raise ValueError(f"window {value!r} is empty: it ends when it starts")
    return window


Window = Annotated[
    ClockWindow,
    BeforeValidator(_parse_window),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\s*[0-2]?\d:[0-5]\d\s*-\s*[0-2]?\d:[0-5]\d\s*$",
            "examples": ["07:00-21:00"],
        }
    ),
]


def _parse_datetime(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None, second=0, microsecond=0)
    if isinstance(value, str):
        text = value.strip().replace(" ", "T", 1)
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"expected a local date and time like 2022-11-10T07:00, got {value!r}"
            ) from None
        return parsed.replace(tzinfo=None, second=0, microsecond=0)
    raise ValueError(f"expected a local date and time like 2022-11-10T07:00, got {value!r}")


LocalTime = Annotated[
    datetime,
    BeforeValidator(_parse_datetime),
    PlainSerializer(lambda d: d.strftime("%Y-%m-%dT%H:%M"), return_type=str),
    WithJsonSchema({"type": "string", "examples": ["2022-11-10T07:00"]}),
]

Id = Annotated[str, Field(pattern=ID_PATTERN, min_length=1, max_length=64)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=False)


class Rules(_Frozen):
    """Rates and limits; the scenario's ``defaults`` block, each key overridable per team."""

    walk_in_per_hour: float = Field(
        120, gt=0, le=1000, description="Residents one pair samples per hour at a walk-in station."
    )
    door_to_door_per_hour: float = Field(
        30,
        gt=0,
        le=1000,
        description="Residents one pair samples per hour at home, stairs included.",
    )
    max_suit_minutes: int = Field(
        390,
        gt=0,
        le=MAX_HORIZON_MINUTES,
        description="Longest stretch in one protective suit (work and travel).",
    )
    min_break_minutes: int = Field(
        60,
        ge=0,
        le=MAX_HORIZON_MINUTES,
        description="A pause shorter than this does not end a suit stretch.",
    )
    max_work_minutes: int = Field(
        780,
        gt=0,
        le=MAX_HORIZON_MINUTES,
        description="Per person per day, work and travel together.",
    )
    travel_speed_kmh: float = Field(
        20,
        gt=0,
        le=200,
        description="Travel minutes = great-circle km x 1.3 / speed x 60, rounded up.",
    )

    def rate(self, mode: str) -> float:
        """Residents one pair samples per hour in ``mode`` (``walk_in`` or ``door_to_door``)."""
        return getattr(self, f"{mode}_per_hour")


RULE_KEYS = tuple(Rules.model_fields)


class Site(_Frozen):
    """A community (社区), village or other sampling place."""

    id: Id = Field(description="Unique; letters, digits, '-' and '_'.")
    name: str = Field("", description="Display name, e.g. 苹果园社区.")
    district: str = Field("", description="District (区), optional.")
    street: str = Field("", description="Street (街道), optional.")
    lat: float = Field(ge=-90, le=90, description="WGS84 latitude, degrees.")
    lon: float = Field(ge=-180, le=180, description="WGS84 longitude, degrees.")
    residents: int = Field(ge=0, description="Everyone to be sampled once in this round.")
    home_visits: int = Field(0, ge=0, description="Of whom sampled at home (key groups).")
    sealed: bool = Field(False, description="Sealed area (封控区): everyone sampled at home.")
    stations: int = Field(4, ge=1, le=1000, description="Walk-in stations that can run at once.")
    open: Window | None = Field(None, description="When sampling may happen here, HH:MM-HH:MM.")
    priority: int = Field(1, ge=1, le=1000, description="Higher is served first.")
    door_to_door_per_tube: int | None = Field(
        None, ge=1, le=100, description="Home samples per tube here (only with labs)."
    )

    @field_validator("home_visits")
    @classmethod
    def _home_visits_within_residents(cls, value: int, info: Any) -> int:
        residents = info.data.get("residents")
        if residents is not None and value > residents:
            raise ValueError(f"must be <= residents ({residents})")
        return value

    @property
    def home_demand(self) -> int:
        """Residents to be sampled at home (all of them when sealed)."""
        return self.residents if self.sealed else self.home_visits

    @property
    def walk_in_demand(self) -> int:
        """Residents to be sampled at a walk-in station."""
        return self.residents - self.home_demand

    @property
    def label(self) -> str:
        return self.name or self.id


class Team(_Frozen):
    """A medical team; its people are formed into two-person pairs (swabber + recorder)."""

    id: Id = Field(description="Unique; letters, digits, '-' and '_'.")
    name: str = Field("", description="Display name, e.g. 灵丘县第二批医疗队.")
    people: int = Field(ge=0, le=100_000, description="Formed into pairs; 0 = not sent.")
    lat: float = Field(ge=-90, le=90, description="Where the team starts the day.")
    lon: float = Field(ge=-180, le=180)
    available: Window | None = Field(None, description="Default: the whole horizon.")
    door_to_door: bool = Field(True, description="Trained and equipped for home visits.")
    walk_in_per_hour: float | None = Field(None, gt=0, le=1000)
    door_to_door_per_hour: float | None = Field(None, gt=0, le=1000)
    max_suit_minutes: int | None = Field(None, gt=0, le=MAX_HORIZON_MINUTES)
    min_break_minutes: int | None = Field(None, ge=0, le=MAX_HORIZON_MINUTES)
    max_work_minutes: int | None = Field(None, gt=0, le=MAX_HORIZON_MINUTES)
    travel_speed_kmh: float | None = Field(None, gt=0, le=200)

    @property
    def pairs(self) -> int:
        """Two-person pairs the team forms; an odd person out is not scheduled."""
        return self.people // 2

    @property
    def label(self) -> str:
        return self.name or self.id


class Pooling(_Frozen):
    """How many samples share one tube (混采), by mode; the ``pooling`` block."""

    walk_in: int = Field(10, ge=1, le=100, description="Samples per tube at walk-in (10-in-1).")
    door_to_door: int = Field(
        1,
        ge=1,
        le=100,
        description="Samples per tube at home (1: a tube per person or household); a site's "
        "door_to_door_per_tube overrides it.",
    )


class Couriers(_Frozen):
    """Who carries tubes from a worked community to a lab (采、送); the ``couriers`` block."""

    every_minutes: int = Field(
        60,
        ge=5,
        le=MAX_HORIZON_MINUTES,
        description="A worked community's tubes are picked up this often from its first "
        "swab, and at the end of its work.",
    )
    speed_kmh: float = Field(
        30, gt=0, le=200, description="Courier speed; minutes = km x 1.3 / speed x 60, up."
    )
    max_swab_to_lab_minutes: int = Field(
        240,
        ge=10,
        le=2 * MAX_HORIZON_MINUTES,
        description="Longest time from a swab to its tube's arrival at a lab (2-4 h at room "
        "temperature).",
    )


class ResultsTarget(_Frozen):
    """When results should be out: within minutes of each swab, or all by a time."""

    within_minutes: int | None = Field(
        None, ge=1, le=3 * MAX_HORIZON_MINUTES, description="Each result within this of its swab."
    )
    by: LocalTime | None = Field(None, description="Every result by this local time.")


class Lab(_Frozen):
    """A testing laboratory (检测机构) that takes pooled tubes."""

    id: Id = Field(description="Unique; letters, digits, '-' and '_'.")
    name: str = Field("", description="Display name.")
    lat: float = Field(ge=-90, le=90, description="WGS84 latitude, degrees.")
    lon: float = Field(ge=-180, le=180, description="WGS84 longitude, degrees.")
    tubes_per_hour: int = Field(ge=1, le=1_000_000, description="Tubes it can load per hour.")
    open: Window | None = Field(
        None, description="Daily testing hours, HH:MM-HH:MM; default always."
    )
    batch_minutes: int = Field(
        ge=1, le=MAX_HORIZON_MINUTES, description="From loading a tube to its result."
    )


LAB_BLOCKS = ("pooling", "couriers", "results_target")


class Scenario(_Frozen):
    """A whole scenario file (version 1)."""

    scenario: str = Field("", description="Title, free text.")
    start: LocalTime = Field(description="Planning horizon start, local time.")
    end: LocalTime = Field(description="Planning horizon end, local time; one day at most.")
    slot_minutes: int = Field(30, description="Planning granularity: 10, 15, 20, 30 or 60.")
    defaults: Rules = Field(default_factory=Rules)
    sites: list[Site] = Field(min_length=1)
    teams: list[Team] = Field(default_factory=list)
    labs: list[Lab] | None = Field(
        None, min_length=1, description="Laboratories (docs/labs.md); optional."
    )
    pooling: Pooling | None = Field(None, description="Samples per tube; only with labs.")
    couriers: Couriers | None = Field(None, description="Tube pickups; only with labs.")
    results_target: ResultsTarget | None = Field(
        None, description="When results should be out; only with labs."
    )

    @field_validator("slot_minutes")
    @classmethod
    def _slot_choice(cls, value: int) -> int:
        if value not in SLOT_CHOICES:
            raise ValueError(f"must be one of {', '.join(map(str, SLOT_CHOICES))}")
        return value

    @model_validator(mode="after")
    def _cross_check(self) -> Scenario:
        problems = list(cross_problems(self.model_dump()))
        if problems:
            raise ScenarioProblem(problems)
        return self

    # -- derived, computed once -------------------------------------------------------

    @cached_property
    def horizon_minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    @cached_property
    def n_slots(self) -> int:
        """Whole slots in the horizon (a trailing part-slot is not planned)."""
        return self.horizon_minutes // self.slot_minutes

    @cached_property
    def lab_by_id(self) -> dict[str, Lab]:
        return {lab.id: lab for lab in self.labs or ()}

    @property
    def pooling_rules(self) -> Pooling:
        """Samples per tube (the defaults when the block is not given)."""
        return self.pooling or Pooling()

    @property
    def courier_rules(self) -> Couriers:
        return self.couriers or Couriers()

    def per_tube(self, site: Site, mode: str) -> int:
        """Samples per tube at ``site`` in ``mode`` (``walk_in`` or ``door_to_door``)."""
        if mode == "walk_in":
            return self.pooling_rules.walk_in
        return site.door_to_door_per_tube or self.pooling_rules.door_to_door

    @cached_property
    def site_by_id(self) -> dict[str, Site]:
        return {s.id: s for s in self.sites}

    @cached_property
    def team_by_id(self) -> dict[str, Team]:
        return {t.id: t for t in self.teams}

    @cached_property
    def _team_rules(self) -> dict[str, Rules]:
        return {t.id: self._own_rules(t) for t in self.teams}

    def rules(self, team: Team) -> Rules:
        """The team's rates and limits: its own overrides on top of ``defaults``."""
        if self.team_by_id.get(team.id) is team:
            return self._team_rules[team.id]
        return self._own_rules(team)

    def _own_rules(self, team: Team) -> Rules:
        overrides = {k: getattr(team, k) for k in RULE_KEYS if getattr(team, k) is not None}
        return self.defaults.model_copy(update=overrides) if overrides else self.defaults

    def window_minutes(self, window: ClockWindow | None) -> tuple[int, int]:
        """A clock window as minutes from the horizon start (the whole horizon if None)."""
        if window is None:
            return 0, self.horizon_minutes
        return window_offsets(self.start, window)

    def open_minutes(self, site: Site) -> tuple[int, int]:
        return self.window_minutes(site.open)

    def available_minutes(self, team: Team) -> tuple[int, int]:
        return self.window_minutes(team.available)

    def sites_closing_before(self, minute: int) -> frozenset[str]:
        """Ids of the sites whose open window ends before ``minute`` (from the start)."""
        return frozenset(s.id for s in self.sites if self.open_minutes(s)[1] < minute)

    def at(self, minute: int) -> datetime:
        """Minutes from the horizon start -> local date and time."""
        return self.start + timedelta(minutes=minute)

    @property
    def total_residents(self) -> int:
        return sum(s.residents for s in self.sites)


def cross_problems(data: Any):
    """Rules that involve more than one field: horizon, windows inside it, unique ids.

    Works on plain data, leniently (a value that does not parse is someone else's error),
    so that the loader can report these alongside any field errors in one go.
    """
    if not isinstance(data, dict):
        return
    try:
        start, end = _parse_datetime(data.get("start")), _parse_datetime(data.get("end"))
    except ValueError:
        start = end = None
    minutes = None
    if start is not None and end is not None:
        minutes = (end - start).total_seconds() / 60
        slot = data.get("slot_minutes", 30)
        if minutes <= 0:
            yield ("end",), f"must be after start ({start:%Y-%m-%dT%H:%M})"
            minutes = None
        elif minutes > MAX_HORIZON_MINUTES:
            yield ("end",), "the horizon is one day at most in version 1 (end - start <= 24 h)"
            minutes = None
        elif isinstance(slot, int) and minutes < slot:
            yield ("end",), f"the horizon is shorter than one slot ({slot} minutes)"
    for kind, key in (("site", "open"), ("team", "available")):
        plural = kind + "s"
        items = data.get(plural)
        if not isinstance(items, list):
            continue
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            ident = item.get("id")
            if isinstance(ident, str | int) and not isinstance(ident, bool):
                ident = str(ident)
                if ident in seen:
                    yield (
                        (plural, index, "id"),
                        f"duplicate {kind} id {ident!r} (also {plural}[{seen[ident]}])",
                    )
                seen.setdefault(ident, index)
            if minutes is None or item.get(key) is None:
                continue
            try:
                window = _parse_window(item[key])
            except ValueError:
                continue
            if window_offsets(start, window)[1] > minutes:
                # A typo such as 10:00-09:00 reads as 23 hours: say how it was read.
                night = f" (it ends at {format_clock(window.end)} the next day)"
                yield (
                    (plural, index, key),
                    f"{window} is not inside the horizon {start:%H:%M}-{end:%H:%M}"
                    + (night if window.crosses_midnight else ""),
                )
    yield from lab_problems(data)


def lab_problems(data: dict[str, Any]):
    """The ``labs:`` rules that involve more than one field (docs/labs.md): the lab blocks
    only with labs, unique lab ids, a target after the start, and a lab within a courier's
    reach of every site. Lenient, as :func:`cross_problems` (which calls it)."""
    labs = data.get("labs")
    sites: list[Any] = data["sites"] if isinstance(data.get("sites"), list) else []
    if labs is None:
        for key in LAB_BLOCKS:
            if data.get(key) is not None:
                yield (key,), "applies only with labs: (the scenario names no labs)"
        for index, site in enumerate(sites):
            if isinstance(site, dict) and site.get("door_to_door_per_tube") is not None:
                yield (
                    ("sites", index, "door_to_door_per_tube"),
                    "applies only with labs: (the scenario names no labs)",
                )
        return
    if not isinstance(labs, list):
        return
    seen: dict[str, int] = {}
    for index, lab in enumerate(labs):
        ident = lab.get("id") if isinstance(lab, dict) else None
        if isinstance(ident, str):
            if ident in seen:
                yield (
                    ("labs", index, "id"),
                    f"duplicate lab id {ident!r} (also labs[{seen[ident]}])",
                )
            seen.setdefault(ident, index)
    yield from _target_problems(data)
    yield from _reach_problems(sites, labs, data.get("couriers"))


def _target_problems(data: dict[str, Any]):
    target = data.get("results_target")
    if not isinstance(target, dict) or target.get("by") is None:
        return
    try:
        start, by = _parse_datetime(data.get("start")), _parse_datetime(target["by"])
    except ValueError:
        return
    if by <= start:
        yield ("results_target", "by"), f"must be after start ({start:%Y-%m-%dT%H:%M})"


def _reach_problems(sites: list[Any], labs: list[Any], couriers: Any):
    """Every site has a lab its tubes can reach in time: picked up at most ``every_minutes``
    after their first swab, they must arrive within ``max_swab_to_lab_minutes``."""
    from sampler.geo import great_circle_km, travel_minutes  # numpy only; a scenario with labs

    rules = couriers if isinstance(couriers, dict) else {}
    try:
        every = int(rules.get("every_minutes", 60))
        limit = int(rules.get("max_swab_to_lab_minutes", 240))
        speed = float(rules.get("speed_kmh", 30))
        lab_at = np.array([[float(b["lat"]), float(b["lon"])] for b in labs])
        site_at = np.array([[float(s["lat"]), float(s["lon"])] for s in sites])
    except (TypeError, ValueError, KeyError):
        return  # someone else's error
    if not len(site_at) or not len(lab_at) or speed <= 0:
        return
    if every >= limit:
        yield (
            ("couriers", "every_minutes"),
            f"must be less than max_swab_to_lab_minutes ({limit}): a tube picked up that "
            "late is already too old",
        )
        return
    km = great_circle_km(
        site_at[:, None, 0], site_at[:, None, 1], lab_at[None, :, 0], lab_at[None, :, 1]
    )
    minutes = travel_minutes(km, speed)
    nearest = minutes.argmin(axis=1)
    for index in np.flatnonzero(minutes.min(axis=1) > limit - every):
        lab = labs[int(nearest[index])]
        yield (
            ("sites", int(index)),
            f"no lab within reach: the nearest, {lab.get('id')}, is "
            f"{int(minutes[index, nearest[index]])} minutes away by courier, and tubes picked "
            f"up every {every} minutes must arrive within {limit} minutes of a swab "
            f"(which leaves {limit - every})",
        )


def window_offsets(start: datetime, window: ClockWindow) -> tuple[int, int]:
    """A clock window as minutes from ``start``: it opens at the first time its start
    clock comes round in the horizon (so a horizon past midnight reads early clock times
    as the next day) and lasts ``window.minutes`` (to the next day if it crosses midnight).
    """
    opens = window.start - (start.hour * 60 + start.minute)
    if opens < 0:
        opens += 24 * 60
    return opens, opens + window.minutes
