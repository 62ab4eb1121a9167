"""sampler.labs.polish: a move off the latest lab is kept only when it brings it forward."""

from __future__ import annotations

import numpy as np

from sampler.labs.hours import LabHours
from sampler.labs.pickups import Collection
from sampler.labs.polish import polish


def test_a_collection_moves_off_the_latest_lab(labs_scenario) -> None:
    hours = [LabHours(labs_scenario, lab) for lab in labs_scenario.labs]  # near, far
    first = Collection("north", 60, 200, 0, 20, 0, oldest_swab=0)
    second = Collection("north", 90, 60, 0, 6, 0, oldest_swab=60)
    arrivals = np.array([[63, 75], [93, 105]])
    reach = np.ones((2, 2), dtype=bool)
    # Both at far: 20 at 09:00, 6 at 10:00, result 11:30. Moving the second to near (its
    # 6 at 09:00, result 10:00) brings far's last result to 10:30.
    assert polish([first, second], [1, 1], arrivals, reach, hours) == [1, 0]
    # Out of reach, nothing moves.
    reach[1, 0] = False
    assert polish([first, second], [1, 1], arrivals, reach, hours) == [1, 1]
