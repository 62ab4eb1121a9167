"""Campaigns (sampler/campaign.py, campaign_file.py, campaign_check.py): the file's strict
loader, rounds by rhythm, rest and days in a row across days, the command end to end and
the campaign check.

The scenario is two communities and one team of four (two pairs at 120 an hour walk-in,
30 at home): ``north`` (600 residents, 30 at home) takes the pairs to about 12:30, and
``south`` (120, sealed, all at home) two hours. Each day plans in well under a second
at ``time_limit`` 0.5.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from sampler.budget import SolveParams
from sampler.campaign import plan_campaign
from sampler.campaign_check import check_campaign
from sampler.campaign_file import CampaignError, load_campaign
from sampler.cli import app
from sampler.export import write_plan
from sampler.loader import load_scenario
from sampler.solve import solve

FAST = SolveParams(time_limit=0.5, seed=0)

SCENARIO = """\
scenario: two communities
start: 2022-11-10T07:00
end: 2022-11-10T21:00
sites:
  - id: north
    lat: 40.00
    lon: 113.00
    residents: 600
    home_visits: 30
    stations: 2
  - id: south
    lat: 39.99
    lon: 113.00
    residents: 120
    sealed: true
teams:
  - id: alpha
    people: 4
    lat: 39.995
    lon: 113.00
"""

CAMPAIGN = """\
campaign: three days
scenario: scenario.yaml
days: 3
staff:
  min_rest_hours: 12
rhythms:
  - sealed: true
    every: 1d
  - every: 2d
