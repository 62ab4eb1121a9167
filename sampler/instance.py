"""The scenario prepared for optimisation: slots, capacities and travel, computed once.

Everything here is derived from a validated :class:`~sampler.scenario.Scenario` and is
shared by the lower bound, the CP model and the rostering step. Times are slot indices
(``0 .. n_slots``) or minutes from the horizon start.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from math import floor

import numpy as np

from sampler.duty import DutyLimits, DutyPattern, duty_patterns
from sampler.geo import great_circle_km, travel_minutes
from sampler.scenario import Rules, Scenario, Site, Team

WALK_IN = "walk_in"
DOOR_TO_DOOR = "door_to_door"
MODES = (WALK_IN, DOOR_TO_DOOR)


def samples_in(rate_per_hour: float, minutes: int) -> int:
    """Most residents one pair can sample in ``minutes`` at ``rate_per_hour``."""
    return floor(rate_per_hour * minutes / 60 + 1e-9)


def samples_in_many(rate_per_hour: np.ndarray, minutes: np.ndarray) -> np.ndarray:
    """:func:`samples_in` of each element (the same arithmetic, so the same answers)."""
    return np.floor(rate_per_hour * minutes / 60 + 1e-9).astype(np.int64)


@dataclass(frozen=True)
class TeamData:
    """One team that was sent (at least one pair), with its rules resolved."""

    index: int
    team: Team
    rules: Rules
    pairs: int
    available: tuple[int, int]  # slots, end exclusive, whole slots inside availability
    limits: DutyLimits
    patterns: tuple[DutyPattern, ...]
    base_travel: np.ndarray  # minutes from the base to each site

    @property
    def id(self) -> str:
        return self.team.id

    def rate(self, mode: str) -> float:
        return self._rates[mode]

    def can(self, mode: str) -> bool:
        return mode == WALK_IN or self.team.door_to_door

    @cached_property
    def _rates(self) -> dict[str, float]:
        """Each mode's rate, looked up once (the dispatchers ask for them in every slot)."""
        return {mode: self.rules.rate(mode) for mode in MODES}


@dataclass(frozen=True)
class SiteData:
    index: int
    site: Site
    open: tuple[int, int]  # slots, end exclusive, whole slots inside the open window

    @property
    def id(self) -> str:
        return self.site.id

    def demand(self, mode: str) -> int:
        return self.site.walk_in_demand if mode == WALK_IN else self.site.home_demand


# Teams with one duty pattern each may take turns among this many (duty.duty_patterns'
# spread): with one pattern each, every team nearby breaks at the same slots, and where
# stations are what is short (two-hour suits: a break every fifth slot) they all stand idle
# then.
TAKING_TURNS = 3


@dataclass(frozen=True)
class Instance:
    """A scenario on its slot grid."""

    scenario: Scenario
    patterns_per_team: int = 3
    # With one pattern a team: the teams, in order, take turns among TAKING_TURNS patterns
    # (a late part's second try), rather than each taking the best.
    taking_turns: bool = False

    @property
    def slot(self) -> int:
        return self.scenario.slot_minutes

    @property
    def n_slots(self) -> int:
        return self.scenario.n_slots

    def slot_range(self, minutes: tuple[int, int]) -> tuple[int, int]:
        """Whole slots inside ``[a, b)`` minutes."""
        a, b = minutes
        first = -(-a // self.slot)
        end = min(b // self.slot, self.n_slots)
        return (first, max(first, end))

    @cached_property
    def site_latlon(self) -> np.ndarray:
        return np.array([[s.lat, s.lon] for s in self.scenario.sites], dtype=float).reshape(-1, 2)

    @cached_property
    def sites(self) -> tuple[SiteData, ...]:
        sc = self.scenario
        return tuple(
            SiteData(i, s, self.slot_range(sc.open_minutes(s))) for i, s in enumerate(sc.sites)
        )

    @cached_property
    def demands(self) -> tuple[tuple[int, int], ...]:
        """(walk-in, home) residents per site."""
        return tuple((s.demand(WALK_IN), s.demand(DOOR_TO_DOOR)) for s in self.sites)

    @cached_property
    def teams(self) -> tuple[TeamData, ...]:
        """Teams with at least one pair, in scenario order."""
        sc = self.scenario
        out: list[TeamData] = []
        for team in sc.teams:
            if team.pairs == 0:
                continue
            rules = sc.rules(team)
            available = self.slot_range(sc.available_minutes(team))
            limits = DutyLimits.from_minutes(
                self.slot, rules.max_suit_minutes, rules.min_break_minutes, rules.max_work_minutes
            )
            turns = self.taking_turns and self.patterns_per_team == 1
            how_many = TAKING_TURNS if turns else self.patterns_per_team
            patterns = duty_patterns(*available, limits, how_many=how_many)
            if turns and patterns:
                patterns = [patterns[len(out) % len(patterns)]]
            km = great_circle_km(team.lat, team.lon, self.site_latlon[:, 0], self.site_latlon[:, 1])
            out.append(
                TeamData(
                    index=len(out),
                    team=team,
                    rules=rules,
                    pairs=team.pairs,
                    available=available,
                    limits=limits,
                    patterns=tuple(patterns),
                    base_travel=travel_minutes(km, rules.travel_speed_kmh),
                )
            )
        return tuple(out)

    def site_km(self, sites: np.ndarray) -> np.ndarray:
        """Great-circle km between the given sites (a small dense block)."""
        ll = self.site_latlon[sites]
        return great_circle_km(ll[:, None, 0], ll[:, None, 1], ll[None, :, 0], ll[None, :, 1])

    def capacity(self, team: TeamData, mode: str) -> int:
        """Samples one pair of ``team`` can take in one full slot."""
        return samples_in(team.rate(mode), self.slot)

    def minute(self, slot: int) -> int:
        return slot * self.slot
