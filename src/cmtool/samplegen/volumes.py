"""Monthly purchase volumes (条) per customer, and amounts for the monthly summaries."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cmtool.periods import Month
from cmtool.samplegen import catalog

MONTHLY_NOISE = 0.15  # sigma of the log of a month's volume around the customer's level
UNIT_VALUE_NOISE = 0.02


def price_mix(profile: pd.DataFrame) -> np.ndarray:
    """Each customer's probabilities of buying 一类 … 五类 (n × 5)."""
    return profile[[f"p_{label}" for label in catalog.PRICE_CLASSES]].to_numpy()


def class_prices(skus: pd.DataFrame) -> np.ndarray:
    """Popularity-weighted mean 批发价 (分/条) of each price class."""
    weighted = skus.assign(w_price=skus["price_c"] * skus["weight"]).groupby("class_index")
    sums = weighted[["w_price", "weight"]].sum()
    return (sums["w_price"] / sums["weight"]).to_numpy()


def make_volumes(
    profile: pd.DataFrame, months: tuple[Month, ...], rng: np.random.Generator
) -> np.ndarray:
    """Volumes (条, int64, n × months): base × seasonality × trend × noise, zero outside the
    customer's active months and prorated in the month it joined."""
    n, m = len(profile), len(months)
    t = np.arange(m)
    season = np.array([catalog.SEASONALITY[month.month] for month in months])
    level = profile["base"].to_numpy()[:, None] * season[None, :]
    level = level * np.exp(profile["trend"].to_numpy()[:, None] * (t[None, :] - m + 1))
    level = level * rng.lognormal(0.0, MONTHLY_NOISE, (n, m))
    start = profile["start"].to_numpy()[:, None]
    stop = profile["stop"].to_numpy()[:, None]
    level = np.where((t >= start) & (t < stop), level, 0.0)
    joined_month = (t == start) & profile["prorate"].to_numpy()[:, None]
    level = np.where(joined_month, level * rng.uniform(0.2, 1.0, (n, 1)), level)
    return np.round(level).astype(np.int64)


def summary_amounts(
    volumes: np.ndarray, profile: pd.DataFrame, skus: pd.DataFrame, rng: np.random.Generator
) -> np.ndarray:
    """Amounts (分, int64) matching volumes at each customer's 单条值, with a little noise."""
    unit_c = price_mix(profile) @ class_prices(skus)
    noise = 1 + rng.normal(0, UNIT_VALUE_NOISE, volumes.shape)
    return np.round(volumes * unit_c[:, None] * noise).astype(np.int64)