"""


def write(tmp_path: Path, campaign: str = CAMPAIGN, scenario: str = SCENARIO) -> Path:
    (tmp_path / "scenario.yaml").write_text(scenario, encoding="utf-8")
    path = tmp_path / "campaign.yaml"
    path.write_text(campaign, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def planned(tmp_path_factory) -> tuple[Path, Path]:
    """The three-day campaign planned by the command: (campaign file, output folder)."""
    tmp = tmp_path_factory.mktemp("campaign")
    path = write(tmp)
    result = CliRunner().invoke(
        app, ["campaign", str(path), "-o", str(tmp / "out"), "--time-limit", "0.5"]
    )
    assert result.exit_code == 0, result.output
    return path, tmp / "out"


# -- the file -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("every: 2d", "every: 2"),
            "campaign.yaml:9: rhythms[1].every: must be 'once' or a number",
        ),
        (("days: 3", "days: 0"), "campaign.yaml:3: days: must be >= 1"),
        (("staff:", "staf:"), "campaign.yaml:4: staf: unknown key; did you mean 'staff'?"),
        (
            ("  - every: 2d", "  - sites: [nowhere]\n    every: 2d"),
            "rhythms[1].sites[0]: unknown site 'nowhere'",
        ),
        (
            ("  - every: 2d", "  - sealed: true\n    every: 2d"),
            "no rhythm selects site 'north' when not sealed",
        ),
        (
            ("scenario: scenario.yaml", "scenario: missing.yaml"),
            "campaign.yaml:2: scenario: no such file",
        ),
    ],
)
def test_bad_campaign_exits_2_names_line_and_key_and_writes_nothing(
    tmp_path: Path, edit: tuple[str, str], expected: str
) -> None:
    path = write(tmp_path, CAMPAIGN.replace(*edit))
    result = CliRunner().invoke(app, ["campaign", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert expected in result.output
    assert not (tmp_path / "out").exists()


def test_a_change_after_the_last_day_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, CAMPAIGN + "changes:\n  - day: 4\n    seal: [north]\n")
    with pytest.raises(
        CampaignError, match=r"campaign.yaml:11: changes\[0\].day: the campaign has 3 days"
    ):
        load_campaign(path)


def test_schema_of_campaign_files_names_its_keys() -> None:
    result = CliRunner().invoke(app, ["schema", "--campaign"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["title"] == "sampler campaign, version 1"
    assert {"campaign", "scenario", "days", "rhythms"} <= set(schema["required"])


# -- rounds ---------------------------------------------------------------------------


def test_every_2d_is_due_on_days_1_and_3_and_sealed_every_day(planned) -> None:
    _, out = planned
    table = pd.read_csv(out / "campaign.csv", encoding="utf-8-sig")
    due = table[table["due"]].groupby("site")["day"].apply(list).to_dict()
    assert due == {"north": [1, 3], "south": [1, 2, 3]}
    document = json.loads((out / "campaign.json").read_text(encoding="utf-8"))
    assert document["met"] and document["rounds"] == 5
    assert all(day["lower_bound_done_at"] for day in document["by_day"])


def test_a_community_not_finished_stays_due_with_the_residents_left(tmp_path: Path) -> None:
    # 4,000 residents at north cannot be sampled by two pairs in one day (2 x 120 x 13 h
    # of work = 3,120 at most): what is
    # left is due on day 2 of the round, and only that.
    path = write(
        tmp_path,
        CAMPAIGN.replace("days: 3", "days: 2"),
        SCENARIO.replace("residents: 600", "residents: 4000"),
    )
    found = plan_campaign(path, None, FAST)
    rows = found.by_day.set_index(["day", "site"])
    left = rows.loc[(1, "north"), "left"]
    assert left > 0
    assert rows.loc[(2, "north"), "residents_due"] == left


# -- rest and days in a row -----------------------------------------------------------


def test_rest_cuts_the_next_days_availability(tmp_path: Path) -> None:
    # 20 hours' rest after a day that ends about 12:30 starts day 2 after 08:30.
    path = write(tmp_path, CAMPAIGN.replace("min_rest_hours: 12", "min_rest_hours: 20"))
    out = tmp_path / "out"
    plan_campaign(path, out, FAST)
    people = pd.read_csv(out / "people.csv", encoding="utf-8-sig")
    end_1 = pd.to_datetime(people[people.day == 1]["last_end"]).max()
    day2 = load_scenario(out / "day-02" / "scenario.yaml")
    lo, _ = day2.available_minutes(day2.teams[0])
    assert day2.at(lo) >= end_1 + timedelta(hours=20)
    assert day2.at(lo) - (end_1 + timedelta(hours=20)) < timedelta(minutes=30)  # the next slot
    assert people[people.day == 2]["rest_hours"].min() >= 20
    assert check_campaign(path, out).ok


def test_checker_catches_a_day_valid_alone_that_breaks_the_rest(tmp_path: Path) -> None:
    path = write(tmp_path, CAMPAIGN.replace("min_rest_hours: 12", "min_rest_hours: 20"))
    out = tmp_path / "out"
    plan_campaign(path, out, FAST)
    # Day 2 planned again without the rest cut: a valid plan of its own scenario.
    data = yaml.safe_load((out / "day-02" / "scenario.yaml").read_text(encoding="utf-8"))
    for team in data["teams"]:
        team.pop("available", None)
    (out / "day-02" / "scenario.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    tampered = load_scenario(out / "day-02" / "scenario.yaml")
    write_plan(solve(tampered, FAST), out / "day-02", force=True)
    report = check_campaign(path, out)
    assert {v.rule for v in report.violations} == {"rest"}
    assert "at least 20 h" in report.violations[0].examples[0]


def test_a_team_rests_after_its_most_days_in_a_row(tmp_path: Path) -> None:
    path = write(tmp_path, CAMPAIGN.replace("min_rest_hours: 12", "max_consecutive_days: 2"))
    out = tmp_path / "out"
    found = plan_campaign(path, out, FAST)
    assert found.days[2].teams["alpha"].state == "resting"
    people = pd.read_csv(out / "people.csv", encoding="utf-8-sig")
    assert sorted(people["day"].unique()) == [1, 2]
    assert not found.met  # nobody to sample day 3's rounds: rest is why
    short = [r for r in found.rounds if r.left]
    assert short and all(r.cause == "rest" for r in short)
    assert "alpha resting (worked 2 days in a row)" in short[0].why
    rows = found.by_day.set_index(["day", "site"])
    assert rows.loc[(3, "south"), "cause"] == "rest"
    assert check_campaign(path, out).ok
    stricter = write(tmp_path, CAMPAIGN.replace("min_rest_hours: 12", "max_consecutive_days: 1"))
    assert {v.rule for v in check_campaign(stricter, out).violations} >= {"consecutive_days"}


# -- end to end -----------------------------------------------------------------------


def test_every_day_folder_passes_the_single_day_check(planned) -> None:
    _, out = planned
    for day in ("day-01", "day-02", "day-03"):
        result = CliRunner().invoke(
            app, ["check", str(out / day / "scenario.yaml"), str(out / day)]
        )
        assert result.exit_code == 0, result.output
    scenario = load_scenario(out / "day-02" / "scenario.yaml")
    assert scenario.start == datetime(2022, 11, 11, 7, 0)
    assert [s.id for s in scenario.sites] == ["south"]


def test_campaign_check_exits_0_then_1_on_a_false_claim(planned, tmp_path: Path) -> None:
    path, out = planned
    result = CliRunner().invoke(app, ["check", str(path), str(out)])
    assert result.exit_code == 0, result.output
    assert "campaign is valid: 3 day folders, 5 rounds, 5 met" in result.output
    copy = tmp_path / "copy"
    import shutil

    shutil.copytree(out, copy)
    # Day 3 dropped: its rounds are not met, though campaign.json still says they are.
    shutil.rmtree(copy / "day-03")
    result = CliRunner().invoke(app, ["check", str(path), str(copy)])
    assert result.exit_code == 1
    assert "[campaign_files]" in result.output and "[rounds_claimed]" in result.output


def test_same_input_same_files(planned, tmp_path: Path) -> None:
    path, out = planned
    again = tmp_path / "again"
    CliRunner().invoke(app, ["campaign", str(path), "-o", str(again), "--time-limit", "0.5"])
    for name in ("campaign.csv", "people.csv", "campaign.json", "day-02/roster.csv"):
        assert (again / name).read_bytes() == (out / name).read_bytes(), name


def test_the_shipped_campaign_loads() -> None:
    loaded = load_campaign(Path(__file__).parents[1] / "scenarios" / "campaigns" / "taiyuan.yaml")
    assert loaded.spec.days == 14
    assert sum(s.sealed for s in loaded.scenario.sites) == 2


def test_rest_days_are_staggered_so_a_heavy_day_keeps_its_staff(tmp_path: Path) -> None:
    # Two teams of four, at most two days in a row. Both working days 1-2 would both have
    # to rest on day 3, when north's second round (600 residents) starts: nobody left. Day
    # 2 is light (only sealed south's 120, 4 pair-hours, which one team covers), so one
    # team rests on day 2 and works on day 3 while the other takes its forced rest.
    scenario = SCENARIO + "  - id: beta\n    people: 4\n    lat: 39.995\n    lon: 113.01\n"
    path = write(
        tmp_path,
        CAMPAIGN.replace("days: 3", "days: 4").replace(
            "min_rest_hours: 12", "max_consecutive_days: 2"
        ),
        scenario,
    )
    out = tmp_path / "out"
    found = plan_campaign(path, out, FAST)
    states = [{t: d.state for t, d in day.teams.items()} for day in found.days]
    assert all("working" in s.values() for s in states), states
    assert states[1] == {"alpha": "resting", "beta": "working"}  # alpha: the smaller id first
    assert "staggered" in found.days[1].teams["alpha"].why
    assert states[2] == {"alpha": "working", "beta": "resting"}
    assert found.met
    assert check_campaign(path, out).ok


# -- rounds within a window ------------------------------------------------------------

ROUNDS = """\
campaign: two tests in two days
scenario: scenario.yaml
days: 2
rhythms:
  - sealed: true
    every: 1d
  - rounds: 2
    within: 2d
    min_gap: 24h
