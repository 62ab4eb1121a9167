"""Travel times between places, as CONTRACT.md defines them.

travel minutes = great-circle km x 1.3 / speed x 60, rounded up.

The contract does not fix the Earth radius. The planner uses the equatorial radius, the
largest in use, so that its travel times are never shorter than what an outside checker
computes with any smaller convention (the mean radius 6371.0088 km, say).
"""

from __future__ import annotations

import numpy as np

EARTH_RADIUS_KM = 6378.137
# For lower bounds the opposite holds: the smallest radius in use (polar) gives travel times
# that no plan, checked under any convention, can beat.
EARTH_RADIUS_KM_MIN = 6356.752
ROAD_FACTOR = 1.3


def great_circle_km(lat1, lon1, lat2, lon2, radius_km: float = EARTH_RADIUS_KM) -> np.ndarray:
    """Haversine distance in km; broadcasts over numpy arrays."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * radius_km * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def travel_minutes(km, speed_kmh) -> np.ndarray:
    """Road minutes for a great-circle distance, rounded up to whole minutes."""
    # A hair of slack before rounding up keeps 12.0000000001 from becoming 13.
    return np.ceil(np.round(_road_minutes(km, speed_kmh), 9)).astype(np.int64)


def fewest_travel_minutes(km, speed_kmh) -> np.ndarray:
    """Road minutes rounded up with more slack than any checker's, so never a minute above
    what one asks for: the trips of lower bounds (with ``EARTH_RADIUS_KM_MIN``)."""
    return np.ceil(_road_minutes(km, speed_kmh) - 1e-6).astype(np.int64)


def _road_minutes(km, speed_kmh) -> np.ndarray:
    return np.asarray(km, dtype=float) * ROAD_FACTOR / np.asarray(speed_kmh, dtype=float) * 60
