"""Minimal spreadsheet writers for the sample: .xlsx (xlsxwriter) and BIFF8 .xls (xlwt).

A sheet is a header and rows of Python values; `None` leaves a cell empty (a row of `None`s is a
blank row). Strings are always written as text, so `=一号店` stays a name, never a formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import xlsxwriter
import xlwt

Cell = str | int | float | date | None
XLS_MAX_ROWS = 65536
FIXED_TIME = datetime(2026, 1, 1)


def write_xlsx(
    path: Path, sheet: str, header: Sequence[str], rows: Sequence[Sequence[Cell]],
    titles: Sequence[str] = (), text_columns: Sequence[int] = (), created: datetime = FIXED_TIME,
) -> None:
    """One sheet; `titles` are rows above the header (the first merged across the header's
    width, as V3 does); `text_columns` get the Excel text format '@'. `created` goes into the
    document properties, so the same input gives the same bytes."""
    book = xlsxwriter.Workbook(str(path))
    book.set_properties({"created": created})
    ws = book.add_worksheet(sheet)
    bold = book.add_format({"bold": True})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    text = book.add_format({"num_format": "@"})
    for c in text_columns:
        ws.set_column(c, c, 14, text)
    heading = book.add_format({"bold": True, "align": "center"})
    for r, title in enumerate(titles):
        if r == 0 and len(header) > 1:
            ws.merge_range(0, 0, 0, len(header) - 1, title, heading)
        else:
            ws.write_string(r, 0, title)
    top = len(titles)
    for c, name in enumerate(header):
        ws.write_string(top, c, name, bold)
    for r, row in enumerate(rows, start=top + 1):
        for c, value in enumerate(row):
            if isinstance(value, str):
                ws.write_string(r, c, value, text if c in text_columns else None)
            elif isinstance(value, date):
                ws.write_datetime(r, c, _as_datetime(value), day)
            elif value is not None:
                ws.write_number(r, c, value)
    ws.freeze_panes(top + 1, 0)
    book.close()


def write_xls(path: Path, sheet: str, header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> None:
    """One sheet in the old Excel 97–2003 format (at most 65,536 rows)."""
    if len(rows) + 1 > XLS_MAX_ROWS:
        raise ValueError(f".xls 最多 {XLS_MAX_ROWS} 行，{path.name} 有 {len(rows) + 1} 行")
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet(sheet)
    bold = xlwt.easyxf("font: bold on")
    day = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for c, name in enumerate(header):
        ws.write(0, c, name, bold)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, date):
                ws.write(r, c, _as_datetime(value), day)
            elif value is not None:
                ws.write(r, c, value)
    book.save(str(path))


def _as_datetime(value: date) -> datetime:
    return value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
