"""The latest order date of each customer, from the order lines (R-VISIT 2: the 双周 parity).

Only order-line files have dates; monthly summaries are skipped (they say nothing about the day).
Reads the customer_id and date columns through the shared readers, so title rows, encodings and
bad rows are handled as everywhere else.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa

from cmtool.config import Config
from cmtool.fields import ORDER_LINE_FIELDS
from cmtool.io.columns import plain
from cmtool.io.formats import expand_paths
from cmtool.io.loaders import SALES_SHAPES
from cmtool.io.readers import open_table
from cmtool.io.rows import RowProblems, read_rows

_WANTED = {"customer_id", "date"}


def load_last_orders(paths: Sequence[Path], config: Config, *, sheet: str | None = None,
                     encoding: str | None = None) -> pd.Series:
    """customer_id → the latest order date (datetime64) over every order-line file of `paths`;
    empty when none has order lines. Bad rows fail as in `load_sales`."""
    latest: list[pd.Series] = []
    for path in expand_paths([Path(p) for p in paths]):
        table = open_table(path, SALES_SHAPES, config.aliases, wanted=_WANTED, sheet=sheet, encoding=encoding)
        if table.shape is not ORDER_LINE_FIELDS:
            continue
        problems = RowProblems(skip_invalid=False)
        fields = [fd for fd in ORDER_LINE_FIELDS if fd.name in _WANTED]
        parts = list(read_rows(table, fields, problems))
        problems.end_file()
        if parts:
            frame = plain(pa.concat_tables(parts).select(["customer_id", "date"])).to_pandas()
            latest.append(pd.to_datetime(frame["date"]).groupby(frame["customer_id"]).max())
    if not latest:
        return pd.Series([], dtype="datetime64[ns]", name="date")
    return pd.concat(latest).groupby(level=0).max()
