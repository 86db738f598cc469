"""R-STAT: the figures of the 客户分类情况统计表, from the classification result frame.

Pure functions, no I/O, no clock. The figures are computed for every part of a partition of the
result at once (one pass over the frame for all 客户经理, or all 营销部): `groups` gives each row's
part as a number 0 … size−1. The frame needs `market`, `format`, `scale`; `change` (from R-CLASS)
and `previous_scale` are optional: without `change` every customer counts as 新增.
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

CHANGED: tuple[str, ...] = ("上调", "下调", "调整")  # the 综合分类 is another one
UP_MOVES: tuple[str, ...] = ("小→中", "中→大", "小→大")
DOWN_MOVES: tuple[str, ...] = ("大→中", "中→小", "大→小")
KINDS: tuple[str, ...] = (*UP_MOVES, *DOWN_MOVES, "不变", "调整", "新增")  # what `movement` counts

DUE_WORKDAY = 5  # R-STAT: due on the 5th working day of the next quarter's first month


@dataclass(frozen=True)
class GridRow:
    """One row of the grid: a 业态 of a 市场类型, a 市场类型's 小计, or the 合计."""

    market: str
    format: str
    level: str  # detail, subtotal or total


GRID_ROWS: tuple[GridRow, ...] = (
    *(
        row
        for market in MARKETS
        for row in (*(GridRow(market, f, "detail") for f in FORMATS), GridRow(market, SUBTOTAL, "subtotal"))
    ),
    GridRow(TOTAL, "", "total"),
)


def report_due(quarter: Quarter, calendar: WorkCalendar) -> date:
    """R-STAT / R-CAL: the table for `quarter` is due on the 5th working day of the next quarter."""
    first = quarter.next().months[0]
    return calendar.nth_workday(first.year, first.month, DUE_WORKDAY)


def _positions(values: pd.Series, allowed: tuple[str, ...]) -> np.ndarray:
    """Position of each value in `allowed`, −1 for a value outside it (or missing)."""
    codes, uniques = pd.factorize(values)  # looks up each distinct value once: fast on 60,000 rows
    return np.append(pd.Index(allowed).get_indexer(uniques), -1).astype(np.int64)[codes]


def _codes(values: pd.Series, allowed: tuple[str, ...], column: str) -> np.ndarray:
    """Positions of `values` in `allowed`; a value outside it (or empty) cannot be counted."""
    codes = _positions(values, allowed)
    if (codes < 0).any():
        unknown = sorted(set(values[codes < 0].dropna().astype(str)))
        raise ValueError(f"分类结果的 {column} 列有无法统计的值：{unknown or '空值'}")
    return codes


def _tally(codes: np.ndarray, groups: np.ndarray, size: int, kinds: int) -> np.ndarray:
    """How many rows of each group have each code: shape (size, kinds); rows coded −1 are left out."""
    counted = codes >= 0
    flat = groups[counted] * kinds + codes[counted]
    return np.bincount(flat, minlength=size * kinds).reshape(size, kinds)


@dataclass(frozen=True)
class Grid:
    """R-STAT (a): one part's counts, a row per GRID_ROWS and a column per GRID_COUNTS."""

    counts: np.ndarray  # int64, shape (len(GRID_ROWS), len(GRID_COUNTS))

    @property
    def shares(self) -> np.ndarray:
        """Each count's share of the grand total (all 0 when there is nobody)."""
        grand = self.counts[-1, -1]
        return self.counts / grand if grand else np.zeros(self.counts.shape)


def class_grids(frame: pd.DataFrame, groups: np.ndarray, size: int) -> list[Grid]:
    """R-STAT (a): for each group, customers by 市场类型 × 业态 (rows) and 经营规模 (columns),
    with a 小计 row per 市场类型, a 合计 row and a 合计 column."""
    cell = (
        _codes(frame["market"], MARKETS, "market") * len(FORMATS) * len(SCALES)
        + _codes(frame["format"], FORMATS, "format") * len(SCALES)
        + _codes(frame["scale"], SCALES, "scale")
    )
    cube = _tally(cell, groups, size, len(MARKETS) * len(FORMATS) * len(SCALES))
    cube = cube.reshape(size, len(MARKETS), len(FORMATS), len(SCALES))
    blocks = []
    for i in range(len(MARKETS)):
        blocks += [cube[:, i], cube[:, i].sum(axis=1, keepdims=True)]
    blocks.append(cube.sum(axis=(1, 2))[:, None, :])
    counts = np.concatenate(blocks, axis=1)
    counts = np.concatenate([counts, counts.sum(axis=2, keepdims=True)], axis=2).astype(np.int64)
    return [Grid(part) for part in counts]


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

    @classmethod
    def of(cls, counts: np.ndarray) -> Movement:
        """From a count per KINDS."""
        by_kind = dict(zip(KINDS, counts.tolist()))
        return cls(
            up={m: by_kind[m] for m in UP_MOVES},
            down={m: by_kind[m] for m in DOWN_MOVES},
            unchanged=by_kind["不变"],
            adjusted=by_kind["调整"],
            new=by_kind["新增"],
        )

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


def _pair_kinds() -> np.ndarray:
    """The position in KINDS of each (previous, current) scale pair, −1 where the scale stayed;
    a last row and column (index −1) stand for an unknown scale."""
    table = np.full((len(SCALES) + 1, len(SCALES) + 1), -1, dtype=np.int64)
    for i, before in enumerate(SCALES):
        for j, after in enumerate(SCALES):
            if f"{before}→{after}" in KINDS:
                table[i, j] = KINDS.index(f"{before}→{after}")
    return table


PAIR_KINDS = _pair_kinds()


def _kinds(frame: pd.DataFrame) -> np.ndarray:
    """The position in KINDS of each row: its scale pair when 上调/下调, else its change (−1: neither)."""
    labels = changes(frame)
    before = _positions(frame["previous_scale"], SCALES) if "previous_scale" in frame.columns else -1
    pair = PAIR_KINDS[before, _positions(frame["scale"], SCALES)]
    return np.where(_positions(labels, ("上调", "下调")) >= 0, pair, _positions(labels, KINDS))


def movements(frame: pd.DataFrame, groups: np.ndarray, size: int) -> list[Movement]:
    """R-STAT (b): for each group, the counts of 上调 (小→中, 中→大, 小→大), 下调 (大→中, 中→小,
    大→小), 不变, 调整 and 新增; they add up to the number of its rows."""
    return [Movement.of(part) for part in _tally(_kinds(frame), groups, size, len(KINDS))]


def changed_rows(frame: pd.DataFrame) -> np.ndarray:
    """R-STAT (c): positions of the rows whose 综合分类 changed (上调, 下调, 调整), ordered by
    客户经理 (missing last), then 上调/下调/调整, then 客户编码."""
    labels = changes(frame)
    rows = np.flatnonzero(labels.isin(CHANGED).to_numpy())
    keys = {"change": _positions(labels.iloc[rows], CHANGED)}
    for key in ("manager", "customer_id"):
        if key in frame.columns:
            keys[key] = frame[key].iloc[rows].to_numpy()
    order = pd.DataFrame(keys).sort_values([k for k in ("manager", "change", "customer_id") if k in keys],
                                           kind="stable").index.to_numpy()
    return rows[order]
