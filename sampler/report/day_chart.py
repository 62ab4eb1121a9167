"""The day chart: residents sampled over the day by the plan against the bound curve
plan.json gives, with the times the plan is done and the bound says it could be.

An SVG drawn here, not by a chart library, so that the page stays one offline file.
"""

from __future__ import annotations

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


def day_chart(folder: PlanFolder) -> str:
    """Residents sampled over the day (the plan) against the bound curve (plan.json)."""
    horizon = max(1, folder.horizon_minutes)
    clock = Clock(folder)
    curve = sampled_by_minute(folder)
    bound = [(0, 0.0)]
    for point in folder.plan.get("bound_curve", []) or []:
        m = folder.minute(point.get("at"))
        if m is not None:
            bound.append((m, as_float(point.get("residents"))))
    total = as_float(folder.plan.get("residents")) or float(curve[-1]) or 1.0
    top = max(total, curve[-1], *(b for _, b in bound)) or 1.0
    w, h, left, right, top_pad, bottom = 640, 330, 52, 20, 34, 26
    pw, ph = w - left - right, h - top_pad - bottom

    def x(m: float) -> float:
        return left + pw * m / horizon

    def y(v: float) -> float:
        return top_pad + ph * (1 - v / top)

    out = [
        f'<svg class="chart" id="day-chart" viewBox="0 0 {w} {h}" role="img" '
        f'aria-label="Residents sampled over the day">'
    ]
    step = nice_step(top, 5)
    v = 0.0
    while v <= top * 1.0001:
        out.append(
            f'<line class="grid" x1="{left}" x2="{w - right}" y1="{y(v):.1f}" y2="{y(v):.1f}"/>'
            f'<text class="tick" x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end">'
            f"{_short(v)}</text>"
        )
        v += step
    for m in time_ticks(horizon, pw):
        out.append(
            f'<line class="grid" x1="{x(m):.1f}" x2="{x(m):.1f}" y1="{top_pad}" '
            f'y2="{top_pad + ph}"/><text class="tick" x="{x(m):.1f}" y="{h - bottom + 16}" '
            f'text-anchor="middle">{esc(clock(m))}</text>'
        )
    out.append(
        f'<line class="total" x1="{left}" x2="{w - right}" y1="{y(total):.1f}" '
        f'y2="{y(total):.1f}"><title>{esc(fmt_int(total))} residents</title></line>'
    )
    out.append(
        f'<text class="note" x="{left + 6}" y="{y(total) + 14:.1f}">'
        f"all {esc(fmt_int(total))} residents</text>"
    )
    # Done and bound marked above the plot, where no curve runs; one label when they meet.
    marks = [
        (folder.minute(folder.plan.get("lower_bound_done_at")), "bound", "mark-bound"),
        (folder.minute(folder.plan.get("done_at")), "done", "mark-done"),
    ]
    placed: list[float] = []
    for m, _, cls in marks:
        if m is None:
            continue
        out.append(
            f'<line class="{cls}" x1="{x(m):.1f}" x2="{x(m):.1f}" y1="{top_pad - 4}" '
            f'y2="{top_pad + ph}"/>'
        )
        if any(abs(x(m) - p) < 1 for p in placed):
            continue
        same = [lb for mm, lb, _ in marks if mm is not None and x(mm) == x(m)]
        text = f"{' = '.join(same)} {clock(m)}"
        lift = 12 if any(abs(x(m) - p) < 90 for p in placed) else 0
        anchor = "end" if x(m) > w - 80 else "middle"
        out.append(
            f'<text class="note" x="{min(x(m), w - 2):.1f}" y="{top_pad - 8 - lift}" '
            f'text-anchor="{anchor}">{esc(text)}</text>'
        )
        placed.append(x(m))
    if len(bound) > 1:
        pts = " ".join(f"{x(m):.1f},{y(v):.1f}" for m, v in bound)
        out.append(f'<polyline class="bound" points="{pts}"/>')
    # The plan's curve is piecewise linear: its corners are the interval ends.
    corners = sorted({0, horizon, *range(0, horizon + 1, 30)})
    work = folder.assignments
    if not work.empty:
        ends = np.concatenate([folder.minutes(work["start"]), folder.minutes(work["end"])])
        corners = sorted({*corners, *np.clip(ends, 0, horizon).tolist()})
    pts = " ".join(f"{x(m):.1f},{y(curve[m]):.1f}" for m in corners)
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
