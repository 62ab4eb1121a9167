"""sampler.labs.hours: each hour's capacity and loading minute, daily hours repeated."""

from __future__ import annotations

from sampler.labs.hours import LabHours


def test_an_always_open_lab_loads_its_rate_at_every_hour_start(labs_scenario) -> None:
    near = LabHours(labs_scenario, labs_scenario.lab_by_id["near"])
    near.ensure(30)
    assert near.capacity == [6] * 30
    assert near.loads_at[:3] == [0, 60, 120]


def test_daily_hours_give_capacity_only_when_open_every_day(labs_scenario) -> None:
    # far: 20 an hour, open 09:00-24:00; the horizon starts at 07:00 (hour 0).
    far = LabHours(labs_scenario, labs_scenario.lab_by_id["far"])
    far.ensure(27)
    assert far.capacity[:3] == [0, 0, 20]
    assert far.loads_at[2] == 120  # 09:00
    assert far.capacity[16] == 20  # 23:00
    assert far.capacity[17:26] == [0] * 9  # 00:00-09:00 the next morning
    assert far.capacity[26] == 20 and far.loads_at[26] == 26 * 60  # 09:00 the next day


def test_a_part_open_hour_loads_its_share_from_its_first_open_minute(labs_scenario) -> None:
    lab = labs_scenario.lab_by_id["far"].model_copy(update={"open": None})
    half = LabHours(labs_scenario, lab)
    half._opens, half._lasts = 150, 600  # 09:30 to 19:30 (set directly: a half hour)
    half.ensure(14)
    assert (half.capacity[2], half.loads_at[2]) == (10, 150)
    assert half.capacity[12] == 10  # 19:00-19:30
    assert half.first_hour_from(151) == 3


def test_first_hour_from_skips_closed_hours(labs_scenario) -> None:
    far = LabHours(labs_scenario, labs_scenario.lab_by_id["far"])
    assert far.first_hour_from(0) == 2
    assert far.first_hour_from(121) == 3
    assert far.first_hour_from(17 * 60) == 26
