"""Reading the plan's CSV files as text, exactly as written, before any value is judged.

Everything is kept as text here, with the line number of each row, so that a rule can name
the line of a bad row and so that the format rules (byte-order mark, header, field counts,
formula-like cells) are checked on what the file really says. Parsing values into times
and numbers is :mod:`sampler.check.parsing`'s job.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sampler.check.context import Context
from sampler.check.contract import BOM, FORMULA_START
from sampler.check.findings import Findings

_TRIGGERS = frozenset((*FORMULA_START, "'"))
_TRIGGER_AT_LINE_START = re.compile(r"(?m)^[=+\-@']")
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"


@dataclass(frozen=True)
class Table:
    """A CSV file read as text."""

    cells: dict[str, Sequence[str]]  # contract column -> its cells, ' stripped
    lines: list[int]  # each row's line number in the file
    physical: list[str]  # the file's lines, when no cell spans lines (else empty)


def read_text(cx: Context, name: str, missing: str = "files") -> str | None:
    """A plan file's text; reports it missing (as rule ``missing``), without byte-order
    mark or not UTF-8."""
    path = cx.dir / name
    if not path.is_file():
        cx.found.add(missing, f"{name} is missing")
        return None
    raw = path.read_bytes()
    if not raw.startswith(BOM):
        cx.found.add("format", f"{name}: no UTF-8 byte-order mark at the start")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        cx.found.add("format", f"{name}: not UTF-8 ({exc.reason} at byte {exc.start})")
        return None


def read_table(
    cx: Context,
    name: str,
    columns: tuple[str, ...],
    numeric: Iterable[str],
    text: str | None = None,
) -> Table | None:
    """Read one CSV file as text: the contract's columns with ``'`` stripped, and lines.

    Checks the byte-order mark, the header, field counts and formula-like cells. Returns
    None when the file is missing or unusable.
    """
    text = read_text(cx, name) if text is None else text
    if text is None:
        return None
    physical = io.StringIO(text, newline="").readlines()
    records = _records(cx.found, name, physical, columns)
    if records is None:
        return None
    single_line = len(records) == len(physical)
    rows, lines = _whole_rows(cx.found, name, records, _line_numbers(physical, records))
    data = _contract_cells(cx.found, name, records[0], columns, set(numeric), rows, lines)
    physical_text = [line.rstrip("\r\n") for line in physical] if single_line else []
    return Table(data, lines, physical_text)


def _records(
    found: Findings, name: str, physical: list[str], columns: tuple[str, ...]
) -> list[list[str]] | None:
    """The file's CSV records, header first; None (reported) if not CSV or the header is
    not the contract's."""
    try:
        records = list(csv.reader(physical, strict=True))
    except csv.Error as exc:
        found.add("format", f"{name}: not valid CSV ({exc})")
        return None
    if not records:
        found.add("format", f"{name}: empty file, no header row")
        return None
    header = records[0]
    if tuple(header[: len(columns)]) != columns:
        found.add(
            "format",
            f"{name}: header starts {','.join(header[: len(columns)])!r}, "
            f"expected {','.join(columns)!r}",
        )
        return None
    return records


def _line_numbers(physical: list[str], records: list[list[str]]) -> Sequence[int]:
    """The line number of each record (where it ends)."""
    if len(records) == len(physical):
        return range(1, len(records) + 1)
    # A quoted cell spans lines: ask the reader where each record ends.
    reader = csv.reader(physical, strict=True)
    return [reader.line_num for _ in reader]


def _whole_rows(
    found: Findings, name: str, records: list[list[str]], numbers: Sequence[int]
) -> tuple[list[list[str]], list[int]]:
    """The data rows with as many fields as the header, and their line numbers; the
    others are reported (blank lines silently dropped)."""
    width = len(records[0])
    keep = [i for i in range(1, len(records)) if len(records[i]) == width]
    if len(keep) != len(records) - 1:
        wrong = [
            f"{name} line {numbers[i]}: {len(records[i])} fields, the header has {width}"
            for i in range(1, len(records))
            if records[i] and len(records[i]) != width  # [] is a blank line
        ]
        found.add_many("format", wrong, len(wrong))
    return [records[i] for i in keep], [numbers[i] for i in keep]


def _contract_cells(
    found: Findings,
    name: str,
    header: list[str],
    columns: tuple[str, ...],
    numeric: set[str],
    rows: list[list[str]],
    lines: list[int],
) -> dict[str, Sequence[str]]:
    """The cells of the contract's columns, unquoted; every column is checked for bare
    formula-like text."""
    width = len(header)
    by_column = list(zip(*rows, strict=True)) if rows else [()] * width
    data: dict[str, Sequence[str]] = {}
    for index, head in enumerate(header):
        contract = index < len(columns)
        label = columns[index] if contract else f"{head} (column {index + 1})"
        # Extra columns are ignored, but they are cells of the file too; a plain number
        # there (a longitude, say) is not text.
        as_number = not contract or label in numeric
        values = unquote(found, name, label, by_column[index], lines, as_number)
        if contract:
            data[label] = values
    return data


def unquote(
    found: Findings,
    name: str,
    column: str,
    values: Sequence[str],
    lines: list[int],
    numeric: bool,
) -> Sequence[str]:
    """Strip the ' written before formula-like text; report such text written without it.

    A text cell starting with =, +, - or @ must be written with a leading '. In numeric
    columns a plain number such as -3 is not text (its value is checked elsewhere).
    """
    # One C-speed scan of the whole column first: most columns have no such cell.
    if not _TRIGGER_AT_LINE_START.search("\n".join(values)):
        return values
    values = list(values)
    bare = []
    for i, v in enumerate(values):
        if v[:1] not in _TRIGGERS:
            continue
        if v[0] == "'":
            if v[1:2] in FORMULA_START:
                values[i] = v[1:]
        elif not (numeric and re.fullmatch(_NUMBER, v)):
            bare.append(i)
    if bare:
        n, first = len(bare), bare[0]
        found.add_many(
            "format",
            [
                f"{name} {column}: {n} cell{'s' if n != 1 else ''} start with =, +, - or @ "
                f"without a leading ', e.g. line {lines[first]}: {values[first]!r}"
            ],
            n,
        )
    return values


def as_frame(table: Table | None, columns: tuple[str, ...]) -> pd.DataFrame:
    """A table read by :func:`read_table` as a DataFrame of text plus ``line``; empty (with
    those columns) when the file could not be read."""
    if table is None:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in (*columns, "line")})
    frame = pd.DataFrame({c: pd.Series(table.cells[c], dtype=object) for c in columns})
    frame["line"] = np.asarray(table.lines, dtype=np.int64)
    return frame
