"""Duty patterns: every pattern keeps the suit rules, and only maximal ones are offered."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sampler.duty import DutyLimits, duty_patterns


def test_limits_in_slots():
    """390 minutes of suit, 60 of break and 780 of work, on 30-minute slots."""
    assert DutyLimits.from_minutes(30, 390, 60, 780) == DutyLimits(suit=13, rest=2, work=26)
    # A 45-minute break needs two 30-minute slots; a 100-minute suit only three whole ones.
    assert DutyLimits.from_minutes(30, 100, 45, 600) == DutyLimits(suit=3, rest=2, work=20)


def test_the_lingqiu_day_comes_first():
    """07:00-13:30 in suits, an hour off, 14:30-21:00: the seed's day is the best pattern."""
    first = duty_patterns(0, 29, DutyLimits(13, 2, 26))[0]
    assert first.stretches == ((0, 13), (15, 28))
    assert first.duty == 26


def test_short_availability_gives_shorter_patterns():
    """Available 12:30-21:30 (slots 11-29): one full stretch, a break, what is left."""
    patterns = duty_patterns(11, 29, DutyLimits(13, 2, 26))
    assert patterns[0].stretches == ((11, 24), (26, 29))


def test_nothing_when_the_suit_limit_is_below_a_slot():
    assert duty_patterns(0, 29, DutyLimits(0, 2, 26)) == []
    assert duty_patterns(5, 5, DutyLimits(13, 2, 26)) == []


@given(
    first=st.integers(0, 20),
    length=st.integers(1, 40),
    suit=st.integers(1, 14),
    rest=st.integers(0, 4),
    work=st.integers(1, 30),
    how_many=st.integers(1, 4),
)
def test_every_pattern_keeps_the_rules(first, length, suit, rest, work, how_many):
    limits = DutyLimits(suit, rest, work)
    patterns = duty_patterns(first, first + length, limits, how_many=how_many)
    assert len(patterns) <= how_many
    for pattern in patterns:
        assert pattern.duty <= work
        starts = [a for a, _ in pattern.stretches]
        assert starts[0] >= first and pattern.stretches[-1][1] <= first + length
        for a, b in pattern.stretches:
            assert 0 < b - a <= suit
        for (_, b), (a, _) in zip(pattern.stretches, pattern.stretches[1:], strict=False):
            assert a - b >= max(rest, 1)
    # Maximal: no offered pattern is a subset of another with more duty.
    for p in patterns:
        for q in patterns:
            if q.duty > p.duty:
                assert not set(p.slots) <= set(q.slots)


@pytest.mark.parametrize("slot", [10, 15, 20, 30, 60])
def test_patterns_on_every_slot_size(slot):
    limits = DutyLimits.from_minutes(slot, 390, 60, 780)
    n = (14 * 60 + 30) // slot
    pattern = duty_patterns(0, n, limits)[0]
    assert pattern.duty * slot <= 780
    assert all((b - a) * slot <= 390 for a, b in pattern.stretches)
