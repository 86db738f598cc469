"""R-STAT: the previous quarter's class of each customer, the base of the movement figures.

From the ledger when it holds the previous quarter, else from the customer master's current
经营规模/综合分类 columns; a customer with neither is new (新增).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
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
    at, written = pd.factorize(customers["class_name"], use_na_sentinel=True)  # a city writes a few dozen
    readings = [parse_class_name(text, codes) for text in written.tolist()]
    has_class = at >= 0
    unreadable = has_class & np.array([r is None for r in readings] + [False])[at]
    from_scale = (~has_class & customers["scale"].notna()).to_numpy()
    frame = pd.DataFrame({"customer_id": customers["customer_id"]})
    for part, column in enumerate(("market", "format", "scale")):
        values = pd.array([r[part] if r else None for r in readings] + [None], dtype=customers[column].dtype).take(at)
        if from_scale.any():
            values[from_scale] = customers.loc[from_scale, column].array
        frame[f"previous_{column}"] = values
    bad = customers.loc[unreadable, ["source_row", "customer_id", "class_name"]]
    return Previous(frame[PREVIOUS_COLUMNS].reset_index(drop=True), bad.reset_index(drop=True))