"""


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("rounds: 2", "rounds: 3"), "rhythms[1]: 3 rounds within 2d: at most one test a day"),
        (("within: 2d", "within: 2"), "rhythms[1].within: must be a number of days"),
        (("min_gap: 24h", "min_gap: 24"), "rhythms[1].min_gap: must be a number of hours"),
        (("    every: 1d", "    every: 1d\n    min_gap: 2h"), "'min_gap' goes with 'rounds'"),
        (("  - rounds: 2", "  - every: 2d\n    rounds: 2"), "give 'every', or 'rounds'"),
    ],
)
def test_bad_rounds_rhythm_is_an_error(
    tmp_path: Path, edit: tuple[str, str], expected: str
) -> None:
    path = write(tmp_path, ROUNDS.replace(*edit))
    with pytest.raises(CampaignError) as caught:
        load_campaign(path)
    assert expected in str(caught.value)


def test_two_tests_in_two_days_start_a_day_apart(tmp_path: Path) -> None:
    # north (600) is tested on day 1 and again on day 2, and its second test may not start
    # before its first started plus 24 h (the team starts 07:00, its first sample after the
    # trip; the site opens on day 2 at that time on the slot grid).
    path = write(tmp_path, ROUNDS)
    out = tmp_path / "out"
    found = plan_campaign(path, out, FAST)
    assert found.met
    rows = found.by_day.set_index(["day", "site"])
    assert [rows.loc[(d, "north"), "test"] for d in (1, 2)] == [1, 2]
    assert set(found.by_day["cause"].fillna("")) == {""}  # nothing fell behind
    assert rows.loc[(2, "north"), "residents_due"] == 600
    work = [
        pd.read_csv(out / f"day-0{d}" / "assignments.csv", encoding="utf-8-sig") for d in (1, 2)
    ]
    first = [pd.to_datetime(w[w.site == "north"]["start"]).min() for w in work]
    assert first[1] - first[0] >= timedelta(hours=24)
    document = json.loads((out / "campaign.json").read_text(encoding="utf-8"))
    north = next(r for r in document["round_list"] if r["site"] == "north")
    assert (north["tests"], north["tests_done"], north["sampled"]) == (2, 2, 1200)
    assert check_campaign(path, out).ok


def test_checker_catches_a_second_test_started_too_soon(tmp_path: Path) -> None:
    """Planned 24 h apart, checked against a campaign asking 40 h: no second test in two
    days of 07:00-21:30 can start 40 h after the first (at the latest 38.5 h), so whatever
    the planner chose, the checker must say the tests are too close."""
    path = write(tmp_path, ROUNDS)
    out = tmp_path / "out"
    plan_campaign(path, out, FAST)
    assert check_campaign(path, out).ok
    stricter = tmp_path / "stricter"
    stricter.mkdir()
    stricter_path = write(stricter, ROUNDS.replace("min_gap: 24h", "min_gap: 40h"))
    rules = {v.rule for v in check_campaign(stricter_path, out).violations}
    assert "tests_apart" in rules


def test_the_zhengzhou_style_campaign_loads_with_three_tests_in_three_days() -> None:
    loaded = load_campaign(Path(__file__).parents[1] / "scenarios" / "campaigns" / "zhengzhou.yaml")
    open_rhythm = loaded.spec.rhythms[1]
    assert (open_rhythm.tests, open_rhythm.days, open_rhythm.gap_hours) == (3, 3, 24.0)
    assert open_rhythm.key == "3 in 3d"


# -- hours per week, residents by day --------------------------------------------------


def test_most_hours_per_week_cuts_the_day_then_rests_the_team(tmp_path: Path) -> None:
    # Every community daily: alpha's people work about 5.5 h a day (north and south by
    # about 12:30). With at most 10 h in any 7 days, day 2's max_work_minutes is cut to
    # what is left, and on day 3 nothing is left: alpha rests.
    campaign = CAMPAIGN.replace("  - every: 2d", "  - every: 1d").replace(
        "min_rest_hours: 12", "min_rest_hours: 12\n  max_week_hours: 10"
    )
    path = write(tmp_path, campaign)
    out = tmp_path / "out"
    found = plan_campaign(path, out, FAST)
    people = pd.read_csv(out / "people.csv", encoding="utf-8-sig")
    assert people.groupby("person")["work_hours"].sum().max() <= 10
    cut = found.days[1].teams["alpha"].max_work_minutes
    day2 = load_scenario(out / "day-02" / "scenario.yaml")
    assert cut is not None and day2.teams[0].max_work_minutes == cut < 780
    assert found.days[2].teams["alpha"].state == "resting"
    assert "10 h in the last 7 days" in found.days[2].teams["alpha"].why
    assert check_campaign(path, out).ok
    stricter = write(tmp_path, campaign.replace("max_week_hours: 10", "max_week_hours: 6"))
    assert "week_hours" in {v.rule for v in check_campaign(stricter, out).violations}


def test_a_team_overrides_the_weeks_hours(tmp_path: Path) -> None:
    campaign = CAMPAIGN.replace(
        "min_rest_hours: 12", "max_week_hours: 10\n  teams:\n    alpha: {max_week_hours: 100}"
    )
    loaded = load_campaign(write(tmp_path, campaign))
    assert loaded.spec.staff.week_hours("alpha") == 100


def test_residents_updated_from_a_day_hold_for_rounds_starting_then(tmp_path: Path) -> None:
    campaign = CAMPAIGN + (
        "changes:\n  - day: 2\n    residents: {north: 700}\n    home_visits: {north: 50}\n"
    )
    path = write(tmp_path, campaign)
    out = tmp_path / "out"
    found = plan_campaign(path, out, FAST)
    rows = found.by_day.set_index(["day", "site"])
    assert rows.loc[(1, "north"), "residents_due"] == 600  # the round of days 1-2: as it was
    assert rows.loc[(3, "north"), "residents_due"] == 700
    day3 = load_scenario(out / "day-03" / "scenario.yaml")
    assert day3.site_by_id["north"].home_visits == 50
    assert found.met and check_campaign(path, out).ok


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            "residents: {north: 20}",
            "changes[0].residents.north: north: home_visits 30 > residents 20",
        ),
        ("home_visits: {nowhere: 5}", "changes[0].home_visits.nowhere: unknown site 'nowhere'"),
        (
            "residents: {north: -1}",
            "campaign.yaml:12: changes[0].residents: north: must be >= 0, got -1",
        ),
    ],
)
def test_bad_residents_change_is_an_error(tmp_path: Path, change: str, expected: str) -> None:
    path = write(tmp_path, CAMPAIGN + f"changes:\n  - day: 2\n    {change}\n")
    with pytest.raises(CampaignError) as caught:
        load_campaign(path)
    assert expected in str(caught.value)


# -- why a community falls behind ------------------------------------------------------


def test_a_community_short_of_stations_falls_behind_for_stations(tmp_path: Path) -> None:
    # One station over 14 open hours takes at most 1,680 walk-in residents a day at 120 an
    # hour; north's 3,970 walk-in residents need more than its two-day round has.
    scenario = SCENARIO.replace("residents: 600", "residents: 4000").replace(
        "stations: 2", "stations: 1"
    )
    path = write(tmp_path, CAMPAIGN.replace("days: 3", "days: 2"), scenario)
    out = tmp_path / "out"
    found = plan_campaign(path, out, FAST)
    north = next(r for r in found.rounds if r.site == "north")
    assert north.left > 0 and north.cause == "stations"
    assert [d["cause"] for d in north.behind] == ["stations", "stations"]
    document = json.loads((out / "campaign.json").read_text(encoding="utf-8"))
    community = next(c for c in document["communities"] if c["site"] == "north")
    assert community["causes"] == ["stations"]
    assert check_campaign(path, out).ok


def test_a_test_waiting_for_its_gap_falls_behind_for_min_gap(tmp_path: Path) -> None:
    # north's first sample on day 1 is at 07:00 or later: 40 h later is 23:00 on day 2 or
    # later, after day 2's horizon (21:30), so the second test cannot start in the window.
    path = write(tmp_path, ROUNDS.replace("min_gap: 24h", "min_gap: 40h"))
    found = plan_campaign(path, None, FAST)
    north = next(r for r in found.rounds if r.site == "north")
    assert (north.cause, north.test, north.left) == ("min_gap", 2, 600)
    after = re.search(r"may not start before (\S+ \S+) \(min_gap\)", north.why)
    assert after is not None and after.group(1) >= "2022-11-11 23:00"
    rows = found.by_day.set_index(["day", "site"])
    assert rows.loc[(2, "north"), "due"] == "false"


# -- the campaign page -----------------------------------------------------------------


def test_report_writes_the_campaign_page_days_by_communities(tmp_path: Path) -> None:
    # Staff run out on day 3 (one team, two days in a row at most): the page colours day 3
    # missed for both communities, days 1 and 2 met, and north's day 2 not due.
    path = write(tmp_path, CAMPAIGN.replace("min_rest_hours: 12", "max_consecutive_days: 2"))
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["campaign", str(path), "-o", str(out), "--time-limit", "0.5", "--report"]
    )
    assert result.exit_code == 3, result.output
    page = (out / "campaign.html").read_text(encoding="utf-8")
    cells = re.findall(r'<td class="cell (\w+)"[^>]*title="day (\d) · (\w+)', page)
    status = {(site, int(day)): kind for kind, day, site in cells}
    assert status == {
        ("north", 1): "met", ("north", 2): "not_due", ("north", 3): "missed",
        ("south", 1): "met", ("south", 2): "met", ("south", 3): "missed",
    }  # fmt: skip
    assert "behind: rest" in page and '<td class="bad">rest</td>' in page
    again = tmp_path / "again"
    CliRunner().invoke(
        app, ["campaign", str(path), "-o", str(again), "--time-limit", "0.5", "--report"]
    )
    assert (again / "campaign.html").read_bytes() == page.encode("utf-8")
    # `sampler report` on the campaign folder makes the same page again.
    (out / "campaign.html").unlink()
    assert CliRunner().invoke(app, ["report", str(out)]).exit_code == 0
    assert (out / "campaign.html").read_text(encoding="utf-8") == page


def test_ids_that_spreadsheets_would_misread_are_checked_and_shown_as_written(tmp_path):
    """A community id starting with '-' is written with a leading ' (formula guard) and
    "NA" is a valid id: the campaign checker and page must read them back as the ids, not
    as "'-north" or a missing value, or the samples there go uncounted."""
    scenario = SCENARIO.replace("id: north", "id: '-north'").replace("id: south", "id: NA")
    path = write(tmp_path, scenario=scenario)
    out = tmp_path / "out"
    found = plan_campaign(path, out, FAST, report=True)
    assert found.met
    assert check_campaign(path, out).ok
    html = (out / "campaign.html").read_text(encoding="utf-8")
    assert "'-north" not in html and "-north" in html
    assert "missed" not in {c for c in re.findall(r'class="cell ([a-z_]+)"', html)}
