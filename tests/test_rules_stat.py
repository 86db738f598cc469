"""R-STAT: the grid, the movement and the changed-customer list (rules/stat.py)."""

from __future__ import annotations

from datetime import date

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from cmtool.calendar import WorkCalendar
from cmtool.config import CodesConfig
from cmtool.fields import FORMATS, MARKETS, SCALES
from cmtool.periods import Quarter
from cmtool.rules.classes import add_classes
from cmtool.rules.stat import (
    GRID_COUNTS,
    GRID_SHARES,
    changed_customers,
    class_grid,
    movement,
    report_due,
)


def frame_of(rows: list[tuple]) -> pd.DataFrame:
    """(id, manager, market, format, scale, previous market, format, scale) rows, classified by
    R-CLASS (`add_classes` gives class_name, previous_class and change)."""
    columns = ["customer_id", "manager", "market", "format", "scale",
               "previous_market", "previous_format", "previous_scale"]
    return add_classes(pd.DataFrame(rows, columns=columns, dtype=object), CodesConfig())


SMALL = frame_of([
    ("006", "张三", "城镇", "食杂店", "大", "城镇", "食杂店", "中"),   # 中→大 上调
    ("001", "张三", "城镇", "食杂店", "小", "城镇", "食杂店", "小"),   # 不变
    ("003", "李四", "城镇", "便利店", "中", "城镇", "便利店", "小"),   # 小→中 上调
    ("002", "张三", "乡村", "超市", "中", "乡村", "超市", "大"),       # 大→中 下调
    ("005", "李四", "乡村", "超市", "小", "乡村", "食杂店", "小"),     # 调整 (业态 changed)
    ("004", "张三", "乡村", "其他", "小", None, None, None),           # 新增
    ("007", "李四", "城镇", "食杂店", "小", "城镇", "食杂店", "大"),   # 大→小 下调
])


def row(grid: pd.DataFrame, market: str, fmt: str) -> pd.Series:
    return grid[(grid["market"] == market) & (grid["format"] == fmt)].iloc[0]


def test_r_stat_grid_hand_checked() -> None:
    grid = class_grid(SMALL)
    assert list(grid["market"]) == ["城镇"] * 8 + ["乡村"] * 8 + ["合计"]
    assert list(grid["format"][:8]) == [*FORMATS, "小计"]
    grocery = row(grid, "城镇", "食杂店")
    assert [grocery[c] for c in GRID_COUNTS] == [1, 0, 2, 3]
    assert grocery["合计占比"] == 3 / 7
    assert [row(grid, "城镇", "小计")[c] for c in GRID_COUNTS] == [1, 1, 2, 4]
    assert [row(grid, "乡村", "小计")[c] for c in GRID_COUNTS] == [0, 1, 2, 3]
    total = grid.iloc[-1]
    assert [total[c] for c in GRID_COUNTS] == [1, 2, 4, 7]
    assert total["合计占比"] == 1.0
    assert abs(total["小占比"] - 4 / 7) < 1e-12


def test_r_stat_movement_hand_checked() -> None:
    moved = movement(SMALL)
    assert moved.up == {"小→中": 1, "中→大": 1, "小→大": 0}
    assert moved.down == {"大→中": 1, "中→小": 0, "大→小": 1}
    assert (moved.unchanged, moved.adjusted, moved.new) == (1, 1, 1)
    assert moved.population == 7


def test_r_stat_changed_list() -> None:
    changed = changed_customers(SMALL)
    # by manager (code point order: 张 before 李), then 上调/下调/调整, then 客户编码;
    # 不变 and 新增 are not listed
    assert list(changed["customer_id"]) == ["006", "002", "003", "007", "005"]
    assert list(changed["change"]) == ["上调", "下调", "上调", "下调", "调整"]
    assert list(changed["previous_class"][:2]) == ["城镇食杂店中", "乡村超市大"]
    assert list(changed["class_name"][:2]) == ["城镇食杂店大", "乡村超市中"]


def test_r_stat_without_previous_quarter_everyone_is_new() -> None:
    bare = SMALL.drop(columns=["previous_class", "previous_scale", "change"])
    moved = movement(bare)
    assert moved.new == 7 and moved.population == 7
    assert changed_customers(bare).empty


def test_r_stat_empty_frame_gives_zero_grid() -> None:
    grid = class_grid(SMALL.iloc[:0])
    assert grid[list(GRID_COUNTS)].to_numpy().sum() == 0
    assert grid[list(GRID_SHARES)].to_numpy().sum() == 0


def test_r_stat_due_date_is_fifth_workday_of_next_quarter() -> None:
    # October 2026: 1–7 off for National Day, Saturday 10 is a make-up working day.
    assert report_due(Quarter(2026, 3), WorkCalendar()) == date(2026, 10, 13)


customer = st.tuples(
    st.sampled_from(MARKETS),
    st.sampled_from(FORMATS),
    st.sampled_from(SCALES),
    st.one_of(st.none(), st.sampled_from(SCALES)),  # previous scale (None: new)
    st.sampled_from(FORMATS),  # previous 业态
)


@settings(max_examples=60, deadline=None)
@given(st.lists(customer, min_size=0, max_size=60))
def test_r_stat_grid_and_movement_invariants(customers: list[tuple]) -> None:
    rows = [
        (f"{i:04d}", "王五", market, fmt, scale, *((None,) * 3 if before is None else (market, old, before)))
        for i, (market, fmt, scale, before, old) in enumerate(customers)
    ]
    frame = frame_of(rows)
    grid = class_grid(frame)
    detail = grid[grid["level"] == "detail"]
    subtotals = grid[grid["level"] == "subtotal"]
    total = grid[grid["level"] == "total"].iloc[0]
    assert total["合计"] == len(frame)
    for market in MARKETS:
        part = detail[detail["market"] == market]
        sub = subtotals[subtotals["market"] == market].iloc[0]
        assert all(part[c].sum() == sub[c] for c in GRID_COUNTS)
    assert (grid[list(SCALES)].sum(axis=1) == grid["合计"]).all()
    if len(frame):
        assert abs(detail[[f"{s}占比" for s in SCALES]].to_numpy().sum() - 1) < 1e-9
        assert abs(total["合计占比"] - 1) < 1e-12
    moved = movement(frame)
    assert moved.population == len(frame)
    assert len(changed_customers(frame)) == moved.up_total + moved.down_total + moved.adjusted
