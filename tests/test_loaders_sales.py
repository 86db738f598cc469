"""Loading sales (order lines or monthly summaries) into purchases per customer and month."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cmtool.config import Config
from cmtool.errors import DataError
from cmtool.io import csv_reader, csv_segments, sku_sums, textfile
from cmtool.io.loaders import load_sales
from tests.filemakers import write_csv, write_parquet, write_xls, write_xlsx

CONFIG = Config()
LINE_HEADER = ["订单日期", "客户编码", "卷烟编码", "卷烟名称", "价类", "是否重点品牌", "数量（条）", "金额（元）"]
LINES = [
    ["2026-07-03", "001", "6901028", "中华(硬)", "一类", "是", "2", "900.00"],
    ["2026-07-03", "001", "6901029", "红塔山", "三类", "否", "1.5", "0.07"],
    ["2026/7/10", "001", "6901028", "中华(硬)", "一类", "是", "1", "450.00"],
    ["20260710", "002", "6901029", "红塔山", "三类", "否", "3", "1,234.57"],
    ["2026年8月1日", "001", "6901028", "中华(硬)", "一类", "是", "１", "450"],
    ["2026-08-01", "002", "6901029", "红塔山", "三类", "否", "", ""],
]


def _monthly(result) -> list[tuple]:
    """The purchases as plain tuples, NA orders as None."""
    frame = result.monthly[["customer_id", "month", "volume_h", "amount_c", "orders"]]
    return [tuple(None if v is pd.NA else v for v in row) for row in frame.itertuples(index=False, name=None)]


def _error(paths: list[Path], **options) -> DataError:
    with pytest.raises(DataError) as caught:
        load_sales(paths, CONFIG, **options)
    return caught.value


def test_order_lines_are_summed_exactly_per_customer_and_month(tmp_path):
    path = write_csv(tmp_path / "订单明细.csv", [["订单明细查询"], LINE_HEADER, *LINES, ["合计", "", "", "", "", "", "8.5", "3034.64"]])
    result = load_sales([path], CONFIG)
    assert _monthly(result) == [
        ("001", "2026-07", 450, 135007, 2),
        ("001", "2026-08", 100, 45000, 1),
        ("002", "2026-07", 300, 123457, 1),
        ("002", "2026-08", 0, 0, 1),
    ]
    frame = result.monthly
    assert [str(frame[c].dtype) for c in ("volume_h", "amount_c", "orders")] == ["int64", "int64", "Int64"]
    assert set(frame["source"]) == {str(path)}
    assert result.files == [path] and result.problems == [] and result.detail() is None


def test_detail_per_sku(tmp_path):
    path = write_csv(tmp_path / "lines.csv", [LINE_HEADER, *LINES])
    detail = load_sales([path], CONFIG, detail_months={"2026-07", "2026-08"}).detail()
    assert list(detail.itertuples(index=False, name=None)) == [
        ("001", "2026-07", "6901028", "中华(硬)", "一类", True, 300, 135000),
        ("001", "2026-07", "6901029", "红塔山", "三类", False, 150, 7),
        ("001", "2026-08", "6901028", "中华(硬)", "一类", True, 100, 45000),
        ("002", "2026-07", "6901029", "红塔山", "三类", False, 300, 123457),
        ("002", "2026-08", "6901029", "红塔山", "三类", False, 0, 0),
    ]


def test_order_lines_in_xlsx_with_dates_and_codes_as_numbers(tmp_path):
    rows = [["订单明细"], [], ["订货日期", "零售户编码", "商品编码", "销量", "销售额"],
            [dt.datetime(2026, 7, 3), 510101100001, 6901028, 2, 900.0],
            [dt.date(2026, 7, 4), 510101100001, 6901028, 1, 450.5],
            [None, None, None, None, None],
            ["总计", None, None, 3, 1350.5]]
    result = load_sales([write_xlsx(tmp_path / "o.xlsx", rows)], CONFIG, detail_months={"2026-07"})
    assert _monthly(result) == [("510101100001", "2026-07", 300, 135050, 2)]
    assert result.detail()["sku"].tolist() == ["6901028"]


def test_order_lines_in_parquet_with_typed_columns(tmp_path):
    path = write_parquet(tmp_path / "o.parquet", {
        "客户编码": ["001", "001", "002"], "订单日期": [dt.date(2026, 7, 3), dt.date(2026, 7, 3), dt.date(2026, 9, 30)],
        "卷烟编码": [6901028, 6901029, 6901028], "数量": [2.0, 1.0, 4.0], "金额": [900.0, 10.25, 1800.0]})
    assert _monthly(load_sales([path], CONFIG)) == [("001", "2026-07", 300, 91025, 1), ("002", "2026-09", 400, 180000, 1)]


def test_monthly_summary_with_every_month_spelling(tmp_path):
    rows = [["客户购进汇总"], ["客户编码", "统计月份", "购进量(条)", "购进额(元)", "订货次数"],
            ["001", "2026-07", 12, "1,200.50", 3],
            ["001", 202608, 10, 1000, 2],
            ["002", "2026年7月", "5", "500", None],
            ["002", dt.date(2026, 8, 1), 0, 0, 0]]
    result = load_sales([write_xlsx(tmp_path / "m.xlsx", rows)], CONFIG)
    assert _monthly(result) == [("001", "2026-07", 1200, 120050, 3), ("001", "2026-08", 1000, 100000, 2),
                                ("002", "2026-07", 500, 50000, 0), ("002", "2026-08", 0, 0, 0)]


def test_monthly_summary_without_order_count(tmp_path):
    rows = [["客户代码", "年月", "购进量", "金额"], ["001", "202607", "1", "2"]]
    result = load_sales([write_xls(tmp_path / "m.xls", rows)], CONFIG)
    assert _monthly(result) == [("001", "2026-07", 100, 200, None)]


def test_same_customer_twice_in_a_month_of_a_summary_names_both_rows(tmp_path):
    rows = [["客户编码", "月份", "购进量", "购进额"], ["001", "2026-07", 1, 1], ["002", "2026-07", 1, 1], ["001", "202607", 2, 2]]
    err = _error([write_csv(tmp_path / "m.csv", rows)])
    assert [(p.row, p.message) for p in err.problems] == [
        (2, "同一客户同一月份重复：与第 4 行重复"), (4, "同一客户同一月份重复：与第 2 行重复")]


def _month_file(folder: Path, name: str, month: int, customers: list[str]) -> Path:
    rows = [LINE_HEADER] + [[f"2026-{month:02d}-05", c, "6901028", "中华", "一类", "是", "1", "100"] for c in customers]
    return write_csv(folder / name, rows, encoding="gbk")


def test_a_folder_of_monthly_files(tmp_path):
    folder = tmp_path / "sales"
    folder.mkdir()
    _month_file(folder, "2026-08.csv", 8, ["001", "002"])
    _month_file(folder, "2026-07.csv", 7, ["001"])
    summary = [["客户编码", "月份", "购进量", "购进额"], ["001", "2026-09", "2", "300"]]
    write_xlsx(folder / "2026-09.xlsx", summary)
    (folder / "~$2026-09.xlsx").write_bytes(b"lock")
    (folder / "说明.docx").write_bytes(b"PK\x03\x04")
    result = load_sales([folder], CONFIG)
    assert [p.name for p in result.files] == ["2026-07.csv", "2026-08.csv", "2026-09.xlsx"]
    assert _monthly(result) == [("001", "2026-07", 100, 10000, 1), ("001", "2026-08", 100, 10000, 1),
                                ("001", "2026-09", 200, 30000, None), ("002", "2026-08", 100, 10000, 1)]
    assert [Path(s).name for s in result.monthly["source"]] == ["2026-07.csv", "2026-08.csv", "2026-09.xlsx", "2026-08.csv"]


def test_a_file_may_hold_many_months_and_the_same_file_twice_is_read_once(tmp_path):
    path = write_csv(tmp_path / "q3.csv", [LINE_HEADER, *LINES])
    result = load_sales([path, tmp_path / "." / "q3.csv"], CONFIG)
    assert result.files == [path]
    assert len(result.monthly) == 4


def test_overlapping_files_name_both_files_and_the_customer_month(tmp_path):
    a = _month_file(tmp_path, "7月.csv", 7, ["001", "002"])
    b = _month_file(tmp_path, "7月(重新导出).csv", 7, ["002", "003"])
    err = _error([a, b])
    assert err.message == "销售文件的月份重叠：7月.csv 和 7月(重新导出).csv（2026-07） 含有相同客户、相同月份的数据"
    assert [(p.customer_id, p.message) for p in err.problems] == [
        ("002", "客户 002 的 2026-07 数据同时出现在 7月.csv 和 7月(重新导出).csv 中")]


def test_months_keeps_only_the_requested_months(tmp_path):
    path = write_csv(tmp_path / "lines.csv", [LINE_HEADER, *LINES])
    result = load_sales([path], CONFIG, months={"2026-08"}, detail_months={"2026-07", "2026-08"})
    assert _monthly(result) == [("001", "2026-08", 100, 45000, 1), ("002", "2026-08", 0, 0, 1)]
    assert set(result.detail()["month"]) == {"2026-08"}


def test_detail_months_sum_only_their_lines_in_the_same_pass(tmp_path):
    path = write_csv(tmp_path / "lines.csv", [LINE_HEADER, *LINES])
    result = load_sales([path], CONFIG, detail_months={"2026-08"})
    assert _monthly(result) == _monthly(load_sales([path], CONFIG))
    assert list(result.detail()[["customer_id", "month", "sku", "volume_h"]].itertuples(index=False, name=None)) == [
        ("001", "2026-08", "6901028", 100), ("002", "2026-08", "6901029", 0)]
    assert result.detail(["002", "003"])["customer_id"].tolist() == ["002"]
    assert result.detail([]).empty
    assert load_sales([path], CONFIG, detail_months={"2026-09"}).detail() is None


def test_skus_only_on_lines_of_other_months_do_not_shift_the_names(tmp_path):
    rows = [LINE_HEADER,
            ["2026-07-03", "001", "A", "甲", "一类", "是", "1", "1"],
            ["2026-08-03", "001", "B", "乙", "二类", "否", "1", "1"],
            ["2026-08-03", "002", "C", "丙", "三类", "否", "1", "1"]]
    detail = load_sales([write_csv(tmp_path / "l.csv", rows)], CONFIG, detail_months={"2026-08"}).detail()
    assert list(detail[["sku", "sku_name", "price_class"]].itertuples(index=False, name=None)) == [
        ("B", "乙", "二类"), ("C", "丙", "三类")]


def test_require_months_names_the_missing_months_and_those_found(tmp_path):
    folder = tmp_path / "sales"
    folder.mkdir()
    _month_file(folder, "04.csv", 4, ["001"])
    _month_file(folder, "07.csv", 7, ["001"])
    _month_file(folder, "08.csv", 8, ["001"])
    err = _error([folder], months={"2026-07", "2026-08", "2026-09"}, require_months=True)
    assert err.message == "销售数据中没有 2026-09 的数据（所选期间：2026-07、2026-08、2026-09）"
    assert err.fix.startswith("数据中的月份：2026-04、2026-07、2026-08。")
    assert [(Path(p.file).name, p.message) for p in err.problems] == [("04.csv", "该文件的月份（2026-04）不在所选期间内")]
    ok = load_sales([folder], CONFIG, months={"2026-07", "2026-08"}, require_months=True)
    assert sorted(set(ok.monthly["month"])) == ["2026-07", "2026-08"]


def test_negative_and_non_numeric_quantities_name_row_column_and_value(tmp_path):
    rows = [["订单明细"], [], LINE_HEADER, *LINES[:2],
            ["2026-07-04", "003", "6901028", "中华", "一类", "是", "-2", "900"],
            ["2026-07-04", "004", "6901028", "中华", "一类", "是", "2", "九百"]]
    err = _error([write_csv(tmp_path / "lines.csv", rows)])
    assert err.message == "lines.csv 中有 2 处数据问题"
    assert [(p.row, p.column, p.value, p.message, p.customer_id) for p in err.problems] == [
        (6, "数量（条）", "-2", "不能为负数", "003"),
        (7, "金额（元）", "九百", "不是数字", "004"),
    ]
    assert "文件 lines.csv，第 6 行，列「数量（条）」，值「-2」：不能为负数。" in err.render()


def test_bad_dates_codes_and_enums_in_order_lines(tmp_path):
    rows = [LINE_HEADER,
            ["2026-07-32", "001", "6901028", "中华", "一类", "是", "1", "1"],
            ["2026-07-03", "5.101E+11", "6901028", "中华", "一类", "是", "1", "1"],
            ["2026-07-03", "002", "6901028", "中华", "六类", "是", "1", "1"],
            ["2026-07-03", "003", "", "中华", "一类", "是", "1", "1"]]
    err = _error([write_csv(tmp_path / "l.csv", rows)], detail_months={"2026-07"})
    assert [(p.row, p.column, p.value) for p in err.problems] == [
        (2, "订单日期", "2026-07-32"), (3, "客户编码", "5.101E+11"), (4, "价类", "六类"), (5, "卷烟编码", "")]


def test_skip_invalid_leaves_bad_rows_out_and_returns_them(tmp_path):
    rows = [LINE_HEADER, *LINES, ["2026-07-04", "003", "6901028", "中华", "一类", "是", "-2", "900"],
            ["2026-07-05", "", "6901028", "中华", "一类", "是", "2", "900"]]
    result = load_sales([write_csv(tmp_path / "l.csv", rows)], CONFIG, skip_invalid=True)
    assert [c for c, *_ in _monthly(result)] == ["001", "001", "002", "002"]
    assert [(p.row, p.customer_id, p.message) for p in result.problems] == [
        (8, "003", "不能为负数"), (9, None, "客户编码为空")]


def test_file_level_problems_still_fail_under_skip_invalid(tmp_path):
    path = write_csv(tmp_path / "l.csv", [["客户编码", "订单日期", "数量"], ["001", "2026-07-01", "1"]])
    err = _error([path], skip_invalid=True)
    assert err.message == "文件 l.csv 缺少必需的列：卷烟编码、购进额"


def test_sales_file_with_header_only(tmp_path):
    err = _error([write_csv(tmp_path / "l.csv", [["标题"], LINE_HEADER])])
    assert err.message == "文件 l.csv 只有表头，没有数据行"
    assert err.problems[0].row == 2


def test_missing_paths_and_empty_folders(tmp_path):
    assert _error([tmp_path / "nope"]).message == f"找不到文件或文件夹：{tmp_path / 'nope'}"
    (tmp_path / "empty").mkdir()
    assert _error([tmp_path / "empty"]).message == f"文件夹 {tmp_path / 'empty'} 中没有可读取的文件"


def _big_file(path: Path, n: int, extra: dict[int, str] | None = None) -> Path:
    """n order lines of 100 customers over July and August; `extra` puts raw text before line i."""
    lines = []
    for i in range(n):
        if extra and i in extra:
            lines.append(extra[i])
        lines.append(f"2026-0{7 + i % 2}-{1 + i % 28:02d},{i % 100:05d},69010{i % 7},3,12.34\r\n")
    path.write_text("订单日期,客户编码,卷烟编码,数量,金额\r\n" + "".join(lines), encoding="utf-8")
    return path


def test_many_batches_keep_row_numbers_and_sums_exact(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_reader, "BLOCK_SIZE", 4096)
    extra = {1500: "\r\n", 3000: "2026-07-01,00007,6901,x,1\r\n", 3500: "1,2\r\n", 4000: "2026-07-01,00008,6901,-1,1\r\n"}
    path = _big_file(tmp_path / "big.csv", 5000, extra)
    err = _error([path])
    # header on row 1, line i on row i + 2 plus one row for each extra line before it
    assert [(p.row, p.value) for p in err.problems] == [(3003, "x"), (3504, "1,2"), (4005, "-1")]
    result = load_sales([path], CONFIG, skip_invalid=True)
    assert len(result.problems) == 3
    assert result.monthly["volume_h"].sum() == 5000 * 300
    assert result.monthly["amount_c"].sum() == 5000 * 1234
    assert result.monthly["orders"].sum() == len({(i % 100, i % 2, i % 28) for i in range(5000)})


def test_progress_reports_bytes_over_all_files(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_reader, "BLOCK_SIZE", 4096)
    monkeypatch.setattr(csv_segments, "FIRST_SEGMENT_BYTES", 4096)
    monkeypatch.setattr(csv_segments, "SEGMENT_BYTES", 8192)
    a = _big_file(tmp_path / "a.csv", 2000)
    b = write_xlsx(tmp_path / "b.xlsx", [["客户编码", "月份", "购进量", "购进额"], ["900", "2026-09", 1, 1]])
    seen: list[tuple[int, int]] = []
    load_sales([a, b], CONFIG, progress=lambda done, total: seen.append((done, total)))
    total = a.stat().st_size + b.stat().st_size
    assert {t for _, t in seen} == {total}
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert len(seen) > 3 and seen[-1][0] == total


def test_wrong_encoding_in_the_middle_of_a_big_file(tmp_path):
    head = "订单日期,客户编码,卷烟编码,数量,金额\r\n" + "2026-07-01,001,6901,1,1\r\n" * 20000
    path = tmp_path / "mixed.csv"
    path.write_bytes(head.encode("utf-8") + "2026-07-01,红塔山,6901,1,1\r\n".encode("gbk"))
    err = _error([path])  # issue 8: the line where the encoding changes is named
    assert err.message.startswith("文件 mixed.csv 从第 20002 行起编码与前面不同")
    assert err.problems[0].row == 20002 and "--encoding" in err.render()


@pytest.mark.parametrize("first, then", [("utf-8", "gbk"), ("gbk", "utf-8")])
def test_encoding_change_after_many_ascii_blocks_names_its_row(tmp_path, monkeypatch, first, then):
    monkeypatch.setattr(textfile, "HEAD_BYTES", 8192)  # the change lies after the head
    monkeypatch.setattr(textfile, "CHECK_BYTES", 4096)  # ASCII blocks pass undecoded; the row stays exact
    lines = "".join(f"2026-07-01,{i:06d},6901,1,1\r\n" for i in range(5000))
    path = tmp_path / "mixed.csv"
    path.write_bytes("订单日期,客户编码,卷烟编码,数量,金额\r\n".encode(first) + lines.encode("ascii")
                     + "2026-07-01,红塔山,6901,1,1\r\n".encode(then) + lines.encode("ascii"))
    err = _error([path])
    assert err.message.startswith("文件 mixed.csv 从第 5002 行起编码与前面不同")
    assert err.problems[0].row == 5002


@pytest.mark.parametrize("first, then", [("utf-8", "gbk"), ("gbk", "utf-8")])
@pytest.mark.parametrize("quoted", [False, True])
def test_encoding_change_in_a_later_segment_names_its_row(tmp_path, monkeypatch, first, then, quoted):
    """Issue 13: the fast path checks each segment's lines as it reads them (no second pass
    over the file); where it gives way to the careful reader (a quote), the whole file is
    checked first. Either way the row where the encoding changes is named."""
    monkeypatch.setattr(textfile, "HEAD_BYTES", 8192)  # the change lies after the head
    monkeypatch.setattr(csv_segments, "FIRST_SEGMENT_BYTES", 4096)
    monkeypatch.setattr(csv_segments, "SEGMENT_BYTES", 8192)
    lines = "".join(f"2026-07-01,{i:06d},6901,1,1\r\n" for i in range(3000))
    opening = '2026-07-01,"000001",6901,1,1\r\n' if quoted else "2026-07-01,000001,6901,1,1\r\n"
    path = tmp_path / "mixed.csv"
    path.write_bytes("订单日期,客户编码,卷烟编码,数量,金额\r\n".encode(first) + opening.encode("ascii")
                     + lines.encode("ascii") + "2026-07-01,红塔山,6901,1,1\r\n".encode(then) + lines.encode("ascii"))
    err = _error([path])
    assert err.message.startswith("文件 mixed.csv 从第 3003 行起编码与前面不同"), err.message
    assert err.problems[0].row == 3003


def test_thousands_separators_and_full_width_digits_in_a_csv(tmp_path):
    rows = [LINE_HEADER, ["2026-07-03", "001", "1", "a", "一类", "是", "１，０００", "1,234.50"]]
    path = write_csv(tmp_path / "l.csv", rows, encoding="utf-8-sig")
    assert '"1,234.50"' in path.read_text(encoding="utf-8-sig")
    assert _monthly(load_sales([path], CONFIG)) == [("001", "2026-07", 100000, 123450, 1)]


def test_thousands_of_customers_and_skus_over_many_batches(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_reader, "BLOCK_SIZE", 8192)
    monkeypatch.setattr(sku_sums, "_MERGE_AT", 500)
    lines = [f"2026-0{7 + i // 3000}-{1 + i % 5:02d},{i % 3000:06d},{i % 40},品规{i % 40},{'一二'[i % 2]}类,{i % 2},1,{i % 7}.01\r\n"
             for i in range(9000)]
    path = tmp_path / "many.csv"
    path.write_text("订单日期,客户编码,卷烟编码,卷烟名称,价类,是否重点品牌,数量,金额\r\n" + "".join(lines), encoding="utf-8")
    result = load_sales([path], CONFIG, detail_months={"2026-07", "2026-08", "2026-09"})
    monthly, detail = result.monthly, result.detail()
    assert len(monthly) == 9000 and monthly["customer_id"].nunique() == 3000
    assert monthly["volume_h"].sum() == detail["volume_h"].sum() == 900000
    assert monthly["amount_c"].sum() == detail["amount_c"].sum() == sum(100 * (i % 7) + 1 for i in range(9000))
    row = monthly[(monthly["customer_id"] == "002999") & (monthly["month"] == "2026-09")].iloc[0]
    assert (row["volume_h"], row["amount_c"], row["orders"]) == (100, 100 * (8999 % 7) + 1, 1)
    first = detail.iloc[0]
    assert tuple(first) == ("000000", "2026-07", "0", "品规0", "一类", False, 100, 1)


def test_an_error_of_the_merging_thread_is_raised_by_the_load(tmp_path, monkeypatch):
    """SkuSums merges in a thread of its own: what fails there fails the load (at the next merge), not silently."""
    monkeypatch.setattr(sku_sums, "_MERGE_AT", 10)
    monkeypatch.setattr(csv_segments, "FIRST_SEGMENT_BYTES", 512)
    monkeypatch.setattr(csv_segments, "SEGMENT_BYTES", 512)  # batches of a few lines: many merges

    def fail(*columns):
        raise MemoryError("merge")

    monkeypatch.setattr(sku_sums, "_reduce", fail)
    lines = [f"2026-07-01,{i:06d},{i % 4},品规,一类,是,1,1\r\n" for i in range(100)]
    path = tmp_path / "l.csv"
    path.write_text("订单日期,客户编码,卷烟编码,卷烟名称,价类,是否重点品牌,数量,金额\r\n" + "".join(lines), encoding="utf-8")
    with pytest.raises(MemoryError, match="merge"):
        load_sales([path], CONFIG, detail_months={"2026-07"})


@pytest.mark.parametrize("high", [3, 2**25])  # small ids: the packed sort; huge ones: argsort
def test_sku_sums_reduce_to_sorted_distinct_keys_with_exact_sums(high):
    rng = np.random.default_rng(7)
    fields = [rng.integers(0, 4, 5000) + 600, rng.integers(0, high, 5000), rng.integers(0, high, 5000)]
    keys = (fields[0] << 52) | (fields[1] << 26) | fields[2]
    volume, amount = rng.integers(0, 10**6, 5000), rng.integers(0, 10**9, 5000)
    got_keys, got_volume, got_amount = sku_sums._reduce(keys, volume, amount)
    expected = pd.DataFrame({"k": keys, "v": volume, "a": amount}).groupby("k").sum()
    assert got_keys.tolist() == expected.index.tolist()
    assert got_volume.tolist() == expected["v"].tolist() and got_amount.tolist() == expected["a"].tolist()


def test_the_last_detail_lets_the_packed_sums_go(tmp_path):
    """top5 reads the members' detail once (`last=True`): the sums of every customer go with it."""
    a = _month_file(tmp_path, "07.csv", 7, ["002", "001"])
    loaded = load_sales([a], CONFIG, detail_months={"2026-07"})
    assert loaded.detail(["001"])["customer_id"].tolist() == ["001"]
    assert loaded.detail(["002"], last=True)["customer_id"].tolist() == ["002"]
    assert loaded.skus == [] and loaded.detail() is None


