"""report.html: one self-contained page that shows a plan to the people who run it.

Made from the files of a plan folder alone (see :mod:`sampler.plan_folder`): headline
cards, residents sampled over the day against the bound, a map of the sites, a Gantt chart
per team and tables per district and per site. Charts are inline SVG drawn here; the only
script is a few lines that sort the tables. Nothing is fetched: no CDN, no web fonts, no
map tiles, so the page works offline and can be mailed as one file.

A city (tens of thousands of people) must not become a million DOM nodes: above
``DETAIL_PAIRS`` pairs the Gantt draws one row per distinct day (pairs whose rows are
identical share a row, with their count), at most ``ROW_BUDGET`` rows in all; what is left
out is said on the page, and every pair's rows stay in rosters/ and roster.xlsx.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from html import escape
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from sampler.plan_folder import PlanFolder, read_plan_folder, replace_atomically

REPORT_NAME = "report.html"
DETAIL_PAIRS = 2_000  # up to this many pairs in the plan, one Gantt row per pair
ROW_BUDGET = 3_000  # most Gantt rows drawn in all when pairs are grouped
MIN_ROWS_PER_TEAM = 8
OPEN_TEAMS = 12  # teams whose Gantt is open when the page loads
SITE_ROWS_MAX = 5_000  # site table rows; the rest are in sites.csv
MAP_LABELS_MAX = 30  # sites named on the map up to this many
BASE_LABELS_MAX = 12

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
TEAM_FIGURES = (  # plan.json per-team figures shown above a team's Gantt
    ("sampling_hours", "{:,.1f} sampling h"),
    ("travel_hours", "{:,.1f} travel h"),
    ("moves", "{:,.0f} moves"),
    ("utilisation", "utilisation {:.0%}"),
)
DONE_RAMP = ["#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027"]  # early -> late
NOT_DONE = "#2b2b2b"
SEALED_RING = "#8e44ad"
BASE_COLOUR = "#1f3a93"


# ---------------------------------------------------------------- small helpers


def _e(value: object) -> str:
    """Text or attribute value, escaped (ids and names may hold '<', '&' or quotes)."""
    return escape(str(value), quote=True)


def _int(value: object) -> str:
    try:
        return f"{round(float(value)):,}"  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "–"


def _pct(value: object, digits: int = 1) -> str:
    try:
        return f"{float(value):.{digits}%}"  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "–"


def _num(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0


def _short(value: float) -> str:
    """An axis number: 950, 12k, 1.2M."""
    if value >= 1e6:
        return f"{value / 1e6:.3g}M"
    if value >= 1e4:
        return f"{value / 1e3:.3g}k"
    return f"{value:,.0f}"


def text_width(text: str, size: float) -> float:
    """Rough rendered width in px: wide (CJK) characters are about one em, others 0.58."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else 0.58 * size for c in text)


def _nice_step(span: float, target: int) -> float:
    raw = span / max(1, target)
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    return next((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), 10 * mag)


def _ramp(share: float) -> str:
    """A colour of DONE_RAMP for a share in [0, 1]."""
    share = min(1.0, max(0.0, share))
    pos = share * (len(DONE_RAMP) - 1)
    i = min(int(pos), len(DONE_RAMP) - 2)
    f = pos - i
    a = [int(DONE_RAMP[i][k : k + 2], 16) for k in (1, 3, 5)]
    b = [int(DONE_RAMP[i + 1][k : k + 2], 16) for k in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * f):02x}" for x, y in zip(a, b, strict=True))


class _Clock:
    """Minutes from the horizon start as clock times (``+1d`` past midnight)."""

    def __init__(self, folder: PlanFolder):
        self.start = folder.start

    def __call__(self, minute: float) -> str:
        at = self.start + timedelta(minutes=float(minute))
        days = (at.date() - self.start.date()).days
        return at.strftime("%H:%M") + (f" +{days}d" if days else "")


# ---------------------------------------------------------------- data


@dataclass(frozen=True)
class _Team:
    id: str
    name: str
    people: int | None
    figures: dict


def _teams(folder: PlanFolder) -> list[_Team]:
    """Teams in plan.json's order, then the scenario's, then the roster's."""
    figures = {t.get("team"): t for t in folder.plan.get("teams", [])}
    names, people = {}, {}
    order: list[str] = list(figures)
    if folder.scenario:
        for t in folder.scenario.teams:
            names[t.id], people[t.id] = t.name, t.people
            if t.id not in order:
                order.append(t.id)
    for team in folder.roster["team"].unique() if len(folder.roster) else []:
        if team not in order:
            order.append(team)
    return [
        _Team(
            t, names.get(t, ""), people.get(t, figures.get(t, {}).get("people")), figures.get(t, {})
        )
        for t in order
    ]


