"""``python -m benchmarks.staffing``: how often ``sampler staff`` can prove its answer tight.

``sampler staff`` answers "the fewest people team X needs to be done by D" with a count N
whose plan meets D; two people fewer (N - 2) either cannot meet D, proven by the lower
bound, or were planned and missed, which is not a proof (a longer search might find a
plan). A tighter bound proves more answers. For each scenario (the window families'
seeds, and Yunzhou's day), the deadline is the done_at of the scenario's own plan, the team
is its largest, and the answer is searched with the planner at ``--time-limit``; the report
says how often N - 2 is ruled out by the bound.

Writes ``benchmarks/STAFFING.md``.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.families.generate import write as write_family
from sampler import load_scenario
from sampler.budget import SolveParams
from sampler.loader import read_scenario_data
from sampler.solve import solve
from sampler.staff import least_staff

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data" / "staffing"
SHIPPED = ROOT.parent / "scenarios" / "yunzhou-shuibosi.yaml"
FAMILIES = ("generator", "late_teams", "no_door", "remote", "mixed")


@dataclass(frozen=True)
class Answer:
    """One scenario's staffing question and what ``least_staff`` said."""

    name: str
    team: str
    people_sent: int  # the team's people in the scenario
    deadline: str
    people: int | None  # the answer
    proof: bool | None  # N - 2 ruled out by the bound (None: no evidence, e.g. N = 0)
    evidence: str | None
    seconds: float


def ask(name: str, path: Path, time_limit: float) -> Answer | None:
    """The staffing question of one scenario: None when its own plan is not complete (no
    deadline to ask about)."""
    scenario = load_scenario(path)
    params = SolveParams(time_limit=time_limit, seed=1)
    planned = solve(scenario, params)
    if not planned.plan.complete or planned.plan.done_minute is None:
        return None
    deadline = scenario.at(planned.plan.done_minute)
    team = max(scenario.teams, key=lambda t: (t.people, t.id))
    data, lines = read_scenario_data(path)
    clock = time.perf_counter()
    staff = least_staff(data, deadline, team=team.id, params=params, file=str(path), lines=lines)
    ev = staff.evidence
    return Answer(
        name=name,
        team=team.id,
        people_sent=team.people,
        deadline=deadline.strftime("%Y-%m-%d %H:%M"),
        people=staff.people,
        proof=None if ev is None else ev.proof,
        evidence=None if ev is None else ev.text,
        seconds=round(time.perf_counter() - clock, 1),
    )


def scenarios(seeds: int) -> list[tuple[str, Path]]:
    """The shipped Yunzhou day, then each family's small seeds (written once to DATA)."""
    out = [("yunzhou-shuibosi", SHIPPED)]
    DATA.mkdir(parents=True, exist_ok=True)
    for family in FAMILIES:
        for seed in range(1, seeds + 1):
            path = DATA / f"{family}-small-seed{seed}.yaml"
            if not path.exists():
                write_family(family, "small", seed, path)
            out.append((f"{family} seed {seed}", path))
    return out


def report(answers: list[Answer], skipped: list[str], time_limit: float) -> str:
    """STAFFING.md."""
    proven = [a for a in answers if a.proof]
    asked = [a for a in answers if a.proof is not None]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    lines = [
        "# Staffing answers: how often two people fewer is proven too few",
        "",
        f"Written by `python -m benchmarks.staffing --time-limit {time_limit:g}` on "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, sampler at {commit}; "
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}.",
        "",
        "Each scenario's deadline is the done_at of its own plan at that time limit, the team "
        "is its largest; `least_staff` finds the answer N. 'proven' means the lower bound "
        "rules out N - 2 (a proof); otherwise N - 2 was planned and missed (not a proof).",
        "",
        f"**N - 2 proven too few in {len(proven)} of {len(asked)} answers** "
        f"({len(answers) - len(asked)} answers had no N - 2 to ask about; "
        f"{len(skipped)} scenarios had no complete plan to take a deadline from: "
        f"{', '.join(skipped) or 'none'}).",
        "",
        "| scenario | team | people sent | deadline | answer N | N - 2 | seconds |",
        "|---|---|---|---|---|---|---|",
    ]
    for a in answers:
        verdict = "-" if a.proof is None else "proven (bound)" if a.proof else "missed by a plan"
        lines.append(
            f"| {a.name} | {a.team} | {a.people_sent} | {a.deadline} | {a.people} | "
            f"{verdict} | {a.seconds} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=4, help="family seeds 1..N (default 4)")
    parser.add_argument("--time-limit", type=float, default=2.0, help="planner effort")
    parser.add_argument("--results", type=Path, default=ROOT / "STAFFING.md")
    args = parser.parse_args(argv)
    answers, skipped = [], []
    for name, path in scenarios(args.seeds):
        answer = ask(name, path, args.time_limit)
        if answer is None:
            skipped.append(name)
            print(f"{name}: no complete plan, skipped", flush=True)
            continue
        answers.append(answer)
        print(json.dumps(answer.__dict__, ensure_ascii=False), flush=True)
    args.results.write_text(report(answers, skipped, args.time_limit), encoding="utf-8")
    print(f"wrote {args.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
