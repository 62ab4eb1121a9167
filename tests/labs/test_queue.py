"""sampler.labs.queue: first in, first out, hour by hour up to capacity."""

from __future__ import annotations

from sampler.labs.hours import LabHours
from sampler.labs.queue import run_queue


def test_tubes_wait_for_the_next_loading_and_spill_into_later_hours(labs_scenario) -> None:
    near = LabHours(labs_scenario, labs_scenario.lab_by_id["near"])  # 6 an hour
    # Arriving at 07:10, the first two wait for 08:00 (4 + 2 of 5 tubes), the second's last
    # three load at 09:00; the third, at 10:20, loads at 11:00 on an idle lab.
    queue = run_queue(near, [10, 10, 200], [4, 5, 1])
    assert queue.tested_at == [60, 120, 240]
    assert queue.loaded == {1: 6, 2: 3, 4: 1}


def test_a_later_arrival_never_overtakes(labs_scenario) -> None:
    near = LabHours(labs_scenario, labs_scenario.lab_by_id["near"])
    queue = run_queue(near, [0, 30, 61], [12, 1, 1])
    assert queue.tested_at == [60, 120, 120]  # 6 at 07:00, 6 at 08:00, then the others
    assert sum(queue.loaded.values()) == 14
