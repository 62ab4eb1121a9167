"""``sampler replan``: the morning kept, the afternoon re-made (issue 14).

The fixture scenario is two streets of two communities each, 30 km apart, with one team
in each street: a change in the west street has no pair of the east street within reach
(REACH_MINUTES of travel), so the east street's afternoon must stay as it was. Each day
is planned with ``--time-limit 1`` (deterministic).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sampler import (
    SolveParams,
    check_plan,
    load_scenario_text,
    replan,
    solve,
    write_plan,
    write_report,
)
from sampler.changes import changes_from_data
from sampler.check.replanned import check_replan
from sampler.cli import app
from sampler.geo import great_circle_km, travel_minutes
from sampler.loader import ScenarioError, parse_yaml
from sampler.replan import write_replan
from sampler.replan.afternoon import afternoon_scenario, duty, plan_afternoon, station_window
from sampler.replan.neighbourhood import centres, rings
from sampler.replan.state import PairState
from sampler.replan.whole_day import Effects

TWO_STREETS = """\
scenario: two streets, 30 km apart
start: 2022-11-10T07:00
end: 2022-11-10T19:00
sites:
  - {id: west-a, lat: 40.000, lon: 113.000, residents: 1400, home_visits: 200, stations: 3}
  - {id: west-b, lat: 40.010, lon: 113.005, residents: 1200, home_visits: 150, stations: 3}
  - {id: east-a, lat: 40.000, lon: 113.350, residents: 1400, home_visits: 200, stations: 3}
  - {id: east-b, lat: 40.010, lon: 113.355, residents: 1200, home_visits: 150, stations: 3}
teams:
  - {id: west, people: 12, lat: 40.005, lon: 113.002, walk_in_per_hour: 75,
     door_to_door_per_hour: 21}
  - {id: east, people: 12, lat: 40.005, lon: 113.352, walk_in_per_hour: 75,
     door_to_door_per_hour: 21}