def test_detail_from_several_files_and_none_without_order_lines(tmp_path):
    a = _month_file(tmp_path, "07.csv", 7, ["002", "001"])
    b = _month_file(tmp_path, "08.csv", 8, ["001"])
    detail = load_sales([b, a], CONFIG, detail_months={"2026-07", "2026-08"}).detail()
    assert list(detail[["customer_id", "month", "volume_h"]].itertuples(index=False, name=None)) == [
        ("001", "2026-07", 100), ("001", "2026-08", 100), ("002", "2026-07", 100)]
    summary = write_csv(tmp_path / "m.csv", [["客户编码", "月份", "购进量", "购进额"], ["001", "2026-09", "1", "1"]])
    assert load_sales([summary], CONFIG, detail_months={"2026-09"}).detail() is None


def test_a_code_written_two_ways_in_one_batch_is_one_customer(tmp_path):
    # " 001" and "001" parse to one code: one customer, one SKU, not two (nor an overlap of the file with itself)
    rows = [LINE_HEADER, ["2026-07-03", "001", "6901028", "中华(硬)", "一类", "是", "2", "900"],
            ["2026-07-04", " 001", " 6901028", "中华(硬)", "一类", "是", "1", "450"]]
    result = load_sales([write_csv(tmp_path / "lines.csv", rows)], CONFIG, detail_months={"2026-07"})
    assert _monthly(result) == [("001", "2026-07", 300, 135000, 2)]
    assert list(result.detail()[["customer_id", "sku", "volume_h"]].itertuples(index=False, name=None)) == [
        ("001", "6901028", 300)]


