"""Property: no campaign plan of a small random campaign breaks a cross-day rule (rest,
days in a row, hours per week, absent teams, sealed communities, rounds and tests), and
every day folder passes the single-day checker: ``check_campaign`` passes on what
``plan_campaign`` writes."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sampler.budget import SolveParams
from sampler.campaign import plan_campaign
from sampler.campaign_check import check_campaign

SITES = ("s0", "s1", "s2")
TEAMS = ("t0", "t1", "t2")


@st.composite
def campaigns(draw) -> tuple[str, str]:
    """(scenario YAML, campaign YAML): up to three communities, two teams, two to four
    days, random rhythms, staff rules and changes."""
    sites = []
    for ident in SITES[: draw(st.integers(1, 3))]:
        residents = draw(st.integers(0, 300))
        sites.append(
            {"id": ident, "lat": 40.0 + draw(st.integers(-20, 20)) / 1000,
             "lon": 113.0 + draw(st.integers(-20, 20)) / 1000, "residents": residents,
             "home_visits": draw(st.integers(0, residents // 3)),
             "sealed": draw(st.booleans()), "stations": draw(st.integers(1, 3))}
        )  # fmt: skip
    teams = [
        {"id": ident, "people": draw(st.integers(2, 6)),
         "lat": 40.0 + draw(st.integers(-30, 30)) / 1000,
         "lon": 113.0 + draw(st.integers(-30, 30)) / 1000,
         "door_to_door": draw(st.booleans())}
        for ident in TEAMS[: draw(st.integers(1, 3))]
    ]  # fmt: skip
    for team in teams:
        window = draw(st.sampled_from([None, None, "08:00-12:00", "10:00-14:00"]))
        if window:
            team["available"] = window
    scenario = {
        "scenario": "random campaign day",
        "start": "2022-11-10T08:00",
        "end": draw(st.sampled_from(["2022-11-10T14:00", "2022-11-10T20:00"])),
        "slot_minutes": draw(st.sampled_from([30, 60])),
        "sites": sites,
        "teams": teams,
    }
    days = draw(st.integers(2, 4))
    staff: dict = {"min_rest_hours": draw(st.sampled_from([0, 12, 14, 20]))}
    if draw(st.booleans()):
        staff["max_consecutive_days"] = draw(st.integers(1, 2))
    if draw(st.booleans()):
        staff["max_week_hours"] = draw(st.sampled_from([4, 8, 12]))
    if draw(st.booleans()):
        staff["teams"] = {"t0": {"min_rest_hours": 16, "max_week_hours": 6,
                                 "max_consecutive_days": 1}}  # fmt: skip
    rhythms = [
        {"sealed": True, "every": draw(st.sampled_from(["1d", "2d"]))},
        draw(
            st.sampled_from([
                {"every": "2d"}, {"every": "once"}, {"every": "1d"},
                {"rounds": 2, "within": "2d", "min_gap": "20h"},
                {"rounds": 2, "within": "3d"}, {"every": "3d"},
                {"rounds": 3, "within": "3d", "min_gap": "24h"},
            ])
        ),
    ]  # fmt: skip
    changes = []
    for day in sorted(set(draw(st.lists(st.integers(2, days), max_size=2)))):
        change: dict = {"day": day}
        site = draw(st.sampled_from([s["id"] for s in sites]))
        action = draw(st.sampled_from(["seal", "release", "leave", "arrive", "residents"]))
        if action in ("seal", "release"):
            change[action] = [site]
        elif action == "residents":
            own = next(s for s in sites if s["id"] == site)
            change["residents"] = {site: own["home_visits"] + draw(st.integers(0, 200))}
        else:
            change[f"teams_{action}"] = [draw(st.sampled_from([t["id"] for t in teams]))]
        changes.append(change)
    campaign = {
        "campaign": "random",
        "scenario": "scenario.yaml",
        "days": days,
        "staff": staff,
        "rhythms": rhythms,
        "changes": changes,
    }
    return yaml.safe_dump(scenario, sort_keys=False), yaml.safe_dump(campaign, sort_keys=False)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(files=campaigns())
def test_every_campaign_plan_passes_the_campaign_check(files, tmp_path_factory):
    scenario, campaign = files
    folder: Path = tmp_path_factory.mktemp("campaign")
    (folder / "scenario.yaml").write_text(scenario, encoding="utf-8")
    path = folder / "campaign.yaml"
    path.write_text(campaign, encoding="utf-8")
    found = plan_campaign(path, folder / "out", SolveParams(time_limit=0.3, seed=0))
    report = check_campaign(path, folder / "out")
    assert report.ok, report.summary() + "\n" + scenario + campaign
    assert report.stats["rounds"] == len(found.rounds)
    assert report.stats["rounds_met"] == sum(r.left == 0 for r in found.rounds)
