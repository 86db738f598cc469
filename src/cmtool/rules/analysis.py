"""R-ANA: 单项分析, 关联分析, 指导经营 targets and 品牌培育 lists, as pure functions over the
metrics frame of rules/metrics.py (one row per customer)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cmtool.fields import FORMATS, MARKETS, SCALES
from cmtool.rules.classes import all_class_names
from cmtool.rules.metrics import METRICS, SHARE_METRICS, SUM_METRICS, UNITS

DIMENSIONS: dict[str, str] = {
    "format": "业态", "scale": "经营规模", "market": "市场类型",
    "manager": "客户经理", "class": "综合分类", "department": "营销部",
}
DIMENSION_COLUMNS = {"format": "format", "scale": "scale", "market": "market", "manager": "manager",
                     "class": "class_name", "department": "department"}
_ORDERS = {"format": FORMATS, "scale": SCALES, "market": MARKETS, "class": tuple(all_class_names())}
NO_VALUE = "（未填）"
QUADRANTS: dict[tuple[bool, bool], tuple[str, str]] = {  # (x high, y high) -> quadrant, direction
    (True, True): ("双高", "保持"),
    (True, False): ("量高值低", "优化结构"),
    (False, True): ("量低值高", "提升总量"),
    (False, False): ("双低", "重点帮扶"),
}
TARGET_SCALES = ("中", "小")
BRAND_LISTS: dict[str, tuple[str, ...]] = {  # R-ANA-BRAND
    "高档新品": ("商场", "超市", "烟酒商店"),
    "重点品牌扩张": ("便利店", "娱乐服务类"),
}


def dimension_key(text: str) -> str | None:
    """The dimension key of `text` (the key or its Chinese name; 业态 also 经营业态), None when unknown."""
    text = text.strip()
    if text in DIMENSIONS:
        return text
    if text == "经营业态":
        return "format"
    return next((k for k, name in DIMENSIONS.items() if name == text), None)


def _labels(frame: pd.DataFrame, dimension: str) -> pd.Series:
    return frame[DIMENSION_COLUMNS[dimension]].astype(object).where(
        frame[DIMENSION_COLUMNS[dimension]].notna(), NO_VALUE)


def group_order(labels: pd.Index, dimension: str) -> list[str]:
    """Groups in the dimension's natural order (业态, 规模, 市场类型, 综合分类 as the manual lists
    them), others by name; the customers without a value last."""
    known = _ORDERS.get(dimension)
    present = [g for g in labels if g != NO_VALUE]
    ordered = [g for g in known if g in present] if known else []
    ordered += sorted(g for g in present if g not in ordered)
    return ordered + ([NO_VALUE] if NO_VALUE in labels else [])


def single(frame: pd.DataFrame, dimension: str, metrics: Sequence[str]) -> pd.DataFrame:
    """R-ANA-SINGLE: per group of `dimension`, customers and their share, volume and amount totals
    and shares, the group's 单条值 (amount total / volume total), and the per-customer mean and
    median of each of `metrics` (columns `mean_<m>`, `median_<m>`; NaN values are not counted)."""
    labels = _labels(frame, dimension)
    grouped = frame.groupby(labels, sort=False)
    out = pd.DataFrame({"customers": grouped.size(), "volume": grouped["volume"].sum(),
                        "amount": grouped["amount"].sum()})
    out["customer_share"] = out["customers"] / out["customers"].sum()
    for key in ("volume", "amount"):
        total = out[key].sum()
        out[f"{key}_share"] = out[key] / total if total > 0 else np.nan
    out["unit_value"] = (out["amount"] / out["volume"]).where(out["volume"] > 0)
    for key in metrics:
        out[f"mean_{key}"] = grouped[key].mean()
        out[f"median_{key}"] = grouped[key].median()
    out = out.loc[group_order(out.index, dimension)]
    return out.rename_axis("group").reset_index()


def _pct(share: float) -> str:
    return f"{share * 100:.1f}%"


def single_findings(groups: pd.DataFrame, dimension: str, *, big_volume_share_max: float,
                    premium_by_market: pd.DataFrame | None = None) -> list[str]:
    """R-ANA-SINGLE findings in sentences a manager can paste into his 分析报告.

    经营规模: volume and amount shares of 大/中/小 against the olive shape, flagged when 大's volume
    share is above `big_volume_share_max`; 业态: formats ranked by 单条值; 市场类型: the 城镇–乡村
    gap in 单条值 and, with `premium_by_market` (single() by market with premium_share), in
    一二类烟占比. Other dimensions: the group with the most volume and the 单条值 range.
    """
    g = groups[groups["group"] != NO_VALUE].set_index("group")
    if g.empty or not (g["volume"] > 0).any():
        return ["本期没有购进，无法分析。"]
    if dimension == "scale":
        return _olive(g, big_volume_share_max)
    if dimension == "format":
        ranked = g[g["unit_value"].notna()].sort_values("unit_value", ascending=False)
        chain = "、".join(f"{name}（{v:.2f}元/条）" for name, v in ranked["unit_value"].items())
        text = [f"按单条值（购进额÷购进量，反映卷烟价位）由高到低，各业态依次为：{chain}。"]
        if len(ranked) >= 2:
            text.append(f"单条值最高的{ranked.index[0]}比最低的{ranked.index[-1]}高"
                        f"{ranked['unit_value'].iloc[0] - ranked['unit_value'].iloc[-1]:.2f}元/条，"
                        "结构提升应以单条值偏低的业态为重点。")
        return text
    if dimension == "market":
        return _market_gap(g, premium_by_market)
    top = g["volume"].idxmax()
    label = DIMENSIONS[dimension]
    text = [f"按{label}看，{top}购进量最大，占{_pct(g.at[top, 'volume_share'])}"
            f"（{int(g.at[top, 'customers'])}户，占客户数{_pct(g.at[top, 'customer_share'])}）。"]
    valued = g["unit_value"].dropna()
    if len(valued) >= 2:
        text.append(f"单条值最高的是{valued.idxmax()}（{valued.max():.2f}元/条），"
                    f"最低的是{valued.idxmin()}（{valued.min():.2f}元/条）。")
    return text


def _olive(g: pd.DataFrame, limit: float) -> list[str]:
    """The olive-shape check of R-ANA-SINGLE on the 经营规模 groups."""
    parts = "，".join(f"{s}户{_pct(g.at[s, 'volume_share'])}" for s in SCALES if s in g.index)
    amounts = "，".join(f"{s}户{_pct(g.at[s, 'amount_share'])}" for s in SCALES if s in g.index)
    text = [f"按经营规模，购进量占比：{parts}；购进额占比：{amounts}。"
            "（大、中、小户的户数比例由分类规则决定，不说明结构。）"]
    big = float(g.at["大", "volume_share"]) if "大" in g.index else 0.0
    if big > limit:
        text.append(f"大户购进量占比{_pct(big)}，超过{_pct(limit)}的控制线，结构偏离橄榄型："
                    "应防止大户批发化倾向，注意大户是否有批发性质经营。")
    else:
        text.append(f"大户购进量占比{_pct(big)}，未超过{_pct(limit)}的控制线。")
    if "中" in g.index and "大" in g.index and g.at["中", "volume_share"] < g.at["大", "volume_share"]:
        text.append("中户购进量占比低于大户，橄榄型“中间大”的特征不明显，应加强对中户的培育。")
    elif "中" in g.index:
        text.append(f"中户购进量占比{_pct(g.at['中', 'volume_share'])}，是销量的主体，符合橄榄型“依靠中间”的要求。")
    text.append("对小户应加强扶持，帮助其提升经营能力。")
    return text


def _market_gap(g: pd.DataFrame, premium: pd.DataFrame | None) -> list[str]:
    """The 城镇–乡村 gap of R-ANA-SINGLE (no direction claimed for 乡村: the manual's sentence is cut off)."""
    if not {"城镇", "乡村"} <= set(g.index) or g.loc[["城镇", "乡村"], "unit_value"].isna().any():
        return ["城镇、乡村客户不全（或一方没有购进），无法比较城乡差距。"]
    town, rural = g.at["城镇", "unit_value"], g.at["乡村", "unit_value"]
    text = [f"城镇客户单条值{town:.2f}元/条，乡村客户{rural:.2f}元/条，"
            f"城镇{'高' if town >= rural else '低'}{abs(town - rural):.2f}元/条。"]
    if premium is not None:
        p = premium.set_index("group")["mean_premium_share"]
        if {"城镇", "乡村"} <= set(p.dropna().index):
            text.append(f"一二类烟占比（户均）城镇{_pct(p['城镇'])}，乡村{_pct(p['乡村'])}，"
                        f"相差{abs(p['城镇'] - p['乡村']) * 100:.1f}个百分点。")
    text.append("城镇市场应重点提高销售结构。")
    return text


def spearman(x: pd.Series | np.ndarray, y: pd.Series | np.ndarray) -> float:
    """R-ANA-ASSOC: Spearman's rank correlation, ties given their average rank (Pearson of the
    ranks). Pairs with a missing value are dropped; NaN when fewer than 2 pairs or a constant side."""
    both = pd.DataFrame({"x": np.asarray(x, dtype="float64"), "y": np.asarray(y, dtype="float64")}).dropna()
    if len(both) < 2:
        return float("nan")
    rx, ry = both["x"].rank(method="average"), both["y"].rank(method="average")
    dx, dy = rx - rx.mean(), ry - ry.mean()
    denominator = float(np.sqrt((dx * dx).sum() * (dy * dy).sum()))
    if denominator == 0:
        return float("nan")
    return float(np.clip((dx * dy).sum() / denominator, -1.0, 1.0))


def cross_table(frame: pd.DataFrame, rows: str, columns: str, metric: str) -> pd.DataFrame:
    """R-ANA-ASSOC: `metric` over the groups of two dimensions: row, column, value, customers.

    The value of a cell is its amount total / volume total for 单条值, else the per-customer mean
    (cells differ in size, so totals would not compare); empty cells are not listed.
    """
    r, c = _labels(frame, rows), _labels(frame, columns)
    grouped = frame.groupby([r, c], sort=False)
    out = pd.DataFrame({"customers": grouped.size()})
    if metric == "unit_value":
        sums = grouped[["amount", "volume"]].sum()
        out["value"] = (sums["amount"] / sums["volume"]).where(sums["volume"] > 0)
    else:
        out["value"] = grouped[metric].mean()
    out = out.rename_axis(["row", "column"]).reset_index()
    row_rank = {g: i for i, g in enumerate(group_order(pd.Index(out["row"].unique()), rows))}
    col_rank = {g: i for i, g in enumerate(group_order(pd.Index(out["column"].unique()), columns))}
    order = np.lexsort((out["column"].map(col_rank), out["row"].map(row_rank)))
    return out.iloc[order].reset_index(drop=True)[["row", "column", "value", "customers"]]


def class_medians(frame: pd.DataFrame, metric: str) -> pd.Series:
    """The median of `metric` per 综合分类 over the customers that bought in the period."""
    buyers = frame[(frame["volume"] > 0) & frame["class_name"].notna()]
    return buyers.groupby("class_name")[metric].median()


@dataclass(frozen=True)
class Placed:
    """Customers placed against their class medians, and how many could not be."""

    frame: pd.DataFrame
    no_purchase: int  # left out: no purchases in the period
    no_class: int  # left out: no 综合分类 (no scale known)


def quadrants(frame: pd.DataFrame, x: str, y: str, reference: pd.DataFrame | None = None) -> Placed:
    """R-ANA-ASSOC: each customer that bought, in a quadrant of `x` (the 量 side) and `y` (the 值
    side) against the medians of its 综合分类 in the period (over `reference`, default `frame`:
    the company's when `frame` is one manager's); a value at or above its median is 高.
    Columns: customer_id, name, manager, class_name, scale, x, y, x_median, y_median, quadrant,
    direction; by class_name then customer_id."""
    bought = frame["volume"] > 0
    classed = frame["class_name"].notna()
    chosen = frame[bought & classed & frame[x].notna() & frame[y].notna()]
    out = pd.DataFrame({
        "customer_id": chosen["customer_id"], "name": chosen["name"], "manager": chosen["manager"],
        "class_name": chosen["class_name"], "scale": chosen["scale"],
        "x": chosen[x].astype("float64"), "y": chosen[y].astype("float64"),
    })
    reference = frame if reference is None else reference
    out["x_median"] = out["class_name"].map(class_medians(reference, x)).astype("float64")
    out["y_median"] = out["class_name"].map(class_medians(reference, y)).astype("float64")
    high_x, high_y = out["x"] >= out["x_median"], out["y"] >= out["y_median"]
    keys = list(zip(high_x, high_y))
    out["quadrant"] = [QUADRANTS[k][0] for k in keys]
    out["direction"] = [QUADRANTS[k][1] for k in keys]
    out = out.sort_values(["class_name", "customer_id"], ignore_index=True)
    return Placed(out, int((~bought).sum()), int((bought & ~classed).sum()))


def quadrant_counts(placed: pd.DataFrame) -> dict[str, int]:
    """Customers per quadrant, all four named (zeros included)."""
    counts = placed["quadrant"].value_counts()
    return {name: int(counts.get(name, 0)) for name, _ in QUADRANTS.values()}


def target_direction(metric: str) -> str:
    """What guidance a gap on `metric` calls for: volume-like metrics 提升总量, the others 优化结构."""
    return "提升总量" if metric in SUM_METRICS else "优化结构"


def targets(frame: pd.DataFrame, metric: str, top: int | None = None,
            reference: pd.DataFrame | None = None) -> pd.DataFrame:
    """R-ANA-TARGETS: 中/小 customers that bought, below their class median on `metric`, by relative
    gap (median − value) / median descending, then customer_id; the first `top` when given. The
    medians are those of `reference` (default `frame`).
    Columns: customer_id, name, manager, scale, class_name, value, class_median, gap,
    relative_gap, direction."""
    medians = class_medians(frame if reference is None else reference, metric)
    chosen = frame[frame["scale"].isin(TARGET_SCALES) & (frame["volume"] > 0) & frame[metric].notna()]
    out = pd.DataFrame({
        "customer_id": chosen["customer_id"], "name": chosen["name"], "manager": chosen["manager"],
        "scale": chosen["scale"], "class_name": chosen["class_name"], "value": chosen[metric].astype("float64"),
    })
    out["class_median"] = out["class_name"].map(medians).astype("float64")
    out = out[(out["class_median"] > 0) & (out["value"] < out["class_median"])].copy()
    out["gap"] = out["class_median"] - out["value"]
    out["relative_gap"] = out["gap"] / out["class_median"]
    out["direction"] = target_direction(metric)
    out = out.sort_values(["relative_gap", "customer_id"], ascending=[False, True], ignore_index=True)
    return out if top is None else out.head(top)


def brand_lists(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """R-ANA-BRAND: the 高档新品 list (商场, 超市, 烟酒商店) and the 重点品牌扩张 list (便利店,
    娱乐服务类); each by 客户经理, then 大 before 中 before 小 (unknown scale last), then 单条值
    descending (none last), then customer_id. A 食杂店 is never on either list."""
    scale_rank = frame["scale"].map({s: i for i, s in enumerate(SCALES)}).fillna(len(SCALES))
    ordered = frame.assign(_scale=scale_rank, _manager=frame["manager"].fillna(NO_VALUE),
                           _uv=frame["unit_value"].fillna(-np.inf))
    ordered = ordered.sort_values(["_manager", "_scale", "_uv", "customer_id"],
                                  ascending=[True, True, False, True], kind="stable")
    return {
        name: ordered[ordered["format"].isin(formats)].drop(columns=["_scale", "_manager", "_uv"])
        .reset_index(drop=True)
        for name, formats in BRAND_LISTS.items()
    }


def metric_label(key: str) -> str:
    """The Chinese name of a metric with its unit, as a column heading: 单条值(元/条)."""
    unit = UNITS.get(key)
    return f"{METRICS[key]}({unit})" if unit else METRICS[key]


def is_share(key: str) -> bool:
    """Whether the metric is a fraction (shown as a percentage)."""
    return key in SHARE_METRICS
