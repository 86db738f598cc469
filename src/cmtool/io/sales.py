"""Sales of one file per customer and month, and the checks across files (data.md).

Order lines are summed batch by batch (`MonthlySums`), so a file of millions of lines never sits
in memory; `orders` is the number of distinct order dates. Volumes and amounts are summed exactly
as integers: volume_h in hundredths of 条, amount_c in 分. With `detail` the lines are also summed
per SKU. A monthly summary keeps its rows; the same customer twice in a month of one file is a
problem naming both rows. Across files the same customer and month may come from one file only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from cmtool.errors import DataError, Problem
from cmtool.io.columns import distinct, plain
from cmtool.io.monthly_sums import MONTHLY, MonthlySums, month_index, month_key, split_dates
from cmtool.io.readers import Table
from cmtool.io.rows import RowProblems, report_duplicates

KEYS = ["customer_id", "month"]
SKU_FIELDS = {"sku_name": pa.string(), "price_class": pa.string(), "key_brand": pa.bool_()}
DETAIL_COLUMNS = ["customer_id", "month", "sku", *SKU_FIELDS, "volume_h", "amount_c"]
OVERLAP_LIMIT = 20


@dataclass
class FileSales:
    """One file's sales: per (customer_id, month), and per SKU when asked for."""

    path: Path
    monthly: pa.Table  # MONTHLY
    detail: pa.Table | None  # DETAIL_COLUMNS
    months: set[str]  # every month in the file, also those left out by `months`


def _hundredths(values: pa.ChunkedArray) -> np.ndarray:
    return np.rint(values.to_numpy() * 100).astype(np.int64)


def _first(table: pa.Table, keys: list[str], columns: Iterable[str]) -> pa.Table:
    out = table.group_by(keys, use_threads=False).aggregate([(c, "first") for c in columns])
    return out.rename_columns([c.removesuffix("_first") for c in out.column_names])


def _summed(table: pa.Table, keys: list[str]) -> pa.Table:
    out = table.group_by(keys, use_threads=False).aggregate([("volume_h", "sum"), ("amount_c", "sum")])
    return out.rename_columns([c.removesuffix("_sum") for c in out.column_names])


class _SkuSums:
    """Per (customer, month, SKU) sums and the first name, price class and key-brand flag of each SKU."""

    def __init__(self) -> None:
        self.sums: list[pa.Table] = []
        self.attributes: list[pa.Table] = []

    def add(self, part: pa.Table, ids: np.ndarray, months: np.ndarray, volume_h: np.ndarray,
            amount_c: np.ndarray) -> None:
        sku = plain(part.select(["sku"]))["sku"]
        lines = pa.table({"id": ids, "month": months, "sku": sku, "volume_h": volume_h, "amount_c": amount_c})
        self.sums.append(_summed(lines, ["id", "month", "sku"]))
        columns = {name: part[name] if name in part.column_names else pa.nulls(part.num_rows, kind)
                   for name, kind in SKU_FIELDS.items()}
        self.attributes.append(_first(plain(pa.table({"sku": sku, **columns})), ["sku"], SKU_FIELDS))

    def table(self, customers: np.ndarray) -> pa.Table:
        if not self.sums:
            return pa.schema([(c, pa.string()) for c in DETAIL_COLUMNS[:3]] + list(SKU_FIELDS.items())
                             + [("volume_h", pa.int64()), ("amount_c", pa.int64())]).empty_table()
        sums = _summed(pa.concat_tables(self.sums), ["id", "month", "sku"])
        names = _first(pa.concat_tables(self.attributes), ["sku"], SKU_FIELDS)
        codes = customers[sums["id"].to_numpy()]
        months = [month_key(m) for m in sums["month"].to_pylist()]
        sums = sums.drop_columns(["id", "month"]).append_column("customer_id", pa.array(codes, pa.string()))
        sums = sums.append_column("month", pa.array(months, pa.string()))
        return sums.join(names, "sku", join_type="left outer").select(DETAIL_COLUMNS)


