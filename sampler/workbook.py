"""roster.xlsx: the rosters of a plan folder as one workbook for team leaders.

A summary sheet first (the plan's headline figures and one line per team), then one sheet
per team with the same rows and columns as ``rosters/<team>.csv``. Times are real
spreadsheet date-times; text is always stored as text, so a site called ``=SUM(A1)`` is
shown, never evaluated (the CSV files need a leading ``'`` for that; the workbook does not).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from sampler.output import ensure_writable
from sampler.plan_folder import (
    TIME_FORMAT,
    PlanFolder,
    read_plan_folder,
    read_table,
    replace_atomically,
)

WORKBOOK_NAME = "roster.xlsx"
SUMMARY_SHEET = "summary"
TIME_COLUMNS = ("start", "end")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
SHEET_NAME_MAX = 31
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_RESERVED = {"history"}  # Excel keeps this sheet name for itself
MAX_WIDTH = 48
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")


def text_width(text: str) -> int:
    """Display width in character cells: CJK and other wide characters count twice."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def sheet_names(teams: Iterable[str], taken: Iterable[str] = (SUMMARY_SHEET,)) -> dict[str, str]:
    """A sheet name per team that Excel accepts: at most 31 characters, none of
    ``[]:*?/\\``, not blank, not ``History``, and unique ignoring case."""
    used = {t.casefold() for t in taken}
    names: dict[str, str] = {}
    for team in teams:
        base = _SHEET_BAD.sub("_", team).strip("'").strip() or "team"
        if base.casefold() in _RESERVED:
            base = f"{base}_"
        name, n = base[:SHEET_NAME_MAX], 1
        while name.casefold() in used:
            n += 1
            suffix = f"~{n}"
            name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        used.add(name.casefold())
        names[team] = name
    return names


def _text_cell(ws: WriteOnlyWorksheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    # openpyxl takes text starting with '=' for a formula: store it as text instead.
    cell.data_type = "s"
    return cell


def _header(ws: WriteOnlyWorksheet, columns: list[str]) -> list[WriteOnlyCell]:
    cells = []
    for column in columns:
        cell = _text_cell(ws, column)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cells.append(cell)
    return cells


def _set_widths(ws: WriteOnlyWorksheet, widths: list[int]) -> None:
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(MAX_WIDTH, width + 2)


def _team_sheet(ws: WriteOnlyWorksheet, path: Path) -> int:
    """The rows of one rosters/<team>.csv, times as date-times; returns how many."""
    frame = read_table(path)
    columns = list(frame.columns)
    times = {i for i, c in enumerate(columns) if c in TIME_COLUMNS}
    widths = [
        len("2022-11-10 07:00")
        if i in times
        else max([text_width(c), *(text_width(v) for v in set(frame[c].tolist()))])
        for i, c in enumerate(columns)
    ]
    _set_widths(ws, widths)
    ws.freeze_panes = "A2"
    ws.append(_header(ws, columns))
    cells: list[list[Any]] = []
    for i, column in enumerate(columns):
        if i in times:
            stamps = pd.to_datetime(frame[column], format=TIME_FORMAT, errors="coerce")
            cells.append([_time_cell(ws, t) for t in stamps.dt.to_pydatetime()])
        else:
            cells.append([_text_cell(ws, v) if v[:1] == "=" else v for v in frame[column].tolist()])
    for row in zip(*cells, strict=True):
        ws.append(row)
    return len(frame)


def _time_cell(ws: WriteOnlyWorksheet, at: datetime | None) -> WriteOnlyCell | None:
    if at is None or pd.isna(at):
        return None
    cell = WriteOnlyCell(ws, value=at)
    cell.number_format = DATETIME_FORMAT
    return cell


def _headline(plan: dict[str, Any]) -> list[tuple[str, Any, str | None]]:
    """(label, value, number format) for the plan's headline figures."""
    return [
        ("scenario", plan.get("scenario", ""), None),
        ("status", plan.get("status", ""), None),
        ("coverage", plan.get("coverage"), "0.00%"),
        ("residents", plan.get("residents"), "#,##0"),
        ("sampled", plan.get("sampled"), "#,##0"),
        ("done_at", plan.get("done_at") or "not everyone sampled", None),
        ("lower_bound_done_at", plan.get("lower_bound_done_at") or "none", None),
        ("gap", plan.get("gap"), "0.0%"),
        ("people used", plan.get("people_used"), "#,##0"),
        ("people sent", plan.get("people_sent"), "#,##0"),
        ("staff-hours", plan.get("staff_hours"), "#,##0.0"),
        ("moves", plan.get("moves"), "#,##0"),
    ]


TEAM_COLUMNS = [
    "sheet", "team", "name", "people", "people used", "sampling hours", "travel hours",
    "moves", "utilisation", "roster rows",
]  # fmt: skip


def _summary_sheet(
    ws: WriteOnlyWorksheet, folder: PlanFolder, sheets: dict[str, str], rows: dict[str, int]
) -> None:
    """Headline figures, then one line per team with the name of its sheet."""
    names = {t.id: t.name for t in folder.scenario.teams} if folder.scenario else {}
    teams = [
        [
            sheets.get(t.get("team", ""), ""), t.get("team", ""), names.get(t.get("team", ""), ""),
            t.get("people"), t.get("people_used"), t.get("sampling_hours"),
            t.get("travel_hours"), t.get("moves"), t.get("utilisation"),
            rows.get(t.get("team", ""), 0),
        ]
        for t in folder.plan.get("teams", [])
    ]  # fmt: skip
    widths = [text_width(c) for c in TEAM_COLUMNS]
    for line in teams:
        widths = [max(w, text_width(str(v))) for w, v in zip(widths, line, strict=True)]
    widths[0] = max(widths[0], len("lower_bound_done_at"))
    widths[1] = max(widths[1], len("not everyone sampled"))
    _set_widths(ws, widths)
    for label, value, fmt in _headline(folder.plan):
        key = _text_cell(ws, label)
        key.font = HEADER_FONT
        cell = _text_cell(ws, value) if isinstance(value, str) else WriteOnlyCell(ws, value)
        if fmt and not isinstance(value, str):
            cell.number_format = fmt
        ws.append([key, cell])
    ws.append([])
    ws.append(_header(ws, TEAM_COLUMNS))
    for line in teams:
        cells = [_text_cell(ws, v) if isinstance(v, str) else v for v in line]
        cells[8] = WriteOnlyCell(ws, line[8])
        cells[8].number_format = "0%"
        ws.append(cells)


def write_workbook(plan_dir: str | Path) -> Path:
    """Write ``plan_dir/roster.xlsx`` from the plan folder's files; returns its path.

    Sheets: ``summary``, then one per team with a roster file, named by team id (made safe
    for Excel by :func:`sheet_names`), in plan.json's team order.
    """
    folder = read_plan_folder(plan_dir, roster=False)
    ensure_writable(folder.path, Path(plan_dir))  # before the work, not after it
    files = folder.team_roster_files()
    sheets = sheet_names(files)
    book = Workbook(write_only=True)
    summary = book.create_sheet(SUMMARY_SHEET)  # first; written last, once rows are counted
    rows = {
        team: _team_sheet(book.create_sheet(sheets[team]), path) for team, path in files.items()
    }
    _summary_sheet(summary, folder, sheets, rows)
    return replace_atomically(folder.path / WORKBOOK_NAME, ".xlsx", book.save)