"""
AT = "11:00"
PARAMS = SolveParams(time_limit=1, seed=0)


@pytest.fixture(scope="module")
def morning(tmp_path_factory) -> Path:
    """The day as planned at dawn."""
    out = tmp_path_factory.mktemp("replan") / "morning"
    write_plan(solve(load_scenario_text(TWO_STREETS), PARAMS), out)
    return out


def changes(text: str):
    data, lines = parse_yaml(text, "changes.yaml")
    return changes_from_data(data, "changes.yaml", lines)


def roster(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "roster.csv", dtype=str, encoding="utf-8-sig")


def written(tmp_path: Path, morning: Path, text: str) -> tuple[Path, object]:
    day = replan(morning, changes(text), PARAMS)
    out = write_replan(day, tmp_path / "day")
    report = check_plan(day.result.scenario, out)
    assert report.ok, report.summary()
    return out, day


def test_no_changes_keeps_every_row(tmp_path, morning):
    out, _ = written(tmp_path, morning, f'at: "{AT}"\nchanges: []\n')
    assert (out / "roster.csv").read_bytes() == (morning / "roster.csv").read_bytes()
    assert (out / "assignments.csv").read_bytes() == (morning / "assignments.csv").read_bytes()
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert plan["replanned_at"] == "2022-11-10 11:00" and plan["pairs_moved"] == 0
    table = pd.read_csv(out / "changes.csv", encoding="utf-8-sig")
    assert len(table) == 24 and set(table.changed) == {"no"}


def test_sealed_community_goes_door_to_door_after_at(tmp_path, morning):
    out, _ = written(tmp_path, morning, f'at: "{AT}"\nchanges:\n  - seal: {{site: west-a}}\n')
    rows = roster(out)
    after = rows[(rows.site == "west-a") & (rows.start >= "2022-11-10 11:00")]
    assert not (after.activity == "walk_in").any()
    assert (after.activity == "door_to_door").any()
    sites = pd.read_csv(out / "sites.csv", encoding="utf-8-sig").set_index("site")
    west_a = sites.loc["west-a"]
    # Everyone not sampled walk-in by 11:00 is a home visit now, and all are sampled.
    assert west_a.home_visits == west_a.residents - west_a.walk_in_sampled
    assert west_a.coverage == 1.0
    assert "west-a" in json.loads((out / "plan.json").read_text())["replan"]["sites_sealed"]


def test_morning_rows_are_the_original_plans(tmp_path, morning):
    out, _ = written(tmp_path, morning, f'at: "{AT}"\nchanges:\n  - seal: {{site: west-a}}\n')
    before, after = roster(morning), roster(out)
    at = "2022-11-10 11:00"
    keys = list(before.columns)
    old = before[before.end <= at]
    new = after[after.end <= at]
    # Every row that had ended by 11:00 is there as it was ...
    assert len(old.merge(new, on=keys)) == len(old)
    # ... and the others are rows running at 11:00, cut there (never a moved start).
    cut = new.merge(old, on=keys, how="left", indicator=True)
    cut = cut[cut._merge == "left_only"][keys]
    running = before[(before.start < at) & (before.end > at)].drop(columns="end")
    assert (cut.end == at).all() and len(cut) > 0
    assert len(cut.drop(columns="end").merge(running)) == len(cut)


def test_change_in_one_street_moves_only_pairs_within_reach(tmp_path, morning):
    text = f'at: "{AT}"\nchanges:\n  - residents: {{site: west-b, residents: 1500}}\n'
    out, day = written(tmp_path, morning, text)
    assert day.pairs_changed, "the west street's afternoon should change"
    assert all(p.startswith("west-") for p in day.pairs_changed)
    before, after = roster(morning), roster(out)
    east = [f[f.team == "east"].reset_index(drop=True) for f in (before, after)]
    pd.testing.assert_frame_equal(*east)
    table = pd.read_csv(out / "changes.csv", encoding="utf-8-sig")
    assert set(table[table.team == "east"].changed) == {"no"}


def test_team_leaving_and_people_sent_home(tmp_path, morning):
    text = (
        f'at: "{AT}"\nchanges:\n  - team_leaves: {{team: east, at: "15:00"}}\n'
        "  - team_people: {team: west, people: 8}\n"
    )
    out, day = written(tmp_path, morning, text)
    rows = roster(out)
    assert (rows[rows.team == "east"].end <= "2022-11-10 15:00").all()
    home = {"west-p05", "west-p06"}
    assert not ((rows.pair.isin(home)) & (rows.end > "2022-11-10 11:00")).any()
    assert day.result.scenario.team_by_id["east"].available is not None


def test_team_leaving_at_once(tmp_path, morning):
    out, _ = written(tmp_path, morning, f'at: "{AT}"\nchanges:\n  - team_leaves: {{team: west}}\n')
    rows = roster(out)
    assert (rows[rows.team == "west"].end <= "2022-11-10 11:00").all()


def test_new_team_arrives(tmp_path, morning):
    text = (
        f'at: "{AT}"\nchanges:\n  - add_team: {{id: extra, people: 4, lat: 40.0, lon: 113.01,'
        ' available: "12:00-19:00"}\n'
    )
    out, day = written(tmp_path, morning, text)
    rows = roster(out)
    assert (rows[rows.team == "extra"].start >= "2022-11-10 12:00").all()
    # Both new pairs sample residents (from 12:00), and the day ends no later for it.
    work = pd.read_csv(out / "assignments.csv", encoding="utf-8-sig")
    extra = work[work.team == "extra"]
    assert set(extra.pair) == {"extra-p01", "extra-p02"}
    assert (extra.groupby("pair").samples.sum() > 0).all()
    plan, was = (json.loads((f / "plan.json").read_text()) for f in (out, morning))
    assert plan["coverage"] == 1.0 and plan["done_at"] <= was["done_at"]
    table = pd.read_csv(out / "changes.csv", encoding="utf-8-sig")
    new = table[table.team == "extra"]
    assert set(new.changed) == {"new"} and set(new.was) == {"nothing"}
    assert new.now.str.contains("walk_in|door_to_door").all()
    assert not any(p.startswith("extra") for p in day.pairs_changed)


def test_same_input_same_bytes(tmp_path, morning):
    text = f'at: "{AT}"\nchanges:\n  - seal: {{site: east-b}}\n'
    first = write_replan(replan(morning, changes(text), PARAMS), tmp_path / "one")
    second = write_replan(replan(morning, changes(text), PARAMS), tmp_path / "two")
    for name in ("roster.csv", "assignments.csv", "plan.json", "changes.csv", "scenario.yaml"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  - seal: {site: nowhere}\n", "changes.yaml:3: changes[0].seal.site: unknown site"),
        ('  - team_leaves: {team: east, at: "10:00"}\n', "10:00 is before at (11:00)"),
        ('  - team_leaves: {team: east, at: "22:00"}\n', "not inside the plan's horizon"),
        ("  - residents: {site: west-a, residents: 1}\n", "already sampled here before at"),
        ("  - add_site: {id: east-a, lat: 40, lon: 113, residents: 5}\n", "already in the plan"),
        ("  - seal: {site: west-a, when: 1}\n", "changes[0].seal.when: unknown key"),
    ],
)
def test_bad_changes_name_the_line(morning, text, expected):
    with pytest.raises(ScenarioError) as caught:
        replan(morning, changes(f'at: "{AT}"\nchanges:\n{text}'), PARAMS)
    assert expected in str(caught.value)


def test_team_leaving_before_it_arrived(tmp_path, morning):
    text = (
        f'at: "{AT}"\nchanges:\n'
        '  - add_team: {id: late, people: 2, lat: 40, lon: 113, available: "14:00-19:00"}\n'
        '  - team_leaves: {team: late, at: "13:00"}\n'
    )
    with pytest.raises(ScenarioError, match=r"changes\.yaml:4: .*before the team arrives"):
        replan(morning, changes(text), PARAMS)


def test_cli_bad_changes_exit_2_and_write_nothing(tmp_path, morning):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f'at: "{AT}"\nchanges:\n  - seal: {{site: nowhere}}\n', encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["replan", str(morning), str(bad), "-o", str(out)])
    assert result.exit_code == 2
    assert "bad.yaml:3" in result.stderr and "unknown site 'nowhere'" in result.stderr
    assert not out.exists()


def test_cli_replan_writes_a_checked_folder(tmp_path, morning):
    good = tmp_path / "changes.yaml"
    good.write_text(f'at: "{AT}"\nchanges:\n  - stations: {{site: east-a, stations: 1}}\n')
    out = tmp_path / "out"
    args = ["replan", str(morning), str(good), "-o", str(out), "--time-limit", "1"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code in (0, 3), result.output
    checked = CliRunner().invoke(app, ["check", str(out / "scenario.yaml"), str(out)])
    assert checked.exit_code == 0, checked.output
    assert (out / "changes.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    # The folder is a plan folder: replanning into it again replaces it (changes.csv too).
    again = CliRunner().invoke(app, args)
    assert again.exit_code == result.exit_code, again.output


def test_cli_replan_with_report_writes_the_changes_section(tmp_path, morning):
    """``sampler replan --report``: report.html (its changes section listing who changed)
    and roster.xlsx, in the same folder; without it, neither."""
    good = tmp_path / "changes.yaml"
    good.write_text(f'at: "{AT}"\nchanges:\n  - seal: {{site: west-a}}\n')
    plain, reported = tmp_path / "plain", tmp_path / "reported"
    args = ["replan", str(morning), str(good), "--time-limit", "1", "-o"]
    assert CliRunner().invoke(app, [*args, str(plain)]).exit_code in (0, 3)
    result = CliRunner().invoke(app, [*args, str(reported), "--report"])
    assert result.exit_code in (0, 3), result.output
    assert not (plain / "report.html").exists() and not (plain / "roster.xlsx").exists()
    html = (reported / "report.html").read_text(encoding="utf-8")
    assert 'id="changes"' in html and "west-a" in html
    assert (reported / "roster.xlsx").stat().st_size > 3_000


def test_schema_of_changes():
    result = CliRunner().invoke(app, ["schema", "--changes"])
    document = json.loads(result.stdout)
    assert document["title"] == "sampler changes, version 1"
    assert "at" in document["required"] and "Change" in document["$defs"]


SHIPPED = Path(__file__).resolve().parent.parent / "scenarios"


def test_shipped_lingqiu_afternoon(tmp_path):
    """The seed's day: the morning at Pingguoyuan and Huida, three more communities from
    13:30; the morning stays, the new communities are worked after 13:30 only."""
    morning = tmp_path / "morning"
    scenario = load_scenario_text(
        (SHIPPED / "lingqiu-2022-11-10-morning.yaml").read_text(encoding="utf-8")
    )
    write_plan(solve(scenario, PARAMS), morning)
    day = replan(morning, SHIPPED / "changes/lingqiu-2022-11-10-afternoon.yaml", PARAMS)
    out = write_replan(day, tmp_path / "day")
    assert check_plan(day.result.scenario, out).ok
    rows = roster(out)
    new_sites = rows[rows.site.isin(["songzhuang", "dachi", "qingyuan-west"])]
    assert len(new_sites) and (new_sites.start >= "2022-11-10 13:30").all()
    before = roster(morning)
    ended = before[before.end <= "2022-11-10 13:30"]
    assert len(ended.merge(rows)) == len(ended)


def test_a_day_with_labs_is_replanned_with_its_collections(tmp_path, tiny_yaml):
    """With labs (docs/labs.md) the replanned day has its collections and lab hours again,
    valid by the checker's lab rules."""
    from labs_tiny import labs_yaml

    first = tmp_path / "first"
    write_plan(solve(load_scenario_text(labs_yaml(tiny_yaml)), PARAMS), first)
    day = replan(
        first, changes('at: "09:00"\nchanges:\n  - stations: {site: north, stations: 1}\n'), PARAMS
    )
    out = write_replan(day, tmp_path / "day")
    report = check_plan(day.result.scenario, out)
    assert report.ok, report.summary()
    assert (out / "collections.csv").is_file() and report.stats["collections"] > 0


