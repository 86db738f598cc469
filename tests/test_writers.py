"""Writers: result xlsx/csv/parquet, the R-STAT workbook, and atomic publishing."""

from __future__ import annotations

import zipfile
import zlib
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from result_samples import make_result

import cmtool.documents.xlsx as xlsx
from cmtool.errors import Problem
from cmtool.documents.atomic import Staging, atomic_path
from cmtool.documents.cn_text import cn_date, display_width, display_widths
from cmtool.documents.statbook import COMPANY_SHEET, write_statbook
from cmtool.documents.tables import RESULT_COLUMNS, write_result
from cmtool.periods import Quarter

Q = Quarter(2026, 3)
COMPANY = "示例市烟草公司"
TRICKY = ["=1+2", "+1", "-1", "@x", "=HYPERLINK(\"http://x\")"]
LONG_NAME = "超长名称的零售客户烟酒商行" * 6
PROBLEM = Problem("购进量不是数字", file="/data/销售/2026-07.xlsx", sheet="Sheet1", row=12,
                  column="购进量", value="abc", fix="请改成数字", customer_id="0001")


@pytest.fixture
def result() -> pd.DataFrame:
    frame = make_result(40, seed=3)
    frame.loc[: len(TRICKY) - 1, "name"] = TRICKY
    frame.loc[0, "customer_id"] = "000123"
    frame.loc[len(TRICKY), "name"] = LONG_NAME
    return frame


def all_cells(ws) -> list:
    return [cell for row in ws.iter_rows() for cell in row]


def assert_a4_one_page_wide(ws, landscape: bool, title_row: int, header: tuple[str, ...]) -> None:
    """A4, one page wide, `title_row` on every page, the sheet's own page numbers, and the page
    header naming what the document is, the company and the period."""
    assert ws.page_setup.paperSize == 9
    assert ws.page_setup.orientation == ("landscape" if landscape else "portrait")
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1)  # absent means the default, 1
    assert ws.page_setup.fitToHeight == 0  # as many pages down as needed
    assert ws.print_title_rows == f"${title_row}:${title_row}"
    assert ws.oddFooter.center.text == "第 &P 页"  # &N would count the whole workbook
    assert ws.page_setup.firstPageNumber in (None, 1) and ws.page_setup.useFirstPageNumber  # numbered from 1
    for words in header:
        assert words in ws.oddHeader.center.text, words


@pytest.mark.parametrize("on_disk", [False, True])
def test_result_xlsx(tmp_path: Path, result: pd.DataFrame, monkeypatch, on_disk: bool) -> None:
    monkeypatch.setattr(xlsx, "ON_DISK_CELLS", 0 if on_disk else 10**9)
    path = tmp_path / "客户分类结果_2026Q3.xlsx"
    write_result(path, result, [PROBLEM], "xlsx", quarter=Q, company=COMPANY)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["分类结果", "数据问题"]
    ws = wb["分类结果"]
    assert ws["A1"].value == "《示例市烟草公司零售客户分类结果》"
    assert ws["A2"].value == f"2026年第3季度　共 {len(result)} 户"
    headers = [c.value.replace("\n", "") for c in ws[3]]
    assert headers == [c.header for c in RESULT_COLUMNS]
    assert headers[:2] == ["客户编码", "客户名称"] and headers[-1] == "变动"
    assert ws.max_row == len(result) + 3
    first = {h: c for h, c in zip(headers, ws[4])}
    assert first["客户编码"].value == "000123" and first["客户编码"].data_type == "s"
    assert first["购进量(条)"].value == pytest.approx(result.loc[0, "volume"])
    whole = float(result.loc[0, "volume"]).is_integer()
    assert first["购进量(条)"].number_format == ("#,##0" if whole else "#,##0.00")  # decimals only where there are
    assert first["排名"].value == 1 and first["排名"].alignment.horizontal == "center"
    assert first["综合分类"].value == result.loc[0, "class_name"]
    names = [ws.cell(row=r, column=2) for r in range(4, 4 + len(TRICKY))]
    assert [c.value for c in names] == TRICKY
    assert all(c.data_type == "s" for c in names)
    assert not any(c.data_type == "f" for c in all_cells(ws))
    assert ws.freeze_panes == "C4"  # the table headings, not the title
    assert ws.auto_filter.ref == f"A3:R{len(result) + 3}"
    assert_a4_one_page_wide(ws, landscape=True, title_row=3, header=(COMPANY, "零售客户分类结果", "2026年第3季度"))
    width = {h: ws.column_dimensions[chr(65 + i)].width for i, h in enumerate(headers)}
    assert width["客户名称"] >= display_width(result["name"].iloc[-1])
    assert width["客户名称"] < xlsx.MAX_WIDTH + 1  # longer names wrap, in a taller row
    long_row = len(TRICKY) + 4
    assert ws.cell(row=long_row, column=2).value == LONG_NAME
    assert ws.row_dimensions[long_row].height >= xlsx.row_height(5)
    assert ws.cell(row=long_row, column=2).alignment.wrap_text
    problems = wb["数据问题"]
    assert_a4_one_page_wide(problems, landscape=True, title_row=3, header=(COMPANY, "2026年第3季度", "数据问题"))
    assert [c.value for c in problems[3]] == ["文件", "工作表", "行号", "列", "值", "客户编码", "问题"]
    assert [c.value for c in problems[4]] == [
        "2026-07.xlsx", "Sheet1", 12, "购进量", "abc", "0001", "购进量不是数字。请改成数字"
    ]


