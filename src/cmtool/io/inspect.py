"""What `cmtool check` reports of each file: how it was read, and every problem in it (data.md).

`inspect_file` reads one file with the same loaders as the other commands, under
`skip_invalid=True` so that every bad row is collected rather than the first ones ending the run;
a file-level problem (not a table, missing column, empty, unreadable, overlapping months…) is the
`DataError` the loaders raise, turned into its problems. Nothing here raises a `DataError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import pyarrow as pa

from cmtool.config import Config
from cmtool.errors import DataError, Problem
from cmtool.fields import BREACH_FIELDS, CUSTOMER_FIELDS, DECISION_FIELDS, Field
from cmtool.io.formats import file_kind
from cmtool.io.loaders import SALES_SHAPES, load_customers, load_sales, load_table
from cmtool.io.readers import open_table
from cmtool.io.rows import count_data_rows
from cmtool.io.sales import KEYS, FileSales, check_overlap
from cmtool.io.textfile import read_head

SHAPES: dict[str, tuple[tuple[Field, ...], ...]] = {
    "customers": (CUSTOMER_FIELDS,),
    "sales": SALES_SHAPES,
    "breaches": (BREACH_FIELDS,),
    "decisions": (DECISION_FIELDS,),
}


@dataclass
class Inspected:
    """One file: how it was read (cli.md `check` files[]), its frame when it could be read, and
    its problems (`severity` per problem: 'error' unless listed in `warnings`)."""

    path: Path
    kind: str
    shape: str | None = None
    rows: int | None = None
    encoding: str | None = None
    sheet: str | None = None
    header_row: int | None = None
    months: list[str] = field(default_factory=list)
    columns: set[str] = field(default_factory=set)  # canonical fields the file has
    frame: pd.DataFrame | None = None  # customers / records frame, or monthly purchases
    problems: list[Problem] = field(default_factory=list)

    def info(self) -> dict[str, object]:
        return {"path": str(self.path), "kind": self.kind, "shape": self.shape, "rows": self.rows,
                "encoding": self.encoding, "sheet": self.sheet, "header_row": self.header_row,
                "months": self.months}


def failure_problems(error: DataError, path: Path) -> list[Problem]:
    """A loader's refusal as report rows: its problems (with the fix), or one naming the file."""
    fix = error.fix
    if not error.problems:
        return [Problem(error.message, file=str(path), fix=fix)]
    return [replace(p, file=p.file or str(path), fix=p.fix or fix) for p in error.problems]


def _describe(found: Inspected, config: Config, sheet: str | None, encoding: str | None) -> None:
    """Fill in how the file is laid out (its header, sheet, encoding, rows)."""
    table = open_table(found.path, SHAPES[found.kind], config.aliases, wanted={"customer_id"},
                       sheet=sheet, encoding=encoding)
    if file_kind(found.path) == "text":
        found.encoding = read_head(found.path, encoding).encoding
    found.sheet, found.header_row = table.sheet, table.header_row
    found.columns = set(table.match.columns)
    if found.kind == "sales":
        found.shape = "order_lines" if table.shape is SALES_SHAPES[0] else "monthly"
    found.rows = count_data_rows(table)


def _load(found: Inspected, config: Config, sheet: str | None, encoding: str | None) -> None:
    options = {"sheet": sheet, "encoding": encoding, "skip_invalid": True}
    if found.kind == "customers":
        loaded = load_customers(found.path, config, **options)
        found.frame, found.problems = loaded.frame, loaded.problems
    elif found.kind == "sales":
        sales = load_sales([found.path], config, **options)
        found.frame, found.problems = sales.monthly, sales.problems
        found.months = sorted(set(sales.monthly["month"]))
    else:
        fields = BREACH_FIELDS if found.kind == "breaches" else DECISION_FIELDS
        loaded = load_table(found.path, fields, config, **options)
        found.frame, found.problems = loaded.frame, loaded.problems


def inspect_file(
    path: Path, kind: str, config: Config, *, sheet: str | None = None, encoding: str | None = None,
) -> Inspected:
    """Read `path` as `kind` (customers, sales, breaches, decisions) and collect its problems."""
    found = Inspected(Path(path), kind)
    try:
        _describe(found, config, sheet, encoding)
        _load(found, config, sheet, encoding)
    except DataError as error:
        found.frame = None
        found.problems = failure_problems(error, found.path)
    return found


def overlap_problems(files: list[Inspected]) -> list[Problem]:
    """data.md: the same customer and month in two sales files, as the loaders report it."""
    read = [
        FileSales(f.path, pa.Table.from_pandas(f.frame[KEYS], preserve_index=False), None, set(f.months))
        for f in files if f.kind == "sales" and f.frame is not None
    ]
    if len(read) < 2:
        return []
    try:
        check_overlap(read)
    except DataError as error:
        return failure_problems(error, read[0].path)
    return []
