"""The district and site tables, sites not finished first; the page's script sorts them
on a click (cells carry their number in ``data-v``).

A city's site table is cut at ``SITE_ROWS_MAX`` rows, the sites that finish last or not
at all; sites.csv has them all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from sampler.plan_folder import PlanFolder
from sampler.report.text import Clock, esc, fmt_int, fmt_pct

SITE_ROWS_MAX = 5_000  # site table rows; the rest are in sites.csv


def _site_frame(folder: PlanFolder) -> pd.DataFrame:
    """sites.csv with numbers as numbers, what is sampled and short, and why; in the
    order of the site table."""
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
    v = "" if value is None else f' data-v="{esc(value)}"'
    c = f' class="{cls}"' if cls else ""
    return f"<td{v}{c}>{esc(text)}</td>"


def _why(reason: str) -> str:
    """The reason a site is short, by its first clause; all of it on hover."""
    head = reason.split(":", 1)[0]
    return f'<td title="{esc(reason)}">{esc(head)}</td>' if reason else "<td></td>"


def _table(headers: Sequence[tuple[str, bool]], rows: Iterable[str], table_id: str) -> str:
    head = "".join(
        f'<th class="{"num" if numeric else ""}" title="sort">{esc(h)}</th>'
        for h, numeric in headers
    )
    return (
        f'<div class="table-box"><table class="sortable" id="{table_id}"><thead><tr>{head}</tr>'
        f"</thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _district_table(s: pd.DataFrame, clock: Clock) -> str:
    """A row per district, those with sites not finished first, then the least covered."""
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
    rows = []
    for open_, _, name, g, res, smp, last in summary:
        cov = smp / res if res else 1.0
        rows.append(
            "<tr>"
            + _cell(name)
            + _cell(fmt_int(len(g)), len(g), "num")
            + _cell(fmt_int(res), res, "num")
            + _cell(fmt_int(smp), smp, "num")
            + _cell(fmt_pct(cov), cov, "num")
            + _cell(fmt_int(open_), open_, "num" + (" bad" if open_ else ""))
            + _cell(
                clock(last) if last is not None else "not finished",
                last if last is not None else 1e9,
            )
            + "</tr>"
        )
    return _table(
        [("district", False), ("sites", True), ("residents", True), ("sampled", True),
         ("coverage", True), ("not finished", True), ("done at", True)],
        rows,
        "district-table",
    )  # fmt: skip


def _site_table(s: pd.DataFrame, clock: Clock) -> str:
    """A row per site, in the order of :func:`_site_frame`, at most ``SITE_ROWS_MAX``."""
    rows = []
    for r in s.head(SITE_ROWS_MAX).itertuples(index=False):
        done = clock(r.done_min) if r.finished else "not finished"
        rows.append(
            f'<tr class="{"" if r.finished else "open"}">'
            + _cell(r.site)
            + _cell(r.name)
            + _cell(r.district)
            + _cell(r.street)
            + _cell(fmt_int(r.residents), r.residents, "num")
            + _cell(fmt_int(r.home_visits), r.home_visits, "num")
            + _cell(fmt_int(r.walk_in_sampled), r.walk_in_sampled, "num")
            + _cell(fmt_int(r.door_to_door_sampled), r.door_to_door_sampled, "num")
            + _cell(fmt_pct(r.coverage), r.coverage, "num")
            + _cell(done, r.done_min if r.finished else 1e9, "num" if r.finished else "num bad")
            + _cell("sealed" if str(r.sealed).lower() == "true" else "")
            + _cell(fmt_int(r.short) if r.short else "", r.short, "num")
            + _why(r.why)
            + "</tr>"
        )
    return _table(
        [("site", False), ("name", False), ("district", False), ("street", False),
         ("residents", True), ("at home", True), ("walk-in sampled", True),
         ("door to door sampled", True), ("coverage", True), ("done at", True),
         ("sealed", False), ("short", True), ("why short", False)],
        rows,
        "site-table",
    )  # fmt: skip


def tables(folder: PlanFolder) -> str:
    """The tables section: districts, then sites."""
    clock = Clock(folder)
    s = _site_frame(folder)
    out = ['<section class="panel wide" id="tables"><h2>Districts</h2>']
    out.append(_district_table(s, clock))
    out.append("<h2>Sites</h2>")
    if len(s) > SITE_ROWS_MAX:
        out.append(
            f'<p class="hint">The {SITE_ROWS_MAX:,} sites that finish last or not at all, of '
            f"{len(s):,}; all of them are in sites.csv.</p>"
        )
    out.append('<p class="hint">Sites not finished first. Click a column heading to sort.</p>')
    out.append(_site_table(s, clock))
    out.append("</section>")
    return "".join(out)
