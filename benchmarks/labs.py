"""The labs benchmark: a generated city with 20 labs (docs/labs.md), planned and checked.

The city tier of :mod:`benchmarks.generate` (2,400 communities over 8 districts) gets two
hospital labs near each district's centre and four large city labs 8-14 km from the city's
centre: 20 labs. Figures from ``../shared/DOMAIN.md``: a large Zhengzhou lab tested
200,000 tubes a day (about 8,000 an hour); here the four large labs 10,000 an hour and the
hospital labs 1,500-3,000 (a city this size had far more than 20 labs: each stands for
several); results 90-180 minutes after loading; 10-in-1 walk-in pooling, one tube a person
at home, three to a household in sealed compounds; couriers every 60 minutes at 30 km/h,
at most 240 minutes from swab to lab; target 6 hours. The labs (76,400 tubes an hour for
seed 1) test the day's 1.7 million tubes through the night: they, not the staff, end the
round.

    python -m benchmarks.labs --seed 1 --time-limit 45

Times the planner's steps (load, solve, write) and the checker on this machine, and prints
one line of figures (JSON) and the Markdown row for ``LABS.md``. Generated files go to
``benchmarks/data/`` (not committed). Same seed, same scenario, byte for byte.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.generate import describe, generate, write_scenario

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
KM_PER_DEG = 111.32


def add_labs(data: dict[str, Any], seed: int) -> dict[str, Any]:
    """The scenario data with 20 labs, pooling, couriers and a 6-hour target."""
    rng = np.random.default_rng([seed, 17])
    sites = data["sites"]
    districts: dict[str, list[tuple[float, float]]] = {}
    for s in sites:
        districts.setdefault(s["district"], []).append((s["lat"], s["lon"]))
    labs = []
    for d, points in enumerate(districts.values(), start=1):
        centre = tuple(np.mean(points, axis=0))
        for h in (1, 2):
            at = _offset(centre, rng.uniform(1, 3), rng.uniform(0, 2 * math.pi))
            labs.append(
                _lab(f"d{d}-lab{h}", f"区医院检验科 {d}-{h}", at, rng.integers(15, 31) * 100, rng)
            )
    city = tuple(np.mean([(s["lat"], s["lon"]) for s in sites], axis=0))
    for c in range(1, 5):
        at = _offset(city, rng.uniform(8, 14), (c - 1) * math.pi / 2 + rng.uniform(-0.5, 0.5))
        labs.append(_lab(f"city-lab{c}", f"市级检测基地 {c}", at, 10_000, rng))
    for s in sites:
        if s.get("sealed"):
            s["door_to_door_per_tube"] = 3
    return {
        **data,
        "scenario": data["scenario"] + " · 20 labs",
        "sites": sites,
        "labs": labs,
        "pooling": {"walk_in": 10, "door_to_door": 1},
        "couriers": {"every_minutes": 60, "speed_kmh": 30, "max_swab_to_lab_minutes": 240},
        "results_target": {"within_minutes": 360},
    }


def _lab(lab_id: str, name: str, at: tuple[float, float], tubes: int, rng) -> dict[str, Any]:
    return {
        "id": lab_id,
        "name": name,
        "lat": round(float(at[0]), 5),
        "lon": round(float(at[1]), 5),
        "tubes_per_hour": int(tubes),
        "batch_minutes": int(rng.choice([90, 120, 150, 180])),
    }


def _offset(origin: tuple[float, float], km: float, angle: float) -> tuple[float, float]:
    lat = origin[0] + km * math.sin(angle) / KM_PER_DEG
    lon = origin[1] + km * math.cos(angle) / (KM_PER_DEG * math.cos(math.radians(origin[0])))
    return lat, lon


def measure(seed: int, time_limit: float) -> dict[str, Any]:
    """Generate, plan, write and check the city with labs; the figures."""
    from sampler import SolveParams, check_plan, load_scenario, solve, write_plan

    path = DATA / f"city-labs-seed{seed}.yaml"
    data = add_labs(generate("city", seed), seed)
    write_scenario(data, path, f"Synthetic city with 20 labs, seed {seed} (benchmarks/labs.py)")
    clock = time.perf_counter()
    sc = load_scenario(path)
    load_s = time.perf_counter() - clock
    clock = time.perf_counter()
    result = solve(sc, SolveParams(time_limit=time_limit, seed=seed))
    solve_s = time.perf_counter() - clock
    clock = time.perf_counter()
    folder = write_plan(result, DATA / "plans" / f"city-labs-seed{seed}", force=True)
    write_s = time.perf_counter() - clock
    clock = time.perf_counter()
    report = check_plan(sc, folder)
    check_s = time.perf_counter() - clock
    labs = result.labs
    stamp = lambda m: None if m is None else sc.at(m).strftime("%m-%d %H:%M")  # noqa: E731
    return {
        "seed": seed,
        "time_limit": time_limit,
        "size": describe(data),
        "labs": len(sc.labs or []),
        "load_average": round(os.getloadavg()[0], 2),
        "wall_seconds": round(load_s + solve_s + write_s, 1),
        "solve_seconds": round(solve_s, 1),
        "lab_stage_seconds": result.timings.get("labs"),
        "check_seconds": round(check_s, 1),
        "check_ok": report.ok,
        "broken": sorted(report.rules),
        "status": str(result.status),
        "done_at": stamp(result.done_minute),
        "results_done_at": stamp(labs.results_done_minute),
        "lower_bound_results_done_at": stamp(labs.lower_bound_minute),
        "results_gap": None if labs.gap is None else round(labs.gap, 4),
        "within_target": round(labs.within_share, 4),
        "tubes": labs.tubes,
        "collections": len(labs.collections),
        **_pacing(sc, labs),
    }


def _pacing(sc, labs) -> dict[str, Any]:
    """What pacing did (docs/labs.md, "Pacing"): the figures before it, and its moves."""
    paced = labs.pacing
    if paced is None:
        return {}
    stamp = lambda m: None if m is None else sc.at(m).strftime("%m-%d %H:%M")  # noqa: E731
    return {
        "within_target_before_pacing": round(1 - paced.unmet_before / max(labs.samples, 1), 4),
        "results_done_at_before_pacing": stamp(paced.results_before),
        "done_at_before_pacing": stamp(paced.done_before),
        "pairs_delayed": paced.pairs_delayed,
        "plans_routed": paced.routed,
    }


def row(f: dict[str, Any]) -> str:
    """The figures as a row of LABS.md's table."""
    gap = "n/a" if f["results_gap"] is None else f"{f['results_gap']:.1%}"
    return (
        f"| {f['seed']} | {f['time_limit']:g} | {f['wall_seconds']} (lab stage "
        f"{f['lab_stage_seconds']}) | {f['check_seconds']} | {f['load_average']} | "
        f"{f['status']} | {f['done_at']} | {f['results_done_at']} | "
        f"{f['lower_bound_results_done_at']} | {gap} | {f['within_target']:.1%} | "
        f"{f['tubes']:,} | {'valid' if f['check_ok'] else 'NOT valid: ' + ', '.join(f['broken'])} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.labs", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=45.0)
    args = parser.parse_args(argv)
    figures = measure(args.seed, args.time_limit)
    print(json.dumps(figures, ensure_ascii=False))
    print(row(figures))
    return 0 if figures["check_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
