"""Grouping sites by place: k-means on coordinates, deterministic.

Used where a city is too large to treat site by site: the lower bound relaxes clusters of
sites into one (a valid relaxation), and the planner splits the city into parts planned
independently.
"""

from __future__ import annotations

import numpy as np


def kmeans_labels(latlon: np.ndarray, k: int, iterations: int = 12) -> np.ndarray:
    """Cluster labels ``0..k-1`` for each point (deterministic: farthest-point start).

    Longitude is scaled by cos(latitude) so that clusters are round on the ground.
    """
    n = len(latlon)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    k = max(1, min(k, n))
    pts = latlon.astype(float).copy()
    pts[:, 1] *= np.cos(np.radians(pts[:, 0].mean()))
    centres = [pts[int(np.argmin(pts[:, 0] + pts[:, 1]))]]
    nearest = np.full(n, np.inf)
    for _ in range(1, k):
        nearest = np.minimum(nearest, ((pts - centres[-1]) ** 2).sum(axis=1))
        centres.append(pts[int(np.argmax(nearest))])
    c = np.array(centres)
    labels = np.zeros(n, dtype=np.int64)
    for _ in range(iterations):
        d = ((pts[:, None, :] - c[None, :, :]) ** 2).sum(axis=2)
        new = np.argmin(d, axis=1)
        if np.array_equal(new, labels) and _ > 0:
            break
        labels = new
        for j in range(k):
            members = pts[labels == j]
            if len(members):
                c[j] = members.mean(axis=0)
    # Renumber by first appearance so labels do not depend on centre order.
    _, first = np.unique(labels, return_index=True)
    order = np.argsort(first)
    remap = np.empty(k, dtype=np.int64)
    remap[np.unique(labels)[order]] = np.arange(len(order))
    return remap[labels]
