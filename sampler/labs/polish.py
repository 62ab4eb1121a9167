"""Polishing the labs' choice (after :mod:`.choose`): collections moved off the lab whose
last result is latest, while a move brings that lab's last result forward without making
the receiving lab's as late (docs/labs.md).

The greedy takes collections one at a time in pickup order and cannot see the end of the
day; here the exact first-in, first-out queues (:mod:`.queue`) judge each move. A move is
kept when the two labs' later last result is earlier than the worst lab's was, so the labs'
last results, sorted from the latest, only ever fall. The work is bounded by queue steps,
not by the clock, so that the same input gives the same plan on any machine.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sampler.labs.hours import LabHours
from sampler.labs.pickups import Collection
from sampler.labs.queue import run_queue

CANDIDATES = 24  # the worst lab's latest-arriving collections tried per step
RECEIVERS = 3  # the labs done earliest, among those a collection reaches, tried for it
STEP_BUDGET = 1_000_000  # collections run through queues, in all (a few seconds)


def polish(
    collections: Sequence[Collection],
    chosen: list[int],
    arrivals: np.ndarray,
    reach: np.ndarray,
    hours: Sequence[LabHours],
) -> list[int]:
    """Better labs for the collections (index per collection); ``arrivals[i, j]`` is when
    collection i would reach lab j, ``reach[i, j]`` whether within the swab-to-lab limit."""
    chosen = list(chosen)
    members: list[list[int]] = [[] for _ in hours]
    for i, j in enumerate(chosen):
        members[j].append(i)
    tubes = [c.tubes for c in collections]
    budget = [STEP_BUDGET]

    def last(j: int, mine: list[int]) -> int:
        """The latest result at lab j with the collections ``mine``."""
        if not mine:
            return -1
        budget[0] -= len(mine)
        order = sorted(mine, key=lambda i: (arrivals[i, j], i))
        queue = run_queue(hours[j], [int(arrivals[i, j]) for i in order], [tubes[i] for i in order])
        return max(queue.tested_at) + hours[j].batch

    lasts = [last(j, m) for j, m in enumerate(members)]
    while budget[0] > 0:
        worst = max(range(len(hours)), key=lambda j: (lasts[j], -j))
        move = _best_move(worst, members, lasts, arrivals, reach, last)
        if move is None:
            break
        i, j, worst_last, j_last = move
        members[worst].remove(i)
        members[j].append(i)
        chosen[i] = j
        lasts[worst], lasts[j] = worst_last, j_last
    return chosen


def _best_move(worst, members, lasts, arrivals, reach, last):
    """(collection, lab, the two labs' new last results) of the best move off ``worst``
    that improves it, or None."""
    mine = members[worst]
    best = None
    for i in sorted(mine, key=lambda i: (-arrivals[i, worst], i))[:CANDIDATES]:
        without = last(worst, [k for k in mine if k != i])
        if without >= lasts[worst]:
            continue
        others = [j for j in range(len(members)) if j != worst and reach[i, j]]
        for j in sorted(others, key=lambda j: (lasts[j], j))[:RECEIVERS]:
            with_it = last(j, [*members[j], i])
            score = max(without, with_it)
            if score < lasts[worst] and (best is None or (score, with_it) < best[0]):
                best = ((score, with_it), (i, j, without, with_it))
    return None if best is None else best[1]
