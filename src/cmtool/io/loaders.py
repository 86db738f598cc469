"""Loading V3 exports into the canonical frames of docs/architecture.md.

    load_customers(path, config, *, sheet=None, encoding=None, skip_invalid=False) -> Loaded
    load_sales(paths, config, *, months=None, require_months=False, detail_months=None, sheet=None,
               encoding=None, skip_invalid=False, progress=None) -> SalesLoaded
    load_table(path, fields, config, *, sheet=None, encoding=None, skip_invalid=False) -> Loaded

Files may be .xlsx/.xlsm/.xls, .csv/.txt (UTF-8 with or without BOM, GBK/GB18030, UTF-16;
comma or tab) or .parquet; sales may also be folders. Title rows, merged cells, blank rows and
total rows are handled (readers.py, rows.py); headers match by alias (headers.py), values are
parsed by values.py.

- `Loaded.frame` of load_customers: the customers frame, one row per customer in file order,
  every optional column present, `active` False for 注销/歇业/停业, `source_row` the Excel row.
  load_table gives the same for any field tuple (breach records, decisions): one column per
  field (code/text/month str, number float, date datetime64, enums canonical) plus source_row.
- `SalesLoaded.monthly`: customer_id, month (YYYY-MM), volume_h, amount_c (int64, exact sums
  in hundredths of 条 and in 分), orders (Int64: 订货次数 or distinct order dates), source (the
  file); sorted by customer_id and month. `detail(customers=None)`: the purchases per SKU in
  `detail_months` (summed in the same pass, kept packed) of those customers (all when None):
  customer_id, month, sku, sku_name, price_class, key_brand, volume_h, amount_c per (customer,
  month, SKU), sorted; None when no order line falls in those months. `files`: the files read;
  `first_seen(customers)`: where each customer's first line in the files is (file, sheet, row).
- `problems`: the rows left out under skip_invalid, as `Problem`s (customer_id when known).

Bad input raises `DataError` (file, sheet, Excel row, column as written, value, fix in Chinese);
a file's row problems are all collected (up to rows.STRICT_LIMIT) before it fails. With
`skip_invalid=True` bad rows are left out and returned instead; file-level problems (missing or
duplicated column, empty file, wrong format, unreadable encoding, overlapping files, missing
months) still fail. `progress(done, total)` gets the bytes read over all files as they stream.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa

from cmtool.config import Config
from cmtool.errors import DataError, Problem
from cmtool.fields import CUSTOMER_FIELDS, INACTIVE_STATUSES, MONTHLY_SALES_FIELDS, ORDER_LINE_FIELDS, Field
from cmtool.io.columns import arrow_type, plain
from cmtool.io.formats import expand_paths
from cmtool.io.monthly_sums import MONTHLY
from cmtool.io.readers import open_table
from cmtool.io.rows import SOURCE_ROW, RowProblems, read_rows, report_duplicates
from cmtool.io.sales import FileSales, Totals, check_overlap, collect_monthly, sum_order_lines
from cmtool.io.memory import return_freed_memory
from cmtool.io.sku_sums import DETAIL_COLUMNS, SkuDetail
from cmtool.io.raw_table import Progress, Table
from cmtool.periods import Month

SALES_SHAPES = (ORDER_LINE_FIELDS, MONTHLY_SALES_FIELDS)
_SALES_FIELDS = {"customer_id", "date", "month", "volume", "amount", "orders"}
_DETAIL_FIELDS = {"sku", "sku_name", "price_class", "key_brand"}
_PANDAS_TYPES = {pa.int8(): pd.Int8Dtype(), pa.bool_(): pd.BooleanDtype(), pa.int64(): pd.Int64Dtype()}


@dataclass
class Loaded:
    """A canonical frame and the rows left out under skip_invalid."""

    frame: pd.DataFrame
    problems: list[Problem]
    headers: dict[str, str] = field(default_factory=dict)  # field name → its header in the file
    sheet: str | None = None


@dataclass
class SalesLoaded:
    """Monthly purchases (and per SKU in the months asked for), the rows left out, the files read."""

    monthly: pd.DataFrame
    skus: list[SkuDetail]  # of each file with order lines in the detail months
    problems: list[Problem]
    files: list[Path]
    first_rows: list[tuple[str, str | None, pd.Series]]  # per file read: path, sheet, customer_id → first row

    def first_seen(self, customers: Iterable[str] | None = None) -> pd.DataFrame:
        """file, sheet and row of the first line of each of `customers` (all when None) in the
        sales, by customer_id; NA for a customer without any."""
        wanted = None if customers is None else list(customers)
        parts = [rows[rows.index.isin(wanted)] if wanted is not None else rows for _, _, rows in self.first_rows]
        frame = pd.concat([part.to_frame().assign(file=path, sheet=sheet)
                           for part, (path, sheet, _) in zip(parts, self.first_rows)])
        frame = frame[~frame.index.duplicated()]
        return frame if wanted is None else frame.reindex(pd.Index(wanted, name="customer_id"))

    def detail(self, customers: Iterable[str] | None = None, *, last: bool = False) -> pd.DataFrame | None:
        """The purchases per SKU of `customers` (all when None), sorted; None without order lines.
        `last`: the packed sums are let go once read (a province's month holds some 600 MB of them)."""
        if not self.skus:
            return None
        wanted = None if customers is None else set(customers)
        tables = [skus.table(wanted) for skus in self.skus]
        if last:
            self.skus = []
        frame = pa.concat_tables(tables).to_pandas(types_mapper={pa.bool_(): pd.BooleanDtype()}.get)
        return frame[DETAIL_COLUMNS].sort_values(["customer_id", "month", "sku"], ignore_index=True)


def _frame(parts: list[pa.Table], fields: Sequence[Field]) -> pd.DataFrame:
    """The parsed parts as one frame with every field (absent ones all NA) and SOURCE_ROW."""
    table = plain(pa.concat_tables(parts)) if parts else pa.table({SOURCE_ROW: pa.array([], pa.int64())})
    columns = {
        fd.name: table[fd.name] if fd.name in table.column_names else pa.nulls(table.num_rows, arrow_type(fd))
        for fd in fields
    }
    columns[SOURCE_ROW] = table[SOURCE_ROW]
    frame = pa.table(columns).to_pandas(types_mapper=_PANDAS_TYPES.get, date_as_object=False)
    frame[SOURCE_ROW] = frame[SOURCE_ROW].astype("int64")
    return frame


def _read(
    path: Path, fields: tuple[Field, ...], config: Config, problems: RowProblems, *,
    sheet: str | None, encoding: str | None,
) -> tuple[pd.DataFrame, Table]:
    table = open_table(Path(path), [fields], config.aliases, sheet=sheet, encoding=encoding)
    present = [fd for fd in fields if fd.name in table.match.columns]
    return _frame(list(read_rows(table, present, problems)), fields), table


def load_table(
    path: Path, fields: tuple[Field, ...], config: Config, *,
    sheet: str | None = None, encoding: str | None = None, skip_invalid: bool = False,
) -> Loaded:
    """Any table of `fields` (breach records, decisions…): one row per data row, in file order;
    `headers` names the columns as the file writes them (for messages about a row)."""
    problems = RowProblems(skip_invalid)
    frame, table = _read(path, fields, config, problems, sheet=sheet, encoding=encoding)
    problems.end_file()
    headers = {fd.name: table.header(fd.name) for fd in fields if fd.name in table.match.columns}
    return Loaded(frame, problems.skipped, headers, table.sheet)


def load_customers(
    path: Path, config: Config, *,
    sheet: str | None = None, encoding: str | None = None, skip_invalid: bool = False,
) -> Loaded:
    """The customer master (客户信息): one row per customer in file order; a duplicated 客户编码
    is a problem naming both rows (under skip_invalid every row of that code is left out)."""
    problems = RowProblems(skip_invalid)
    frame, table = _read(path, CUSTOMER_FIELDS, config, problems, sheet=sheet, encoding=encoding)
    frame = report_duplicates(frame, ["customer_id"], table, problems, "客户编码").reset_index(drop=True)
    problems.end_file()
    frame.insert(frame.columns.get_loc("status") + 1, "active", ~frame["status"].isin(INACTIVE_STATUSES))
    frame["active"] = frame["active"].astype(bool)
    return_freed_memory()
    return Loaded(frame, problems.skipped)


def _read_sales(
    path: Path, config: Config, problems: RowProblems, months: set[str] | None, detail_months: set[str] | None,
    sheet: str | None, encoding: str | None, progress: Progress | None, totals: Totals,
) -> FileSales:
    wanted = _SALES_FIELDS | (_DETAIL_FIELDS if detail_months else set())
    table = open_table(path, SALES_SHAPES, config.aliases, wanted=wanted, sheet=sheet, encoding=encoding,
                       progress=progress)
    fields = [fd for fd in table.shape if fd.name in wanted and fd.name in table.match.columns]
    parts = read_rows(table, fields, problems)
    if table.shape is ORDER_LINE_FIELDS:
        sales = sum_order_lines(path, parts, months, detail_months, totals)
    else:
        sales = collect_monthly(table, parts, months, problems, totals)
    problems.end_file()
    sales.sheet = table.sheet
    return sales


def _offset(progress: Progress | None, done: int, total: int) -> Progress | None:
    if progress is None:
        return None
    return lambda read, _size: progress(done + read, total)


def load_sales(
    paths: Sequence[Path], config: Config, *,
    months: set[str] | None = None, require_months: bool = False, detail_months: set[str] | None = None,
    sheet: str | None = None, encoding: str | None = None, skip_invalid: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> SalesLoaded:
    """Sales files and folders → purchases per (customer_id, month), sorted by both.

    `months` keeps only those months ('YYYY-MM'); with `require_months` a month without any row
    is an error. `detail_months` also sums the order lines of those months (within `months`) per
    SKU in the same pass; the SKU columns of every order-line file are then read and checked.
    """
    files = expand_paths([Path(p) for p in paths])
    months, detail_months = _keys(months), _keys(detail_months)
    if months is not None and detail_months is not None:
        detail_months &= months
    problems = RowProblems(skip_invalid)
    sizes = [f.stat().st_size for f in files]
    totals = Totals()
    read = []
    for i, f in enumerate(files):
        read.append(_read_sales(f, config, problems, months, detail_months, sheet, encoding,
                                _offset(progress, sum(sizes[:i]), sum(sizes)), totals))
        return_freed_memory()  # each file's reading machinery, before the next file's
    check_overlap(read)
    if require_months and months:
        _check_months(read, months)
    monthly = pa.concat_tables(
        [f.monthly.cast(MONTHLY).append_column("source", pa.array([str(f.path)] * f.monthly.num_rows, pa.string()))
         for f in read]
    ).to_pandas(types_mapper=_PANDAS_TYPES.get)
    monthly = monthly.sort_values(["customer_id", "month"], ignore_index=True)
    for column in ("volume_h", "amount_c"):
        monthly[column] = monthly[column].astype("int64")
    return_freed_memory()
    return SalesLoaded(monthly, [f.detail for f in read if f.detail is not None], problems.skipped, files,
                       [(str(f.path), f.sheet, f.first_rows) for f in read])


def _keys(months: set[str] | None) -> set[str] | None:
    """Months as `YYYY-MM` keys (None stays None)."""
    return None if months is None else {Month.parse(m).key for m in months}


def _check_months(read: list[FileSales], months: set[str]) -> None:
    found = set().union(*(f.months for f in read))
    missing = sorted(months - found)
    if not missing:
        return
    outside = [
        Problem(f"该文件的月份（{'、'.join(sorted(f.months))}）不在所选期间内", file=str(f.path))
        for f in read if f.months and not f.months & months
    ]
    raise DataError(
        f"销售数据中没有 {'、'.join(missing)} 的数据（所选期间：{'、'.join(sorted(months))}）",
        outside,
        fix=f"数据中的月份：{'、'.join(sorted(found)) or '无'}。请补齐缺少月份的文件，或检查所选的季度/月份",
    )