def test_moved_pairs_are_within_reach_of_the_change(tmp_path, morning):
    """Every pair moved worked after ``at`` at a site within the kept ring's reach of the
    changed community, or stood within it: worked out here from the files and the
    scenario's travel rule, not from the planner's own sets."""
    text = f'at: "{AT}"\nchanges:\n  - residents: {{site: west-b, residents: 1300}}\n'
    out, day = written(tmp_path, morning, text)
    assert day.pairs_changed and 0 < day.radius < 60  # the east street is ~117 min away
    sc = day.result.scenario
    changed = sc.site_by_id["west-b"]

    def minutes(site_id: str) -> float:
        s = sc.site_by_id[site_id]
        km = great_circle_km(changed.lat, changed.lon, s.lat, s.lon)
        return float(travel_minutes(km, sc.defaults.travel_speed_kmh))

    before = roster(morning)
    before = before[(before.role == "swab") & (before.end > "2022-11-10 11:00")]
    near = {
        pair
        for pair, part in before.groupby("pair")
        if any(minutes(s) <= day.radius for s in set(part.site.dropna()))
    }
    assert set(day.pairs_changed) <= near
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert plan["replan"]["reach_minutes"] == day.radius
    # People whose afternoon differs, from the two rosters (rows after 11:00, a row
    # running at 11:00 from 11:00, a row cut at 11:00 and its sequel joined): as counted.
    was, now = _afternoons(roster(morning)), _afternoons(roster(out))
    people = was.index.union(now.index)
    changed = was.reindex(people, fill_value="") != now.reindex(people, fill_value="")
    table = pd.read_csv(out / "changes.csv", encoding="utf-8-sig")
    assert plan["people_changed"] == int(changed.sum()) == int((table.changed == "yes").sum())
    assert set(changed[changed].index) == set(table.person[table.changed == "yes"])


