"""How values are written into the page: escaped, as counts, shares and clock times.

Shared by the page, the charts and the tables, so that a number or a time reads the same
everywhere on the page (and '–' stands for a missing value everywhere).
"""

from __future__ import annotations

import unicodedata
from datetime import timedelta
from html import escape

from sampler.plan_folder import PlanFolder


def esc(value: object) -> str:
    """Text or attribute value, escaped (ids and names may hold '<', '&' or quotes)."""
    return escape(str(value), quote=True)


def fmt_int(value: object) -> str:
    """A whole number with thousands separators, or '–' when it is no number."""
    try:
        return f"{round(float(value)):,}"  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "–"


def fmt_pct(value: object, digits: int = 1) -> str:
    """A share as a percentage, or '–' when it is no number."""
    try:
        return f"{float(value):.{digits}%}"  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "–"


def as_float(value: object) -> float:
    """A plan.json figure as a number, 0 when missing or no number."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0


def text_width(text: str, size: float) -> float:
    """Rough rendered width in px: wide (CJK) characters are about one em, others 0.58."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else 0.58 * size for c in text)


class Clock:
    """Minutes from the horizon start as clock times (``+1d`` past midnight)."""

    def __init__(self, folder: PlanFolder):
        self.start = folder.start

    def __call__(self, minute: float) -> str:
        at = self.start + timedelta(minutes=float(minute))
        days = (at.date() - self.start.date()).days
        return at.strftime("%H:%M") + (f" +{days}d" if days else "")
