"""Reading CSV/TXT exports: the fast path of csv_segments where the file allows, else pyarrow's
streaming reader.

Only the wanted columns are read (codes, dates and names dictionary-encoded, as they repeat). The
careful path streams blocks of BLOCK_SIZE bytes, the next batch fetched in a thread while the
current one is used, numbers as text. Empty lines are kept and quoted line breaks stay in their
row, so row numbers are the ones Excel shows; rows with the wrong number of cells are reported
(total rows excepted).
"""

from __future__ import annotations

import codecs
import csv
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from cmtool.errors import DataError, Problem
from cmtool.fields import TOTAL_ROW_MARKERS
from cmtool.io.headers import DuplicateColumn, HeaderMatch, HeaderNotFound, Shape, find_header
from cmtool.io.csv_segments import ForeignLine, NotPlain, SegmentLayout, segment_tables
from cmtool.io.prefetch import prefetch
from cmtool.io.raw_table import Progress, RawBatch, Table, header_error, used_columns
from cmtool.io.textfile import (
    ASCII_COMPATIBLE, DELIMITERS, ENCODING_FIX, TextHead, check_lines, foreign_line_error, read_head,
)

BLOCK_SIZE = 4 << 20  # pyarrow reads dozens of blocks ahead: small blocks keep memory low


def open_text(
    path: Path, shapes: Sequence[Shape], aliases: Mapping[str, Sequence[str]], wanted: set[str] | None,
    encoding: str | None, progress: Progress | None,
) -> Table:
    """A text file: its encoding, delimiter and header found, its rows streamed."""
    head = read_head(path, encoding, check=False)  # the lines are checked as they are read (_csv_batches)
    attempts = []
    for delimiter in DELIMITERS.get(path.suffix.lower(), DELIMITERS[".csv"]):
        rows = head.rows(delimiter)
        try:
            match = find_header(rows, shapes, aliases)
        except (HeaderNotFound, DuplicateColumn) as exc:
            attempts.append(exc)
            continue
        names = [f"c{i}" for i in range(_width(match, rows[match.row + 1 :]))]
        columns = {name: names[i] for name, i in used_columns(match, wanted).items()}
        numbers = {columns[fd.name] for fd in match.shape if fd.kind == "number" and fd.name in columns}
        types = {c: pa.string() if c in numbers else _DISTINCT_TEXT for c in columns.values()}
        dates = _iso_date_columns(match, rows[match.row + 1 :], columns)
        layout = _CsvLayout(path, head, delimiter, match.row, names, columns, types, frozenset(numbers), dates)
        return Table(path, None, match.row + 1, match, _csv_batches(layout, progress))
    raise header_error(path, None, 1, max(attempts, key=_cells_found))


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")  # the dates pyarrow reads as date32 (spaces around trimmed)


def _iso_date_columns(match: HeaderMatch, data: list[list[str]], columns: dict[str, str]) -> frozenset[str]:
    """The date columns whose cells in the file's first lines are ISO dates (2026-07-01), and
    at least one is: the fast path reads those as dates at once (a cell it cannot read as one
    sends the rest of the file to the careful reader, which says what is wrong)."""
    found = set()
    for fd in match.shape:
        if fd.kind != "date" or fd.name not in columns:
            continue
        at = match.columns[fd.name]
        cells = [row[at].strip() for row in data if at < len(row) and row[at].strip()]
        if cells and all(_ISO_DATE.match(cell) for cell in cells):
            found.add(columns[fd.name])
    return frozenset(found)


def _cells_found(exc: Exception) -> int:
    """How much of a header the delimiter tried found: a field twice beats missing columns."""
    if isinstance(exc, DuplicateColumn):
        return 1 << 30
    return sum(1 for cell in exc.cells if cell) if isinstance(exc, HeaderNotFound) else 0