def test_iso_dates_are_read_as_dates_by_the_fast_path_and_others_after_them_still_are(tmp_path, monkeypatch):
    # the first lines write 2026-07-03, so the fast path reads dates as such; a later 2026/8/1 and
    # 20260802 hand the rest of the file to the careful reader, which reads them as before
    lines = [["2026-07-03", f"{i % 50:05d}", "6901028", "HT", "一类", "是", "1", "10"] for i in range(3000)]
    monkeypatch.setattr(textfile, "HEAD_BYTES", 4096)  # the later dates beyond the first lines
    lines += [["2026/8/1", "00001", "6901028", "HT", "一类", "是", "2", "20"],
              ["20260802", "00001", "6901028", "HT", "一类", "是", "3", "30"]]
    path = write_csv(tmp_path / "lines.csv", [LINE_HEADER, *lines])
    monkeypatch.setattr(csv_segments, "SEGMENT_BYTES", 4096)
    monkeypatch.setattr(csv_segments, "FIRST_SEGMENT_BYTES", 4096)
    types = []
    parse = csv_segments._parse
    monkeypatch.setattr(csv_segments, "_parse", lambda layout, *a: types.append(layout.types) or parse(layout, *a))
    result = load_sales([path], CONFIG)
    assert types and all("date32" in str(t.values()) for t in types)
    assert _monthly(result)[:1] == [("00000", "2026-07", 6000, 60000, 1)]
    assert ("00001", "2026-08", 500, 5000, 2) in _monthly(result)


def test_an_error_of_the_last_merge_is_raised_when_the_detail_is_read(tmp_path, monkeypatch):
    """The last merge goes on after the load: what fails there fails the reading of the detail."""
    monkeypatch.setattr(sku_sums, "_MERGE_AT", 150)
    reduce = sku_sums._reduce
    calls = []

    def fail_second(*columns):
        calls.append(1)
        if len(calls) > 1:
            raise MemoryError("last merge")
        return reduce(*columns)

    monkeypatch.setattr(sku_sums, "_reduce", fail_second)
    lines = [f"2026-07-01,{i:06d},{i % 4},品规,一类,是,1,1\r\n" for i in range(400)]
    path = tmp_path / "l.csv"
    path.write_text("订单日期,客户编码,卷烟编码,卷烟名称,价类,是否重点品牌,数量,金额\r\n" + "".join(lines), encoding="utf-8")
    result = load_sales([path], CONFIG, detail_months={"2026-07"})
    with pytest.raises(MemoryError, match="last merge"):
        result.detail()
