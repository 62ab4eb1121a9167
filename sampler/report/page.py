"""report.html: one self-contained page that shows a plan to the people who run it.

Made from the files of a plan folder alone (see :mod:`sampler.plan_folder`): headline
cards, then the charts (:mod:`~sampler.report.day_chart`, :mod:`~sampler.report.site_map`,
:mod:`~sampler.report.gantt`) and :mod:`~sampler.report.tables`, each its own module; this
one assembles them. Nothing is fetched: no CDN, no web fonts, no map tiles, so the page
works offline and can be mailed as one file (CSS and script inline, from
:mod:`~sampler.report.assets`).
"""

from __future__ import annotations

from pathlib import Path

from sampler.output import ensure_writable
from sampler.plan_folder import PlanFolder, read_plan_folder, replace_atomically
from sampler.report.assets import script, stylesheet
from sampler.report.changes import changes_section
from sampler.report.data import pair_rows
from sampler.report.day_chart import day_chart
from sampler.report.gantt import gantt
from sampler.report.lab_chart import lab_chart
from sampler.report.site_map import site_map
from sampler.report.tables import tables
from sampler.report.text import Clock, as_float, esc, fmt_int, fmt_pct

REPORT_NAME = "report.html"


def _cards(folder: PlanFolder, pairs: int) -> str:
    """The headline cards: coverage, done at, lower bound, people, staff-hours, moves."""
    p = folder.plan
    clock = Clock(folder)
    residents, sampled = p.get("residents"), p.get("sampled")
    cov_sub = f"{fmt_int(sampled)} of {fmt_int(residents)} residents"
    if p.get("upper_bound_sampled") is not None and p.get("done_at") is None:
        cov_sub += f" · at most {fmt_int(p['upper_bound_sampled'])} possible"
    done = folder.minute(p.get("done_at"))
    bound = folder.minute(p.get("lower_bound_done_at"))
    gap = p.get("gap")
    cards = [
        (
            "coverage",
            fmt_pct(p.get("coverage")),
            cov_sub,
            "bad" if p.get("done_at") is None else "",
        ),
        (
            "done at",
            clock(done) if done is not None else "not done",
            "last resident sampled" if done is not None else "not everyone can be sampled",
            "",
        ),
        (
            "lower bound",
            clock(bound) if bound is not None else "none",
            f"gap {fmt_pct(gap)} · {p.get('status', '')}"
            if gap is not None
            else "no gap: this plan leaves residents out"
            if bound is not None
            else "no plan can sample everyone in time",
            "",
        ),
        (
            "people",
            fmt_int(p.get("people_used")),
            f"of {fmt_int(p.get('people_sent'))} sent · {fmt_int(pairs)} pairs at work",
            "",
        ),
        ("staff-hours", f"{as_float(p.get('staff_hours')):,.1f}", "work and travel", ""),
        ("moves", fmt_int(p.get("moves")), "pairs moving between sites", ""),
    ]
    out = ['<section class="cards" id="summary">']
    for label, value, sub, cls in cards:
        cls += " long" if len(value) > 9 else ""
        out.append(
            f'<div class="card {cls}"><div class="label">{esc(label)}</div>'
            f'<div class="value">{esc(value)}</div><div class="sub">{esc(sub)}</div></div>'
        )
    out.append("</section>")
    return "\n".join(out)


def _status(p: dict) -> str:
    """The plan's status; with labs, the sampling's and the results' (docs/labs.md)."""
    status = p.get("status", "?")
    if p.get("results_status") is None:
        return str(status)
    return f"{status} (sampling), results {p['results_status']}"


def render_report(folder: PlanFolder) -> str:
    """The whole page as text."""
    p = folder.plan
    rows = pair_rows(folder)
    clock = Clock(folder)
    title = p.get("scenario") or folder.path.name
    meta = (
        f"{folder.start:%Y-%m-%d} {clock(0)}–{clock(folder.horizon_minutes)} · "
        f"{fmt_int(p.get('slot_minutes'))}-minute slots · status {_status(p)} · "
        f"{len(folder.sites):,} sites · {fmt_int(p.get('residents'))} residents"
    )
    notes = "".join(f'<p class="hint">{esc(n)}</p>' for n in folder.notes)
    labs = lab_chart(folder)  # empty without labs.csv
    labs_link = '<a href="#labs">labs</a>' if labs else ""
    changes = changes_section(folder)
    changes_link = '<a href="#changes">changes</a>' if changes else ""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)} · plan report</title>",
        f"<style>\n{stylesheet()}</style></head><body>",
        f'<header><h1>{esc(title)}</h1><p class="meta">{esc(meta)}</p>{notes}',
        f'<nav><a href="#summary">summary</a>{changes_link}<a href="#day">over the day</a>'
        f'<a href="#map">map</a>{labs_link}<a href="#gantt">Gantt</a>'
        '<a href="#tables">tables</a></nav></header>',
        _cards(folder, rows["pair"].nunique() if len(rows) else 0),
        changes,
        '<div class="row2">',
        day_chart(folder),
        site_map(folder),
        "</div>",
        *([labs] if labs else []),
        gantt(folder, rows),
        tables(folder),
        # Not the folder's name: a plan is written to a staging folder first (named by
        # process), and the same plan must give the same bytes.
        "<footer>Made by sampler from the files of its plan folder.</footer>",
        f"<script>\n{script()}</script>",
        "</body></html>",
    ]
    return "\n".join(parts)


def write_report(plan_dir: str | Path) -> Path:
    """Write ``plan_dir/report.html`` from the plan folder's files; returns its path."""
    folder = read_plan_folder(plan_dir)
    ensure_writable(folder.path, Path(plan_dir))  # before the work, not after it
    text = render_report(folder)
    return replace_atomically(
        folder.path / REPORT_NAME, ".html", lambda path: path.write_text(text, encoding="utf-8")
    )
