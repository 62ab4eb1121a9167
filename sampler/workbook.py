"""roster.xlsx: the rosters of a plan folder as one workbook for team leaders.

A summary sheet first (the plan's headline figures and one line per team), then one sheet
per team, made to be printed and handed out: one line per pair per interval with both of
its people on it (the two have the same day, so the CSV's two rows are one here), the site
name beside the site id, and the residents the pair is expected to sample in that interval
(from assignments.csv). Pages are landscape, fitted to the width, the header row repeated
on each page, the team and page number in the margins: a 40-person team's CSV rows took 15
pages across three page widths in LibreOffice before. A plan with labs also gets a
``labs`` sheet last: one line per collection (collections.csv, with site and lab names),
for the couriers and the labs, and the results' figures on the summary.

Times are real spreadsheet date-times; text is always stored as text, so a site called
``=SUM(A1)`` is shown, never evaluated (the CSV files need a leading ``'`` for that; the
workbook does not). The file is the same bytes for the same plan folder: its document
properties and zip entries carry fixed times, not the time it was written.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

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
LAB_SHEET = "labs"  # with labs only (docs/labs.md): the collections, for couriers and labs
COLLECTIONS_FILE = "collections.csv"
LAB_COLUMNS = [
    "site", "site_name", "pickup", "tubes", "samples", "lab", "lab_name", "arrival",
    "oldest_swab", "tested_at", "results_at", "within_target",
]  # fmt: skip
LAB_TIME_COLUMNS = ("pickup", "arrival", "oldest_swab", "tested_at", "results_at")
LAB_INT_COLUMNS = ("tubes", "samples")
TIME_COLUMNS = ("start", "end")
CLOCK_FORMAT = "hh:mm"  # a horizon inside one day: its date is in the page header
DAY_CLOCK_FORMAT = "mm-dd hh:mm"  # a night round past midnight
SHEET_NAME_MAX = 31
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_RESERVED = {"history"}  # Excel keeps this sheet name for itself
MAX_WIDTH = 48
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
BAND_FILL = PatternFill("solid", fgColor="F2F2F2")  # every other pair, to follow a line
PAIR_COLUMNS = [
    "pair", "swabber", "recorder", "activity", "site", "site_name", "start", "end", "samples",
]  # fmt: skip
WORK = ("walk_in", "door_to_door")
# A zip entry's time: the earliest a zip can hold, so that no run writes its own clock.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


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


def pair_lines(roster: pd.DataFrame, assignments: pd.DataFrame) -> pd.DataFrame:
    """One line per pair per interval (:data:`PAIR_COLUMNS`), ordered by pair and start.

    A pair's two people have identical rows (CONTRACT.md), so the swabber's rows carry the
    pair and the recorder is named beside. ``samples`` is what assignments.csv gives the
    pair inside a work row (its rows lie inside the roster's), empty for travel and breaks.
    """
    swab = roster[roster["role"] == "swab"]
    record = roster[roster["role"] == "record"].groupby("pair", sort=False)["person"].first()
    lines = swab.assign(swabber=swab["person"], recorder=swab["pair"].map(record).fillna(""))
    lines = lines.sort_values(["pair", "start"], kind="stable").reset_index(drop=True)
    if "site_name" not in lines:
        lines["site_name"] = ""
    keys = ["pair", "site", "activity"]
    inside = lines.reset_index().merge(assignments, on=keys, suffixes=("", "_a"))
    inside = inside[(inside["start_a"] >= inside["start"]) & (inside["end_a"] <= inside["end"])]
    samples = pd.to_numeric(inside["samples"], errors="coerce").groupby(inside["index"]).sum()
    work = lines["activity"].isin(WORK)
    lines["samples"] = [
        int(samples.get(i, 0)) if is_work else None for i, is_work in enumerate(work)
    ]
    return lines[PAIR_COLUMNS]


def _begin_table(
    ws: WriteOnlyWorksheet, lines: pd.DataFrame, columns: list[str], time_columns, clock: int
) -> pd.DataFrame:
    """Column widths (times ``clock`` wide, the rest their longest text), the header frozen
    above the lines; the lines with their times as date-times."""
    widths = [
        clock
        if c in time_columns
        else max([text_width(c), *(text_width(str(v)) for v in set(lines[c].tolist()))])
        for c in columns
    ]
    _set_widths(ws, widths)
    ws.freeze_panes = "A2"
    ws.append(_header(ws, columns))
    times = {c: pd.to_datetime(lines[c], format=TIME_FORMAT, errors="coerce") for c in time_columns}
    return lines.assign(**{c: t.dt.to_pydatetime() for c, t in times.items()})


def _team_sheet(ws: WriteOnlyWorksheet, lines: pd.DataFrame, time_format: str) -> None:
    """A team's pair lines, times as date-times, every other pair shaded, set up to print."""
    columns = list(PAIR_COLUMNS)
    lines = _begin_table(ws, lines, columns, TIME_COLUMNS, len(time_format))
    band, previous = False, None
    for row in lines.itertuples(index=False):
        if row.pair != previous:
            band, previous = not band, row.pair
        cells: list[Any] = []
        for column, value in zip(columns, row, strict=True):
            if column in TIME_COLUMNS:
                cell = _time_cell(ws, None if pd.isna(value) else value, time_format)
            elif column == "samples":
                cell = WriteOnlyCell(ws, None if pd.isna(value) else int(value))
            else:
                cell = _text_cell(ws, value)
            if band:
                cell.fill = BAND_FILL
            cells.append(cell)
        ws.append(cells)


def _print_setup(ws: WriteOnlyWorksheet, title: str, repeat_header: bool) -> None:
    """Landscape A4, as wide as one page, gridlines, the title and page numbers in the
    margins, and the header row on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as it takes
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddHeader.center.text = title.replace("&", "&&")  # '&' starts a header code
    ws.oddFooter.center.text = "&P / &N"
    if repeat_header:
        ws.print_title_rows = "1:1"


def _time_cell(ws: WriteOnlyWorksheet, at: datetime | None, fmt: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=at)
    if at is not None:
        cell.number_format = fmt
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


def _lab_headline(plan: dict[str, Any]) -> list[tuple[str, Any, str | None]]:
    """The results' headline figures, for a plan with labs (docs/labs.md)."""
    if "results_done_at" not in plan:
        return []
    within = plan.get("results_within_target")
    return [
        ("results status", plan.get("results_status") or "", None),
        ("results_done_at", plan.get("results_done_at") or "none", None),
        ("lower_bound_results_done_at", plan.get("lower_bound_results_done_at") or "none", None),
        ("results gap", plan.get("results_gap"), "0.0%"),
        ("within target", "no target" if within is None else within, "0.0%"),
        ("tubes", plan.get("tubes"), "#,##0"),
    ]


def lab_lines(collections: pd.DataFrame, folder: PlanFolder) -> pd.DataFrame:
    """collections.csv's rows in its order (:data:`LAB_COLUMNS`), with the site's and the
    lab's names beside their ids."""
    sc = folder.scenario
    site_names = {s.id: s.name or "" for s in sc.sites} if sc else {}
    lab_names = {b.id: b.name or "" for b in sc.labs or []} if sc else {}
    lines = collections.assign(
        site_name=collections["site"].map(site_names).fillna(""),
        lab_name=collections["lab"].map(lab_names).fillna(""),
    )
    return lines[LAB_COLUMNS]


def _lab_sheet(ws: WriteOnlyWorksheet, lines: pd.DataFrame) -> None:
    """One line per collection; times as date-times with their day (results run into the
    night and the next day)."""
    lines = _begin_table(ws, lines, LAB_COLUMNS, LAB_TIME_COLUMNS, len(DAY_CLOCK_FORMAT))
    for row in lines.itertuples(index=False):
        cells: list[Any] = []
        for column, value in zip(LAB_COLUMNS, row, strict=True):
            if column in LAB_TIME_COLUMNS:
                cells.append(_time_cell(ws, None if pd.isna(value) else value, DAY_CLOCK_FORMAT))
            elif column in LAB_INT_COLUMNS:
                cells.append(WriteOnlyCell(ws, int(value)))
            else:
                cells.append(_text_cell(ws, value))
        ws.append(cells)


TEAM_COLUMNS = [
    "sheet", "team", "name", "people", "people used", "sampling hours", "travel hours",
    "moves", "utilisation", "pair lines",
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
    if "results_done_at" in folder.plan:
        widths[0] = max(widths[0], len("lower_bound_results_done_at"))
    widths[1] = max(widths[1], len("not everyone sampled"))
    _set_widths(ws, widths)
    for label, value, fmt in [*_headline(folder.plan), *_lab_headline(folder.plan)]:
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
    for warning in folder.plan.get("warnings", []):
        ws.append([])
        ws.append([_text_cell(ws, "warning"), _text_cell(ws, warning)])


def write_workbook(plan_dir: str | Path) -> Path:
    """Write ``plan_dir/roster.xlsx`` from the plan folder's files; returns its path.

    Sheets: ``summary``, then one per team with a roster file, named by team id (made safe
    for Excel by :func:`sheet_names`), in plan.json's team order; with labs (a
    collections.csv), then ``labs``: one line per collection (docs/labs.md).
    """
    folder = read_plan_folder(plan_dir, roster=False)
    ensure_writable(folder.path, Path(plan_dir))  # before the work, not after it
    files = folder.team_roster_files()
    collections = folder.path / COLLECTIONS_FILE
    with_labs = collections.is_file()
    sheets = sheet_names(files, (SUMMARY_SHEET, LAB_SHEET) if with_labs else (SUMMARY_SHEET,))
    one_day = folder.start.date() == folder.end.date() or folder.end.time() == datetime.min.time()
    time_format = CLOCK_FORMAT if one_day else DAY_CLOCK_FORMAT
    day = folder.start.strftime("%Y-%m-%d")
    names = {t.id: t.name for t in folder.scenario.teams} if folder.scenario else {}
    title = folder.plan.get("scenario", "")
    book = Workbook(write_only=True)
    summary = book.create_sheet(SUMMARY_SHEET)  # first; written last, once rows are counted
    dated = title if day in title else " · ".join(t for t in (title, day) if t)
    _print_setup(summary, dated, repeat_header=False)
    rows = {}
    work = dict(tuple(folder.assignments.groupby("team", sort=False)))  # once, not per team
    for team, path in files.items():
        lines = pair_lines(read_table(path), work.get(team, folder.assignments.iloc[:0]))
        ws = book.create_sheet(sheets[team])
        label = f"{names.get(team) or team} ({team})" if names.get(team) else team
        _print_setup(ws, f"{label} · {dated}" if dated else label, repeat_header=True)
        _team_sheet(ws, lines, time_format)
        rows[team] = len(lines)
    if with_labs:
        ws = book.create_sheet(LAB_SHEET)
        _print_setup(ws, f"labs · {dated}" if dated else "labs", repeat_header=True)
        _lab_sheet(ws, lab_lines(read_table(collections), folder))
    _summary_sheet(summary, folder, sheets, rows)
    _fixed_properties(book, folder.start, title)
    return replace_atomically(folder.path / WORKBOOK_NAME, ".xlsx", _save_reproducibly(book))


def _fixed_properties(book: Workbook, day: datetime, title: str) -> None:
    """Document properties that depend on the plan only: created on the plan's day."""
    book.properties.creator = "sampler"
    book.properties.title = title
    book.properties.created = book.properties.modified = day


def _save_reproducibly(book: Workbook) -> Callable[[Path], None]:
    """``book.save`` stamps the time of writing into docProps/core.xml and every zip entry;
    write it, then rewrite the zip with the times of the workbook's properties and
    :data:`ZIP_TIME`, so that the same plan folder gives the same bytes."""
    modified = book.properties.modified.strftime("%Y-%m-%dT%H:%M:%SZ")

    def save(path: Path) -> None:
        book.save(path)
        with zipfile.ZipFile(path) as z:
            entries = [(info, z.read(info)) for info in z.infolist()]
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for info, data in entries:
                if info.filename == "docProps/core.xml":
                    data = re.sub(
                        rb"(<dcterms:modified[^>]*>)[^<]*(<)",
                        rb"\g<1>" + modified.encode() + rb"\g<2>",
                        data,
                    )
                fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
                fixed.compress_type = zipfile.ZIP_DEFLATED
                fixed.external_attr = 0o644 << 16
                z.writestr(fixed, data)

    return save