def pair_rows(folder: PlanFolder) -> pd.DataFrame:
    """One row per pair per interval (the two people of a pair share their rows), with
    minutes ``s`` and ``e``, the site's name and the residents sampled in it."""
    roster = folder.roster
    cols = ["team", "pair", "activity", "site", "start", "end"]
    if roster.empty:
        return pd.DataFrame(columns=[*cols, "s", "e", "samples", "people", "site_name"])
    people = roster.groupby("pair", sort=False)["person"].agg(
        lambda p: " · ".join(dict.fromkeys(p))
    )
    rows = roster.drop_duplicates(["pair", "activity", "site", "start", "end"])[cols].copy()
    rows["s"] = folder.minutes(rows["start"])
    rows["e"] = folder.minutes(rows["end"])
    rows["people"] = rows["pair"].map(people)
    names = dict(
        zip(folder.sites["site"], folder.sites.get("name", folder.sites["site"]), strict=True)
    )
    rows["site_name"] = rows["site"].map(names).fillna("")
    rows["samples"] = 0
    work = folder.assignments
    if not work.empty:
        a = work[["pair", "site", "activity"]].copy()
        a["as"] = folder.minutes(work["start"])
        a["ae"] = folder.minutes(work["end"])
        a["n"] = pd.to_numeric(work["samples"], errors="coerce").fillna(0)
        keyed = rows[["pair", "site", "activity", "s", "e"]].reset_index()
        both = keyed.merge(a, on=["pair", "site", "activity"])
        inside = both[(both["as"] >= both["s"]) & (both["ae"] <= both["e"])]
        samples = inside.groupby("index")["n"].sum()
        rows["samples"] = samples.reindex(rows.index).fillna(0).astype("int64")
    return rows.reset_index(drop=True)


def sampled_by_minute(folder: PlanFolder) -> np.ndarray:
    """Residents sampled by each minute of the horizon (index 0 .. H), each assignment's
    samples spread evenly over its interval."""
    horizon = folder.horizon_minutes
    curve = np.zeros(horizon + 1)
    work = folder.assignments
    if work.empty:
        return curve
    s = folder.minutes(work["start"]).clip(0, horizon).to_numpy()
    e = folder.minutes(work["end"]).clip(0, horizon).to_numpy()
    n = pd.to_numeric(work["samples"], errors="coerce").fillna(0).to_numpy(dtype=float)
    span = np.maximum(e - s, 1)
    e = np.maximum(e, s + 1)  # an interval of no length counts in its first minute
    diff = np.zeros(horizon + 2)
    np.add.at(diff, s, n / span)
    np.add.at(diff, np.minimum(e, horizon + 1), -n / span)
    per_minute = np.cumsum(diff)[:horizon]
    curve[1:] = np.cumsum(per_minute)
    return curve


# ---------------------------------------------------------------- sections


def _cards(folder: PlanFolder, pairs: int) -> str:
    p = folder.plan
    clock = _Clock(folder)
    residents, sampled = p.get("residents"), p.get("sampled")
    cov_sub = f"{_int(sampled)} of {_int(residents)} residents"
    if p.get("upper_bound_sampled") is not None and p.get("done_at") is None:
        cov_sub += f" · at most {_int(p['upper_bound_sampled'])} possible"
    done = folder.minute(p.get("done_at"))
    bound = folder.minute(p.get("lower_bound_done_at"))
    gap = p.get("gap")
    cards = [
        ("coverage", _pct(p.get("coverage")), cov_sub, "bad" if p.get("done_at") is None else ""),
        (
            "done at",
            clock(done) if done is not None else "not done",
            "last resident sampled" if done is not None else "not everyone can be sampled",
            "",
        ),
        (
            "lower bound",
            clock(bound) if bound is not None else "none",
            f"gap {_pct(gap)} · {p.get('status', '')}"
            if gap is not None
            else "no gap: this plan leaves residents out"
            if bound is not None
            else "no plan can sample everyone in time",
            "",
        ),
        (
            "people",
            _int(p.get("people_used")),
            f"of {_int(p.get('people_sent'))} sent · {_int(pairs)} pairs at work",
            "",
        ),
        ("staff-hours", f"{_num(p.get('staff_hours')):,.1f}", "work and travel", ""),
        ("moves", _int(p.get("moves")), "pairs moving between sites", ""),
    ]
    out = ['<section class="cards" id="summary">']
    for label, value, sub, cls in cards:
        cls += " long" if len(value) > 9 else ""
        out.append(
            f'<div class="card {cls}"><div class="label">{_e(label)}</div>'
            f'<div class="value">{_e(value)}</div><div class="sub">{_e(sub)}</div></div>'
        )
    out.append("</section>")
    return "\n".join(out)


def _time_ticks(horizon: int, width: float) -> list[int]:
    hours = horizon / 60
    every = next(h for h in (1, 2, 3, 4, 6, 12, 24) if hours / h <= max(4, width / 70))
    return list(range(0, horizon + 1, every * 60))


