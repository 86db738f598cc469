"""The lines above a table's header in the workbooks cmtool writes and users fill in (the plan
workbook, the day sheets): they name the month, the day and the 客户经理 the table belongs to."""

from __future__ import annotations

from pathlib import Path

from python_calamine import CalamineWorkbook

from cmtool.errors import DataError, Problem
from cmtool.io.formats import file_kind
from cmtool.io.values import cell_text

LEAD_ROWS = 6


def _book(path: Path) -> CalamineWorkbook:
    try:
        with path.open("rb") as fh:
            return CalamineWorkbook.from_filelike(fh)
    except Exception:  # calamine raises several unrelated types for damaged files
        raise DataError(f"无法读取 Excel 文件 {path.name}", [Problem("文件已损坏、有密码保护或不是 Excel 工作簿", str(path))],
                        fix="请用 Excel 打开后另存为 .xlsx，再重新运行") from None


def sheet_leads(path: Path) -> list[tuple[str | None, str]]:
    """Each sheet of an Excel file with the text of its first LEAD_ROWS rows (cells joined by
    spaces, rows by newlines); a text file is one table without lead: [(None, "")]."""
    if file_kind(path) != "excel":
        return [(None, "")]
    book = _book(path)
    leads = []
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python(nrows=LEAD_ROWS)
        leads.append((name, "\n".join(" ".join(t for t in map(cell_text, row) if t) for row in rows)))
    return leads
