"""Classification result frames (architecture.md) for the writer and statistics tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cmtool.config import CodesConfig
from cmtool.fields import FORMATS, MARKETS, SCALES
from cmtool.rules.classes import add_classes


def make_result(n: int, seed: int = 0, managers: int = 6, departments: int = 2) -> pd.DataFrame:
    """`n` ranked customers with random classes and previous classes (about 10 % new)."""
    rng = np.random.default_rng(seed)
    market = rng.choice(MARKETS, n)
    fmt = rng.choice(FORMATS, n)
    volume = np.round(rng.gamma(2.0, 300.0, n), 2)
    amount = np.round(volume * rng.uniform(80, 400, n), 2)
    score = (volume / volume.sum() + amount / amount.sum()) / 2
    order = np.argsort(-score, kind="stable")
    manager_no = rng.integers(0, managers, n)
    frame = pd.DataFrame({
        "customer_id": [f"{510101000000 + i:012d}" for i in range(n)],
        "name": [f"示例便利店{i}号" for i in range(n)],
        "department": [f"第{m % departments + 1}营销部" for m in manager_no],
        "manager": [f"经理{m + 1}" for m in manager_no],
        "format": fmt,
        "market": market,
        "volume": volume,
        "amount": amount,
        "volume_share": volume / volume.sum(),
        "amount_share": amount / amount.sum(),
        "score": score,
    }).iloc[order].reset_index(drop=True)
    frame["rank"] = np.arange(1, n + 1)
    frame["position"] = np.arange(1, n + 1)
    frame["n"] = n
    frame["scope"] = "全市"
    frame["scale"] = np.where(frame["position"] <= n * 0.2, "大", np.where(frame["position"] > n * 0.8, "小", "中"))
    kept = rng.random(n) < 0.8
    frame["previous_scale"] = pd.Series(np.where(kept, frame["scale"], rng.choice(SCALES, n)), dtype=object)
    frame["previous_market"] = frame["market"]
    frame["previous_format"] = pd.Series(np.where(rng.random(n) < 0.9, frame["format"], rng.choice(FORMATS, n)))
    unknown = rng.random(n) < 0.1
    for column in ("previous_scale", "previous_market", "previous_format"):
        frame[column] = frame[column].astype(object).where(~unknown, None)
    return add_classes(frame, CodesConfig())
