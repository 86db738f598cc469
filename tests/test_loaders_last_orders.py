"""R-VISIT 2: the latest order date per customer from order lines (io/last_orders.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from cmtool.config import Config
from cmtool.errors import DataError
from cmtool.io.last_orders import load_last_orders
from tests.filemakers import write_csv, write_xlsx

ORDER_HEADER = ["客户编码", "订单日期", "卷烟编码", "购进量", "购进额"]


def test_latest_date_over_files_and_monthly_summaries_skipped(tmp_path):
    """Two order-line files: the later date wins per customer; a monthly summary adds nothing."""
    sales = tmp_path / "sales"
    sales.mkdir()
    write_csv(sales / "a.csv", [ORDER_HEADER, ["001", "2026-10-05", "X", "2", "100"],
                                ["001", "2026-10-19", "X", "1", "50"], ["002", "2026-10-07", "X", "1", "50"]])
    write_xlsx(sales / "b.xlsx", [["订单明细查询"], ORDER_HEADER, ["001", "2026-10-12", "X", "1", "50"],
                                  ["002", "2026-10-21", "Y", "3", "90"]])
    write_csv(sales / "m.csv", [["客户编码", "月份", "购进量", "购进额"], ["003", "2026-10", "5", "100"]])
    latest = load_last_orders([sales], Config())
    assert latest.to_dict() == {"001": pd.Timestamp("2026-10-19"), "002": pd.Timestamp("2026-10-21")}


def test_only_monthly_summaries_give_nothing(tmp_path):
    path = write_csv(tmp_path / "m.csv", [["客户编码", "月份", "购进量", "购进额"], ["003", "2026-10", "5", "100"]])
    assert load_last_orders([path], Config()).empty


def test_a_bad_date_is_an_error_naming_the_row(tmp_path):
    path = write_csv(tmp_path / "a.csv", [ORDER_HEADER, ["001", "昨天", "X", "2", "100"]])
    with pytest.raises(DataError) as e:
        load_last_orders([path], Config())
    assert "第 2 行" in e.value.render() and "昨天" in e.value.render()
