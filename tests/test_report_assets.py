"""Tests of report.html's CSS and script: real files in sampler/report/assets, read from the
package and shipped by ``pip install .`` (the page itself is tested in test_report.py)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from sampler.report.assets import script, stylesheet
from sampler.report.palette import ACTIVITIES, BASE_COLOUR, FONTS, SEALED_RING

PACKAGE = Path(__file__).resolve().parents[1] / "sampler" / "report"
PYPROJECT = PACKAGE.parents[1] / "pyproject.toml"


def test_every_asset_is_package_data_so_a_plain_install_ships_it() -> None:
    """setuptools installs only the non-Python files pyproject.toml names as package data."""
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["sampler.report"]
    shipped = {p for g in globs for p in PACKAGE.glob(g)}
    assets = set((PACKAGE / "assets").iterdir())
    assert {p.name for p in assets} >= {"report.css", "report.js"}
    assert assets <= shipped, f"not package data: {sorted(p.name for p in assets - shipped)}"


def test_stylesheet_has_its_placeholders_filled_from_the_palette() -> None:
    css = stylesheet()
    assert not re.search(r"\b(FONTS|BASE|SEALED|BARS)\b", css)
    assert FONTS in css and BASE_COLOUR in css and SEALED_RING in css
    for activity, (_, fill, ink) in ACTIVITIES.items():
        assert f".bar.{activity}{{fill:{fill}}}.bar-label.{activity}{{fill:{ink}}}" in css


def test_script_sorts_the_sortable_tables() -> None:
    assert 'querySelectorAll("table.sortable")' in script()
