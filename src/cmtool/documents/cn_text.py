"""Chinese wording shared by the documents: dates as written on paper, and text widths."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

# Characters that Excel and browsers draw two columns wide (CJK, full-width forms, Hangul).
_WIDE = re.compile(r"[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]")

BLANK_DATE = "____年__月__日"


def cn_date(day: date | None) -> str:
    """`2026年10月12日`; a blank to fill in by hand when `day` is None."""
    if day is None:
        return BLANK_DATE
    return f"{day.year}年{day.month}月{day.day}日"


def figure_text(value: float) -> str:
    """`1,717` or `17.50`: a quantity with two decimals only where it has a fraction."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def display_width(text: str) -> int:
    """Columns `text` takes in a fixed-width view: CJK and full-width characters count double."""
    return len(text) + len(_WIDE.findall(text))


def display_widths(values: pd.Series) -> pd.Series:
    """`display_width` of each value of a column (vectorised); 0 where missing."""
    text = values.astype(object).where(values.notna(), "").astype(str)
    return text.str.len().add(text.str.count(_WIDE.pattern)).astype("int64")


def max_display_width(values: pd.Series) -> int:
    """The widest `display_width` in a column; 0 for an empty column."""
    return int(display_widths(values).max()) if len(values) else 0
