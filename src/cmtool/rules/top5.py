"""R-TOP5: the monthly list of the city's top 5 % customers by volume, and its movement.

Volumes are compared as exact integers (hundredths of 条), so equal volumes always tie. The
archive of the customers' files (档案) is `rules/top5_archive.py`; the anomaly flags are
`rules/anomalies.py`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from cmtool.calendar import WorkCalendar
from cmtool.errors import DataError
from cmtool.periods import Month
from cmtool.rules.scale import round_half_up

NEW = "新进入"
KEPT = "保持"
ORDER_BY, ORDER_ASCENDING = ["volume_h", "amount_c", "customer_id"], [False, False, True]  # R-TOP5 2


@dataclass(frozen=True)
class Top5List:
    """R-TOP5 2: the list of one month."""

    members: pd.DataFrame  # the input columns + volume, amount, rank; display order
    population: int  # active customers ranked
    cutoff: int  # k
    threshold_h: int  # the lowest volume on the list, hundredths of 条 (0: nobody bought)

    @property
    def threshold_volume(self) -> float:
        return self.threshold_h / 100


def publish_date(month: Month, calendar: WorkCalendar) -> date:
    """R-TOP5 1 / R-CAL: the list of `month` is published on the first working day of the next month."""
    following = month.next()
    return calendar.nth_workday(following.year, following.month, 1)


def cutoff(n: int, share: float) -> int:
    """R-TOP5 2: k = max(1, round_half_up(share × n))."""
    return max(1, round_half_up(share, n))


def volume_ranks(volume_h: pd.Series) -> pd.Series:
    """R-TOP5 2: the competition rank on volume (1, 2, 2, 4), highest volume first."""
    return volume_h.rank(method="min", ascending=False).astype("int64")


def top5_list(population: pd.DataFrame, share: float) -> Top5List:
    """R-TOP5 2: the customers of `population` ranked in the top `share` by volume.

    `population`: one row per active customer (non-buyers with 0): customer_id, volume_h
    (hundredths of 条), amount_c (分), and any other columns, kept. k = max(1, round half up
    share × n); every customer whose volume equals the k-th volume is on the list too, and a
    customer with volume 0 never is. Display order: volume desc, amount desc, 客户编码 asc.
    """
    if population.empty:
        raise DataError("客户信息中没有状态正常的客户，无法排名", fix="请检查客户信息表的「客户状态」列")
    ranked = population.sort_values(ORDER_BY, ascending=ORDER_ASCENDING, kind="stable", ignore_index=True)
    ranked["rank"] = volume_ranks(ranked["volume_h"])
    k = cutoff(len(ranked), share)
    kth = int(ranked["volume_h"].iloc[k - 1])
    members = ranked[(ranked["volume_h"] >= kth) & (ranked["volume_h"] > 0)].copy()
    members["volume"] = members["volume_h"] / 100
    members["amount"] = members["amount_c"] / 100
    threshold = int(members["volume_h"].min()) if len(members) else 0
    return Top5List(members.reset_index(drop=True), len(ranked), k, threshold)


@dataclass(frozen=True)
class Movement:
    """R-TOP5 3: the list of month M against the list of M−1."""

    members: pd.DataFrame  # the members with `status` (新进入/保持) and `previous_rank` (NA if new)
    exited: pd.DataFrame  # customer_id, previous_rank, previous_volume: on M−1's list, not on M's


def compare(members: pd.DataFrame, previous: pd.DataFrame | None) -> Movement:
    """R-TOP5 3: who is new to the list (新进入), who stayed (保持) and who left.

    Adds `previous_rank` and `status` (新进入/保持) to `members`.

    `previous` is the list of M−1 (customer_id, rank, volume), or None when M−1 is known
    neither from the ledger nor from the sales data: then everyone is new and nobody left.
    Exits are ordered by their previous rank, then 客户编码.
    """
    if previous is None:
        previous = pd.DataFrame({"customer_id": pd.Series(dtype=object), "rank": pd.Series(dtype="int64"),
                                 "volume": pd.Series(dtype="float64")})
    before = previous.set_index("customer_id")
    out = members.copy()
    out["previous_rank"] = out["customer_id"].map(before["rank"]).astype("Int64")
    out["status"] = out["previous_rank"].isna().map({True: NEW, False: KEPT})
    gone = previous[~previous["customer_id"].isin(members["customer_id"])]
    exited = pd.DataFrame({
        "customer_id": gone["customer_id"].astype(str),
        "previous_rank": gone["rank"].astype("int64"),
        "previous_volume": gone["volume"].astype("float64"),
    }).sort_values(["previous_rank", "customer_id"], ignore_index=True)
    return Movement(out, exited)


def retain_until(archived_on: date) -> date:
    """R-TOP5 3: an archived file is kept until 31 December of the year it was archived."""
    return date(archived_on.year, 12, 31)


def exit_reasons(exited: pd.DataFrame, customers: pd.DataFrame, volume_h: pd.Series, threshold_h: int) -> pd.Series:
    """R-TOP5 3: why each customer of `exited` left the list, in words.

    `customers` is the master (customer_id, status, active); `volume_h` the month's purchases
    indexed by customer_id (a customer without purchases is missing or 0).
    """
    master = customers.set_index("customer_id")
    reasons = []
    for cid in exited["customer_id"]:
        bought = int(volume_h.get(cid, 0))
        if cid not in master.index:
            reasons.append("客户信息中没有该客户")
        elif not master.at[cid, "active"]:
            reasons.append(f"客户状态为{master.at[cid, 'status']}")
        elif bought == 0:
            reasons.append("本月没有购进")
        else:
            reasons.append(f"本月购进 {bought / 100:,.2f} 条，低于入围门槛 {threshold_h / 100:,.2f} 条")
    return pd.Series(reasons, index=exited.index, dtype=object)


def monthly_history(population: pd.DataFrame, monthly: pd.DataFrame, months: Iterable[str], share: float,
                    keep: Iterable[str]) -> pd.DataFrame:
    """R-TOP5 4: the volume, amount, rank and place on the list of the customers `keep` in
    each of `months`.

    `population`: the active customers (customer_id); `monthly`: purchases per (customer_id,
    month) with volume_h and amount_c. Each month is ranked like the list itself, over all of
    `population` with non-buyers at 0: the competition rank on volume, and on the list at or above
    the k-th volume when above 0 (as top5_list). Returns customer_id, month, volume_h, amount_c,
    rank (NA without purchases), on_list; one row per kept customer and month, by month, the
    customers in population order.
    """
    ids = pd.Index(population["customer_id"])
    kept = np.flatnonzero(ids.isin(set(keep)))
    at = ids.get_indexer(monthly["customer_id"])  # -1: not in the population
    month_codes, found = pd.factorize(monthly["month"])
    code = {key: i for i, key in enumerate(found)}
    volume_h, amount_c = monthly["volume_h"].to_numpy(), monthly["amount_c"].to_numpy()
    n = len(ids)
    frames = []
    for month in sorted(set(months)) if n else []:  # nobody to rank: nobody kept either
        rows = (month_codes == code.get(month, len(found))) & (at >= 0)
        volume, amount = np.zeros(n, np.int64), np.zeros(n, np.int64)
        volume[at[rows]], amount[at[rows]] = volume_h[rows], amount_c[rows]
        k = cutoff(n, share)
        kth = np.partition(volume, n - k)[n - k]  # the k-th highest volume
        mine = volume[kept]
        rank = pd.array(n - np.searchsorted(np.sort(volume), mine, side="right") + 1, "Int64")
        rank[mine == 0] = pd.NA
        frames.append(pd.DataFrame({"customer_id": ids[kept], "month": month, "volume_h": mine,
                                    "amount_c": amount[kept], "rank": rank, "on_list": (mine >= kth) & (mine > 0)}))
    columns = ["customer_id", "month", "volume_h", "amount_c", "rank", "on_list"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)


FIRST_SECOND = ("一类", "二类")
STRUCTURE_COLUMNS = ["customer_id", "skus", "top_sku", "top_sku_name", "top_sku_h", "total_h",
                     "first_second_share", "key_brand_share"]


def structure(detail: pd.DataFrame) -> pd.DataFrame:
    """R-TOP5 4: the cigarette structure of each customer's month, from its purchases per SKU.

    `detail`: one month of customer_id, sku, sku_name, price_class, key_brand, volume_h. Returns
    per customer: skus (规格数), the top SKU (most volume, then lowest code) with its volume
    top_sku_h, total_h, first_second_share (一类+二类 over the volume whose 价类 is known) and
    key_brand_share (重点品牌 over the volume whose flag is known); a share is NA where nothing is known.
    """
    if detail.empty:
        return pd.DataFrame(columns=STRUCTURE_COLUMNS)
    lines = detail.sort_values(["customer_id", "volume_h", "sku"], ascending=[True, False, True], kind="stable")
    top = lines.drop_duplicates("customer_id").set_index("customer_id")
    volume = lines["volume_h"]
    known_class = volume.where(lines["price_class"].notna(), 0)
    first_second = volume.where(lines["price_class"].isin(FIRST_SECOND), 0)
    known_flag = volume.where(lines["key_brand"].notna(), 0)
    key = volume.where(lines["key_brand"].fillna(False).astype(bool), 0)
    sums = pd.DataFrame({"customer_id": lines["customer_id"], "total_h": volume, "known_class": known_class,
                         "first_second": first_second, "known_flag": known_flag, "key": key})
    sums = sums.groupby("customer_id", sort=True).sum()
    out = pd.DataFrame({
        "skus": lines.groupby("customer_id", sort=True)["sku"].nunique(),
        "top_sku": top["sku"],
        "top_sku_name": top["sku_name"],
        "top_sku_h": top["volume_h"].astype("int64"),
        "total_h": sums["total_h"].astype("int64"),
        "first_second_share": (sums["first_second"] / sums["known_class"]).where(sums["known_class"] > 0),
        "key_brand_share": (sums["key"] / sums["known_flag"]).where(sums["known_flag"] > 0),
    })
    return out.rename_axis("customer_id").reset_index()[STRUCTURE_COLUMNS]
