"""Synthetic cities for the benchmarks: seeded, written as ordinary scenario files.

A city is districts (区) around a centre (Zhengzhou's, 34.75 N 113.65 E), streets (街道)
around each district centre and communities (社区) around each street centre. Figures follow
the seeds and the national guideline (see ``../shared/DOMAIN.md``):

- residents 800 to 9,000 per community, skewed towards the smaller (a beta distribution);
- about 5% of communities sealed (封控区: everyone at home, priority 2); elsewhere 2-8% of
  the residents are key groups sampled at home;
- one walk-in station per 600-900 residents (the guideline's one table per 600-800);
- open 07:00-21:00 mostly, 08:00-20:00 for some; the horizon is 07:00-21:30 in 30-minute
  slots;
- teams of 30 to 100 people: local hospital teams based near their district centre and
  available all day, and supporting teams from outside (bases 20-40 km from the district
  centre) available from 09:00 or 12:30; about 10% not trained for door-to-door; rates and
  suit limits vary by team;
- staffed so that the round needs most of the day: the pair-hours the round needs
  (walk-in / rate + at home / rate, at the staff's average rates) are about ``LOAD`` of the
  pair-hours the staff can give. What a pair can give is its suit stretches from its start
  to the last closing time (21:00), within max_work_minutes, less its first trip: simply
  pairs x available hours would count a team arriving at 12:30 from 40 km out as nine
  working hours, and the round would then need the whole horizon and more (planned
  street tier, seed 1: lower bound at the last slot, no plan sampling everyone). The staff
  is sized district by district, so that every district has its own teams.

Streets sit 1.5-3 km from their district centre; that ring widens with the square root of
the number of streets beyond ten, so that a 50-street district is not packed into the
density of a 5-street one. Communities sit within about 1 km of their street centre.

The same tier and seed give the same file, byte for byte::

    python -m benchmarks.generate --tier district --seed 1 -o district.yaml
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

try:  # the C emitter is ten times faster; a 2,400-site city takes well under a second
    from yaml import CSafeDumper as _Dumper
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]

CITY_CENTRE = (34.75, 113.65)  # Zhengzhou
DAY = "2022-11-15"  # the 3rd full round over Zhengzhou's 8 districts (seed 004)
HORIZON = ("07:00", "21:30")
LAST_CLOSE = "21:00"  # communities close at 21:00 at the latest
SLOT_MINUTES = 30
LOAD = 0.85  # pair-hours needed / pair-hours the staff can give
KM_PER_DEG_LAT = 111.32

DEFAULTS = {
    "walk_in_per_hour": 120,
    "door_to_door_per_hour": 30,
    "max_suit_minutes": 390,
    "min_break_minutes": 60,
    "max_work_minutes": 780,
    "travel_speed_kmh": 20,
}

# Name roots: common in north Chinese place names; combined, they name no real roll.
_DISTRICT_ROOTS = (
    "东城", "西城", "南湖", "北岗", "新华", "长安", "河西", "金桥", "龙湖", "嵩阳", "黄河",
    "兴隆", "文峰", "安和", "永宁", "丰泽",
)  # fmt: skip
_PLACE_ROOTS = (
    "杏花", "桃李", "柳荫", "松竹", "梅园", "兰亭", "锦绣", "东明", "西岗", "南关", "北苑",
    "建设", "解放", "文化", "政通", "和平", "幸福", "永安", "长青", "绿城", "银河", "紫荆",
    "玉兰", "海棠", "凤凰", "清远", "惠达", "宋庄", "育才", "光明", "朝阳", "红旗", "工人",
    "康宁", "丰乐", "顺河", "陇海", "桐柏", "嵩山", "伏牛", "农业", "经纬", "东风", "民主",
    "健康", "未来", "祥和", "瑞祥", "福华", "裕华", "燕庄", "柳林", "杜岭", "商城", "航海",
    "淮河", "汝河", "须水", "石佛", "枫杨", "梧桐", "秦岭", "华山", "碧云", "翠竹", "香山",
)  # fmt: skip
_MODIFIERS = ("", "", "", "东", "西", "南", "北", "新", "一", "二", "三")
_COMMUNITY_SUFFIXES = ("社区", "社区", "社区", "村", "花园", "小区", "家园", "苑")
_STREET_SUFFIXES = ("街道", "路街道")
_COUNTIES = (
    "新郑市",
    "登封市",
    "新密市",
    "荥阳市",
    "中牟县",
    "巩义市",
    "尉氏县",
    "长葛市",
    "原阳县",
    "武陟县",
)
_HOSPITALS = ("人民医院", "中医院", "妇幼保健院", "中心医院", "第二人民医院", "社区卫生服务中心")


@dataclass(frozen=True)
class Tier:
    """The size of one benchmark tier."""

    name: str
    districts: int
    sites_per_district: int


TIERS: dict[str, Tier] = {
    "street": Tier("street", districts=1, sites_per_district=40),
    "district": Tier("district", districts=1, sites_per_district=400),
    "city": Tier("city", districts=8, sites_per_district=300),
}


def generate(tier: str | Tier, seed: int = 1, load: float = LOAD) -> dict[str, Any]:
    """A synthetic scenario (plain data in the scenario file's format) for ``tier``."""
    spec = TIERS[tier] if isinstance(tier, str) else tier
    tier_index = list(TIERS).index(spec.name) if spec.name in TIERS else len(TIERS)
    rng = np.random.default_rng([seed, tier_index])
    names = _Names(rng)
    sites: list[dict[str, Any]] = []
    teams: list[dict[str, Any]] = []
    first_angle = rng.uniform(0, 2 * math.pi)
    for d in range(spec.districts):
        angle = first_angle + 2 * math.pi * d / spec.districts + rng.uniform(-0.15, 0.15)
        centre = _offset(CITY_CENTRE, rng.uniform(6, 12), angle)
        district = names.district()
        mine = _district_sites(rng, names, d, district, centre, spec.sites_per_district)
        sites.extend(mine)
        teams.extend(_district_teams(rng, names, d, district, centre, mine, load))
    start, end = HORIZON
    return {
        "scenario": f"合成城市 · {spec.name} · seed {seed} · {DAY}",
        "start": f"{DAY}T{start}",
        "end": f"{DAY}T{end}",
        "slot_minutes": SLOT_MINUTES,
        "defaults": dict(DEFAULTS),
        "sites": sites,
        "teams": teams,
    }


def _district_sites(
    rng: np.random.Generator,
    names: _Names,
    d: int,
    district: str,
    centre: tuple[float, float],
    target: int,
) -> list[dict[str, Any]]:
    """Streets of 6-10 communities around the district centre, until ``target`` sites;
    5% of them (at least one in ten) sealed."""
    expected_streets = max(1, round(target / 8))
    spread = max(1.0, math.sqrt(expected_streets / 10))
    places: list[tuple[str, str, tuple[float, float]]] = []  # id, street, position
    s = 0
    while len(places) < target:
        s += 1
        street = names.street()
        ring = rng.uniform(1.5, 3.0) * spread
        street_centre = _offset(centre, ring, rng.uniform(0, 2 * math.pi))
        count = min(int(rng.integers(6, 11)), target - len(places))
        for c in range(1, count + 1):
            where = _offset(street_centre, math.sqrt(rng.uniform()), rng.uniform(0, 2 * math.pi))
            places.append((f"d{d + 1}-s{s:02d}-c{c:02d}", street, where))
    sealed = set(rng.choice(len(places), size=round(0.05 * len(places)), replace=False).tolist())
    return [
        _site(rng, site_id, names.community(), district, street, where, k in sealed)
        for k, (site_id, street, where) in enumerate(places)
    ]


def _site(
    rng: np.random.Generator,
    site_id: str,
    name: str,
    district: str,
    street: str,
    where: tuple[float, float],
    sealed: bool,
) -> dict[str, Any]:
    """One community: residents, home visits (or sealed), stations and opening hours."""
    residents = round(800 + 8200 * rng.beta(2.0, 2.2))
    site: dict[str, Any] = {
        "id": site_id,
        "name": name,
        "district": district,
        "street": street,
        "lat": round(where[0], 5),
        "lon": round(where[1], 5),
        "residents": residents,
    }
    if sealed:
        site["sealed"] = True
        site["priority"] = 2
    else:
        site["home_visits"] = round(residents * rng.uniform(0.02, 0.08))
    site["stations"] = math.ceil(residents / rng.uniform(600, 900))
    site["open"] = "07:00-21:00" if rng.uniform() < 0.8 else "08:00-20:00"
    return site


def _district_teams(
    rng: np.random.Generator,
    names: _Names,
    d: int,
    district: str,
    centre: tuple[float, float],
    sites: list[dict[str, Any]],
    load: float,
) -> list[dict[str, Any]]:
    """Teams for one district, added until its round needs ``load`` of their pair-hours."""
    walk_demand = sum(0 if s.get("sealed") else s["residents"] - s["home_visits"] for s in sites)
    home_demand = sum(s["residents"] if s.get("sealed") else s["home_visits"] for s in sites)
    teams: list[dict[str, Any]] = []
    local = support = 0
    while True:
        if rng.uniform() < 0.5:
            local += 1
            team = _local_team(rng, f"h-d{d + 1}-{local:02d}", district, centre)
        else:
            support += 1
            team = _support_team(rng, names, f"s-d{d + 1}-{support:02d}", centre)
        teams.append(team)
        if _needed_pair_hours(teams, walk_demand, home_demand) <= load * _pair_hours(teams, centre):
            return teams


def _local_team(
    rng: np.random.Generator, team_id: str, district: str, centre: tuple[float, float]
) -> dict[str, Any]:
    """A hospital team of the district: based near its centre, available all day."""
    hospital = _HOSPITALS[int(rng.integers(len(_HOSPITALS)))]
    base = _offset(centre, rng.uniform(0, 2.0), rng.uniform(0, 2 * math.pi))
    team = {"id": team_id, "name": f"{district}{hospital}医疗队", **_people_and_base(rng, base)}
    team["available"] = "07:00-21:30"
    return _skills(rng, team)


def _support_team(
    rng: np.random.Generator, names: _Names, team_id: str, centre: tuple[float, float]
) -> dict[str, Any]:
    """A supporting team from outside (支援): based 20-40 km out, arriving at 09:00 or 12:30."""
    base = _offset(centre, rng.uniform(20, 40), rng.uniform(0, 2 * math.pi))
    team = {"id": team_id, "name": names.support_team(), **_people_and_base(rng, base)}
    team["available"] = "09:00-21:30" if rng.uniform() < 0.6 else "12:30-21:30"
    return _skills(rng, team)


def _people_and_base(rng: np.random.Generator, base: tuple[float, float]) -> dict[str, Any]:
    return {
        "people": 2 * int(rng.integers(15, 51)),
        "lat": round(base[0], 5),
        "lon": round(base[1], 5),
    }


def _skills(rng: np.random.Generator, team: dict[str, Any]) -> dict[str, Any]:
    """Door-to-door training (90% of teams), rates, and a shorter suit limit for some."""
    if rng.uniform() < 0.1:
        team["door_to_door"] = False
    team["walk_in_per_hour"] = int(5 * rng.integers(18, 27))  # 90-130
    team["door_to_door_per_hour"] = int(rng.integers(20, 36))
    if rng.uniform() < 0.3:
        team["max_suit_minutes"] = int(30 * rng.integers(8, 14))  # 240-390
    return team


def _pair_hours(teams: list[dict[str, Any]], centre: tuple[float, float]) -> float:
    """What the staff can give: per pair, its suit stretches from its start to the last
    closing time (stretches of max_suit_minutes, min_break_minutes apart, within
    max_work_minutes), less its first trip to the district centre."""
    total = 0.0
    for t in teams:
        a, b = (_clock(x) for x in t["available"].split("-"))
        suit = t.get("max_suit_minutes", DEFAULTS["max_suit_minutes"])
        rest, cap = DEFAULTS["min_break_minutes"], DEFAULTS["max_work_minutes"]
        end, used, start = min(b, _clock(LAST_CLOSE)), 0, a
        while start < end and used < cap:
            used += min(suit, end - start, cap - used)
            start += suit + rest
        km = _km((t["lat"], t["lon"]), centre)
        trip = km * 1.3 / DEFAULTS["travel_speed_kmh"] * 60
        total += t["people"] // 2 * max(0.0, used - trip) / 60
    return total


def _needed_pair_hours(teams: list[dict[str, Any]], walk: int, home: int) -> float:
    """Pair-hours to sample everyone at the staff's pair-weighted average rates."""
    pairs = np.array([t["people"] // 2 for t in teams], dtype=float)
    walk_rate = np.average([t["walk_in_per_hour"] for t in teams], weights=pairs)
    trained = [
        (t["people"] // 2, t["door_to_door_per_hour"]) for t in teams if t.get("door_to_door", True)
    ]
    if not trained:
        return math.inf if home else walk / walk_rate
    home_rate = np.average([r for _, r in trained], weights=[p for p, _ in trained])
    return walk / walk_rate + home / home_rate


def _clock(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle km (equirectangular; plenty at city scale)."""
    dlat = (a[0] - b[0]) * KM_PER_DEG_LAT
    dlon = (a[1] - b[1]) * KM_PER_DEG_LAT * math.cos(math.radians((a[0] + b[0]) / 2))
    return math.hypot(dlat, dlon)


def _offset(origin: tuple[float, float], km: float, angle: float) -> tuple[float, float]:
    """The point ``km`` from ``origin`` in direction ``angle`` (radians from east)."""
    lat, lon = origin
    dlat = km * math.sin(angle) / KM_PER_DEG_LAT
    dlon = km * math.cos(angle) / (KM_PER_DEG_LAT * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon


class _Names:
    """Chinese-looking place names, drawn from the seeded generator; never a real roll."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.used: set[str] = set()
        self.batches: dict[str, int] = {}

    def _one(self, options: tuple[str, ...]) -> str:
        return options[int(self.rng.integers(len(options)))]

    def _fresh(self, make) -> str:
        name = make()
        for _ in range(50):
            if name not in self.used:
                break
            name = make()
        self.used.add(name)  # a repeat after 50 draws is harmless: ids are what is unique
        return name

    def district(self) -> str:
        return self._fresh(lambda: self._one(_DISTRICT_ROOTS) + "区")

    def street(self) -> str:
        return self._fresh(lambda: self._one(_PLACE_ROOTS) + self._one(_STREET_SUFFIXES))

    def community(self) -> str:
        return self._fresh(
            lambda: self._one(_PLACE_ROOTS) + self._one(_MODIFIERS) + self._one(_COMMUNITY_SUFFIXES)
        )

    def support_team(self) -> str:
        """``荥阳市第3批支援医疗队``: counties send teams in batches (批)."""
        county = self._one(_COUNTIES)
        self.batches[county] = self.batches.get(county, 0) + 1
        return f"{county}第{self.batches[county]}批支援医疗队"


def describe(data: dict[str, Any]) -> str:
    """One line: sites, residents, people, sealed sites, at-home share."""
    sites, teams = data["sites"], data["teams"]
    residents = sum(s["residents"] for s in sites)
    home = sum(s["residents"] if s.get("sealed") else s["home_visits"] for s in sites)
    sealed = sum(1 for s in sites if s.get("sealed"))
    people = sum(t["people"] for t in teams)
    return (
        f"{len(sites):,} sites, {residents:,} residents ({home / residents:.1%} at home, "
        f"{sealed} sealed), {len(teams)} teams, {people:,} people"
    )


def write_scenario(data: dict[str, Any], path: str | Path, header: str = "") -> Path:
    """Write scenario data as YAML (UTF-8, Chinese kept as text)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=120,
        default_flow_style=False,
    )
    comment = "".join(f"# {line}\n" for line in header.splitlines()) if header else ""
    path.write_text(comment + body, encoding="utf-8")
    return path


def generate_file(tier: str, seed: int, path: str | Path, load: float = LOAD) -> dict[str, Any]:
    """Generate ``tier`` for ``seed``, write it to ``path`` and return the data."""
    data = generate(tier, seed, load)
    header = (
        f"Synthetic benchmark scenario: tier {tier}, seed {seed}, load {load}.\n"
        f"Written by `python -m benchmarks.generate --tier {tier} --seed {seed}`; "
        "not a real city.\n"
        f"{describe(data)}"
    )
    write_scenario(data, path, header)
    return data


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.generate --tier district --seed 1 -o FILE.yaml``."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.generate", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--tier", choices=list(TIERS), required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--load", type=float, default=LOAD, help="pair-hours needed / available")
    parser.add_argument("-o", "--out", type=Path, required=True, help="scenario file to write")
    args = parser.parse_args(argv)
    data = generate_file(args.tier, args.seed, args.out, args.load)
    print(f"{args.out}: {describe(data)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
