"""A site's walk-in stations: the minutes with one free match a minute-by-minute count."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sampler.heuristics.stations import Stations

# A site's walk-in rows: (start, end) minutes, up to eight of them.
INTERVALS = st.lists(
    st.tuples(st.integers(0, 60), st.integers(1, 30)).map(lambda t: (t[0], t[0] + t[1])),
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(
    intervals=INTERVALS,
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


@settings(max_examples=300, deadline=None)
@given(
    intervals=INTERVALS,
    stations=st.integers(1, 3),
    queries=st.lists(st.tuples(st.integers(0, 80), st.integers(0, 40)), min_size=1, max_size=6),
)
def test_free_until_many_answers_each_query_as_free_until_does(intervals, stations, queries):
    """The top-up weighs all its candidate pairs at once: ``free_until_many`` gives, for
    every (start, end), what ``free_until`` gives for it alone."""
    import numpy as np

    free = Stations(intervals, stations)
    starts = np.array([s for s, _ in queries])
    ends = np.array([s + n for s, n in queries])
    expected = [free.free_until(s, e) for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]
    assert free.free_until_many(starts, ends).tolist() == expected
