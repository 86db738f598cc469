"""R-STAT: the previous quarter's class of each customer, the base of the movement figures.

From the ledger when it holds the previous quarter, else from the customer master's current
经营规模/综合分类 columns; a customer with neither is new (新增).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cmtool.config import CodesConfig
from cmtool.rules.classes import parse_class_name

PREVIOUS_COLUMNS = ["customer_id", "previous_market", "previous_format", "previous_scale"]


@dataclass(frozen=True)
class Previous:
    """Previous classes, and the master rows whose 综合分类 could not be read."""

    frame: pd.DataFrame  # PREVIOUS_COLUMNS
    unreadable: pd.DataFrame  # source_row, customer_id, class_name


def previous_from_ledger(recorded: pd.DataFrame) -> Previous:
    """R-STAT: the classes of a quarter recorded in the ledger."""
    frame = recorded.rename(columns={"market": "previous_market", "format": "previous_format",
                                     "scale": "previous_scale"})[PREVIOUS_COLUMNS]
    return Previous(frame.reset_index(drop=True), pd.DataFrame(columns=["source_row", "customer_id", "class_name"]))


def previous_from_master(customers: pd.DataFrame, codes: CodesConfig) -> Previous:
    """R-STAT: the master's 综合分类 (name or code), else its 经营规模 with the current 业态 and
    市场类型; a 综合分类 that cannot be read is returned in `unreadable`, never guessed.
    """
    written = customers["class_name"].astype(object)
    readings = {text: parse_class_name(text, codes) for text in written.dropna().unique()}
    parsed = written.map(readings, na_action="ignore")
    has_class = customers["class_name"].notna()
    unreadable = has_class & parsed.isna()
    parts = pd.DataFrame(parsed.dropna().tolist(), index=parsed.dropna().index,
                         columns=["previous_market", "previous_format", "previous_scale"])
    frame = customers[["customer_id"]].join(parts)
    from_scale = ~has_class & customers["scale"].notna()
    frame.loc[from_scale, "previous_market"] = customers.loc[from_scale, "market"]
    frame.loc[from_scale, "previous_format"] = customers.loc[from_scale, "format"]
    frame.loc[from_scale, "previous_scale"] = customers.loc[from_scale, "scale"]
    bad = customers.loc[unreadable, ["source_row", "customer_id", "class_name"]]
    return Previous(frame[PREVIOUS_COLUMNS].reset_index(drop=True), bad.reset_index(drop=True))
