"""collections.csv read and its collections recomputed from assignments.csv (docs/labs.md,
rules 1-3), for the checker; written apart from the planner's :mod:`sampler.labs`.
"""

from __future__ import annotations

import pandas as pd

from sampler.check.context import Context
from sampler.check.contract import (
    COLLECTION_COLUMNS,
    COLLECTION_COUNTS,
    COLLECTION_TIMES,
    COUNT_PATTERN,
)
from sampler.check.parsing import bad_values, parse_times
from sampler.check.reading import as_frame, read_table, read_text

NAME = "collections.csv"
Expected = dict[tuple[str, int], tuple[int, int, int, int, int]]


def read_collections(cx: Context) -> pd.DataFrame | None:
    """collections.csv as typed rows (times in minutes, counts as int); None if missing."""
    text = read_text(cx, NAME, missing="lab_files")
    if text is None:
        return None
    table = read_table(cx, NAME, COLLECTION_COLUMNS, (*COLLECTION_TIMES, *COLLECTION_COUNTS), text)
    if table is None:
        cx.found.add("lab_files", f"{NAME}: not readable with its columns")
        return None
    f = as_frame(table, COLLECTION_COLUMNS)
    ok = parse_times(cx, NAME, f, COLLECTION_TIMES)
    for column in COLLECTION_COUNTS:
        count = f[column].astype(str).str.fullmatch(COUNT_PATTERN).astype(bool)
        bad_values(cx, NAME, f, ~count, f"{column} is not a non-negative integer")
        ok &= count
    flag = ~f["within_target"].isin(("yes", "no"))
    bad_values(cx, NAME, f, flag, "within_target is not yes or no")
    site = f["site"].isin(cx.sites.keys())
    lab = f["lab"].isin(cx.sc.lab_by_id.keys())
    cx.found.flag(
        "unknown_reference",
        f,
        ok & ~(site & lab),
        lambda r: f"{NAME} line {r.line}: site {r.site!r} or lab {r.lab!r} is not in the scenario",
    )
    f = f[ok & ~flag & site & lab].copy()
    for column in COLLECTION_COUNTS:
        f[column] = f[column].astype("int64")
    return f.reset_index(drop=True)


def expected_collections(cx: Context, assignments: pd.DataFrame) -> Expected:
    """(site, pickup) -> (walk-in samples, home samples, walk-in tubes, home tubes, oldest
    swab), by rules 1-3 from the assignments with samples."""
    every = cx.sc.courier_rules.every_minutes
    out: Expected = {}
    work = assignments[assignments["samples"] > 0]
    for site_id, rows in work.groupby("site", sort=False):
        site = cx.sites[str(site_id)]
        pools = {
            "walk_in": cx.sc.per_tube(site, "walk_in"),
            "door_to_door": cx.sc.per_tube(site, "door_to_door"),
        }
        items = list(
            zip(rows["activity"], rows["start"], rows["end"], rows["samples"], strict=True)
        )
        first, last = min(int(s) for _, s, _, _ in items), max(int(e) for _, _, e, _ in items)
        times, t = [], first + every
        while t < last:
            times.append(t)
            t += every
        times.append(last)
        previous = None
        for p in times:
            taken = {"walk_in": 0, "door_to_door": 0}
            oldest = None
            for mode, s, e, n in items:
                got = _swabbed(n, s, e, p) - (
                    0 if previous is None else _swabbed(n, s, e, previous)
                )
                if got > 0:
                    taken[mode] += got
                    since = s if previous is None else max(s, previous)
                    oldest = since if oldest is None else min(oldest, since)
            if oldest is not None:
                walk, home = taken["walk_in"], taken["door_to_door"]
                tubes = (-(-walk // pools["walk_in"]), -(-home // pools["door_to_door"]))
                out[str(site_id), p] = (walk, home, *tubes, int(oldest))
            previous = p
    return out


def _swabbed(n: int, s: int, e: int, t: int) -> int:
    """Samples an assignment of n from s to e has swabbed by minute t (evenly, rounded down)."""
    if t <= s:
        return 0
    if t >= e:
        return int(n)
    return int(n) * (int(t) - int(s)) // (int(e) - int(s))


def check_collections(cx: Context, f: pd.DataFrame, expected: Expected) -> None:
    """Rules 1-3: the pickups, samples and pooled tubes are those of assignments.csv."""
    seen: set[tuple[str, int]] = set()
    for r in f.itertuples(index=False):
        key = (r.site, int(r.pickup))
        where = f"{NAME} line {r.line}: {r.site} {cx.t(r.pickup)}"
        if key in seen:
            cx.found.add("lab_collections", f"{where}: a second row for this pickup")
            continue
        seen.add(key)
        want = expected.get(key)
        if want is None:
            cx.found.add("lab_collections", f"{where}: no pickup here by assignments.csv")
            continue
        got = (
            r.walk_in_samples,
            r.door_to_door_samples,
            r.walk_in_tubes,
            r.door_to_door_tubes,
            int(r.oldest_swab),
        )
        if got != want:
            cx.found.add(
                "lab_collections",
                f"{where}: walk-in/home samples, tubes, oldest swab {got[:4]} {cx.t(got[4])}, "
                f"assignments.csv gives {want[:4]} {cx.t(want[4])}",
            )
        if (
            r.samples != r.walk_in_samples + r.door_to_door_samples
            or r.tubes != r.walk_in_tubes + r.door_to_door_tubes
        ):
            cx.found.add(
                "lab_collections", f"{where}: samples or tubes are not the sum of both modes"
            )
    missing = sorted(set(expected) - seen)
    cx.found.add_many(
        "lab_collections",
        (f"{NAME}: no row for the pickup at {site} {cx.t(p)}" for site, p in missing[:5]),
        len(missing),
    )
