"""A worksheet that writes its rows as finished XML, for sheets of hundreds of thousands of cells
(the top-5 % 档案, the 统计表, a city's result; issue 13).

xlsxwriter keeps an object for every cell and writes its XML when the workbook closes, about
15 µs a cell. A `RowSheet` makes each cell's XML as it is given and holds it by row; rows the
writer is done with (`flush`) go to a temporary file, so memory stays flat, and are copied into
the sheet when the workbook closes. Text is an inline string, escaped as xlsxwriter escapes it,
so it never becomes a formula; everything else of the sheet (columns, freeze, filter, page
set-up, page breaks, print area) is xlsxwriter's own. A sheet may be written by another process
(`RowSheet(spool=path)`, then `spooled()`) and taken into a workbook with `adopt`.
"""

from __future__ import annotations

import datetime as dt
import functools
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet
from xlsxwriter.xmlwriter import XMLwriter

MAX_TEXT = 16_383  # characters: at most 32,766 UTF-16 units, under Excel's limit of 32,767
_ESCAPER = XMLwriter()


@functools.lru_cache(maxsize=1 << 16)  # labels and many values repeat on every page
def _inline(value: str) -> str:
    """The XML of a text cell after its style: escaped as xlsxwriter escapes inline strings."""
    value = value[:MAX_TEXT]
    escaped = _ESCAPER._escape_control_characters(_ESCAPER._escape_data(value))
    space = ' xml:space="preserve"' if value[:1].isspace() or value[-1:].isspace() else ""
    return f' t="inlineStr"><is><t{space}>{escaped}</t></is></c>'


_COLUMNS: list[str] = []  # column letters by index, as far as a sheet has needed them


def _columns(count: int) -> list[str]:
    """The letters of the first `count` columns (A, B, …)."""
    if len(_COLUMNS) < count:
        _COLUMNS.extend(xl_col_to_name(c) for c in range(len(_COLUMNS), count))
    return _COLUMNS


@dataclass(frozen=True)
class Spooled:
    """The rows of a sheet written elsewhere: its spool file, merged ranges and extent."""

    path: Path
    merges: list[list[int]]
    extent: tuple[int | None, int | None, int | None, int | None]  # first and last row, first and last column


