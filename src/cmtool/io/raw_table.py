"""A file read as a raw table, and what every reader shares (readers.py picks the reader).

A `Table` is one file (and sheet) with its header found; its `batches` give the raw values of the
wanted fields with the row number each row has in Excel (title rows counted, 1-based).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from cmtool.errors import DataError, Problem
from cmtool.io.headers import DuplicateColumn, HeaderMatch, HeaderNotFound, Shape, find_header

FIRST = "__first__"  # the sheet's first column, kept to recognise total rows

Progress = Callable[[int, int], None]  # (bytes read, total bytes)


@dataclass
class RawBatch:
    """Raw values of consecutive rows: field name → column (FIRST: the sheet's first column)."""

    columns: dict[str, pa.Array]
    rows: np.ndarray  # Excel row number of each row
    broken: list[tuple[int, str]] = field(default_factory=list)  # CSV rows with a wrong cell count
    bad_cells: dict[int, list[Problem]] = field(default_factory=dict)  # position → Excel error cells


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


def used_columns(match: HeaderMatch, wanted: set[str] | None) -> dict[str, int]:
    """Field name → column index of the wanted fields, plus FIRST → 0."""
    used = {n: i for n, i in match.columns.items() if wanted is None or n in wanted}
    return {**used, FIRST: 0}


def header_error(path: Path, sheet: str | None, offset: int, exc: Exception) -> DataError:
    """The DataError for a header that is missing columns or has a field twice; `offset` turns
    the 0-based row into the Excel row."""
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


def locate(
    path: Path, sheet: str | None, rows: Sequence[Sequence[str | None]],
    shapes: Sequence[Shape], aliases: Mapping[str, Sequence[str]],
) -> HeaderMatch:
    """The header of `rows`, or the DataError that says what is wrong with it."""
    try:
        return find_header(rows, shapes, aliases)
    except (HeaderNotFound, DuplicateColumn) as exc:
        raise header_error(path, sheet, 1, exc) from None
