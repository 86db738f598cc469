"""What group-adjust and quota-review read: the customer master and the sales of some months."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cmtool.commands.common import AppState, file_progress
from cmtool.errors import Problem
from cmtool.io.loaders import load_customers, load_sales


@dataclass
class GroupInputs:
    """The master, the purchases of the months asked for, and the rows left out."""

    customers: pd.DataFrame
    monthly: pd.DataFrame
    problems: list[Problem]


def load_inputs(st: AppState, customers: Path, sales: list[Path], months: Sequence[str], *,
                sheet: str | None, encoding: str | None, skip_invalid: bool) -> GroupInputs:
    """The master and the sales of `months` (each must have data: a missing month is an error)."""
    master = load_customers(customers, st.config, sheet=sheet, encoding=encoding, skip_invalid=skip_invalid)
    with file_progress("读取销售数据") as progress:
        bought = load_sales(sales, st.config, months=set(months), require_months=True, sheet=sheet,
                            encoding=encoding, skip_invalid=skip_invalid, progress=progress)
    return GroupInputs(master.frame, bought.monthly, master.problems + bought.problems)
