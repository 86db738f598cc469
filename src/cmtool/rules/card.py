"""R-CARD: the purchase history and the selection of the customer cards (pure).

`purchase_history`: per customer and month, 购进量, 购进额, 单条值 and the 全市名次 (competition
rank by volume among every customer that bought that month). `select_cards`: the customers a
`customer print` asks for.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

HISTORY_COLUMNS = ["customer_id", "month", "volume", "amount", "unit_value", "city_rank", "buyers"]


def purchase_history(monthly: pd.DataFrame, customer_ids: Sequence[str], months: Sequence[str]) -> pd.DataFrame:
    """R-CARD: the `months` of `customer_ids` (monthly purchases: volume_h, amount_c), each month
    ranked over the whole city (rank 1 = most 条; equal volumes share the best rank). A month in
    which a customer bought nothing has no row."""
    frame = monthly[monthly["month"].isin(months)].copy()
    frame["volume"] = frame["volume_h"] / 100
    frame["amount"] = frame["amount_c"] / 100
    frame = frame[frame["volume"] > 0]
    frame["city_rank"] = frame.groupby("month")["volume_h"].rank(method="min", ascending=False).astype("int64")
    frame["buyers"] = frame.groupby("month")["customer_id"].transform("size").astype("int64")
    frame["unit_value"] = frame["amount"] / frame["volume"]
    mine = frame[frame["customer_id"].isin(set(customer_ids))]
    return mine[HISTORY_COLUMNS].sort_values(["customer_id", "month"], ignore_index=True)


def select_cards(
    customers: pd.DataFrame, *, manager: str | None = None, class_name: str | None = None,
    ids: Sequence[str] = (), name: str | None = None,
) -> pd.DataFrame:
    """R-CARD (工作法操作手册 §2): by 客户经理, 综合分类 (its canonical name), 客户编码 or part of the
    name; the filters combine. Without --id, only active customers; by 客户编码 otherwise in master order."""
    chosen = customers
    if ids:
        chosen = chosen[chosen["customer_id"].isin(set(ids))]
    else:
        chosen = chosen[chosen["active"]]
    if manager is not None:
        chosen = chosen[chosen["manager"] == manager]
    if class_name is not None:
        chosen = chosen[chosen["class_name"] == class_name]
    if name is not None:
        chosen = chosen[chosen["name"].str.contains(name, regex=False, na=False)]
    return chosen.sort_values("customer_id", kind="stable", ignore_index=True)
