"""What CONTRACT.md fixes about the plan files, written down once for the checker.

The checker restates these instead of importing them from the writer (``sampler.export``):
a typo there must show up here as a broken plan, not pass because both sides share it.
"""

from __future__ import annotations

ROSTER_COLUMNS = ("team", "person", "pair", "role", "activity", "site", "start", "end")
ASSIGNMENT_COLUMNS = ("team", "pair", "site", "activity", "start", "end", "samples")
SITES_COLUMNS = (
    "site",
    "name",
    "district",
    "residents",
    "home_visits",
    "walk_in_sampled",
    "door_to_door_sampled",
    "coverage",
    "done_at",
)
# (and "the solver's statistics", under a key the contract does not name: "solver" here,
# checked when present)
PLAN_KEYS = ("coverage", "done_at", "lower_bound_done_at", "status")

WORK = ("walk_in", "door_to_door")
SUITED = (*WORK, "travel")  # activities done in a protective suit
ACTIVITIES = (*SUITED, "break")
ROLES = ("swab", "record")
STATUSES = ("optimal", "feasible", "partial")

TIME_FORMAT = "%Y-%m-%d %H:%M"
TIME_PATTERN = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"  # TIME_FORMAT, digit for digit
COUNT_PATTERN = r"\d+"  # a whole number of samples or residents
BOM = b"\xef\xbb\xbf"
FORMULA_START = ("=", "+", "-", "@")

# docs/labs.md: the files of a plan whose scenario has labs.
COLLECTION_COLUMNS = (
    "site", "pickup", "tubes", "samples", "lab", "arrival",
    "walk_in_samples", "door_to_door_samples", "walk_in_tubes", "door_to_door_tubes",
    "oldest_swab", "tested_at", "results_at", "within_target",
)  # fmt: skip
COLLECTION_TIMES = ("pickup", "arrival", "oldest_swab", "tested_at", "results_at")
COLLECTION_COUNTS = (
    "tubes", "samples", "walk_in_samples", "door_to_door_samples", "walk_in_tubes",
    "door_to_door_tubes",
)  # fmt: skip
LAB_HOUR_COLUMNS = ("lab", "hour", "capacity", "arrived", "tested", "queued")
