"""R-ANA metrics: per customer and period, the figures the analyses are made of.

购进量, 购进额 and 订货次数 come from the monthly purchases; 单条值 = 购进额 / 购进量; 规格数,
一二类烟占比 and 重点品牌占比 need the purchases per SKU (order lines). A metric the data cannot
give is left out with a warning naming the column that would enable it, never filled with zeros.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from cmtool.rules.top5 import FIRST_SECOND

METRICS: dict[str, str] = {
    "volume": "购进量",
    "amount": "购进额",
    "unit_value": "单条值",
    "sku_count": "规格数",
    "premium_share": "一二类烟占比",
    "key_brand_share": "重点品牌占比",
    "orders": "订货次数",
}
UNITS: dict[str, str] = {"volume": "条", "amount": "元", "unit_value": "元/条", "sku_count": "个", "orders": "次"}
SHARE_METRICS = ("premium_share", "key_brand_share")
SUM_METRICS = ("volume", "amount", "orders")  # additive over customers


@dataclass(frozen=True)
class Metrics:
    """One row per customer of the population: its columns plus each metric the data gives."""

    frame: pd.DataFrame
    available: tuple[str, ...]  # metric keys present in `frame`, in METRICS order
    warnings: tuple[str, ...]  # one per metric left out, naming the column that would enable it


def metric_key(text: str) -> str | None:
    """The metric key of `text` (the key itself or its Chinese name), None when unknown."""
    text = text.strip()
    if text in METRICS:
        return text
    return next((k for k, name in METRICS.items() if name == text), None)


def customer_metrics(
    population: pd.DataFrame, monthly: pd.DataFrame, detail: pd.DataFrame | None, months: Iterable[str],
) -> Metrics:
    """R-ANA metrics of each customer of `population` over `months`.

    `population`: rules.population frame (volume_h, amount_c summed over the period);
    `monthly`: the purchases per customer and month (its `orders` column); `detail`: the
    purchases per SKU (customer_id, month, sku, price_class, key_brand, volume_h) or None.
    The SKU metrics are given only when every month of the period has order lines, 一二类烟占比
    only when some line has a 价类, 重点品牌占比 only when some line has the flag. A customer with
    no purchases has volume 0, amount 0, 0 SKUs and no 单条值 or shares.
    """
    months = sorted(set(months))
    frame = population.copy()
    frame["volume"] = frame["volume_h"] / 100
    frame["amount"] = frame["amount_c"] / 100
    frame["unit_value"] = (frame["amount"] / frame["volume"]).where(frame["volume"] > 0)
    warnings: list[str] = []
    in_period = monthly[monthly["month"].isin(months)]
    if in_period["orders"].notna().any():
        orders = in_period.groupby("customer_id")["orders"].sum(min_count=1)
        frame["orders"] = frame["customer_id"].map(orders).fillna(0).astype("float64")
    else:
        warnings.append("订货次数：销售数据没有「订货次数」列，也不是带「订单日期」的订单明细，未计算")
    covered = set() if detail is None else set(detail["month"].unique())
    if not set(months) <= covered:
        missing = "、".join(m for m in months if m not in covered)
        for key in ("sku_count", "premium_share", "key_brand_share"):
            warnings.append(f"{METRICS[key]}：{missing} 的销售数据不是含「卷烟编码」的订单明细，未计算")
    else:
        warnings += _sku_metrics(frame, detail[detail["month"].isin(months)])
    available = tuple(k for k in METRICS if k in frame.columns)
    return Metrics(frame, available, tuple(warnings))


def _sku_metrics(frame: pd.DataFrame, detail: pd.DataFrame) -> list[str]:
    """Add 规格数 and, where the columns allow, the two shares by volume; the warnings for the rest."""
    ids = frame["customer_id"]
    bought = detail[detail["volume_h"] > 0]
    frame["sku_count"] = ids.map(bought.groupby("customer_id")["sku"].nunique()).fillna(0).astype("float64")
    warnings = []
    volume = detail["volume_h"].astype("float64")
    for key, known, hit, column in (
        ("premium_share", detail["price_class"].notna(), detail["price_class"].isin(FIRST_SECOND), "价类"),
        ("key_brand_share", detail["key_brand"].notna(),
         detail["key_brand"].fillna(False).astype(bool), "是否重点品牌"),
    ):
        if not known.any():
            warnings.append(f"{METRICS[key]}：订单明细没有「{column}」列（或该列全为空），未计算")
            continue
        sums = pd.DataFrame({"customer_id": detail["customer_id"], "known": volume.where(known, 0),
                             "hit": volume.where(hit & known, 0)}).groupby("customer_id").sum()
        share = (sums["hit"] / sums["known"]).where(sums["known"] > 0)
        frame[key] = ids.map(share).astype("float64")
    return warnings

