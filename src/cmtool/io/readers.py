"""Opening a file as a table: its header found, then its rows as raw batches (data.md).

`open_table` finds the header row (title rows above it are allowed), maps its columns to
canonical fields and returns a `Table` whose `batches` yield the raw values of the wanted columns
with the row number each row has in Excel (title rows counted, 1-based):

- Excel (.xlsx/.xls) through python-calamine: the first sheet whose header matches, or `sheet`;
  every cell is turned into text by `values.cell_text` (codes stored as numbers included).
- CSV/TXT through pyarrow's streaming reader, all columns as text, only the wanted columns, in
  blocks of BLOCK_SIZE bytes; empty lines are kept so row numbers stay right, rows with the wrong
  number of cells are reported (total rows excepted).
- Parquet through pyarrow, column types kept; the header counts as row 1.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from python_calamine import CalamineWorkbook

from cmtool.errors import DataError, Problem
from cmtool.fields import TOTAL_ROW_MARKERS
from cmtool.io.formats import file_kind
from cmtool.io.prefetch import prefetch
from cmtool.io.headers import HEADER_SCAN_ROWS, DuplicateColumn, HeaderMatch, HeaderNotFound, Shape, find_header
from cmtool.io.textfile import DELIMITERS, ENCODING_FIX, TextHead, read_head
from cmtool.io.values import cell_text

BLOCK_SIZE = 4 << 20  # pyarrow reads dozens of blocks ahead: small blocks keep memory low
PARQUET_BATCH_ROWS = 1 << 20
FIRST = "__first__"  # the sheet's first column, kept to recognise total rows

Progress = Callable[[int, int], None]  # (bytes read, total bytes)


@dataclass
class RawBatch:
    """Raw values of consecutive rows: field name → column (FIRST: the sheet's first column)."""

    columns: dict[str, pa.Array]
    rows: np.ndarray  # Excel row number of each row
    broken: list[tuple[int, str]] = field(default_factory=list)  # CSV rows with a wrong cell count


@dataclass
class Table:
    """A located table: the file, its sheet, its header and its rows."""

    path: Path
    sheet: str | None
    header_row: int  # as the user sees it in Excel
    match: HeaderMatch
    batches: Iterator[RawBatch]

    @property
    def shape(self) -> Shape:
        return self.match.shape

    def header(self, name: str) -> str:
        """The header of field `name` as written in the file."""
        return self.match.headers[name]


def open_table(
    path: Path,
    shapes: Sequence[Shape],
    aliases: Mapping[str, Sequence[str]],
    *,
    wanted: set[str] | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    progress: Progress | None = None,
) -> Table:
    """Find the header of `path` for one of `shapes` and read the `wanted` fields (None: all)."""
    kind = file_kind(path)
    opener = {"excel": _open_excel, "text": _open_text, "parquet": _open_parquet}[kind]
    return opener(path, shapes, aliases, wanted, sheet=sheet, encoding=encoding, progress=progress)


def _used(match: HeaderMatch, wanted: set[str] | None) -> dict[str, int]:
    used = {n: i for n, i in match.columns.items() if wanted is None or n in wanted}
    return {**used, FIRST: 0}


def _header_error(path: Path, sheet: str | None, offset: int, exc: Exception) -> DataError:
    where = f"文件 {path.name} 的工作表「{sheet}」" if sheet else f"文件 {path.name} "
    if isinstance(exc, DuplicateColumn):
        row = exc.row + offset
        return DataError(
            f"{where}第 {row} 行的「{exc.first}」和「{exc.second}」两列都表示「{exc.field.label}」",
            [Problem(f"两列都表示「{exc.field.label}」", str(path), sheet, row, f"{exc.first}、{exc.second}")],
            fix="请删除其中一列，或把不需要的那列改名",
        )
    assert isinstance(exc, HeaderNotFound)
    if exc.row is None:
        return DataError(f"{where}是空的，没有表头和数据", [Problem("没有内容", str(path), sheet)],
                         fix="请确认选对了文件或工作表，或重新导出")
    found = "、".join(c for c in exc.cells if c) or "（无）"
    labels = "、".join(fd.label for fd in exc.missing)
    return DataError(
        f"{where}缺少必需的列：{labels}",
        [
            Problem(f"缺少必需的列「{fd.label}」（可用的列名：{'、'.join(fd.aliases)}）",
                    str(path), sheet, exc.row + offset)
            for fd in exc.missing
        ],
        fix=f"文件第 {exc.row + offset} 行的列名是：{found}。请改列名，或在配置文件 [aliases] 中添加别名",
    )


def _locate(
    path: Path, sheet: str | None, rows: Sequence[Sequence[str | None]],
    shapes: Sequence[Shape], aliases: Mapping[str, Sequence[str]],
) -> HeaderMatch:
    try:
        return find_header(rows, shapes, aliases)
    except (HeaderNotFound, DuplicateColumn) as exc:
        raise _header_error(path, sheet, 1, exc) from None


# --- Excel -------------------------------------------------------------------------------------


def _open_excel(path, shapes, aliases, wanted, *, sheet, encoding, progress) -> Table:
    try:
        with path.open("rb") as fh:  # from content, not from the ending: .xls may be an .xlsx
            book = CalamineWorkbook.from_filelike(fh)
        names = book.sheet_names
    except Exception:  # calamine raises several unrelated types for damaged files
        raise DataError(
            f"无法读取 Excel 文件 {path.name}",
            [Problem("文件已损坏、有密码保护或不是 Excel 工作簿", str(path))],
            fix="请用 Excel 打开后另存为 .xlsx，再重新运行",
        ) from None
    if sheet is not None and sheet not in names:
        raise DataError(f"文件 {path.name} 中没有名为「{sheet}」的工作表", fix=f"工作表有：{'、'.join(names)}")
    first_error: DataError | None = None
    for name in [sheet] if sheet is not None else names:
        cells = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        head = [[cell_text(c) for c in row] for row in cells[:HEADER_SCAN_ROWS]]
        try:
            match = _locate(path, name, head, shapes, aliases)
        except DataError as exc:
            first_error = first_error or exc
            continue
        if progress:
            progress(path.stat().st_size, path.stat().st_size)
        batch = _excel_batch(cells[match.row + 1 :], _used(match, wanted), match.row + 2)
        return Table(path, name, match.row + 1, match, iter([batch]))
    assert first_error is not None
    raise first_error


def _excel_batch(data: list[list[object]], used: dict[str, int], first_row: int) -> RawBatch:
    by_column = list(zip(*data))  # calamine gives every row the sheet's full width
    columns = {
        name: pa.array(list(map(cell_text, by_column[i])) if i < len(by_column) else [None] * len(data), pa.string())
        for name, i in used.items()
    }
    return RawBatch(columns, np.arange(first_row, first_row + len(data), dtype=np.int64))


# --- CSV / TXT ---------------------------------------------------------------------------------


def _open_text(path, shapes, aliases, wanted, *, sheet, encoding, progress) -> Table:
    head = read_head(path, encoding)
    attempts = []
    for delimiter in DELIMITERS.get(path.suffix.lower(), DELIMITERS[".csv"]):
        rows = head.rows(delimiter)
        try:
            match = find_header(rows, shapes, aliases)
        except (HeaderNotFound, DuplicateColumn) as exc:
            attempts.append(exc)
            continue
        names = [f"c{i}" for i in range(max(len(r) for r in rows[match.row :]))]
        columns = {name: names[i] for name, i in _used(match, wanted).items()}
        numbers = {columns[fd.name] for fd in match.shape if fd.kind == "number" and fd.name in columns}
        types = {c: pa.string() if c in numbers else _DISTINCT_TEXT for c in columns.values()}
        layout = _CsvLayout(path, head, delimiter, match.row, names, columns, types)
        return Table(path, None, match.row + 1, match, _csv_batches(layout, progress))
    raise _header_error(path, None, 1, attempts[0])


def _is_total_or_blank(text: str, delimiter: str) -> bool:
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
                include_columns=sorted(self.types, key=self.names.index),
                null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=True,
            ),
        )


