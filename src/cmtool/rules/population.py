"""R-SCALE clause 1: who is ranked for a quarter, with what purchases."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

PURCHASE_COLUMNS = ["volume_h", "amount_c"]


@dataclass(frozen=True)
class Population:
    """The ranked population and what was left out of it."""

    frame: pd.DataFrame  # the ranked master customers with volume_h, amount_c (0 for no purchases)
    unknown: pd.DataFrame  # customer_id, volume_h, amount_c: bought but not in the master
    inactive_buyers: int  # master customers that bought but are 注销/歇业/停业
    late_buyers: pd.DataFrame  # customer_id, joined: bought in the period but joined after its end


def quarter_population(
    customers: pd.DataFrame, monthly: pd.DataFrame, months: Iterable[str], period_end: date,
    columns: Sequence[str] | None = None,
) -> Population:
    """R-SCALE 1 (and R-TOP5 1): every master customer active at the period end, buyers or not.

    A customer that joined after `period_end` (the quarter end for R-SCALE, the month end for
    R-TOP5) did not exist then and is not ranked; sales customers not in the master are reported
    in `unknown` and left out; no purchases means volume 0 and amount 0. The frame has the
    master's `columns` (customer_id among them; all when None) and the purchases: a province's
    master is not copied whole for the few columns a ranking needs.
    """
    in_period = monthly[monthly["month"].isin(set(months))]
    totals = in_period.groupby("customer_id", sort=False)[PURCHASE_COLUMNS].sum()
    existed = (customers["joined"].isna() | (customers["joined"] <= pd.Timestamp(period_end))).to_numpy()
    master = pd.Index(customers["customer_id"])  # unique: the loader refuses duplicates
    position = master.get_indexer(totals.index)  # each buyer's row in the master, -1 if none
    known = position >= 0
    bought = np.zeros(len(customers), bool)
    bought[position[known]] = True
    ranked = customers["active"].to_numpy() & existed
    kept = customers if columns is None else customers[list(columns)]
    frame = kept[ranked].reset_index(drop=True)
    for column in PURCHASE_COLUMNS:  # the master's rows get their buyer's sums, 0 without purchases
        sums = np.zeros(len(customers), np.int64)
        sums[position[known]] = totals[column].to_numpy()[known]
        frame[column] = sums[ranked]
    unknown = totals[~known].reset_index().sort_values("customer_id", ignore_index=True)
    inactive_buyers = int((~customers["active"].to_numpy()[position[known]]).sum())
    late = customers.loc[~existed & bought, ["customer_id", "joined"]]
    return Population(frame, unknown, inactive_buyers, late.reset_index(drop=True))