def _afternoons(rows: pd.DataFrame, at: str = "2022-11-10 11:00") -> pd.Series:
    """Per person, what they do after ``at`` as text (breaks left out)."""
    rows = rows[(rows.activity != "break") & (rows.end > at)].sort_values(["person", "start"])
    out: dict[str, list[list[str]]] = {}
    for person, activity, site, start, end in zip(
        rows.person, rows.activity, rows.site.fillna(""), rows.start, rows.end, strict=True
    ):
        items = out.setdefault(person, [])
        start = max(start, at)
        if items and items[-1][:2] == [activity, site] and items[-1][3] == start:
            items[-1][3] = end
        else:
            items.append([activity, site, start, end])
    return pd.Series({person: repr(items) for person, items in out.items()}, dtype=object)


def test_freeze_until_keeps_the_plan_until_then(tmp_path, morning):
    text = f'at: "{AT}"\nchanges:\n  - seal: {{site: west-a}}\n'
    day = replan(morning, changes(text), PARAMS, freeze_until=13 * 60)
    out = write_replan(day, tmp_path / "day")
    assert check_plan(day.result.scenario, out).ok
    before, after = roster(morning), roster(out)
    ended = before[before.end <= "2022-11-10 13:00"]
    assert len(ended.merge(after)) == len(ended)
    walk = after[(after.site == "west-a") & (after.activity == "walk_in")]
    assert (walk.end <= "2022-11-10 13:00").all()
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert plan["replanned_at"] == "2022-11-10 11:00"
    assert plan["frozen_until"] == "2022-11-10 13:00"
    with pytest.raises(ScenarioError, match="freeze-until 10:00"):
        replan(morning, changes(text), PARAMS, freeze_until=10 * 60)


