"""The page's fonts and colours, in one place because both the stylesheet
(:mod:`sampler.report.assets`) and the SVG the charts draw use them."""

from __future__ import annotations

FONTS = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", '
    '"Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", '
    '"Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif'
)
ACTIVITIES = {
    # activity: (label, bar fill, label colour on the bar)
    "walk_in": ("walk-in", "#2e6fba", "#fff"),
    "door_to_door": ("door to door", "#e8892b", "#1b1b1b"),
    "travel": ("travel", "#7d7d7d", "#fff"),
    "break": ("break", "#cfe6c8", "#1b1b1b"),
}
OTHER_ACTIVITY = ("other", "#b07cc6", "#1b1b1b")
DONE_RAMP = ["#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027"]  # early -> late
NOT_DONE = "#2b2b2b"
SEALED_RING = "#8e44ad"
BASE_COLOUR = "#1f3a93"
