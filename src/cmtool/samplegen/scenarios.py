"""客户组别 and 定量组别 of the sample, and the planted cases that later commands should find.

Each planted customer gets a `scenario` label in the profile; README.txt lists them.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from cmtool.config import Band, GroupsConfig
from cmtool.periods import Month

SCENARIOS: dict[str, str] = {
    "持续增长": "最近 3 个月每月购进量都高于所在客户组别的上限（组别调整：上调）",
    "持续下降": "最近 3 个月每月购进量都低于所在客户组别的下限（组别调整：下调）",
    "调入按需供货": "一组客户，最近 3 个月每月购进量都在 800 条以上（按需供货：调入）",
    "调出按需供货": "按需供货客户，最近 3 个月每月购进量都不足 400 条（按需供货：调出）",
    "新入网高销量": "入网不满 6 个月但月购进量在 800 条以上（按需供货：应列为不予调入）",
    "批发性质嫌疑": "城镇食杂店，月购进量是名单上同类客户中位数的 3 倍以上（前5%档案：批发性质嫌疑）",
    "单品规集中": "大户，单一规格占购进量六成以上（前5%档案：单品规集中）",
    "月销量突增": "前5%客户，最后一个月购进量比上月增长七成以上（前5%档案：销量突增）",
    "业态变更": "本季度由食杂店改为便利店，综合分类还是上季度的食杂店（规模不变时分类变动为“调整”）",
    "定量上调": "平均每次订货量从上季度起升到更高一档，本季度和最近 2 个月都高于定量组别上限，"
                "定量组别仍是上季度的（定量组别清理：上调；组别调整：单户单次定量上调）",
    "定量下调": "平均每次订货量从上季度起降到更低一档，本季度和最近 2 个月都低于定量组别下限，"
                "定量组别仍是上季度的（定量组别清理：下调；组别调整：单户单次定量下调）",
}
NEWCOMER = "新入网"  # joined after the last month: no groups yet (group-init)
ON_DEMAND_SHARE = 0.7  # share of established customers at or above the entry volume put in 按需供货
FAVOURITE_CLASSES = 2  # a concentrated customer's favourite is a 一类 or 二类 cigarette


def band_of(value: float, bands: list[Band]) -> str:
    """The name of the band holding `value` (lower bound inclusive, upper exclusive)."""
    for band in bands:
        if value >= band.min and (band.max is None or value < band.max):
            return band.name
    return min(bands, key=lambda b: b.min).name


class Planner:
    """Plants the scenarios on a master, its profile and (later) its volumes."""

    def __init__(
        self, master: pd.DataFrame, profile: pd.DataFrame, rng: np.random.Generator,
        months: tuple[Month, ...], groups: GroupsConfig,
    ):
        self.master, self.profile, self.rng = master, profile, rng
        self.months, self.groups = months, groups
        self.n = len(master)
        self.sustained = groups.sustained_months

    def _free(self, mask: np.ndarray, count: int, by: np.ndarray | None = None) -> np.ndarray:
        """Up to `count` established, 正常, unplanted customers matching `mask`; the largest
        `by` first when given, else random."""
        eligible = (
            mask
            & (self.master["status"] == "正常").to_numpy()
            & ~self.profile["prorate"].to_numpy()
            & (self.profile["scenario"] == "").to_numpy()
        )
        idx = np.flatnonzero(eligible)
        if by is not None:
            return idx[np.argsort(-by[idx], kind="stable")][:count]
        return self.rng.choice(idx, size=min(count, len(idx)), replace=False)

    def _mark(self, idx: np.ndarray, label: str) -> None:
        self.profile.loc[idx, "scenario"] = label

    def shape_profiles(self, skus: pd.DataFrame) -> None:
        """Before volumes: wholesale-like shops, a new high-volume customer, concentrated buyers."""
        n, rng, base = self.n, self.rng, self.profile["base"].to_numpy()
        town_shop = ((self.master["format"] == "食杂店") & (self.master["market"] == "城镇")).to_numpy()
        wholesale = self._free(town_shop, max(1, n // 1000))
        self.profile.loc[wholesale, "base"] = rng.uniform(1500, 2000, len(wholesale))
        self._mark(wholesale, "批发性质嫌疑")

        newcomer = self._free(np.ones(n, bool), 1)
        joined_month = self.months[-5]
        self.master.loc[newcomer, "joined"] = pd.Timestamp(joined_month.first_day + timedelta(days=9))
        self.master.loc[newcomer, "expected_monthly"] = 600.0
        self.profile.loc[newcomer, ["start", "prorate", "base"]] = [len(self.months) - 5, True, 1000.0]
        self._mark(newcomer, "新入网高销量")

        concentrated = self._free(np.ones(n, bool), 2, by=base)
        favourites = np.flatnonzero(skus["class_index"].to_numpy() < FAVOURITE_CLASSES)
        self.profile.loc[concentrated, "favourite"] = rng.choice(favourites, len(concentrated))
        self._mark(concentrated, "单品规集中")

    def assign_groups(self) -> None:
        """客户组别 from the base volume (established) or 月预计销量 (new, R-GROUP-NEW, never
        按需供货), 按需供货 for most established customers above the entry volume. 定量组别 come
        later, from the orders (`QuotaPlanner`)."""
        base = self.profile["base"].to_numpy()
        new = self.profile["prorate"].to_numpy()
        basis = np.where(new, self.master["expected_monthly"].to_numpy(), base)
        group = np.array([band_of(v, self.groups.bands) for v in basis], dtype=object)
        on_demand = (
            ~new
            & (base >= self.groups.on_demand_entry)
            & (self.profile["scenario"] == "").to_numpy()
            & (self.rng.random(self.n) < ON_DEMAND_SHARE)
        )
        group[on_demand] = self.groups.on_demand
        self.master["group"] = group

    def shape_classes(self) -> None:
        """After the previous classes: a few 便利店 that were still 食杂店 last quarter."""
        former = (self.master["format"] == "便利店") & self.master["scale"].notna()
        changed = self._free(former.to_numpy(), max(2, self.n // 400))
        old = self.master.loc[changed]
        self.master.loc[changed, "class_name"] = old["market"] + "食杂店" + old["scale"]
        self._mark(changed, "业态变更")

    def shape_volumes(self, volumes: np.ndarray) -> None:
        """After volumes, over the last `sustained_months`: sustained changes beyond the band,
        按需供货 in and out, the newcomer's high volume; then a jump in the last month."""
        self._sustained(volumes)
        self._on_demand(volumes)
        self._jumps(volumes)

    def _hold(
        self, volumes: np.ndarray, idx: np.ndarray, level: np.ndarray, low: float, high: float
    ) -> None:
        """Set the last months of `idx` to `level` × a random factor in [low, high)."""
        factor = self.rng.uniform(low, high, (len(idx), self.sustained))
        volumes[idx, -self.sustained :] = np.round(level[:, None] * factor)

    def _sustained(self, volumes: np.ndarray) -> None:
        """R-GROUP-ADJUST material: every last month above the band's top, or below its bottom."""
        groups = self.master["group"].to_numpy()
        bands = {b.name: b for b in self.groups.bands}
        capped = np.array([g in bands and bands[g].max is not None for g in groups])
        ups = self._free(capped, max(2, self.n // 150))
        self._hold(volumes, ups, np.array([bands[g].max for g in groups[ups]], float), 1.15, 1.6)
        self._mark(ups, "持续增长")
        floored = np.array([g in bands and bands[g].min > 0 for g in groups])
        downs = self._free(floored, max(2, self.n // 200))
        self._hold(volumes, downs, np.array([bands[g].min for g in groups[downs]], float), 0.45, 0.85)
        self._mark(downs, "持续下降")

    def _on_demand(self, volumes: np.ndarray) -> None:
        """R-GROUP-ONDEMAND material: a 一组 customer at the entry volume, a 按需供货 customer
        under the exit volume, and the newcomer at the entry volume (to be rejected)."""
        groups = self.master["group"].to_numpy()
        base = self.profile["base"].to_numpy()
        entry, exit_ = self.groups.on_demand_entry, self.groups.on_demand_exit
        first_band = max(self.groups.bands, key=lambda b: b.min).name
        movers = self._free(groups == first_band, max(1, self.n // 1500), by=base)
        self._hold(volumes, movers, np.full(len(movers), entry), 1.05, 1.4)
        self._mark(movers, "调入按需供货")
        leaving = self._free(groups == self.groups.on_demand, 1)
        if not len(leaving):
            leaving = self._free(groups == first_band, 1, by=base)
            self.master.loc[leaving, "group"] = self.groups.on_demand
        self._hold(volumes, leaving, np.full(len(leaving), exit_), 0.55, 0.9)
        self._mark(leaving, "调出按需供货")
        newcomer = np.flatnonzero(self.profile["scenario"] == "新入网高销量")
        self._hold(volumes, newcomer, np.full(len(newcomer), entry), 1.1, 1.3)

    def _jumps(self, volumes: np.ndarray) -> None:
        """A few of the top 5 % of the month before the last buy 70–120 % more in the last."""
        active = (self.master["status"] == "正常").to_numpy() & (volumes[:, -2] > 0)
        if not active.any():
            return
        top = volumes[:, -2] >= np.quantile(volumes[active, -2], 0.95)
        jumpers = self._free(top & active, max(3, self.n // 600))
        volumes[jumpers, -1] = np.round(volumes[jumpers, -2] * self.rng.uniform(1.7, 2.2, len(jumpers)))
        self._mark(jumpers, "月销量突增")
