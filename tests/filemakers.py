"""Real input files of every format and quirk of data.md, written into a test's tmp_path."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import xlwt

Row = Sequence[object]

TITLE_ROWS: list[Row] = [["客户信息查询"], ["导出时间：2026-07-01 08:30"], []]
CUSTOMER_HEADER: list[str] = ["序号", "客户编码", "客户名称", "经营业态", "市场类型", "客户经理", "所属营销部", "客户状态"]


def customer_row(n: int, code: object, name: str, fmt: str = "食杂店", market: str = "城镇",
                 manager: str = "王芳", department: str = "城区营销部", status: str = "正常") -> list[object]:
    return [n, code, name, fmt, market, manager, department, status]


def write_xlsx(path: Path, rows: Sequence[Row], *, sheet: str = "Sheet1", merge: str | None = None,
               extra_sheets: Sequence[tuple[str, Sequence[Row]]] = ()) -> Path:
    """An .xlsx written by openpyxl; `merge` merges a range (e.g. a title over the columns)."""
    book = openpyxl.Workbook()
    first = book.active
    first.title = sheet
    for name, other in extra_sheets:
        _fill(book.create_sheet(name), other)
    book.move_sheet(first, offset=len(extra_sheets))
    _fill(first, rows)
    if merge:
        first.merge_cells(merge)
    book.save(path)
    return path


def _fill(ws, rows: Sequence[Row]) -> None:
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(row=r, column=c, value=value)


def write_xls(path: Path, rows: Sequence[Row], *, sheet: str = "Sheet1") -> Path:
    """An old BIFF8 .xls written by xlwt; dates get a date format so Excel shows them as dates."""
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet(sheet)
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, (dt.date, dt.datetime)):
                ws.write(r, c, value, date_style)
            elif value is not None:
                ws.write(r, c, value)
    book.save(str(path))
    return path


def csv_text(rows: Sequence[Row], delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()


def write_csv(path: Path, rows: Sequence[Row], *, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    """A CSV/TXT export; encoding `utf-8-sig` writes a BOM as Excel's "CSV UTF-8" does."""
    path.write_bytes(csv_text(rows, delimiter).encode(encoding))
    return path


def write_parquet(path: Path, columns: dict[str, list[object]]) -> Path:
    pq.write_table(pa.table(columns), path)
    return path
