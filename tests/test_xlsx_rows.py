"""Issue 13: a RowSheet (cells written as XML at once, rows flushed to a temporary file) reads
back exactly as the same cells written by xlsxwriter's own methods: values, types, formats,
merges and row heights, whatever the order the cells come in and wherever the flushes fall."""

from __future__ import annotations

import re
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from hypothesis import given, settings, strategies as st

from cmtool.documents.xlsx import Styles, add_sheet, new_workbook
from cmtool.documents.xlsx_rows import RowSheet

# openpyxl reads an escaped `_xHHHH_` back from shared strings but not from inline ones: those
# texts are checked on the XML itself (test_escapes_as_xlsxwriter)
TEXT = (st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
        | st.sampled_from(["=1+2", "<b>&amp;</b>", " 前后空格 ", "a\x01b", "@SUM(A1)", "+86 138", "客户\n名称"])
        ).filter(lambda t: not re.search("_x[0-9A-Fa-f]{4}_", t))
CELL = st.tuples(st.integers(0, 30), st.integers(0, 7), st.sampled_from(["text", "number", "blank", "date"]),
                 TEXT, st.floats(-1e9, 1e9, allow_nan=False), st.booleans())


def _read(path: Path) -> tuple[dict, list[str], dict]:
    ws = openpyxl.load_workbook(path)["s"]
    cells = {(c.row, c.column): (c.value, c.data_type, c.font.b, c.number_format)
             for row in ws.iter_rows() for c in row if c.value is not None or c.has_style}
    heights = {r: d.height for r, d in ws.row_dimensions.items() if d.height is not None}
    return cells, sorted(map(str, ws.merged_cells.ranges)), heights


@settings(max_examples=40, deadline=None)
@given(cells=st.lists(CELL, max_size=60), heights=st.dictionaries(st.integers(0, 30), st.floats(5, 100), max_size=5),
       merges=st.lists(st.tuples(st.integers(0, 9), st.integers(0, 2), st.integers(0, 2), st.integers(0, 2)),
                       max_size=3),
       flushes=st.lists(st.integers(1, 31), max_size=3))
