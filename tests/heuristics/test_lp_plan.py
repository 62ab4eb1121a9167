"""The time-indexed LP plan: PDLP agrees with GLOP, and posts follow a site's open hours."""

from __future__ import annotations

import pytest

from sampler import load_scenario
from sampler.bound import bounds_and_aim
from sampler.heuristics import lp_plan
from sampler.heuristics.lp_plan import TimeLp, lp_guided_start
from sampler.instance import Instance
from sampler.model.cpmodel import CPModel
from sampler.model.crews import build_crews

from .hints import broken_constraints


def test_a_large_lp_plan_from_pdlp_agrees_with_glop(setting, monkeypatch):
    """Above ``PDLP_ABOVE`` variables the LP plan comes from PDLP, to a relative accuracy
    of 1e-3: on the shipped scenarios it samples what GLOP's does within that, sends the
    same pairs, stays within each variable's bounds, and its posts still dispatch to a
    solution of the model."""
    inst, _, crews, deadline = setting
    exact = TimeLp(inst, crews).plan(deadline)
    monkeypatch.setattr(lp_plan, "PDLP_ABOVE", 0)
    first_order = TimeLp(inst, crews).plan(deadline)
    assert first_order.sampled == pytest.approx(exact.sampled, rel=2e-3)
    assert sum(first_order.crew_size.values()) == pytest.approx(
        sum(exact.crew_size.values()), rel=2e-3
    )
    # Within every variable's bounds, to PDLP's accuracy (it may end a hair outside).
    pairs = {c.index: c.team.pairs for c in crews}
    assert all(v <= pairs[c] * (1 + 1e-3) for (c, _, _, _), v in first_order.pairs.items())
    model = CPModel(inst, crews)
    model.hint(lp_guided_start(inst, crews, deadline, attempts=1, rounds=2).counts)
    assert broken_constraints(model) == []


MORNING_YAML = """\
scenario: a sealed compound open only in the morning, and an all-day site
start: 2022-11-10T07:00
end: 2022-11-10T13:30
sites:
  - id: compound
    lat: 40.000
    lon: 113.000
    residents: 360
    sealed: true
    stations: 1
    open: "07:00-10:00"
  - id: estate
    lat: 40.009
    lon: 113.000
    residents: 1200
    home_visits: 0
    stations: 4
teams:
  - id: alpha
    people: 8
    lat: 40.000
    lon: 113.000
"""


def test_the_lp_plan_posts_every_pair_a_morning_site_needs_while_it_is_open(tmp_path):
    # Four pairs, one suit stretch 07:00-13:30. The compound's 360 home visits take all
    # four pairs (30 an hour each) for its three open hours; then the estate's 1,200 walk-in
    # residents take them 2.5 hours (120 an hour, 4 stations). Posting the LP's mean
    # presence over the whole stretch put 2 pairs at the compound (4 x 6 / 13 slots), and
    # the compound closed with 180 home visits left; posted for its open hours it gets 4.
    path = tmp_path / "morning.yaml"
    path.write_text(MORNING_YAML, encoding="utf-8")
    inst = Instance(load_scenario(path), patterns_per_team=1)
    _, aim = bounds_and_aim(inst, curve=False)
    crews = build_crews(inst, aim.allocation)
    counts = lp_guided_start(inst, crews, inst.n_slots, attempts=1, rounds=0).counts
    compound = next(s.index for s in inst.sites if s.site.id == "compound")
    sampled = sum(n for (i, _, _), n in counts.samples.items() if i == compound)
    assert sampled == 360
