"""sampler.labs.choose: each collection to the lab where its results are out first."""

from __future__ import annotations

import numpy as np

from sampler.labs.choose import choose_labs
from sampler.labs.hours import LabHours
from sampler.labs.pickups import Collection


def test_the_nearest_lab_is_not_chosen_when_it_is_slower(labs_scenario) -> None:
    hours = [LabHours(labs_scenario, lab) for lab in labs_scenario.labs]  # near, far
    travel = np.array([[3, 15]])  # one site: near 3 minutes, far 15
    big = Collection("north", 120, 300, 0, 30, 0, oldest_swab=60)
    small = Collection("north", 180, 20, 0, 2, 0, oldest_swab=120)
    # big at near: 30 tubes at 6 an hour, last loaded at 14:00, result 15:00; at far: 20 at
    # 10:00 and 10 at 11:00, result 12:30. small then: near at 11:00 (+60: 12:00) beats far
    # (its 11:00 loading still has room: 11:00 + 90 = 12:30).
    assert choose_labs([big, small], travel, {"north": 0}, hours, limit=240) == [1, 0]


def test_a_lab_out_of_swab_to_lab_reach_is_not_chosen(labs_scenario) -> None:
    hours = [LabHours(labs_scenario, lab) for lab in labs_scenario.labs]
    travel = np.array([[3, 15]])
    big = Collection("north", 120, 300, 0, 30, 0, oldest_swab=60)
    # far arrives 75 minutes after the oldest swab: past a 70-minute limit.
    assert choose_labs([big], travel, {"north": 0}, hours, limit=70) == [0]
