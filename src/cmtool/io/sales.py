"""Sales of one file per customer and month, and the checks across files (data.md).

Order lines are summed batch by batch (`MonthlySums`), so a file of millions of lines never sits
in memory; `orders` is the number of distinct order dates. Volumes and amounts are summed exactly
as integers: volume_h in hundredths of 条, amount_c in 分. The lines of the months asked for in
detail are also summed per SKU (`SkuSums`). A monthly summary keeps its rows; the same customer
twice in a month of one file is a problem naming both rows. Across files the same customer and
month may come from one file only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from cmtool.errors import DataError, Problem
from cmtool.io.columns import distinct, plain
from cmtool.io.dense_ids import DenseIds
from cmtool.io.monthly_sums import MONTHLY, MonthlySums, distinct_days, month_index, month_key, split_dates
from cmtool.io.raw_table import Table
from cmtool.io.rows import SOURCE_ROW, RowProblems, report_duplicates
from cmtool.io.sku_sums import SkuDetail, SkuSums

KEYS = ["customer_id", "month"]
OVERLAP_LIMIT = 20


@dataclass
class FileSales:
    """One file's sales: per (customer_id, month), and per SKU in the months asked for."""

    path: Path
    monthly: pa.Table  # MONTHLY
    detail: SkuDetail | None  # None without order lines in those months
    months: set[str]  # every month in the file, also those left out by `months`
    first_rows: pd.Series = field(default_factory=lambda: pd.Series([], dtype="int64", name="row"))
    # customer_id → the Excel row of its first line in the file
    sheet: str | None = None  # the sheet read, for Excel files


