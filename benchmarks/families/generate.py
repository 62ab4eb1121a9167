"""Scenario families: the cities a command centre meets, seeded, as ordinary scenario files.

The benchmark tiers (:mod:`benchmarks.generate`) are one kind of city: communities open
07:00-21:00, local teams all day, supporting teams from 09:00 or 12:30. Outside checkers
found the planner breaks on others. Each family here stresses one thing a real command
centre meets:

- ``short_hours``: half the communities open 07:00-12:00, 09:00-18:00 or 08:00-20:00, and
  every sealed community (more of them: 8%) is open in the morning only;
- ``late_teams``: 45% of the teams arrive at 12:30 or leave at 14:00, most of them from
  35-45 km away;
- ``no_door``: 30% of the teams have no door-to-door training, with 8% of communities sealed;
- ``remote``: the town in two or three clusters, and a third of the communities villages
  in clusters 15-35 km out (small, one or two stations, more elderly sampled at home);
- ``understaffed``: the staff is clearly too few (about 70% of what the day needs), so the
  planner's bound says not everyone can be sampled;
- ``priorities``: communities of priority 1, 2 and 3, and a slight shortage, so that the
  order matters;
- ``heat``: a summer day under the heat guidance for epidemic staff (no more than two hours
  in a protective suit at a stretch, outdoor work out of 11:00-15:00): suits of at most
  120 minutes with 30-minute breaks, 30% of communities sampling only in the cool hours
  (07:00-11:00 or 15:00-21:00), 15% of teams late or early (a third of them from 35-45
  km: under a two-hour stretch some of them can reach nowhere);
- ``mixed``: a-d together, as the outside checkers had them: 15% of communities with short
  hours (sealed ones in the morning only), 20% of teams late or early (half from 40 km),
  15% of teams without door-to-door training, 10% of communities remote villages;
- ``generator``: the benchmark tiers' own generator, at the family's sizes.

Sizes: ``small`` (5 to 40 communities, drawn from the seed), ``district`` (400 communities,
about 1.9 million residents) and ``city`` (2,400 over 8 districts).

Placement and staffing are not :mod:`benchmarks.generate`'s. Places are drawn in a km plane
(x east, y north) around Datong (the seeds' Pingcheng District) and turned into degrees at
the end: neighbourhoods scattered with a spread that grows with their number, communities
around each. Residents are log-normal. Teams are staffed by :mod:`benchmarks.families.staffing`,
a time-window capacity test, to a target load per family. Randomness comes from Python's
``random.Random`` seeded with the text ``family/size/seed``, so the same family, size and
seed give the same file, byte for byte::

    python -m benchmarks.families.generate --family mixed --size small --seed 3 -o mixed.yaml
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.families import staffing
from benchmarks.generate import DEFAULTS, Tier, describe, write_scenario
from benchmarks.generate import generate as generate_tier

FAMILIES = (
    "generator", "short_hours", "late_teams", "no_door", "remote", "understaffed",
    "priorities", "mixed", "heat",
)  # fmt: skip
SIZES = ("small", "district", "city")
CENTRE = (40.0765, 113.3001)  # Datong, Pingcheng District
KM_PER_DEGREE = 111.2
DAY = "2022-11-10"
HOT_DAY = "2022-07-15"  # the heat family's day
HORIZON = ("07:00", "21:30")
FULL_DAY = "07:00-21:00"
SHORT_WINDOWS = ("07:00-12:00", "09:00-18:00", "08:00-20:00")
MORNING = "07:00-12:00"
# The heat family: the National Health Commission's heat guidance for epidemic staff (May
# 2022, DOMAIN.md): at most two hours of continuous work in protective clothing, and no
# outdoor work 11:00-15:00 (a walk-in point is outdoors).
HEAT_RULES = {"max_suit_minutes": 120, "min_break_minutes": 30}
HEAT_SUITS = (90, 120)  # a team's own shorter limit, where it has one
COOL_WINDOWS = ("07:00-11:00", "15:00-21:00")


@dataclass(frozen=True)
class Family:
    """What one family changes; shares are of communities or of teams."""

    sealed: float = 0.04  # communities sealed (封控区)
    short_hours: float = 0.0  # communities with a window from SHORT_WINDOWS
    sealed_morning: bool = False  # sealed communities open 07:00-12:00 only
    villages: float = 0.0  # communities that are villages far out
    towns: int = 1  # clusters the town itself is in
    late_or_early: float = 0.0  # teams arriving 12:30 or leaving 14:00
    far_share: float = 0.6  # of those, based 35-45 km out
    no_door: float = 0.05  # teams without door-to-door training
    priorities: bool = False  # priority 1-3 communities
    target_load: float = 0.8  # the staffing test's load the staff is sized to
    heat: bool = False  # HEAT_RULES for every team (and HEAT_SUITS for some)
    cool_hours: float = 0.0  # communities open only in one of COOL_WINDOWS


SPECS: dict[str, Family] = {
    "short_hours": Family(sealed=0.08, short_hours=0.5, sealed_morning=True),
    "late_teams": Family(late_or_early=0.45, far_share=0.6),
    "no_door": Family(sealed=0.08, no_door=0.3),
    "remote": Family(villages=0.33, towns=3),
    "understaffed": Family(target_load=1.45),
    "priorities": Family(sealed=0.06, priorities=True, target_load=1.12),
    "mixed": Family(
        short_hours=0.15,
        sealed_morning=True,
        villages=0.1,
        late_or_early=0.2,
        far_share=0.5,
        no_door=0.15,
    ),
    "heat": Family(sealed=0.06, heat=True, cool_hours=0.3, late_or_early=0.15, far_share=0.33),
}

# Name parts in the manner of Datong's streets and villages; combined, no real roll.
_ROOTS = (
    "御河", "云冈", "魏都", "平城", "华严", "善化", "文瀛", "操场", "新开", "向阳", "和阳",
    "永泰", "开源", "同泉", "北关", "南关", "红旗", "迎宾", "恒安", "兴云", "富乐", "振华",
    "鼓楼", "太平", "清远", "水泊", "马军", "白马", "古店", "西韩", "新旺", "荣华", "乾园",
    "柳港", "南郊", "桥头", "沙岭", "吉家", "口泉", "七里",
)  # fmt: skip
_HOMES = ("社区", "社区", "小区", "花园", "苑", "家园", "新村")
_VILLAGES = ("村", "庄村", "堡村", "营村", "屯村")
_TOWNS = ("镇", "乡")
_COUNTIES = ("灵丘县", "广灵县", "浑源县", "阳高县", "天镇县", "左云县", "新荣区", "云州区")
_HOSPITALS = ("第一人民医院", "第三人民医院", "第五人民医院", "中医医院", "妇幼保健院")


class _Draw:
    """The family's random stream and its names (unique: a number is added on a repeat)."""

    def __init__(self, key: str):
        self.rng = random.Random(key)
        self.seen: dict[str, int] = {}
        self.batch: dict[str, int] = {}

    def pick(self, options: tuple[str, ...]) -> str:
        return options[self.rng.randrange(len(options))]

    def name(self, text: str) -> str:
        self.seen[text] = self.seen.get(text, 0) + 1
        n = self.seen[text]
        return text if n == 1 else f"{text}{n}"

    def community(self) -> str:
        return self.name(self.pick(_ROOTS) + self.pick(_HOMES))

    def village(self) -> str:
        return self.name(self.pick(_ROOTS) + self.pick(_VILLAGES))

    def support(self) -> str:
        county = self.pick(_COUNTIES)
        self.batch[county] = self.batch.get(county, 0) + 1
        return f"{county}第{self.batch[county]}批支援医疗队"


