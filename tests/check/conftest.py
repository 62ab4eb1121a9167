"""Fixtures for the checker tests: the tiny scenario and its valid plan (see tiny.py)."""

from __future__ import annotations

from typing import Any

import pytest

from sampler.loader import load_scenario_text
from sampler.scenario import Scenario

from .tiny import SCENARIO, valid_plan


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario_text(SCENARIO, "tiny.yaml")


@pytest.fixture
def plan() -> dict[str, Any]:
    return valid_plan()
