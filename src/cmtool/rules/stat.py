"""R-STAT: the figures of the 客户分类情况统计表, from the classification result frame.

Pure functions over any subset of the result (one 客户经理, one 营销部, the company): no I/O,
no clock. The frame needs `market`, `format`, `scale`; `change` (from R-CLASS) and
`previous_scale`/`previous_class` are optional: without `change` every customer counts as 新增.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from cmtool.calendar import WorkCalendar
from cmtool.fields import FORMATS, MARKETS, SCALES
from cmtool.periods import Quarter

TOTAL = "合计"
SUBTOTAL = "小计"
GRID_COUNTS: tuple[str, ...] = (*SCALES, TOTAL)  # 大 中 小 合计
GRID_SHARES: tuple[str, ...] = tuple(f"{c}占比" for c in GRID_COUNTS)

CHANGED: tuple[str, ...] = ("上调", "下调", "调整")  # the 综合分类 is another one
UP_MOVES: tuple[str, ...] = ("小→中", "中→大", "小→大")
DOWN_MOVES: tuple[str, ...] = ("大→中", "中→小", "大→小")

DUE_WORKDAY = 5  # R-STAT: due on the 5th working day of the next quarter's first month


def report_due(quarter: Quarter, calendar: WorkCalendar) -> date:
    """R-STAT / R-CAL: the table for `quarter` is due on the 5th working day of the next quarter."""
    first = quarter.next().months[0]
    return calendar.nth_workday(first.year, first.month, DUE_WORKDAY)


def _codes(values: pd.Series, allowed: tuple[str, ...], column: str) -> np.ndarray:
    """Positions of `values` in `allowed`; a value outside it (or empty) cannot be counted."""
    codes = pd.Categorical(values, categories=list(allowed)).codes
    if (codes < 0).any():
        unknown = sorted(set(values[codes < 0].dropna().astype(str)))
        raise ValueError(f"分类结果的 {column} 列有无法统计的值：{unknown or '空值'}")
    return codes.astype(np.int64)


def class_grid(frame: pd.DataFrame) -> pd.DataFrame:
    """R-STAT (a): customers by 市场类型 × 业态 (rows) and 经营规模 (columns).

    Rows in order: 城镇 × 7 业态, 城镇 小计, 乡村 × 7, 乡村 小计, 合计 (columns `market`,
    `format`, `level` = detail/subtotal/total). Columns GRID_COUNTS hold counts (大 中 小 合计),
    GRID_SHARES each count's share of the grand total (0 when there is nobody).
    """
    cell = (
        _codes(frame["market"], MARKETS, "market") * len(FORMATS) * len(SCALES)
        + _codes(frame["format"], FORMATS, "format") * len(SCALES)
        + _codes(frame["scale"], SCALES, "scale")
    )
    cube = np.bincount(cell, minlength=len(MARKETS) * len(FORMATS) * len(SCALES)).reshape(
        len(MARKETS), len(FORMATS), len(SCALES))
    labels: list[tuple[str, str, str]] = []
    blocks = []
    for i, market in enumerate(MARKETS):
        labels += [(market, fmt, "detail") for fmt in FORMATS] + [(market, SUBTOTAL, "subtotal")]
        blocks += [cube[i], cube[i].sum(axis=0, keepdims=True)]
    labels.append((TOTAL, "", "total"))
    blocks.append(cube.sum(axis=(0, 1))[None, :])
    counts = np.vstack(blocks)
    counts = np.hstack([counts, counts.sum(axis=1, keepdims=True)]).astype(np.int64)
    grand = int(counts[-1, -1])
    shares = counts / grand if grand else np.zeros(counts.shape)
    grid = pd.DataFrame(labels, columns=["market", "format", "level"])
    grid[list(GRID_COUNTS)] = counts
    grid[list(GRID_SHARES)] = shares
    return grid


def changes(frame: pd.DataFrame) -> pd.Series:
    """The `change` of each row, as R-CLASS computed it (`rules.classes.add_classes`); a frame
    without that column has no previous quarter, so every customer is 新增."""
    if "change" in frame.columns:
        return frame["change"]
    return pd.Series("新增", index=frame.index, dtype=object)


@dataclass(frozen=True)
class Movement:
    """R-STAT (b): how the customers moved against the previous quarter."""

    up: dict[str, int]  # UP_MOVES: 小→中, 中→大, 小→大
    down: dict[str, int]  # DOWN_MOVES: 大→中, 中→小, 大→小
    unchanged: int
    adjusted: int
    new: int

    @property
    def up_total(self) -> int:
        return sum(self.up.values())

    @property
    def down_total(self) -> int:
        return sum(self.down.values())

    @property
    def population(self) -> int:
        return self.up_total + self.down_total + self.unchanged + self.adjusted + self.new

    def share(self, count: int) -> float:
        """`count` as a share of the population (0 when there is nobody)."""
        return count / self.population if self.population else 0.0


def movement(frame: pd.DataFrame) -> Movement:
    """R-STAT (b): counts of 上调 (小→中, 中→大, 小→大), 下调 (大→中, 中→小, 大→小), 不变,
    调整 and 新增; they add up to the number of rows."""
    labels = changes(frame)
    before = frame["previous_scale"] if "previous_scale" in frame.columns else pd.Series("", index=frame.index)
    pairs = before.astype(object).fillna("") + "→" + frame["scale"].astype(str)
    moves = pairs[labels.isin(["上调", "下调"])].value_counts()
    by_label = labels.value_counts()
    return Movement(
        up={m: int(moves.get(m, 0)) for m in UP_MOVES},
        down={m: int(moves.get(m, 0)) for m in DOWN_MOVES},
        unchanged=int(by_label.get("不变", 0)),
        adjusted=int(by_label.get("调整", 0)),
        new=int(by_label.get("新增", 0)),
    )


def changed_customers(frame: pd.DataFrame) -> pd.DataFrame:
    """R-STAT (c): the rows whose 综合分类 changed (上调, 下调, 调整), with a `change` column,
    ordered by 客户经理, then 上调/下调/调整, then 客户编码."""
    out = frame.assign(change=changes(frame))
    out = out[out["change"].isin(CHANGED)]
    out = out.assign(_order=out["change"].map({c: i for i, c in enumerate(CHANGED)}))
    keys = [k for k in ("manager", "_order", "customer_id") if k in out.columns]
    return out.sort_values(keys, kind="stable").drop(columns="_order")
