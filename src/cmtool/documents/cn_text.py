"""Chinese wording shared by the documents: dates as written on paper, and text widths."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# Characters that Excel and browsers draw two columns wide (CJK, full-width forms, Hangul).
_WIDE_RANGES = ((0x1100, 0x115F), (0x2E80, 0xA4CF), (0xAC00, 0xD7A3), (0xF900, 0xFAFF), (0xFE30, 0xFE4F),
                (0xFF00, 0xFF60), (0xFFE0, 0xFFE6))
_WIDE_CLASS = "[" + "".join(f"{chr(first)}-{chr(last)}" for first, last in _WIDE_RANGES) + "]"  # Python's re and RE2 alike
_WIDE = re.compile(_WIDE_CLASS)

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
    """`display_width` of each value of a column (vectorised, by arrow's string kernels); 0 where missing."""
    if isinstance(values.dtype, pd.StringDtype):
        text = pc.fill_null(pa.array(values), "")
    else:
        text = pa.array(values.astype(object).where(values.notna(), "").astype(str).to_numpy(dtype=object), pa.string())
    widths = pc.add(pc.utf8_length(text), pc.count_substring_regex(text, _WIDE_CLASS))
    return pd.Series(widths.to_numpy(zero_copy_only=False), index=values.index, dtype="int64")


def max_display_width(values: pd.Series) -> int:
    """The widest `display_width` in a column; 0 for an empty column."""
    return int(display_widths(values).max()) if len(values) else 0
