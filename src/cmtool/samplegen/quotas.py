"""定量组别 of the sample, from the orders the generator actually placed (R-QUOTA).

Every customer's 定量组别 is the one the clean-up of the last complete quarter (R-QUOTA-REVIEW, in
force from the next quarter's first day; the master is exported after it) gives it: the band of
its 业态 holding its per-order average over that quarter, quarter volume / distinct order dates,
exactly as `cmtool quota-review` counts them in the order lines. Then:

- a few planted customers keep the group of the quarter before (their per-order volume has
  moved to another band since, and stayed there in the last months): quota-review and
  group-adjust propose them;
- ordinary customers are kept from looking like sustained movers (R-QUOTA-ADJUST): where every
  month of the adjustment window would be outside the band on the same side, the months after
  the quarter (October, whose National Day week leaves fewer, larger orders) are brought back
  inside it. Months of the quarter itself are never changed, so the classification is not either.

Draws come from their own random stream, so the rest of the sample is the same with or without.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cmtool.config import Band, QuotaConfig
from cmtool.periods import Month, Quarter
from cmtool.rules.quota import monthly_orders_estimate
from cmtool.samplegen.orders import order_counts
from cmtool.samplegen.scenarios import band_of

QUOTA_STREAM = 7  # the quota planting's random stream: np.random.default_rng([seed, QUOTA_STREAM])
RISE = (1.15, 1.45)  # a planted riser's per-order volume after the quarter, × its band's upper bound
FALL = (0.55, 0.85)  # a planted faller's, × its band's lower bound
INSIDE = (0.05, 0.30)  # how far into its band (share of the width) a pulled-back month lands
QUOTA_UP = "定量上调"
QUOTA_DOWN = "定量下调"


def order_matrix(master: pd.DataFrame, profile: pd.DataFrame, months: tuple[Month, ...],
                 volumes: np.ndarray) -> np.ndarray:
    """Orders per customer and month (n × months): the distinct order dates of the order lines,
    the 订货次数 of the monthly summaries."""
    return np.stack([order_counts(master, profile, m, volumes[:, t]) for t, m in enumerate(months)], axis=1)


def per_order(volumes: np.ndarray, orders: np.ndarray, cols: list[int]) -> np.ndarray:
    """Volume per order over the months `cols` together; NaN without orders."""
    total = orders[:, cols].sum(axis=1).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, volumes[:, cols].sum(axis=1) / total, np.nan)


class QuotaPlanner:
    """Sets the master's 定量组别 and plants the quota movers; changes `volumes` only in the
    months after `quarter`."""

    def __init__(
        self, master: pd.DataFrame, profile: pd.DataFrame, volumes: np.ndarray, months: tuple[Month, ...],
        quarter: Quarter, quota: QuotaConfig, rng: np.random.Generator,
    ):
        self.master, self.profile, self.volumes = master, profile, volumes
        self.months, self.quarter, self.quota, self.rng = months, quarter, quota, rng
        self.formats = master["format"].to_numpy()
        keys = [m.key for m in months]
        self.quarter_cols = [keys.index(m.key) for m in quarter.months]
        self.window = list(range(len(months) - quota.sustained_months, len(months)))
        self.free = [t for t in self.window if t > self.quarter_cols[-1]]  # months that may change

    def run(self) -> None:
        self.assign()
        self.plant()
        self.keep_inside()

    def _orders(self) -> np.ndarray:
        return order_matrix(self.master, self.profile, self.months, self.volumes)

    def _bands(self, i: int) -> list[Band]:
        return self.quota.bands_for(str(self.formats[i]))

    def _band(self, i: int, name: str) -> Band:
        return next(b for b in self._bands(i) if b.name == name)

    def assign(self) -> None:
        """R-QUOTA-REVIEW over the last complete quarter for every customer; one without
        purchases in it keeps the band of its per-order average over all its months, and one
        that never bought the band of its usual volume over the visit cycle's orders."""
        orders = self._orders()
        level = per_order(self.volumes, orders, self.quarter_cols)
        ever = per_order(self.volumes, orders, list(range(len(self.months))))
        usual = self.profile["base"].to_numpy() / monthly_orders_estimate(self.master["visit_cycle"])
        value = np.where(np.isnan(level), np.where(np.isnan(ever), usual, ever), level)
        self.master["quota_group"] = [band_of(v, self._bands(i)) for i, v in enumerate(value)]

    def _candidates(self) -> np.ndarray:
        """正常, unplanted customers that bought before the sample's first month (so in every
        evaluation's population)."""
        return (
            (self.master["status"] == "正常").to_numpy()
            & (self.profile["scenario"] == "").to_numpy()
            & ~self.profile["prorate"].to_numpy()
        )

    def plant(self) -> None:
        """A few customers whose per-order average moved to another band between the quarter
        before and the last complete quarter, and stayed outside the old band in every month of
        the window: they keep the old band's group (quota-review and group-adjust both propose
        them). Those rising go on above the old band, those falling below it, in the free months."""
        n = len(self.master)
        orders = self._orders()
        before = [self.months.index(m) for m in self.quarter.prev().months if m in self.months]
        old_level = per_order(self.volumes, orders, before)
        new_level = per_order(self.volumes, orders, self.quarter_cols)
        fixed = [t for t in self.window if t not in self.free]
        monthly = self.volumes / np.where(orders > 0, orders, np.nan)
        bought = ~np.isnan(old_level) & ~np.isnan(new_level)
        for label, count, rising in ((QUOTA_UP, max(2, n // 600), True), (QUOTA_DOWN, max(1, n // 1000), False)):
            fits = np.zeros(n, bool)
            old_names = np.full(n, None, dtype=object)
            for i in np.flatnonzero(self._candidates() & bought):
                old = self._band(i, band_of(old_level[i], self._bands(i)))
                new = self._band(i, band_of(new_level[i], self._bands(i)))
                if rising:
                    ok = old.max is not None and new.min > old.min and all(monthly[i, t] >= old.max for t in fixed)
                else:
                    ok = old.min > 0 and new.min < old.min and all(monthly[i, t] < old.min for t in fixed)
                if ok and all(orders[i, t] > 0 for t in self.free):
                    fits[i], old_names[i] = True, old.name
            chosen = np.sort(self.rng.choice(np.flatnonzero(fits), size=min(count, int(fits.sum())), replace=False))
            for i in chosen:
                old = self._band(i, old_names[i])
                self.master.at[i, "quota_group"] = old.name
                for t in self.free:
                    if rising and monthly[i, t] < old.max:
                        self.volumes[i, t] = math.ceil(old.max * self.rng.uniform(*RISE) * orders[i, t])
                    elif not rising and monthly[i, t] >= old.min:
                        fallen = math.floor(old.min * self.rng.uniform(*FALL) * orders[i, t])
                        self.volumes[i, t] = max(orders[i, t], fallen)
            self.profile.loc[chosen, "scenario"] = label

    def keep_inside(self) -> None:
        """Ordinary 正常 customers whose per-order average is outside their band on the same side
        in every month of the window get the free months back inside the band, near the side
        they were on."""
        if not self.free:
            return
        orders = self._orders()
        monthly = self.volumes / np.where(orders > 0, orders, np.nan)
        ordinary = ((self.master["status"] == "正常") & (self.profile["scenario"] == "")).to_numpy()
        groups = self.master["quota_group"].to_numpy()
        for i in np.flatnonzero(ordinary):
            band = self._band(i, groups[i])
            upper = math.inf if band.max is None else band.max
            window = monthly[i, self.window]
            above, below = (window >= upper).all(), (window < band.min).all()
            if not (above or below):
                continue
            width = (upper if band.max is not None else 2 * band.min) - band.min
            for t in self.free:
                o = int(orders[i, t])
                step = width * self.rng.uniform(*INSIDE)
                if above:
                    volume = max(math.floor((upper - step) * o), math.ceil(band.min * o), o)
                else:
                    volume = math.ceil((band.min + step) * o)
                    if band.max is not None:
                        volume = min(volume, math.ceil(band.max * o) - 1)
                self.volumes[i, t] = volume
