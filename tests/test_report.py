"""Tests of report.html, in a real browser: Debian's headless Chromium driven by Playwright.

The browser is never downloaded: Playwright starts ``/usr/bin/chromium`` (or ``$CHROMIUM``).
When it is missing these tests FAIL and say how to install it (``.ci/run`` does); they are
never skipped. Plans come from the real ``sampler plan`` on the tiny scenarios of
conftest.py; the city-sized one is a synthetic plan folder in the plan file format
(:func:`write_synthetic_plan`), since planning a city takes minutes.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import edit
from typer.testing import CliRunner

from sampler.cli import app
from sampler.report import DETAIL_PAIRS, ROW_BUDGET, write_report

runner = CliRunner()
MAX_REPORT_BYTES = 20 * 1024 * 1024
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


# -- the browser ---------------------------------------------------------------------------


def chromium_path() -> str:
    """Debian's Chromium (``$CHROMIUM`` overrides); fails the test with how to get it."""
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail(
            f"headless Chromium not found at {path}: install Debian's package "
            "(apt-get install -y chromium) or set CHROMIUM; .ci/run installs it",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Chromium for the module (Playwright, Debian's browser binary)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the playwright package is missing: pip install -e '.[dev]'", pytrace=False)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield b
        b.close()


class Opened:
    """A report opened in the browser, with everything it logged or asked for."""

    def __init__(self, browser, path: Path, width: int = 1280):
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on(
            "console",
            lambda m: (
                self.errors.append(f"{m.type}: {m.text}")
                if m.type in ("error", "warning")
                else None
            ),
        )
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("requestfailed", lambda r: self.errors.append(f"failed: {r.url}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.resolve().as_uri(), wait_until="load")

    def count(self, selector: str) -> int:
        return self.page.locator(selector).count()

    def close(self) -> None:
        self.page.close()


def distinct_colours(png: bytes) -> int:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.thumbnail((800, 800))
    return len(set(image.get_flattened_data()))


# -- plans -----------------------------------------------------------------------------------


def planned(text: str, folder: Path, *extra: str) -> Path:
    """``sampler plan`` on the scenario text, one second of solving: the plan folder."""
    scenario = folder / "scenario.yaml"
    scenario.write_text(text, encoding="utf-8")
    out = folder / "plan"
    args = ["plan", str(scenario), "-o", str(out), "--time-limit", "1", *extra]
    result = runner.invoke(app, args)
    assert result.exit_code in (0, 3), result.output
    return out


@pytest.fixture(scope="module")
def tiny_report(tiny_yaml: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """conftest's tiny scenario (one team, 2 pairs, 北苑社区 and 南苑社区), planned with
    ``--report``: the plan folder."""
    return planned(tiny_yaml, tmp_path_factory.mktemp("tiny"), "--report")


@pytest.fixture(scope="module")
def two_team_report(two_teams_yaml: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """conftest's two-team scenario (``bravo`` 2 pairs, ``alpha`` 1 pair), with a site name
    that is markup and a partial horizon variant left for other tests."""
    text = two_teams_yaml.replace("  - id: east\n", "  - id: east\n    name: <b>东 & 西</b>\n")
    out = planned(text, tmp_path_factory.mktemp("two"))
    write_report(out)
    return out


def roster_pairs(plan_dir: Path) -> set[str]:
    roster = pd.read_csv(plan_dir / "roster.csv", dtype=str, encoding="utf-8-sig")
    return set(roster["pair"])


# -- a city-sized plan folder ----------------------------------------------------------------


def write_synthetic_plan(
    folder: Path, teams: int = 300, pairs: int = 50, sites: int = 2400
) -> Path:
    """A plan folder in the plan file format at city scale (``teams * pairs`` pairs, two
    people each), built directly rather than planned: every pair travels to a site, works
    walk-in, breaks and works again (door to door for some). Pairs of a team share a site
    five at a time, so a team has ``pairs / 5`` distinct days. Site names are Chinese."""
    rng = np.random.default_rng(1)
    folder.mkdir(parents=True)
    (folder / "rosters").mkdir()
    site_ids = [f"s{i:04d}" for i in range(sites)]
    lat = 34.75 + rng.normal(0, 0.08, sites)
    lon = 113.65 + rng.normal(0, 0.1, sites)
    residents = rng.integers(800, 9000, sites)
    sealed = rng.random(sites) < 0.05
    team_ids = [f"t{t:03d}" for t in range(teams)]
    day = "2022-11-15"

    def at(minute: int) -> str:
        return f"{day} {7 + minute // 60:02d}:{minute % 60:02d}"

    rows, work = [], []
    for t, team in enumerate(team_ids):
        for p in range(pairs):
            pair = f"{team}-p{p + 1:02d}"
            site = site_ids[(t * 11 + p // 5) % sites]
            later = "door_to_door" if (p // 5) % 3 == 0 else "walk_in"
            for activity, s, e in (
                ("travel", 0, 20),
                ("walk_in", 20, 360),
                ("break", 360, 420),
                (later, 420, 780),
            ):
                rows.append((team, pair, activity, "" if activity == "break" else site, s, e))
                if activity in ("walk_in", "door_to_door"):
                    rate = 120 if activity == "walk_in" else 30
                    work.append((team, pair, site, activity, at(s), at(e), rate * (e - s) // 60))
    pair_rows = pd.DataFrame(rows, columns=["team", "pair", "activity", "site", "s", "e"])
    names = {s: f"测试{i}号社区" for i, s in enumerate(site_ids)}
    people = []
    for role, offset in (("swab", 1), ("record", 2)):
        part = pair_rows.copy()
        number = part["pair"].str.extract(r"p(\d+)$")[0].astype(int) * 2 - 2 + offset
        part["person"] = part["team"] + "-" + number.map("{:03d}".format)
        part["role"] = role
        people.append(part)
    roster = pd.concat(people).sort_values(["team", "person", "s"], kind="stable")
    roster["start"] = roster["s"].map(at)
    roster["end"] = roster["e"].map(at)
    roster["site_name"] = roster["site"].map(names).fillna("")
    columns = ["team", "person", "pair", "role", "activity", "site", "start", "end", "site_name"]
    roster = roster[columns]
    roster.to_csv(folder / "roster.csv", index=False, encoding="utf-8-sig")
    for team, part in roster.groupby("team"):
        part.to_csv(folder / "rosters" / f"{team}.csv", index=False, encoding="utf-8-sig")
    assignments = pd.DataFrame(
        work, columns=["team", "pair", "site", "activity", "start", "end", "samples"]
    )
    assignments.to_csv(folder / "assignments.csv", index=False, encoding="utf-8-sig")
    sampled = assignments.groupby(["site", "activity"])["samples"].sum().unstack(fill_value=0)
    walk = sampled.get("walk_in", pd.Series(dtype=int)).reindex(site_ids, fill_value=0)
    home = sampled.get("door_to_door", pd.Series(dtype=int)).reindex(site_ids, fill_value=0)
    walk = np.minimum(walk.to_numpy(), residents)
    home = np.minimum(home.to_numpy(), residents - walk)
    done = walk + home >= residents
    pd.DataFrame(
        {
            "site": site_ids,
            "name": [names[s] for s in site_ids],
            "district": [f"{i % 8 + 1}区" for i in range(sites)],
            "residents": residents,
            "home_visits": 0,
            "walk_in_sampled": walk,
            "door_to_door_sampled": home,
            "coverage": np.round((walk + home) / residents, 6),
            "done_at": np.where(done, at(780), ""),
            "street": "",
            "sealed": np.where(sealed, "true", "false"),
            "priority": 1,
            "walk_in_short": residents - walk - home,
            "home_short": 0,
        }
    ).to_csv(folder / "sites.csv", index=False, encoding="utf-8-sig")
    total, got = int(residents.sum()), int((walk + home).sum())
    plan = {
        "format": "sampler-plan/1",
        "scenario": "合成城市 · synthetic",
        "status": "partial",
        "residents": total,
        "sampled": got,
        "coverage": round(got / total, 6),
        "done_at": None,
        "lower_bound_done_at": at(750),
        "gap": None,
        "people_used": teams * pairs * 2,
        "people_sent": teams * pairs * 2,
        "staff_hours": teams * pairs * 2 * 13.0,
        "moves": 0,
        "teams": [{"team": t, "people": pairs * 2, "people_used": pairs * 2} for t in team_ids],
        "sites_short": [],
        "start": at(0),
        "end": f"{day} 21:30",
        "slot_minutes": 30,
        "bound_curve": [
            {"at": at(30 * (k + 1)), "residents": min(total, total * (k + 1) // 25)}
            for k in range(29)
        ],
    }
    (folder / "plan.json").write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    scenario = {
        "scenario": plan["scenario"],
        "start": f"{day}T07:00",
        "end": f"{day}T21:30",
        "sites": [
            {
                "id": s,
                "name": names[s],
                "lat": float(lat[i]),
                "lon": float(lon[i]),
                "residents": int(residents[i]),
                "home_visits": int(residents[i]) if sealed[i] else 0,
                "sealed": bool(sealed[i]),
            }
            for i, s in enumerate(site_ids)
        ],
        "teams": [
            {
                "id": t,
                "people": pairs * 2,
                "lat": 34.75 + 0.3 * math.sin(k),
                "lon": 113.65 + 0.3 * math.cos(k),
            }
            for k, t in enumerate(team_ids)
        ],
    }
    text = yaml.dump(
        scenario, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), allow_unicode=True
    )
    (folder / "scenario.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def city_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """A synthetic city plan folder (15,000 pairs, 30,000 people, 2,400 sites) with its
    report written: (folder, seconds write_report took)."""
    folder = write_synthetic_plan(tmp_path_factory.mktemp("city") / "plan")
    started = time.perf_counter()
    write_report(folder)
    return folder, time.perf_counter() - started


# -- in the browser --------------------------------------------------------------------------


def test_tiny_report_opens_without_errors_one_gantt_row_per_pair(browser, tiny_report) -> None:
    opened = Opened(browser, tiny_report / "report.html")
    try:
        assert opened.errors == []
        pairs = roster_pairs(tiny_report)
        assert len(pairs) == 2
        rows = opened.page.locator("[data-pair]")
        assert rows.count() == len(pairs)
        assert {rows.nth(i).get_attribute("data-pair") for i in range(rows.count())} == pairs
        assert opened.count("#map-chart circle.site") == 2
        assert opened.count("#map-chart path.base[data-team]") == 1
        assert all(url.startswith(("file:", "data:", "about:")) for url in opened.requests)
    finally:
        opened.close()


def test_screenshot_shows_the_gantt_and_the_map(browser, tiny_report, tmp_path) -> None:
    opened = Opened(browser, tiny_report / "report.html")
    try:
        page = opened.page
        shot = page.screenshot(full_page=True)
        (tmp_path / "report.png").write_bytes(shot)
        assert shot[:8] == b"\x89PNG\r\n\x1a\n"
        assert distinct_colours(shot) > 50  # text, bars, dots: not a blank page
        for selector in ("#gantt svg.gantt", "#map-chart", "#day-chart"):
            box = page.locator(selector).first.bounding_box()
            assert box and box["width"] > 300 and box["height"] > 40, selector
            part = page.locator(selector).first.screenshot()
            assert distinct_colours(part) > 8, selector
        # The walk-in blue is painted in the Gantt.
        from PIL import Image

        gantt = Image.open(io.BytesIO(page.locator("#gantt svg.gantt").first.screenshot()))
        assert (46, 111, 186) in set(gantt.convert("RGB").get_flattened_data())
    finally:
        opened.close()


def test_rows_and_bars_tell_times_and_samples(browser, tiny_report) -> None:
    opened = Opened(browser, tiny_report / "report.html")
    try:
        titles = opened.page.locator("#gantt rect.bar title").all_text_contents()
        work = [t for t in titles if t.startswith(("walk-in", "door to door"))]
        assert work and all(re.search(r"\d\d:\d\d–\d\d:\d\d, [\d,]+ sampled$", t) for t in work)
        assert any("北苑社区" in t for t in work)
        sampled = sum(int(re.search(r"([\d,]+) sampled$", t)[1].replace(",", "")) for t in work)
        assert sampled == 360  # every resident of the tiny scenario, once
    finally:
        opened.close()


def test_site_table_sorts_on_a_click(browser, tiny_report) -> None:
    opened = Opened(browser, tiny_report / "report.html")
    try:
        page = opened.page

        def first_site() -> str:
            return page.locator("#site-table tbody tr").first.locator("td").first.inner_text()

        page.locator("#site-table th", has_text="residents").click()
        assert first_site() == "south"  # 120 residents, ascending
        page.locator("#site-table th", has_text="residents").click()
        assert first_site() == "north"  # 240, descending
        assert opened.errors == []
    finally:
        opened.close()


def test_two_teams_one_row_per_pair_and_markup_in_names_escaped(browser, two_team_report) -> None:
    html = (two_team_report / "report.html").read_text(encoding="utf-8")
    assert "<b>东 & 西</b>" not in html
    assert "&lt;b&gt;东 &amp; 西&lt;/b&gt;" in html
    opened = Opened(browser, two_team_report / "report.html")
    try:
        assert opened.errors == []
        assert opened.count("[data-pair]") == len(roster_pairs(two_team_report)) == 3
        assert opened.count("details.team") == 2
        assert opened.count("#site-table b") == 0  # the name is text, not bold markup
        assert "<b>东 & 西</b>" in opened.page.locator("#site-table").inner_text()
    finally:
        opened.close()


def test_partial_plan_lists_unfinished_sites_first(browser, short_yaml, tmp_path) -> None:
    small = "  - id: small\n    name: 小区\n    lat: 40.001\n    lon: 113.00\n    residents: 10\n"
    out = planned(edit(short_yaml, "teams:\n", small + "teams:\n"), tmp_path)
    write_report(out)
    opened = Opened(browser, out / "report.html")
    try:
        assert opened.errors == []
        rows = opened.page.locator("#site-table tbody tr").all_inner_texts()
        unfinished = ["not finished" in r for r in rows]
        assert unfinished[0] and unfinished == sorted(unfinished, reverse=True)
        assert "not done" in opened.page.locator("#summary").inner_text()
    finally:
        opened.close()


# -- the file itself -------------------------------------------------------------------------


def test_report_is_one_offline_file(tiny_report) -> None:
    html = (tiny_report / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in html
    assert "http://" not in html and "https://" not in html
    assert not re.search(r"<(link|img|iframe)\b|\bsrc=|@import", html)
    assert all(u.startswith("#") for u in re.findall(r"url\(([^)]*)\)", html))
    assert "Noto Sans CJK SC" in html and "Microsoft YaHei" in html
    assert "北苑社区" in html and "南苑社区" in html


def test_report_and_workbook_through_the_command_line(tiny_yaml, tmp_path) -> None:
    out = planned(tiny_yaml, tmp_path)
    assert not (out / "report.html").exists()
    result = runner.invoke(app, ["report", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "report.html").stat().st_size > 10_000
    assert (out / "roster.xlsx").stat().st_size > 3_000
    assert "report.html" in result.stdout and "roster.xlsx" in result.stdout


def test_report_of_a_missing_folder_exits_2(tmp_path) -> None:
    result = runner.invoke(app, ["report", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "no such plan folder" in result.stderr


def test_plan_with_report_writes_both(tiny_report) -> None:
    assert (tiny_report / "report.html").is_file()
    assert (tiny_report / "roster.xlsx").is_file()


def test_the_same_plan_gives_the_same_report_bytes(tiny_yaml, tiny_report, tmp_path) -> None:
    """report.html is written in a staging folder named by the process: nothing of that
    name may reach the page, so two runs of the same plan give the same bytes."""
    again = planned(tiny_yaml, tmp_path, "--report")
    assert (again / "report.html").read_bytes() == (tiny_report / "report.html").read_bytes()


# -- at city scale ---------------------------------------------------------------------------


def test_city_sized_report_is_small_and_opens_without_errors(browser, city_report) -> None:
    folder, seconds = city_report
    size = (folder / "report.html").stat().st_size
    pairs = len(roster_pairs(folder))
    assert pairs == 15_000 > DETAIL_PAIRS
    assert size < MAX_REPORT_BYTES, size
    assert seconds < 30, seconds
    opened = Opened(browser, folder / "report.html")
    try:
        assert opened.errors == []
        nodes = opened.page.evaluate("document.getElementsByTagName('*').length")
        assert nodes < 250_000, nodes
        # Pairs with the same day share a row; at most ROW_BUDGET rows in all.
        assert opened.count("[data-pair]") == 0
        rows = opened.page.eval_on_selector_all(
            "[data-pairs]", "els => els.map(e => +e.dataset.pairs)"
        )
        assert 0 < len(rows) <= ROW_BUDGET
        assert set(rows) == {5}  # five pairs per site in the synthetic plan
        assert opened.count("#map-chart circle.site") == 2400
        assert "测试0号社区" in opened.page.locator("#site-table").inner_text()
        shot = opened.page.screenshot()  # the first screen: cards, curve and map
        assert distinct_colours(shot) > 50
    finally:
        opened.close()