def sum_order_lines(path: Path, parts: Iterable[pa.Table], months: set[str] | None, detail: bool) -> FileSales:
    """Order lines → per (customer, month) with orders = distinct order dates."""
    sums, skus = MonthlySums(), _SkuSums() if detail else None
    seen: set[int] = set()
    wanted = None if months is None else np.array(sorted(month_index(m) for m in months))
    for part in parts:
        codes, code_index = distinct(part["customer_id"].combine_chunks())
        dates, date_index = distinct(part["date"].combine_chunks())
        date_months, date_days = split_dates(dates.to_numpy(zero_copy_only=False).astype("datetime64[D]"))
        month = date_months[date_index]
        seen.update(date_months[np.bincount(date_index, minlength=len(dates)) > 0].tolist())
        ids, day = sums.ids(codes)[code_index], date_days[date_index]
        volume_h, amount_c = _hundredths(part["volume"]), _hundredths(part["amount"])
        if wanted is not None:
            keep = np.isin(month, wanted)
            if not keep.all():
                part = part.filter(pa.array(keep))
                ids, month, day, volume_h, amount_c = ids[keep], month[keep], day[keep], volume_h[keep], amount_c[keep]
        sums.add(ids, month, day, volume_h, amount_c)
        if skus is not None:
            skus.add(part, ids, month, volume_h, amount_c)
    detail_table = skus.table(sums.customers) if skus is not None else None
    return FileSales(path, sums.table(), detail_table, {month_key(m) for m in seen})


def collect_monthly(
    table: Table, parts: Iterable[pa.Table], months: set[str] | None, problems: RowProblems
) -> FileSales:
    """Monthly summary rows, checked for a customer twice in the same month."""
    frames = [plain(part).to_pandas() for part in parts]
    if not frames:
        return FileSales(table.path, MONTHLY.empty_table(), None, set())
    frame = pd.concat(frames, ignore_index=True)
    seen = set(frame["month"])
    if months is not None:
        frame = frame[frame["month"].isin(months)]
    frame = report_duplicates(frame, KEYS, table, problems, "同一客户同一月份")
    orders = frame["orders"] if "orders" in frame else pd.Series(np.nan, index=frame.index)
    monthly = pd.DataFrame({
        "customer_id": frame["customer_id"], "month": frame["month"],
        "volume_h": np.rint(frame["volume"].to_numpy() * 100).astype(np.int64),
        "amount_c": np.rint(frame["amount"].to_numpy() * 100).astype(np.int64),
        "orders": orders.round().astype("Int64"),
    })
    return FileSales(table.path, pa.Table.from_pandas(monthly, MONTHLY, preserve_index=False), None, seen)


def check_overlap(files: list[FileSales]) -> None:
    """The same customer and month in two files is an error naming both files."""
    frame = pd.concat(
        [f.monthly.select(KEYS).to_pandas().assign(source=str(f.path)) for f in files], ignore_index=True
    )
    twice = frame[frame.duplicated(KEYS, keep=False)]
    if twice.empty:
        return
    clashes = twice.groupby(KEYS, sort=False)["source"].agg(lambda s: (s.iloc[0], s.iloc[1])).reset_index()
    problems, pairs = [], []
    for (a, b), group in clashes.groupby("source", sort=False):
        names = f"{Path(a).name} 和 {Path(b).name}"
        pairs.append(f"{names}（{'、'.join(sorted(set(group['month'])))}）")
        problems += [
            Problem(f"客户 {cid} 的 {month} 数据同时出现在 {names} 中", file=a, customer_id=cid)
            for cid, month in zip(group["customer_id"].head(OVERLAP_LIMIT), group["month"])
        ]
    raise DataError(
        f"销售文件的月份重叠：{'；'.join(pairs)} 含有相同客户、相同月份的数据",
        problems,
        fix="每个客户每个月的数据只能来自一个文件；请去掉重复的文件或重叠的月份后重新运行",
    )
