"""The day chart: residents sampled over the day by the plan against the bound curve
plan.json gives, with the times the plan is done and the bound says it could be.

An SVG drawn here, not by a chart library, so that the page stays one offline file.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sampler.plan_folder import PlanFolder
from sampler.report.axes import nice_step, time_ticks
from sampler.report.data import sampled_by_minute
from sampler.report.text import Clock, as_float, esc, fmt_int


def _short(value: float) -> str:
    """An axis number: 950, 12k, 1.2M."""
    if value >= 1e6:
        return f"{value / 1e6:.3g}M"
    if value >= 1e4:
        return f"{value / 1e3:.3g}k"
    return f"{value:,.0f}"


W, H, LEFT, RIGHT, TOP_PAD, BOTTOM = 640, 330, 52, 20, 34, 26  # px
PW, PH = W - LEFT - RIGHT, H - TOP_PAD - BOTTOM  # the plot inside the margins


@dataclass(frozen=True)
class _Plot:
    """Minutes of the horizon along x, residents up to ``top`` along y."""

    horizon: int
    top: float

    def x(self, m: float) -> float:
        return LEFT + PW * m / self.horizon

    def y(self, v: float) -> float:
        return TOP_PAD + PH * (1 - v / self.top)


def _bound_points(folder: PlanFolder) -> list[tuple[int, float]]:
    """(minute, residents) of plan.json's bound curve, from (0, 0)."""
    bound = [(0, 0.0)]
    for point in folder.plan.get("bound_curve", []) or []:
        m = folder.minute(point.get("at"))
        if m is not None:
            bound.append((m, as_float(point.get("residents"))))
    return bound


def _axes(plot: _Plot, clock: Clock) -> list[str]:
    """Grid lines with residents up the side and clock times along the bottom."""
    x, y = plot.x, plot.y
    out = []
    step = nice_step(plot.top, 5)
    v = 0.0
    while v <= plot.top * 1.0001:
        out.append(
            f'<line class="grid" x1="{LEFT}" x2="{W - RIGHT}" y1="{y(v):.1f}" y2="{y(v):.1f}"/>'
            f'<text class="tick" x="{LEFT - 6}" y="{y(v) + 4:.1f}" text-anchor="end">'
            f"{_short(v)}</text>"
        )
        v += step
    for m in time_ticks(plot.horizon, PW):
        out.append(
            f'<line class="grid" x1="{x(m):.1f}" x2="{x(m):.1f}" y1="{TOP_PAD}" '
            f'y2="{TOP_PAD + PH}"/><text class="tick" x="{x(m):.1f}" y="{H - BOTTOM + 16}" '
            f'text-anchor="middle">{esc(clock(m))}</text>'
        )
    return out


def _total_line(plot: _Plot, total: float) -> str:
    """A dotted line at all the residents."""
    y = plot.y(total)
    return (
        f'<line class="total" x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" '
        f'y2="{y:.1f}"><title>{esc(fmt_int(total))} residents</title></line>'
        f'<text class="note" x="{LEFT + 6}" y="{y + 14:.1f}">'
        f"all {esc(fmt_int(total))} residents</text>"
    )


def _done_marks(folder: PlanFolder, plot: _Plot, clock: Clock) -> list[str]:
    """Done and bound marked above the plot, where no curve runs; one label when they meet."""
    x = plot.x
    marks = [
        (folder.minute(folder.plan.get("lower_bound_done_at")), "bound", "mark-bound"),
        (folder.minute(folder.plan.get("done_at")), "done", "mark-done"),
    ]
    out = []
    placed: list[float] = []
    for m, _, cls in marks:
        if m is None:
            continue
        out.append(
            f'<line class="{cls}" x1="{x(m):.1f}" x2="{x(m):.1f}" y1="{TOP_PAD - 4}" '
            f'y2="{TOP_PAD + PH}"/>'
        )
        if any(abs(x(m) - p) < 1 for p in placed):
            continue
        same = [lb for mm, lb, _ in marks if mm is not None and x(mm) == x(m)]
        text = f"{' = '.join(same)} {clock(m)}"
        lift = 12 if any(abs(x(m) - p) < 90 for p in placed) else 0
        anchor = "end" if x(m) > W - 80 else "middle"
        out.append(
            f'<text class="note" x="{min(x(m), W - 2):.1f}" y="{TOP_PAD - 8 - lift}" '
            f'text-anchor="{anchor}">{esc(text)}</text>'
        )
        placed.append(x(m))
    return out


def _plan_corners(folder: PlanFolder, horizon: int) -> list[int]:
    """The minutes where the plan's curve turns: it is piecewise linear between the
    assignments' ends (and every half hour, so that the line reads well)."""
    corners = sorted({0, horizon, *range(0, horizon + 1, 30)})
    work = folder.assignments
    if not work.empty:
        ends = np.concatenate([folder.minutes(work["start"]), folder.minutes(work["end"])])
        corners = sorted({*corners, *np.clip(ends, 0, horizon).tolist()})
    return corners


def day_chart(folder: PlanFolder) -> str:
    """Residents sampled over the day (the plan) against the bound curve (plan.json)."""
    horizon = max(1, folder.horizon_minutes)
    clock = Clock(folder)
    curve = sampled_by_minute(folder)
    bound = _bound_points(folder)
    total = as_float(folder.plan.get("residents")) or float(curve[-1]) or 1.0
    plot = _Plot(horizon, max(total, curve[-1], *(b for _, b in bound)) or 1.0)
    x, y = plot.x, plot.y
    out = [
        f'<svg class="chart" id="day-chart" viewBox="0 0 {W} {H}" role="img" '
        f'aria-label="Residents sampled over the day">',
        *_axes(plot, clock),
        _total_line(plot, total),
        *_done_marks(folder, plot, clock),
    ]
    if len(bound) > 1:
        pts = " ".join(f"{x(m):.1f},{y(v):.1f}" for m, v in bound)
        out.append(f'<polyline class="bound" points="{pts}"/>')
    pts = " ".join(f"{x(m):.1f},{y(curve[m]):.1f}" for m in _plan_corners(folder, horizon))
    out.append(f'<polyline class="plan" points="{pts}"/>')
    for m, b in bound[1:]:
        planned = curve[min(max(m, 0), horizon)]
        out.append(
            f'<circle class="dot" cx="{x(m):.1f}" cy="{y(b):.1f}" r="2.6"><title>'
            f"{esc(clock(m))} · plan {fmt_int(planned)} · bound {fmt_int(b)}</title></circle>"
        )
    out.append("</svg>")
    return (
        '<section class="panel" id="day"><h2>Residents sampled over the day</h2>'
        '<p class="legend"><span class="line plan"></span>residents sampled in this plan '
        '<span class="line bound"></span>most any plan can have sampled (bound)</p>'
        + "".join(out)
        + '<p class="hint">Each assignment’s samples are spread evenly over its interval. The '
        "bound (plan.json <code>bound_curve</code>) is the most residents any valid plan can "
        "have sampled by the end of each slot.</p></section>"
    )