def test_a_row_sheet_reads_back_as_xlsxwriter_writes_it(tmp_path_factory, cells, heights, merges, flushes) -> None:
    folder = tmp_path_factory.mktemp("rows")
    # merges on rows 40 and below (3 rows apart), so they never overlap the cells or each other
    merges = [(40 + 3 * i, c, 40 + 3 * i + down, c + right) for i, (_, c, down, right) in enumerate(merges)]
    plans = [(r, c, kind, text, number, bold) for r, c, kind, text, number, bold in cells]
    for name, fast in (("plain.xlsx", False), ("rows.xlsx", True)):
        with new_workbook(folder / name) as workbook:
            styles = Styles(workbook)
            sheet = add_sheet(workbook, "s") if fast else workbook.add_worksheet("s")
            cuts = sorted(flushes)
            for r, points in sorted(heights.items()):
                sheet.height(r, points) if fast else sheet.set_row(r, points)
            for r, c, kind, text, number, bold in sorted(plans, key=lambda p: (p[0] // 10, -p[1])):  # blocks of rows
                while fast and cuts and cuts[0] <= r - r % 10:
                    sheet.flush(cuts.pop(0))
                fmt = styles(bold=bold, num_format="yyyy-mm-dd" if kind == "date" else "0.00")
                if kind == "text":
                    sheet.text(r, c, text, fmt) if fast else sheet.write_string(r, c, text, fmt)
                elif kind == "number":
                    sheet.number(r, c, number, fmt) if fast else sheet.write_number(r, c, number, fmt)
                elif kind == "date":
                    day = datetime(2026, 1 + c, 1 + r % 28)
                    sheet.date(r, c, day, fmt) if fast else sheet.write_datetime(r, c, day, fmt)
                else:
                    sheet.blank(r, c, fmt) if fast else sheet.write_blank(r, c, None, fmt)
            for i, (r1, c1, r2, c2) in enumerate(merges):
                value = f"合并{i}" if i % 2 else float(i)
                if fast:
                    sheet.merged(r1, c1, r2, c2, value, styles(bold=True))
                elif (r1, c1) == (r2, c2):
                    sheet.write(r1, c1, value, styles(bold=True))
                else:
                    sheet.merge_range(r1, c1, r2, c2, value, styles(bold=True))
    assert _read(folder / "rows.xlsx") == _normalised(_read(folder / "plain.xlsx"))
    assert _dimension(folder / "rows.xlsx") == _dimension(folder / "plain.xlsx")


def _dimension(path: Path) -> str:
    """The sheet's extent as written in its <dimension> (openpyxl recomputes its own)."""
    with zipfile.ZipFile(path) as archive:
        return re.search(r'<dimension ref="([^"]*)"', archive.read("xl/worksheets/sheet1.xml").decode()).group(1)


def _normalised(read: tuple[dict, list[str], dict]) -> tuple[dict, list[str], dict]:
    """xlsxwriter writes an empty string as an empty text cell, a RowSheet as a blank one."""
    cells, merges, heights = read
    return {k: (None, "n", *v[2:]) if v[0] == "" else v for k, v in cells.items()}, merges, heights


def test_text_never_becomes_a_formula_and_rows_flushed_are_final(tmp_path: Path) -> None:
    path = tmp_path / "b.xlsx"
    with new_workbook(path) as workbook:
        sheet = add_sheet(workbook, "s")
        assert isinstance(sheet, RowSheet)
        fmt = Styles(workbook)()
        sheet.text(0, 0, "=HYPERLINK(\"http://x\")", fmt)
        sheet.text(5000, 27, "远处", fmt)
        sheet.flush(1)
        with pytest.raises(ValueError):
            sheet.text(0, 1, "late", fmt)
        sheet.text(1, 0, "next", fmt)  # rows from the flush on are still open
        sheet.flush(5001)  # every row written out before the workbook closes
    ws = openpyxl.load_workbook(path)["s"]
    assert ws["A1"].value == "=HYPERLINK(\"http://x\")" and ws["A1"].data_type == "s"
    assert ws["AB5001"].value == "远处" and ws["A2"].value == "next"
    assert ws.dimensions == "A1:AB5001"


@pytest.mark.parametrize("text", ["_x0041_", "a\x01b", "<&>", " 空格 "])
def test_escapes_as_xlsxwriter(tmp_path: Path, text: str) -> None:
    """The cell's XML is what xlsxwriter writes for the same inline string (its constant_memory mode)."""
    xml = {}
    for fast in (True, False):
        path = tmp_path / f"{fast}.xlsx"
        with xlsxwriter.Workbook(str(path), {"constant_memory": not fast}) as workbook:
            fmt = workbook.add_format({"bold": True})
            sheet = workbook.add_worksheet("s", worksheet_class=RowSheet if fast else None)
            sheet.text(0, 0, text, fmt) if fast else sheet.write_string(0, 0, text, fmt)
        with zipfile.ZipFile(path) as z:
            xml[fast] = re.search(r"<c .*?</c>", z.read("xl/worksheets/sheet1.xml").decode()).group(0)
    assert xml[True] == xml[False]


def test_a_sheet_spooled_elsewhere_and_adopted_is_the_same_sheet(tmp_path: Path) -> None:
    """Issue 13: a RowSheet written outside its workbook (`spool=`, `spooled()`, as the top5 worker
    writes the last 档案 sheets) and taken in by `adopt` gives the same sheet XML as writing it in
    place, and its spool file is gone once the workbook is closed."""
    xml = {}
    for adopted in (False, True):
        path = tmp_path / f"{adopted}.xlsx"
        with new_workbook(path) as workbook:
            styles = Styles(workbook)
            bold, plain = styles(bold=True), styles()
            bold._get_xf_index(), plain._get_xf_index()  # indexes given before the sheet is written
            sheet = add_sheet(workbook, "s")
            target = RowSheet(spool=tmp_path / "s.rows") if adopted else sheet
            target.height(0, 30)
            target.merged(0, 0, 0, 3, "标题", bold)
            target.text(1, 0, "=1+2", plain)
            target.number(2, 5, 12.5, plain)
            target.flush(2)
            target.blank(4, 1, bold)
            if adopted:
                sheet.adopt(target.spooled())
        with zipfile.ZipFile(path) as z:
            xml[adopted] = z.read("xl/worksheets/sheet1.xml").decode()
    assert xml[True] == xml[False] and "<mergeCell ref=\"A1:D1\"/>" in xml[True]
    assert not (tmp_path / "s.rows").exists()
