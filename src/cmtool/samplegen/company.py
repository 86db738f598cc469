"""The sample company as frames: master, purchases by month, order lines, breach records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from cmtool.config import Config
from cmtool.fields import INACTIVE_STATUSES
from cmtool.periods import Month, Quarter
from cmtool.rules.scale import rank_scale
from cmtool.samplegen import catalog
from cmtool.samplegen.customers import make_customers, make_newcomers
from cmtool.samplegen.visits import VISIT_STREAM, add_visit_fields
from cmtool.samplegen.orders import LINE_FACTOR, order_counts, order_lines, slots, working_days
from cmtool.samplegen.quotas import QUOTA_STREAM, QuotaPlanner
from cmtool.samplegen.scenarios import NEWCOMER, Planner
from cmtool.samplegen.volumes import make_volumes, price_mix, summary_amounts

HISTORY_MONTHS = 13
BREACH_LAST_DAY = 20  # records are reviewed from the 21st (R-DYN)
EXPORT_DAY = 20  # the master is exported on the last working day up to the 20th of the month after the last
NEWCOMER_STREAM = 8  # the newcomers' random stream: np.random.default_rng([seed, NEWCOMER_STREAM])


@dataclass(frozen=True)
class Company:
    """A generated company. Frames hold canonical values (the writers add the quirks); amounts
    are in 分 (`amount_c`), volumes in whole 条."""

    seed: int
    months: tuple[Month, ...]  # every month with purchases, oldest first
    quarter: Quarter  # the last complete quarter: its months start the order-line files
    exported: date  # the day the master was exported: after the newcomers joined
    customers: pd.DataFrame  # the master, in 客户编码 order (newcomers included)
    profile: pd.DataFrame  # hidden purchasing behaviour and planted scenarios, same rows
    skus: pd.DataFrame
    volumes: np.ndarray  # 条, customers × months
    amounts: np.ndarray  # 分, customers × months (used for the monthly summaries)
    breaches: pd.DataFrame  # 诚信经营协议 breach records of the last month

    @property
    def as_of(self) -> date:
        """The end of the last complete quarter: the statuses, scales and classes are those in
        force then."""
        return self.quarter.last_day

    @property
    def newcomers(self) -> pd.Index:
        """Rows of the customers that joined after the last month (no groups, no purchases)."""
        return self.profile.index[self.profile["scenario"] == NEWCOMER]

    @property
    def order_months(self) -> tuple[Month, ...]:
        """Months delivered as order lines: from the last complete quarter on."""
        return tuple(m for m in self.months if m >= self.quarter.months[0])

    @property
    def summary_months(self) -> tuple[Month, ...]:
        """Months delivered as monthly summaries."""
        return tuple(m for m in self.months if m < self.quarter.months[0])

    def monthly_summary(self, month: Month) -> pd.DataFrame:
        """Customers with purchases in `month`: customer_id, volume, amount_c, orders."""
        t = self.months.index(month)
        volume = self.volumes[:, t]
        bought = volume > 0
        orders = order_counts(self.customers, self.profile, month, volume)
        return pd.DataFrame(
            {
                "customer_id": self.customers["customer_id"].to_numpy()[bought],
                "volume": volume[bought],
                "amount_c": self.amounts[bought, t],
                "orders": orders[bought],
            }
        )

    def order_lines(
        self, month: Month, line_factor: float = LINE_FACTOR, max_lines: int = 30
    ) -> pd.DataFrame:
        """The order lines of `month`, reproducible per (seed, month) whatever else is generated."""
        rng = np.random.default_rng([self.seed, month.year, month.month])
        return order_lines(
            self.customers, self.profile, self.skus, month,
            self.volumes[:, self.months.index(month)], price_mix(self.profile), rng,
            line_factor=line_factor, max_lines=max_lines,
        )


def last_complete_quarter(month: Month) -> Quarter:
    """The latest quarter whose last month is `month` or earlier."""
    return month.quarter if month.month % 3 == 0 else month.quarter.prev()


def generate_company(customers: int, seed: int = 2026, end_month: str = "2026-10") -> Company:
    """A company of `customers` retailers with 13 months of purchases ending at `end_month`, and
    a few more that joined in the month after (no purchases, no groups yet)."""
    if customers < 50:
        raise ValueError("示例客户数至少为 50")
    rng = np.random.default_rng(seed)
    end = Month.parse(end_month)
    months = tuple(end.shift(i - HISTORY_MONTHS + 1) for i in range(HISTORY_MONTHS))
    quarter = last_complete_quarter(end)
    config = Config()
    skus = catalog.sku_table()
    master, profile = make_customers(customers, rng, months, quarter.last_day)
    planner = Planner(master, profile, rng, months, config.groups)
    planner.shape_profiles(skus)
    planner.assign_groups()
    volumes = make_volumes(profile, months, rng)
    planner.shape_volumes(volumes)
    _drop_unorderable(master, profile, volumes, months)
    amounts = summary_amounts(volumes, profile, skus, rng)
    _previous_classes(master, profile, volumes, amounts, months, quarter.prev())
    planner.shape_classes()
    breaches = _breaches(master, profile, months, rng)
    QuotaPlanner(master, profile, volumes, months, quarter, config.quota,
                 np.random.default_rng([seed, QUOTA_STREAM])).run()
    days = [d for d in working_days(end.next()) if d.day <= EXPORT_DAY]
    exported = days[-1]
    master, profile, volumes, amounts = _add_newcomers(
        master, profile, volumes, amounts, np.random.default_rng([seed, NEWCOMER_STREAM]), days[:-1])
    master = add_visit_fields(master, np.random.default_rng([seed, VISIT_STREAM]),
                              (profile["scenario"] == NEWCOMER).to_numpy())
    return Company(seed, months, quarter, exported, master, profile, skus, volumes, amounts, breaches)


def _add_newcomers(
    master: pd.DataFrame, profile: pd.DataFrame, volumes: np.ndarray, amounts: np.ndarray,
    rng: np.random.Generator, days: list[date],
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]:
    """The master, profile, volumes and amounts with the newcomers (joined on `days`) added, in
    客户编码 order: no purchases in any month."""
    new = make_newcomers(master, rng, days)
    months = volumes.shape[1]
    idle = pd.DataFrame(
        {"base": 0.0, "trend": 0.0, "parity": 0, "start": months, "prorate": True, "stop": months,
         "favourite": -1, "scenario": NEWCOMER},
        index=range(len(new)),
    )
    for column in profile.columns.difference(idle.columns):
        idle[column] = profile[column].mean()
    all_master = pd.concat([master, new], ignore_index=True)
    all_profile = pd.concat([profile, idle[profile.columns]], ignore_index=True)
    order = np.argsort(all_master["customer_id"].to_numpy(), kind="stable")
    zeros = np.zeros((len(new), months), dtype=volumes.dtype)
    return (
        all_master.iloc[order].reset_index(drop=True),
        all_profile.iloc[order].reset_index(drop=True),
        np.vstack([volumes, zeros])[order],
        np.vstack([amounts, zeros])[order],
    )


def _drop_unorderable(
    master: pd.DataFrame, profile: pd.DataFrame, volumes: np.ndarray, months: tuple[Month, ...]
) -> None:
    """No purchases in a month without an order day for the customer (it joined after its last
    one), so that order lines always add up to `volumes`."""
    for t, month in enumerate(months):
        customer, _ = slots(master, profile, month)
        volumes[np.bincount(customer, minlength=len(master)) == 0, t] = 0


def _previous_classes(
    master: pd.DataFrame, profile: pd.DataFrame, volumes: np.ndarray, amounts: np.ndarray,
    months: tuple[Month, ...], quarter: Quarter,
) -> None:
    """经营规模 and 综合分类 now in force: R-SCALE over `quarter` (the quarter before the last
    complete one) for the customers active at its end; empty for customers who joined later."""
    cols = [months.index(m) for m in quarter.months]
    last = cols[-1]
    closed = master["status"].isin(INACTIVE_STATUSES).to_numpy() & (profile["stop"].to_numpy() <= last)
    joined = (master["joined"] <= pd.Timestamp(quarter.last_day)).to_numpy()
    ranked_rows = np.flatnonzero(joined & ~closed)
    frame = pd.DataFrame(
        {
            "customer_id": master["customer_id"].to_numpy()[ranked_rows],
            "volume_h": volumes[ranked_rows][:, cols].sum(axis=1) * 100,
            "amount_c": amounts[ranked_rows][:, cols].sum(axis=1),
        }
    )
    scales = rank_scale(frame).set_index("customer_id")["scale"]
    master["scale"] = master["customer_id"].map(scales)
    has_scale = master["scale"].notna()
    master["class_name"] = (master["market"] + master["format"] + master["scale"]).where(has_scale)


def _breaches(
    master: pd.DataFrame, profile: pd.DataFrame, months: tuple[Month, ...], rng: np.random.Generator
) -> pd.DataFrame:
    """Breach records of the last month, on working days up to the 20th: about 1.5 % of the
    buying customers, two of them twice, and one record of a type no policy knows."""
    month = months[-1]
    buying = np.flatnonzero(profile["stop"].to_numpy() == len(months))
    count = min(len(buying), max(5, round(0.015 * len(master))))
    who = rng.choice(buying, size=count, replace=False)
    who = np.concatenate([who, who[:2]])
    names = np.array(list(catalog.BREACH_TYPES), dtype=object)
    types = rng.choice(names, size=len(who), p=list(catalog.BREACH_TYPES.values()))
    types[-1] = catalog.UNKNOWN_BREACH_TYPE
    days = [d for d in working_days(month) if d.day <= BREACH_LAST_DAY]
    on = rng.choice(len(days), size=len(who))
    frame = pd.DataFrame(
        {
            "customer_id": master["customer_id"].to_numpy()[who],
            "name": master["name"].to_numpy()[who],
            "date": pd.to_datetime([days[i] for i in on]),
            "breach_type": types,
            "detail": [catalog.BREACH_DETAILS[t].format(n=int(rng.integers(2, 30))) for t in types],
        }
    )
    return frame.sort_values(["date", "customer_id"], kind="stable").reset_index(drop=True)
