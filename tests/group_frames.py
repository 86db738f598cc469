"""Canonical customers and monthly purchases frames (docs/architecture.md) for the group rules."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cmtool.fields import INACTIVE_STATUSES


def customers(*rows: dict) -> pd.DataFrame:
    """The customer master: each row a dict of the fields that matter; the rest defaulted."""
    defaults = {"format": "食杂店", "market": "城镇", "name": "店", "manager": "王芳", "department": "城区营销部",
                "group": None, "quota_group": None, "status": "正常", "joined": None, "visit_cycle": "每周",
                "expected_monthly": np.nan, "license_no": None, "address": None}
    frame = pd.DataFrame([{**defaults, **r} for r in rows])
    frame["active"] = ~frame["status"].isin(INACTIVE_STATUSES)
    frame["joined"] = pd.to_datetime(frame["joined"])
    frame["expected_monthly"] = frame["expected_monthly"].astype(float)
    frame["source_row"] = range(2, len(frame) + 2)
    return frame


def monthly(volumes: dict[str, Sequence[float]], months: Sequence[str],
            orders: dict[str, Sequence[int | None]] | None = None) -> pd.DataFrame:
    """Monthly purchases: per customer its volume (条) in each of `months` (0 = no row) and,
    optionally, its order counts (None = not known)."""
    rows = []
    for cid, values in volumes.items():
        counts = (orders or {}).get(cid, [None] * len(months))
        for month, volume, count in zip(months, values, counts):
            if volume:
                rows.append({"customer_id": cid, "month": month, "volume_h": round(volume * 100),
                             "amount_c": round(volume * 20000), "orders": count, "source": "x.xlsx"})
    frame = pd.DataFrame(rows, columns=["customer_id", "month", "volume_h", "amount_c", "orders", "source"])
    frame["orders"] = frame["orders"].astype("Int64")
    frame["volume_h"] = frame["volume_h"].astype("int64")
    return frame