def _check_cli(*args: str):
    return CliRunner().invoke(app, ["check", *args])


def test_check_against_the_original_and_the_changes(tmp_path, morning):
    path = tmp_path / "changes.yaml"
    path.write_text(f'at: "{AT}"\nchanges:\n  - seal: {{site: west-a}}\n', encoding="utf-8")
    out = write_replan(replan(morning, changes(path.read_text()), PARAMS), tmp_path / "day")
    args = [str(out / "scenario.yaml"), str(out), "--original", str(morning)]
    good = _check_cli(*args, "--changes", str(path))
    assert good.exit_code == 0, good.output
    # A later freeze than the replan kept: the morning's rows up to then are not all there.
    late = _check_cli(*args, "--freeze-until", "15:00")
    assert late.exit_code == 1 and "[past]" in late.output
    # A past row changed, and walk-in at the sealed community after at, are caught.
    rows = roster(out)
    first = rows.index[rows.end <= "2022-11-10 11:00"][0]
    rows.loc[first, "end"] = "2022-11-10 10:59"
    broken = tmp_path / "broken"
    shutil.copytree(out, broken)
    rows.to_csv(broken / "roster.csv", index=False, encoding="utf-8-sig")
    result = _check_cli(str(out / "scenario.yaml"), str(broken), "--original", str(morning))
    assert result.exit_code == 1 and "[past]" in result.output
    fake = tmp_path / "fake.yaml"
    fake.write_text(f'at: "{AT}"\nchanges:\n  - seal: {{site: east-a}}\n', encoding="utf-8")
    sealed = _check_cli(*args, "--changes", str(fake))
    assert sealed.exit_code == 1 and "[changes]" in sealed.output
    assert "walk-in at sealed east-a" in sealed.output
    # --changes without --original is bad input.
    assert _check_cli(str(out / "scenario.yaml"), str(out), "--changes", str(path)).exit_code == 2


