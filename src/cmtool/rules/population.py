"""R-SCALE clause 1: who is ranked for a quarter, with what purchases."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

PURCHASE_COLUMNS = ["volume_h", "amount_c"]


@dataclass(frozen=True)
class Population:
    """The ranked population and what was left out of it."""

    frame: pd.DataFrame  # the active master customers with volume_h, amount_c (0 for no purchases)
    unknown: pd.DataFrame  # customer_id, volume_h, amount_c: bought but not in the master
    inactive_buyers: int  # master customers that bought but are 注销/歇业/停业


def quarter_population(customers: pd.DataFrame, monthly: pd.DataFrame, months: Iterable[str]) -> Population:
    """R-SCALE 1: every active master customer, buyers or not; sales customers not in the master
    are reported in `unknown` and left out; a customer with no purchases has volume 0 and amount 0.
    """
    in_period = monthly[monthly["month"].isin(set(months))]
    totals = in_period.groupby("customer_id", sort=False)[PURCHASE_COLUMNS].sum()
    active = customers[customers["active"]]
    frame = active.join(totals, on="customer_id")
    frame[PURCHASE_COLUMNS] = frame[PURCHASE_COLUMNS].fillna(0).astype("int64")
    known = totals.index.isin(customers["customer_id"])
    unknown = totals[~known].reset_index().sort_values("customer_id", ignore_index=True)
    inactive_ids = customers.loc[~customers["active"], "customer_id"]
    inactive_buyers = int(totals.index[known].isin(inactive_ids).sum())
    return Population(frame.reset_index(drop=True), unknown, inactive_buyers)
