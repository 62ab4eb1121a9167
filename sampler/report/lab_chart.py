"""The lab load chart (docs/labs.md): each lab's hours as a row of cells, coloured by the
share of its capacity it tests, with what arrived, was tested and waits in each; and the
results' headline (the last result, its bound, the share within the target).

Drawn from labs.csv and plan.json alone; a plan folder without labs.csv has no such
chart. An SVG drawn here, as the other charts, so that the page stays one offline file.
"""

from __future__ import annotations

import pandas as pd

from sampler.plan_folder import PlanFolder, PlanFolderError, read_table
from sampler.report.text import Clock, as_float, esc, fmt_int, fmt_pct, text_width

CELL_H, LABEL_PAD, TOP, RIGHT = 18, 10, 24, 12  # px
WIDTH = 960
LOAD_RAMP = ["#edf4fb", "#c6dbef", "#6baed6", "#2171b5", "#08306b"]  # idle -> full
CLOSED = "#e6e6e6"


def lab_hours(folder: PlanFolder) -> pd.DataFrame | None:
    """labs.csv with hours as minutes and counts as numbers; None without the file."""
    try:  # (a folder without labs.csv raises too)
        table = read_table(folder.path / "labs.csv")
    except PlanFolderError:
        return None
    if table.empty:
        return None
    table["minute"] = folder.minutes(table["hour"])
    for column in ("capacity", "arrived", "tested", "queued"):
        table[column] = pd.to_numeric(table[column], errors="coerce").fillna(0).astype(int)
    return table


def _fill(tested: int, capacity: int) -> str:
    if capacity <= 0:
        return CLOSED
    share = min(1.0, tested / capacity)
    return LOAD_RAMP[min(len(LOAD_RAMP) - 1, int(share * (len(LOAD_RAMP) - 1) + 0.5))]


def _headline(folder: PlanFolder) -> str:
    p, clock = folder.plan, Clock(folder)
    done = folder.minute(p.get("results_done_at"))
    bound = folder.minute(p.get("lower_bound_results_done_at"))
    parts = [
        f"last result {clock(done) if done is not None else 'none'}",
        f"bound {clock(bound) if bound is not None else 'none'}",
        f"{fmt_int(p.get('tubes'))} tubes in {fmt_int(p.get('collections'))} collections",
    ]
    if p.get("results_gap") is not None:
        parts[1] += f" (gap {fmt_pct(p.get('results_gap'))})"
    if p.get("results_within_target") is not None:
        parts.append(f"{fmt_pct(p.get('results_within_target'))} of samples within the target")
    return f'<p class="legend" id="lab-results">{esc(" · ".join(parts))}</p>'


def lab_chart(folder: PlanFolder) -> str:
    """The labs section: headline and the load heatmap; empty without labs.csv."""
    table = lab_hours(folder)
    if table is None:
        return ""
    clock = Clock(folder)
    labs = list(dict.fromkeys(table["lab"]))
    hours = sorted(set(table["minute"]))
    left = LABEL_PAD + max(text_width(lab, 11) for lab in labs)
    cell = max(4.0, (WIDTH - left - RIGHT) / max(1, len(hours)))
    height = TOP + CELL_H * len(labs) + 22
    col = {m: i for i, m in enumerate(hours)}
    out = [
        f'<svg class="chart" id="lab-chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        'aria-label="Lab load by hour">'
    ]
    for i, lab in enumerate(labs):
        y = TOP + i * CELL_H
        out.append(
            f'<text class="tick" x="{left - 6:.1f}" y="{y + CELL_H - 5}" text-anchor="end">'
            f"{esc(lab)}</text>"
        )
    for r in table.itertuples(index=False):
        x, y = left + col[r.minute] * cell, TOP + labs.index(r.lab) * CELL_H
        tip = (
            f"{r.lab} · {clock(r.minute)} · arrived {fmt_int(r.arrived)} · tested "
            f"{fmt_int(r.tested)} of {fmt_int(r.capacity)} · queued {fmt_int(r.queued)}"
        )
        out.append(
            f'<rect x="{x:.1f}" y="{y + 1}" width="{max(1.0, cell - 1):.1f}" height="{CELL_H - 2}" '
            f'fill="{_fill(r.tested, r.capacity)}"><title>{esc(tip)}</title></rect>'
        )
    step = max(1, int(60 / cell) + 1)
    for m in hours[::step]:
        x = left + col[m] * cell
        out.append(
            f'<text class="tick" x="{x:.1f}" y="{TOP - 8}" text-anchor="start">'
            f"{esc(clock(m))}</text>"
        )
    out.append("</svg>")
    total = as_float(table["tested"].sum())
    return (
        '<section class="panel" id="labs"><h2>Lab load by hour</h2>'
        + _headline(folder)
        + "".join(out)
        + f'<p class="hint">Each cell is one lab hour (labs.csv), darker as more of its capacity '
        f"tests tubes ({fmt_int(total)} tubes in all; grey: closed). Hover a cell for the tubes "
        "that arrived, were tested and wait at the hour’s end.</p></section>"
    )