_WRONG_WIDTH = "CSV parse error: Expected"
# Codes, dates and names repeat: read as distinct texts plus an index. Numbers are cast as a whole.
_DISTINCT_TEXT = pa.dictionary(pa.int32(), pa.string())


class _RowsShifted(Exception):
    """A row with the wrong number of cells was met while reading with threads."""


def _csv_batches(layout: _CsvLayout, progress: Progress | None) -> Iterator[RawBatch]:
    """Stream the rows with threads, fetching the next batch while the current one is used; at
    the first row with a wrong number of cells (whose line number threads cannot tell) go on
    single-threaded from the rows already given, so that row numbers stay exact."""
    done = 0
    for exact in (False, True):
        try:
            for batch in _csv_pass(layout, exact, done, progress):
                done += len(batch.rows)
                yield batch
            return
        except _RowsShifted:
            continue


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
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            if not exact and _WRONG_WIDTH in str(exc):
                raise _RowsShifted() from None
            raise DataError(
                f"文件 {layout.path.name} 读到中途出错（按 {layout.head.encoding} 编码读取）：{exc}",
                [Problem("内容与文件编码不符，或文件已损坏", str(layout.path))],
                fix=ENCODING_FIX,
            ) from None


# --- Parquet -----------------------------------------------------------------------------------


def _open_parquet(path, shapes, aliases, wanted, *, sheet, encoding, progress) -> Table:
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError):
        raise DataError(f"无法读取 Parquet 文件 {path.name}", [Problem("文件已损坏", str(path))],
                        fix="请重新导出该文件") from None
    names = parquet.schema_arrow.names
    match = _locate(path, None, [names], shapes, aliases)
    return Table(path, None, 1, match, _parquet_batches(path, parquet, names, _used(match, wanted), progress))


def _parquet_batches(
    path: Path, parquet: pq.ParquetFile, names: list[str], used: dict[str, int], progress: Progress | None
) -> Iterator[RawBatch]:
    size, total = path.stat().st_size, max(parquet.metadata.num_rows, 1)
    wanted = sorted(set(used.values()))
    start = 0
    for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=[names[i] for i in wanted]):
        by_index = dict(zip(wanted, batch.columns))
        rows = np.arange(start + 2, start + 2 + batch.num_rows, dtype=np.int64)
        start += batch.num_rows
        yield RawBatch({name: by_index[i] for name, i in used.items()}, rows)
        if progress:
            progress(size * start // total, size)
