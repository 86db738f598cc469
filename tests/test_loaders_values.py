"""Cell parsers and header matching of the loaders (data.md; domain.md R-CLASS value synonyms)."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
from hypothesis import given, settings, strategies as st

from cmtool.fields import CUSTOMER_FIELDS, MONTHLY_SALES_FIELDS, ORDER_LINE_FIELDS
from cmtool.io.columns import parse_column
from cmtool.io.headers import DuplicateColumn, HeaderNotFound, find_header, header_key
from cmtool.io.values import (
    VOCABULARIES,
    Invalid,
    cell_text,
    parse_code,
    parse_date,
    parse_month,
    parse_number,
    parser_for,
)

FIELD = {fd.name: fd for fd in CUSTOMER_FIELDS + ORDER_LINE_FIELDS + MONTHLY_SALES_FIELDS}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("510101100001", "510101100001"),
        ("0510101100002", "0510101100002"),
        (" 510101100001 ", "510101100001"),
        ("510101100001.0", "510101100001"),
        ("５１０１０１", "510101"),
        ('="000123"', "000123"),
        ("'000123", "000123"),
        ("ZY-001", "ZY-001"),
    ],
)
def test_codes_are_text_with_leading_zeros(text, code):
    assert parse_code(text) == code


@pytest.mark.parametrize("text", ["5.101E+11", "5.10101E+11", "5E+11", "1.2e15"])
def test_code_in_scientific_notation_is_refused(text):
    with pytest.raises(Invalid, match="科学计数法"):
        parse_code(text)


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        (510101100001.0, "510101100001"),
        (12.5, "12.5"),
        (0.1, "0.1"),
        (5101011000012345.0, "5.101011E+15"),
        (True, "TRUE"),
        (dt.date(2026, 7, 3), "2026-07-03"),
        (dt.datetime(2026, 7, 3, 9, 30), "2026-07-03 09:30:00"),
        ("", None),
        (None, None),
    ],
)
def test_excel_cells_become_text(cell, text):
    assert cell_text(cell) == text


def test_a_code_cell_of_16_digits_cannot_be_trusted():
    with pytest.raises(Invalid, match="科学计数法"):
        parse_code(cell_text(5101011000012345.0))


@pytest.mark.parametrize(
    ("text", "value"),
    [("1,234.50", 1234.5), ("１２３", 123.0), (" 12 ", 12.0), ("1 234", 1234.0), ("0.5", 0.5),
     ("１，２３４．５", 1234.5), ("-3", -3.0), (".5", 0.5)],
)
def test_numbers_as_text(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["abc", "12条", "1,2,3", "nan", "inf", "1.2.3", "¥100"])
def test_not_numbers(text):
    with pytest.raises(Invalid, match="不是数字"):
        parse_number(text)


def test_quantities_empty_is_zero_and_negative_is_refused():
    volume = parser_for(FIELD["volume"])
    assert volume("") == 0.0
    assert volume("  ") == 0.0
    with pytest.raises(Invalid, match="不能为负数"):
        volume("-1")


def test_empty_optional_number_is_none_and_required_code_is_an_error():
    assert parser_for(FIELD["expected_monthly"])("") is None
    with pytest.raises(Invalid, match="客户编码为空"):
        parser_for(FIELD["customer_id"])(" ")


@pytest.mark.parametrize(
    "text",
    ["2026-07-03", "2026/7/3", "20260703", "2026年7月3日", "2026.07.03", "2026-07-03 10:15:00", "46206",
     "２０２６－０７－０３"],
)
def test_dates(text):
    assert parse_date(text) == dt.date(2026, 7, 3)


@pytest.mark.parametrize("text", ["2026-02-30", "2026-13-01", "昨天", "2026-07"])
def test_bad_dates(text):
    with pytest.raises(Invalid, match="不是有效日期"):
        parse_date(text)


@pytest.mark.parametrize(
    "text", ["2026-07", "202607", "2026年7月", "2026年07月", "2026/7", "2026-07-03", "2026/7/31", "20260715"]
)
def test_months(text):
    assert parse_month(text) == "2026-07"


@pytest.mark.parametrize("text", ["2026-13", "202613", "七月", "2026"])
def test_bad_months(text):
    with pytest.raises(Invalid, match="不是有效月份"):
        parse_month(text)


@pytest.mark.parametrize(
    ("field", "text", "value"),
    [
        ("format", "食杂", "食杂店"),
        ("format", " 烟酒专卖店 ", "烟酒商店"),
        ("format", "其它", "其他"),
        ("format", "餐饮娱乐", "娱乐服务类"),
        ("market", "城网", "城镇"),
        ("market", "农村", "乡村"),
        ("scale", "大户", "大"),
        ("scale", "规模小", "小"),
        ("status", "歇业", "歇业"),
        ("order_weekday", "星期三", 3),
        ("order_weekday", "周日", 7),
        ("order_weekday", "星期天", 7),
        ("order_weekday", "５", 5),
        ("visit_cycle", "两周", "双周"),
        ("price_class", "二类", "二类"),
        ("price_class", "3类烟", "三类"),
        ("key_brand", "是", True),
        ("key_brand", "n", False),
        ("key_brand", "1", True),
        ("key_brand", "0", False),
        ("key_brand", "Ｙ", True),
    ],
)
def test_value_synonyms(field, text, value):
    assert VOCABULARIES[field].parse(text) == value


def test_unknown_format_lists_the_accepted_values_and_is_not_guessed():
    with pytest.raises(Invalid) as caught:
        VOCABULARIES["format"].parse("食杂超市")
    assert caught.value.message == "经营业态「食杂超市」不是可接受的取值"
    assert "食杂店（食杂、杂货店）" in caught.value.fix
    assert "娱乐服务类（娱乐服务、娱乐场所、宾馆酒店、餐饮娱乐）" in caught.value.fix


def test_unknown_market_and_status():
    with pytest.raises(Invalid, match="市场类型「郊区」"):
        VOCABULARIES["market"].parse("郊区")
    with pytest.raises(Invalid, match="客户状态「冻结」"):
        VOCABULARIES["status"].parse("冻结")


@pytest.mark.parametrize(
    "header", ["购进量", "购进量(条)", "购进量（条）", " 购 进 量 ", "购进量【条】", "购进量[条]"]
)
def test_header_key_ignores_spaces_units_and_full_width(header):
    assert header_key(header) == "购进量"


def test_header_key_ignores_case():
    assert header_key("SKU") == header_key("sku")


def test_header_row_is_found_below_title_rows():
    rows = [["客户信息查询"], ["导出时间：2026-07-01"], [], ["客户编码", "客户名称", "业态", "市场类型", "客户经理"]]
    match = find_header(rows, [CUSTOMER_FIELDS], {})
    assert match.row == 3
    assert match.columns == {"customer_id": 0, "name": 1, "format": 2, "market": 3, "manager": 4}
    assert match.headers["format"] == "业态"


def test_config_aliases_extend_the_table():
    rows = [["零售户代码", "客户名称", "业态", "市场类型", "客户经理"]]
    with pytest.raises(HeaderNotFound):
        find_header(rows, [CUSTOMER_FIELDS], {})
    match = find_header(rows, [CUSTOMER_FIELDS], {"customer_id": ["零售户代码"]})
    assert match.columns["customer_id"] == 0


def test_missing_required_columns_are_named_with_the_headers_found():
    rows = [["标题"], ["客户编码", "客户名称", "业态"]]
    with pytest.raises(HeaderNotFound) as caught:
        find_header(rows, [CUSTOMER_FIELDS], {})
    assert caught.value.row == 1
    assert [fd.name for fd in caught.value.missing] == ["market", "manager"]
    assert caught.value.cells == ["客户编码", "客户名称", "业态"]


def test_two_columns_for_one_field_is_an_error_naming_both():
    rows = [["客户编码", "月份", "销量", "数量", "金额"]]
    with pytest.raises(DuplicateColumn) as caught:
        find_header(rows, [ORDER_LINE_FIELDS, MONTHLY_SALES_FIELDS], {})
    assert (caught.value.first, caught.value.second, caught.value.field.name) == ("销量", "数量", "volume")


def test_sales_shape_is_told_by_its_columns():
    lines = [["客户编码", "订单日期", "卷烟编码", "数量", "金额"]]
    summary = [["客户编码", "统计月份", "购进量(条)", "购进额(元)"]]
    shapes = [ORDER_LINE_FIELDS, MONTHLY_SALES_FIELDS]
    assert find_header(lines, shapes, {}).shape is ORDER_LINE_FIELDS
    assert find_header(summary, shapes, {}).shape is MONTHLY_SALES_FIELDS


def test_column_parsing_reads_each_distinct_value_once_and_keeps_rows_apart():
    raw = pa.array(["食杂", "超市", None, "食杂", "百货"])
    parsed = parse_column(raw, FIELD["format"])
    assert parsed.values.to_pylist() == ["食杂店", "超市", None, "食杂店", None]
    assert parsed.bad.tolist() == [False, False, True, False, True]
    assert parsed.explain(2)[1].message == "经营业态为空"
    assert parsed.explain(4)[0] == "百货"


def test_column_parsing_of_numbers_falls_back_to_the_careful_parser():
    plain = parse_column(pa.array(["1", "2.5", None]), FIELD["volume"])
    assert plain.values.to_pylist() == [1.0, 2.5, 0.0]
    careful = parse_column(pa.array(["1,234.50", "１２", "x", "-2", None]), FIELD["amount"])
    assert careful.values.to_pylist() == [1234.5, 12.0, None, None, 0.0]
    assert careful.bad.tolist() == [False, False, True, True, False]
    assert careful.explain(3)[0] == "-2"


def test_typed_columns_are_used_as_they_are():
    codes = parse_column(pa.array([510101100001, 42]), FIELD["customer_id"])
    assert codes.values.to_pylist() == ["510101100001", "42"]
    floats = parse_column(pa.array([510101100001.0, 5.101e16]), FIELD["customer_id"])
    assert floats.values.to_pylist() == ["510101100001", None]
    assert floats.bad.tolist() == [False, True]
    volume = parse_column(pa.array([3.0, float("nan"), -1.0]), FIELD["volume"])
    assert volume.values.to_pylist() == [3.0, 0.0, -1.0]
    assert volume.bad.tolist() == [False, False, True]
    dates = parse_column(pa.array([dt.datetime(2026, 7, 3, 8)], pa.timestamp("ms")), FIELD["date"])
    assert dates.values.to_pylist() == [dt.date(2026, 7, 3)]


DATE_TEXTS = st.one_of(
    st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(str),
    st.from_regex(r"\A\d{4}-\d{2}-\d{2}\Z", fullmatch=True),  # ISO-looking, often no real day
    st.sampled_from(["2026/7/3", "20260703", "2026年7月3日", " 2026-07-03 ", "45000", "２０２６-07-03", "", "x"]),
)


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(DATE_TEXTS, min_size=1, max_size=30))
def test_a_date_column_parses_as_parse_date_does(texts):
    """Issue 13: ISO dates are read by pyarrow at once, the rest one by one; either way each cell
    gets what values.parse_date gives, and a cell it refuses is bad."""
    field = next(f for f in CUSTOMER_FIELDS if f.name == "joined")
    parsed = parse_column(pa.array(texts), field)
    for i, text in enumerate(texts):
        try:
            expected = parse_date(text) if text.strip() else None
        except Invalid:
            assert parsed.bad[i], text
            continue
        assert not parsed.bad[i] and parsed.values[i].as_py() == expected, text
