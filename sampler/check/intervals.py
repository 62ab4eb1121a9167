"""Vectorised interval arithmetic over plan rows, for checks that walk intervals in time.

A city plan has hundreds of thousands of roster rows: the rules sort them once per group
(a person, a pair, a site) with integer group ids and compare each row with the latest end
before it, instead of looping in Python.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def group_ids(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """One integer per distinct combination of ``keys`` (cheaper to sort than strings)."""
    if len(keys) == 1:
        return pd.factorize(frame[keys[0]])[0]
    return frame.groupby(keys, sort=False).ngroup().to_numpy()


def by_group_then_time(frame: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """``frame`` sorted by group of ``keys``, then start and end; and the sorted group ids."""
    groups = group_ids(frame, keys)
    order = np.lexsort((frame["end"].to_numpy(), frame["start"].to_numpy(), groups))
    return frame.iloc[order].reset_index(drop=True), groups[order]


def prev_max_end(groups: np.ndarray, ends: Any) -> np.ndarray:
    """For rows sorted by group and start: the latest end among earlier rows of the group.

    NaN for the first row of each group.
    """
    ends = np.asarray(ends)
    prev = np.full(len(ends), np.nan)
    if len(ends) > 1:
        running = pd.Series(ends).groupby(groups).cummax().to_numpy(float)
        prev[1:] = running[:-1]
        prev[np.flatnonzero(groups[1:] != groups[:-1]) + 1] = np.nan
    return prev


def merge_touching(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Intervals merged per group of ``keys`` where they overlap or touch (end == next start)."""
    if frame.empty:
        return frame[[*keys, "start", "end"]].reset_index(drop=True)
    f, groups = by_group_then_time(frame, keys)
    prev = prev_max_end(groups, f["end"])
    firsts = np.flatnonzero(np.isnan(prev) | (f["start"].to_numpy() > prev))
    out = f.loc[firsts, keys].reset_index(drop=True)
    out["start"] = f["start"].to_numpy()[firsts]
    out["end"] = np.maximum.reduceat(f["end"].to_numpy(), firsts)
    return out
