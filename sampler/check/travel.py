"""Rule 4: every move is a travel row, long enough for the distance.

Rule 4 of CONTRACT.md: moving between two places takes at least the travel time the
scenario implies, shown as a ``travel`` row; the first trip starts from the team's own
position. The travel time is recomputed here from the coordinates, not taken from the
planner, so that a wrong distance in the model cannot pass.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sampler.check.context import Context
from sampler.check.contract import SUITED
from sampler.check.intervals import by_group_then_time

# The contract does not fix the Earth radius: travel is measured with the smallest in use
# (WGS84 polar), so that a plan made under any convention passes, with no further slack
# (slack per trip would let a chain of short trips go unpaid altogether).
EARTH_RADIUS_KM = 6356.752
ROAD_FACTOR = 1.3
_FAR_PAST = -(10**9)


def travel_minutes(lat1: Any, lon1: Any, lat2: Any, lon2: Any, speed_kmh: Any) -> np.ndarray:
    """Travel minutes the scenario implies: great-circle km x 1.3 / speed x 60, rounded up.

    Great-circle distance by the haversine formula with the polar Earth radius (the
    smallest in use); vectorised over numpy arrays.
    """
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dphi = phi2 - phi1
    dlam = np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlam / 2) ** 2
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    # The small epsilon keeps an exact whole number of minutes from rounding up once more.
    return np.ceil(km * ROAD_FACTOR / np.asarray(speed_kmh, dtype=float) * 60 - 1e-9)


def check_travel(cx: Context, roster: pd.DataFrame) -> None:
    """Each move is shown by a travel row to where it goes, at least as long as the trip.

    Walking a person's work and travel rows in time order, from the team's position: a
    travel row (or several in a row to the same site) moves the person to its site and
    must last at least the trip from where the person was; a work row at a site other
    than where the person is needs a trip there first. No travel is needed over a
    distance of zero.
    """
    suited = roster[roster["activity"].isin(SUITED)]
    if suited.empty:
        return
    moves = _moves(suited)
    if moves.empty:
        return
    moves = moves.assign(need=_trip_minutes(cx, moves))
    cx.found.flag("travel", moves, moves["got"] < moves["need"], lambda r: _describe(cx, r))


def _moves(suited: pd.DataFrame) -> pd.DataFrame:
    """The rows that move a person: each with the site it moves from (``origin``, -1 for
    the team's position), the end of the row before (``after``) and the travel minutes its
    travel rows give (``got``)."""
    s, people = by_group_then_time(suited, ["pid"])
    travel = (s["activity"] == "travel").to_numpy()
    sid, ends = s["sid"].to_numpy(), s["end"].to_numpy()
    minutes = (s["end"] - s["start"]).to_numpy()
    # Every row leaves the person at its site: where it was before a row is the site of
    # its previous row (its team's position, -1, before its first).
    same = np.r_[False, people[1:] == people[:-1]]
    place = np.where(same, np.r_[-1, sid[:-1]], -1)
    since = np.where(same, np.r_[_FAR_PAST, ends[:-1]], _FAR_PAST)
    # A trip in several rows in a row to the same site is one move, made by its first.
    going_on = travel & np.r_[False, travel[:-1]] & same & (place == sid)
    first_leg = travel & ~going_on
    trip = np.cumsum(first_leg) - 1
    got = np.bincount(trip[travel], weights=minutes[travel], minlength=int(first_leg.sum()))
    moving = first_leg | (~travel & (sid != place))
    rows = np.flatnonzero(moving)
    got_by_row = np.zeros(len(s), dtype=np.int64)
    got_by_row[first_leg] = np.rint(got).astype(np.int64)
    return (
        s.iloc[rows]
        .reset_index(drop=True)
        .assign(origin=place[rows].astype(np.int64), after=since[rows], got=got_by_row[rows])
    )


def _trip_minutes(cx: Context, moves: pd.DataFrame) -> np.ndarray:
    """The travel minutes the scenario implies for each move, from its origin to its site."""
    origin_ids = moves["origin"].to_numpy()
    lat = np.array([site.lat for site in cx.sc.sites])
    lon = np.array([site.lon for site in cx.sc.sites])
    base_lat = moves["team"].map({t.id: t.lat for t in cx.sc.teams}).to_numpy(float)
    base_lon = moves["team"].map({t.id: t.lon for t in cx.sc.teams}).to_numpy(float)
    at_base = origin_ids < 0
    dest = moves["sid"].to_numpy()
    return travel_minutes(
        np.where(at_base, base_lat, lat[np.maximum(origin_ids, 0)]),
        np.where(at_base, base_lon, lon[np.maximum(origin_ids, 0)]),
        lat[dest],
        lon[dest],
        moves["team"].map(cx.rule_by_team("travel_speed_kmh")).to_numpy(float),
    ).astype(np.int64)


def _describe(cx: Context, r: Any) -> str:
    """A move that is too short, as an example."""
    origin = f"team {r.team}'s position" if r.origin < 0 else f"site {cx.sc.sites[r.origin].id}"
    since = "" if r.after == _FAR_PAST else f" after {cx.t(r.after)}"
    return (
        f"{cx.row('roster.csv', r)} needs {r.need} min of travel from {origin}{since}; "
        f"travel rows to {r.site} there give {r.got} min"
    )
