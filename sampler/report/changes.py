"""The changes section of a replanned day's report: when it was replanned, what changed,
how many pairs and people were moved, and per person what they were to do and now do.

Read from the folder's files alone: plan.json's ``replanned_at``, ``frozen_until``,
``pairs_moved``, ``people_changed`` and ``replan`` section, and changes.csv (docs/changes.md).
A plan folder that is not a replan has no such section.
"""

from __future__ import annotations

from sampler.plan_folder import PlanFolder, PlanFolderError, read_table
from sampler.report.text import esc, fmt_int

PEOPLE_ROWS_MAX = 2_000  # people listed (those whose afternoon changed); changes.csv has all

_EFFECTS = (
    ("sites_sealed", "sealed"),
    ("sites_changed", "communities changed"),
    ("teams_added", "teams added"),
    ("pairs_sent_home", "pairs sent home"),
)


def changes_section(folder: PlanFolder) -> str:
    """The section as HTML, or "" when the folder is not a replan."""
    p = folder.plan
    if not p.get("replanned_at"):
        return ""
    replan = p.get("replan", {}) or {}
    lines = [
        '<section class="panel wide" id="changes"><h2>Changes</h2>',
        f"<p>Replanned at <b>{esc(p['replanned_at'])}</b>"
        + (f", the plan kept until {esc(p['frozen_until'])}" if p.get("frozen_until") else "")
        + f": <b>{fmt_int(p.get('pairs_moved'))}</b> pairs "
        f"(<b>{fmt_int(p.get('people_changed', replan.get('people_changed')))}</b> people) "
        "changed their afternoon"
        + (
            f"; pairs re-planned: {esc(replan['replanned_pairs'])}"
            f" (within {fmt_int(replan.get('reach_minutes'))} min of travel of the change)"
            if replan.get("replanned_pairs") not in (None, "kept", "all")
            else f"; pairs re-planned: {esc(replan.get('replanned_pairs', ''))}"
        )
        + ".</p>",
    ]
    effects = [
        f"<li>{esc(label)}: {esc(', '.join(map(str, replan[key])))}</li>"
        for key, label in _EFFECTS
        if replan.get(key)
    ]
    if effects:
        lines.append("<ul>" + "".join(effects) + "</ul>")
    lines.append(_people(folder))
    lines.append("</section>")
    return "\n".join(lines)


def _people(folder: PlanFolder) -> str:
    """Who changed what: the people of changes.csv whose afternoon changed (or joined)."""
    try:
        table = read_table(folder.path / "changes.csv")
    except PlanFolderError:
        return '<p class="hint">changes.csv is missing: no list of who changed what.</p>'
    moved = table[table["changed"].isin(["yes", "new"])]
    if moved.empty:
        return "<p>Nobody's afternoon changed.</p>"
    head = "".join(
        f"<th>{esc(h)}</th>" for h in ("team", "person", "pair", "role", "changed", "was", "now")
    )
    rows = [
        "<tr>"
        + "".join(
            f"<td>{esc(v)}</td>"
            for v in (r.team, r.person, r.pair, r.role, r.changed, r.was, r.now)
        )
        + "</tr>"
        for r in moved.head(PEOPLE_ROWS_MAX).itertuples()
    ]
    cut = (
        f'<p class="hint">The first {PEOPLE_ROWS_MAX:,} of {len(moved):,}; changes.csv has '
        "everyone.</p>"
        if len(moved) > PEOPLE_ROWS_MAX
        else ""
    )
    return (
        f"<h3>Who changed what ({len(moved):,} people)</h3>"
        f'<div class="scroll"><table class="changes"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>{cut}"
    )