class RowSheet(Worksheet):
    """Add with `xlsx.add_sheet(workbook, name)`; write its cells with
    `text`, `number`, `date`, `blank` and `merged` only (not xlsxwriter's write methods). Cells
    come in any order; a cell written twice keeps the last, as in xlsxwriter; `flush(row)` once
    the rows above `row` are finished."""

    def __init__(self, spool: Path | None = None) -> None:
        """`spool`: the file the rows go to, for a sheet written outside its workbook (else a
        temporary file)."""
        super().__init__()
        self._held: dict[int, dict[int, str]] = {}  # row → column → the cell's XML after its reference
        self._heights: dict[int, float] = {}
        self._flushed = 0  # rows above this one are in the spool
        self._spool: IO[str] | None = None
        self._spool_path = spool  # a named spool: written here, or (adopted) removed once copied
        self._styles: dict[Format, str] = {}  # a format's style attribute, made once

    def _style(self, fmt: Format) -> str:
        style = self._styles[fmt] = f' s="{fmt._get_xf_index()}"'
        return style

    def height(self, row: int, points: float) -> None:
        """A row's height in points, kept to whole pixels as xlsxwriter's set_row keeps it (the
        row counts in the sheet's extent, as there)."""
        self._check(row)
        self._extend(row, self.dim_colmin or 0)
        self._heights[row] = int(points * 4 / 3 + 0.5) * 0.75

    def text(self, row: int, col: int, value: str, fmt: Format) -> None:
        """Text as written; empty text is a blank cell in the format (as a merged range's others)."""
        style = self._styles.get(fmt) or self._style(fmt)
        self._cell(row, col, style + _inline(value) if value else style + "/>")

    def number(self, row: int, col: int, value: float, fmt: Format) -> None:
        style = self._styles.get(fmt) or self._style(fmt)
        self._cell(row, col, f'{style}><v>{value:.16G}</v></c>')

    def date(self, row: int, col: int, value: dt.date | dt.datetime, fmt: Format) -> None:
        self.number(row, col, self._convert_date_time(value), fmt)

    def blank(self, row: int, col: int, fmt: Format) -> None:
        self._cell(row, col, (self._styles.get(fmt) or self._style(fmt)) + "/>")

    def merged(self, row: int, col: int, last_row: int, last_col: int, value: str | float, fmt: Format) -> None:
        """A text or number in the top left cell of the range, the others blank in the same
        format, merged (a range of one cell is just the cell)."""
        if isinstance(value, str):
            self.text(row, col, value, fmt)
        else:
            self.number(row, col, value, fmt)
        blank = (self._styles.get(fmt) or self._style(fmt)) + "/>"
        for r in range(row, last_row + 1):
            for c in range(col + (r == row), last_col + 1):
                self._cell(r, c, blank)
        if (last_row, last_col) != (row, col):
            self.merge.append([row, col, last_row, last_col])

    def flush(self, row: int) -> None:
        """Write out the rows above `row`: they can no longer change."""
        done = sorted(r for r in {*self._held, *self._heights} if r < row)
        if done:
            if self._spool is None:
                self._spool = (self._spool_path.open("w", encoding="utf-8", newline="") if self._spool_path
                               else tempfile.TemporaryFile("w+", encoding="utf-8", dir=self.tmpdir))
            names = _columns((self.dim_colmax or 0) + 1)
            self._spool.write("".join([self._row_xml(r, names) for r in done]))
        self._flushed = max(self._flushed, row)

    def _check(self, row: int) -> None:
        if row < self._flushed:
            raise ValueError(f"row {row} is already written")

    def _cell(self, row: int, col: int, rest: str) -> None:
        cells = self._held.get(row)
        if cells is None:
            self._check(row)
            cells = self._held[row] = {}
            self._extend(row, col)
        elif not self.dim_colmin <= col <= self.dim_colmax:  # the row is in the extent already
            self._extend(row, col)
        cells[col] = rest

    def _extend(self, row: int, col: int) -> None:
        """The sheet's extent (its <dimension>) to take in the cell."""
        if self.dim_rowmin is None or row < self.dim_rowmin:
            self.dim_rowmin = row
        if self.dim_rowmax is None or row > self.dim_rowmax:
            self.dim_rowmax = row
        if self.dim_colmax is None or col > self.dim_colmax:
            self.dim_colmax = col
        if self.dim_colmin is None or col < self.dim_colmin:
            self.dim_colmin = col

    def _row_xml(self, row: int, names: list[str]) -> str:
        points = self._heights.pop(row, None)
        tall = "" if points in (None, self.default_row_height * 0.75) else f' ht="{points:.16g}" customHeight="1"'
        cells = self._held.pop(row, None)
        if not cells:
            return f'<row r="{row + 1}"{tall}/>'
        number = row + 1
        body = "".join([f'<c r="{names[c]}{number}"{cells[c]}' for c in sorted(cells)])
        return f'<row r="{number}"{tall}>{body}</row>'

    def spooled(self) -> Spooled:
        """Every row written to the named spool, for a workbook elsewhere to `adopt`."""
        assert self._spool_path is not None
        self.flush(max([*self._held, *self._heights], default=-1) + 1)
        if self._spool is None:
            self._spool_path.touch()
        else:
            self._spool.close()
        return Spooled(self._spool_path, list(self.merge),
                       (self.dim_rowmin, self.dim_rowmax, self.dim_colmin, self.dim_colmax))

    def adopt(self, rows: Spooled) -> None:
        """Take `rows` (written by a sheet elsewhere) as this sheet's cells; their spool is
        removed once copied into the workbook. The sheet must have no cells of its own."""
        assert self.dim_rowmin is None and not self._held and self._spool is None
        self._spool, self._spool_path = rows.path.open("r", encoding="utf-8", newline=""), rows.path
        self.merge.extend(rows.merges)
        self.dim_rowmin, self.dim_rowmax, self.dim_colmin, self.dim_colmax = rows.extent
        self._flushed = (rows.extent[1] if rows.extent[1] is not None else -1) + 1

    def _write_sheet_data(self) -> None:
        if self.dim_rowmin is None:  # no cell: no rows, as in xlsxwriter
            self._xml_empty_tag("sheetData")
            return
        self.flush(max([*self._held, *self._heights], default=-1) + 1)
        assert self._spool is not None  # a sheet with an extent has rows
        self.fh.write("<sheetData>")
        self._spool.seek(0)
        shutil.copyfileobj(self._spool, self.fh)
        self._spool.close()
        if self._spool_path is not None:
            self._spool_path.unlink(missing_ok=True)
        self.fh.write("</sheetData>")

    _write_optimized_sheet_data = _write_sheet_data  # the same in a constant_memory workbook

    def _write_merge_cells(self) -> None:
        """<mergeCells> as xlsxwriter writes it, made in one go: a city's 档案 has 20,000 merged
        ranges, and xlsxwriter's writer takes 4 µs each."""
        if not self.merge:
            return
        names = _columns(max(last_col for *_, last_col in self.merge) + 1)
        refs = "".join([f'<mergeCell ref="{names[c1]}{r1 + 1}:{names[c2]}{r2 + 1}"/>' for r1, c1, r2, c2 in self.merge])
        self.fh.write(f'<mergeCells count="{len(self.merge)}">{refs}</mergeCells>')
