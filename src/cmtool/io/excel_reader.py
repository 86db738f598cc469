"""Reading Excel workbooks (.xlsx/.xlsm/.xls, told by their content) through python-calamine.

The first sheet whose header matches is read, or the one named by `sheet`. Merged cells below the
header are filled, and every cell is turned into text by `values.cell_text`, so codes stored as
numbers come back as text and every source is parsed alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
from python_calamine import CalamineWorkbook

from cmtool.errors import DataError, Problem
from cmtool.io.headers import HEADER_SCAN_ROWS, Shape
from cmtool.io.raw_table import Progress, RawBatch, Table, locate, used_columns
from cmtool.io.values import cell_text


def open_excel(
    path: Path, shapes: Sequence[Shape], aliases: Mapping[str, Sequence[str]], wanted: set[str] | None,
    sheet: str | None, progress: Progress | None,
) -> Table:
    """The first sheet of `path` with a matching header (or `sheet`) as one batch."""
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
        content = book.get_sheet_by_name(name)
        cells = content.to_python(skip_empty_area=False)
        head = [[cell_text(c) for c in row] for row in cells[:HEADER_SCAN_ROWS]]
        try:
            match = locate(path, name, head, shapes, aliases)
        except DataError as exc:
            first_error = first_error or exc
            continue
        if progress:
            progress(path.stat().st_size, path.stat().st_size)
        _fill_merged(cells, content.merged_cell_ranges or [], below=match.row)
        batch = _excel_batch(cells[match.row + 1 :], used_columns(match, wanted), match.row + 2)
        return Table(path, name, match.row + 1, match, iter([batch]))
    assert first_error is not None
    raise first_error


def _fill_merged(cells: list[list[object]], merged: list, below: int) -> None:
    """Give every cell of a merged range below the header the value Excel shows there (a 营销部
    merged over its customers), not only the top-left one."""
    for (top, left), (bottom, right) in merged:
        if top <= below:
            continue
        value = cells[top][left]
        for row in cells[top : bottom + 1]:
            row[left : right + 1] = [value] * (right + 1 - left)


def _excel_batch(data: list[list[object]], used: dict[str, int], first_row: int) -> RawBatch:
    by_column = list(zip(*data))  # calamine gives every row the sheet's full width
    columns = {
        name: pa.array(list(map(cell_text, by_column[i])) if i < len(by_column) else [None] * len(data), pa.string())
        for name, i in used.items()
    }
    return RawBatch(columns, np.arange(first_row, first_row + len(data), dtype=np.int64))
