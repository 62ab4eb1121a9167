"""The map of sites: an SVG of the scenario's sites by latitude and longitude, coloured
by when they are done, sized by residents, with the team bases.

No map tiles (the page must work offline), so labels are placed here, greedily, to keep
them off each other and off the marks.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from sampler.plan_folder import PlanFolder
from sampler.report.axes import nice_step
from sampler.report.palette import DONE_RAMP, NOT_DONE
from sampler.report.text import Clock, esc, fmt_pct, text_width
from sampler.scenario import Site, Team

MAP_LABELS_MAX = 30  # sites named on the map up to this many
BASE_LABELS_MAX = 12


def _ramp(share: float) -> str:
    """A colour of DONE_RAMP for a share in [0, 1]."""
    share = min(1.0, max(0.0, share))
    pos = share * (len(DONE_RAMP) - 1)
    i = min(int(pos), len(DONE_RAMP) - 2)
    f = pos - i
    a = [int(DONE_RAMP[i][k : k + 2], 16) for k in (1, 3, 5)]
    b = [int(DONE_RAMP[i + 1][k : k + 2], 16) for k in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * f):02x}" for x, y in zip(a, b, strict=True))


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
W, PAD = 640, 40  # the map's width and margin, px
MIN_SPAN = 0.006  # degrees, about 0.6 km: one site alone still gets a map
KM_PER_DEGREE = 111.32


@dataclass(frozen=True)
class _Frame:
    """Where a longitude and latitude land on the map: longitude shrunk by the cosine of
    the mean latitude, then centred and scaled to the map's width (or height)."""

    kx: float
    mid_x: float
    mid_y: float
    scale: float
    h: float

    def px(self, lon: float, lat: float) -> tuple[float, float]:
        return W / 2 + (lon * self.kx - self.mid_x) * self.scale, self.h / 2 - (
            lat - self.mid_y
        ) * self.scale


