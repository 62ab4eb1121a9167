"""Collections: the tubes a courier takes from a worked site (docs/labs.md, rules 1-3).

A site's pickups are every ``every_minutes`` from its first swab and at the end of its
work; each takes what was swabbed since the previous one, pooled into tubes per mode.
Samples are swabbed evenly over an assignment: by minute t an assignment of n samples from
s to e has swabbed ``floor(n (t - s) / (e - s))`` (clipped), whole numbers throughout so
that the checker recomputes the same.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sampler.instance import DOOR_TO_DOOR
from sampler.plan import Plan
from sampler.scenario import Scenario


@dataclass(frozen=True)
class Collection:
    """One pickup at one site: samples and tubes by mode, and its oldest swab."""

    site: str
    pickup: int
    walk_in_samples: int
    door_to_door_samples: int
    walk_in_tubes: int
    door_to_door_tubes: int
    oldest_swab: int

    @property
    def samples(self) -> int:
        return self.walk_in_samples + self.door_to_door_samples

    @property
    def tubes(self) -> int:
        return self.walk_in_tubes + self.door_to_door_tubes


def collections_of(plan: Plan) -> list[Collection]:
    """Every collection of the plan, by pickup, then the scenario's site order."""
    sc = plan.scenario
    work = plan.work[plan.work.samples > 0]
    order = {s.id: i for i, s in enumerate(sc.sites)}
    out: list[Collection] = []
    for site_id, rows in work.groupby("site", sort=False):
        out.extend(_site_collections(sc, str(site_id), rows))
    out.sort(key=lambda c: (c.pickup, order[c.site]))
    return out


def pickup_times(first: int, last: int, every: int) -> list[int]:
    """Every ``every`` minutes from ``first`` while before ``last``, and ``last``."""
    return [*range(first + every, last, every), last]


def swabbed_by(start: np.ndarray, end: np.ndarray, n: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Samples each assignment (columns) has swabbed by each minute of ``t`` (rows)."""
    length = end - start
    done = np.clip(t[:, None] - start[None, :], 0, length[None, :])
    return n[None, :] * done // length[None, :]


def _site_collections(sc: Scenario, site_id: str, rows: pd.DataFrame) -> list[Collection]:
    site = sc.site_by_id[site_id]
    start = rows.start.to_numpy(np.int64)
    end = rows.end.to_numpy(np.int64)
    n = rows.samples.to_numpy(np.int64)
    home = rows.activity.to_numpy() == DOOR_TO_DOOR
    times = np.array(pickup_times(int(start.min()), int(end.max()), sc.courier_rules.every_minutes))
    cum = swabbed_by(start, end, n, times)
    taken = np.diff(cum, axis=0, prepend=0)  # per pickup, per assignment
    pools = (sc.per_tube(site, "walk_in"), sc.per_tube(site, "door_to_door"))
    out = []
    for i, pickup in enumerate(times.tolist()):
        took = taken[i] > 0
        if not took.any():
            continue
        walk, door = int(taken[i, ~home].sum()), int(taken[i, home].sum())
        since = start[took] if i == 0 else np.maximum(start[took], times[i - 1])
        out.append(
            Collection(
                site=site_id,
                pickup=pickup,
                walk_in_samples=walk,
                door_to_door_samples=door,
                walk_in_tubes=-(-walk // pools[0]),
                door_to_door_tubes=-(-door // pools[1]),
                oldest_swab=int(since.min()),
            )
        )
    return out