def test_report_has_a_changes_section(tmp_path, morning):
    text = f'at: "{AT}"\nchanges:\n  - seal: {{site: west-a}}\n'
    out, day = written(tmp_path, morning, text)
    page = write_report(out).read_text(encoding="utf-8")
    assert 'id="changes"' in page and "Replanned at <b>2022-11-10 11:00</b>" in page
    assert f"<b>{len(day.pairs_changed)}</b> pairs" in page
    assert f"<b>{2 * len(day.pairs_changed)}</b> people" in page
    assert "sealed: west-a" in page
    table = pd.read_csv(out / "changes.csv", encoding="utf-8-sig")
    moved = table[table.changed == "yes"]
    assert f"Who changed what ({len(moved)} people)" in page
    assert all(person in page for person in moved.person)
    # A plan that is not a replan has no such section.
    assert 'id="changes"' not in write_report(morning).read_text(encoding="utf-8")


@pytest.mark.parametrize(("freeze", "expected"), [("10:00", "changes.yaml:1: at:"), ("x", "HH:MM")])
def test_cli_bad_freeze_until_exits_2_and_writes_nothing(tmp_path, morning, freeze, expected):
    path = tmp_path / "changes.yaml"
    path.write_text(f'at: "{AT}"\nchanges:\n  - seal: {{site: west-a}}\n', encoding="utf-8")
    out = tmp_path / "out"
    args = ["replan", str(morning), str(path), "-o", str(out), "--freeze-until", freeze]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and expected in result.stderr.replace(str(tmp_path) + "/", "")
    assert not out.exists()


def test_rings_grow_from_the_change_to_the_whole_day():
    """Rings hold the changed site, grow outwards, and end with every site and pair."""
    sc = load_scenario_text(TWO_STREETS)
    states = {
        (t.id, p): PairState(t.id, p, 240, 720, t.lat, t.lon, 0, None, None)
        for t in sc.teams
        for p in (f"{t.id}-p01", f"{t.id}-p02")
    }
    work = {"west-p01": {"west-a"}, "east-p01": {"east-b"}}
    ladder = rings(sc, centres(sc, {"west-b"}, set()), {"west-p02"}, states, work, {"west-b"})
    first, last = ladder[0], ladder[-1]
    assert first.sites == {"west-a", "west-b"} and not first.whole
    # The pair working in the ring, the one that must move, nobody from the east street
    # (the idle east pairs stand ~117 minutes away).
    assert first.pairs == {"west-p01", "west-p02"}
    assert last.whole and last.sites == {s.id for s in sc.sites}
    assert last.pairs == {p for _, p in states}


def test_station_window_never_holds_more_than_the_kept_pairs_leave():
    """4 stations; kept pairs hold 3 from 11:00 to 13:00 and 1 from 13:00 to 16:00 (minutes
    from 07:00), open to 19:00: 3 or more are free from 13:00 to 19:00 (18 station-hours,
    the most of any one count and stretch: 1 all afternoon gives 8, 4 from 16:00 give 12)."""
    kept = pd.DataFrame({"start": [240, 240, 240, 360], "end": [360, 360, 360, 540]})
    assert station_window(kept, 4, (240, 720), 240, 30) == (3, 360, 720)
    assert station_window(None, 4, (240, 720), 240, 30) == (4, 240, 720)