def _width(match: HeaderMatch, data: list[list[str]]) -> int:
    """Cells per row: the header's without trailing empty ones, or more if most data rows have
    more (a trailing delimiter); a single row with extra cells is that row's problem."""
    named = max((i + 1 for i, cell in enumerate(match.cells) if cell.strip()), default=0)
    widths = Counter(len(r) for r in data if any(c.strip() for c in r))
    usual = max(widths, key=lambda w: (widths[w], w), default=named)
    return max(named, usual)


def _is_total_or_blank(text: str, delimiter: str) -> bool:
    """A row of a wrong width that may be dropped: empty, or its first filled cell is 合计/总计…"""
    cells = [c.strip() for c in next(csv.reader([text], delimiter=delimiter), [])]
    filled = [c for c in cells if c]
    return not filled or filled[0].startswith(TOTAL_ROW_MARKERS)


def _excel_rows(start: int, count: int, first_row: int, skipped: list[int]) -> np.ndarray:
    """Row numbers of data rows start..start+count, data row 0 being `first_row`, when the rows
    at `skipped` (sorted Excel rows) were left out by the reader."""
    index = np.arange(start, start + count, dtype=np.int64)
    if skipped:
        gaps = np.asarray(skipped, dtype=np.int64) - first_row - np.arange(len(skipped))
        index += np.searchsorted(gaps, index, side="right")
    return index + first_row


@dataclass(frozen=True)
class _CsvLayout:
    """Where the data of a text file is and which of its columns to read."""

    path: Path
    head: TextHead
    delimiter: str
    header_index: int  # 0-based record of the header
    names: list[str]  # c0, c1, … for every column
    columns: dict[str, str]  # field name → column name
    types: dict[str, pa.DataType]  # column name → type to read it as
    numbers: frozenset[str]  # the columns of numbers
    iso_dates: frozenset[str] = frozenset()  # date columns the fast path reads as dates (_iso_date_columns)

    @property
    def include(self) -> list[str]:
        return sorted(self.types, key=self.names.index)

    def segments(self) -> SegmentLayout | None:
        """The layout of the fast path, or None where it does not apply (UTF-16)."""
        encoding = codecs.lookup(self.head.encoding).name
        if encoding not in ASCII_COMPATIBLE:
            return None
        types = {c: pa.float64() if c in self.numbers else pa.date32() if c in self.iso_dates else t
                 for c, t in self.types.items()}
        return SegmentLayout(self.path, encoding, self.delimiter, self.header_index + 1, self.names,
                             self.include, types, self.numbers, BLOCK_SIZE, self.head.needs_check,
                             self.head.utf8_is_foreign)

    def open(self, fh, threads: bool, on_invalid: Callable[[pacsv.InvalidRow], str]) -> pacsv.CSVStreamingReader:
        return pacsv.open_csv(
            fh,
            read_options=pacsv.ReadOptions(
                skip_rows=self.header_index + 1, column_names=self.names, block_size=BLOCK_SIZE,
                use_threads=threads, encoding=self.head.arrow_encoding,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=self.delimiter, newlines_in_values=True, ignore_empty_lines=False,
                invalid_row_handler=on_invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=self.types,
                include_columns=self.include,
                null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=True,
            ),
        )


_WRONG_WIDTH = "CSV parse error: Expected"
# Codes, dates and names repeat: read as distinct texts plus an index. Numbers are cast as a whole.
_DISTINCT_TEXT = pa.dictionary(pa.int32(), pa.string())


class _RowsShifted(Exception):
    """A row with the wrong number of cells was met while reading with threads."""


