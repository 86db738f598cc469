"""R-STAT: the grid, the movement and the changed-customer list (rules/stat.py)."""

from __future__ import annotations

from collections import Counter
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmtool.calendar import WorkCalendar
from cmtool.config import CodesConfig
from cmtool.fields import FORMATS, MARKETS, SCALES
from cmtool.periods import Quarter
from cmtool.rules.classes import add_classes
from cmtool.rules.stat import (
    GRID_COUNTS,
    GRID_ROWS,
    Grid,
    Movement,
    changed_rows,
    class_grids,
    movements,
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


def whole(frame: pd.DataFrame) -> tuple[np.ndarray, int]:
    """The partition of `frame` into one part."""
    return np.zeros(len(frame), dtype=np.int64), 1


def class_grid(frame: pd.DataFrame) -> Grid:
    """R-STAT (a) of the whole frame."""
    return class_grids(frame, *whole(frame))[0]


def movement(frame: pd.DataFrame) -> Movement:
    """R-STAT (b) of the whole frame."""
    return movements(frame, *whole(frame))[0]


def changed_customers(frame: pd.DataFrame) -> pd.DataFrame:
    """R-STAT (c): the changed rows in list order."""
    return frame.iloc[changed_rows(frame)]


def row(grid: Grid, market: str, fmt: str) -> list[int]:
    i = next(i for i, r in enumerate(GRID_ROWS) if (r.market, r.format) == (market, fmt))
    return grid.counts[i].tolist()


def test_r_stat_grid_hand_checked() -> None:
    grid = class_grid(SMALL)
    assert [r.market for r in GRID_ROWS] == ["城镇"] * 8 + ["乡村"] * 8 + ["合计"]
    assert [r.format for r in GRID_ROWS[:8]] == [*FORMATS, "小计"]
    assert grid.counts.shape == (17, len(GRID_COUNTS))
    assert row(grid, "城镇", "食杂店") == [1, 0, 2, 3]
    assert grid.shares[0, -1] == 3 / 7
    assert row(grid, "城镇", "小计") == [1, 1, 2, 4]
    assert row(grid, "乡村", "小计") == [0, 1, 2, 3]
    assert grid.counts[-1].tolist() == [1, 2, 4, 7]
    assert grid.shares[-1, -1] == 1.0
    assert abs(grid.shares[-1, 2] - 4 / 7) < 1e-12


def test_r_stat_grids_of_a_partition() -> None:
    managers, names = pd.factorize(SMALL["manager"], sort=True)  # 张三 0, 李四 1
    grids = class_grids(SMALL, managers.astype(np.int64), len(names))
    assert [g.counts[-1, -1] for g in grids] == [4, 3]
    assert row(grids[0], "城镇", "食杂店") == [1, 0, 1, 2]
    assert grids[0].shares[0, -1] == 2 / 4
    moved = movements(SMALL, managers.astype(np.int64), len(names))
    assert [m.population for m in moved] == [4, 3]
    assert moved[1].up == {"小→中": 1, "中→大": 0, "小→大": 0} and moved[1].adjusted == 1


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


def test_r_stat_changed_list_puts_missing_manager_last() -> None:
    frame = SMALL.copy()
    frame.loc[0, "manager"] = None  # 006, 上调 under 张三
    assert list(changed_customers(frame)["customer_id"]) == ["002", "003", "007", "005", "006"]


def test_r_stat_without_previous_quarter_everyone_is_new() -> None:
    bare = SMALL.drop(columns=["previous_class", "previous_scale", "change"])
    moved = movement(bare)
    assert moved.new == 7 and moved.population == 7
    assert changed_customers(bare).empty


def test_r_stat_empty_frame_gives_zero_grid() -> None:
    grid = class_grid(SMALL.iloc[:0])
    assert grid.counts.sum() == 0
    assert grid.shares.sum() == 0


def test_r_stat_unknown_value_is_refused() -> None:
    with pytest.raises(ValueError, match="format"):
        class_grid(SMALL.assign(format=["食杂店"] * 6 + ["杂货"]))


def test_r_stat_due_date_is_fifth_workday_of_next_quarter() -> None:
    # October 2026: 1–7 off for National Day, Saturday 10 is a make-up working day.
    assert report_due(Quarter(2026, 3), WorkCalendar()) == date(2026, 10, 13)


customer = st.tuples(
    st.integers(0, 2),  # which of three 客户经理
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
        (f"{i:04d}", f"经理{m}", market, fmt, scale, *((None,) * 3 if before is None else (market, old, before)))
        for i, (m, market, fmt, scale, before, old) in enumerate(customers)
    ]
    frame = frame_of(rows)
    grid = class_grid(frame)
    detail = np.array([r.level == "detail" for r in GRID_ROWS])
    assert grid.counts[-1, -1] == len(frame)
    for market in MARKETS:
        part = np.array([r.market == market and r.level == "detail" for r in GRID_ROWS])
        subtotal = next(i for i, r in enumerate(GRID_ROWS) if r.market == market and r.level == "subtotal")
        assert (grid.counts[part].sum(axis=0) == grid.counts[subtotal]).all()
    assert (grid.counts[:, :-1].sum(axis=1) == grid.counts[:, -1]).all()
    if len(frame):
        assert abs(grid.shares[detail, :-1].sum() - 1) < 1e-9
        assert abs(grid.shares[-1, -1] - 1) < 1e-12
    moved = movement(frame)
    assert moved.population == len(frame)
    kinds = Counter(f"{b}→{a}" if c in ("上调", "下调") else c
                    for b, a, c in zip(frame["previous_scale"], frame["scale"], frame["change"]))
    assert {**moved.up, **moved.down} == {k: kinds[k] for k in (*moved.up, *moved.down)}
    assert (moved.unchanged, moved.adjusted, moved.new) == (kinds["不变"], kinds["调整"], kinds["新增"])
    changed = changed_customers(frame)
    assert len(changed) == moved.up_total + moved.down_total + moved.adjusted
    assert changed["change"].isin(["上调", "下调", "调整"]).all()
    keys = [(m, ["上调", "下调", "调整"].index(c), i)
            for m, c, i in zip(changed["manager"], changed["change"], changed["customer_id"])]
    assert keys == sorted(keys)

    # the figures of each part of a partition are those of the part alone, and add up to the whole
    groups = np.array([m for m, *_ in customers], dtype=np.int64)
    grids, moves = class_grids(frame, groups, 3), movements(frame, groups, 3)
    assert (sum(g.counts for g in grids) == grid.counts).all()
    assert sum(m.population for m in moves) == len(frame)
    for m in range(3):
        alone = frame[groups == m]
        assert (grids[m].counts == class_grid(alone).counts).all()
        assert moves[m] == movement(alone)
