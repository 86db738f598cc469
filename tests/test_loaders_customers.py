"""Loading the customer master (客户信息) from every format and quirk of data.md."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from cmtool.config import Config
from cmtool.errors import DataError
from cmtool.fields import BREACH_FIELDS, OTHER_BASE_FIELDS
from cmtool.io import rows as rows_module
from cmtool.io.loaders import load_customers, load_table
from tests.filemakers import (
    CUSTOMER_HEADER,
    TITLE_ROWS,
    customer_row,
    csv_text,
    write_csv,
    write_parquet,
    write_xls,
    write_xlsx,
)

CONFIG = Config()

# 3 title rows (row 3 blank), header on Excel row 4, data from row 5.
ROWS = [
    *TITLE_ROWS,
    CUSTOMER_HEADER,
    customer_row(1, "510101100001", "张三食杂店", "食杂", "城网"),
    customer_row(2, "0510101100002", "李四便利店", "便利店", "乡村", status="注销"),
    customer_row(3, "510101100003", "王五烟酒店", "烟酒店", "农网", manager="李强", department="郊区营销部"),
]
IDS = ["510101100001", "0510101100002", "510101100003"]


def _load(path: Path, **options) -> pd.DataFrame:
    return load_customers(path, CONFIG, **options).frame


def _error(path: Path, **options) -> DataError:
    with pytest.raises(DataError) as caught:
        load_customers(path, CONFIG, **options)
    return caught.value


def _check_master(frame: pd.DataFrame, first_row: int = 5) -> None:
    assert frame["customer_id"].tolist() == IDS
    assert frame["format"].tolist() == ["食杂店", "便利店", "烟酒商店"]
    assert frame["market"].tolist() == ["城镇", "乡村", "乡村"]
    assert frame["manager"].tolist() == ["王芳", "王芳", "李强"]
    assert frame["active"].tolist() == [True, False, True]
    assert frame["source_row"].tolist() == [first_row, first_row + 1, first_row + 2]


def test_xlsx_with_title_rows_merged_title_blank_and_total_rows(tmp_path):
    rows = [*ROWS, [], [None, None, None], ["合计", None, None, None, None, None, None, None]]
    frame = _load(write_xlsx(tmp_path / "客户信息.xlsx", rows, merge="A1:H1"))
    _check_master(frame)
    assert frame["department"].tolist() == ["城区营销部", "城区营销部", "郊区营销部"]
    assert frame["status"].tolist() == ["正常", "注销", "正常"]


def test_canonical_frame_has_every_column_with_its_dtype(tmp_path):
    frame = _load(write_xlsx(tmp_path / "c.xlsx", ROWS))
    assert list(frame.columns) == [
        "customer_id", "name", "format", "market", "manager", "department", "license_no", "scale",
        "class_name", "group", "quota_group", "status", "active", "joined", "order_weekday", "visit_cycle",
        "expected_monthly", "phone", "address", "visit_frequency", "visit_weekday", "visit_mode", "route",
        "route_order", "contact", *(fd.name for fd in OTHER_BASE_FIELDS), "source_row",
    ]
    assert frame["license_no"].isna().all() and frame["joined"].isna().all()
    assert pd.api.types.is_string_dtype(frame["customer_id"])
    assert frame["order_weekday"].dtype == "Int8"
    assert frame["expected_monthly"].dtype == "float64"
    assert frame["active"].dtype == bool
    assert frame["source_row"].dtype == "int64"
    assert pd.api.types.is_datetime64_any_dtype(frame["joined"])


def test_xlsx_codes_stored_as_numbers_become_text(tmp_path):
    rows = [CUSTOMER_HEADER, customer_row(1, 510101100001, "张三"), customer_row(2, 510101100002.0, "李四")]
    frame = _load(write_xlsx(tmp_path / "c.xlsx", rows))
    assert frame["customer_id"].tolist() == ["510101100001", "510101100002"]
    assert frame["source_row"].tolist() == [2, 3]


def test_xls_written_by_xlwt(tmp_path):
    header = [*CUSTOMER_HEADER, "入网日期", "订货日", "月预计销量（条）"]
    rows = [
        *TITLE_ROWS,
        header,
        [*customer_row(1, 510101100001, "张三食杂店", "食杂", "城网"), dt.date(2020, 3, 1), "周二", 120],
        [*customer_row(2, "0510101100002", "李四便利店", "便利店", "乡村", status="注销"), "2021/5/6", 3, "1,234.5"],
        [*customer_row(3, "510101100003", "王五烟酒店", "烟酒店", "农网", manager="李强", department="郊区营销部"),
         None, "星期日", None],
    ]
    frame = _load(write_xls(tmp_path / "客户信息.xls", rows))
    _check_master(frame)
    assert frame["joined"].tolist()[:2] == [pd.Timestamp("2020-03-01"), pd.Timestamp("2021-05-06")]
    assert frame["order_weekday"].tolist() == [2, 3, 7]
    assert frame["expected_monthly"].tolist()[:2] == [120.0, 1234.5]
    assert pd.isna(frame["expected_monthly"].iloc[2])


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_are_detected(tmp_path, encoding):
    frame = _load(write_csv(tmp_path / "客户信息.csv", ROWS, encoding=encoding))
    _check_master(frame)
    assert frame["name"].tolist() == ["张三食杂店", "李四便利店", "王五烟酒店"]


def test_gb18030_only_characters(tmp_path):
    rows = [CUSTOMER_HEADER, customer_row(1, "001", "𠀀记商行")]
    assert _load(write_csv(tmp_path / "c.csv", rows, encoding="gb18030"))["name"].tolist() == ["𠀀记商行"]


def test_encoding_override(tmp_path):
    path = write_csv(tmp_path / "c.csv", ROWS, encoding="gbk")
    _check_master(_load(path, encoding="gbk"))
    err = _error(path, encoding="utf-8")
    assert "不是 utf-8 编码" in err.message
    assert "--encoding" in err.render()


def test_unreadable_encoding(tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes("客户编码,客户名称\n".encode("utf-8") + b"\x81\x20\x81\x20,\xff\xfe\n")
    err = _error(path)
    assert err.message == "无法识别文件 c.csv 的编码"
    assert "--encoding" in err.render()


def test_tab_separated_txt_and_excel_unicode_text(tmp_path):
    _check_master(_load(write_csv(tmp_path / "c.txt", ROWS, delimiter="\t", encoding="gbk")))
    _check_master(_load(write_csv(tmp_path / "u.txt", ROWS, delimiter="\t", encoding="utf-16")))


def test_parquet_with_typed_columns(tmp_path):
    path = write_parquet(tmp_path / "c.parquet", {
        "客户编码": [510101100001, 510101100002], "客户名称": ["张三", "李四"], "业态": ["食杂", "超市"],
        "城乡类型": ["城镇", "乡村"], "客户经理": ["王芳", "王芳"], "入网日期": [dt.date(2020, 1, 2), None],
        "订货日": [1, 5],
    })
    frame = _load(path)
    assert frame["customer_id"].tolist() == ["510101100001", "510101100002"]
    assert frame["format"].tolist() == ["食杂店", "超市"]
    assert frame["order_weekday"].tolist() == [1, 5]
    assert frame["joined"].iloc[0] == pd.Timestamp("2020-01-02") and pd.isna(frame["joined"].iloc[1])
    assert frame["source_row"].tolist() == [2, 3]


def test_header_aliases_with_units_spaces_and_full_width_brackets(tmp_path):
    rows = [["零售户编码", "店 名", "经营业态（类型）", "城网/农网", "客户经理", "经营规模", "月预计销量(条)"],
            ["001", "张三", "便利", "城区", "王芳", "中户", "１，２００"]]
    frame = _load(write_csv(tmp_path / "c.csv", rows))
    assert frame[["customer_id", "name", "format", "market", "scale"]].iloc[0].tolist() == ["001", "张三", "便利店", "城镇", "中"]
    assert frame["expected_monthly"].tolist() == [1200.0]


def test_config_aliases(tmp_path):
    rows = [["零售户代码", "客户名称", "业态", "市场类型", "客户经理"], ["001", "张三", "食杂店", "城镇", "王芳"]]
    path = write_csv(tmp_path / "c.csv", rows)
    assert "缺少必需的列：客户编码" in _error(path).message
    config = Config(aliases={"customer_id": ["零售户代码"]})
    assert load_customers(path, config).frame["customer_id"].tolist() == ["001"]


def test_leading_zeros_and_tricks_in_csv_are_kept(tmp_path):
    rows = [CUSTOMER_HEADER, customer_row(1, "000123", "甲"), customer_row(2, '="000124"', "乙"),
            customer_row(3, "510101100003.0", "丙")]
    assert _load(write_csv(tmp_path / "c.csv", rows))["customer_id"].tolist() == ["000123", "000124", "510101100003"]


def test_total_rows_are_dropped_but_a_shop_called_huizong_is_kept(tmp_path):
    header = ["客户名称", "客户编码", "业态", "市场类型", "客户经理"]
    rows = [header, ["汇总便利店", "001", "便利店", "城镇", "王芳"], ["小计", "", "", "", ""],
            ["张三", "002", "食杂店", "城镇", "王芳"], ["", "总计：2 户", "", "", ""], ["合计", None, None, None, None]]
    frame = _load(write_csv(tmp_path / "c.csv", rows))
    assert frame["name"].tolist() == ["汇总便利店", "张三"]
    assert frame["source_row"].tolist() == [2, 4]


def test_first_matching_sheet_or_the_named_one(tmp_path):
    notes = [["说明"], ["本表由 V3 导出"]]
    path = write_xlsx(tmp_path / "c.xlsx", ROWS, sheet="客户", extra_sheets=[("说明", notes)])
    _check_master(_load(path))
    _check_master(_load(path, sheet="客户"))
    err = _error(path, sheet="客户表")
    assert err.message == "文件 c.xlsx 中没有名为「客户表」的工作表"
    assert err.fix == "工作表有：说明、客户"


def _single(err: DataError):
    assert len(err.problems) == 1, err.render()
    return err.problems[0]


def test_unknown_format_names_file_sheet_row_column_and_value(tmp_path):
    rows = [*ROWS, customer_row(4, "510101100004", "赵六", "网吧")]
    err = _error(write_xlsx(tmp_path / "客户信息.xlsx", rows, sheet="客户"))
    p = _single(err)
    assert (Path(p.file).name, p.sheet, p.row, p.column, p.value) == ("客户信息.xlsx", "客户", 8, "经营业态", "网吧")
    assert p.customer_id == "510101100004"
    text = err.render()
    assert "文件 客户信息.xlsx，工作表 客户，第 8 行，列「经营业态」，值「网吧」：经营业态「网吧」不是可接受的取值" in text
    assert "可接受的取值：食杂店（食杂、杂货店）、便利店（便利）" in text
    assert "--skip-invalid" in text


def test_unknown_market_and_status_are_errors(tmp_path):
    rows = [*ROWS, customer_row(4, "4", "赵六", market="郊区"), customer_row(5, "5", "钱七", status="冻结")]
    err = _error(write_csv(tmp_path / "c.csv", rows))
    assert [(p.row, p.column, p.value) for p in err.problems] == [(8, "市场类型", "郊区"), (9, "客户状态", "冻结")]
    assert "可接受的取值：城镇（城网、城市、城区）、乡村（农网、农村）" in err.problems[0].fix


def test_all_problems_of_a_file_are_collected(tmp_path):
    rows = [*ROWS, customer_row(4, "4", "甲", "网吧"), customer_row(5, "", "乙"),
            customer_row(6, "5.101E+11", "丙"), customer_row(7, "7", "丁", market="")]
    err = _error(write_csv(tmp_path / "c.csv", rows))
    assert err.message == "c.csv 中有 4 处数据问题"
    assert [(p.row, p.column, p.value) for p in err.problems] == [
        (8, "经营业态", "网吧"), (9, "客户编码", ""), (10, "客户编码", "5.101E+11"), (11, "市场类型", "")]
    assert err.problems[1].message == "客户编码为空"
    assert "科学计数法" in err.problems[2].message
    assert err.problems[3].message == "市场类型为空"


def test_duplicate_customer_code_names_both_rows(tmp_path):
    rows = [*ROWS, customer_row(4, "510101100001", "张三二店")]
    err = _error(write_xlsx(tmp_path / "c.xlsx", rows))
    assert [(p.row, p.value, p.message) for p in err.problems] == [
        (5, "510101100001", "客户编码重复：与第 8 行重复"),
        (8, "510101100001", "客户编码重复：与第 5 行重复"),
    ]


def test_skip_invalid_drops_bad_rows_and_returns_them(tmp_path):
    rows = [*ROWS, customer_row(4, "510101100004", "赵六", "网吧"), customer_row(5, "510101100001", "张三二店")]
    loaded = load_customers(write_csv(tmp_path / "c.csv", rows), CONFIG, skip_invalid=True)
    assert loaded.frame["customer_id"].tolist() == IDS[1:]
    assert [(p.row, p.customer_id) for p in loaded.problems] == [
        (8, "510101100004"), (5, "510101100001"), (9, "510101100001")]


def test_missing_required_column_lists_the_headers_found(tmp_path):
    rows = [*TITLE_ROWS, ["客户编码", "客户名称", "业态", "客户经理"], ["1", "甲", "食杂店", "王芳"]]
    err = _error(write_xlsx(tmp_path / "c.xlsx", rows, sheet="客户"))
    assert err.message == "文件 c.xlsx 的工作表「客户」缺少必需的列：市场类型"
    assert err.fix.startswith("文件第 4 行的列名是：客户编码、客户名称、业态、客户经理")
    p = _single(err)
    assert (p.row, p.sheet) == (4, "客户")
    assert "市场类型、城乡类型、城网/农网" in p.message


def test_no_header_at_all(tmp_path):
    err = _error(write_csv(tmp_path / "c.csv", [["姓名", "电话"], ["张三", "123"]]))
    assert err.message.startswith("文件 c.csv 缺少必需的列：客户编码、客户名称、经营业态、市场类型、客户经理")
    assert "姓名、电话" in err.fix


def test_two_headers_for_one_field(tmp_path):
    rows = [["客户编码", "客户名称", "店名", "业态", "市场类型", "客户经理"]]
    err = _error(write_csv(tmp_path / "c.csv", rows))
    assert err.message == "文件 c.csv 第 1 行的「客户名称」和「店名」两列都表示「客户名称」"


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.xlsx", b"", "文件是空的：empty.xlsx"),
        ("empty.csv", b"", "文件是空的：empty.csv"),
        ("renamed.xlsx", csv_text(ROWS).encode(), "文件 renamed.xlsx 的扩展名是 .xlsx，但内容是文本（CSV 等）"),
        ("web.xls", b"<html><body><table><tr><td>1</td></tr></table></body></html>",
         "文件 web.xls 的扩展名是 .xls，但内容是网页（HTML/XML）"),
        ("junk.xlsx", bytes(range(256)) * 4, "文件 junk.xlsx 的扩展名是 .xlsx，但内容是无法识别的二进制数据，不是表格文件"),
        ("junk.csv", b"\x00\x01\x02" * 100, "文件 junk.csv 的扩展名是 .csv，但内容是无法识别的二进制数据，不是表格文件"),
        ("notes.docx", b"PK\x03\x04", "不支持的文件类型「.docx」：notes.docx"),
    ],
)
def test_files_that_are_not_what_they_say(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    assert _error(path).message == expected


def test_workbook_renamed_as_csv_and_zip_that_is_no_workbook(tmp_path):
    real = write_xlsx(tmp_path / "c.xlsx", ROWS)
    renamed = tmp_path / "c.csv"
    renamed.write_bytes(real.read_bytes())
    err = _error(renamed)
    assert err.message == "文件 c.csv 的扩展名是 .csv，但内容是Excel 工作簿"
    assert err.fix == "请把文件扩展名改为 .xlsx 或 .xls"
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    assert _error(fake).message == "无法读取 Excel 文件 fake.xlsx"


def test_xls_that_is_really_xlsx_is_read(tmp_path):
    real = write_xlsx(tmp_path / "c.xlsx", ROWS)
    renamed = tmp_path / "c.xls"
    renamed.write_bytes(real.read_bytes())
    _check_master(_load(renamed))


def test_missing_path_and_header_only_file(tmp_path):
    assert _error(tmp_path / "nope.xlsx").message == f"找不到文件：{tmp_path / 'nope.xlsx'}"
    err = _error(write_xlsx(tmp_path / "h.xlsx", [*TITLE_ROWS, CUSTOMER_HEADER, [None] * 3]))
    assert err.message == "文件 h.xlsx 只有表头，没有数据行"
    assert err.problems[0].row == 4


def test_empty_workbook(tmp_path):
    err = _error(write_xlsx(tmp_path / "e.xlsx", []))
    assert err.message == "文件 e.xlsx 的工作表「Sheet1」是空的，没有表头和数据"


def test_row_numbers_count_quoted_line_breaks_as_excel_does(tmp_path):
    header = [*CUSTOMER_HEADER, "经营地址"]
    rows = [header, [*customer_row(1, "1", "甲"), "成都市\n锦江区"], [*customer_row(2, "2", "乙", "网吧"), "x"]]
    err = _error(write_csv(tmp_path / "c.csv", rows))
    assert _single(err).row == 3
    rows[2][3] = "超市"
    assert _load(write_csv(tmp_path / "d.csv", rows))["address"].tolist() == ["成都市\n锦江区", "x"]


def test_rows_with_a_wrong_number_of_cells(tmp_path):
    text = csv_text(ROWS) + "1,2,3\r\n" + csv_text([customer_row(5, "5", "戊", "网吧")]) + "合计,3\r\n"
    path = tmp_path / "c.csv"
    path.write_text(text, encoding="utf-8")
    err = _error(path)
    assert [(p.row, p.value) for p in err.problems] == [(8, "1,2,3"), (9, "网吧")]
    assert err.problems[0].message == "这一行的列数与表头不一致"


def test_load_table_reads_any_table(tmp_path):
    rows = [["违约记录"], ["客户编码", "违约日期", "违规类型", "说明"], ["001", "2026/7/3", "跨区销售", ""],
            ["002", "2026年7月9日", "价格违规", "第二次"]]
    loaded = load_table(write_csv(tmp_path / "b.csv", rows), BREACH_FIELDS, CONFIG)
    frame = loaded.frame
    assert frame["customer_id"].tolist() == ["001", "002"]
    assert frame["date"].tolist() == [pd.Timestamp("2026-07-03"), pd.Timestamp("2026-07-09")]
    assert frame["breach_type"].tolist() == ["跨区销售", "价格违规"]
    assert frame["detail"].isna().tolist() == [True, False]
    assert frame["source_row"].tolist() == [3, 4]


def test_row_problems_and_duplicates_are_reported_together(tmp_path):
    rows = [*ROWS, customer_row(4, "4", "甲", "网吧"), customer_row(5, "510101100003", "王五二店")]
    err = _error(write_csv(tmp_path / "c.csv", rows))
    assert [(p.row, p.column) for p in err.problems] == [(8, "经营业态"), (7, "客户编码"), (9, "客户编码")]


def test_reading_stops_at_the_problem_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(rows_module, "STRICT_LIMIT", 5)
    rows = [CUSTOMER_HEADER] + [customer_row(i, str(i), "甲", "网吧") for i in range(1, 11)]
    err = _error(write_csv(tmp_path / "c.csv", rows))
    assert err.message == "c.csv 中的数据问题已达 5 处，已停止读取"
    assert [p.row for p in err.problems] == [2, 3, 4, 5, 6]


def test_too_many_skipped_rows_end_the_run(tmp_path, monkeypatch):
    monkeypatch.setattr(rows_module, "SKIP_LIMIT", 3)
    rows = [CUSTOMER_HEADER] + [customer_row(i, str(i), "甲", "网吧") for i in range(1, 11)]
    with pytest.raises(DataError, match="有问题的行超过 3 行"):
        load_customers(write_csv(tmp_path / "c.csv", rows), CONFIG, skip_invalid=True)


def test_merged_department_cells_fill_every_customer_they_cover(tmp_path):
    rows = [*ROWS, customer_row(4, "510101100004", "赵六", department="")]
    rows[4][6] = "城区营销部"
    rows[5][6] = rows[6][6] = None
    path = write_xlsx(tmp_path / "c.xlsx", rows, merge="G5:G7")
    assert _load(path)["department"].fillna("无").tolist() == ["城区营销部", "城区营销部", "城区营销部", "无"]


def test_header_with_trailing_empty_cells(tmp_path):
    text = csv_text([CUSTOMER_HEADER]).replace("\r\n", ",,\r\n") + csv_text(ROWS[4:])
    path = tmp_path / "c.csv"
    path.write_text(text, encoding="utf-8")
    _check_master(_load(path), first_row=2)


def test_missing_column_in_a_comma_separated_txt_lists_its_headers(tmp_path):
    err = _error(write_csv(tmp_path / "c.txt", [["客户编码", "客户名称", "业态", "客户经理"], ["1", "甲", "食杂店", "王芳"]]))
    assert err.message == "文件 c.txt 缺少必需的列：市场类型"
    assert err.fix.startswith("文件第 1 行的列名是：客户编码、客户名称、业态、客户经理。")