def test_station_window_for_a_little_walk_in_starts_when_a_station_is_free():
    """The kept pairs of the test above; 60 station-minutes of walk-in left there fit on
    the one station free from 11:00 (done by 12:00), so that window is taken, not the
    three stations from 13:00 (done by 13:30 at the earliest); 240 need the three."""
    kept = pd.DataFrame({"start": [240, 240, 240, 360], "end": [360, 360, 360, 540]})
    assert station_window(kept, 4, (240, 720), 240, 30, need=60) == (1, 240, 720)
    assert station_window(kept, 4, (240, 720), 240, 30, need=240) == (3, 360, 720)
    # More than any one count and stretch holds: the most station-minutes, as without need.
    assert station_window(kept, 4, (240, 720), 240, 30, need=5000) == (3, 360, 720)
    # Pairs free only from 16:00 (an extension's): the one station from 11:00 would hold
    # the 60 station-minutes by 17:00 at the earliest, the four from 16:00 by 16:30.
    assert station_window(kept, 4, (240, 720), 240, 30, need=60, ready=540) == (4, 540, 720)


def test_home_visits_keep_the_whole_afternoon_where_walk_in_waits_for_stations():
    """A site whose walk-in left must wait for the kept pairs' stations (13:00-16:00 here)
    still has its home visits open all afternoon, at a part of the site of their own, and
    the afternoon's rows name the site itself."""
    sc = load_scenario_text(TWO_STREETS)
    fx = Effects(at=240)
    state = PairState("west", "west-p01", 240, 720, 40.005, 113.002, 240, None, None)
    duties = {("west", "west-p01"): (state, duty(sc, state, False))}
    windows = {"west-a": (2, 360, 540)}
    sub, members = afternoon_scenario(sc, fx, {"west-a": (100, 30)}, windows, duties)
    parts = {s.id: s for s in sub.sites}
    assert set(parts) == {"west-a", "west-a_home"}
    assert (parts["west-a"].residents, parts["west-a"].home_visits) == (100, 0)
    # (minutes from the afternoon's start, 11:00)
    assert parts["west-a"].stations == 2 and sub.open_minutes(parts["west-a"]) == (120, 300)
    assert parts["west-a_home"].home_visits == 30
    assert sub.open_minutes(parts["west-a_home"]) == (0, 480)
    rows, _ = plan_afternoon(sub, members, sc, 240, PARAMS)
    assert set(rows.site) <= {"west-a"} and (rows.activity == "door_to_door").any()


def test_pairs_away_from_the_change_only_add_work_after_their_afternoon(tmp_path, morning):
    """west-b sealed at 11:00: the pairs working there after 11:00 are re-planned (its
    walk-in left is now slower home visits); every other pair moved (an extension ring)
    keeps each row it had after 11:00 and only has work added after its last one. (Sealing
    west-a, the morning plan of c29a724 on is re-planned whole: no extension ring.)"""
    text = f'at: "{AT}"\nchanges:\n  - seal: {{site: west-b}}\n'
    out, day = written(tmp_path, morning, text)
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert plan["replan"]["replanned_pairs"].startswith("extend")
    before, after = roster(morning), roster(out)
    before, after = (f[(f.role == "swab") & (f.activity != "break")] for f in (before, after))
    at = "2022-11-10 11:00"
    at_changed = set(before.pair[(before.site == "west-b") & (before.end > at)])
    extended = set(day.pairs_changed) - at_changed
    assert extended, "some pair should take on the home visits the seal adds"
    keys = ["pair", "activity", "site", "start", "end"]
    for pair in extended:
        was = before[(before.pair == pair)][keys]
        now = after[(after.pair == pair)][keys]
        assert len(was.merge(now)) == len(was), pair  # every row it had is still there
        added = now.merge(was, how="left", indicator=True)
        added = added[added._merge == "left_only"]
        assert len(added) and (added.start >= was.end.max()).all(), pair


