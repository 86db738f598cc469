"""R-QUOTA: 单户单次合理定量组别 (per-order quota groups).

Pure functions: no I/O, no clock. A customer's per-order average is its volume over its number
of orders: distinct order dates (order lines), the 订货次数 column, else estimated from the
visit cycle (每周 13, 双周 6.5, 每月 3 orders a quarter; a third of that a month). A month
without purchases has no orders. Bands are 条 per order, the 业态's own when config has them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cmtool.config import QuotaConfig
from cmtool.periods import Month, Quarter
from cmtool.rules.groups import (
    DOWN, KIND_QUOTA, NO_EXPECTED_VOLUME, UP, Moves, Proposal, Rejection, band_limits, band_names, check_groups, combine, move_reason, population, volume_matrix, window,
)

ORDERS_PER_QUARTER: dict[str, float] = {"每周": 13.0, "双周": 6.5, "每月": 3.0}
MONTHS_PER_QUARTER = 3
ORDER_UNIT = "条/次"
LABEL = "定量组别"
NO_ORDER_COUNT = "无法计算每次订货量：销售数据没有订货次数，客户信息也没有访销周期，请在客户信息中补填访销周期"


def monthly_orders_estimate(visit_cycle: pd.Series) -> np.ndarray:
    """R-QUOTA: orders a month from the visit cycle (NaN when the cycle is unknown)."""
    per_quarter = visit_cycle.map(ORDERS_PER_QUARTER).astype(float).to_numpy()
    return per_quarter / MONTHS_PER_QUARTER


@dataclass
class OrderGrid:
    """Per customer (rows, in order) and month (columns): volume in 条, orders, and whether the
    order count was estimated. orders is 0 in a month without purchases and NaN where neither
    the data nor the visit cycle gives it."""

    volumes: pd.DataFrame
    orders: pd.DataFrame
    estimated: pd.DataFrame

    def per_order(self) -> pd.DataFrame:
        """Volume per order each month; NaN without orders."""
        return self.volumes / self.orders.where(self.orders > 0)

    def pooled(self) -> pd.Series:
        """Volume per order over all the months together (NaN without orders)."""
        orders = self.orders.sum(axis=1, skipna=False)
        return self.volumes.sum(axis=1) / orders.where(orders > 0)

    def unknown(self) -> pd.Series:
        """Customers with a month of purchases whose order count nobody knows."""
        return self.orders.isna().any(axis=1)


def order_grid(monthly: pd.DataFrame, customers: pd.DataFrame, months: Sequence[str]) -> OrderGrid:
    """R-QUOTA: the volumes and order counts of `customers` (customer_id, visit_cycle) in
    `months`. A month with purchases and no positive order count in the data takes the visit
    cycle's estimate."""
    ids = customers["customer_id"].tolist()
    volumes = volume_matrix(monthly, ids, months)
    rows = monthly[monthly["month"].isin(months)]
    orders = rows["orders"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    counted = rows.assign(orders=orders).pivot(index="customer_id", columns="month", values="orders")
    counted = counted.reindex(index=volumes.index, columns=volumes.columns)
    bought = volumes > 0
    missing = bought & ~(counted > 0)
    estimate = pd.DataFrame(
        np.repeat(monthly_orders_estimate(customers["visit_cycle"])[:, None], len(volumes.columns), axis=1),
        index=volumes.index, columns=volumes.columns,
    )
    orders = counted.where(~missing, estimate).where(bought, 0.0)
    return OrderGrid(volumes, orders, missing)


def _limits(frame: pd.DataFrame, names: np.ndarray, config: QuotaConfig) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds of each row's named band, among the bands of the row's 业态."""
    lower, upper = np.empty(len(frame)), np.empty(len(frame))
    formats = frame["format"].to_numpy()
    for fmt in pd.unique(formats):
        mine = formats == fmt
        lower[mine], upper[mine] = band_limits(names[mine], config.bands_for(str(fmt)))
    return lower, upper


def _holding(frame: pd.DataFrame, values: np.ndarray, config: QuotaConfig) -> np.ndarray:
    """The name of the band of each row's 业态 that holds its value."""
    names = np.empty(len(frame), dtype=object)
    formats = frame["format"].to_numpy()
    for fmt in pd.unique(formats):
        mine = formats == fmt
        names[mine] = band_names(values[mine], config.bands_for(str(fmt)))
    return names


def check_quota_groups(pop: pd.DataFrame, config: QuotaConfig) -> tuple[pd.DataFrame, list[Rejection]]:
    """The rows whose 定量组别 is a band of their 业态 (in order), and rejections for the others."""
    kept, rejected = [], []
    for fmt, part in pop.groupby("format", sort=False):
        good, bad = check_groups(part, "quota_group", [b.name for b in config.bands_for(str(fmt))], KIND_QUOTA, LABEL)
        kept.append(good.index)
        rejected += bad
    return pop[pop.index.isin([i for index in kept for i in index])], rejected


def quota_moves(pop: pd.DataFrame, grid: OrderGrid, config: QuotaConfig) -> Moves:
    """R-QUOTA-ADJUST: every month's per-order average at or above the band's upper bound (上调)
    or every one below its lower bound (下调); the proposed group is the band (of the customer's
    业态) holding the per-order average of those months together. A customer whose order count
    cannot be known is rejected. `pop` holds only known quota groups (check_quota_groups)."""
    months = tuple(grid.volumes.columns)
    ids = pop["customer_id"].to_numpy()
    per_order = grid.per_order().loc[ids].to_numpy()
    level = grid.pooled().loc[ids].to_numpy()
    unknown = grid.unknown().loc[ids].to_numpy()
    current = pop["quota_group"].to_numpy()
    lower, upper = _limits(pop, current, config)
    up = (per_order >= upper[:, None]).all(axis=1)
    down = (per_order < lower[:, None]).all(axis=1)
    moving = np.flatnonzero(up | down)
    targets = _holding(pop.iloc[moving], level[moving], config)
    moves = Moves(rejected=[Rejection(cid, KIND_QUOTA, NO_ORDER_COUNT) for cid in ids[unknown]])
    for i, target in zip(moving, targets):
        bands = {b.name: b for b in config.bands_for(pop["format"].iloc[i])}
        bound = upper[i] if up[i] else lower[i]
        reason = move_reason(months, "平均每次订货量", current[i], bound, bool(up[i]), "合计平均每次", level[i],
                             bands[target], ORDER_UNIT)
        cid = ids[i]
        moves.proposals.append(Proposal(
            cid, KIND_QUOTA, current[i], target, UP if up[i] else DOWN, months, tuple(per_order[i].tolist()), float(level[i]),
            reason, volumes=tuple(grid.volumes.loc[cid].tolist()), orders=tuple(grid.orders.loc[cid].tolist()),
            estimated=tuple(grid.estimated.loc[cid].tolist()),
        ))
    return moves


def quota_group_moves(customers: pd.DataFrame, monthly: pd.DataFrame, config: QuotaConfig, month: Month,
                      n: int) -> Moves:
    """R-QUOTA-ADJUST for `month` over the `n` months ending at it, from the canonical customers
    and monthly purchases; an empty or unknown 定量组别 is rejected with the reason."""
    months = window(month, n)
    pop, rejected = check_quota_groups(population(customers, months[0]).frame, config)
    grid = order_grid(monthly, pop, [m.key for m in months])
    return combine([Moves(rejected=rejected), quota_moves(pop, grid, config)])


REVIEW_COLUMNS = ["customer_id", "volume", "orders", "per_order", "orders_basis", "current_group",
                  "proposed_group", "direction"]


@dataclass
class Review:
    """R-QUOTA-REVIEW: the customers whose quota group changes (REVIEW_COLUMNS, by 客户编码),
    and those that could not be reviewed."""

    changes: pd.DataFrame
    skipped: list[Rejection]


def orders_basis(estimated: pd.DataFrame, bought: pd.DataFrame) -> np.ndarray:
    """How each row's order count was found: 实际 / 按访销周期估算 / 部分估算."""
    guessed = (estimated & bought).sum(axis=1).to_numpy()
    months = bought.sum(axis=1).to_numpy()
    return np.select([guessed == 0, guessed == months], ["实际", "按访销周期估算"], "部分估算")


def quota_review(customers: pd.DataFrame, monthly: pd.DataFrame, config: QuotaConfig, quarter: Quarter) -> Review:
    """R-QUOTA-REVIEW: each customer's per-order average over `quarter` (quarter volume /
    quarter orders) and the band of its 业态 holding it; listed when that is not its current
    定量组别, 上调 or 下调. The population is that of R-GROUP-ADJUST (`groups.population`).
    No purchases, an order count nobody knows, an empty or unknown group: skipped."""
    pop, skipped = check_quota_groups(population(customers, quarter.months[0]).frame, config)
    grid = order_grid(monthly, pop, [m.key for m in quarter.months])
    ids = pop["customer_id"].to_numpy()
    level = grid.pooled().loc[ids].to_numpy()
    unknown = grid.unknown().loc[ids].to_numpy()
    skipped += [Rejection(c, KIND_QUOTA, NO_ORDER_COUNT) for c in ids[unknown]]
    skipped += [Rejection(c, KIND_QUOTA, "本季度没有购进，无法计算每次订货量，定量组别不变")
                for c in ids[np.isnan(level) & ~unknown]]
    rows, level = pop[~np.isnan(level)], level[~np.isnan(level)]
    current = rows["quota_group"].to_numpy()
    proposed = _holding(rows, level, config)
    moved = proposed != current
    rows, level, current, proposed = rows[moved], level[moved], current[moved], proposed[moved]
    cids = rows["customer_id"].to_numpy()
    volumes, bought = grid.volumes.loc[cids], grid.volumes.loc[cids] > 0
    changes = pd.DataFrame({
        "customer_id": cids,
        "volume": volumes.sum(axis=1).to_numpy(),
        "orders": grid.orders.loc[cids].sum(axis=1).to_numpy(),
        "per_order": level,
        "orders_basis": orders_basis(grid.estimated.loc[cids], bought),
        "current_group": current,
        "proposed_group": proposed,
        "direction": np.where(_limits(rows, proposed, config)[0] > _limits(rows, current, config)[0], UP, DOWN),
    }, columns=REVIEW_COLUMNS)
    return Review(changes.sort_values("customer_id", ignore_index=True), sorted(skipped, key=lambda r: r.customer_id))


def initial_quota_groups(customers: pd.DataFrame, config: QuotaConfig) -> pd.DataFrame:
    """R-GROUP-NEW with R-QUOTA: a first 定量组别 for each active customer without one: the band
    of its 业态 holding 月预计销量 / orders a month from its visit cycle. Columns customer_id,
    quota_group, per_order, problem (quota_group NA and the problem said when a figure is missing)."""
    todo = customers[customers["active"] & customers["quota_group"].isna()]
    expected = todo["expected_monthly"].to_numpy(dtype=float)
    per_order = expected / monthly_orders_estimate(todo["visit_cycle"])
    known = ~np.isnan(per_order)
    group = np.full(len(todo), None, dtype=object)
    group[known] = _holding(todo[known], per_order[known], config)
    problem = np.where(
        np.isnan(expected), NO_EXPECTED_VOLUME,
        np.where(known, None, "客户信息中没有访销周期，无法估算每次订货量：请补填后再运行"),
    )
    return pd.DataFrame({"customer_id": todo["customer_id"].to_numpy(), "quota_group": group,
                         "per_order": per_order, "problem": problem})
