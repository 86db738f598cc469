"""Reading Excel workbooks (.xlsx/.xlsm/.xls, told by their content) through python-calamine.

The first visible sheet whose header matches is read, or the one named by `sheet` (hidden sheets
are often stale copies); which sheet was read is logged when the workbook has several. Merged
cells below the header are filled, and every cell is turned into text by `values.cell_text`, so
codes stored as numbers come back as text and every source is parsed alike. Error cells and
formulas without a value, which calamine reads as empty, are problems (excel_cells.py).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
from python_calamine import CalamineWorkbook

from cmtool.errors import DataError, Problem
from cmtool.io.excel_cells import NO_VALUE, odd_cells
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
        hidden = {s.name for s in book.sheets_metadata if str(s.visible).rsplit(".", 1)[-1] != "Visible"}
    except Exception:  # calamine raises several unrelated types for damaged files
        raise DataError(
            f"无法读取 Excel 文件 {path.name}",
            [Problem("文件已损坏、有密码保护或不是 Excel 工作簿", str(path))],
            fix="请用 Excel 打开后另存为 .xlsx，再重新运行",
        ) from None
    if sheet is not None and sheet not in names:
        raise DataError(f"文件 {path.name} 中没有名为「{sheet}」的工作表", fix=f"工作表有：{'、'.join(names)}")
    first_error: DataError | None = None
    for name in [sheet] if sheet is not None else [n for n in names if n not in hidden]:
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
        used = used_columns(match, wanted)
        batch = _excel_batch(cells[match.row + 1 :], used, match.row + 2)
        batch.bad_cells = _bad_cells(path, name, match.row, used, match.headers)
        if len(names) > 1:
            _log.info("读取文件 %s 的工作表「%s」（共 %d 个工作表%s）", path.name, name, len(names),
                      f"，其中隐藏的 {len(hidden)} 个未读取" if hidden and sheet is None else "")
        return Table(path, name, match.row + 1, match, iter([batch]))
    if first_error is None:  # every sheet is hidden
        raise DataError(f"文件 {path.name} 中没有可见的工作表", [Problem("工作表都是隐藏的", str(path))],
                        fix=f"请用 --sheet 指定要读取的工作表（{'、'.join(names)}），或在 Excel 中取消隐藏")
    if hidden:
        first_error.fix = f"{first_error.fix}（隐藏的工作表 {'、'.join(sorted(hidden))} 未读取；要读它请用 --sheet）"
    raise first_error


def _bad_cells(path: Path, sheet: str, header: int, used: dict[str, int],
               headers: Mapping[str, str]) -> dict[int, list[Problem]]:
    """The error cells and formulas without a value of the used columns below the header, by
    position in the batch."""
    by_column = {i: name for name, i in used.items() if name in headers}
    found: dict[int, list[Problem]] = {}
    for (row, column), what in sorted(odd_cells(path, sheet).items()):
        if row <= header or column not in by_column:
            continue
        message = ("单元格是没有计算结果的公式（文件保存时未计算）" if what == NO_VALUE
                   else f"单元格是 Excel 错误值 {what}")
        found.setdefault(row - header - 1, []).append(Problem(
            message, str(path), sheet, row + 1, headers[by_column[column]], what,
            "请在 Excel 中改正该单元格（或把公式“选择性粘贴”为数值）后保存，再重新运行",
        ))
    return found


_log = logging.getLogger("cmtool.io")


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