def test_suit_retries_stay_within_the_time_limit(monkeypatch, morning):
    """Every afternoon planned again for a suit stretch that ran over spends the ring's
    share again; with every stretch said to run over, the afternoons planned still spend
    no more than the time limit in all."""
    module = sys.modules["sampler.replan"]
    limits: list[float] = []
    plan_afternoon = module.plan_afternoon

    def recorded(sub, members, whole, at, params):
        limits.append(params.time_limit)
        return plan_afternoon(sub, members, whole, at, params)

    monkeypatch.setattr(module, "plan_afternoon", recorded)
    monkeypatch.setattr(module, "stretch_too_long", lambda *_: True)
    params = SolveParams(time_limit=4, seed=0)
    day = replan(morning, changes(f'at: "{AT}"\nchanges:\n  - seal: {{site: west-a}}\n'), params)
    assert len(limits) >= 2 and sum(limits) <= params.time_limit, limits
    assert day.rings_tried >= 1


def test_shipped_yunzhou_arrival(tmp_path):
    """Yunzhou's 100 called at 12:00, from a hotel ~91 minutes of road away (beyond the
    first ring's reach, whose afternoon then has no site: it must not spend the time
    limit): they are planned, and the day samples more than the morning plan did."""
    morning = tmp_path / "morning"
    scenario = load_scenario_text(
        (SHIPPED / "yunzhou-shuibosi-morning.yaml").read_text(encoding="utf-8")
    )
    write_plan(solve(scenario, PARAMS), morning)
    day = replan(morning, SHIPPED / "changes/yunzhou-shuibosi-arrival.yaml", PARAMS)
    out = write_replan(day, tmp_path / "day")
    assert check_plan(day.result.scenario, out).ok
    work = pd.read_csv(out / "assignments.csv", encoding="utf-8-sig")
    assert work[work.team == "yunzhou"].samples.sum() > 0
    before = json.loads((morning / "plan.json").read_text(encoding="utf-8"))
    assert day.result.plan.coverage > before["coverage"]


def test_the_whole_afternoon_is_tried_when_the_rings_leave_residents(monkeypatch, morning):
    """With the west street's rings made to plan nothing (their afternoons come back
    empty), the first spends the 1 s limit and leaves west-a's residents; the smaller
    rings after it are skipped, but the whole afternoon is still planned for them."""
    module = sys.modules["sampler.replan"]
    plan_afternoon = module.plan_afternoon

    def west_plans_nothing(sub, members, whole, at, params):
        rows, result = plan_afternoon(sub, members, whole, at, params)
        if {team for team, _ in members.values()} == {"west"}:
            rows = rows.iloc[0:0]
        return rows, result

    monkeypatch.setattr(module, "plan_afternoon", west_plans_nothing)
    day = replan(morning, changes(f'at: "{AT}"\nchanges:\n  - seal: {{site: west-a}}\n'), PARAMS)
    assert day.tier == "all" and day.result.plan.complete


@pytest.mark.parametrize(("at", "leaves"), [("10:00", "16:00"), ("15:00", "15:00")])
def test_breaks_that_ended_by_at_stay_as_written(tmp_path, at, leaves):
    """Short suit stretches (150 min, 30 min breaks) put breaks ending at 10:00 and 15:00.
    East leaving at ``leaves`` re-plans the day from ``at``: a pair whose next row now
    starts later (10:00), or that has no row after its break any more (15:00, when east
    leaves), still has the break that ended by ``at`` as written, as the check against the
    original asks."""
    text = TWO_STREETS.replace(
        "end: 2022-11-10T19:00\n",
        "end: 2022-11-10T19:00\ndefaults: {max_suit_minutes: 150, min_break_minutes: 30}\n",
    )
    morning = tmp_path / "morning"
    write_plan(solve(load_scenario_text(text), PARAMS), morning)
    before = roster(morning)
    assert (before[before.activity == "break"].end == f"2022-11-10 {at}").any()
    changed = changes(f'at: "{at}"\nchanges:\n  - team_leaves: {{team: east, at: "{leaves}"}}\n')
    day = replan(morning, changed, PARAMS)
    out = write_replan(day, tmp_path / "day")
    report = check_replan(day.result.scenario, out, morning, changed.changes)
    assert report.ok, report.summary()
