"""Fixtures of the lab stage's tests: the tiny scenario with labs (tests/labs_tiny.py)."""

from __future__ import annotations

import pytest
from labs_tiny import labs_yaml

from sampler.loader import load_scenario_text
from sampler.scenario import Scenario


@pytest.fixture(scope="session")
def labs_scenario(tiny_yaml: str) -> Scenario:
    """Sites north and south, labs near (6 tubes an hour, 60 min) and far (20, 09:00-24:00,
    90 min), horizon from 07:00."""
    return load_scenario_text(labs_yaml(tiny_yaml), "labs.yaml")
