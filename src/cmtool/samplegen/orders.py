"""Order lines (订单明细), vectorised: each customer orders on its 订货日, weekly or every other
week, skipping statutory holidays; each order is split over a few cigarettes of its price mix."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from cmtool.calendar import WorkCalendar
from cmtool.periods import Month
from cmtool.samplegen.catalog import PRICE_CLASSES

WEEKDAYS = 5  # orders are taken Monday to Friday
CYCLES = 3  # 0 = every week, 1 / 2 = every other week on even / odd ISO weeks
MAX_SLOTS = 5
FAVOURITE_SHARE = 0.7  # of each order of a concentrated buyer
LINE_FACTOR = 1.0  # about five lines per order in the sample


def working_days(month: Month) -> list[date]:
    """Monday-to-Friday days of the month that are not statutory holidays (where known)."""
    calendar = WorkCalendar()
    known = calendar.covers(month.year)
    days = [month.first_day + timedelta(days=i) for i in range(month.last_day.day)]
    return [d for d in days if d.weekday() < WEEKDAYS and (not known or calendar.is_workday(d))]


def _slot_table(month: Month) -> np.ndarray:
    """Order dates of the month per (weekday, cycle): datetime64[D] (15 × 5), NaT-padded."""
    table = np.full((WEEKDAYS * CYCLES, MAX_SLOTS), np.datetime64("NaT"), dtype="datetime64[D]")
    filled = np.zeros(WEEKDAYS * CYCLES, dtype=int)
    for day in working_days(month):
        parity = day.isocalendar().week % 2
        for cycle in (0, 1 + parity):
            row = day.weekday() * CYCLES + cycle
            table[row, filled[row]] = np.datetime64(day)
            filled[row] += 1
    return table


def slots(customers: pd.DataFrame, profile: pd.DataFrame, month: Month) -> tuple[np.ndarray, np.ndarray]:
    """All possible orders of the month: (customer index, order date), by customer then date,
    on or after the day each customer joined."""
    weekly = (customers["visit_cycle"] != "双周").to_numpy()
    cycle = np.where(weekly, 0, 1 + profile["parity"].to_numpy())
    row = (customers["order_weekday"].to_numpy(dtype=int) - 1) * CYCLES + cycle
    dates = _slot_table(month)[row]  # n × MAX_SLOTS
    joined = customers["joined"].to_numpy().astype("datetime64[D]")
    valid = ~np.isnat(dates) & (dates >= joined[:, None])
    customer, slot = np.nonzero(valid)
    return customer, dates[customer, slot]


def order_counts(
    customers: pd.DataFrame, profile: pd.DataFrame, month: Month, volume: np.ndarray
) -> np.ndarray:
    """订货次数 per customer: its order days in the month, at most its volume, 0 without purchases."""
    customer, _ = slots(customers, profile, month)
    counts = np.bincount(customer, minlength=len(customers))
    return np.where(volume > 0, np.minimum(counts, volume), 0)


def order_lines(
    customers: pd.DataFrame, profile: pd.DataFrame, skus: pd.DataFrame, month: Month,
    volume: np.ndarray, probs: np.ndarray, rng: np.random.Generator,
    line_factor: float = LINE_FACTOR, max_lines: int = 30,
) -> pd.DataFrame:
    """The order lines of one month for customers buying `volume` 条 each, with price-class
    mix `probs` (n × 5). An order has 1 + Poisson(line_factor × √volume) distinct cigarettes
    (at most its volume and `max_lines`), at least 1 条 each. Sorted by date and customer."""
    customer, when = _orders(customers, profile, month, volume, rng)
    order_volume = _split(volume, customer, rng.gamma(6.0, size=len(customer)))
    lines = 1 + rng.poisson(line_factor * np.sqrt(order_volume))
    lines = np.minimum(np.minimum(lines, order_volume), min(max_lines, len(skus)))
    favourite = profile["favourite"].to_numpy()[customer]
    sku = _pick_skus(skus, probs[customer], favourite, lines, rng)
    order = np.repeat(np.arange(len(customer)), lines)
    first = np.ones(len(order), bool)
    first[1:] = order[1:] != order[:-1]
    use_favourite = first & (favourite[order] >= 0)
    weight = rng.gamma(1.5, size=len(order))
    others = np.bincount(order, weights=np.where(use_favourite, 0.0, weight), minlength=len(customer))
    fav_weight = others[order] * FAVOURITE_SHARE / (1 - FAVOURITE_SHARE)
    weight = np.where(use_favourite & (fav_weight > 0), fav_weight, weight)
    line_volume = _split(order_volume, order, weight)
    price_c = skus["price_c"].to_numpy()[sku]
    class_index = skus["class_index"].to_numpy()
    scarce = skus["scarce"].to_numpy()[sku]
    extra = np.where(scarce, np.ceil(line_volume * rng.uniform(0, 1.5, len(sku))), 0)
    codes = customer[order]
    return pd.DataFrame(
        {
            "customer_id": pd.Categorical.from_codes(codes, categories=customers["customer_id"]),
            "date": when[order].astype("datetime64[s]"),
            "sku": pd.Categorical.from_codes(sku, categories=skus["sku"]),
            "sku_name": pd.Categorical.from_codes(sku, categories=skus["sku_name"]),
            "price_class": pd.Categorical.from_codes(class_index[sku], categories=PRICE_CLASSES),
            "key_brand": skus["key_brand"].to_numpy()[sku],
            "volume": line_volume,
            "amount_c": line_volume * price_c,
            "demand": (line_volume + extra).astype(np.int64),
        }
    )


def _orders(
    customers: pd.DataFrame, profile: pd.DataFrame, month: Month, volume: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """The orders actually placed, sorted by date then customer: customers with less volume
    than order days skip some of them at random."""
    customer, when = slots(customers, profile, month)
    kept = _rank_within(customer, rng.random(len(customer))) < volume[customer]
    customer, when = customer[kept], when[kept]
    by_date = np.lexsort((customer, when))
    return customer[by_date], when[by_date]


def _rank_within(group: np.ndarray, key: np.ndarray) -> np.ndarray:
    """0-based rank of each member within its group by ascending `key` (0 ≤ key ≤ 1)."""
    by_group = np.argsort(group + key * 0.5, kind="stable")
    sorted_group = group[by_group]
    rank = np.empty(len(group), dtype=np.int64)
    rank[by_group] = np.arange(len(group)) - np.searchsorted(sorted_group, sorted_group, side="left")
    return rank


def _split(total: np.ndarray, group: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Split each group's integer `total` (indexed by group) over its members (`group` per
    member) in proportion to `weight`: at least 1 each, exact sums (largest remainder). Every
    group must have no more members than its total."""
    size = len(total)
    spare = total - np.bincount(group, minlength=size)
    share = spare[group] * weight / np.bincount(group, weights=weight, minlength=size)[group]
    whole = np.floor(share)
    left = spare - np.bincount(group, weights=whole, minlength=size).round().astype(np.int64)
    extra = _rank_within(group, 1 - (share - whole)) < left[group]
    return (1 + whole + extra).astype(np.int64)


def _pick_skus(
    skus: pd.DataFrame, probs: np.ndarray, favourite: np.ndarray, lines: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """`lines` distinct cigarettes per order, drawn without replacement (Gumbel top-k) with
    weights = the order's price-class probability × popularity within the class; an order of a
    concentrated buyer starts with its favourite. Flat, grouped by order."""
    class_index = skus["class_index"].to_numpy()
    popularity = skus["weight"].to_numpy()
    within = popularity / np.bincount(class_index, weights=popularity)[class_index]
    with np.errstate(divide="ignore"):
        keys = np.log(probs[:, class_index] * within[None, :]).astype(np.float32)
    keys -= np.log(-np.log(rng.random(keys.shape, dtype=np.float32) + np.float32(1e-12)))
    concentrated = np.flatnonzero(favourite >= 0)
    keys[concentrated, favourite[concentrated]] = np.inf
    widest = int(lines.max()) if len(lines) else 0
    chosen = np.argsort(-keys, axis=1)[:, :widest]
    return chosen[np.arange(widest)[None, :] < lines[:, None]]
