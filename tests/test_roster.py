"""Rostering keeps the counts: the counts of every warm start (the ``starts`` fixture)
turned into a roster sample exactly what the counts say."""

from __future__ import annotations

from sampler.plan import Plan
from sampler.roster import build_pair_rows


def test_rosters_carry_every_sample_of_the_counts(setting, starts):
    inst = setting[0]
    for name, counts in starts.items():
        plan = Plan(inst.scenario, build_pair_rows(inst, counts))
        assert plan.sampled == sum(counts.samples.values()), name
        assert plan.sampled <= inst.scenario.total_residents
