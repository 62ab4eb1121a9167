"""campaign.html: a campaign at a glance, days by communities, from the campaign folder's
files alone (``campaign.csv`` and ``campaign.json``, docs/campaign.md).

One row per community, one column per day; a cell is coloured by what the day was for the
community: due and met (its round was met), due and missed (its round was not), waiting
(due by its rhythm, but its next test could not open: ``min_gap``), not due. A cell's
title says the figures and, when the community fell behind that day, why. The teams get
the same grid (working, resting, absent), and the rounds not met a table with their
cause. Offline like report.html: the same stylesheet and script, inline.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from sampler.plan_folder import read_table, replace_atomically
from sampler.report.assets import script, stylesheet
from sampler.report.text import esc, fmt_int

CAMPAIGN_REPORT_NAME = "campaign.html"
STATUS = {
    # status: (label, fill)
    "met": ("due, round met", "#4caf6a"),
    "missed": ("due, round missed", "#d9534f"),
    "waiting": ("due, test waiting (min_gap)", "#f0ad4e"),
    "not_due": ("not due", "#eceff3"),
}
TEAM_STATE = {
    "working": ("working", "#4f86c6"),
    "resting": ("resting", "#f3d28b"),
    "absent": ("absent", "#eceff3"),
}
_CSS = """
table.grid{width:auto}
table.grid td.cell{width:28px;min-width:28px;padding:0;border:1px solid #fff;text-align:center;
 font-size:10.5px;color:#1b1b1b}
table.grid th.day{font-size:11px;text-align:center;padding:2px 3px;cursor:default}
table.grid td.name{font-size:12.5px}
"""


def render_campaign_report(out_dir: str | Path) -> str:
    """The campaign page as text, from ``campaign.csv`` and ``campaign.json``."""
    out = Path(out_dir)
    document = json.loads((out / "campaign.json").read_text(encoding="utf-8"))
    table = read_table(out / "campaign.csv")
    title = str(document.get("campaign") or out.name)
    days = [d["day"] for d in document.get("by_day", [])]
    meta = (
        f"{document.get('first_day', '')} · {document.get('days', 0)} days, "
        f"{document.get('days_planned', 0)} planned · {document.get('rounds_met', 0)} of "
        f"{document.get('rounds', 0)} rounds met"
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)} · campaign report</title>",
        f"<style>\n{stylesheet()}{_CSS}</style></head><body>",
        f'<header><h1>{esc(title)}</h1><p class="meta">{esc(meta)}</p>',
        '<nav><a href="#communities">communities by day</a><a href="#teams">teams by day</a>'
        '<a href="#missed">rounds not met</a></nav></header>',
        _cards(document),
        _community_grid(document, table, days),
        _team_grid(document, days),
        _missed(document),
        "<footer>Made by sampler from campaign.csv and campaign.json; each day's plan is in "
        "its folder (<code>sampler report day-01</code> makes its page).</footer>",
        f"<script>\n{script()}</script>",
        "</body></html>",
    ]
    return "\n".join(parts)


def write_campaign_report(out_dir: str | Path) -> Path:
    """Write ``out_dir/campaign.html`` (whole or not at all); returns its path."""
    text = render_campaign_report(out_dir)
    return replace_atomically(
        Path(out_dir) / CAMPAIGN_REPORT_NAME,
        ".html",
        lambda path: path.write_text(text, encoding="utf-8"),
    )


def _cards(document: dict[str, Any]) -> str:
    behind = [c for c in document.get("communities", []) if not c.get("met")]
    causes = sorted({cause for c in behind for cause in c.get("causes", [])})
    cards = [
        ("rounds met", f"{document.get('rounds_met', 0)} of {document.get('rounds', 0)}",
         "every round met" if document.get("met") else "some rounds missed",
         "" if document.get("met") else "bad"),
        ("communities behind", fmt_int(len(behind)),
         ", ".join(causes) if causes else "none", "bad" if behind else ""),
        ("days planned", fmt_int(document.get("days_planned")),
         f"of {document.get('days', 0)} days", ""),
    ]  # fmt: skip
    out = ['<section class="cards" id="summary">']
    for label, value, sub, cls in cards:
        out.append(
            f'<div class="card {cls}"><div class="label">{esc(label)}</div>'
            f'<div class="value">{esc(value)}</div><div class="sub">{esc(sub)}</div></div>'
        )
    out.append("</section>")
    return "\n".join(out)


def _legend(kinds: dict[str, tuple[str, str]]) -> str:
    return '<p class="legend">' + "".join(
        f'<span class="swatch" style="background:{fill}"></span>{esc(label)}'
        for label, fill in kinds.values()
    ) + "</p>"  # fmt: skip


def _status(row: pd.Series, met: dict[tuple[str, str], bool]) -> str:
    if row["due"] == "true":
        return "met" if met.get((row["site"], row["round_first_day"]), False) else "missed"
    return "waiting" if row.get("cause") == "min_gap" else "not_due"


def _community_grid(document: dict[str, Any], table: pd.DataFrame, days: list[int]) -> str:
    met = {(r["site"], str(r["first_day"])): bool(r["met"]) for r in document["round_list"]}
    head = "".join(f'<th class="day">{d}</th>' for d in days)
    rows = []
    for site, own in table.groupby("site", sort=False):
        cells = []
        for row in own.to_dict("records"):
            status = _status(pd.Series(row), met)
            tip = (
                f"day {row['day']} · {site} · {row['rhythm']} round from day "
                f"{row['round_first_day']} · {STATUS[status][0]}"
            )
            if row["due"] == "true":
                tip += (
                    f" · test {row.get('test', '')}: {row['residents_due']} due, "
                    f"{row['sampled']} sampled, {row['left']} left"
                )
            if row.get("cause"):
                tip += f" · behind: {row['cause']}"
            sealed = "●" if row["sealed"] == "true" else ""
            cells.append(
                f'<td class="cell {status}" style="background:{STATUS[status][1]}" '
                f'title="{esc(tip)}">{sealed}</td>'
            )
        name = own["name"].iloc[0] or site
        rows.append(
            f'<tr><td class="name">{esc(name)} <code>{esc(site)}</code></td>{"".join(cells)}</tr>'
        )
    return (
        '<section class="panel wide" id="communities"><h2>Communities by day</h2>'
        + _legend(STATUS)
        + '<p class="hint">● sealed that day. Hover a cell for its figures and why it fell '
        "behind.</p>"
        + '<div class="table-box"><table class="grid"><thead><tr><th>community</th>'
        + head
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></div></section>"
    )


def _team_grid(document: dict[str, Any], days: list[int]) -> str:
    by_day = document.get("by_day", [])
    teams = list(by_day[0]["teams"]) if by_day else []
    head = "".join(f'<th class="day">{d}</th>' for d in days)
    rows = []
    for team in teams:
        cells = []
        for d in by_day:
            state = d["teams"][team]
            label, fill = TEAM_STATE.get(state["state"], (state["state"], "#fff"))
            tip = f"day {d['day']} · {team} · {label}"
            if state.get("available"):
                tip += f" · {state['available']}"
            if state.get("why"):
                tip += f" · {state['why']}"
            cells.append(f'<td class="cell" style="background:{fill}" title="{esc(tip)}"></td>')
        rows.append(f'<tr><td class="name"><code>{esc(team)}</code></td>{"".join(cells)}</tr>')
    return (
        '<section class="panel wide" id="teams"><h2>Teams by day</h2>'
        + _legend(TEAM_STATE)
        + '<div class="table-box"><table class="grid"><thead><tr><th>team</th>'
        + head
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></div></section>"
    )


def _missed(document: dict[str, Any]) -> str:
    missed = [r for r in document.get("round_list", []) if not r.get("met")]
    rows = "".join(
        f"<tr><td><code>{esc(r['site'])}</code></td><td>{esc(r['rhythm'])}</td>"
        f'<td class="num" data-v="{r["first_day"]}">{r["first_day"]}–{r["last_day"]}</td>'
        f'<td class="num" data-v="{r["sampled"]}">{fmt_int(r["sampled"])} of '
        f"{fmt_int(r['residents'] * r.get('tests', 1))}</td>"
        f'<td class="bad">{esc(r.get("cause", ""))}</td><td>{esc(r.get("why", ""))}</td></tr>'
        for r in missed
    )
    body = (
        '<table class="sortable"><thead><tr><th>community</th><th>rhythm</th>'
        '<th class="num">days</th><th class="num">samples</th><th>cause</th><th>why</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>"
        if missed
        else '<p class="hint">Every round was met.</p>'
    )
    return (
        '<section class="panel wide" id="missed"><h2>Rounds not met</h2>'
        f'<div class="table-box">{body}</div></section>'
    )