@pytest.mark.parametrize("on_disk", [False, True])
def test_workbook_parts_deflated_at_the_quick_level(tmp_path: Path, result: pd.DataFrame, monkeypatch,
                                                   on_disk: bool) -> None:
    """Every part of a workbook is deflated at ZIP_LEVEL (issue 13), in memory or from disk."""
    monkeypatch.setattr(xlsx, "ON_DISK_CELLS", 0 if on_disk else 10**9)
    path = tmp_path / "客户分类结果_2026Q3.xlsx"
    write_result(path, pd.concat([result] * 20, ignore_index=True), [PROBLEM], "xlsx", quarter=Q, company=COMPANY)
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            packer = zlib.compressobj(xlsx.ZIP_LEVEL, zlib.DEFLATED, -15)
            data = archive.read(info)
            assert info.compress_type == zipfile.ZIP_DEFLATED
            assert info.compress_size == len(packer.compress(data) + packer.flush()), info.filename


def test_result_xlsx_without_problems_has_one_sheet(tmp_path: Path, result: pd.DataFrame) -> None:
    path = tmp_path / "r.xlsx"
    write_result(path, result.drop(columns=["previous_class"]), fmt="xlsx", quarter=Q, company=COMPANY)
    ws = openpyxl.load_workbook(path)["分类结果"]
    assert openpyxl.load_workbook(path).sheetnames == ["分类结果"]
    assert ws.cell(row=4, column=17).value is None  # 上期分类 missing: a blank column


def test_result_csv_bom_and_formula_prefix(tmp_path: Path, result: pd.DataFrame) -> None:
    path = tmp_path / "r.csv"
    result.loc[0, "volume"] = -1.5  # a number is never prefixed
    write_result(path, result, fmt="csv", quarter=Q, company=COMPANY)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(path, encoding="utf-8-sig", dtype={"客户编码": str})
    assert list(back.columns) == [c.header for c in RESULT_COLUMNS]
    assert list(back["客户名称"][: len(TRICKY)]) == ["'" + t for t in TRICKY]
    assert back.loc[0, "客户编码"] == "000123"
    assert back.loc[0, "购进量(条)"] == -1.5
    assert back.loc[5, "客户名称"] == result.loc[5, "name"]


def test_result_parquet_round_trip(tmp_path: Path, result: pd.DataFrame) -> None:
    path = tmp_path / "r.parquet"
    write_result(path, result, fmt="parquet", quarter=Q, company=COMPANY)
    back = pd.read_parquet(path)
    assert list(back.columns) == [c.header for c in RESULT_COLUMNS]
    assert list(back["客户编码"]) == list(result["customer_id"])
    assert list(back["客户名称"]) == list(result["name"])
    assert back["购进额(元)"].tolist() == pytest.approx(result["amount"].tolist())
    assert back["排名"].tolist() == result["rank"].tolist()
    assert back["上期分类"].isna().sum() == result["previous_class"].isna().sum()