def _csv_batches(layout: _CsvLayout, progress: Progress | None) -> Iterator[RawBatch]:
    """The rows by the fast path (csv_segments) where the file allows, else (from the rows already
    given) streamed with threads, the next batch fetched while the current one is used; at the
    first row with a wrong number of cells (whose line number threads cannot tell) single-threaded
    from the rows already given, so that row numbers stay exact."""
    done = 0
    segments = layout.segments()
    passes: list[str] = ["segments", "threads", "exact"] if segments else ["threads", "exact"]
    checked = not layout.head.needs_check  # the fast path checks the lines of each segment it reads
    while passes:
        mode = passes.pop(0)
        if mode != "segments" and not checked:
            check_lines(layout.path, layout.head)  # the whole file, before its first row by this pass
            checked = True
        try:
            batches = (_segment_pass(layout, segments, progress) if mode == "segments"
                       else _csv_pass(layout, mode == "exact", done, progress))
            for batch in batches:
                done += len(batch.rows)
                yield batch
            return
        except NotPlain as exc:
            if exc.wrong_width:
                passes.remove("threads")
        except ForeignLine as exc:
            raise foreign_line_error(layout.path, exc.offset, exc.line, exc.why) from None
        except _RowsShifted:
            continue


def _segment_pass(layout: _CsvLayout, segments: SegmentLayout, progress: Progress | None) -> Iterator[RawBatch]:
    """The fast path: the next segment parsed while the batches of this one are used; no row is
    skipped, so a row's number follows from its position."""
    size = layout.path.stat().st_size
    first_row = layout.header_index + 2
    index = 0
    for table, offset in prefetch(segment_tables(segments), depth=1):
        for batch in table.to_batches():
            rows = _excel_rows(index, batch.num_rows, first_row, [])
            index += batch.num_rows
            yield RawBatch({name: batch.column(c) for name, c in layout.columns.items()}, rows)
        if progress:
            progress(offset, size)


def _csv_pass(layout: _CsvLayout, exact: bool, start: int, progress: Progress | None) -> Iterator[RawBatch]:
    """One pass over the file giving data rows from `start` on."""
    skipped: list[int] = []
    broken: list[tuple[int, str]] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        if not exact:
            return "error"
        skipped.append(row.number)
        if not _is_total_or_blank(row.text, layout.delimiter):
            broken.append((row.number, row.text))
        return "skip"

    size = layout.path.stat().st_size
    first_row = layout.header_index + 2
    index = 0
    with pa.OSFile(str(layout.path)) as fh:
        try:
            reader = layout.open(fh, not exact, on_invalid)
            for batch in reader if exact else prefetch(reader):
                rows = _excel_rows(index, batch.num_rows, first_row, skipped)
                index += batch.num_rows
                if index > start:
                    keep = max(0, start - (index - batch.num_rows))
                    batch, rows = batch.slice(keep), rows[keep:]
                    found, broken[:] = list(broken), []
                    yield RawBatch({name: batch.column(c) for name, c in layout.columns.items()}, rows, found)
                if progress:
                    progress(fh.tell(), size)
            if broken:  # rows of a wrong width after the last row to give (no pass before reported any)
                types = reader.schema
                yield RawBatch({name: pa.array([], types.field(c).type) for name, c in layout.columns.items()},
                               np.empty(0, np.int64), list(broken))
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            if not exact and _WRONG_WIDTH in str(exc):
                raise _RowsShifted() from None
            if "straddl" in str(exc):
                row = int(_excel_rows(index, 1, first_row, skipped)[0])
                raise DataError(
                    f"文件 {layout.path.name} 第 {row} 行起有超过 {BLOCK_SIZE >> 20} MB 的一行或一个单元格",
                    [Problem("这一行或单元格太长：多半是某个引号没有配对，把后面的内容都并进了一个单元格",
                             str(layout.path), row=row)],
                    fix="请检查该行附近的引号（\"）是否成对，或从 V3 重新导出",
                ) from None
            raise DataError(
                f"文件 {layout.path.name} 读到中途出错（按 {layout.head.encoding} 编码读取）：{exc}",
                [Problem("内容与文件编码不符，或文件已损坏", str(layout.path))],
                fix=ENCODING_FIX,
            ) from None
