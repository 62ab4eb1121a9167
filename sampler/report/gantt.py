"""The Gantt chart: per team, a row per pair with its roster intervals as bars.

A city (tens of thousands of people) must not become a million DOM nodes: above
``DETAIL_PAIRS`` pairs the chart draws one row per distinct day (pairs whose rows are
identical share a row, with their count), at most ``ROW_BUDGET`` rows in all; what is left
out is said on the page, and every pair's rows stay in rosters/ and roster.xlsx.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import pandas as pd

from sampler.plan_folder import PlanFolder
from sampler.report.axes import time_ticks
from sampler.report.data import plan_teams
from sampler.report.palette import ACTIVITIES, OTHER_ACTIVITY
from sampler.report.text import Clock, as_float, esc, text_width

DETAIL_PAIRS = 2_000  # up to this many pairs in the plan, one Gantt row per pair
ROW_BUDGET = 3_000  # most Gantt rows drawn in all when pairs are grouped
MIN_ROWS_PER_TEAM = 8
OPEN_TEAMS = 12  # teams whose Gantt is open when the page loads
TEAM_FIGURES = (  # plan.json per-team figures shown above a team's Gantt
    ("sampling_hours", "{:,.1f} sampling h"),
    ("travel_hours", "{:,.1f} travel h"),
    ("moves", "{:,.0f} moves"),
    ("utilisation", "utilisation {:.0%}"),
)


class _Bar(NamedTuple):
    """One roster interval of a pair, as drawn."""

    activity: str
    site: str
    site_name: str
    s: int
    e: int
    samples: int


@dataclass(frozen=True)
class _GanttRow:
    label: str
    title: str
    pairs: tuple[str, ...]
    bars: list[_Bar]


def _pair_label(team: str, pair: str) -> str:
    prefix = f"{team}-"
    return pair[len(prefix) :] if pair.startswith(prefix) and len(pair) > len(prefix) else pair


def _bars_by_pair(rows: pd.DataFrame) -> dict[str, dict[str, list[_Bar]]]:
    """team -> pair -> bars, in roster order (plain tuples: a city has 100,000 rows)."""
    out: dict[str, dict[str, list[_Bar]]] = {}
    columns = ["team", "pair", "activity", "site", "site_name", "s", "e", "samples"]
    for team, pair, *bar in zip(*(rows[c].tolist() for c in columns), strict=True):
        out.setdefault(team, {}).setdefault(pair, []).append(_Bar(*bar))
    return out


def _gantt_rows(
    team: str, pairs: dict[str, list[_Bar]], people: dict[str, str], grouped: bool
) -> list[_GanttRow]:
    """One row per pair, or (``grouped``) one per distinct day shared by pairs."""
    if not grouped:
        return [
            _GanttRow(_pair_label(team, pair), f"{pair}: {people.get(pair, '')}", (pair,), bars)
            for pair, bars in pairs.items()
        ]
    days: dict[tuple, list[str]] = {}
    for pair, bars in pairs.items():
        days.setdefault(tuple((b.activity, b.site, b.s, b.e) for b in bars), []).append(pair)
    out = []
    for members in days.values():
        first = _pair_label(team, members[0])
        label = first if len(members) == 1 else f"{first} +{len(members) - 1}"
        listed = ", ".join(members[:20])
        if len(members) > 20:
            listed += f" and {len(members) - 20} more"
        # The group's samples, so that a bar tells what the row as a whole does.
        samples = [[b.samples for b in pairs[p]] for p in members]
        totals = [sum(col) for col in zip(*samples, strict=True)]
        bars = [b._replace(samples=n) for b, n in zip(pairs[members[0]], totals, strict=True)]
        title = f"{len(members)} pairs with this day: {listed}"
        out.append(_GanttRow(label, title, tuple(members), bars))
    return out


def _gantt_svg(folder: PlanFolder, rows: list[_GanttRow], grouped: bool) -> str:
    horizon = max(1, folder.horizon_minutes)
    clock = Clock(folder)
    w, label_w, right, row_h, bar_h, axis_h = 1100, 118, 22, 20, 15, 22
    pw = w - label_w - right
    h = axis_h + row_h * len(rows) + 4

    def x(m: float) -> float:
        return label_w + pw * m / horizon

    out = [
        f'<svg class="gantt" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img">',
    ]
    for m in time_ticks(horizon, pw * 1.6):
        out.append(
            f'<line class="grid" x1="{x(m):.1f}" x2="{x(m):.1f}" y1="{axis_h - 4}" y2="{h}"/>'
            f'<text class="tick" x="{x(m):.1f}" y="{axis_h - 8}" text-anchor="middle">'
            f"{esc(clock(m))}</text>"
        )
    for i, row in enumerate(rows):
        y = axis_h + i * row_h
        attr = (
            f'data-pair="{esc(row.pairs[0])}"' if not grouped else f'data-pairs="{len(row.pairs)}"'
        )
        out.append(f'<g class="row" {attr} transform="translate(0,{y})">')
        if i % 2:
            out.append(f'<rect class="stripe" x="0" y="0" width="{w}" height="{row_h}"/>')
        out.append(
            f'<text class="row-label" x="{label_w - 6}" y="{row_h / 2 + 4}" text-anchor="end">'
            f"{esc(row.label)}<title>{esc(row.title)}</title></text>"
        )
        top = (row_h - bar_h) / 2
        for b in row.bars:
            x0, x1 = x(b.s), x(b.e)
            bw = max(x1 - x0, 0.8)
            label, _, _ = ACTIVITIES.get(b.activity, OTHER_ACTIVITY)
            cls = b.activity if b.activity in ACTIVITIES else "other"
            where = f" at {b.site_name or b.site} ({b.site})" if b.site else ""
            if b.activity == "travel":
                where = f" to {b.site_name or b.site} ({b.site})" if b.site else ""
            what = f"{label}{where}, {clock(b.s)}–{clock(b.e)}"
            if b.activity in ("walk_in", "door_to_door"):
                what += f", {int(b.samples):,} sampled"
            out.append(
                f'<rect class="bar {cls}" x="{x0:.1f}" y="{top}" width="{bw:.1f}" '
                f'height="{bar_h}"><title>{esc(what)}</title></rect>'
            )
            name = b.site_name or b.site
            fits = text_width(name, 10.5) + 6 <= bw
            if b.activity in ("walk_in", "door_to_door") and name and fits:
                out.append(
                    f'<text class="bar-label {cls}" x="{x0 + 3:.1f}" y="{top + bar_h - 4}">'
                    f"{esc(name)}</text>"
                )
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)


def gantt(folder: PlanFolder, rows: pd.DataFrame) -> str:
    """The Gantt section: per team a <details> with its figures and its chart, ``rows``
    being :func:`~sampler.report.data.pair_rows`."""
    by_team = _bars_by_pair(rows)
    teams = [t for t in plan_teams(folder) if t.id in by_team]
    people = dict(zip(rows["pair"].tolist(), rows["people"].tolist(), strict=True))
    pairs_total = sum(len(p) for p in by_team.values())
    grouped = pairs_total > DETAIL_PAIRS
    legend = "".join(
        f'<span class="swatch" style="background:{fill}"></span>{esc(label)} '
        for label, fill, _ in ACTIVITIES.values()
    )
    out = [
        '<section class="panel wide" id="gantt"><h2>Who is where, when</h2>',
        f'<p class="legend">{legend}</p>',
    ]
    if grouped:
        out.append(
            f'<p class="hint">{pairs_total:,} pairs: pairs whose day is the same share one row '
            "(its label says how many); hover a label for the pairs.</p>"
        )
    if not teams:
        out.append('<p class="hint">No roster rows: nobody is sent.</p>')
    per_team = max(MIN_ROWS_PER_TEAM, ROW_BUDGET // max(1, len(teams)))
    for k, team in enumerate(teams):
        grows = _gantt_rows(team.id, by_team[team.id], people, grouped)
        shown = grows if not grouped else grows[:per_team]
        n_pairs = len(by_team[team.id])
        facts = [f"{n_pairs:,} pairs"]
        for key, fmt in TEAM_FIGURES:
            if team.figures.get(key) is not None:
                facts.append(fmt.format(as_float(team.figures[key])))
        title = f"{team.name} ({team.id})" if team.name else team.id
        opened = " open" if k < OPEN_TEAMS else ""
        out.append(
            f'<details class="team" data-team="{esc(team.id)}"{opened}><summary>'
            f"<b>{esc(title)}</b> · {esc(' · '.join(facts))}</summary>"
            f'<div class="scroll">{_gantt_svg(folder, shown, grouped)}</div>'
        )
        if len(shown) < len(grows):
            rest = grows[len(shown) :]
            out.append(
                f'<p class="hint">{len(rest):,} more rows ({sum(len(r.pairs) for r in rest):,} '
                f"pairs) not drawn; every pair is in rosters/{esc(team.id)}.csv and "
                "roster.xlsx.</p>"
            )
        out.append("</details>")
    out.append("</section>")
    return "".join(out)