def _to_degrees(x: float, y: float) -> tuple[float, float]:
    lat = CENTRE[0] + y / KM_PER_DEGREE
    lon = CENTRE[1] + x / (KM_PER_DEGREE * math.cos(math.radians(CENTRE[0])))
    return round(lat, 5), round(lon, 5)


def _polar(rng: random.Random, near: float, far: float) -> tuple[float, float]:
    r, a = rng.uniform(near, far), rng.uniform(0, 2 * math.pi)
    return r * math.cos(a), r * math.sin(a)


def _places(d: _Draw, spec: Family, n: int, origin: tuple[float, float]) -> list[dict[str, Any]]:
    """``n`` communities around ``origin`` (km): town neighbourhoods, then villages."""
    rng = d.rng
    villages = round(spec.villages * n) if n >= 5 else 0
    town = n - villages
    hoods = max(1, round(town / 7))
    spread = 0.9 * math.sqrt(hoods)  # km; a larger town is wider, not denser
    centres = [origin]
    for _ in range(spec.towns - 1):
        dx, dy = _polar(rng, 5, 10)
        centres.append((origin[0] + dx, origin[1] + dy))
    hood_xy = []
    for h in range(hoods):
        cx, cy = centres[h % len(centres)]
        hood_xy.append((cx + rng.gauss(0, spread), cy + rng.gauss(0, spread)))
    out = []
    for k in range(town):
        hx, hy = hood_xy[k % hoods]
        out.append({"kind": "town", "xy": (hx + rng.gauss(0, 0.4), hy + rng.gauss(0, 0.4))})
    clusters = [_polar(rng, 15, 35) for _ in range(max(1, min(4, villages // 4)))]
    for k in range(villages):
        cx, cy = clusters[k % len(clusters)]
        xy = (origin[0] + cx + rng.gauss(0, 1.5), origin[1] + cy + rng.gauss(0, 1.5))
        out.append({"kind": "village", "xy": xy})
    return out


def _community(d: _Draw, spec: Family, place: dict[str, Any], sid: str, district: str,
               street: str) -> dict[str, Any]:  # fmt: skip
    """One site: residents, home visits or sealed, window, stations, priority."""
    rng = d.rng
    village = place["kind"] == "village"
    median, low, high = (1400, 300, 4000) if village else (4800, 600, 12000)
    residents = int(min(high, max(low, round(rng.lognormvariate(math.log(median), 0.45)))))
    sealed = not village and rng.random() < spec.sealed
    if sealed:  # a sealed compound is a few buildings, not a whole community
        residents = min(residents, rng.randrange(600, 2600))
    lat, lon = _to_degrees(*place["xy"])
    site: dict[str, Any] = {
        "id": sid,
        "name": d.village() if village else d.community(),
        "district": district,
        "street": street,
        "lat": lat,
        "lon": lon,
        "residents": residents,
    }
    home_share = rng.uniform(0.04, 0.10) if village else rng.uniform(0.01, 0.06)
    if sealed:
        site["sealed"] = True
    else:
        site["home_visits"] = round(residents * home_share)
    opening = FULL_DAY
    if sealed and spec.sealed_morning:
        opening = MORNING
    elif rng.random() < spec.short_hours:
        opening = d.pick(SHORT_WINDOWS)
    elif spec.cool_hours and rng.random() < spec.cool_hours:  # (no draw for other families)
        opening = d.pick(COOL_WINDOWS)
    hours = (staffing.window(opening)[1] - staffing.window(opening)[0]) / 60
    walk_in = 0 if sealed else residents - site["home_visits"]
    # enough tables to serve the walk-in residents in 70% of the window at 100 an hour
    stations = max(1, round(residents / rng.uniform(650, 950)), math.ceil(walk_in / (70 * hours)))
    site["stations"] = 1 if sealed else stations
    site["open"] = opening  # always: left out, a site would be open the whole horizon
    if spec.priorities:
        site["priority"] = rng.choices((1, 2, 3), weights=(60, 25, 15))[0]
    elif sealed:
        site["priority"] = 2
    return site


def _team(d: _Draw, spec: Family, tid: str, district: str, origin: tuple[float, float],
          radius: float) -> tuple[dict[str, Any], tuple[float, float]]:  # fmt: skip
    """A team and its base (km): a hospital of the district, or a supporting team."""
    rng = d.rng
    late = rng.random() < spec.late_or_early
    support = late or rng.random() < 0.35
    if late and rng.random() < spec.far_share:
        dx, dy = _polar(rng, 35, 45)
    elif support:
        dx, dy = _polar(rng, 12, 30)
    else:
        dx, dy = _polar(rng, 0, radius)
    xy = (origin[0] + dx, origin[1] + dy)
    if late:
        available = "12:30-21:30" if rng.random() < 0.5 else "07:00-14:00"
    elif support:
        available = "08:00-21:30" if rng.random() < 0.5 else "09:00-21:30"
    else:
        available = "07:00-21:30"
    name = d.support() if support else d.name(f"{district}{d.pick(_HOSPITALS)}医疗队")
    lat, lon = _to_degrees(*xy)
    team: dict[str, Any] = {
        "id": tid,
        "name": name,
        "people": 2 * rng.randrange(10, 36 if support else 26),
        "lat": lat,
        "lon": lon,
        "available": available,
    }
    if rng.random() < spec.no_door:
        team["door_to_door"] = False
    team["walk_in_per_hour"] = rng.choice((90, 100, 110, 120, 130))
    team["door_to_door_per_hour"] = rng.choice((20, 24, 28, 30, 34))
    if rng.random() < 0.25:
        team["max_suit_minutes"] = rng.choice(HEAT_SUITS if spec.heat else (240, 300, 360))
    return team, xy


def _area(d: _Draw, spec: Family, a: int, n: int, origin: tuple[float, float],
          label: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:  # fmt: skip
    """One district's communities and the teams staffed for them."""
    district = f"{label}区" if label else "平城区"
    places = _places(d, spec, n, origin)
    sites, xy = [], []
    for k, place in enumerate(places):
        street = f"{d.pick(_ROOTS)}{d.pick(_TOWNS)}" if place["kind"] == "village" else (
            f"{d.pick(_ROOTS)}街道" if k % 8 == 0 or not sites else sites[-1]["street"]
        )  # fmt: skip
        sid = f"a{a}-{'v' if place['kind'] == 'village' else 'c'}{k + 1:04d}"
        sites.append(_community(d, spec, place, sid, district, street))
        xy.append(place["xy"])
    demand = staffing.Demand.of(sites, xy)
    radius = max(2.0, 0.9 * math.sqrt(max(1, n / 7)))
    counter = iter(range(1, 10_000))

    def next_team() -> tuple[dict[str, Any], float]:
        team, base = _team(d, spec, f"a{a}-t{next(counter):03d}", district, origin, radius)
        return team, math.dist(base, demand.centre)

    teams = staffing.staff(demand, rules(spec), spec.target_load, next_team, max_teams=50 + n)
    return sites, teams


def generate(family: str, size: str, seed: int) -> dict[str, Any]:
    """The scenario (plain data in the scenario file's format) for ``family``, ``size``
    and ``seed``."""
    if family not in FAMILIES or size not in SIZES:
        raise ValueError(f"unknown family or size: {family!r}, {size!r}")
    d = _Draw(f"{family}/{size}/{seed}")
    if family == "generator":
        return _from_tiers(d, size, seed)
    spec = SPECS[family]
    areas = 8 if size == "city" else 1
    counts = {"small": [d.rng.randint(5, 40)], "district": [400], "city": [300] * 8}[size]
    sites: list[dict[str, Any]] = []
    teams: list[dict[str, Any]] = []
    turn = d.rng.uniform(0, 2 * math.pi)
    for a, n in enumerate(counts, start=1):
        angle = turn + 2 * math.pi * a / areas
        origin = (0.0, 0.0) if areas == 1 else (16 * math.cos(angle), 16 * math.sin(angle))
        label = "" if areas == 1 else d.pick(_ROOTS)
        more_sites, more_teams = _area(d, spec, a, n, origin, label)
        sites += more_sites
        teams += more_teams
    start, end = HORIZON
    day = HOT_DAY if spec.heat else DAY
    return {
        "scenario": f"场景族 {family} · {size} · seed {seed} · {day}",
        "start": f"{day}T{start}",
        "end": f"{day}T{end}",
        "slot_minutes": 30,
        "defaults": rules(spec),
        "sites": sites,
        "teams": teams,
    }


def rules(spec: Family) -> dict[str, Any]:
    """The scenario's defaults: the tiers', under HEAT_RULES on a hot day."""
    return {**DEFAULTS, **HEAT_RULES} if spec.heat else dict(DEFAULTS)


def _from_tiers(d: _Draw, size: str, seed: int) -> dict[str, Any]:
    """The tier generator's city: ``small`` is a one-district tier of 5-40 communities."""
    tier = {
        "small": Tier("small", districts=1, sites_per_district=d.rng.randint(5, 40)),
        "district": "district",
        "city": "city",
    }[size]
    return generate_tier(tier, seed)


def write(family: str, size: str, seed: int, path: str | Path) -> dict[str, Any]:
    """Generate a family scenario and write it to ``path``; returns the data."""
    data = generate(family, size, seed)
    header = (
        f"Scenario family {family}, size {size}, seed {seed}; not a real city.\n"
        f"Written by `python -m benchmarks.families.generate --family {family} --size {size} "
        f"--seed {seed}`.\n{describe(data)}"
    )
    write_scenario(data, path, header)
    return data


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.families.generate --family F --size S --seed N -o FILE``."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.families.generate", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--family", choices=FAMILIES, required=True)
    parser.add_argument("--size", choices=SIZES, default="small")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--out", type=Path, required=True)
    args = parser.parse_args(argv)
    data = write(args.family, args.size, args.seed, args.out)
    print(f"{args.out}: {describe(data)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