def _frame(sites: list[Site], bases: list[Team], crowd: bool) -> _Frame:
    """The sites' area, grown to take in the bases near it."""
    lat0 = sum(s.lat for s in sites) / len(sites)
    kx = math.cos(math.radians(lat0))

    def extent(points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
        xs = [lon * kx for lon, _ in points]
        ys = [lat for _, lat in points]
        return min(xs), max(xs), min(ys), max(ys)

    def spans(e: tuple[float, float, float, float]) -> tuple[float, float]:
        return max(e[1] - e[0], MIN_SPAN), max(e[3] - e[2], MIN_SPAN)

    points = [(s.lon, s.lat) for s in sites]
    box = extent(points)
    sx, sy = spans(box)
    # A base joins the map if it grows it by at most 1.5 times or about 3 km; with many
    # teams (a city), by a quarter at most, and bases further out are only counted.
    reach = 1.25 * max(sx, sy) if crowd else max(2.5 * max(sx, sy), max(sx, sy) + 0.03)
    for t in bases:
        gx, gy = spans(extent([*points, (t.lon, t.lat)]))
        if max(gx, gy) <= reach:
            points.append((t.lon, t.lat))
    x0, x1, y0, y1 = extent(points)
    span_x, span_y = spans((x0, x1, y0, y1))
    scale = (W - 2 * PAD) / span_x
    h = span_y * scale + 2 * PAD
    if h > 560:  # a tall area: fit the height instead
        scale = (560 - 2 * PAD) / span_y
        h = 560.0
    return _Frame(kx, (x0 + x1) / 2, (y0 + y1) / 2, scale, h)


def _radii(sites: list[Site], h: float) -> dict[str, float]:
    """Site radii by residents, smaller when sites are many."""
    most = max((s.residents for s in sites), default=1) or 1
    r_max = min(16.0, max(4.0, 0.45 * math.sqrt((W - 2 * PAD) * (h - 2 * PAD) / len(sites))))
    r_min = min(2.0, r_max / 2)
    return {s.id: r_min + (r_max - r_min) * math.sqrt(s.residents / most) for s in sites}


def _placed_bases(
    frame: _Frame, bases: list[Team], crowd: bool
) -> list[tuple[Team, float, float, str, float]]:
    """(team, x, y, arrow, km) per base drawn: a base off the map sits on its edge with an
    arrow and its distance, or (``crowd``) is left out."""
    placed = []
    for t in bases:
        x, y = frame.px(t.lon, t.lat)
        inside = 4 <= x <= W - 4 and 4 <= y <= frame.h - 4
        if not inside and crowd:
            continue
        if not inside:
            dx, dy = t.lon * frame.kx - frame.mid_x, t.lat - frame.mid_y
            km = math.hypot(dx, dy) * KM_PER_DEGREE
            arrow = _ARROWS[round(math.degrees(math.atan2(dy, dx)) / 45) % 8]
            x, y = min(max(x, 12), W - 12), min(max(y, 12), frame.h - 12)
        else:
            arrow, km = "", 0.0
        placed.append((t, x, y, arrow, km))
    return placed


def _site_tip(s: Site, coverage: str, done: str) -> str:
    return (
        f"{s.name or s.id} ({s.id})\n{s.residents:,} residents, {s.home_visits:,} at home"
        f"{' · sealed' if s.sealed else ''}\ncoverage {coverage} · done at {done}"
    )


def _base_marks(
    placed: list[tuple[Team, float, float, str, float]], crowd: bool, labels: _LabelPlacer
) -> tuple[list[str], list[str]]:
    """The bases' triangles and (unless ``crowd``) their labels."""
    marks, texts = [], []
    for t, x, y, arrow, km in placed:
        where_to = f" · {km:.0f} km off the map {arrow}" if arrow else ""
        tip = f"base of {t.name or t.id} ({t.id}) · {t.people} people{where_to}"
        cls = "base off" if arrow else "base"
        # Many bases are drawn small and under the sites, which they must not hide.
        shape = "l3.5,6 h-7 z" if crowd else "l6,10.5 h-12 z"
        marks.append(
            f'<path class="{cls}" data-team="{esc(t.id)}" d="M{x:.1f},{y - (4 if crowd else 7):.1f}'
            f' {shape}"><title>{esc(tip)}</title></path>'
        )
        if not crowd:
            name = (t.name or t.id) + (f" {arrow} {km:.0f} km" if arrow else "")
            where = labels.place(x, y - 2, 7, name, 11.5)
            texts.append(f'<text class="base-label" {where}>{esc(name)}</text>')
    return marks, texts


def _legend(ly: float, ends: tuple[str, str]) -> str:
    """Below the map: the colour ramp from the first to the last site done, and the marks."""
    stops = "".join(
        f'<stop offset="{i / (len(DONE_RAMP) - 1):.2f}" stop-color="{c}"/>'
        for i, c in enumerate(DONE_RAMP)
    )
    return (
        f'<defs><linearGradient id="done-ramp">{stops}</linearGradient></defs>'
        f'<text class="tick" x="10" y="{ly + 10:.0f}">done at</text>'
        f'<rect x="58" y="{ly:.0f}" width="150" height="12" fill="url(#done-ramp)"/>'
        f'<text class="tick" x="58" y="{ly + 26:.0f}">{esc(ends[0])}</text>'
        f'<text class="tick" x="208" y="{ly + 26:.0f}" text-anchor="end">{esc(ends[1])}</text>'
        f'<circle cx="232" cy="{ly + 6:.0f}" r="6" fill="{NOT_DONE}"/>'
        f'<text class="tick" x="242" y="{ly + 10:.0f}">not finished</text>'
        f'<circle class="sealed" cx="332" cy="{ly + 6:.0f}" r="6" fill="#ddd"/>'
        f'<text class="tick" x="342" y="{ly + 10:.0f}">sealed (封控区)</text>'
        f'<path class="base" d="M452,{ly - 1:.0f} l6,10.5 h-12 z"/>'
        f'<text class="tick" x="464" y="{ly + 10:.0f}">team base</text>'
        f'<text class="tick" x="530" y="{ly + 10:.0f}">size: residents</text>'
    )


def _scale_bar(frame: _Frame, ly: float) -> str:
    """A round distance in km, under the map (bases on the edge may take any corner)."""
    km_per_px = KM_PER_DEGREE / frame.scale
    km = nice_step(km_per_px * (W - 2 * PAD) / 5, 1)
    bar = km / km_per_px
    return (
        f'<g transform="translate(452,{ly + 28:.0f})"><line class="scale" x1="0" '
        f'x2="{bar:.1f}" y1="0" y2="0"/><text class="tick" x="{bar + 6:.1f}" y="4">'
        f"{km:g} km</text></g>"
    )


def site_map(folder: PlanFolder) -> str:
    """Sites by latitude and longitude, coloured by done_at, sized by residents; team
    bases as triangles (a base far outside the sites' area sits on the edge, with an arrow
    and its distance, so that it does not squeeze the sites into a corner)."""
    head = '<section class="panel" id="map"><h2>Map of sites</h2>'
    if folder.scenario is None:
        return head + '<p class="hint">No scenario.yaml in the plan folder: no map.</p></section>'
    sc = folder.scenario
    clock = Clock(folder)
    sites = folder.sites.drop_duplicates("site").set_index("site")
    bases = [t for t in sc.teams if t.people > 0]
    crowd = len(bases) > BASE_LABELS_MAX
    frame = _frame(sc.sites, bases, crowd)
    done = {
        s.id: folder.minute(str(sites.at[s.id, "done_at"])) if s.id in sites.index else None
        for s in sc.sites
    }
    finished = [m for m in done.values() if m is not None]
    first, last = (min(finished), max(finished)) if finished else (0, 0)
    radius = _radii(sc.sites, frame.h)
    placed = _placed_bases(frame, bases, crowd)
    marks = []
    for s in sc.sites:
        x, y = frame.px(s.lon, s.lat)
        marks.append((x - radius[s.id], y - radius[s.id], x + radius[s.id], y + radius[s.id]))
    marks += [(x - 6, y - 7, x + 6, y + 4) for _, x, y, _, _ in placed]
    labels = _LabelPlacer(W, frame.h, marks)
    label_sites = len(sc.sites) <= MAP_LABELS_MAX
    circles, texts = [], []
    # Largest first, so that small sites stay visible on top.
    for s in sorted(sc.sites, key=lambda s: -s.residents):
        x, y = frame.px(s.lon, s.lat)
        r, m = radius[s.id], done[s.id]
        share = 0.0 if last == first else ((m or 0) - first) / (last - first)
        fill = NOT_DONE if m is None else _ramp(share)
        coverage = fmt_pct(sites.loc[s.id]["coverage"]) if s.id in sites.index else "–"
        tip = _site_tip(s, coverage, clock(m) if m is not None else "not finished")
        circles.append(
            f'<circle class="{"site sealed" if s.sealed else "site"}" data-site="{esc(s.id)}" '
            f'cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{fill}"><title>{esc(tip)}</title>'
            "</circle>"
        )
        if label_sites:
            name = s.name or s.id
            where = labels.place(x, y, r, name, 11.5)
            texts.append(f'<text class="site-label" {where}>{esc(name)}</text>')
    base_marks, base_texts = _base_marks(placed, crowd, labels)
    h = frame.h
    out = [
        f'<svg class="chart" id="map-chart" viewBox="0 0 {W} {h + 56:.0f}" role="img" '
        f'aria-label="Map of sites">',
        f'<rect class="map-bg" x="0" y="0" width="{W}" height="{h:.0f}"/>',
        *(base_marks if crowd else []),
        *circles,
        *([] if crowd else base_marks),
        *texts,
        *base_texts,
        _legend(h + 14, (clock(first), clock(last)) if finished else ("", "")),
        _scale_bar(frame, h + 14),
        "</svg>",
    ]
    off = len(bases) - len(placed)
    if off:
        out.append(
            f'<p class="hint">{off:,} of {len(bases):,} team bases lie outside this map; '
            "hover a base for its team.</p>"
        )
    return head + "".join(out) + "</section>"
