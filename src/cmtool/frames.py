"""Turning a column of a frame into Python values fast, shared by the JSON output, the views and the ledger."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pandas as pd

T = TypeVar("T")


def per_distinct(values: pd.Series, make: Callable[[str], T], missing: T) -> list[T]:
    """`make(text)` for each value of a text column, made once per distinct value and shared
    (classes, departments and managers repeat over tens of thousands of rows); `missing` where
    the value is missing."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    made = [*map(make, uniques.tolist()), missing]  # code -1: missing
    return [made[code] for code in codes.tolist()]


def python_values(values: pd.Series) -> list[object]:
    """A column as Python values, None where missing; its texts made once per distinct value."""
    if isinstance(values.dtype, pd.StringDtype):
        return per_distinct(values, str, None)
    return (values.astype(object).where(values.notna(), None) if values.hasnans else values).tolist()