def first_rows(codes: np.ndarray, rows: np.ndarray, code_index: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The row of the first line of each of the distinct `codes` at positions `wanted`, given each
    line's code (`code_index`) and row (`rows`)."""
    first = np.empty(len(codes), np.int64)
    first[code_index[::-1]] = rows[::-1]  # the first line of a code is written last
    return first[wanted]


SUM_LIMIT = float(2**62)  # the exact sums of a load stay below this, far inside int64


class Totals:
    """The running totals of every volume and amount of one load, in hundredths: every value
    is at most values.MAX_QUANTITY and none is negative, so while the grand total stays below
    SUM_LIMIT no sum of any customer, month or SKU can overflow int64 (issue 8)."""

    def __init__(self) -> None:
        self.volume_h = 0.0
        self.amount_c = 0.0

    def hundredths(self, values: np.ndarray, what: str, path: Path) -> np.ndarray:
        """条 → hundredths of 条, 元 → 分, rounded to whole numbers for exact sums; refused when
        the total of the load would leave int64."""
        exact = np.rint(values * 100)
        total = getattr(self, what) + float(exact.sum())
        if not total < SUM_LIMIT:
            label = "购进量" if what == "volume_h" else "购进额"
            raise DataError(
                f"文件 {path.name} 的{label}合计超出可处理的范围（约 {SUM_LIMIT / 100:,.0f}）",
                [Problem(f"{label}合计过大", str(path), column=label)],
                fix="请核对数量和金额列：多半是选错了列，或导出文件已损坏",
            )
        setattr(self, what, total)
        return exact.astype(np.int64)


def _month_indexes(months: set[str] | None) -> np.ndarray | None:
    """`YYYY-MM` keys → sorted months since 1970-01 (None stays None)."""
    return None if months is None else np.array(sorted(month_index(m) for m in months), np.int64)


def _add_skus(skus: SkuSums | None, part: pa.Table, detailed_dates: np.ndarray, date_index: np.ndarray,
              ids: np.ndarray, month: np.ndarray, volume_h: np.ndarray, amount_c: np.ndarray) -> SkuSums | None:
    """`skus` with the lines of `part` whose date is one of `detailed_dates` (per distinct date,
    `date_index` per line) added (made at the first such line). A batch lies within a month or
    not at all, nearly always: then no line is looked at."""
    if not detailed_dates.any():
        return skus
    take = None if detailed_dates.all() else detailed_dates[date_index]
    if take is not None and not take.any():
        return skus
    if take is not None and not take.all():
        part = part.filter(pa.array(take))
        ids, month, volume_h, amount_c = ids[take], month[take], volume_h[take], amount_c[take]
    skus = skus or SkuSums()
    skus.add(part, ids, month, volume_h, amount_c)
    return skus


def sum_order_lines(
    path: Path, parts: Iterable[pa.Table], months: set[str] | None, detail_months: set[str] | None,
    totals: Totals | None = None,
) -> FileSales:
    """Order lines → per (customer, month) with orders = distinct order dates; the lines of
    `detail_months` also per SKU."""
    customers, sums, skus = DenseIds(), MonthlySums(), None
    totals = totals or Totals()
    rows_of_ids: list[np.ndarray] = []
    seen: set[int] = set()
    wanted, detailed = _month_indexes(months), _month_indexes(detail_months)
    for part in parts:
        codes, code_index = distinct(part["customer_id"].combine_chunks())
        dates, date_index = distinct_days(part["date"].combine_chunks())
        date_months, date_days = split_dates(dates.to_numpy(zero_copy_only=False).astype("datetime64[D]"))
        month = date_months[date_index]
        seen.update(date_months[np.bincount(date_index, minlength=len(dates)) > 0].tolist())
        known = len(customers)
        code_ids = customers.of(codes)
        new = np.flatnonzero(code_ids >= known)  # in id order: ids are given in the codes' order
        if len(new):
            rows_of_ids.append(first_rows(codes, part[SOURCE_ROW].to_numpy(), code_index, new))
        ids, day = code_ids[code_index], date_days[date_index]
        volume_h = totals.hundredths(part["volume"].to_numpy(), "volume_h", path)
        amount_c = totals.hundredths(part["amount"].to_numpy(), "amount_c", path)
        if detailed is not None:  # the months are looked up per distinct date, not per line
            skus = _add_skus(skus, part, np.isin(date_months, detailed), date_index, ids, month, volume_h, amount_c)
        if wanted is not None and not (wanted_dates := np.isin(date_months, wanted)).all():
            keep = wanted_dates[date_index]
            ids, month, day, volume_h, amount_c = ids[keep], month[keep], day[keep], volume_h[keep], amount_c[keep]
        sums.add(ids, month, day, volume_h, amount_c)
    detail = skus.detail(customers.codes) if skus is not None else None
    rows = np.concatenate(rows_of_ids) if rows_of_ids else np.empty(0, np.int64)
    return FileSales(path, sums.table(customers.codes), detail, {month_key(m) for m in seen},
                     pd.Series(rows, index=pd.Index(customers.codes, name="customer_id"), name="row"))


def collect_monthly(
    table: Table, parts: Iterable[pa.Table], months: set[str] | None, problems: RowProblems,
    totals: Totals | None = None,
) -> FileSales:
    """Monthly summary rows, checked for a customer twice in the same month."""
    frames = [plain(part).to_pandas() for part in parts]
    if not frames:
        return FileSales(table.path, MONTHLY.empty_table(), None, set())
    frame = pd.concat(frames, ignore_index=True)
    first = frame.groupby("customer_id", sort=False)[SOURCE_ROW].min().rename("row")
    seen = set(frame["month"])
    if months is not None:
        frame = frame[frame["month"].isin(months)]
    frame = report_duplicates(frame, KEYS, table, problems, "同一客户同一月份")
    totals = totals or Totals()
    orders = frame["orders"] if "orders" in frame else pd.Series(np.nan, index=frame.index)
    monthly = pd.DataFrame({
        "customer_id": frame["customer_id"], "month": frame["month"],
        "volume_h": totals.hundredths(frame["volume"].to_numpy(), "volume_h", table.path),
        "amount_c": totals.hundredths(frame["amount"].to_numpy(), "amount_c", table.path),
        "orders": orders.round().astype("Int64"),
    })
    return FileSales(table.path, pa.Table.from_pandas(monthly, MONTHLY, preserve_index=False), None, seen, first)


def check_overlap(files: list[FileSales]) -> None:
    """The same customer and month in two files is an error naming both files."""
    if sum(len(f.months) for f in files) == len(set().union(*(f.months for f in files))):
        return  # no month in two files (the usual folder of one file a month)
    frame = pd.concat(
        [f.monthly.select(KEYS).to_pandas().assign(source=str(f.path)) for f in files], ignore_index=True
    )
    twice = frame[frame.duplicated(KEYS, keep=False)]
    if twice.empty:
        return
    clashes = twice.groupby(KEYS, sort=False)["source"].agg(["first", "last"]).reset_index()
    problems, pairs = [], []
    for (a, b), group in clashes.groupby(["first", "last"], sort=False):
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
