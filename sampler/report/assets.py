"""The page's stylesheet and script, kept as real files in ``assets/`` (so that they are
edited as CSS and JavaScript) and read from the installed package.

``report.css`` holds four placeholders, filled from :mod:`sampler.report.palette` so that
the CSS and the SVG share one set of colours: ``FONTS`` (the font stack), ``BASE`` (team
bases), ``SEALED`` (the ring of sealed sites) and ``BARS`` (a rule per Gantt activity).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from sampler.report.palette import ACTIVITIES, BASE_COLOUR, FONTS, OTHER_ACTIVITY, SEALED_RING


def _asset(name: str) -> str:
    return files("sampler.report").joinpath("assets", name).read_text(encoding="utf-8")


@cache
def script() -> str:
    """The script that sorts the tables on a click."""
    return _asset("report.js")


@cache
def stylesheet() -> str:
    """The page's CSS, placeholders filled."""
    bars = "".join(
        f".bar.{a}{{fill:{fill}}}.bar-label.{a}{{fill:{ink}}}"
        for a, (_, fill, ink) in ACTIVITIES.items()
    )
    bars += f".bar.other{{fill:{OTHER_ACTIVITY[1]}}}"
    return (
        _asset("report.css")
        .replace("FONTS", FONTS)
        .replace("BASE", BASE_COLOUR)
        .replace("SEALED", SEALED_RING)
        .replace("BARS", bars)
    )