def test_unique_sheet_names() -> None:
    names = xlsx.unique_sheet_names(["张三", "张三", "a/b:c*?[d]\\e", "x" * 40, "x" * 40, "'引号'", "History", ""])
    assert names[:2] == ["张三", "张三(2)"]
    assert names[2] == "a_b_c___d__e"
    assert names[3] == "x" * 31 and names[4] == "x" * 28 + "(2)"
    assert names[5] == "引号" and names[6] == "History_" and names[7] == "Sheet"
    assert all(len(n) <= 31 for n in names)


def test_cn_text() -> None:
    assert display_width("示例a") == 5
    assert display_width("ＡＢ") == 4
    assert cn_date(date(2026, 10, 1)) == "2026年10月1日"
    assert cn_date(None) == "____年__月__日"


_texts = st.lists(st.one_of(st.none(), st.text(alphabet=st.sampled_from("aZ9 -示例烟草ＡＢ，。ㄱ가\u1100\u115f\u2e7f\u2e80"
                                                                     "\ua4cf\ua4d0\uffe6\uffe7—…😀")),
                            st.integers(-5, 10**6)), max_size=30)


@given(values=_texts, as_string=st.booleans())
def test_display_widths_is_display_width_of_each_value(values, as_string) -> None:
    """The column-wise widths (arrow's kernels) are display_width of each value as text, 0 where missing."""
    column = pd.Series(values, dtype="str" if as_string else object)
    expected = [0 if pd.isna(v) else display_width(str(v)) for v in column]
    assert display_widths(column).tolist() == expected


CHANGED = ["上调", "下调", "调整"]


def row_of(ws, column: str, value: str, after: int = 0) -> int:
    """The first row below `after` whose cell in `column` holds `value`."""
    return next(c.row for c in ws[column] if c.row > after and c.value == value)


def listed_rows(ws) -> list[tuple]:
    """The changed-customer list of a statistics sheet: 变动, 客户编码, 名称, 经理, 上期, 本期 per row."""
    start = row_of(ws, "B", "客户编码") + 1
    return [tuple(ws.cell(r, c).value for c in (1, 2, 3, 6, 7, 9)) for r in range(start, ws.max_row + 1)]


def expected_list(frame: pd.DataFrame) -> list[tuple]:
    """R-STAT (c) by hand: changed customers by 客户经理, then 上调/下调/调整, then 客户编码."""
    changed = frame[frame["change"].isin(CHANGED)].assign(order=lambda f: f["change"].map(CHANGED.index))
    changed = changed.sort_values(["manager", "order", "customer_id"])
    fields = ["change", "customer_id", "name", "manager", "previous_class", "class_name"]
    return list(changed[fields].itertuples(index=False, name=None))


