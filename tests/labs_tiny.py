"""A tiny scenario with labs, shared by the tests of the labs keys, the lab stage and the
checker's lab rules.

``LABS_YAML`` is conftest's tiny scenario (lines 1-23: sites ``north`` and ``south``, team
``alpha`` of 2 pairs, 07:00-13:00) with two labs from line 24: ``near`` (1 km east of
``north``, 6 tubes an hour, results 60 minutes after loading, always open) and ``far``
(about 5.6 km north, 20 tubes an hour, open 09:00-24:00, 90 minutes); walk-in 10 to a
tube, at home 1; pickups every 60 minutes; a target of 4 hours from swab to result. The
330 walk-in and 30 home samples make at least 33 + 30 = 63 tubes: more than ``near``
tests in a day's morning, so the labs, not the two pairs, decide when results are out.
"""

from __future__ import annotations

LABS_BLOCK = """\
labs:
  - id: near
    name: 近处医院
    lat: 40.00
    lon: 113.0118
    tubes_per_hour: 6
    batch_minutes: 60
  - id: far
    lat: 40.05
    lon: 113.00
    tubes_per_hour: 20
    open: "09:00-24:00"
    batch_minutes: 90
pooling:
  walk_in: 10
  door_to_door: 1
couriers:
  every_minutes: 60
  speed_kmh: 30
  max_swab_to_lab_minutes: 240
results_target:
  within_minutes: 240
"""


def labs_yaml(tiny_yaml: str) -> str:
    """The tiny scenario with the labs above (the labs start on line 24)."""
    return tiny_yaml + LABS_BLOCK
