"""sampler.report.lab_chart: the lab load chart, from labs.csv and plan.json alone."""

from __future__ import annotations

import csv
import json
import re

import pytest
from labs_tiny import labs_yaml

from sampler.budget import SolveParams
from sampler.export import write_plan
from sampler.loader import load_scenario_text
from sampler.plan_folder import read_plan_folder
from sampler.report.page import render_report
from sampler.solve import solve


@pytest.fixture(scope="module")
def folders(tiny_yaml: str, tmp_path_factory):
    """The tiny scenario planned with labs and without."""
    base = tmp_path_factory.mktemp("lab-chart")
    out = {}
    for name, text in (("labs", labs_yaml(tiny_yaml)), ("plain", tiny_yaml)):
        sc = load_scenario_text(text, f"{name}.yaml")
        out[name] = write_plan(solve(sc, SolveParams(time_limit=1, workers=1)), base / name)
    return out


def test_one_cell_per_lab_hour_with_its_figures(folders) -> None:
    page = render_report(read_plan_folder(folders["labs"]))
    with (folders["labs"] / "labs.csv").open(encoding="utf-8-sig") as handle:
        hours = list(csv.DictReader(handle))
    section = page[page.index('<section class="panel" id="labs">') :]
    section = section[: section.index("</section>")]
    cells = re.findall(r"<rect [^>]*><title>([^<]*)</title>", section)
    assert len(cells) == len(hours) > 0
    busy = next(h for h in hours if h["tested"] != "0")
    assert any(f"tested {busy['tested']} of {busy['capacity']}" in c for c in cells)
    assert '<a href="#labs">labs</a>' in page
    assert "last result" in section and "within the target" in section
    plan = json.loads((folders["labs"] / "plan.json").read_text(encoding="utf-8"))
    meta = page[page.index('<p class="meta">') :]
    meta = meta[: meta.index("</p>")]
    assert f"status {plan['status']} (sampling), results {plan['results_status']}" in meta


def test_the_plain_status_speaks_of_the_sampling(folders) -> None:
    page = render_report(read_plan_folder(folders["plain"]))
    assert "(sampling)" not in page and ", results " not in page


def test_no_lab_section_without_labs(folders) -> None:
    page = render_report(read_plan_folder(folders["plain"]))
    assert 'id="labs"' not in page and "#labs" not in page