def test_statbook(tmp_path: Path, result: pd.DataFrame) -> None:
    result.loc[result["manager"] == "经理2", "manager"] = "王/五:[组长]" + "很长" * 20
    listed = result.index[result["change"].isin(CHANGED)]
    result.loc[listed[1], "name"] = LONG_NAME
    result.loc[listed[2], ["name", "manager"]] = [TRICKY[0], "王/五:[组长]" + "很长" * 20]  # merged: still text
    path = tmp_path / "客户分类情况统计表_2026Q3.xlsx"
    write_statbook(path, result, quarter=Q, company="示例市烟草公司", due=date(2026, 10, 13))
    wb = openpyxl.load_workbook(path)
    names = wb.sheetnames
    assert names[0] == COMPANY_SHEET
    assert "第1营销部汇总" in names and "第2营销部汇总" in names
    assert names.index("第1营销部汇总") < names.index("经理1")  # a department, then its managers
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    assert len(names) == 1 + 2 + result["manager"].nunique()

    ws = wb[COMPANY_SHEET]
    text = [c.value for c in all_cells(ws) if isinstance(c.value, str)]
    assert ws["A1"].value == "客户分类情况统计表（2026年第3季度）"
    assert "A1:J1" in {str(r) for r in ws.merged_cells.ranges}
    assert "填报单位：示例市烟草公司" in text
    assert "报送截止：2026年10月13日（第5个工作日）" in text
    assert "填报人：________" in text and "审核人：________" in text and "填报日期：____年__月__日" in text
    total_row = next(c.row for c in ws["A"] if c.value == "合计" and ws.cell(c.row, 3).data_type == "n")
    assert ws.cell(total_row, 9).value == len(result)  # 合计 户数
    assert ws.cell(total_row, 10).value == pytest.approx(1.0)
    assert ws.cell(total_row, 10).number_format == "0.00%"
    assert ws.freeze_panes is None  # a form: nothing to hold in view
    assert ws.print_area is not None and "$A$1:$J$" in ws.print_area
    list_header = row_of(ws, "B", "客户编码")
    assert_a4_one_page_wide(ws, landscape=False, title_row=list_header,  # the list's headings repeat
                            header=(COMPANY, "客户分类情况统计表", "2026年第3季度", "全公司"))
    assert TRICKY[0] in text
    for cell in all_cells(ws):
        if cell.value in TRICKY:
            assert cell.data_type == "s"
    assert not any(c.data_type == "f" for c in all_cells(ws))

    # R-STAT (b): 上调 and 下调 by scale pair, then 不变 调整 新增 合计, each with 户数 and 占比
    counts = row_of(ws, "A", "户数", after=row_of(ws, "A", "二、与上季度比较"))
    assert [ws.cell(counts - 2, c).value for c in (3, 7)] == ["上调", "下调"]
    up, down = ws.cell(counts, 6).value, ws.cell(counts, 10).value  # the two 小计
    assert (up, down) == tuple((result["change"] == c).sum() for c in ("上调", "下调"))
    assert sum(ws.cell(counts, c).value for c in (3, 4, 5)) == up
    rest = row_of(ws, "A", "户数", after=counts + 1)
    assert [ws.cell(rest - 1, c).value for c in (3, 5, 7, 9)] == ["不变", "调整", "新增", "合计"]
    assert ws.cell(rest, 9).value == len(result) and ws.cell(rest + 1, 9).value == pytest.approx(1.0)

    # R-STAT (c): the list, one field per cell; only rows with a text too long for one line merge
    changed = result[result["change"].isin(CHANGED)]
    assert f"三、分类变动客户明细（共 {len(changed)} 户）" in text
    assert listed_rows(ws) == expected_list(result)
    header = row_of(ws, "B", "客户编码")
    merged = {m.min_row for m in ws.merged_cells.ranges if m.min_row > header}
    assert merged == {r for r in range(header + 1, ws.max_row + 1)
                      if ws.cell(r, 3).value == LONG_NAME or "很长" in ws.cell(r, 6).value}
    long_row = row_of(ws, "C", LONG_NAME)
    assert ws.row_dimensions[long_row].height >= xlsx.row_height(2)
    assert ws.cell(long_row, 3).alignment.wrap_text
    plain = min(set(range(header + 1, ws.max_row + 1)) - merged)
    assert ws.cell(plain, 3).border.left.style and not ws.cell(plain, 3).border.right.style  # runs on over D, E
    assert ws.cell(plain, 4).value is None and ws.cell(plain, 5).border.right.style

    manager = wb["经理1"]
    mine = result[result["manager"] == "经理1"]
    assert "填报人：经理1" in [c.value for c in all_cells(manager)]
    assert f"统计范围：客户经理 经理1（共 {len(mine)} 户）" in [c.value for c in all_cells(manager)]
    assert manager.cell(row_of(manager, "A", "合计"), 9).value == len(mine)
    assert listed_rows(manager) == expected_list(mine)
    assert listed_rows(wb["第1营销部汇总"]) == expected_list(result[result["department"] == "第1营销部"])


def test_atomic_path_failure_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "out" / "r.xlsx"
    with pytest.raises(RuntimeError), atomic_path(target) as temp:
        temp.write_bytes(b"half")
        raise RuntimeError("writer failed midway")
    assert not target.exists()
    assert not target.parent.exists()  # issue 8: the folder the failed run created is removed too


def test_atomic_path_keeps_old_file_on_failure(tmp_path: Path, result: pd.DataFrame) -> None:
    target = tmp_path / "r.xlsx"
    target.write_bytes(b"old")
    broken = result.assign(volume="not a number")
    with pytest.raises(ValueError), atomic_path(target) as temp:
        write_result(temp, broken, fmt="xlsx", quarter=Q, company=COMPANY)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]