def _day_chart(folder: PlanFolder) -> str:
    """Residents sampled over the day (the plan) against the bound curve (plan.json)."""
    horizon = max(1, folder.horizon_minutes)
    clock = _Clock(folder)
    curve = sampled_by_minute(folder)
    bound = [(0, 0.0)]
    for point in folder.plan.get("bound_curve", []) or []:
        m = folder.minute(point.get("at"))
        if m is not None:
            bound.append((m, _num(point.get("residents"))))
    total = _num(folder.plan.get("residents")) or float(curve[-1]) or 1.0
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
    step = _nice_step(top, 5)
    v = 0.0
    while v <= top * 1.0001:
        out.append(
            f'<line class="grid" x1="{left}" x2="{w - right}" y1="{y(v):.1f}" y2="{y(v):.1f}"/>'
            f'<text class="tick" x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end">'
            f"{_short(v)}</text>"
        )
        v += step
    for m in _time_ticks(horizon, pw):
        out.append(
            f'<line class="grid" x1="{x(m):.1f}" x2="{x(m):.1f}" y1="{top_pad}" '
            f'y2="{top_pad + ph}"/><text class="tick" x="{x(m):.1f}" y="{h - bottom + 16}" '
            f'text-anchor="middle">{_e(clock(m))}</text>'
        )
    out.append(
        f'<line class="total" x1="{left}" x2="{w - right}" y1="{y(total):.1f}" '
        f'y2="{y(total):.1f}"><title>{_e(_int(total))} residents</title></line>'
    )
    out.append(
        f'<text class="note" x="{left + 6}" y="{y(total) + 14:.1f}">'
        f"all {_e(_int(total))} residents</text>"
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
            f'text-anchor="{anchor}">{_e(text)}</text>'
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
            f"{_e(clock(m))} · plan {_int(planned)} · bound {_int(b)}</title></circle>"
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


class _LabelPlacer:
    """Greedy map labels: of a few spots around a mark, the first that overlaps no label,
    no mark and not the edge, else the one that overlaps least."""

    def __init__(self, width: float, height: float, marks: Iterable[tuple]):
        self.width, self.height = width, height
        self.boxes: list[tuple[float, float, float, float]] = list(marks)

    def _cost(self, box: tuple[float, float, float, float]) -> float:
        x0, y0, x1, y1 = box
        out = (x1 - x0) * (y1 - y0)
        inside = max(0.0, min(x1, self.width) - max(x0, 0)) * max(
            0.0, min(y1, self.height) - max(y0, 0)
        )
        cost = 10 * (out - inside)
        for a0, b0, a1, b1 in self.boxes:
            cost += max(0.0, min(x1, a1) - max(x0, a0)) * max(0.0, min(y1, b1) - max(y0, b0))
        return cost

    def place(self, x: float, y: float, r: float, text: str, size: float) -> str:
        """The <text> attributes (x, y, anchor) of a label for the mark at (x, y)."""
        tw, th = text_width(text, size) + 2, size
        spots = [
            (
                x + r + 3,
                y + th * 0.35,
                "start",
                (x + r + 2, y - th / 2, x + r + 3 + tw, y + th / 2),
            ),
            (x - r - 3, y + th * 0.35, "end", (x - r - 3 - tw, y - th / 2, x - r - 2, y + th / 2)),
            (x, y - r - 4, "middle", (x - tw / 2, y - r - 4 - th, x + tw / 2, y - r - 3)),
            (x, y + r + th + 1, "middle", (x - tw / 2, y + r + 1, x + tw / 2, y + r + th + 3)),
        ]
        costs = [self._cost(spot[3]) for spot in spots]
        lx, ly, anchor, box = spots[costs.index(min(costs))]
        self.boxes.append(box)
        return f'x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}"'


_ARROWS = "→↗↑↖←↙↓↘"


def _map(folder: PlanFolder) -> str:
    """Sites by latitude and longitude, coloured by done_at, sized by residents; team
    bases as triangles (a base far outside the sites' area sits on the edge, with an arrow
    and its distance, so that it does not squeeze the sites into a corner)."""
    head = '<section class="panel" id="map"><h2>Map of sites</h2>'
    if folder.scenario is None:
        return head + '<p class="hint">No scenario.yaml in the plan folder: no map.</p></section>'
    sc = folder.scenario
    clock = _Clock(folder)
    sites = folder.sites.drop_duplicates("site").set_index("site")
    bases = [t for t in sc.teams if t.people > 0]
    lat0 = sum(s.lat for s in sc.sites) / len(sc.sites)
    kx = math.cos(math.radians(lat0))
    min_span = 0.006  # degrees, about 0.6 km: one site alone still gets a map

    def extent(points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
        xs = [lon * kx for lon, _ in points]
        ys = [lat for _, lat in points]
        return min(xs), max(xs), min(ys), max(ys)

    def spans(e: tuple[float, float, float, float]) -> tuple[float, float]:
        return max(e[1] - e[0], min_span), max(e[3] - e[2], min_span)

    points = [(s.lon, s.lat) for s in sc.sites]
    box = extent(points)
    sx, sy = spans(box)
    # A base joins the map if it grows it by at most 1.5 times or about 3 km; with many
    # teams (a city), by a quarter at most, and bases further out are only counted.
    crowd = len(bases) > BASE_LABELS_MAX
    reach = 1.25 * max(sx, sy) if crowd else max(2.5 * max(sx, sy), max(sx, sy) + 0.03)
    for t in bases:
        gx, gy = spans(extent([*points, (t.lon, t.lat)]))
        if max(gx, gy) <= reach:
            points.append((t.lon, t.lat))
    x0, x1, y0, y1 = extent(points)
    span_x, span_y = spans((x0, x1, y0, y1))
    mid_x, mid_y = (x0 + x1) / 2, (y0 + y1) / 2
    w, pad = 640, 40
    scale = (w - 2 * pad) / span_x
    h = span_y * scale + 2 * pad
    if h > 560:  # a tall area: fit the height instead
        scale = (560 - 2 * pad) / span_y
        h = 560.0

    def px(lon: float, lat: float) -> tuple[float, float]:
        return w / 2 + (lon * kx - mid_x) * scale, h / 2 - (lat - mid_y) * scale

    done = {
        s.id: folder.minute(str(sites.at[s.id, "done_at"])) if s.id in sites.index else None
        for s in sc.sites
    }
    finished = [m for m in done.values() if m is not None]
    first, last = (min(finished), max(finished)) if finished else (0, 0)
    most = max((s.residents for s in sc.sites), default=1) or 1
    r_max = min(16.0, max(4.0, 0.45 * math.sqrt((w - 2 * pad) * (h - 2 * pad) / len(sc.sites))))
    r_min = min(2.0, r_max / 2)
    radius = {s.id: r_min + (r_max - r_min) * math.sqrt(s.residents / most) for s in sc.sites}
    out = [
        f'<svg class="chart" id="map-chart" viewBox="0 0 {w} {h + 56:.0f}" role="img" '
        f'aria-label="Map of sites">',
        f'<rect class="map-bg" x="0" y="0" width="{w}" height="{h:.0f}"/>',
    ]
    marks = []
    for s in sc.sites:
        x, y = px(s.lon, s.lat)
        marks.append((x - radius[s.id], y - radius[s.id], x + radius[s.id], y + radius[s.id]))
    placed_bases = []
    for t in bases:
        x, y = px(t.lon, t.lat)
        inside = 4 <= x <= w - 4 and 4 <= y <= h - 4
        if not inside and crowd:
            continue
        if not inside:
            dx, dy = t.lon * kx - mid_x, t.lat - mid_y
            km = math.hypot(dx, dy) * 111.32
            arrow = _ARROWS[round(math.degrees(math.atan2(dy, dx)) / 45) % 8]
            x, y = min(max(x, 12), w - 12), min(max(y, 12), h - 12)
        else:
            arrow, km = "", 0.0
        placed_bases.append((t, x, y, arrow, km))
        marks.append((x - 6, y - 7, x + 6, y + 4))
    labels = _LabelPlacer(w, h, marks)
    label_sites = len(sc.sites) <= MAP_LABELS_MAX
    texts = []
    # Largest first, so that small sites stay visible on top.
    for s in sorted(sc.sites, key=lambda s: -s.residents):
        x, y = px(s.lon, s.lat)
        r = radius[s.id]
        m = done[s.id]
        share = 0.0 if last == first else ((m or 0) - first) / (last - first)
        fill = NOT_DONE if m is None else _ramp(share)
        row = sites.loc[s.id] if s.id in sites.index else None
        coverage = _pct(row["coverage"]) if row is not None else "–"
        tip = (
            f"{s.name or s.id} ({s.id})\n{s.residents:,} residents, {s.home_visits:,} at home"
            f"{' · sealed' if s.sealed else ''}\ncoverage {coverage} · done at "
            f"{clock(m) if m is not None else 'not finished'}"
        )
        cls = "site sealed" if s.sealed else "site"
        out.append(
            f'<circle class="{cls}" data-site="{_e(s.id)}" cx="{x:.1f}" cy="{y:.1f}" '
            f'r="{r:.1f}" fill="{fill}"><title>{_e(tip)}</title></circle>'
        )
        if label_sites:
            name = s.name or s.id
            where = labels.place(x, y, r, name, 11.5)
            texts.append(f'<text class="site-label" {where}>{_e(name)}</text>')
    base_marks = []
    for t, x, y, arrow, km in placed_bases:
        where_to = f" · {km:.0f} km off the map {arrow}" if arrow else ""
        tip = f"base of {t.name or t.id} ({t.id}) · {t.people} people{where_to}"
        cls = "base off" if arrow else "base"
        # Many bases are drawn small and under the sites, which they must not hide.
        shape = "l3.5,6 h-7 z" if crowd else "l6,10.5 h-12 z"
        base_marks.append(
            f'<path class="{cls}" data-team="{_e(t.id)}" d="M{x:.1f},{y - (4 if crowd else 7):.1f}'
            f' {shape}"><title>{_e(tip)}</title></path>'
        )
        if not crowd:
            name = (t.name or t.id) + (f" {arrow} {km:.0f} km" if arrow else "")
            where = labels.place(x, y - 2, 7, name, 11.5)
            texts.append(f'<text class="base-label" {where}>{_e(name)}</text>')
    out[2:2] = base_marks if crowd else []
    out.extend([] if crowd else base_marks)
    out.extend(texts)
    # Legend below the map: the colour ramp from the first to the last site done.
    ly = h + 14
    stops = "".join(
        f'<stop offset="{i / (len(DONE_RAMP) - 1):.2f}" stop-color="{c}"/>'
        for i, c in enumerate(DONE_RAMP)
    )
    ends = (clock(first), clock(last)) if finished else ("", "")
    out.append(
        f'<defs><linearGradient id="done-ramp">{stops}</linearGradient></defs>'
        f'<text class="tick" x="10" y="{ly + 10:.0f}">done at</text>'
        f'<rect x="58" y="{ly:.0f}" width="150" height="12" fill="url(#done-ramp)"/>'
        f'<text class="tick" x="58" y="{ly + 26:.0f}">{_e(ends[0])}</text>'
        f'<text class="tick" x="208" y="{ly + 26:.0f}" text-anchor="end">{_e(ends[1])}</text>'
        f'<circle cx="232" cy="{ly + 6:.0f}" r="6" fill="{NOT_DONE}"/>'
        f'<text class="tick" x="242" y="{ly + 10:.0f}">not finished</text>'
        f'<circle class="sealed" cx="332" cy="{ly + 6:.0f}" r="6" fill="#ddd"/>'
        f'<text class="tick" x="342" y="{ly + 10:.0f}">sealed (封控区)</text>'
        f'<path class="base" d="M452,{ly - 1:.0f} l6,10.5 h-12 z"/>'
        f'<text class="tick" x="464" y="{ly + 10:.0f}">team base</text>'
        f'<text class="tick" x="530" y="{ly + 10:.0f}">size: residents</text>'
    )
    # Scale bar, under the map (bases on the edge may take any corner of it).
    km_per_px = 111.32 / scale
    km = _nice_step(km_per_px * (w - 2 * pad) / 5, 1)
    bar = km / km_per_px
    out.append(
        f'<g transform="translate(452,{ly + 28:.0f})"><line class="scale" x1="0" '
        f'x2="{bar:.1f}" y1="0" y2="0"/><text class="tick" x="{bar + 6:.1f}" y="4">'
        f"{km:g} km</text></g>"
    )
    out.append("</svg>")
    off = len(bases) - len(placed_bases)
    if off:
        out.append(
            f'<p class="hint">{off:,} of {len(bases):,} team bases lie outside this map; '
            "hover a base for its team.</p>"
        )
    return head + "".join(out) + "</section>"


# ---------------------------------------------------------------- Gantt


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
    clock = _Clock(folder)
    w, label_w, right, row_h, bar_h, axis_h = 1100, 118, 22, 20, 15, 22
    pw = w - label_w - right
    h = axis_h + row_h * len(rows) + 4

    def x(m: float) -> float:
        return label_w + pw * m / horizon

    out = [
        f'<svg class="gantt" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img">',
    ]
    for m in _time_ticks(horizon, pw * 1.6):
        out.append(
            f'<line class="grid" x1="{x(m):.1f}" x2="{x(m):.1f}" y1="{axis_h - 4}" y2="{h}"/>'
            f'<text class="tick" x="{x(m):.1f}" y="{axis_h - 8}" text-anchor="middle">'
            f"{_e(clock(m))}</text>"
        )
    for i, row in enumerate(rows):
        y = axis_h + i * row_h
        attr = (
            f'data-pair="{_e(row.pairs[0])}"' if not grouped else f'data-pairs="{len(row.pairs)}"'
        )
        out.append(f'<g class="row" {attr} transform="translate(0,{y})">')
        if i % 2:
            out.append(f'<rect class="stripe" x="0" y="0" width="{w}" height="{row_h}"/>')
        out.append(
            f'<text class="row-label" x="{label_w - 6}" y="{row_h / 2 + 4}" text-anchor="end">'
            f"{_e(row.label)}<title>{_e(row.title)}</title></text>"
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
                f'height="{bar_h}"><title>{_e(what)}</title></rect>'
            )
            name = b.site_name or b.site
            fits = text_width(name, 10.5) + 6 <= bw
            if b.activity in ("walk_in", "door_to_door") and name and fits:
                out.append(
                    f'<text class="bar-label {cls}" x="{x0 + 3:.1f}" y="{top + bar_h - 4}">'
                    f"{_e(name)}</text>"
                )
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)


def _gantt(folder: PlanFolder, rows: pd.DataFrame) -> str:
    by_team = _bars_by_pair(rows)
    teams = [t for t in _teams(folder) if t.id in by_team]
    people = dict(zip(rows["pair"].tolist(), rows["people"].tolist(), strict=True))
    pairs_total = sum(len(p) for p in by_team.values())
    grouped = pairs_total > DETAIL_PAIRS
    legend = "".join(
        f'<span class="swatch" style="background:{fill}"></span>{_e(label)} '
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
                facts.append(fmt.format(_num(team.figures[key])))
        title = f"{team.name} ({team.id})" if team.name else team.id
        opened = " open" if k < OPEN_TEAMS else ""
        out.append(
            f'<details class="team" data-team="{_e(team.id)}"{opened}><summary>'
            f"<b>{_e(title)}</b> · {_e(' · '.join(facts))}</summary>"
            f'<div class="scroll">{_gantt_svg(folder, shown, grouped)}</div>'
        )
        if len(shown) < len(grows):
            rest = grows[len(shown) :]
            out.append(
                f'<p class="hint">{len(rest):,} more rows ({sum(len(r.pairs) for r in rest):,} '
                f"pairs) not drawn; every pair is in rosters/{_e(team.id)}.csv and "
                "roster.xlsx.</p>"
            )
        out.append("</details>")
    out.append("</section>")
    return "".join(out)


# ---------------------------------------------------------------- tables


def _site_frame(folder: PlanFolder) -> pd.DataFrame:
    s = folder.sites.copy()
    for column in ("district", "street", "name", "done_at", "sealed"):
        if column not in s:
            s[column] = ""
    for column in (
        "residents", "home_visits", "walk_in_sampled", "door_to_door_sampled", "coverage",
        "walk_in_short", "home_short", "priority",
    ):  # fmt: skip
        s[column] = pd.to_numeric(s.get(column, 0), errors="coerce").fillna(0)
    s["sampled"] = s["walk_in_sampled"] + s["door_to_door_sampled"]
    s["short"] = (s["residents"] - s["sampled"]).clip(lower=0)
    s["done_min"] = [folder.minute(v) if v else None for v in s["done_at"]]
    s["finished"] = s["done_min"].notna() & (s["short"] <= 0)
    why = {r.get("site"): r.get("reason", "") for r in folder.plan.get("sites_short", []) or []}
    s["why"] = [why.get(site, "") for site in s["site"]]
    # Not finished first (least covered first), then the latest finished.
    unfinished = s[~s["finished"]].sort_values("coverage", kind="stable")
    finished = s[s["finished"]].sort_values("done_min", ascending=False, kind="stable")
    return pd.concat([unfinished, finished])


def _cell(text: object, value: object | None = None, cls: str = "") -> str:
    v = "" if value is None else f' data-v="{_e(value)}"'
    c = f' class="{cls}"' if cls else ""
    return f"<td{v}{c}>{_e(text)}</td>"


def _why(reason: str) -> str:
    """The reason a site is short, by its first clause; all of it on hover."""
    head = reason.split(":", 1)[0]
    return f'<td title="{_e(reason)}">{_e(head)}</td>' if reason else "<td></td>"


def _table(headers: Sequence[tuple[str, bool]], rows: Iterable[str], table_id: str) -> str:
    head = "".join(
        f'<th class="{"num" if numeric else ""}" title="sort">{_e(h)}</th>'
        for h, numeric in headers
    )
    return (
        f'<div class="table-box"><table class="sortable" id="{table_id}"><thead><tr>{head}</tr>'
        f"</thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _tables(folder: PlanFolder) -> str:
    clock = _Clock(folder)
    s = _site_frame(folder)
    out = ['<section class="panel wide" id="tables"><h2>Districts</h2>']
    d_rows = []
    districts = s.assign(district=s["district"].replace("", "(none)")).groupby(
        "district", sort=False
    )
    summary = []
    for name, g in districts:
        res, smp = g["residents"].sum(), g["sampled"].sum()
        open_ = int((~g["finished"]).sum())
        last = None if open_ else g["done_min"].max()
        summary.append((open_, -(smp / res if res else 1), name, g, res, smp, last))
    summary.sort(key=lambda r: (-r[0], r[1], -(r[6] or 0)))
    for open_, _, name, g, res, smp, last in summary:
        cov = smp / res if res else 1.0
        d_rows.append(
            "<tr>"
            + _cell(name)
            + _cell(_int(len(g)), len(g), "num")
            + _cell(_int(res), res, "num")
            + _cell(_int(smp), smp, "num")
            + _cell(_pct(cov), cov, "num")
            + _cell(_int(open_), open_, "num" + (" bad" if open_ else ""))
            + _cell(
                clock(last) if last is not None else "not finished",
                last if last is not None else 1e9,
            )
            + "</tr>"
        )
    out.append(
        _table(
            [("district", False), ("sites", True), ("residents", True), ("sampled", True),
             ("coverage", True), ("not finished", True), ("done at", True)],
            d_rows,
            "district-table",
        )
    )  # fmt: skip
    out.append("<h2>Sites</h2>")
    if len(s) > SITE_ROWS_MAX:
        out.append(
            f'<p class="hint">The {SITE_ROWS_MAX:,} sites that finish last or not at all, of '
            f"{len(s):,}; all of them are in sites.csv.</p>"
        )
    out.append('<p class="hint">Sites not finished first. Click a column heading to sort.</p>')
    rows = []
    for r in s.head(SITE_ROWS_MAX).itertuples(index=False):
        done = clock(r.done_min) if r.finished else "not finished"
        rows.append(
            f'<tr class="{"" if r.finished else "open"}">'
            + _cell(r.site)
            + _cell(r.name)
            + _cell(r.district)
            + _cell(r.street)
            + _cell(_int(r.residents), r.residents, "num")
            + _cell(_int(r.home_visits), r.home_visits, "num")
            + _cell(_int(r.walk_in_sampled), r.walk_in_sampled, "num")
            + _cell(_int(r.door_to_door_sampled), r.door_to_door_sampled, "num")
            + _cell(_pct(r.coverage), r.coverage, "num")
            + _cell(done, r.done_min if r.finished else 1e9, "num" if r.finished else "num bad")
            + _cell("sealed" if str(r.sealed).lower() == "true" else "")
            + _cell(_int(r.short) if r.short else "", r.short, "num")
            + _why(r.why)
            + "</tr>"
        )
    out.append(
        _table(
            [("site", False), ("name", False), ("district", False), ("street", False),
             ("residents", True), ("at home", True), ("walk-in sampled", True),
             ("door to door sampled", True), ("coverage", True), ("done at", True),
             ("sealed", False), ("short", True), ("why short", False)],
            rows,
            "site-table",
        )
    )  # fmt: skip
    out.append("</section>")
    return "".join(out)


# ---------------------------------------------------------------- page

CSS = """
:root{--ink:#1d2330;--muted:#5d6778;--line:#d9dee7;--bg:#f5f7fa;--card:#fff;--bad:#b3261e}
*{box-sizing:border-box}
body{margin:0;padding:20px 24px 40px;font-family:FONTS;color:var(--ink);background:var(--bg);
 font-size:14px;line-height:1.45}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:4px 0 10px}
.meta{color:var(--muted);margin:0 0 14px}
nav a{margin-right:14px;color:#1f4fa0;text-decoration:none}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:12px;
 margin:14px 0 18px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 14px}
.card .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .value{font-size:26px;font-weight:650;margin:2px 0}
.card .sub{color:var(--muted);font-size:12.5px}
.card.bad .value{color:var(--bad)}.card.long .value{font-size:20px;line-height:39px}
.row2{display:flex;flex-wrap:wrap;gap:16px}
.panel{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:14px 16px;
 margin:0 0 16px;flex:1 1 520px;min-width:0}
.panel.wide{flex-basis:100%}
svg{font-family:FONTS}
svg.chart{width:100%;height:auto;display:block}
.grid{stroke:#e6e9ef;stroke-width:1}
.tick{font-size:11px;fill:var(--muted)}
.note{font-size:11px;fill:var(--ink)}
.total{stroke:#888;stroke-dasharray:2 3}
.mark-done{stroke:#2e6fba;stroke-dasharray:4 3}.mark-bound{stroke:#b3261e;stroke-dasharray:4 3}
polyline.plan,line.plan{fill:none;stroke:#2e6fba;stroke-width:2.2}
polyline.bound,line.bound{fill:none;stroke:#b3261e;stroke-width:1.6;stroke-dasharray:6 4}
.dot{fill:#b3261e;opacity:.55}.dot:hover{opacity:1}
.legend .line{display:inline-block;width:22px;height:0;margin:0 5px 3px 10px;
 border-top:2.2px solid #2e6fba}
.legend .line.bound{border-top:2px dashed #b3261e}
.map-bg{fill:#f3f6f9;stroke:var(--line)}
.site{stroke:#fff;stroke-width:.8;fill-opacity:.92}.site:hover{stroke:#000;stroke-width:2}
.sealed{stroke:SEALED;stroke-width:2.6}.base.off{opacity:.8}
.site-label,.base-label{font-size:11.5px;fill:var(--ink);paint-order:stroke;stroke:#fff;
 stroke-width:3px;stroke-linejoin:round}
.base-label{fill:BASE;font-weight:600}
.base{fill:BASE;stroke:#fff;stroke-width:1}
.scale{stroke:var(--ink);stroke-width:2}
.scroll{overflow-x:auto}
.table-box{overflow:auto;max-height:75vh;border:1px solid var(--line)}
svg.gantt{display:block;min-width:900px;width:100%;height:auto}
.row-label{font-size:11.5px;fill:var(--ink)}
.stripe{fill:#f4f6f9}
.bar{stroke:#fff;stroke-width:.5}.bar:hover{stroke:#000;stroke-width:1.2}
.bar-label{font-size:10.5px;pointer-events:none}
BARS
details.team{border-top:1px solid var(--line);padding:6px 0}
details.team summary{cursor:pointer;padding:2px 0}
.legend .swatch{display:inline-block;width:14px;height:10px;border-radius:2px;margin:0 4px 0 10px}
p.legend{margin:0 0 6px;font-size:12.5px}
.hint{color:var(--muted);font-size:12.5px;margin:6px 0}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
th{background:#eef2f7;position:sticky;top:0;cursor:pointer;user-select:none}
th.num,td.num{text-align:right}
th[data-dir=asc]::after{content:" ▲"}th[data-dir=desc]::after{content:" ▼"}
td.bad{color:var(--bad);font-weight:600}tr.open td:first-child{border-left:3px solid var(--bad)}
footer{color:var(--muted);font-size:12px;margin-top:20px}
"""

SCRIPT = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, i) {
    th.addEventListener("click", function () {
      var asc = th.dataset.dir !== "asc";
      Array.prototype.forEach.call(heads, function (h) { delete h.dataset.dir; });
      th.dataset.dir = asc ? "asc" : "desc";
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      function key(row) {
        var c = row.cells[i];
        return c.dataset.v !== undefined ? parseFloat(c.dataset.v) : c.textContent;
      }
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        var d = typeof x === "number" ? x - y : String(x).localeCompare(String(y));
        return asc ? d : -d;
      });
      var frag = document.createDocumentFragment();
      rows.forEach(function (r) { frag.appendChild(r); });
      body.appendChild(frag);
    });
  });
});
"""


def _css() -> str:
    bars = "".join(
        f".bar.{a}{{fill:{fill}}}.bar-label.{a}{{fill:{ink}}}"
        for a, (_, fill, ink) in ACTIVITIES.items()
    )
    bars += f".bar.other{{fill:{OTHER_ACTIVITY[1]}}}"
    return (
        CSS.replace("FONTS", FONTS)
        .replace("BASE", BASE_COLOUR)
        .replace("SEALED", SEALED_RING)
        .replace("BARS", bars)
    )


def render_report(folder: PlanFolder) -> str:
    """The whole page as text."""
    p = folder.plan
    rows = pair_rows(folder)
    clock = _Clock(folder)
    title = p.get("scenario") or folder.path.name
    meta = (
        f"{folder.start:%Y-%m-%d} {clock(0)}–{clock(folder.horizon_minutes)} · "
        f"{_int(p.get('slot_minutes'))}-minute slots · status {p.get('status', '?')} · "
        f"{len(folder.sites):,} sites · {_int(p.get('residents'))} residents"
    )
    notes = "".join(f'<p class="hint">{_e(n)}</p>' for n in folder.notes)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)} · plan report</title>",
        f"<style>{_css()}</style></head><body>",
        f'<header><h1>{_e(title)}</h1><p class="meta">{_e(meta)}</p>{notes}',
        '<nav><a href="#summary">summary</a><a href="#day">over the day</a>'
        '<a href="#map">map</a><a href="#gantt">Gantt</a><a href="#tables">tables</a></nav>'
        "</header>",
        _cards(folder, rows["pair"].nunique() if len(rows) else 0),
        '<div class="row2">',
        _day_chart(folder),
        _map(folder),
        "</div>",
        _gantt(folder, rows),
        _tables(folder),
        f"<footer>Made by sampler from the files of the plan folder "
        f"<code>{_e(folder.path.resolve().name)}</code>.</footer>",
        f"<script>{SCRIPT}</script>",
        "</body></html>",
    ]
    return "\n".join(parts)


def write_report(plan_dir: str | Path) -> Path:
    """Write ``plan_dir/report.html`` from the plan folder's files; returns its path."""
    folder = read_plan_folder(plan_dir)
    text = render_report(folder)
    return replace_atomically(
        folder.path / REPORT_NAME, ".html", lambda path: path.write_text(text, encoding="utf-8")
    )
