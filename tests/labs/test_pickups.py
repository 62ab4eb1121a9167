"""sampler.labs.pickups: pickups every N minutes and at the end, even swabbing, pooling."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sampler.labs.pickups import Collection, collections_of, pickup_times, swabbed_by
from sampler.plan import PAIR_COLUMNS, Plan


def test_pickup_times() -> None:
    assert pickup_times(0, 150, 60) == [60, 120, 150]
    assert pickup_times(30, 90, 60) == [90]
    assert pickup_times(0, 60, 60) == [60]


def test_swabbed_by_rounds_down_and_clips() -> None:
    got = swabbed_by(np.array([0]), np.array([90]), np.array([10]), np.array([-5, 0, 45, 89, 200]))
    assert got[:, 0].tolist() == [0, 0, 5, 9, 10]


def test_a_site_s_collections(labs_scenario) -> None:
    # north: walk-in 07:00-08:30 (90 samples), home 07:30-09:30 (12); pickups 08:00, 09:00,
    # 09:30. Walk-in: 60 then 30; home: 3, 6, 3 (one to a tube); walk-in ten to a tube.
    rows = pd.DataFrame(
        [
            ("alpha", "alpha-p1", "walk_in", "north", 0, 90, 90),
            ("alpha", "alpha-p2", "door_to_door", "north", 30, 150, 12),
            ("alpha", "alpha-p1", "travel", "south", 90, 95, 0),
        ],
        columns=PAIR_COLUMNS,
    )
    got = collections_of(Plan(labs_scenario, rows))
    assert got == [
        Collection("north", 60, 60, 3, 6, 3, oldest_swab=0),
        Collection("north", 120, 30, 6, 3, 6, oldest_swab=60),
        Collection("north", 150, 0, 3, 0, 3, oldest_swab=120),
    ]


def test_a_part_filled_tube_is_a_tube(labs_scenario) -> None:
    # north: walk-in 07:00-08:30, 95 samples, pickups 08:00 and 08:30. By 08:00 63 are
    # swabbed (95 x 60 / 90, rounded down), then 32: ten to a tube, 7 and 4 tubes (a
    # tube part-filled still travels: 6 and 3 if the count were rounded down).
    rows = pd.DataFrame(
        [("alpha", "alpha-p1", "walk_in", "north", 0, 90, 95)], columns=PAIR_COLUMNS
    )
    got = collections_of(Plan(labs_scenario, rows))
    assert got == [
        Collection("north", 60, 63, 0, 7, 0, oldest_swab=0),
        Collection("north", 90, 32, 0, 4, 0, oldest_swab=60),
    ]