def test_staging_publishes_together_or_not_at_all(tmp_path: Path, result: pd.DataFrame) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.parquet"
    with pytest.raises(RuntimeError), Staging() as st:
        write_result(st.path(a), result, fmt="csv", quarter=Q, company=COMPANY)
        write_result(st.path(b), result, fmt="parquet", quarter=Q, company=COMPANY)
        raise RuntimeError("ledger failed")
    assert list(tmp_path.iterdir()) == []
    with Staging() as st:
        write_result(st.path(a), result, fmt="csv", quarter=Q, company=COMPANY)
        write_result(st.path(b), result, fmt="parquet", quarter=Q, company=COMPANY)
        assert list(tmp_path.iterdir()) and not a.exists()
        assert st.commit() == [a, b]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.parquet"]


def test_staging_without_commit_discards(tmp_path: Path) -> None:
    with Staging() as st:
        st.path(tmp_path / "x.html").write_text("x", encoding="utf-8")
    assert list(tmp_path.iterdir()) == []


def test_statbook_single_department_has_no_department_summary(tmp_path: Path) -> None:
    frame = make_result(30, seed=4, managers=3, departments=1)
    frame.loc[0, "manager"] = None
    path = tmp_path / "s.xlsx"
    write_statbook(path, frame, quarter=Q, company="公司", due=date(2026, 10, 13))
    names = openpyxl.load_workbook(path).sheetnames
    assert names[0] == COMPANY_SHEET
    assert not any(n.endswith("汇总") for n in names[1:])
    assert "未填客户经理" in names


def test_statbook_without_previous_quarter_lists_nobody(tmp_path: Path) -> None:
    frame = make_result(12, seed=5, managers=2, departments=1).drop(columns=["change", "previous_class", "previous_scale"])
    path = tmp_path / "s.xlsx"
    write_statbook(path, frame, quarter=Q, company="公司", due=date(2026, 10, 13))
    ws = openpyxl.load_workbook(path)[COMPANY_SHEET]
    rest = row_of(ws, "A", "户数", after=row_of(ws, "A", "户数") + 1)
    assert ws.cell(rest, 7).value == 12 and ws.cell(rest, 9).value == 12  # all 新增
    assert ws.cell(row_of(ws, "B", "客户编码") + 1, 1).value == "本季度没有分类变动的客户"


def test_result_csv_in_chunks_is_the_same_file(tmp_path: Path, result: pd.DataFrame,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 13: the CSV is converted CSV_CHUNK_ROWS rows at a time; the file does not change."""
    import cmtool.documents.tables as tables

    whole, chunked = tmp_path / "whole.csv", tmp_path / "chunked.csv"
    write_result(whole, result, fmt="csv", quarter=Q, company=COMPANY)
    monkeypatch.setattr(tables, "CSV_CHUNK_ROWS", 3)
    write_result(chunked, result, fmt="csv", quarter=Q, company=COMPANY)
    assert len(result) > 3 and chunked.read_bytes() == whole.read_bytes()
    empty = tmp_path / "empty.csv"
    write_result(empty, result.iloc[:0], fmt="csv", quarter=Q, company=COMPANY)
    assert empty.read_bytes() == whole.read_bytes().split(b"\r\n")[0] + b"\r\n"


def test_statbook_reads_only_its_input_columns(tmp_path):
    """classify sends a worker INPUT_COLUMNS alone (issue 13): the workbook must be the same."""
    import openpyxl

    from cmtool.documents.statbook import INPUT_COLUMNS

    result = make_result(400, seed=3)
    books = []
    for frame in (result, result[[c for c in INPUT_COLUMNS if c in result.columns]]):
        path = tmp_path / f"{len(frame.columns)}.xlsx"
        write_statbook(path, frame, quarter=Q, company="示例市烟草公司", due=date(2026, 10, 13))
        book = openpyxl.load_workbook(path, read_only=True)
        books.append([[ws.title, *ws.iter_rows(values_only=True)] for ws in book.worksheets])
    assert books[0] == books[1] and len(books[0]) > 3
