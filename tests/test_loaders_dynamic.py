"""R-DYN inputs (data.md): breach records, decisions and signed notices, with their bad input."""

from __future__ import annotations

import datetime as dt

import pytest

from cmtool.config import Config
from cmtool.errors import DataError
from cmtool.io.dynamic_files import load_breaches, load_decisions, load_signed
from cmtool.rules.dynamic import CANCEL_BRANDS, GROUP_DOWN, NO_ACTION, SUSPEND, Term
from filemakers import write_csv, write_xlsx

KNOWN = {"510104100001", "510104100002", "028200100104"}


def test_breaches_read_with_aliases_and_keep_codes(tmp_path):
    """R-DYN 1: 检查日期/违规类型/违约情况 are accepted; codes stay text with their leading zero."""
    path = write_xlsx(tmp_path / "b.xlsx", [["违约记录"], ["客户编码", "检查日期", "违规类型", "违约情况"],
                                            ["028200100104", dt.date(2026, 10, 8), "低价倾销", "低于批发价"]])
    frame = load_breaches(path, Config(), KNOWN).frame
    assert frame.loc[0, "customer_id"] == "028200100104"
    assert frame.loc[0, "date"].date() == dt.date(2026, 10, 8) and frame.loc[0, "detail"] == "低于批发价"


def test_breach_without_date_names_file_row_column(tmp_path):
    """data.md / issue 9 item 6: a breach record with no date is an error naming row and column."""
    path = write_xlsx(tmp_path / "b.xlsx", [["客户编码", "日期", "违约类型"],
                                            ["510104100001", dt.date(2026, 10, 8), "低价倾销"],
                                            ["510104100002", None, "拆包销售"]])
    with pytest.raises(DataError) as e:
        load_breaches(path, Config(), KNOWN)
    text = e.value.render()
    assert "b.xlsx" in text and "第 3 行" in text and "列「日期」" in text


def test_breach_of_a_stranger_is_an_error_or_skipped(tmp_path):
    path = write_xlsx(tmp_path / "b.xlsx", [["客户编码", "日期", "违约类型"],
                                            ["510104100001", dt.date(2026, 10, 8), "低价倾销"],
                                            ["519999999999", dt.date(2026, 10, 9), "拆包销售"]])
    with pytest.raises(DataError, match="违约记录") as e:
        load_breaches(path, Config(), KNOWN)
    assert "第 3 行" in e.value.render() and "519999999999" in e.value.render()
    loaded = load_breaches(path, Config(), KNOWN, skip_invalid=True)
    assert list(loaded.frame["customer_id"]) == ["510104100001"] and len(loaded.problems) == 1


def test_decisions_parsed(tmp_path):
    """R-DYN 2: measures as written by the meeting, terms in weeks or months, 不处理 without a term."""
    path = write_csv(tmp_path / "d.csv", [["客户编码", "审议决定", "期限", "备注"],
                                          ["510104100001", "暂停访销", "4周", "x"],
                                          ["510104100001", "取消紧俏、控制品牌", "2个月", None],
                                          ["510104100002", "组别下调2档", "3月", None],
                                          ["028200100104", "不处理", None, "初犯"]])
    frame = load_decisions(path, Config(), KNOWN).frame
    assert list(frame["measure"]) == [SUSPEND, CANCEL_BRANDS, GROUP_DOWN, NO_ACTION]
    assert list(frame["term"]) == [Term(4, "weeks"), Term(2, "months"), Term(3, "months"), None]
    assert frame.loc[2, "steps"] == 2


def test_bad_decisions_are_all_named(tmp_path):
    """issue 9 item 6: a customer not in the master, a measure or a term that cannot be read (待定),
    an empty term: one message listing each with file, row, column and value; never a guess."""
    path = write_xlsx(tmp_path / "d.xlsx", [["客户编码", "措施", "期限"],
                                            ["519999999999", "暂停访销", "4周"],
                                            ["510104100001", "待定", "4周"],
                                            ["510104100002", "暂停访销", "待定"],
                                            ["028200100104", "取消紧俏控制品牌", None]])
    with pytest.raises(DataError) as e:
        load_decisions(path, Config(), KNOWN)
    text = e.value.render()
    assert "4 处问题" in text
    for row, column, value in (("2", "客户编码", "519999999999"), ("3", "措施", "待定"), ("4", "期限", "待定"),
                               ("5", "期限", "")):
        assert f"第 {row} 行，列「{column}」，值「{value}」" in text
    assert "--skip-invalid" not in text


def test_two_decisions_of_one_measure(tmp_path):
    path = write_csv(tmp_path / "d.csv", [["客户编码", "措施", "期限"],
                                          ["510104100001", "暂停访销", "4周"], ["510104100001", "暂停访销", "2周"]])
    with pytest.raises(DataError, match="审议决定") as e:
        load_decisions(path, Config(), KNOWN)
    assert "第 2、3 行" in e.value.render()


def test_signed_file(tmp_path):
    path = write_csv(tmp_path / "s.csv", [["客户编码", "措施", "签收日期"], ["510104100001", "暂停访销", "2026-11-02"],
                                          ["510104100002", None, None]])
    frame = load_signed(path, Config()).frame
    assert list(frame["measure"]) == [SUSPEND, None] and frame.loc[0, "date"].date() == dt.date(2026, 11, 2)
    bad = write_csv(tmp_path / "t.csv", [["客户编码", "措施"], ["510104100001", "罚款"]])
    with pytest.raises(DataError, match="签收文件"):
        load_signed(bad, Config())
