"""Tests of sampler.check.pairs: Rule 2, home visits only by trained teams, no walk-in at a
sealed site."""

from __future__ import annotations

from .tiny import BETA, check, pair_rows


def test_door_to_door_by_untrained_team(scenario, tmp_path, plan):
    plan["roster"] += pair_rows(BETA, [("door_to_door", "north", "10:30", "11:00")])
    assert check(scenario, tmp_path, plan).rules == {"door_to_door_team"}


def test_walk_in_at_sealed_site(scenario, tmp_path, plan):
    plan["roster"] += pair_rows(
        BETA, [("travel", "sealed-a", "10:30", "10:40"), ("walk_in", "sealed-a", "10:40", "11:00")]
    )
    assert check(scenario, tmp_path, plan).rules == {"sealed_walk_in"}
