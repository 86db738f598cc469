"""The sample's R-VISIT fields: 拜访周期, 拜访日, 拜访方式, 送货线路 and 线路顺序.

Most customers have them, a few do not (as in real masters, 135工作法操作规范 §1.1): those fall
back to the 访销周期/访销日 or are flagged 缺拜访方式. Drawn from their own random stream, so the
rest of the sample stays as it was.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

VISIT_STREAM = 9  # np.random.default_rng([seed, VISIT_STREAM])
MODES = ("实地拜访", "电话拜访", "微信拜访")
MODE_SHARES = (0.80, 0.15, 0.05)
MISSING_FREQUENCY = 0.04  # no 拜访周期: the 访销周期 is used
MISSING_WEEKDAY = 0.03  # no 拜访日: the 访销日 is used
MISSING_MODE = 0.05  # no 拜访方式: flagged on the day sheet
MISSING_ROUTE = 0.02
OTHER_WEEKDAY = 0.08  # visited on another weekday than the order day
MONTHLY_RURAL = 0.10  # rural 食杂店 visited once a month


VISIT_FIELDS = ("visit_frequency", "visit_weekday", "visit_mode", "route", "route_order")


def add_visit_fields(master: pd.DataFrame, rng: np.random.Generator, newcomers: np.ndarray) -> pd.DataFrame:
    """`master` with visit_frequency, visit_weekday, visit_mode, route and route_order; the
    `newcomers` (a mask: joined just now, not set up yet) have none of them."""
    n = len(master)
    out = master.copy()
    frequency = out["visit_cycle"].to_numpy(dtype=object).copy()
    rural_shop = (out["market"].eq("乡村") & out["format"].eq("食杂店")).to_numpy()
    frequency[rural_shop & (rng.random(n) < MONTHLY_RURAL)] = "每月"
    frequency[rng.random(n) < MISSING_FREQUENCY] = None
    out["visit_frequency"] = frequency
    weekday = out["order_weekday"].astype("float").to_numpy().copy()
    moved = rng.random(n) < OTHER_WEEKDAY
    weekday[moved] = rng.integers(1, 6, size=int(moved.sum()))
    weekday[rng.random(n) < MISSING_WEEKDAY] = np.nan
    out["visit_weekday"] = pd.array(pd.Series(weekday).round(), dtype="Int8")
    modes = rng.choice(MODES, size=n, p=MODE_SHARES).astype(object)
    modes[rng.random(n) < MISSING_MODE] = None
    out["visit_mode"] = modes
    route, order = _routes(out, rng)
    missing = rng.random(n) < MISSING_ROUTE
    out["route"] = np.where(missing, None, route)
    out["route_order"] = np.where(missing, None, order)
    for field in VISIT_FIELDS:
        out.loc[newcomers, field] = None
    return out


def _routes(master: pd.DataFrame, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One delivery route per 营销部, manager and order day (`青羊07线`), customers in a random
    order along it."""
    route = np.empty(len(master), dtype=object)
    order = np.empty(len(master), dtype=object)
    keys = master[["department", "manager", "order_weekday"]].astype(str).agg("|".join, axis=1)
    numbers: dict[str, int] = {}
    for key, rows in master.groupby(keys.to_numpy(), sort=True).indices.items():
        department = key.split("|")[0]
        numbers[department] = numbers.get(department, 0) + 1
        route[rows] = f"{department[:2]}{numbers[department]:02d}线"
        order[rows] = [str(i + 1) for i in rng.permutation(len(rows))]
    return route, order
