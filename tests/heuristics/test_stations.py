"""A site's walk-in stations: the minutes with one free match a minute-by-minute count."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sampler.heuristics.stations import Stations


@settings(max_examples=300, deadline=None)
@given(
    intervals=st.lists(
        st.tuples(st.integers(0, 60), st.integers(1, 30)).map(lambda t: (t[0], t[0] + t[1])),
        max_size=8,
    ),
    stations=st.integers(1, 3),
    start=st.integers(0, 80),
    length=st.integers(0, 40),
)
def test_free_station_time_matches_a_minute_by_minute_count(intervals, stations, start, length):
    """``free_until``: the latest end such that one more pair fits every minute before it."""
    end = start + length
    busy = [sum(s <= m < e for s, e in intervals) for m in range(start, end)]
    expected = start + next((k for k, n in enumerate(busy) if n >= stations), len(busy))
    assert Stations(intervals, stations).free_until(start, end) == expected
